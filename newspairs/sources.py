"""Reading article pairs from the input layouts: which files a source names, what is in them, what is wrong.

This module owns the input side of the loader and knows nothing of `datasets` writing:

- `resolve_source(source)` turns a folder, a file, a glob or a list of them into sorted `InputFile`s;
- `read_input(input_file, options)` yields, for each article of one file, an `Article` or a `Reject`
  (what is wrong, in which file, which article, which line) — every article ends in one of the two;
- `scan_metadata(inputs, options)` gives the metadata columns and their `datasets` features;
- `split_inputs(inputs, options, json_types, part_bytes, min_parts)` cuts each large JSON lines
  (``.jsonl``) or Parquet file into parts (line ranges, row groups) that `read_input` reads as the
  whole file would have read them;
- `prepass(inputs, options, part_bytes, min_parts, mapper)` does the reading those two need (JSON
  files' value kinds, the ids of the parts of cut files, the line breaks before each cut) as
  units of work by file and part, through a mapper (a process pool, Ray tasks), and keeps the
  merged results for them;
- `article_id(relpath, raw)` and `split_of(article_id, ratios)` are the stable id and split.

Layouts (docs/sources.md states the rules):

1. paired text files: a folder holding both ``raw/`` and ``normalized/`` with the same relative
   file names, one article per file, however its files are named (`_as_pair`); any other folder
   (``raw/`` alone included) is walked and its files read by kind, a loose ``.txt`` file being one
   raw-only article;
2. tabular files, ``.jsonl``/``.json`` (JSON lines), ``.csv``, ``.parquet``: a raw column and an
   optional normalized column, other columns carried through as metadata;
3. ISOT fake-news CSVs (header ``title,text,subject,date``): raw only, ``label`` from the file name.

Ids: ``sha256(relpath + "\\0" + raw)[:16]``, where ``relpath`` is the file's path relative to the
source entry it was found under (a folder's files: relative to that folder; a file: its name; a
glob: relative to the glob's fixed leading folders). Moving the corpus keeps ids; editing an
article's raw text gives it a new id.
"""

from __future__ import annotations

import bz2
import csv
import dataclasses
import fnmatch
import functools
import glob
import hashlib
import io
import json
import gzip
import logging
import lzma
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, islice, tee
from pathlib import Path
from stat import S_ISDIR, S_ISFIFO, S_ISLNK, S_ISREG, S_ISSOCK
from typing import Any, Union

from newspairs.sentences import check as check_splitter, split_note, split_or_keep
from newspairs.stamp import STAMP_FILENAME

logger = logging.getLogger(__name__)

DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "default"

ISOT_HEADER = ("title", "text", "subject", "date")
ISOT_LABELS = ("Fake", "True")  # ClassLabel order: 0 = Fake, 1 = True

TABULAR_KINDS = {".jsonl": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet"}
TEXT_SUFFIX = ".txt"
# A text, JSON or CSV file may be compressed, its name then ending with the compression's suffix
# (``a.jsonl.gz``), as `datasets`' own loaders read it; such a file is read whole, never in parts.
COMPRESSIONS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
COMPRESSIBLE = (TEXT_SUFFIX, ".jsonl", ".json", ".csv")
INPUT_SUFFIXES = ", ".join((TEXT_SUFFIX, *TABULAR_KINDS)) + f"; the first four also compressed: {', '.join(COMPRESSIONS)}"  # for messages
# what reading a file can raise past its opening: a compressed stream cut short or corrupt too
READ_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)
UNREAD_SHOWN = 5  # files of no input suffix a warning names
TEXT_ARTICLES = ("file", "blank-line")  # a .txt file is one article, or many separated by blank lines

# The manifest of an export (`newspairs.export`) and the stamp every newspairs artifact carries:
# a folder holding one is newspairs' output, never read as a source.
EXPORT_MANIFEST = "newspairs_export.json"
OUTPUT_MARKERS = (EXPORT_MANIFEST, STAMP_FILENAME)

# Columns newspairs writes itself; a metadata column of the same name would be overwritten.
RESERVED_COLUMNS = ("id", "raw", "normalized", "agrees", "source_file", "article_id", "line")

# A JSON lines or Parquet file larger than this is read in parts when a build has several workers.
DEFAULT_PART_BYTES = 64 << 20
PART_SCAN_BYTES = 1 << 20  # the chunk the cut finder streams a JSON lines file in
PARQUET_UNREADABLE = "Parquet file unreadable from row"

# The cache knows a file up to this size by its content (hashing it costs less than reading it for
# the build), a larger one by its size, mtime, ctime and inode.
HASHED_FILE_BYTES = 16 << 20
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
CSV_FIELD_LIMIT = 1 << 30  # 1 GiB: one news body (a CSV field) can exceed the csv module's 128 KiB
CSV_BLOCK_BYTES = 1 << 20  # a CSV file is decoded this much at a time
CSV_ROWS_PER_READ = 256  # rows read while the field limit is raised, then handed on
# a last line after every CSV file's own: a row of it alone means the file's last row ended; a cell
# ending with it, a quoted cell never closed (the csv module keeps one silently). No decoded file holds
# it: `_decode` keeps a bad byte as U+DC80..U+DCFF only.
CSV_END = "\ud800"
BOM = "\ufeff".encode()  # UTF-8's byte-order mark
_SCAN_JSON = json.JSONDecoder().scan_once  # json.loads' scanner: (value, end), StopIteration where no value starts
JSON_SPACE = " \t\n\r"  # what json.loads allows around a document
_GLOB_CHARS = re.compile(r"[*?\[]")
_SURROGATE = re.compile("[\udc80-\udcff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # what a JSON \\u escape can give and UTF-8 cannot write

Source = Union[str, os.PathLike, Sequence[Union[str, os.PathLike]], None]


class SourceError(ValueError):
    """Bad input: which file, which article, which line, and what is wrong with it.

    Made from one message alone (``SourceError(text)``: how PyTorch's DataLoader raises again the
    error of a worker process, from its text), it is still a SourceError, whose ``file``, ``article``
    and ``line`` are None and ``reason`` the text.
    """

    def __init__(self, file: str, article: str | None = None, line: int | None = None, reason: str | None = None):
        if reason is None:
            self.file = self.article = self.line = None
            self.reason = file
            super().__init__(file)
            return
        self.file, self.article, self.line, self.reason = file, article, line, reason
        where = [file]
        if article is not None:
            where.append(f"article {article}")
        if line is not None:
            where.append(f"line {line}")
        # the message is UTF-8 whatever the names: a file name's undecodable bytes shown escaped (`shown_name`)
        super().__init__(shown_name(f"{', '.join(where)}: {reason}"))

    def __reduce__(self):  # raised in a worker process, it must cross back whole
        return type(self), (self.file, self.article, self.line, self.reason)


@dataclass(frozen=True)
class InputFile:
    """One input file: its kind (``pair``, ``text``, ``jsonl``, ``csv``, ``isot``, ``parquet``,
    ``orphan``, ``foreign``: not ``.txt`` in a paired folder, ``special``: a named pipe, socket or
    device of an input suffix, never opened, or ``unlisted``: a folder that cannot be listed), where
    it is, its path relative to its source entry, and a pair's normalized twin.

    A part of a file (`split_inputs`) also says where it starts and stops (a byte offset at a line
    start for JSON lines, a row group for Parquet; ``stop`` None: the file's end), the line (or
    row) number it starts on, and ``earlier``: the ids of its articles that an earlier part of the
    file already holds, with the line of the first (so they are rejected as duplicates, as a
    reading of the whole file rejects them).
    """

    kind: str
    path: str
    relpath: str
    twin: str | None = None
    start: int = 0
    stop: int | None = None
    first_line: int = 1
    earlier: tuple[tuple[str, int], ...] = ()

    @property
    def is_part(self) -> bool:
        return self.start > 0 or self.stop is not None

    def describe(self) -> str:
        """The file, and which part of it: a log line's, a job's name."""
        if not self.is_part:
            return self.path
        unit = "row group" if self.kind == "parquet" else "byte"
        return f"{self.path} ({unit}s {self.start}-{'end' if self.stop is None else self.stop})"


@dataclass(frozen=True)
class ReadOptions:
    """How tabular files name their sides, and how many articles a text file holds.

    Args:
        raw_column (`str`, defaults to ``"raw"``): column holding the raw article (ISOT files: ``text``).
        normalized_column (`str`, defaults to ``"normalized"``): column holding the stored normalized
            side; a file without it, or a null cell, has no normalized side.
        sentences (`str`, *optional*): split each article's raw text into sentences, one per line, with
            this splitter (``"punkt"``, see `newspairs.sentences`) before anything else; None: lines as given.
        text_articles (`str`, defaults to ``"file"``): ``"file"``, one article per ``.txt`` file;
            ``"blank-line"``, many, separated by one or more blank (whitespace-only) lines, each with
            its own id and the line it starts on (a pair's twin is split alike).
    """

    raw_column: str = "raw"
    normalized_column: str = "normalized"
    sentences: str | None = None
    text_articles: str = "file"

    def __post_init__(self) -> None:
        check_splitter(self.sentences)  # an unknown name or a missing extra: a ValueError now, not per article
        if self.text_articles not in TEXT_ARTICLES:
            raise ValueError(f"text_articles must be one of {TEXT_ARTICLES}, got {self.text_articles!r}")


@dataclass
class Article:
    """An article read from a source: raw text, stored normalized side (or None), metadata."""

    id: str
    raw: str
    normalized: str | None
    source_file: str
    metadata: dict[str, Any] = field(default_factory=dict)
    line: int | None = None  # where the article starts in a tabular file (1-based line or row)
    record: int | None = None  # a JSON array's record: its place in the array (1-based), which names it there


@dataclass(frozen=True)
class Reject:
    """An article that could not be read: the file, the article, the line, the reason.

    ``id`` is the article's id, or (when it cannot be computed) one derived from the file and the
    location, so that a reject falls into exactly one split like any article (a duplicate: its
    twin's). ``dropped`` marks an article set aside by rule, an empty one or a duplicate of one
    already read: it is counted and reported like any reject but never stops a build.
    """

    id: str
    file: str
    article: str | None
    line: int | None
    reason: str
    dropped: bool = False  # set aside by rule (empty, or a duplicate of an article read), not a mistake

    def error(self) -> SourceError:
        return SourceError(self.file, self.article, self.line, self.reason)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "article": self.article, "line": self.line, "reason": self.reason, "dropped": self.dropped}


def article_id(relpath: str, raw: str) -> str:
    """The stable id of an article: a hash of its file's relative path and its raw text."""
    return hashlib.sha256(f"{relpath}\0{raw}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


def split_of(key: str, ratios: Sequence[tuple[str, float]]) -> str:
    """The split an id falls into: a stable hash of the id against the cumulative ``ratios``.

    Adding articles never moves another article: the split depends on the id alone.
    """
    return split_router(ratios)(key)


def split_router(ratios: Sequence[tuple[str, float]]) -> Callable[[str], str]:
    """`split_of` with ``ratios`` fixed, for a loop over many ids."""
    bounds = _split_bounds(tuple(map(tuple, ratios)))  # ratios read back from JSON are lists
    last = bounds[-1][0]
    sha256 = hashlib.sha256

    def route(key: str) -> str:
        # the first 48 bits of the id's sha256 (its first 12 hex digits), as a share of 2^48
        point = int.from_bytes(sha256(key.encode("utf-8")).digest()[:6], "big") / 281474976710656.0
        for name, cumulative in bounds:
            if point < cumulative:
                return name
        return last

    return route


@functools.lru_cache(maxsize=64)
def _split_bounds(ratios: tuple[tuple[str, float], ...]) -> tuple[tuple[str, float], ...]:
    """Each split with the cumulative share it ends at (summed in order, as a float: the same
    bounds whatever calls it), worked out once per ``ratios`` instead of once per article."""
    total = sum(ratio for _, ratio in ratios)
    bounds, cumulative = [], 0.0
    for name, ratio in ratios:
        cumulative += ratio / total
        bounds.append((name, cumulative))
    return tuple(bounds)


# --- which files a source names ---------------------------------------------------------------


# What `datasets` keeps of newspairs' builds in a cache folder: ``<dataset_name>/<config>[-<options>]/<version>/``,
# whose version folder holds the builds (``<hash>/dataset_info.json``) and their ``<hash>_builder.lock``
# files, and ``<...>_<config>..._<version>_<hash>.lock`` files beside it. Never read as input, wherever it
# is found (a cache_dir inside the source folder read its own dataset_info.json and reports as articles
# on the next load, of any later process).
_BUILD_CONFIG = re.compile(r"(articles|lines|raw)(-.*)?", re.DOTALL)
_BUILD_VERSION = re.compile(r"\d+\.\d+\.\d+")
_BUILD_MARK = re.compile(r"[0-9a-f]+(_builder\.lock|\.incomplete_info\.lock)")
_BUILD_LOCK = re.compile(r".*_(articles|lines|raw)(-.*)?_\d+\.\d+\.\d+_[0-9a-f]+\.lock", re.DOTALL)


def is_cached_build(path: Path) -> bool:
    """Whether ``path`` is what `datasets` keeps of newspairs' builds in a cache folder: a config's
    folder holding a version folder that holds a build's lock file (which `datasets` leaves beside
    every build), or one of the lock files beside the config's folders. Anything else is read as
    input, whatever its names (``corpus/newspairs/articles/0.1.2/`` of articles of your own)."""
    if _BUILD_LOCK.fullmatch(path.name):
        return True
    if not _BUILD_CONFIG.fullmatch(path.name):
        return False
    try:
        with os.scandir(path) as scan:
            versions = [entry.path for entry in scan if _BUILD_VERSION.fullmatch(entry.name) and entry.is_dir()]
        for version in versions:
            with os.scandir(version) as scan:
                if any(_BUILD_MARK.fullmatch(entry.name) for entry in scan):
                    return True
    except OSError:
        return False
    return False


def _first_visit(folder: Path, visited: set[str]) -> bool:
    """Whether ``folder`` (a real folder, links resolved) is not yet in ``visited``; it is then added."""
    real = os.path.realpath(folder)
    if real in visited:
        return False
    visited.add(real)
    return True


def _ancestors(folder: Path) -> set[str]:
    """The real folders above ``folder``: a link back to one of them is a loop, never followed."""
    return {str(parent) for parent in Path(os.path.realpath(folder)).parents}


def _visible_files(folder: Path, visited: set[str]) -> Iterator[tuple[Path, bool | OSError]]:
    """The files under ``folder`` (as `os.walk` top-down finds them), links followed, each real folder
    visited once, hidden names skipped; each with whether it may be opened (`_may_open`). A folder
    that cannot be listed (``folder`` itself too) comes with the error instead."""
    if _first_visit(folder, visited):
        yield from _walk_files(folder, visited)


def _walk_files(folder: Path, visited: set[str]) -> Iterator[tuple[Path, bool | OSError]]:
    # `os.scandir` rather than `os.walk`: its entries know a file's type without one more stat each
    try:
        with os.scandir(folder) as scan:
            entries = sorted((entry for entry in scan if not entry.name.startswith(".")), key=lambda entry: entry.name)
    except OSError as error:
        yield folder, error  # a folder that cannot be listed: a reject of its own, not nothing unsaid
        return
    folders = []
    for entry in entries:
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        if is_folder:
            folders.append(Path(entry.path))
        else:
            yield Path(entry.path), _may_open(entry)
    for sub in [sub for sub in folders if _first_visit(sub, visited)]:
        if is_newspairs_output(sub):  # an export or tokenizer folder written into a side: skipped, as a walk skips it
            _warn_output(sub)
            continue
        yield from _walk_files(sub, visited)


def _may_open(entry: os.DirEntry) -> bool:
    """Whether a file may be opened to be read: a regular file, or a link to nothing (its open fails,
    a reject "cannot read"); not a named pipe, socket or device, whose open may wait for ever."""
    try:
        return entry.is_file() or (entry.is_symlink() and not os.path.exists(entry.path))
    except OSError:
        return True  # its open fails too


def _file_or_unknown(path: Path) -> bool:
    """Whether ``path`` is a file or a link (to nothing too), or may be one unseen: a folder above it
    cannot be searched (Permission denied), so it cannot be told; its read then says why it fails."""
    try:
        mode = os.lstat(path).st_mode
    except PermissionError:
        return True
    except OSError:
        return False
    return S_ISLNK(mode) or S_ISREG(mode)


def _unlisted_problem(path: str) -> str:
    """Why a folder cannot be listed (``Permission denied``), asked again when its reject is made."""
    try:
        with os.scandir(path):
            pass
    except OSError as error:
        return read_problem(error)
    return "it could not be listed when the source was resolved"


def _file_mode(path: Path) -> int | None:
    """``path``'s mode (links followed), None when there is nothing there (or a link to nothing)."""
    try:
        return path.stat().st_mode
    except OSError:
        return None


def kind_suffix(path: str | os.PathLike) -> str:
    """The suffix that says what a file holds: ``.jsonl`` for ``a.jsonl`` and ``a.jsonl.gz`` (a
    compressed text, JSON or CSV file); ``""`` for ``a.parquet.gz`` or ``a.gz``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in COMPRESSIONS:
        inner = Path(path.stem).suffix.lower()
        return inner if inner in COMPRESSIBLE else ""
    return suffix


def compression(path: str | os.PathLike) -> str | None:
    """The compression suffix of an input file (``.gz``, ``.bz2``, ``.xz``), or None."""
    suffix = Path(path).suffix.lower()
    return suffix if suffix in COMPRESSIONS and kind_suffix(path) else None


def open_binary(path: str | os.PathLike):
    """A binary file object of an input file's bytes, decompressed as its name says (`compression`)."""
    opener = COMPRESSIONS.get(compression(path) or "")
    return open(path, "rb") if opener is None else opener(path, "rb")


SALVAGE_BYTES = 1 << 16  # what a decompressing read asks for at a time (`_salvaging_read`)


def _salvaging_read(handle, size: int) -> Callable[[], bytes]:
    """``handle.read(size)`` as a function that keeps what a broken compressed stream gave before it
    broke (gzip's, bzip2's and xz's own ``read(n)`` drop it): that data first, the error at the next call.
    A plain file's own read is that already (no piecewise copy on the common path)."""
    if isinstance(handle, io.BufferedReader):
        return lambda: handle.read(size)
    broken: list[BaseException] = []

    def read() -> bytes:
        if broken:
            raise broken[0]
        pieces, have = [], 0
        while have < size:
            try:
                piece = handle.read1(min(size - have, SALVAGE_BYTES))
            except READ_ERRORS as error:
                if not pieces:
                    raise
                broken.append(error)
                break
            if not piece:
                break
            pieces.append(piece)
            have += len(piece)
        return b"".join(pieces)

    return read


def _salvaged(handle) -> tuple[bytes, BaseException | None]:
    """The whole of ``handle``, or what came before a broken stream and its error."""
    read, pieces = _salvaging_read(handle, 1 << 24), []
    while True:
        try:
            piece = read()
        except READ_ERRORS as error:
            if not pieces:
                raise
            return b"".join(pieces), error
        if not piece:
            return b"".join(pieces), None
        pieces.append(piece)


def read_problem(error: BaseException) -> str:
    """What a reading error says: the system's words, or a compressed stream's own."""
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def _classify(path: Path, mode: int | None = None) -> str | None:
    """A file's kind by its suffix (a CSV's by its header); ``mode`` (`_file_mode`) not of a regular
    file: ``special``, never opened."""
    suffix = kind_suffix(path)
    if mode is not None and not S_ISREG(mode):
        return "special" if suffix == TEXT_SUFFIX or suffix in TABULAR_KINDS else None
    if suffix == TEXT_SUFFIX:
        return "text"
    kind = TABULAR_KINDS.get(suffix)
    if kind == "csv" and _csv_header(path) == ISOT_HEADER:
        return "isot"
    return kind


class _Utf8SoFar:
    """Whether every block of a file decoded so far was UTF-8: while it is, no text read from the
    file holds a surrogate (a kept bad byte), and its rows need no search for one."""

    __slots__ = ("valid",)

    def __init__(self) -> None:
        self.valid = True


def _csv_lines(handle, utf8: _Utf8SoFar | None = None) -> Iterator[str]:
    """A binary CSV file's lines, decoded as `_decode` does (a BOM dropped, bad bytes kept as surrogates),
    and ended with `CSV_END` (see `_rows_csv`).

    Read in blocks cut after a line break, each decoded at once and split by `io.StringIO` as a file
    opened with ``newline=""`` is, the way the csv module wants it: at ``"\r\n"``, ``"\n"`` and a
    lone ``"\r"``, each kept (so a lone ``"\r"`` outside quotes ends a row, as in `datasets`' CSV
    loader, and one inside quotes stays in its cell). No Python step per line. ``utf8`` is told
    when a block is not UTF-8.
    """
    # (a last line of a byte-order mark alone is a line, read as empty: as a line-by-line read has it)
    blocks = (io.StringIO(text, newline="") if text else ("",) for text in _csv_blocks(handle, utf8))
    return chain(chain.from_iterable(blocks), (CSV_END,))


def _csv_blocks(handle, utf8: _Utf8SoFar | None = None) -> Iterator[str]:
    """The file decoded in blocks of about `CSV_BLOCK_BYTES`, each ending with a line break (but
    the last); UTF-8 never holds the byte of ``"\n"`` inside a character, so a block decodes as its lines would."""
    for number, block in enumerate(whole_line_blocks(_salvaging_read(handle, CSV_BLOCK_BYTES))):
        try:  # strictly first: valid UTF-8 decodes to no surrogate
            text = _decode(block, first=number == 0, errors="strict")
        except UnicodeDecodeError:
            if utf8 is not None:
                utf8.valid = False
            text = _decode(block, first=number == 0)
        yield text


def whole_line_blocks(read: Callable[[], bytes]) -> Iterator[bytes]:
    """What ``read()`` returns until it returns nothing, in blocks of whole lines: each block ends
    with the last line break read so far (a line not ended yet waits for the next reads); the
    last block is what follows the last line break, if anything does."""
    held: list[bytes] = []  # a line not ended yet (kept in parts: a long line takes many reads)
    while data := read():
        cut = data.rfind(b"\n") + 1
        if not cut:
            held.append(data)
            continue
        yield b"".join([*held, data[:cut]])
        held = [data[cut:]] if cut < len(data) else []
    rest = b"".join(held)
    if rest:
        yield rest


class _CsvReader:
    """A CSV file's rows as ``csv.reader(lines)`` reads them, with the rows a stray quote joined told.

    The csv module reads on past a quote that closes a cell before the cell ends, so a stray quote
    silently joins the rows up to the next quote into one cell of one article (the joined row often
    keeps the header's number of fields). Rows are read by a strict reader, which stops there; only
    then is the row read again from its first line as the csv module reads it by default, from a
    copy of the lines (`itertools.tee`) kept a few lines behind. Stopped on a later line than the
    row's first, the row is such a join: ``joined`` is then the line it ends on (the caller rejects
    it). Stopped on its first line (``"a "b" c",1``), it is read as the csv module and `datasets`'
    loader read it. ``line_num`` counts the file's lines, as a csv reader's does."""

    KEPT_BEHIND = 256  # lines the copy may lag: a row read again starts at most this far back

    def __init__(self, lines: Iterator[str]):
        self._lines, self._copy = tee(lines)
        self._strict = csv.reader(self._lines, strict=True)
        self._skipped = 0  # lines taken from ``_lines`` past the strict reader (it does not count them)
        self._copied = 0  # lines taken from ``_copy``
        self.line_num = 0
        self.joined: int | None = None

    def __iter__(self) -> _CsvReader:
        return self

    def __next__(self) -> list[str]:
        start, self.joined = self.line_num + 1, None
        if self.line_num - self._copied > self.KEPT_BEHIND:
            self._take(self._copy, self.line_num - self._copied)
            self._copied = self.line_num
        try:
            row = next(self._strict)
            self.line_num = self._strict.line_num + self._skipped
            return row
        except csv.Error:
            stopped_at = self._strict.line_num + self._skipped
        self._take(self._copy, start - 1 - self._copied)
        self._copied = start - 1
        row_lines: list[str] = []
        loose = csv.reader(_kept(self._copy, row_lines))
        row = next(loose)  # a csv.Error here is the file's own: the caller's
        self._copied += loose.line_num
        self.line_num = self._copied
        self._skipped += self.line_num - stopped_at
        self._take(self._lines, self.line_num - stopped_at)  # what the strict reader left of the row
        if len(row_lines) > 1 and not (row and row[-1].endswith(CSV_END)):  # a quote never closed: the caller's
            self.joined = _closed_early(row_lines, start)
        return row

    @staticmethod
    def _take(lines: Iterator[str], count: int) -> None:
        if count > 0:
            next(islice(lines, count - 1, count), None)


def _kept(lines: Iterator[str], into: list[str]) -> Iterator[str]:
    for line in lines:
        into.append(line)
        yield line


def _closed_early(lines: list[str], first: int) -> int | None:
    """The line (numbered from ``first``) on which a quote closes a quoted cell of the row ``lines``
    and text follows it before the cell's comma or line end, on a later line than the row's first;
    None when no quote does. The csv module's states, for the few rows the strict reader stops in:
    spaces after the quote are no text (`datasets`' loader reads ``"a\nb" ,1`` as ``a\nb ``)."""
    state = "start"  # start of a cell, in an unquoted cell, in a quoted one, just after a quote in it
    for number, line in enumerate(lines, start=first):
        for index, character in enumerate(line):
            if state == "start":
                state = "quoted" if character == '"' else "start" if character == "," else "field"
            elif state == "field":
                if character == ",":
                    state = "start"
            elif state == "quoted":
                if character == '"':
                    state = "quote"
            elif character == '"':  # a quote doubled inside the cell
                state = "quoted"
            elif character == ",":
                state = "start"
            else:
                if number > first and line[index:].split(",", 1)[0].strip():
                    return number
                state = "field"
    return None


def _csv_first_record(reader, start: list[int] | None = None) -> list[str] | None:
    """The reader's first record that is not a blank line (None: the lines ran out): blank lines
    before the header are skipped, as blank lines between rows are, and as `datasets`' CSV loader
    skips them. ``start`` (a list of one number) is kept at the line the record starts on, for a
    caller that names that line, a `csv.Error` raised here too."""
    start = [1] if start is None else start
    while True:
        start[0] = reader.line_num + 1
        row = next(reader, None)
        if row != []:
            return row


def _csv_header(path: Path) -> tuple[str, ...] | None:
    """The first record of a CSV file, read alone: a bad byte further down does not spoil it."""
    try:
        with open_binary(path) as handle, _csv_field_limit():
            row = _csv_first_record(csv.reader(_csv_lines(handle)))
    except (*READ_ERRORS, csv.Error):
        return None  # unreadable: reported when the file is read
    if not row or row == [CSV_END] or row[-1].endswith(CSV_END):
        return None  # no header, or one never closed: reported when the file is read
    return tuple(cell.strip() for cell in row)


def _header_not_utf8(header: Sequence[str]) -> bool:
    """Whether a CSV header (as `_csv_lines` decodes it) holds a byte that is not UTF-8."""
    return any(map(_SURROGATE.search, header))


def _csv_header_problem(header: Sequence[str]) -> str | None:
    """Why a CSV header rejects every row of its file, or None."""
    if _header_not_utf8(header):  # its names hold a kept bad byte, which no column name (Arrow, the report) can
        return "not UTF-8 (undecodable bytes in the header); every row of the file is rejected"
    # a row's dict would keep one of two same-named cells, silently
    twice = next((name for name in header if name and header.count(name) > 1), None)
    if twice is not None:
        return f"column {twice!r} appears twice in the header; every row of the file is rejected"
    return None


def _columns_problem(names: Sequence[str], raw_column: str, normalized_column: str | None, column: str) -> str | None:
    """Why a table (``column`` = "column": every row) or a JSON record (``column`` = "key") is
    rejected for the names it holds: no raw column, or one named as a column newspairs writes."""
    if raw_column not in names:
        return f"no raw {column} {raw_column!r} ({column}s: {', '.join(names)})"
    clash = sorted(set(names) & set(RESERVED_COLUMNS) - {raw_column, normalized_column})
    if clash:
        return f"{column} {clash[0]!r} clashes with a column newspairs writes; rename it"
    return None


def _paired_inputs(folder: Path, prefix: str, visited: set[str]) -> Iterator[InputFile]:
    """The pairs of a paired folder; a file of either side that is not ``.txt`` is a ``foreign`` input (a
    reject), a folder of either side that cannot be listed an ``unlisted`` one (a reject).

    A file whose twin is not seen because the twin's folder cannot be listed is paired with the path
    its twin has (its read says whether it can be read), never called a file without its twin; the
    twin of a pipe or socket is that file's reject (the pair is one article). A folder that cannot
    be listed but can be searched (mode 711, 300), where twins were found by their names, is no
    reject: a warning says that a file only it holds is not seen."""
    sides: dict[str, dict[str, Path]] = {}
    unlisted: dict[str, list[str]] = {}
    unlisted_items: dict[tuple[str, str], InputFile] = {}
    found_in: set[tuple[str, str]] = set()  # the unlisted folders a twin was found in, by its name
    specials: dict[str, set[str]] = {}
    for side in ("raw", "normalized"):
        files, unlisted[side], specials[side] = {}, [], set()
        for path, may_open in _visible_files(folder / side, visited):
            name = path.relative_to(folder / side).as_posix()  # "." for the side folder itself
            if isinstance(may_open, OSError):
                unlisted[side].append(name)
                unlisted_items[side, name] = InputFile("unlisted", str(path), f"{prefix}{side}" + ("" if name == "." else f"/{name}"))
            elif may_open:
                files[name] = path
            else:  # a pipe, a socket: a reject of its own, never opened
                specials[side].add(name)
                # a raw file's twin: the pair's reject, named by the pair's article (its raw side), as its other rejects are
                article_side = "raw" if side == "normalized" and name in sides.get("raw", {}) else side
                yield InputFile("special", str(path), f"{prefix}{article_side}/{name}")
        for name, path in files.items():
            if path.suffix.lower() != TEXT_SUFFIX:
                yield InputFile("foreign", str(path), f"{prefix}{side}/{name}")
        sides[side] = {name: path for name, path in files.items() if path.suffix.lower() == TEXT_SUFFIX}
    raw, normalized = sides["raw"], sides["normalized"]

    def unseen(side: str, name: str) -> Path | None:
        """``side``'s file ``name``, where a folder of that side that cannot be listed may hold it."""
        path = folder / side / name
        tops = [top for top in unlisted[side] if top == "." or name.startswith(top + "/")]
        if not tops or not _file_or_unknown(path):
            return None
        if os.path.lexists(path):  # found by its name: the folder can be searched, and this file is read
            found_in.update((side, top) for top in tops)
        return path

    for name in sorted(set(raw) | set(normalized)):
        if name not in raw:
            if name in specials["raw"]:
                continue  # the pair is its raw side's reject
            hidden_raw = unseen("raw", name)
            if hidden_raw is not None:
                yield InputFile("pair", str(hidden_raw), f"{prefix}raw/{name}", str(normalized[name]))
            else:
                yield InputFile("orphan", str(normalized[name]), f"{prefix}normalized/{name}")
        elif name not in specials["normalized"]:  # else the pair is its twin's reject
            twin = normalized.get(name) or unseen("normalized", name)
            yield InputFile("pair", str(raw[name]), f"{prefix}raw/{name}", str(twin) if twin else None)
    for key, item in unlisted_items.items():
        if key not in found_in:
            yield item
        elif item.path not in _WARNED_UNLISTED:  # once a process, as the other warnings of a walk
            _WARNED_UNLISTED.add(item.path)
            logger.warning("newspairs: %s cannot be listed (%s): its files were found by their twins' names, "
                           "and a file only it holds is not seen", item.path, _unlisted_problem(item.path))


def is_newspairs_output(folder: Path) -> bool:
    """Whether ``folder`` is one newspairs wrote: an export, a Hub repository or a tokenizer folder
    (a folder that cannot be searched is not: its reject says it cannot be read)."""
    return any(os.path.isfile(folder / name) for name in OUTPUT_MARKERS)


def _folder_inputs(folder: Path, prefix: str = "", visited: set[str] | None = None,
                   unread: list[str] | None = None, *, named: bool = True) -> Iterator[InputFile]:
    """A folder holding ``raw/`` and ``normalized/`` is a paired folder; any other folder is walked, its
    files read by suffix, except a folder newspairs wrote (skipped in a walk, an error when named).

    Links are followed; ``visited`` (the real folders seen, and those above the walk) stops loops.
    ``unread`` gathers the walk's files of no input suffix. A folder a glob matched is not ``named``:
    one newspairs wrote is skipped there as in a walk (``data/*`` beside a tokenizer folder in data/).
    """
    top = visited is None
    visited = _ancestors(folder) if visited is None else visited
    if not _first_visit(folder, visited):
        return
    if is_cached_build(folder):
        return
    if is_newspairs_output(folder):
        if top and named:
            raise _output_named(folder)
        _warn_output(folder)
        return
    if os.path.isdir(folder / "raw") and os.path.isdir(folder / "normalized"):
        yield from _paired_inputs(folder, prefix, visited)
        try:
            beside = sorted(str(entry) for entry in folder.iterdir()
                            if entry.name not in ("raw", "normalized") and not entry.name.startswith("."))
        except OSError:
            beside = []  # a paired folder that cannot be listed: its raw/ and normalized/ are read all the same
        _warn_beside_pairs(folder, beside)
        return
    try:
        entries = sorted(folder.iterdir())
    except OSError:  # a folder that cannot be listed: one reject, as a file that cannot be opened
        yield InputFile("unlisted", str(folder), prefix.rstrip("/") or folder.name or str(folder))
        return
    for entry in entries:
        if entry.name.startswith(".") or _BUILD_LOCK.fullmatch(entry.name):  # a cached build's lock: no input, nothing unsaid
            continue
        mode = _file_mode(entry)
        if mode is not None and S_ISDIR(mode):
            yield from _folder_inputs(entry, f"{prefix}{entry.name}/", visited, unread)
        elif (kind := _classify(entry, mode)) is not None:
            yield InputFile(kind, str(entry), f"{prefix}{entry.name}")
        elif unread is not None:
            unread.append(str(entry))


def _output_named(folder: Path) -> ValueError:
    """The error of a folder newspairs wrote named as a source (or as a glob's fixed folders)."""
    return ValueError(
        f"{folder}: a folder newspairs wrote (it holds {', '.join(name for name in OUTPUT_MARKERS if os.path.isfile(folder / name))}), not a source: "
        "an export loads with datasets.load_dataset(folder); name the files it was made from instead"
    )


def _warn_output(folder: Path) -> None:
    if str(folder) not in _WARNED_OUTPUT:  # once a process, as the other warnings of a walk
        _WARNED_OUTPUT.add(str(folder))
        logger.warning("newspairs: %s is a newspairs export or tokenizer folder; its files are not read as input", folder)


def _in_output(path: Path, fixed: Path, memo: dict[Path, bool]) -> bool:
    """Whether a glob's match lies inside a folder newspairs wrote below the glob's fixed folders
    (``data/**`` reaching into ``data/out/``): skipped, as a walk skips that folder (and said once)."""
    parts = path.relative_to(fixed).parts
    for end in range(1, len(parts)):
        folder = fixed.joinpath(*parts[:end])
        if folder not in memo:
            memo[folder] = is_newspairs_output(folder)
            if memo[folder]:
                _warn_output(folder)
        if memo[folder]:
            return True
    return False


def _split_glob(pattern: str) -> tuple[Path, str]:
    """A glob's leading folders that exist as named (literal, whatever characters they hold), and the rest."""
    parts = Path(pattern).parts
    fixed = Path(".")
    for index, part in enumerate(parts):
        if _GLOB_CHARS.search(part) and not os.path.lexists(fixed / part):
            return fixed, os.path.join(*parts[index:])
        fixed = fixed / part if index else Path(part)
    return fixed, ""


def _glob_matches(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    """Whether a relative path's parts match a glob's parts, ``**`` being zero or more folders."""
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_glob_matches(pattern[1:], parts[index:]) for index in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], pattern[0]) and _glob_matches(pattern[1:], parts[1:])


def _recursive_glob(fixed: Path, pattern: tuple[str, ...], blocked: list[str] | None = None) -> list[str]:
    """What a ``**`` glob under ``fixed`` matches (folders and files, hidden names skipped), links
    followed without visiting a real folder twice; ``blocked`` gathers the folders that cannot be listed."""
    visited = _ancestors(fixed)
    if not _first_visit(fixed, visited):
        return []
    matches = [str(fixed)] if _glob_matches(pattern, ()) else []

    def unlisted(error: OSError) -> None:
        if blocked is not None and not isinstance(error, (FileNotFoundError, NotADirectoryError)):
            blocked.append(error.filename)

    for root, dirs, files in os.walk(fixed, onerror=unlisted, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and _first_visit(Path(root) / d, visited)
                         and not is_cached_build(Path(root) / d))
        for name in [*dirs, *(f for f in sorted(files) if not f.startswith(".") and not _BUILD_LOCK.fullmatch(f))]:
            path = Path(root) / name
            if _glob_matches(pattern, path.relative_to(fixed).parts):
                matches.append(str(path))
    return sorted(matches)


def _glob_blocked(fixed: Path, rest: str) -> list[str]:
    """The folders a glob without ``**`` had to list (or search, for a part without glob characters)
    and could not: `glob.glob` passes them over without a word, so each is one reject instead."""
    parts = Path(rest).parts
    blocked, level = [], [str(fixed)]
    for index, part in enumerate(parts):
        for folder in level:
            try:
                if _GLOB_CHARS.search(part):
                    with os.scandir(folder):
                        pass
                else:
                    os.lstat(os.path.join(folder, part))
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError:
                blocked.append(folder)
        if index + 1 < len(parts):  # the folders the next part is looked for in, as glob.glob finds them
            found = glob.glob(os.path.join(glob.escape(str(fixed)), *parts[:index + 1]))
            level = [match for match in found if os.path.isdir(match)]
    return blocked


_WARNED_UNREAD: set[tuple[str, ...]] = set()
_WARNED_OUTPUT: set[str] = set()  # the folders newspairs wrote that a walk skipped, said once
_WARNED_UNLISTED: set[str] = set()  # the paired sides that could not be listed but were searched, said once


def _warn_unread(entry: str, unread: list[str]) -> None:
    """Say which files a walk found and does not read (a README, but also a compressed or tab-separated
    table): nothing of the source is left out unsaid. Each file once, however many of a glob's matches
    hold it (``data/**`` matches a folder, the folders in it and their files)."""
    once: dict[str, str] = {}
    for path in unread:  # named as the file itself where a link to it is found too (as it is read)
        real = os.path.realpath(path)
        if real not in once or os.path.islink(once[real]) and not os.path.islink(path):
            once[real] = path
    unread = list(once.values())
    if unread and (entry, *unread) not in _WARNED_UNREAD:  # once a process: a build resolves its source more than once
        _WARNED_UNREAD.add((entry, *unread))
        shown = ", ".join(unread[:UNREAD_SHOWN]) + (f" and {len(unread) - UNREAD_SHOWN} more" if len(unread) > UNREAD_SHOWN else "")
        logger.warning("newspairs: %s: %d file%s not read, of no input suffix (%s): %s", entry, len(unread),
                       "" if len(unread) == 1 else "s", INPUT_SUFFIXES, shown)


def _warn_beside_pairs(folder: Path, beside: list[str]) -> None:
    """Say what a paired folder holds beside ``raw/`` and ``normalized/``: a paired folder is its
    pairs, so those files and folders are not read, and not left out unsaid either."""
    if beside and (str(folder), *beside) not in _WARNED_UNREAD:
        _WARNED_UNREAD.add((str(folder), *beside))
        shown = ", ".join(beside[:UNREAD_SHOWN]) + (f" and {len(beside) - UNREAD_SHOWN} more" if len(beside) > UNREAD_SHOWN else "")
        logger.warning("newspairs: %s is a paired folder (raw/ and normalized/), read as its pairs only: %d entr%s "
                       "beside them not read (name one as a source to read it): %s", folder, len(beside),
                       "y" if len(beside) == 1 else "ies", shown)


def _entry_inputs(entry: str) -> list[InputFile]:
    path = Path(entry)
    mode = _file_mode(path)
    if mode is not None and S_ISDIR(mode):
        unread: list[str] = []
        found = list(_folder_inputs(path, unread=unread))
        _warn_unread(entry, unread)
        return found
    denied = _permission_denied(path) if mode is None and not _GLOB_CHARS.search(entry) else None
    if mode is not None or denied is not None:  # denied: inside a folder that cannot be searched
        kind = _classify(path, mode)
        if kind is None:
            if denied is not None:
                raise ValueError(f"{entry}: cannot read ({read_problem(denied)})")
            raise ValueError(
                f"{entry}: not a source layout newspairs reads ({INPUT_SUFFIXES}, or a folder)"
            )
        return [InputFile(kind, str(path), path.name)]  # denied: its read is a reject, "cannot read (Permission denied)"
    if not _GLOB_CHARS.search(entry):
        raise ValueError(f"{entry}: no such file or folder")
    # not a path: a glob, under its leading folders taken as they are named
    fixed, rest = _split_glob(entry)
    for folder in (fixed, *fixed.parents[:-1]):  # a glob inside a folder newspairs wrote names it (data/out/**)
        if is_newspairs_output(folder):
            raise _output_named(folder)
    blocked: list[str] = []  # the folders it had to look into and could not
    if "**" in Path(rest).parts:  # glob.glob would follow a link loop without end: walk it ourselves
        matches = _recursive_glob(fixed, Path(rest).parts, blocked)
    else:
        matches = sorted(glob.glob(os.path.join(glob.escape(str(fixed)), rest)))
        blocked = _glob_blocked(fixed, rest)
    if not matches and not blocked:
        raise ValueError(f"{entry}: the glob matches no file")
    found: list[InputFile] = [  # each one reject, relative to the glob's fixed folders as its matches are
        InputFile("unlisted", str(folder), folder.relative_to(fixed).as_posix() if folder != fixed else fixed.name or str(fixed))
        for folder in map(Path, blocked)
    ]
    unread, outputs = [], {}
    for match in matches:
        path = Path(match)
        if _in_output(path, fixed, outputs):
            continue
        mode = _file_mode(path)
        if mode is not None and S_ISDIR(mode):
            prefix = path.relative_to(fixed).as_posix() + "/" if path != fixed else ""
            found.extend(_folder_inputs(path, prefix, unread=unread, named=False))
        else:
            kind = _classify(path, mode)
            if kind is not None:
                found.append(InputFile(kind, str(path), path.relative_to(fixed).as_posix()))
            else:
                unread.append(match)
    _warn_unread(entry, unread)
    return found


def _permission_denied(path: Path) -> PermissionError | None:
    """The error of ``path``'s stat when a folder above it cannot be searched, else None."""
    try:
        os.stat(path)
    except PermissionError as error:
        return error
    except OSError:
        pass
    return None


def _is_paired(folder: Path, memo: dict) -> bool:
    if folder not in memo:
        memo[folder] = os.path.isdir(folder / "raw") and os.path.isdir(folder / "normalized")
    return memo[folder]


def _side_folder(folder: str, memo: dict) -> Path | None:
    """The side folder (``raw/`` or ``normalized/`` of a paired folder) nearest above or at ``folder``,
    or None; kept per folder, as a walk's files share theirs."""
    key = ("side folder", folder)  # beside _is_paired's answers, by Path, in the same memo
    if key not in memo:
        memo[key] = next((side for side in (Path(folder), *Path(folder).parents)
                          if side.name in ("raw", "normalized") and _is_paired(side.parent, memo)), None)
    return memo[key]


def _as_pair(item: InputFile, memo: dict) -> InputFile:
    """A loose ``.txt`` file (named, globbed, or found walking ``raw/`` or ``normalized/`` alone) that is
    one side of a paired folder, as the paired folder reads it: the pair (its twin read with it, its
    relative path at least ``raw/NAME``, so its id is the pair's), or a normalized file without its
    raw one. Any other file as it is, a raw file without its twin included."""
    if item.kind != "text" or not item.path.lower().endswith(TEXT_SUFFIX):
        return item  # a compressed .txt is not a pair's side: a paired folder rejects it, named alone it is read
    absolute_text = os.path.abspath(item.path)
    if f"{os.sep}raw{os.sep}" not in absolute_text and f"{os.sep}normalized{os.sep}" not in absolute_text:
        return item  # most files: no side folder above them (a string test, before any path object)
    side_folder = _side_folder(os.path.dirname(absolute_text), memo)
    if side_folder is None:
        return item
    absolute = Path(absolute_text)
    side, name = side_folder.name, absolute.relative_to(side_folder).as_posix()
    inside = f"{side}/{name}"
    # the entry's folder at or above the paired folder keeps its prefix; one inside it names the pair as the folder does
    prefix = item.relpath[: -len(inside)] if item.relpath == inside or item.relpath.endswith("/" + inside) else ""
    parts = Path(item.path).parts
    depth = len(Path(name).parts) + 1  # the paired folder as the file was named, where that names it
    folder = Path(*parts[:-depth]) if len(parts) > depth and parts[-depth] == side else side_folder.parent
    raw, twin = folder / "raw" / name, folder / "normalized" / name
    if side == "raw":
        # only with its twin: a raw/ folder of a broader layout (data/raw and data/normalized as a
        # pipeline's stages) holds raw text of its own, read as it is named
        if not _file_or_unknown(twin):  # a link to nothing, or a twin unseen (Permission denied): the pair's read says so
            return item
        return InputFile("pair", item.path, f"{prefix}raw/{name}", str(twin))
    if _file_or_unknown(raw):
        return InputFile("pair", str(raw), f"{prefix}raw/{name}", item.path)
    return InputFile("orphan", item.path, f"{prefix}normalized/{name}")


def twin_relpath(item: InputFile) -> str | None:
    """The path of a pair's normalized twin as the source names it (``normalized/a.txt`` beside
    ``raw/a.txt``, relative to the same source entry); None for a file without a twin."""
    if item.twin is None:
        return None
    raw_parts, twin_parts = Path(item.path).parts, Path(item.twin).parts
    common = 0  # the file's name under raw/ and normalized/: their common trailing parts
    while common < min(len(raw_parts), len(twin_parts)) - 1 and raw_parts[-1 - common] == twin_parts[-1 - common]:
        common += 1
    prefix = Path(item.relpath).parts[: -common - 1]
    # the relpath is shown escaped already (`shown_name`); the twin's parts are the file's own
    return shown_name(Path(*prefix, twin_parts[-common - 1], *twin_parts[len(twin_parts) - common:]).as_posix())


def counted(count: int, noun: str) -> str:
    """``"1 article"``, ``"2 articles"``: a count with its noun, as the summaries and messages say it."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def shown_name(text: str) -> str:
    """``text`` as UTF-8 can hold it: a file name's undecodable bytes (surrogate-escaped by `os`) as
    ``\\xe9``, any other lone surrogate as ``\\ud800``; other text as it is."""
    if not _LONE_SURROGATE.search(text):
        return text
    return _LONE_SURROGATE.sub(
        lambda found: f"\\x{ord(found.group()) - 0xDC00:02x}" if "\udc80" <= found.group() <= "\udcff" else f"\\u{ord(found.group()):04x}",
        text,
    )


def _distinct(found: list[InputFile]) -> list[InputFile]:
    """Each input once, as what it is, whichever entries named it and in whatever order.

    An input is known by its real paths: a pair by its raw file's and its twin's (two pairs whose raw
    files are one file, a link or a hard link, but whose twins differ are two articles, each checked
    against its own twin), any other file by its own. A loose text file that is a pair's normalized
    twin is never an article of its own; one that is a pair's raw side is the pair; an input found
    under several entries keeps its shortest relative path (so its id does not depend on the order of
    the entries).
    """
    def real(path: str | None) -> str | None:
        return None if path is None else os.path.realpath(path)

    reals = [(item, real(item.path), real(item.twin)) for item in found]  # each path resolved once
    # only a loose text file gives way: an orphan (or a folder's reject) says something of its own path
    read_by_pairs = {path for item, *paths in reals if item.kind == "pair" for path in paths if path is not None}
    chosen: dict[tuple, tuple[tuple, InputFile]] = {}
    for item, real_path, real_twin in reals:
        if item.kind == "text" and real_path in read_by_pairs:
            continue
        key = (item.kind == "pair", real_path, real_twin)
        rank = (len(item.relpath), item.relpath, item.path)
        if key not in chosen or rank < chosen[key][0]:
            chosen[key] = (rank, item)
    return sorted((item for _, item in chosen.values()), key=lambda item: (item.relpath, item.path))


def source_entries(source: Any) -> list[str]:
    """The paths of a list (or other iterable) of source entries; a `ValueError` for anything else."""
    try:
        return [os.fspath(entry) for entry in source]
    except TypeError:
        raise ValueError(f"a source is a path, a glob, or a list of them, got {source!r:.80}") from None


def resolve_source(source: Source = None) -> list[InputFile]:
    """The input files a source names, in a stable order; ``None`` is the embedded default data.

    Raises `ValueError` for a missing path, an empty source, or two files that would share a
    relative path (their ids could collide: pass their common parent folder instead).
    """
    if source is None:
        entries = [str(DEFAULT_DATA)]
    elif isinstance(source, (str, os.PathLike)):
        entries = [os.fspath(source)]
    else:
        entries = source_entries(source)
        if not entries:
            raise ValueError("the source is an empty list")
    if "" in entries:  # an unset variable, most likely: never the current folder by accident
        raise ValueError('a source entry is empty: name a folder, a file or a glob ("." for the current folder)')
    memo: dict = {}
    inputs = _distinct([_as_pair(item, memo) for entry in entries for item in _entry_inputs(entry)])
    # a name that is not UTF-8 is shown (and its ids made) with its bytes escaped: Arrow and reports hold UTF-8 only
    inputs = [item if item.relpath.isascii() else dataclasses.replace(item, relpath=shown_name(item.relpath)) for item in inputs]
    if not inputs:
        raise ValueError(shown_name(f"{', '.join(entries)}: no input file found ({INPUT_SUFFIXES})"))
    seen: dict[str, str] = {}
    for item in inputs:
        if item.relpath in seen and seen[item.relpath] != item.path:
            other = seen[item.relpath]
            fix = ("rename one (a name that is not UTF-8 is shown with its bytes escaped, as another file's name is written)"
                   if os.path.dirname(item.path) == os.path.dirname(other) else "pass their common parent folder instead")
            raise ValueError(shown_name(
                f"{item.path} and {other} share the relative path {item.relpath!r}, so their ids could collide: {fix}"
            ))
        seen[item.relpath] = item.path
    _warn_unlabelled(inputs)
    return inputs


def _warn_unlabelled(inputs: list[InputFile]) -> None:
    """Say which ISOT CSVs get no label: their name says neither True nor Fake (`isot_label`)."""
    unlabelled = tuple(item.path for item in inputs if item.kind == "isot" and isot_label(item.path) is None)
    if unlabelled and unlabelled not in _WARNED_UNREAD:  # once a process, as the walk's warnings
        _WARNED_UNREAD.add(unlabelled)
        shown = ", ".join(unlabelled[:UNREAD_SHOWN]) + (f" and {len(unlabelled) - UNREAD_SHOWN} more" if len(unlabelled) > UNREAD_SHOWN else "")
        logger.warning("newspairs: %d ISOT CSV%s whose name says neither True nor Fake, so %s no label "
                       "(name it True*.csv or Fake*.csv): %s", len(unlabelled), "" if len(unlabelled) == 1 else "s",
                       "its rows have" if len(unlabelled) == 1 else "their rows have", shown)


def file_identity(path: str) -> tuple[str, int, int, int, int]:
    """(path, size, mtime_ns, ctime_ns, inode) of a file: a rewrite changes the ctime even when the
    old mtime is put back (``cp -p``, ``rsync -t``, ``tar x``)."""
    try:
        stat = os.stat(path)
    except OSError:
        return (os.path.abspath(path), -1, -1, -1, -1)
    return (os.path.abspath(path), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def source_identity(inputs: Iterable[InputFile]) -> list[tuple]:
    """What every file read holds, for the cache key: a changed input invalidates a cached build.

    A file of up to `HASHED_FILE_BYTES` is known by its content (path, size, sha256): touching it
    rebuilds nothing, rewriting it always does. A larger one is known by `file_identity` (size,
    mtime, ctime, inode): a rewrite changes its ctime even when the old mtime is restored.
    """
    identity: list[tuple] = []
    for item in inputs:
        for path in (item.path, item.twin):
            if path is not None:
                identity.append(_content_identity(path))
    return identity


def _content_identity(path: str) -> tuple:
    try:
        stat = os.stat(path)
    except OSError:
        return (os.path.abspath(path), -1, -1, -1, -1)
    stat_identity = (os.path.abspath(path), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    size = stat.st_size
    if not S_ISREG(stat.st_mode) or not size <= HASHED_FILE_BYTES:  # a pipe's open would wait for a writer
        return stat_identity
    try:
        return (stat_identity[0], size, file_sha256(path))
    except OSError:
        return stat_identity


def file_sha256(path: str | os.PathLike) -> str:
    """The sha256 of a file's bytes, read a block at a time (a shard may be hundreds of megabytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- what is in a file ------------------------------------------------------------------------


def _decode(data: bytes, first: bool = False, errors: str = "surrogateescape") -> str:
    """UTF-8 with undecodable bytes kept as surrogates, so the reader can say on which line they are
    (``errors="strict"``: a UnicodeDecodeError instead, where a surrogate would be kept).

    ``first``: the data starts the file, so a byte-order mark there is dropped (it is not text).
    """
    if first and data.startswith(BOM):
        data = data[len(BOM):]
    return _unix_breaks(data.decode("utf-8", errors))


def _unix_breaks(text: str) -> str:
    """``text`` with each CRLF as LF (a search for CR alone is much faster than `str.replace`'s
    search for the pair, and most text holds none)."""
    return text.replace("\r\n", "\n") if "\r" in text else text


def _undecodable_line(text: str) -> int | None:
    match = _SURROGATE.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def _read_text_file(path: str, drop_bom: bool = True) -> tuple[str, int | None]:
    """The file's text, and the first line holding bytes that are not UTF-8 (None: it is UTF-8);
    ``drop_bom``: a byte-order mark starting the file is dropped (else kept as U+FEFF)."""
    with open_binary(path) as handle:
        data = handle.read()
    try:  # valid UTF-8 decodes to no surrogate: only a file that is not needs the search
        text, bad_line = _decode(data, first=drop_bom, errors="strict"), None
    except UnicodeDecodeError:
        text = _decode(data, first=drop_bom)
        bad_line = _undecodable_line(text)
    return (text[:-1] if text.endswith("\n") else text), bad_line  # one final newline ends the file, not a line


def _leading_zwnbsp(text: str) -> int:
    """How many U+FEFF start the first word of ``text``'s first line. No rule parts them from what
    follows, so a raw first line's count is its normalization's (`" \ufeffx"` normalizes to
    `"\ufeffx"`): a twin file whose text starts with U+FEFF starts with the bytes of a byte-order mark
    (`newspairs normalize` writes it so), and only a U+FEFF more than the raw side's is the file's mark."""
    words = text.split("\n", 1)[0].split(None, 1)
    return len(words[0]) - len(words[0].lstrip("\ufeff")) if words else 0


def _is_empty(text: str) -> bool:
    return not text.strip()


def _read_text(item: InputFile, options: ReadOptions) -> Iterator[Article | Reject]:
    def reject(file: str, line: int | None, reason: str, article: str | None = None, dropped: bool = False) -> Reject:
        return Reject(article_id(item.relpath, f"\0{file}\0{line}"), file, article or item.relpath, line, reason, dropped)

    if item.kind == "orphan":
        yield reject(item.path, None, "a normalized file without its raw twin")
        return
    if item.kind == "foreign":
        yield reject(item.path, None, "not a .txt file: a paired folder's raw/ and normalized/ hold one .txt article per file")
        return
    if item.kind == "special":
        yield reject(item.path, None, f"not a regular file ({_special_kind(item.path)}): never opened")
        return
    if item.kind == "unlisted":
        yield reject(item.path, None, f"cannot read the folder ({_unlisted_problem(item.path)}); its files are unread")
        return
    normalized, normalized_bad_line = None, None
    path = item.path  # the file being read: a read error is its own, not always the raw file's
    try:
        raw, raw_bad_line = _read_text_file(path)
        if item.twin:
            path = item.twin
            normalized, normalized_bad_line = _read_text_file(path, drop_bom=False)
    except READ_ERRORS as error:
        yield reject(path, None, f"cannot read ({read_problem(error)})")
        return
    if normalized is not None and normalized.startswith("\ufeff") and _leading_zwnbsp(normalized) > _leading_zwnbsp(raw):
        normalized = normalized[1:]  # the twin's byte-order mark, not its text (see `_leading_zwnbsp`)
    blank_line = options.text_articles == "blank-line"  # an undecodable byte rejects its article, not the file
    for path, line in ((item.path, raw_bad_line), (item.twin, normalized_bad_line)):
        if line is not None and not blank_line:
            yield reject(path, line, "not UTF-8 (undecodable bytes)")
            return
    if item.kind == "pair" and normalized is None:
        yield reject(item.path, None, "a raw file without its normalized twin")
        return
    if _is_empty(raw):
        yield reject(item.path, 1, "empty article (no text in the raw file)", dropped=True)
        return
    if blank_line:
        yield from _blank_line_articles(item, raw, normalized, reject, options,
                                        raw_bad_line is not None, normalized_bad_line is not None)
        return
    unsplit, raw = raw, split_or_keep(raw, options.sentences)
    raw_lines = raw.count("\n") + 1
    if normalized is not None:
        normalized_lines = normalized.count("\n") + 1
        if raw_lines != normalized_lines:
            yield reject(
                item.path,
                _file_line(unsplit, min(raw_lines, normalized_lines) + 1, options.sentences),
                f"raw has {counted(raw_lines, 'line')}{split_note(options.sentences)}, its normalized twin {item.twin} has {normalized_lines}",
            )
            return
    yield Article(article_id(item.relpath, raw), raw, normalized, item.relpath, {}, None)


def _file_line(raw: str, line: int, sentences: str | None) -> int:
    """The line of the raw file that holds ``line`` of its text split into sentences (each file line
    is split alone), or the line after its last where the split text has no such line."""
    if sentences is None:
        return line
    lines = raw.split("\n")
    for number, text in enumerate(lines, start=1):
        line -= split_or_keep(text, sentences).count("\n") + 1
        if line <= 0:
            return number
    return len(lines) + 1


def _special_kind(path: str) -> str:
    mode = _file_mode(Path(path)) or 0
    return "a named pipe" if S_ISFIFO(mode) else "a socket" if S_ISSOCK(mode) else "a device or other special file"


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each run of non-blank lines: the articles of a blank-line separated file."""
    found, current, start = [], [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            found.append((start, "\n".join(current)))
            current = []
    if current:
        found.append((start, "\n".join(current)))
    return found


def _bad_lines(paragraphs: list[tuple[int, str]]) -> dict[int, int]:
    """Paragraph index -> the file line of its first byte that is not UTF-8 (kept as a surrogate), for those holding one."""
    found = {}
    for index, (start, text) in enumerate(paragraphs):
        line = _undecodable_line(text)
        if line is not None:
            found[index] = start + line - 1
    return found


def _duplicate(seen: dict[str, int], ident: str, path: str, article: str, line: int, unit: str) -> Reject | None:
    """A dropped reject when ``ident`` was seen earlier in the file (``seen``: id -> first line), else None (and it is noted)."""
    if ident in seen:
        return Reject(ident, path, article, line, f"duplicate id {ident}: the same article as {unit} {seen[ident]}", dropped=True)
    seen[ident] = line
    return None


def _lined_up(raws: list[tuple[int, str]], twins: list[tuple[int, str]], split: bool) -> int:
    """How many of a file's articles, from the first, line up with its twin's (see `_blank_line_articles`).

    None where the two hold other numbers of articles: an article missing from one file (or one
    more in it) shifts the pairs after it, and where the articles around it have as many lines the
    shift shows in no layout, so no pair of the file can be trusted."""
    if len(raws) != len(twins):
        return 0
    if split:
        # the twin holds the split raw's lines, so its paragraphs start elsewhere than the raw file's:
        # they line up by order, and each article's line count is checked against its split raw
        return len(raws)
    # unsplit, a twin's paragraph starts where its raw one does and is as long
    shape = (lambda paragraphs: [(start, text.count("\n")) for start, text in paragraphs])  # noqa: E731
    raw_shape, twin_shape = shape(raws), shape(twins)
    aligned = next((i for i, (a, b) in enumerate(zip(raw_shape, twin_shape)) if a != b), len(raws))
    if aligned == len(raws) - 1 and raws[-1][0] == twins[-1][0]:
        # the last articles start alike and differ in length only: one has lines the other has
        # not, no blank line of its own; the articles line up and the line counts say what differs
        return len(raws)
    return aligned


def _blank_line_articles(
    item: InputFile, raw: str, normalized: str | None, reject, options: ReadOptions,
    raw_bad: bool = False, twin_bad: bool = False,
) -> Iterator[Article | Reject]:
    """The articles of a text file (and its twin) separated by blank lines; a duplicate is dropped.

    The twin must hold as many articles, or none is paired (each is a reject: `_lined_up`). Unsplit,
    its blank lines must be the raw file's (each paragraph starts on the same line and is as long; a
    last paragraph may differ in length only, which its line count then says); from where they
    differ, each article is a reject. With ``options.sentences`` each raw paragraph is split first,
    and the twin's paragraphs, which hold the split lines, are taken in order, each checked for its
    line count.

    ``raw_bad``, ``twin_bad``: the file (its twin) holds bytes that are not UTF-8, kept as surrogates
    (`_decode`): each article holding one is a reject naming the line, the others are read.
    """
    raws = _paragraphs(raw)
    # the file line of each article's first bad byte, found before a split moves its lines
    raw_bad_lines = _bad_lines(raws) if raw_bad else {}
    if options.sentences is not None:
        raws = [(line, split_or_keep(text, options.sentences)) for line, text in raws]
    twins: list[tuple[int, str | None]] = _paragraphs(normalized) if normalized is not None else [(s, None) for s, _ in raws]
    twin_bad_lines = _bad_lines(twins) if twin_bad and normalized is not None else {}
    aligned = len(raws) if normalized is None else _lined_up(raws, twins, options.sentences is not None)
    counts = None  # the reason of every article where the twin holds another number of them (`_lined_up`)
    if len(twins) != len(raws):
        where = next((f" (taken in order, the first whose line counts differ is the article of line {line})"
                      for (line, text), (_, twin) in zip(raws, twins) if text.count("\n") != twin.count("\n")), "")
        counts = (f"its normalized twin {item.twin} has {counted(len(twins), 'article')} separated by blank lines, "
                  f"the raw file {len(raws)}{where}: which pairs with which cannot be told")
    seen: dict[str, int] = {}
    for index, ((line, text), (_, twin)) in enumerate(zip(raws, twins + [(0, None)] * len(raws))):
        if index >= aligned:
            lines = (text.count("\n") + 1, twin.count("\n") + 1) if index == aligned and twin is not None else None
            if counts is not None:
                why = counts
            elif lines is not None and lines[0] != lines[1]:  # the article that puts them out of line says how
                why = (f"raw has {counted(lines[0], 'line')}{split_note(options.sentences)}, its normalized twin {item.twin} "
                       f"has {lines[1]}: articles no longer line up")
            else:
                why = f"its normalized twin {item.twin} has other blank lines from here: articles no longer line up"
            yield reject(item.path, line, why, article=f"{item.relpath} line {line}")
            continue
        bad = next(((path, bad_lines[index]) for path, bad_lines in ((item.path, raw_bad_lines), (item.twin, twin_bad_lines))
                    if index in bad_lines), None)
        if bad is not None:
            yield reject(bad[0], bad[1], "not UTF-8 (undecodable bytes)", article=f"{item.relpath} line {line}")
            continue
        if twin is not None and text.count("\n") != twin.count("\n"):
            yield reject(item.path, line, f"raw has {counted(text.count(chr(10)) + 1, 'line')}{split_note(options.sentences)}, "
                         f"its normalized twin {item.twin} has {twin.count(chr(10)) + 1}", article=f"{item.relpath} line {line}")
            continue
        ident = article_id(item.relpath, text)
        duplicate = _duplicate(seen, ident, item.path, f"{item.relpath} line {line}", line, "line")
        yield duplicate or Article(ident, text, twin, item.relpath, {}, line)


@contextmanager
def _csv_field_limit():
    """The csv module's field size limit raised while newspairs reads (news bodies exceed its 128 KiB
    default), and put back after: the limit is process-wide, and the caller's own CSV reading keeps its own."""
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, CSV_FIELD_LIMIT))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _rows_csv(item: InputFile, utf8: _Utf8SoFar | None = None) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line, row, problem) per CSV row; line is where the row starts. ``utf8`` is told when a
    block of the file is not UTF-8 (before any row holding its text is yielded)."""
    try:
        handle = open_binary(item.path)
    except OSError as error:
        yield 0, None, _cannot_read(error)
        return
    with handle:
        reader = _CsvReader(_csv_lines(handle, utf8))
        header_line = [1]  # where the header starts: after any blank lines (`_csv_first_record`)
        try:
            with _csv_field_limit():
                header = _csv_first_record(reader, header_line)
        except csv.Error as error:
            yield header_line[0], None, f"not a CSV file ({error})"
            return
        except READ_ERRORS as error:
            yield 0, None, _cannot_read(error)
            return
        if header is None or header == [CSV_END]:
            return
        if header and header[-1].endswith(CSV_END):
            first, last = header_line[0], reader.line_num - 1
            span = f"lines {first}-{last} are" if last > first else f"line {first} is"
            yield first, None, f"not a CSV file (a quote opened in its header is never closed: {span} one cell)"
            return
        if reader.joined is not None:
            yield header_line[0], None, (f"not a CSV file (a quote closes a cell of its header on line {reader.joined}, "
                                         "not at its end, and text follows it)")
            return
        header = [name.strip() for name in header]
        header_problem = _csv_header_problem(header)
        # unnamed columns (trailing commas) are one column "", as they always were, as long as one
        # of them at most holds text
        unnamed = [index for index, name in enumerate(header) if not name] if header.count("") > 1 else []
        start = reader.line_num + 1
        while True:
            rows, problem, done = [], None, False
            # the limit raised around a few hundred rows at a time: the generator may pause
            # between them, while the caller's own CSV reading keeps its limit
            with _csv_field_limit():
                try:
                    for _ in range(CSV_ROWS_PER_READ):
                        row = next(reader)
                        if row == [CSV_END] and reader.line_num == start:
                            continue  # the file's last row ended: StopIteration next (a lone '"' ending it: below)
                        if row and row[-1].endswith(CSV_END):
                            # a quote never closed: the csv module made the rest of the file one cell
                            last = reader.line_num - 1
                            span = f"lines {start}-{last} would be" if last > start else f"line {start} would be"
                            problem = (f"a quote opened in this row is never closed: {span} one cell "
                                       "(a stray '\"'?); the rest of the file is unread")
                            break
                        if row and reader.joined is not None:
                            rows.append((start, (reader.joined, reader.line_num)))  # a reject: where the quote closes, and the row ends
                        elif row:
                            rows.append((start, row))
                        start = reader.line_num + 1
                except StopIteration:
                    done = True
                except csv.Error as error:
                    problem = f"malformed CSV ({error}); the rest of the file is unread"
                except READ_ERRORS as error:  # a compressed file cut short, a disk failing
                    problem = f"cannot read from line {start} on ({read_problem(error)}); the rest of the file is unread"
            for line, row in rows:
                if isinstance(row, tuple):
                    closed, end = row
                    yield line, None, (f"a quote closes a cell on line {closed}, not at its end, and text follows it: "
                                       f"lines {line}-{end} would be one row (a stray '\"'?, or a quote in a cell not doubled)")
                elif header_problem is not None:
                    yield line, None, header_problem
                elif len(row) != len(header):
                    yield line, None, f"{counted(len(row), 'field')} where the header has {len(header)}"
                elif unnamed and len(held := [row[index] for index in unnamed if row[index]]) > 1:
                    columns = ", ".join(str(index + 1) for index in unnamed if row[index])
                    yield line, None, f"the unnamed columns {columns} each hold text (only one would be kept): name them in the header"
                else:
                    record = dict(zip(header, row))
                    if unnamed:
                        record[""] = held[0] if held else ""
                    yield line, record, None
            if problem is not None:
                yield start, None, problem
                return
            if done:
                return


class _Overflow(float):
    """The inf json reads a number beyond float64 as (``1e400``): marked, to find its column. ``Infinity``
    written as such stays a plain float, as Python's json writes and reads it."""

    __slots__ = ()


_INFINITIES = (float("inf"), float("-inf"))


def _holds_overflow(value: Any) -> bool:
    if type(value) is _Overflow:
        return True
    if isinstance(value, dict):
        return any(map(_holds_overflow, value.values()))
    if isinstance(value, list):
        return any(map(_holds_overflow, value))
    return False


class _JsonParser:
    """json.loads' own scanner (C), which also notes what json would drop without a word: a key
    repeated in an object, at any depth (json keeps the last value), and a number beyond float64
    (json reads it as inf). One per file read; `problem` is asked right after each parse, and says
    too what json reads and UTF-8 cannot write (an escape of half a surrogate pair)."""

    def __init__(self) -> None:
        self._repeated: list[str] = []
        self._overflows: list[str] = []
        self.decoder = json.JSONDecoder(object_pairs_hook=self._object, parse_float=self._float)
        self.scan = self.decoder.scan_once  # (value, end); StopIteration where no value starts

    def _object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        # a Python call per object, as little as it can be: the dict json would make, and a length
        # that tells a repeat (the key is looked for only then)
        record = dict(pairs)
        if len(record) < len(pairs) and not self._repeated:
            seen: set[str] = set()
            self._repeated.append(next(key for key, _ in pairs if key in seen or seen.add(key)))
        return record

    def _float(self, text: str) -> float:
        # a Python call per number with a fraction or an exponent (integers stay json's own)
        value = float(text)
        if value in _INFINITIES:
            self._overflows.append(text)
            return _Overflow(value)
        return value

    def loads(self, text: str) -> Any:
        """`json.loads` of ``text`` (its messages: a byte-order mark, extra data), noting as `scan` does."""
        self.forget()
        try:
            return json.loads(text, object_pairs_hook=self._object, parse_float=self._float)
        except BaseException:
            self.forget()  # of a value that is no value: nothing to tell
            raise

    def forget(self) -> None:
        self._repeated.clear()
        self._overflows.clear()

    def problem(self, value: Any, text: str, start: int = 0, end: int | None = None) -> str | None:
        """Why ``value``, parsed last from ``text[start:end]``, is a reject, or None; forgotten once asked."""
        repeated, overflows = self._repeated[:1], self._overflows[:1]
        if repeated or overflows:
            self.forget()
        if repeated:
            return f"key {repeated[0]!r} appears twice in one object (json keeps only the last of its values)"
        if overflows:
            number = _number_text(overflows[0])
            column = next((key for key, item in value.items() if _holds_overflow(item)), None) if isinstance(value, dict) else None
            return f"column {column!r} holds {number}, a number beyond float64 (json would read it as infinity)"
        # only a \ud800-\udfff escape gives a lone surrogate (the text is UTF-8): a record is walked
        # only when its text holds one; a record of one key (its raw text alone) is left to the
        # strict encoding of its id (`_read_table`), which says the same
        if isinstance(value, dict) and len(value) > 1 and (text.find("\\ud", start, end) >= 0 or text.find("\\uD", start, end) >= 0):
            found = _escaped_surrogate(value)
            return None if found is None else _surrogate_problem(found)
        return None


def _rows_json_document(text: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]] | None:
    """(line, record, problem) per record of a file that is one JSON document (an array of objects, or
    one object), or None when the text is not one JSON document (then it is read as JSON lines)."""
    body = text.lstrip()
    parser = _JsonParser()
    if body.startswith("{"):
        first = text.count("\n", 0, len(text) - len(body)) + 1
        try:
            record = parser.loads(text)
        except json.JSONDecodeError as error:
            # JSON lines: the first record is whole ("Extra data" after it), or a line further
            # down is one; else one object broken before its end, one reject (not one per line)
            if error.msg == "Extra data" or _holds_a_json_line(body):
                return None
            return iter([(first, None, f"not a JSON document ({error.msg} at line {error.lineno} column {error.colno}); "
                                       "the file is unread")])
        except (ValueError, RecursionError):
            return None  # nested too deep, or an integer too long: read line by line, each line says so
        if not isinstance(record, dict):
            return None
        problem = parser.problem(record, text)
        problem = "not UTF-8 (undecodable bytes)" if _SURROGATE.search(text) else problem
        return iter([(first, None if problem else record, problem)])
    if not body.startswith("["):
        return None
    return _json_array_records(text, len(text) - len(body), parser)


def _holds_a_json_line(text: str) -> bool:
    """Whether a line of ``text`` alone is a JSON object (then the text is JSON lines)."""
    for line in text.split("\n"):
        body = line.strip(JSON_SPACE)
        try:
            value, end = _SCAN_JSON(body, 0)
        except (StopIteration, ValueError, RecursionError):
            continue
        if end == len(body) and isinstance(value, dict):
            return True
    return False


_JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace, as json's own scanner reads it


def _json_array_records(text: str, start: int, parser: _JsonParser) -> Iterator[tuple]:
    """(line, record, problem, position) per record of a JSON array: its line, and its place in the
    array from 1 (many records share a line: `json.dump` writes one), which names it (`_read_table`);
    then (line, None, problem) for data after the array's end."""
    decoder = parser.decoder
    whitespace = _JSON_WHITESPACE
    line, counted = 1, 0

    def line_at(position: int) -> int:
        nonlocal line, counted
        line += text.count("\n", counted, position)
        counted = position
        return line

    def after_the_end(closing: int) -> Iterator[tuple[int, None, str]]:
        # a whole document, then more (a second array, a word): its records stay read, as in a broken one
        extra = whitespace.match(text, closing + 1).end()
        if extra < len(text):
            column = extra - text.rfind("\n", 0, extra)
            yield (line_at(extra), None, f"extra data after the JSON document at line {line_at(extra)} column {column}; "
                                         "the rest of the file is unread")

    position = whitespace.match(text, start + 1).end()
    if text.startswith("]", position):
        yield from after_the_end(position)
        return
    number = 0  # the record's place in the array
    while True:
        number += 1
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            yield (line_at(position), None, f"not a JSON document ({error.msg} at line {error.lineno} column {error.colno}); "
                                            "the rest of the file is unread", number)
            return
        except (ValueError, RecursionError) as error:  # an integer of more digits than Python converts; nesting too deep
            yield line_at(position), None, f"not a JSON document ({error}); the rest of the file is unread", number
            return
        where = line_at(position)
        lost = parser.problem(value, text, position, end)
        if _SURROGATE.search(text, position, end):
            yield where, None, "not UTF-8 (undecodable bytes)", number
        elif not isinstance(value, dict):
            yield where, None, f"a JSON record must be an object, got {_json_kind(value)}", number
        elif lost is not None:
            yield where, None, lost, number
        else:
            yield where, value, None, number
        position = whitespace.match(text, end).end()
        if text.startswith(",", position):
            position = whitespace.match(text, position + 1).end()
        elif text.startswith("]", position):
            yield from after_the_end(position)
            return
        else:
            yield (line_at(position), None, f"not a JSON document (',' or ']' expected at line {line_at(position)}); "
                                            "the rest of the file is unread", number + 1)
            return


def _rows_jsonl(item: InputFile) -> Iterator[tuple]:
    """(line, record, problem) per record: a ``.json`` file that is one JSON document gives its records
    (as `datasets` reads it), those of an array with their place in it after (`_json_array_records`);
    any other JSON file is JSON lines, one record per line."""
    if kind_suffix(item.path) == ".json" and not item.is_part:
        try:
            with open_binary(item.path) as handle:
                data, broken = _salvaged(handle)
        except READ_ERRORS as error:
            yield 0, None, _cannot_read(error)
            return
        text = _decode(data, first=True)
        document = _rows_json_document(text)
        if document is not None:
            if broken is None:
                yield from document
                return
            # a compressed file cut short: its whole records, then the break (not the parse error it makes)
            rows = list(document)
            line = rows.pop()[0] if rows and rows[-1][2] is not None else text.count("\n") + 1
            yield from rows
            yield line, None, f"cannot read from line {line} on ({read_problem(broken)}); the rest of the file is unread"
            return
    first = 1 if item.start == 0 else None  # the line a byte-order mark may start
    number = None
    parser = _JsonParser()
    scan, noted = parser.scan, (parser._repeated, parser._overflows)
    try:
        for number, data in _jsonl_lines(item):
            # json.loads' own scanner on the line without the whitespace json.loads allows around it:
            # the same record, without the Python steps of a call per line
            try:
                body = data.decode("utf-8").strip(JSON_SPACE)
                record, end = scan(body, 0)
            except (UnicodeDecodeError, StopIteration, ValueError, RecursionError):
                parser.forget()  # a line broken after a repeat: its reject says what breaks it
            else:
                if end == len(body) and type(record) is dict:
                    # asked only where there may be something to tell: most records are one key, the raw text
                    lost = parser.problem(record, body) if len(record) > 1 or any(noted) else None
                    yield (number, record, None) if lost is None else (number, None, lost)
                    continue
            # what is wrong (or a blank line, or a byte-order mark), as the line read alone says it
            if (row := _jsonl_row(number, data, number == first, parser)) is not None:
                yield row
    except READ_ERRORS as error:  # the file cannot be opened (or read on from some line: a compressed file cut short)
        if number is None:
            yield 0, None, _cannot_read(error)
        else:
            yield number + 1, None, f"cannot read from line {number + 1} on ({read_problem(error)}); the rest of the file is unread"


def _cannot_read(error: BaseException) -> str:
    """A file that cannot be opened: one reject, as `_read_text` and `_open_parquet` make it."""
    return f"cannot read ({read_problem(error)})"


def _jsonl_row(number: int, data: bytes, first: bool, parser: _JsonParser) -> tuple[int, dict[str, Any] | None, str | None] | None:
    """(line, record, problem) of one line of a JSON lines file read alone by `json.loads` (``parser``'s),
    None for a blank line; ``first``: the line starts the file (a byte-order mark there is dropped)."""
    # strict UTF-8 fails exactly where `_decode` would keep a byte as a surrogate (valid UTF-8
    # holds none), without a search of every line for one
    try:
        text = _decode(data, first=first, errors="strict")
    except UnicodeDecodeError:
        return number, None, "not UTF-8 (undecodable bytes)"
    if not text.strip(JSON_SPACE):  # blank as json reads it: a line of a form feed or a no-break space is no JSON
        return None
    try:
        record = parser.loads(text)
    except json.JSONDecodeError as error:
        # json's "Invalid control character at" names no place of its own: the column does
        problem = f"not a JSON line ({error.msg.removesuffix(' at')} at column {error.colno})"
        before = text[:error.pos]
        if error.msg == "Extra data" and "\r" in before[len(before.rstrip(JSON_SPACE)):]:
            # a record after a lone carriage return (old Mac line ends), which JSON reads as a space
            problem += "; records are separated by a lone \\r, where a JSON line ends at \\n (or \\r\\n)"
        return number, None, problem
    except (ValueError, RecursionError) as error:  # an integer of more digits than Python converts; nesting too deep
        return number, None, f"not a JSON line ({error})"
    lost = parser.problem(record, text)
    if not isinstance(record, dict):
        return number, None, f"a JSON line must hold an object, got {_json_kind(record)}"
    if lost is not None:
        return number, None, lost
    return number, record, None


def _json_kind(value: Any) -> str:
    """What a JSON value is, in JSON's words (``1e400``, read as a marked infinity, is a number as any)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _escaped_surrogate(value: Any) -> str | None:
    """The first lone surrogate in a parsed JSON value, its keys included: a ``\\ud800``-``\\udfff``
    escape that no other half of a pair completes, which `json` reads and no UTF-8 text can hold."""
    if isinstance(value, str):
        found = None if value.isascii() else _LONE_SURROGATE.search(value)
        return None if found is None else found.group()
    if isinstance(value, dict):
        return next(filter(None, map(_escaped_surrogate, chain(value, value.values()))), None)
    if isinstance(value, list):
        return next(filter(None, map(_escaped_surrogate, value)), None)
    return None


def _surrogate_problem(found: str) -> str:
    return f"not UTF-8 text (the escape \\u{ord(found):04x} is half a surrogate pair)"


def _jsonl_lines(item: InputFile) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of each line of a JSON lines file, or of its part's byte range."""
    with open_binary(item.path) as handle:
        if not item.is_part:
            yield from enumerate(handle, start=1)
            return
        handle.seek(item.start)
        left = None if item.stop is None else item.stop - item.start
        number = item.first_line
        for data in handle:
            if left is not None:
                if left <= 0:
                    return
                left -= len(data)
            yield number, data
            number += 1


def _open_parquet(path: str):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise ValueError(f"not a readable Parquet file ({error})") from None


def _rows_parquet(item: InputFile) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    import pyarrow as pa

    try:
        parquet = _open_parquet(item.path)
    except ValueError as error:
        yield 0, None, str(error)
        return
    row = item.first_line - 1
    groups = range(item.start, parquet.num_row_groups if item.stop is None else item.stop) if item.is_part else None
    names = parquet.schema_arrow.names
    file_problem = None
    if len(set(names)) < len(names):  # a row's dict would keep one of the two cells, silently (as a CSV header's)
        twice = next(name for name in names if names.count(name) > 1)
        file_problem = f"column {twice!r} appears twice in the file"
    elif (unheld := _unheld_column(parquet.schema_arrow)) is not None:  # a map column (Spark writes them), say
        file_problem = f"column {unheld[0]!r} is of a type `datasets` cannot hold ({unheld[1]})"
    if file_problem is not None:
        metadata = parquet.metadata
        count = sum(metadata.row_group(group).num_rows for group in groups) if groups is not None else metadata.num_rows
        for row in range(row + 1, row + 1 + count):
            yield row, None, f"{file_problem}; every row of the file is rejected"
        return
    try:
        for batch in parquet.iter_batches(batch_size=256, row_groups=groups):
            try:
                records = batch.to_pylist()
            except UnicodeDecodeError:  # a string that is not UTF-8 (a writer that does not check): row by row
                for record, problem in _parquet_records(batch):
                    row += 1
                    yield row, record, problem
                continue
            for record in records:
                row += 1
                yield row, record, None
    except (pa.ArrowException, OSError) as error:
        yield row + 1, None, f"{PARQUET_UNREADABLE} {row + 1} on ({error})"


def _unheld_column(schema) -> tuple[str, str] | None:
    """The first column of a Parquet schema that no `datasets` feature holds, with why, or None."""
    from datasets import Features

    def problem(schema) -> str | None:
        try:
            Features.from_arrow_schema(_plain_schema(schema))
        except (ValueError, TypeError, NotImplementedError) as error:
            return str(error).rstrip(".")
        return None

    if problem(schema) is None:  # the common case: one look at the whole schema
        return None
    import pyarrow as pa

    return next(((field.name, why) for field in schema if (why := problem(pa.schema([field]))) is not None),
                ("?", problem(schema)))


def _parquet_records(batch) -> list[tuple[dict[str, Any] | None, str | None]]:
    """(record, None) for each row of a record batch, or (None, problem) for a row holding a string
    that is not UTF-8, naming its column."""
    out: list[tuple[dict[str, Any] | None, str | None]] = []
    for index in range(batch.num_rows):
        row = batch.slice(index, 1)
        try:
            out.append((row.to_pylist()[0], None))
        except UnicodeDecodeError:
            bad = next((name for name, column in zip(row.schema.names, row.columns) if not _decodes(column)), "?")
            out.append((None, f"not UTF-8 (undecodable bytes in column {bad!r})"))
    return out


def _decodes(column) -> bool:
    try:
        column.to_pylist()
    except UnicodeDecodeError:
        return False
    return True


def _read_table(item: InputFile, options: ReadOptions, types: dict[str, Any], duplicates: bool = False, rows=None) -> Iterator[Article | Reject]:
    """The articles of a table; ``duplicates``: a repeated article is yielded too, not rejected (`prepass`' ids);
    ``rows``: the file's rows as its kind's reader gives them, when the caller looks at them on the way."""
    # a CSV row holds a surrogate only if a block read before it was not UTF-8: until one is, no search
    utf8 = _Utf8SoFar() if rows is None and item.kind in ("csv", "isot") else None
    if rows is None:
        rows = _rows_csv(item, utf8) if utf8 is not None else {"jsonl": _rows_jsonl, "parquet": _rows_parquet}[item.kind](item)
    raw_column = "text" if item.kind == "isot" else options.raw_column
    normalized_column = None if item.kind == "isot" else options.normalized_column
    label = isot_label(item.path) if item.kind == "isot" else None
    unit = "row" if item.kind == "parquet" else "line"
    seen: dict[str, int] = dict(item.earlier)  # a part: its ids an earlier part of the file holds
    checked_header = False
    checked_keys: tuple[str, ...] | None = None  # a JSON record's keys, as last checked (most records share them)
    id_prefix = hashlib.sha256(f"{item.relpath}\0".encode("utf-8", "surrogatepass"))
    file_problem: str | None = None
    is_json, is_csv = item.kind == "jsonl", item.kind in ("csv", "isot")
    sentences = options.sentences

    record_number: int | None = None  # the row's place in a JSON array, which names it there (many share a line)

    def reject(line: int | None, reason: str, dropped: bool = False) -> Reject:
        name = f"record {record_number}" if record_number is not None else f"{unit} {line}" if line else None
        return Reject(article_id(item.relpath, f"\0{unit}\0{line}"), item.path, name, line or None, reason, dropped)

    for line, record, problem, *place in rows:
        record_number = place[0] if place else None
        if problem is not None:
            yield reject(line, problem)
            continue
        # a table's columns are the file's: a missing raw column or a clash rejects each of its rows;
        # a JSON record's keys are its own
        if not checked_header or (is_json and tuple(record) != checked_keys):
            checked_header = True
            checked_keys = tuple(record) if is_json else None
            file_problem = _columns_problem(record, raw_column, normalized_column, "key" if is_json else "column")
            if file_problem is not None and not is_json:
                file_problem += "; every row of the file is rejected"
        if file_problem is not None:
            yield reject(line, file_problem)
            continue
        if is_csv and (utf8 is None or not utf8.valid) and any(map(_SURROGATE.search, record.values())):
            yield reject(line, "not UTF-8 (undecodable bytes)")
            continue
        raw = record.get(raw_column)
        if raw is None or (isinstance(raw, str) and _is_empty(raw)):
            yield reject(line, f"empty article (no text in column {raw_column!r})", dropped=True)
            continue
        if not isinstance(raw, str):
            yield reject(line, f"raw column {raw_column!r} holds {type(raw).__name__}, not text")
            continue
        normalized = record.get(normalized_column) if normalized_column is not None else None  # "" is the unnamed column
        if normalized == "" and item.kind == "csv":  # CSV has no null: an empty cell is no normalized side
            normalized = None
        if normalized is not None and not isinstance(normalized, str):
            yield reject(line, f"normalized column {normalized_column!r} holds {type(normalized).__name__}, not text")
            continue
        if not is_csv:  # a CSV's text was read with each "\r\n" as "\n" already: once, as every reader does
            raw = _unix_breaks(raw)
        if sentences is not None:
            raw = split_or_keep(raw, sentences)
        if normalized is not None:
            normalized = normalized if is_csv else _unix_breaks(normalized)
            raw_lines, normalized_lines = raw.count("\n") + 1, normalized.count("\n") + 1
            if raw_lines != normalized_lines:
                yield reject(line, f"raw has {counted(raw_lines, 'line')}{split_note(sentences)}, normalized has {normalized_lines}")
                continue
        metadata = {k: v for k, v in record.items() if k != raw_column and k != normalized_column} if len(record) > 1 else {}
        if label is not None:
            metadata["label"] = label
        if is_json and metadata and types:  # no types (the reading that finds them): the values as read
            try:
                metadata = {k: coerce_json_value(v, types.get(k), k) for k, v in metadata.items()}
            except ValueError as error:
                yield reject(line, str(error))
                continue
        digest = id_prefix.copy()  # article_id(item.relpath, raw), the raw text encoded strictly
        try:
            digest.update(raw.encode("utf-8"))
        except UnicodeEncodeError as error:
            yield reject(line, _surrogate_problem(error.object[error.start]))
            continue
        ident = digest.hexdigest()[:16]
        if not duplicates and ident in seen:
            if record_number is None:
                yield _duplicate(seen, ident, item.path, f"{unit} {line}", line, unit)
            else:  # seen holds the records' places
                yield _duplicate(seen, ident, item.path, f"record {record_number}", line, "record")
            continue
        seen[ident] = line if record_number is None else record_number
        yield Article(ident, raw, normalized, item.relpath, metadata, line, record_number)


def read_input(item: InputFile, options: ReadOptions = ReadOptions(), types: dict[str, Any] | None = None) -> Iterator[Article | Reject]:
    """Every article of one input file, in file order: an `Article`, or a `Reject` saying what is wrong.

    ``types`` (from `scan_metadata`) gives JSON lines' metadata columns their inferred types.
    """
    if item.kind in ("pair", "text", "orphan", "foreign", "special", "unlisted"):
        yield from _read_text(item, options)
    else:
        yield from _read_table(item, options, types or {})


# --- large files read in parts ------------------------------------------------------------------


def splittable(item: InputFile) -> bool:
    """Whether a file can be read in parts: JSON lines named ``.jsonl`` (line ranges) and Parquet (row
    groups). Not a ``.json`` file (it may be one JSON document, which only its whole text tells), not
    CSV (a quoted field may hold line breaks: a byte offset cannot tell a row's start), not text, not
    a compressed file (a byte offset into its text is no place in the file)."""
    return item.kind == "parquet" or (item.kind == "jsonl" and item.path.lower().endswith(".jsonl"))


def _jsonl_starts(path: str, part_bytes: int) -> list[int]:
    """The byte offset of each part's start: the first line start at or after every ``part_bytes``
    from the previous cut. Only the bytes from each target to the next line break are read."""
    size = os.path.getsize(path)
    starts = [0]
    target = part_bytes
    with open(path, "rb") as handle:
        while target - 1 < size:
            handle.seek(target - 1)
            position = target - 1
            while chunk := handle.read(PART_SCAN_BYTES):
                end = chunk.find(b"\n")
                if end >= 0:
                    break
                position += len(chunk)
            else:
                break  # no line break after the target: the rest of the file is its last line
            cut = position + end + 1
            if cut >= size:
                break
            starts.append(cut)
            target = cut + part_bytes
    return starts


def _line_breaks(span: tuple[str, int, int]) -> int:
    """The line breaks of a file's bytes ``start``..``stop``, streamed: a part's number of lines."""
    path, start, stop = span
    count, left = 0, stop - start
    with open(path, "rb") as handle:
        handle.seek(start)
        while left > 0 and (chunk := handle.read(min(PART_SCAN_BYTES, left))):
            count += chunk.count(b"\n")
            left -= len(chunk)
    return count


def _jsonl_cuts(starts: list[int], breaks: list[int]) -> list[tuple[int, int]]:
    """(byte offset, line number) of each part's start, from the line breaks of each part before it."""
    lines = [1]
    for count in breaks:
        lines.append(lines[-1] + count)
    return list(zip(starts, lines))


def _parquet_cuts(path: str, part_bytes: int) -> list[tuple[int, int]]:
    """(row group, row number) of each part's start: consecutive row groups of about ``part_bytes``
    (compressed) each; a file of one row group is one part."""
    try:
        metadata = _open_parquet(path).metadata
    except ValueError:
        return [(0, 1)]  # unreadable: read whole, and rejected so
    cuts, size, row = [(0, 1)], 0, 1
    for group in range(metadata.num_row_groups):
        if size >= part_bytes:
            cuts.append((group, row))
            size = 0
        row_group = metadata.row_group(group)
        size += sum(row_group.column(column).total_compressed_size for column in range(row_group.num_columns))
        row += row_group.num_rows
    return cuts


def _part_count(size: int, part_bytes: int, min_parts: int) -> int:
    """How many parts a file of ``size`` bytes is cut into (see `split_inputs`)."""
    count = -(-size // part_bytes)
    even = -(-count // max(min_parts, 1)) * max(min_parts, 1)  # a multiple of the workers: even shares
    return max(count, min(even, size // max(1, part_bytes // 4)))  # but no part under a quarter of the size


def _cut_key(item: InputFile, part_bytes: int, min_parts: int) -> tuple | None:
    """What names ``item``'s cuts (its identity and the part size), or None: it is read whole."""
    if not splittable(item):
        return None
    identity = file_identity(item.path)
    size = identity[1]
    if size < 0:
        return None  # unreadable: read whole, and rejected so
    count = _part_count(size, part_bytes, min_parts)
    if count <= 1:
        return None
    return (*identity, item.kind, -(-size // count))


def _find_cuts(inputs: Sequence[InputFile], part_bytes: int, min_parts: int, mapper=None) -> None:
    """Where the parts of each file to cut start, kept in `_CUTS`: a Parquet file's row groups from
    its footer; a ``.jsonl`` file's line starts found here near each cut, and the line breaks of
    each part, which number the next part's lines, counted through ``mapper`` (by part, elsewhere)."""
    spans, found = [], []
    for item in inputs:
        key = _cut_key(item, part_bytes, min_parts)
        if key is None or key in _CUTS:
            continue
        if item.kind == "parquet":
            _CUTS[key] = _parquet_cuts(item.path, key[-1])
            continue
        starts = _jsonl_starts(item.path, key[-1])
        found.append((key, starts, len(spans)))
        spans.extend((item.path, start, stop) for start, stop in zip(starts, starts[1:]))
    breaks = list((mapper or _serial_map)(_line_breaks, spans)) if spans else []
    for key, starts, first in found:
        _CUTS[key] = _jsonl_cuts(starts, breaks[first:first + len(starts) - 1])


def _cuts(item: InputFile, part_bytes: int, min_parts: int) -> list[tuple[int, int]] | None:
    """Where ``item``'s parts start ((byte offset or row group, line or row)), or None: read whole.
    Found once per file and process (`prepass`, then `split_inputs`, of each config of an export)."""
    key = _cut_key(item, part_bytes, min_parts)
    if key is None:
        return None
    if key not in _CUTS:
        _find_cuts([item], part_bytes, min_parts)
    cuts = _CUTS[key]
    return cuts if len(cuts) > 1 else None


_CUTS: dict[tuple, list[tuple[int, int]]] = {}  # (file identity, kind, part size) -> `_cuts`


def _parts_of(item: InputFile, cuts: list[tuple[int, int]]) -> list[InputFile]:
    stops = [start for start, _ in cuts[1:]] + [None]
    return [dataclasses.replace(item, start=start, stop=stop, first_line=line) for (start, line), stop in zip(cuts, stops)]


def _earlier_key(item: InputFile, options: ReadOptions, cuts: list[tuple[int, int]], types: dict[str, Any] | None) -> tuple:
    return (*file_identity(item.path), item.relpath, options, tuple(line for _, line in cuts), tuple(sorted((types or {}).items())))


_EARLIER: dict[tuple, list[dict[str, int]] | None] = {}  # (file identity, reading, cuts, types) -> each part's earlier ids: once per process


@dataclass(frozen=True)
class PrepassUnit:
    """One piece of the reading done before a build (`prepass`): a whole JSON file's metadata kinds,
    or a part of a file that is cut, its kinds (JSON lines) and the ids of its articles.

    ``types``: the JSON types to read the part with, when known beforehand; None: read without them,
    noting each article whose value a type could refuse (an integer beyond int64 or float64), for
    the merge to decide once the file's types are known.
    """

    item: InputFile
    options: ReadOptions
    kinds: bool
    ids: bool
    types: tuple[tuple[str, str], ...] | None = None


def _kinds_read(item: InputFile, options: ReadOptions) -> dict[str, set[str]]:
    """The kinds of the metadata values of ``item``'s JSON records that are read as articles (a
    rejected record adds no column, `_note_kinds`). A record is checked (`_read_table`: a sentence
    split too, where asked) only when one of its values is of a kind its column does not have yet:
    the others can add nothing, and most records are such."""
    kinds: dict[str, set[str]] = {}
    if _holds_only_sides(item, options):
        return kinds
    sides = {options.raw_column, options.normalized_column}
    for row in _rows_jsonl(item):
        record = row[1]
        if record is None or all(name in sides or _value_kind(value) in kinds.get(name, ())
                                 for name, value in record.items()):
            continue
        for entry in _read_table(item, options, {}, duplicates=True, rows=(row,)):
            _note_kinds(entry, kinds)
    return kinds


JSON_CHECK_BLOCK_BYTES = 1 << 24  # a record longer than this straddles two blocks: pyarrow fails, json reads
# the codec Arrow reads each of `COMPRESSIONS` with (concatenated members too, as Python's modules do);
# xz it has none of: such a file is read by json
ARROW_CODECS = {None: None, ".gz": "gzip", ".bz2": "bz2"}


def _holds_only_sides(item: InputFile, options: ReadOptions) -> bool:
    """Whether no record of a whole JSON file holds a key but its raw and normalized columns (so it
    has no metadata kinds at all), as `pyarrow`'s JSON reader finds reading every record with those
    columns alone and told to fail at any other key. It parses a file of news text several times
    faster than json does here; where it fails, for whatever reason (another key, a value it will
    not read, a JSON document, a byte json reads otherwise), the file is read by json, which tells.
    A record pyarrow reads is read by json too, and one json rejects adds no kinds anyway."""
    if item.is_part:
        return False
    import pyarrow as pa
    import pyarrow.json as pa_json

    # Arrow reads (and decompresses) the file itself: the buffers of a Python file object are held by
    # Arrow's threads after a read cut short (Ctrl-C, SIGTERM), and releasing them while the
    # interpreter exits aborted the process ("terminate called without an active exception").
    codec = ARROW_CODECS.get(compression(item.path), False)
    if codec is False or codec is not None and not pa.Codec.is_available(codec):
        return False
    sides = dict.fromkeys(name for name in (options.raw_column, options.normalized_column) if name is not None)
    parse = pa_json.ParseOptions(explicit_schema=pa.schema([(name, pa.string()) for name in sides]),
                                 unexpected_field_behavior="error")
    try:
        with pa.input_stream(item.path, compression=codec) as stream:
            for _ in pa_json.open_json(stream, read_options=pa_json.ReadOptions(block_size=JSON_CHECK_BLOCK_BYTES),
                                       parse_options=parse):
                pass
    except Exception:  # noqa: BLE001 (any failure: json reads the file and says what is wrong)
        return False
    return True


def _note_kinds(entry: Article | Reject, kinds: dict[str, set[str]]) -> None:
    """The kind of each of an article's metadata values noted in ``kinds`` (in first-seen order); a
    rejected record adds no column and no kind (its reason is in the report)."""
    if isinstance(entry, Article):
        for name, value in entry.metadata.items():
            kinds.setdefault(name, set()).add(_value_kind(value))


def _refusals(metadata: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The columns whose value a JSON type may refuse, with the types that refuse it: an integer
    beyond int64 (refused as ``int64``), or beyond float64 (refused as ``float64`` too). Under a file's
    own types no other value is refused (`coerce_json_value`)."""
    found = []
    for name, value in metadata.items():
        if isinstance(value, int) and not isinstance(value, bool) and not INT64_MIN <= value <= INT64_MAX:
            try:
                float(value)
                found.append((name, ("int64",)))
            except OverflowError:
                found.append((name, ("int64", "float64")))
    return tuple(found)


def prepass_unit(unit: PrepassUnit) -> dict[str, Any]:
    """The work of one `PrepassUnit`, in a worker: ``kinds`` (column -> the kinds of its values, in
    first-seen order), and with ``ids``: ``ids`` (each article's id as a 64-bit integer, in file
    order), ``lines`` (its line or row), ``refusals`` ((index, columns) of the articles a type may
    refuse) and ``unreadable`` (a Parquet file unreadable from some row on)."""
    import numpy as np

    item, options = unit.item, unit.options
    kinds: dict[str, set[str]] = {}
    # the kinds are wanted only where the types are not known: the metadata as read, not coerced
    types = dict(unit.types) if unit.types is not None else {}
    if not unit.ids:
        return {"kinds": _kinds_read(item, options)}
    ids: list[str] = []
    lines: list[int] = []
    refusals: list[tuple[int, Any]] = []
    unreadable = False
    for entry in _read_table(item, options, types, duplicates=True):
        if unit.kinds:
            _note_kinds(entry, kinds)
        if isinstance(entry, Reject):
            unreadable = unreadable or entry.reason.startswith(PARQUET_UNREADABLE)
            continue
        if unit.types is None and item.kind == "jsonl" and (refused := _refusals(entry.metadata)):
            refusals.append((len(ids), refused))
        ids.append(entry.id)
        lines.append(entry.line)
    return {
        "kinds": kinds,
        "ids": np.frombuffer(bytes.fromhex("".join(ids)), dtype=">u8").astype(np.uint64),
        "lines": np.array(lines, dtype=np.int64),
        "refusals": refusals,
        "unreadable": unreadable,
    }


def _merged_kinds(results: Iterable[dict[str, Any]]) -> dict[str, str]:
    """A file's column types from its parts' kinds, in the order the whole file shows its columns."""
    kinds: dict[str, set[str]] = {}
    for result in results:
        for name, found in result["kinds"].items():
            kinds.setdefault(name, set()).update(found)
    return {name: _column_type(found) for name, found in kinds.items()}


def _earlier_ids(results: list[dict[str, Any]], types: dict[str, str]) -> list[dict[str, int]] | None:
    """Per part, the ids of its articles that an earlier part holds, with the first one's line, from
    the parts' ids (`prepass_unit`); None when the file is unreadable from some row on (it is then
    read whole, so that what follows the damage stays unread). The ids are 64-bit integers here
    (8 bytes an article, and its line 8), sorted once (a stable argsort) to find each id's first article."""
    import numpy as np

    if any(result["unreadable"] for result in results):
        return None
    ids, lines = [], []
    for result in results:
        keep = np.ones(len(result["ids"]), dtype=bool)
        for index, refused in result["refusals"]:  # refused by its column's type: a reject, not an article
            if any(types.get(name) in by for name, by in refused):
                keep[index] = False
        ids.append(result["ids"][keep])
        lines.append(result["lines"][keep])
    earlier: list[dict[str, int]] = [{} for _ in results]
    bounds = np.cumsum([0] + [len(part) for part in ids])  # part p holds the indexes bounds[p]..bounds[p + 1]
    every = np.concatenate(ids)
    if len(every) < 2:
        return earlier
    order = np.argsort(every, kind="stable")  # equal ids together, each run in file order: its first is the first article
    ranked = every[order]
    first_in_run = np.empty(len(every), dtype=bool)
    first_in_run[0] = True
    np.not_equal(ranked[1:], ranked[:-1], out=first_in_run[1:])
    del ranked
    run_start = np.maximum.accumulate(np.where(first_in_run, np.arange(len(every)), 0))  # each place's run start
    again = np.flatnonzero(~first_in_run)
    later, first = order[again], order[run_start[again]]
    del order, run_start
    part_of = lambda indexes: np.searchsorted(bounds, indexes, side="right") - 1  # noqa: E731
    across = part_of(first) < part_of(later)
    later, first = later[across], first[across]
    line = np.concatenate(lines)
    for index, first_index in sorted(zip(later.tolist(), first.tolist())):  # in file order, as read
        earlier[int(part_of(index))].setdefault(format(int(every[index]), "016x"), int(line[first_index]))
    return earlier


def prepass(
    inputs: Sequence[InputFile],
    options: ReadOptions = ReadOptions(),
    part_bytes: int = DEFAULT_PART_BYTES,
    min_parts: int = 1,
    mapper=None,
    json_types: dict[str, dict[str, str]] | None = None,
) -> None:
    """The reading `scan_metadata` and `split_inputs` need before a build, done part by part through
    ``mapper`` (``mapper(prepass_unit, units)``: the results in order; a process pool's map, Ray
    tasks; None: here, one after the other), the small results merged here and kept for them.

    For each JSON file whose column types are not known yet: the kinds of its values (of each part,
    for a file that is cut, merged in file order: the whole file's types). For each file that is cut
    (as `split_inputs` with ``part_bytes`` and ``min_parts`` cuts it): its articles' ids, from which
    each part gets the ids an earlier part already holds. ``json_types``: read the parts with these
    types (`split_inputs`' own); None: with the file's own (`scan_metadata`'s).
    """
    if part_bytes < 1:
        raise ValueError(f"part_bytes must be at least 1, got {part_bytes!r}")
    _find_cuts(inputs, part_bytes, min_parts, mapper)
    plans = []  # (item, cuts or None, kinds wanted, types given or None, unit indexes)
    units: list[PrepassUnit] = []
    for item in inputs:
        want_kinds = json_types is None and item.kind == "jsonl" and _types_key(item, options) not in _JSON_TYPES
        cuts = _cuts(item, part_bytes, min_parts)
        given = None if json_types is None else json_types.get(item.path) or {}
        if cuts is not None and not want_kinds:
            types = given if given is not None else (_JSON_TYPES.get(_types_key(item, options)) or {})
            if _earlier_key(item, options, cuts, types) in _EARLIER:
                cuts = None  # done already
            else:
                given = types
        if cuts is None and not want_kinds:
            continue
        pieces = [item] if cuts is None else _parts_of(item, cuts)
        typed = None if given is None else tuple(sorted(given.items()))
        indexes = range(len(units), len(units) + len(pieces))
        units.extend(PrepassUnit(piece, options, want_kinds, cuts is not None, typed) for piece in pieces)
        plans.append((item, cuts, want_kinds, given, indexes))
    if not units:
        return
    results = list((mapper or _serial_map)(prepass_unit, units))
    for item, cuts, want_kinds, given, indexes in plans:
        found = [results[index] for index in indexes]
        types = given
        if want_kinds:
            types = _JSON_TYPES[_types_key(item, options)] = _merged_kinds(found)
        if cuts is not None:
            _EARLIER[_earlier_key(item, options, cuts, types)] = _earlier_ids(found, types or {})


def enter_folder(cwd: str) -> None:
    """Work in ``cwd`` (a driver's folder, where a source's relative paths point) when this machine has it."""
    if os.path.isdir(cwd):
        os.chdir(cwd)


def call_in_folder(cwd: str, function, unit):
    """``function(unit)`` in ``cwd`` (`enter_folder`): the work of a `prepass` unit on a cluster's worker."""
    enter_folder(cwd)
    return function(unit)


def _serial_map(function, units):
    return [function(unit) for unit in units]


def split_inputs(
    inputs: Sequence[InputFile],
    options: ReadOptions = ReadOptions(),
    json_types: dict[str, dict[str, str]] | None = None,
    part_bytes: int = DEFAULT_PART_BYTES,
    min_parts: int = 1,
) -> list[InputFile]:
    """``inputs`` with each large ``.jsonl`` or Parquet file replaced by its parts, in file order.

    A file is cut into parts of at most about ``part_bytes`` (line ranges cut at line starts; runs
    of row groups), their number a multiple of ``min_parts`` (the workers that share the build)
    where that leaves no part under a quarter of ``part_bytes``: one large file keeps every worker
    busy with an even share (with two workers, a file of over half ``part_bytes`` is cut in two),
    and many large files on many workers are not cut into crumbs. `read_input` of the parts, one after the
    other, gives what it gives for the whole file: the same articles and rejects, lines numbered
    from the file's start, a duplicate of an article in an earlier part rejected as such (the
    parts learn those ids from `prepass`, run here for what an earlier `prepass` with the same
    cuts and types has not done). Other files stay whole.
    """
    if part_bytes < 1:
        raise ValueError(f"part_bytes must be at least 1, got {part_bytes!r}")
    prepass(inputs, options, part_bytes, min_parts, json_types=json_types or {})  # what is not done already
    out: list[InputFile] = []
    for item in inputs:
        cuts = _cuts(item, part_bytes, min_parts)
        earlier = None if cuts is None else _EARLIER[_earlier_key(item, options, cuts, (json_types or {}).get(item.path))]
        if earlier is None:
            out.append(item)
            continue
        for part, ids in zip(_parts_of(item, cuts), earlier):
            out.append(dataclasses.replace(part, earlier=tuple(ids.items())))
        logger.info("newspairs: %s is read in %d parts", item.path, len(cuts))
    return out


def isot_label(path: str) -> str | None:
    """``True`` or ``Fake`` from an ISOT file's name: the label it starts with (``True.csv``,
    ``Fake-sample.csv``), else the one of its words (``isot_fake.csv``); None when it says neither, or both."""
    name = Path(path).name.lower()
    said = {label for label in ISOT_LABELS if name.startswith(label.lower())}
    if not said:
        words = set(re.findall(r"[a-z]+", name))
        said = {label for label in ISOT_LABELS if label.lower() in words}
    return said.pop() if len(said) == 1 else None


# --- metadata columns and their types ---------------------------------------------------------


# what json gives, by its exact type (the checks below are for subclasses: a bool is an int)
_KINDS = {type(None): "null", bool: "bool", int: "int", float: "float", str: "string", list: "nested", dict: "nested"}


def _value_kind(value: Any) -> str:
    kind = _KINDS.get(type(value))
    if kind is not None:
        return kind
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "nested"  # a list or an object


def _column_type(kinds: set[str]) -> str:
    """A column's type from the kinds of all its values: one kind gives its type, ints with floats are
    float64; nested values, and any other mix, are ``"json"``: each value as JSON text (a string
    too, so that ``5`` and ``"5"`` stay apart); nulls only: ``"null"``, no type of its own
    (`scan_metadata` gives it another file's, else string)."""
    kinds = kinds - {"null"}
    if not kinds:
        return "null"
    if kinds == {"bool"}:
        return "bool"
    if kinds == {"int"}:
        return "int64"
    if kinds <= {"int", "float"}:
        return "float64"
    if kinds == {"string"}:
        return "string"
    return "json"


def _number_text(text: str) -> str:
    """A number as a reject shows it: whole up to 24 characters, else its start and its length."""
    return text if len(text) <= 24 else f"{text[:12]}... ({len(text)} characters)"


def coerce_json_value(value: Any, dtype: str | None, column: str) -> Any:
    """A JSON metadata value in its column's type; raises `ValueError` when it does not fit."""
    if value is None or dtype is None:
        return value
    if dtype == "json":
        return json.dumps(value, ensure_ascii=False)
    if dtype == "string" and isinstance(value, str):
        return value
    if dtype == "bool" and isinstance(value, bool):
        return value
    if dtype == "int64" and isinstance(value, int) and not isinstance(value, bool):
        if not INT64_MIN <= value <= INT64_MAX:
            raise ValueError(f"column {column!r} holds {_number_text(str(value))}, beyond int64 (its type)")
        return value
    if dtype == "float64" and isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            raise ValueError(f"column {column!r} holds {_number_text(str(value))}, beyond float64 (its type)") from None
    raise ValueError(f"column {column!r} holds {value!r}, not {dtype} (the type of its other records)")


# File kinds whose columns ``raw_column``/``normalized_column`` name; an ISOT CSV always reads its
# raw side from "text" and has no normalized side, a text file has no columns.
COLUMN_KINDS = ("csv", "jsonl", "parquet")


def some_names(items: Iterable[InputFile]) -> str:
    """The first three input files' names (``a.csv, b.jsonl, c.txt ...``), as a message shows them."""
    names = [shown_name(Path(item.path).name) for item in items]
    return ", ".join(names[:3]) + (" ..." if len(names) > 3 else "")


def check_column_options(inputs: Sequence[InputFile], raw_column: str | None, normalized_column: str | None,
                         options: tuple[str, str] = ("raw_column=", "normalized_column=")) -> None:
    """A `ValueError` for a column option given (not None) that no file of ``inputs`` reads,
    named as ``options`` names the two (the command line's flags, or the keyword arguments).

    A wrong raw column rejects every row, saying so; a normalized column that no table holds would
    leave every article without its stored side, silently (a typo a verify would pass, checking
    nothing). Headers and schemas are read first; a JSON file is read until a record holds the column.
    """
    def named(option: str, value: str) -> str:  # --flag 'value', or keyword='value'
        return f"{option}{value!r}" if option.endswith("=") else f"{option} {value!r}"

    given = [(option, value) for option, value in zip(options, (raw_column, normalized_column)) if value is not None]
    if given and not any(item.kind in COLUMN_KINDS for item in inputs):
        isot = [Path(item.path).name for item in inputs if item.kind == "isot"]
        why = (
            f"{', '.join(isot[:3])}{' ...' if len(isot) > 3 else ''}: an ISOT CSV reads its raw side from 'text' "
            "and has no normalized side" if isot else "the source's files are text files, which have no columns"
        )
        raise ValueError(f"{named(*given[0])} applies to no file of the source ({why})")
    if normalized_column is not None:
        tables = sorted((item for item in inputs if item.kind in COLUMN_KINDS), key=lambda item: item.kind == "jsonl")
        if not any(holds_column(item, normalized_column) for item in tables):
            raise ValueError(f"{named(options[1], normalized_column)}: no file of the source has that column "
                             f"({some_names(tables)})")


def holds_column(item: InputFile, column: str) -> bool:
    """Whether a table names ``column``: in its CSV header, its Parquet schema, or as a key of one of
    its JSON records (read until one does). A file that cannot be read names none (its reject says why)."""
    if item.kind == "csv":
        return column in (_csv_header(Path(item.path)) or ())
    if item.kind == "parquet":
        try:
            return column in _open_parquet(item.path).schema_arrow.names
        except ValueError:
            return False
    if item.kind == "jsonl":
        return any(record is not None and column in record for _, record, *_ in _rows_jsonl(item))
    return False


def _columns_of(item: InputFile, options: ReadOptions) -> dict[str, Any]:
    """Metadata column -> feature (a `datasets` feature, or a dtype string for JSON lines)."""
    from datasets import ClassLabel, Features, Value

    if item.kind == "isot":
        columns: dict[str, Any] = {name: Value("string") for name in ISOT_HEADER if name != "text"}
        if isot_label(item.path) is not None:
            columns["label"] = ClassLabel(names=list(ISOT_LABELS))
        return columns
    skip = {options.raw_column, options.normalized_column}
    # a file whose names reject its every row (`_read_table`, `_rows_csv`, `_rows_parquet`) adds no
    # column: what is in the output is what the source gave, and its reason is in the report
    if item.kind == "csv":
        header = _csv_header(Path(item.path)) or ()
        if header and (_csv_header_problem(header) or _columns_problem(header, options.raw_column, options.normalized_column, "column")):
            return {}
        return {name: Value("string") for name in header if name not in skip}
    if item.kind == "parquet":
        try:
            schema = _open_parquet(item.path).schema_arrow
        except ValueError:
            return {}
        if len(set(schema.names)) < len(schema.names) or _columns_problem(
                schema.names, options.raw_column, options.normalized_column, "column") or _unheld_column(schema):
            return {}
        features = Features.from_arrow_schema(_plain_schema(schema))
        return {name: feature for name, feature in features.items() if name not in skip}
    if item.kind == "jsonl":
        return dict(_json_types(item, options))
    return {}


_JSON_TYPES: dict[tuple, dict[str, str]] = {}  # (file identity, read options) -> types: a file is parsed once per process


def _types_key(item: InputFile, options: ReadOptions) -> tuple:
    # the options say which records are rejected (the raw column, a split's line count), so which count
    return (*file_identity(item.path), options)


def clear_read_memos() -> None:
    """Forget what this process keeps of the files it read (JSON types, parts' cuts, earlier ids, the
    unread files it warned of): the next build reads them as a fresh process would."""
    _JSON_TYPES.clear()
    _WARNED_UNREAD.clear()
    _WARNED_OUTPUT.clear()
    _CUTS.clear()
    _EARLIER.clear()


def _json_types(item: InputFile, options: ReadOptions) -> dict[str, str]:
    """The type of every metadata key of a JSON file, from all its records that are not rejected (a
    key may first appear in the last one)."""
    key = _types_key(item, options)
    if key not in _JSON_TYPES:
        kinds = _kinds_read(item, options)
        _JSON_TYPES[key] = {name: _column_type(found) for name, found in kinds.items()}
    return _JSON_TYPES[key]


def _plain_type(dtype):
    """An Arrow type with its 64-bit offset variants (large_string, large_binary, large_list) made the
    32-bit ones, which `datasets` features name: the same column whichever a file's writer chose."""
    import pyarrow as pa

    if pa.types.is_large_string(dtype):
        return pa.string()
    if pa.types.is_large_binary(dtype):
        return pa.binary()
    if pa.types.is_large_list(dtype) or pa.types.is_list(dtype):
        return pa.list_(pa.field(dtype.value_field.name, _plain_type(dtype.value_type), dtype.value_field.nullable))
    if pa.types.is_struct(dtype):
        return pa.struct([field.with_type(_plain_type(field.type)) for field in dtype])
    return dtype


def _plain_schema(schema):
    import pyarrow as pa

    return pa.schema([field.with_type(_plain_type(field.type)) for field in schema], metadata=schema.metadata)


def scan_metadata(inputs: Iterable[InputFile], options: ReadOptions = ReadOptions()) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """The metadata features of a source, and the JSON lines type of each column per JSON file.

    A column present in several files must have one type; otherwise a `ValueError` names the
    column and both files. A JSON column of JSON text (`_column_type`'s ``"json"``) is a string
    feature, but not the type of a column of plain text: ``"5"`` is ``5`` in one, ``"5"`` in the other.
    A column that holds nulls only in a file (a JSON key, a Parquet column
    of type null) has no type there: it takes another file's, as an absent column does; null in
    every file, it is a string column (JSON) or a null one (Parquet). Reading files here is cheap
    (headers, schemas, the first JSON records).
    """
    from datasets import Value

    features: dict[str, Any] = {}
    first_seen: dict[str, str] = {}
    json_text: set[str] = set()  # the columns whose strings are JSON text
    untyped: set[str] = set()  # columns of nulls only so far: the next file's type is theirs
    null = Value("null")
    json_types: dict[str, dict[str, str]] = {}
    for item in inputs:
        columns = _columns_of(item, options)
        texts: set[str] = set()
        if item.kind == "jsonl":
            json_types[item.path] = dict(columns)
            texts = {name for name, dtype in columns.items() if dtype == "json"}
            columns = {name: Value("string" if dtype == "json" else dtype) for name, dtype in columns.items()}
        for name, feature in columns.items():
            if name in RESERVED_COLUMNS:
                continue  # the file is rejected when read, with the reason
            if feature == null:
                if name not in features:  # kept should no other file type it: JSON's nulls as text, as they always were
                    features[name] = Value("string") if item.kind == "jsonl" else feature
                    first_seen[name] = item.path
                    untyped.add(name)
                continue
            if name in untyped:
                untyped.discard(name)
                features[name], first_seen[name] = feature, item.path
                json_text.discard(name)
                json_text.update(texts & {name})
                continue
            if name in features and (features[name] != feature or (name in json_text) != (name in texts)):
                first, then = _describe(features[name], name in json_text), _describe(feature, name in texts)
                if first == then:  # alike by name (two structs, two class labels): say all of each
                    first, then = repr(features[name]), repr(feature)
                raise ValueError(
                    f"metadata column {name!r} is {first} in {first_seen[name]} but {then} in {item.path}: give it one type"
                )
            if name not in features:
                features[name], first_seen[name] = feature, item.path
                json_text.update(texts & {name})
    return features, json_types


def _describe(feature: Any, json_text: bool = False) -> str:
    """A feature's type, for a message: a `Value`'s dtype (JSON text for a string column of it); a
    class label by its names (its dtype, int64, is only how it is stored); else the feature's class."""
    from datasets import ClassLabel, Value

    if json_text:
        return "JSON text"
    if isinstance(feature, ClassLabel):
        return f"a class label ({', '.join(feature.names)})"
    if isinstance(feature, Value):
        return feature.dtype
    return type(feature).__name__
