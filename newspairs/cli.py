"""The `newspairs` command line: each subcommand is a thin wrapper over the package's Python API.

Every command's help is its function's docstring, an example included; commands read UTF-8 and
stream where they can. A user's mistake (an option out of range, a file that is not what it
should be, a folder that cannot be written) ends the command with one line on standard error that
names what is at fault, and a non-zero exit status (1; 2 for what argparse rejects); a bug still
shows its traceback. Standard output carries only results: progress goes to standard error, and
only for a long build on a terminal (`BuildOutput`).
"""

from __future__ import annotations

import argparse
import codecs
import inspect
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from newspairs.forks import hold_over_fork

# The kinds read as text articles, which --text-articles splits (the others are rejected unread).
TEXT_KINDS = ("pair", "text")
# A build reading at least this many bytes of input shows a progress bar (on a terminal); the
# embedded default data is 12 kB and builds in about a second.
LONG_BUILD_BYTES = 1 << 20


class InputError(ValueError):
    """Input that cannot be read, with the file and line where it went wrong."""


def _lines_of(stream, name: str) -> Iterator[str]:
    """Decode a binary stream line by line as UTF-8, naming file and line on undecodable bytes."""
    for number, raw in enumerate(stream, start=1):
        yield _decoded_line(raw, name, number)


def _decoded_line(raw: bytes, name: str, number: int) -> str:
    if number == 1 and raw.startswith(codecs.BOM_UTF8):
        # a byte-order mark is the file's, not its first line's (as every source reader drops it): kept,
        # it would stick to the first word, and a leading quote after it would close, not open
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name}, line {number}: not UTF-8 ({error.reason} at byte {error.start}: {raw[error.start:error.start + 4]!r})"
        ) from None
    if line.endswith("\n"):  # a line ends at "\n" or "\r\n", as the source readers read a file (a lone "\r" stays)
        return line[:-2] if line.endswith("\r\n") else line[:-1]
    return line


READ_BYTES = 1 << 16


def _arrived_line_groups(fd: int, name: str) -> Iterator[list[str]]:
    """The lines of a pipe or terminal in groups, each what had arrived by one read (up to
    `READ_BYTES`), decoded as `_lines_of` decodes them: so the lines of a slow writer
    (``tail -f``) are normalized and written as they come, not once a batch has gathered."""
    from newspairs.sources import whole_line_blocks

    number = 0
    for block in whole_line_blocks(lambda: os.read(fd, READ_BYTES)):
        raws = block.split(b"\n")
        ended = len(raws) - 1  # each piece but the last had its "\n": given back, so "\r\n" ends a line as in a file
        if not raws[-1]:  # the block ends with a line break (all but a last, unended line)
            raws.pop()
        group, bad = [], None
        for index, raw in enumerate(raws):
            number += 1
            try:
                group.append(_decoded_line(raw + b"\n" if index < ended else raw, name, number))
            except InputError as error:
                bad = error
                break
        if group or bad is None:  # the lines before a bad one are given (and written) before its error
            yield group
        if bad is not None:
            raise bad


# --- checks of what the user gave, before anything is built ------------------------------------


def whole_number(least: int, most: int | None = None):
    """An argparse type: an int from ``least`` to ``most`` (None: no bound), or argparse's one-line
    error naming the option (the scripts' options use it too)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be {least} or more, got {value}")
        if most is not None and value > most:
            raise argparse.ArgumentTypeError(f"must be {most} or less, got {value}")
        return value

    return parse


def _size(text: str) -> str:
    """An argparse type: a size such as 500MB or 1GiB (as `datasets` reads it), kept as given."""
    from datasets.utils.py_utils import convert_file_size_to_int

    try:
        value = convert_file_size_to_int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size such as 500MB or 1GiB: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be more than 0 bytes, got {text!r}")
    return text


def _check_creatable(path: str, what: str) -> None:
    """Fail before any build when the folder ``path`` cannot be written: it is a file, or it cannot be
    created (the probe removes every folder it made, so nothing is left behind), or it exists and no
    file can be made in it (`newspairs.tokenizer.check_writable`), or it is empty
    (``--out "$UNSET"``: never the current folder by accident), or its name is not UTF-8 (Arrow and
    tokenizers write to UTF-8 paths only: they would fail after the build, naming nothing)."""
    from newspairs.sources import shown_name

    if not path:
        raise ValueError(f"{what} is empty: name a folder")
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{what} {shown_name(path)}: the name is not UTF-8, which newspairs cannot write to; "
                         "name another folder") from None
    folder = Path(path)
    if folder.exists():
        if not folder.is_dir():
            raise ValueError(f"{what} {path}: exists and is not a folder")
        from newspairs.tokenizer import check_writable

        try:  # before the build, where writing into it failed after the whole of it
            check_writable(folder)
        except ValueError as error:
            raise ValueError(f"{what} {error}") from None
        return
    missing = []
    for candidate in [folder, *folder.parents]:
        if candidate.exists():
            break
        missing.append(candidate)
    made: list[Path] = []
    try:
        for candidate in reversed(missing):
            candidate.mkdir()
            made.append(candidate)
    except OSError as error:
        raise ValueError(f"{what} {path}: cannot be created ({error.strerror})") from None
    finally:
        for candidate in reversed(made):
            candidate.rmdir()


def tokenizer_file(path: str):
    """Load a ``tokenizer.json`` (or the folder holding one); a file that is not one is a user's mistake."""
    from newspairs.tokenizer import load_tokenizer_file

    if not path:  # an unset variable, most likely: never the built-in rules or the current folder silently
        raise ValueError("is empty: name a tokenizer.json or the folder holding one")
    given = Path(path)
    if not (given / "tokenizer.json" if given.is_dir() else given).is_file():
        raise ValueError(f"{path}: {'no tokenizer.json in the folder' if given.is_dir() else 'no such file'}")
    return load_tokenizer_file(path)


def check_normalizes(tokenizer, path: str) -> None:
    """Fail before any input is read when ``tokenizer`` (from ``path``) is a valid tokenizer.json whose
    normalizer is not a newspairs normalization (it has none, or not the layout passes)."""
    from newspairs.normalize import normalize

    try:
        normalize("A line.", tokenizer)  # one line through the normalizer shows what the first chunk would
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


@contextmanager
def _naming_vocab_size():
    """A `VocabSizeError` raised within (the corpus does not fit the size) names --vocab-size."""
    from newspairs.train import VocabSizeError

    try:
        yield
    except VocabSizeError as error:
        raise ValueError(f"--vocab-size {error.value} {error.reason}") from None


@contextmanager
def _naming_split(option: str, instead: str):
    """A source without the split to train on (`MissingSplitError`) names the option that asked for
    it (``option``) and what to give ``instead``."""
    from newspairs.train import MissingSplitError

    try:
        yield
    except MissingSplitError as error:
        raise ValueError(f"{option}{': ' if option else ''}{error} ({instead})") from None


@contextmanager
def _naming(option: str):
    """A `ValueError` raised within says which option it is about."""
    try:
        yield
    except ValueError as error:
        raise ValueError(f"{option} {error}") from None


def _source_of(values: list[str]):
    """No SOURCE: the embedded default data; one: that path or glob; several: the list."""
    if not values:
        return None
    return values[0] if len(values) == 1 else list(values)


def _checked_source(args: argparse.Namespace) -> tuple[object, dict[str, str]]:
    """The source (its files found now, so a missing one fails before any build) and the column
    options as keyword arguments. A column option that no file of the source reads is an error,
    not silently ignored: ISOT CSVs always read "text", text files have no columns, and a
    --normalized-column that no table holds would leave every article without a stored side (a typo
    a verify would pass, checking nothing); so is --text-articles on a source of no text file."""
    from newspairs.sources import check_column_options, resolve_source, some_names

    source = _source_of(args.source)
    inputs = resolve_source(source)
    raw_column, normalized_column = getattr(args, "raw_column", None), getattr(args, "normalized_column", None)
    check_column_options(inputs, raw_column, normalized_column, ("--raw-column", "--normalized-column"))
    text_articles = getattr(args, "text_articles", None)
    if text_articles is not None and not any(item.kind in TEXT_KINDS for item in inputs):
        raise ValueError(
            f"--text-articles {text_articles!r} applies to no file of the source "
            f"({some_names(inputs)}: only .txt files, also compressed, hold text articles)"
        )
    # only an option given is passed on ("" is a column too, a header's unnamed one): the Python
    # API checks a column it is given, and an absent one is its default
    options = {name: value for name, value in (("raw_column", raw_column), ("normalized_column", normalized_column))
               if value is not None}
    return source, {**options, "sentences": getattr(args, "sentences", None), "text_articles": text_articles or "file"}


def _input_bytes(source) -> int:
    from newspairs.sources import resolve_source

    def size(path: str) -> int:
        try:
            return os.path.getsize(path)
        except OSError:  # a link to nothing, a loop: the build names the file (or reports it), not this guess
            return 0

    return sum(size(path) for item in resolve_source(source) for path in (item.path, item.twin) if path)


# --- what the libraries print while a command runs -----------------------------------------------


def _build_rows(source, configs, config_kwargs: dict) -> int:
    """The rows a build of ``configs`` generates: articles for ``articles`` and ``raw``, lines for
    ``lines``; counted by reading the source once (reading is cheap next to normalizing)."""
    from dataclasses import fields

    from newspairs.sources import Article, ReadOptions, read_input, resolve_source, scan_metadata

    options = ReadOptions(**{f.name: config_kwargs[f.name] for f in fields(ReadOptions) if f.name in config_kwargs})
    inputs = resolve_source(source)
    _, json_types = scan_metadata(inputs, options)
    articles = lines = 0
    for item in inputs:
        for entry in read_input(item, options, json_types.get(item.path)):
            if isinstance(entry, Article):
                articles += 1
                lines += entry.raw.count("\n") + 1
    return sum(lines if name == "lines" else articles for name in configs)


class _SplitBar:
    """Stands in for the bar `datasets` draws per split: its counts go to the one bar of the build."""

    def __init__(self, output: BuildOutput):
        self.output = output

    def __enter__(self) -> _SplitBar:
        return self

    def __exit__(self, *exc_info) -> None:
        pass

    def update(self, count: int = 1) -> None:
        self.output.advance(count)

    def close(self) -> None:
        pass


class BuildOutput:
    """What a command prints while it builds: one progress bar with a total, or nothing.

    `datasets` draws a bar per split of each config (nine for an export, with no total) and the
    builder logs each reject of each config; the command prints the results itself. Within
    `scoped`, `datasets`' bars and warnings and the builder's per-reject log lines are off, and,
    when the build is long (``LONG_BUILD_BYTES`` of input) and standard error is a terminal, the
    rows every split generates (or a one-process export writes: `newspairs.onepass.rows_written`)
    are counted on one bar whose total is the source's rows (counted when a build starts: a build
    served from the cache shows nothing).
    """

    def __init__(self, source=None, configs=("articles",), config_kwargs: dict | None = None, *,
                 show: bool | None = None, stream: TextIO | None = None):
        self.source, self.configs, self.config_kwargs = source, tuple(configs), dict(config_kwargs or {})
        self.stream = stream if stream is not None else sys.stderr
        self.show = show if show is not None else (_is_terminal(self.stream) and _input_bytes(source) >= LONG_BUILD_BYTES)
        self.bar = None

    def split_bar(self, *args, **kwargs) -> _SplitBar:
        if self.bar is None:
            from tqdm import tqdm

            total = _build_rows(self.source, self.configs, self.config_kwargs)
            self.bar = tqdm(total=total, unit=" rows", desc=f"building {', '.join(self.configs)}",
                            file=self.stream, dynamic_ncols=True)
        return _SplitBar(self)

    def advance(self, count: int) -> None:
        self.bar.update(count)

    def rows_written(self, count: int) -> None:
        """A one-process export's rows (`newspairs.onepass`, which draws no bar of its own)."""
        self.split_bar()
        self.advance(count)

    @contextmanager
    def scoped(self):
        import datasets
        import datasets.builder

        from newspairs import onepass

        builder_log = logging.getLogger("newspairs.builder")
        saved = (datasets.is_progress_bar_enabled(), datasets.logging.get_verbosity(), builder_log.level)
        datasets.disable_progress_bars()
        datasets.logging.set_verbosity_error()
        builder_log.setLevel(logging.ERROR)  # the command lists each reject once
        bar_factory = getattr(datasets.builder, "hf_tqdm", None)
        if self.show and bar_factory is not None:
            datasets.builder.hf_tqdm = self.split_bar
        counter, onepass.rows_written = onepass.rows_written, (self.rows_written if self.show else None)
        try:
            yield self
        finally:
            onepass.rows_written = counter
            if self.show and bar_factory is not None:
                datasets.builder.hf_tqdm = bar_factory
            if self.bar is not None:
                self.bar.close()
            if saved[0]:
                datasets.enable_progress_bars()
            datasets.logging.set_verbosity(saved[1])
            builder_log.setLevel(saved[2])


def _is_terminal(stream) -> bool:
    return bool(getattr(stream, "isatty", None) and stream.isatty())


@contextmanager
def _stdout_to_stderr():
    """Send what is written to file descriptor 1 to standard error: the `tokenizers` trainer writes a
    blank line per progress bar to standard output, which carries only results."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1 to protect
        yield
        return
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _unique_rejects(reports) -> list[tuple[dict, list[str]]]:
    """Each rejected article once, with the configs that rejected it: every config reads the same
    files, so an export of three configs rejects each bad article three times."""
    unique: dict[tuple, tuple[dict, list[str]]] = {}
    for report in reports:
        for reject in report.rejects:
            key = (reject["file"], reject["article"], reject["line"], reject["reason"])
            unique.setdefault(key, (reject, []))[1].append(report.config)
    return list(unique.values())


def _write_rejects(reports, out: TextIO) -> None:
    """A line per rejected article (`_unique_rejects`), as export and publish print them."""
    for reject, configs in _unique_rejects(reports):
        where = ", ".join(f"{k} {reject[k]}" for k in ("article", "line") if reject[k] is not None)
        out.write(f"rejected ({', '.join(configs)}): {reject['file']}{', ' + where if where else ''}: {reject['reason']}\n")


# --- the commands ---------------------------------------------------------------------------------


def cmd_normalize(args: argparse.Namespace, out: TextIO) -> int:
    """Normalize raw text, line for line, from FILEs (or standard input) to standard output.

    Streams: memory grows with the longest line (about 40 bytes a character), not with the
    input, and lines from a pipe are written as they arrive, as in
    ``tail -f feed.txt | newspairs normalize``. Input must be UTF-8; a line that is not stops the
    run, once every line before it is written, with an error naming the file and the line.

    Example:
      newspairs normalize article.txt > article.normalized.txt
      echo "It's 1,000 U.S. dollars." | newspairs normalize
    """
    if "" in args.files:  # an unset variable, most likely: said before any file is read, not as one that cannot be opened
        raise InputError("a FILE is empty: name a file ('-' or none for standard input)")
    tokenizer = None
    if args.tokenizer is not None:
        from newspairs.train import read_stamp, stamp_mismatch

        with _naming("--tokenizer"):
            tokenizer = tokenizer_file(args.tokenizer)
            check_normalizes(tokenizer, args.tokenizer)
            mismatch = stamp_mismatch(tokenizer, read_stamp(args.tokenizer))
        if mismatch:  # the user's own edit may be the point: said, not refused
            sys.stderr.write(f"newspairs: warning: --tokenizer {args.tokenizer}: {mismatch}\n")
    for name in args.files or ["-"]:
        if name == "-":
            _write_standard_input(tokenizer, out)
            continue
        from newspairs.sources import COMPRESSIONS, READ_ERRORS, read_problem

        # a FILE is lines of text whatever its name: feed.gz is decompressed (a source's file needs a
        # kind before its compression, a.txt.gz, to be read as text)
        opener = COMPRESSIONS.get(Path(name).suffix.lower(), open)
        try:
            handle = opener(name, "rb")
        except OSError as error:
            raise InputError(f"{name}: cannot open ({error.strerror})") from None
        # a line not UTF-8, or a compressed file cut short or corrupt: every line before it is written first
        lines = _UntilBroken(_lines_of(handle, name), (InputError, *READ_ERRORS))
        with handle:
            _write_normalized(lines, tokenizer, out)
        if isinstance(lines.broken, InputError):
            raise lines.broken
        if lines.broken is not None:
            raise InputError(f"{name}, line {lines.count + 1}: cannot read on ({read_problem(lines.broken)})")
    return 0


class _UntilBroken:
    """The lines of ``lines`` until one of ``errors`` breaks the reading: then they end, and
    ``broken`` holds the error (``count``: the lines given)."""

    def __init__(self, lines, errors):
        self.lines, self.errors, self.count, self.broken = iter(lines), errors, 0, None

    def __iter__(self):
        return self

    def __next__(self):
        if self.broken is not None:
            raise StopIteration
        try:
            line = next(self.lines)
        except self.errors as error:
            self.broken = error
            raise StopIteration from None
        self.count += 1
        return line


def _write_standard_input(tokenizer, out: TextIO) -> None:
    """Standard input normalized as its lines arrive, each group written out (and flushed) at once."""
    if sys.stdin is None:  # started with file descriptor 0 closed (<&-): Python gives no stream at all
        raise InputError("<stdin>: standard input is closed; give FILEs to normalize, or text on standard input")
    try:
        fd = sys.stdin.buffer.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (an in-memory stream): read it as one
        lines = _UntilBroken(_lines_of(sys.stdin.buffer, "<stdin>"), (InputError,))
        _write_normalized(lines, tokenizer, out)
        if lines.broken is not None:  # written up to the line that is not UTF-8, as a file is
            raise lines.broken
        return
    for group in _arrived_line_groups(fd, "<stdin>"):
        _write_normalized(group, tokenizer, out)
        out.flush()


def _write_normalized(lines, tokenizer, out: TextIO) -> None:
    from newspairs.normalize import normalize_lines

    for line in normalize_lines(lines, tokenizer):
        out.write(line + "\n")


def _command_parser(subparsers, name: str, command) -> argparse.ArgumentParser:
    """A subcommand whose help is its function's docstring (first line in the command list)."""
    doc = inspect.cleandoc(command.__doc__)
    return subparsers.add_parser(
        name, help=doc.splitlines()[0], description=doc, formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _add_normalize(subparsers) -> None:
    parser = _command_parser(subparsers, "normalize", cmd_normalize)
    parser.add_argument("files", nargs="*", metavar="FILE", help="raw text files ('-' or none: standard input)")
    parser.add_argument("--tokenizer", metavar="PATH", help="normalize with this tokenizer.json instead of the built-in rules")
    parser.set_defaults(run=cmd_normalize)


def _add_column_options(parser) -> None:
    parser.add_argument("--raw-column", metavar="NAME",
                        help="CSV, JSON lines and Parquet files' raw column (default: raw; ISOT CSVs: text)")
    parser.add_argument("--normalized-column", metavar="NAME",
                        help="their optional normalized column (default: normalized)")
    _add_sentences_option(parser)
    # no default here: given, it must apply to a .txt file of the source (`_checked_source`)
    parser.add_argument("--text-articles", choices=("file", "blank-line"),
                        help="a .txt file is one article (file, the default), or many separated by blank lines "
                             "(blank-line), each with its own id and split")


def _add_sentences_option(parser) -> None:
    from newspairs.sentences import SPLITTERS

    parser.add_argument("--sentences", choices=SPLITTERS, metavar="SPLITTER",
                        help="split each article's raw text into sentences, one per line, first (punkt; "
                             "needs pip install 'newspairs[sentences]'; default: lines as given)")


def _configs(args: argparse.Namespace) -> list[str]:
    """The --config values in the order given, each once (default: all three, articles first)."""
    return list(dict.fromkeys(args.config or ("articles", "lines", "raw")))


def _add_quiet(parser) -> None:
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar (shown otherwise for a long build on a terminal)")


def _add_num_proc(parser) -> None:
    parser.add_argument("--num-proc", type=whole_number(1), metavar="N",
                        help="build with N processes (sharded over input files)")


def _fresh_demo_folder() -> str:
    from newspairs.sources import EXPORT_MANIFEST

    # an earlier export (its manifest says what it wrote) may be replaced; any other folder, or a file, is left alone
    candidate, number = Path("newspairs-demo"), 1
    while candidate.exists() and (not candidate.is_dir()
                                  or (any(candidate.iterdir()) and not (candidate / EXPORT_MANIFEST).is_file())):
        number += 1
        candidate = Path(f"newspairs-demo-{number}")
    return str(candidate)


def _shortened(value, width: int = 150):
    if not isinstance(value, str):
        return value
    first = value.split("\n")[0]
    return first if len(first) <= width and first == value else first[:width].rstrip() + " ..."


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    """Build the embedded default pairs (or SOURCE), export them, and load them back with plain datasets.

    The export (Parquet shards + README.md card) goes to --out (default: ./newspairs-demo, replaced
    if it holds a previous newspairs export). It is then read back with `datasets.load_dataset(folder)`
    and `datasets.load_dataset(folder, "lines")`, no newspairs code, no network; the command prints
    rows per config and split, the agreement rate, and one example.

    Example:
      newspairs demo
      newspairs demo corpus/ --out corpus-demo
    """
    from newspairs.builder import CONFIG_NAMES
    from newspairs.export import export

    source, _ = _checked_source(args)
    folder = _fresh_demo_folder() if args.out is None else args.out
    _check_creatable(folder, "--out")
    with BuildOutput(source, CONFIG_NAMES, {"sentences": args.sentences}, show=False if args.quiet else None).scoped():
        result = export(source, folder, num_proc=args.num_proc, sentences=args.sentences)
    out.write(f"built {' '.join(args.source) or 'the embedded default pairs'} and exported them to {folder}/\n")
    with BuildOutput(show=False).scoped():  # datasets' bars off while it reads the export back
        _print_loaded_back(folder, result, out, args.sentences)
        if not args.source:
            _print_paragraph_split(out)
    return 0


def _print_paragraph_split(out: TextIO) -> None:
    """The embedded Reuters article written as one paragraph in ISOT's CSV layout, read back through
    ``lines`` with sentences split: the seed pair again, as the seed's own layout was made."""
    import csv
    import tempfile

    from newspairs.builder import load
    from newspairs.sources import DEFAULT_DATA

    name = "seed-reuters-2017.txt"
    raw, normalized = ((DEFAULT_DATA / side / name).read_text(encoding="utf-8").split("\n") for side in ("raw", "normalized"))
    try:
        from newspairs.sentences import check

        check("punkt")
    except ValueError:
        out.write("\nsentences: pip install -e '.[sentences]' to see a paragraph article become seed-shaped pairs\n")
        return
    with tempfile.TemporaryDirectory(prefix="newspairs-demo-") as folder:
        path = f"{folder}/True.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([["title", "text", "subject", "date"], ["Iraq", " ".join(raw), "worldnews", "2017"]])
        lines = load(path, "lines", sentences="punkt", cache_dir=f"{folder}/cache")
        rows = sorted((row for split in lines.values() for row in split), key=lambda row: row["line"])
    same = [row["raw"] for row in rows] == raw and [row["normalized"] for row in rows] == normalized
    out.write(f"\nsentences: the embedded Reuters article as one paragraph in ISOT's CSV layout (True.csv), read with\n"
              f"sentences=\"punkt\" through 'lines': {len(rows)} sentence lines; raw and normalized equal to the embedded "
              f"{name} pair: {'yes' if same else 'no'}\n")


def _print_loaded_back(folder: str, result, out: TextIO, sentences: str | None = None) -> None:
    import datasets

    loaded = {name: datasets.load_dataset(folder, name) for name in result.configs}
    splits = [split for split in ("train", "validation", "test") if any(split in d for d in loaded.values())]
    out.write(f"\nloaded back with datasets.load_dataset({folder!r}, config):\n")
    out.write(f"  {'config':<10}" + "".join(f"{split:>12}" for split in splits) + "\n")
    for name, dataset in loaded.items():
        out.write(f"  {name:<10}" + "".join(f"{(dataset[s].num_rows if s in dataset else 0):>12}" for s in splits) + "\n")
    articles = loaded["articles"]
    agrees = [value for split in articles.values() for value in split["agrees"] if value is not None]
    if agrees:
        rate = 100 * sum(agrees) / len(agrees)
        out.write(f"\nagreement: {sum(agrees)} of {len(agrees)} stored normalized sides equal newspairs.normalize(raw) ({rate:.1f}%)\n")
    else:
        out.write("\nagreement: the source has no stored normalized side (see the 'raw' config)\n")
    first_split = next(iter(articles))
    example = articles[first_split][0]
    line = loaded["lines"][first_split][0] if first_split in loaded["lines"] else None
    features = articles[first_split].features
    out.write(f"\nexample (articles, {first_split} row 0; first line, shortened):\n")
    for key, value in example.items():
        if isinstance(features[key], datasets.ClassLabel) and value is not None:
            value = f"{value} ({features[key].int2str(value)})"
        out.write(f"  {key}: {_shortened(value)}\n")
    if line is not None:
        out.write(f"\nexample (lines, {first_split} row 0):\n")
        out.write("".join(f"  {key}: {_shortened(value)}\n" for key, value in line.items()))
    if sentences:
        from newspairs.sentences import read_record, signature

        lines_of_example = example["raw"].count("\n") + 1
        out.write(f"\nsentences split by {signature(read_record(folder))}: the example article's raw text "
                  f"is {lines_of_example} lines, one sentence each, each line a pair in 'lines'\n")
    for report in result.reports.values():
        out.write(f"\n{report.summary()}\n" if report.rejected else "")


def _add_demo(subparsers) -> None:
    parser = _command_parser(subparsers, "demo", cmd_demo)
    parser.add_argument("source", nargs="*", metavar="SOURCE", help="folder, file or glob (default: the embedded pairs)")
    parser.add_argument("--out", metavar="DIR", help="export folder (default: ./newspairs-demo)")
    _add_num_proc(parser)
    _add_quiet(parser)
    _add_sentences_option(parser)
    parser.set_defaults(run=cmd_demo)


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    """Build SOURCE and export it to OUT as Parquet shards plus a README.md card for datasets.load_dataset.

    OUT gets <config>/<digest>/<split>-NNNNN-of-NNNNN.parquet per config and split (<digest> names
    the shards by their content), README.md (YAML configs and dataset_info), newspairs_stamp.json,
    newspairs_sentences.json (whether and by what sentences were split), newspairs_report.json
    (counts and rejects) and newspairs_export.json (the files it wrote). OUT
    must be absent, empty or a previous export, whose files alone it replaces. With --errors report, bad articles are set aside in the
    report and the build goes on; the summary reconciles read = written + rejected, and each
    rejected article is listed once.

    Example:
      newspairs export corpus/ corpus-export --errors report
      python -c "import datasets; print(datasets.load_dataset('corpus-export'))"
    """
    from datasets.utils.py_utils import convert_file_size_to_int

    from newspairs.export import export

    given = [option for option, value in (("--address", args.address), ("--num-cpus", args.num_cpus)) if value is not None]
    if given and args.engine != "ray":
        raise ValueError(f"{' and '.join(given)} need{'s' if len(given) == 1 else ''} --engine ray")
    if args.engine == "ray" and args.num_proc is not None:
        raise ValueError("--num-proc is for --engine local: with --engine ray, --num-cpus sets a local Ray's CPUs")
    if args.part_size is not None and args.engine != "ray" and (args.num_proc or 1) == 1:
        raise ValueError("--part-size needs --num-proc 2 or more, or --engine ray (one process reads each file whole)")
    source, columns = _checked_source(args)
    _check_creatable(args.out, "OUT")
    configs = _configs(args)
    parts = {} if args.part_size is None else {"part_bytes": convert_file_size_to_int(args.part_size)}
    with BuildOutput(source, configs, columns, show=False if args.quiet else None).scoped():
        result = export(
            source, args.out, configs=configs, max_shard_size=args.max_shard_size, num_proc=args.num_proc,
            errors=args.errors, engine=args.engine, address=args.address, num_cpus=args.num_cpus,
            **columns, **parts,
        )
    out.write(result.summary() + "\n")
    _write_rejects(result.reports.values(), out)
    return 0


def _add_export(subparsers) -> None:
    parser = _command_parser(subparsers, "export", cmd_export)
    parser.add_argument("source", nargs="+", metavar="SOURCE", help="folder, file or glob (several allowed)")
    parser.add_argument("out", metavar="OUT", help="export folder")
    parser.add_argument("--config", action="append", choices=("articles", "lines", "raw"),
                        help="config to export (repeatable; default: all three, articles first)")
    parser.add_argument("--max-shard-size", type=_size, default="500MB", metavar="SIZE", help="Parquet shard size (default: 500MB)")
    _add_num_proc(parser)
    parser.add_argument("--errors", choices=("raise", "report"), default="raise",
                        help="stop at the first bad article (raise, default) or report it and go on")
    _add_quiet(parser)
    parser.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="build in this process (local, default) or on Ray Data (ray: pip install 'newspairs[ray]')")
    parser.add_argument("--address", metavar="ADDRESS", help="--engine ray: the Ray cluster (default: RAY_ADDRESS, else a local Ray)")
    parser.add_argument("--num-cpus", type=whole_number(1), metavar="N", help="--engine ray: CPUs of a local Ray, or actors on a cluster")
    parser.add_argument("--part-size", type=_size, metavar="SIZE",
                        help="with --num-proc N or --engine ray, a large .jsonl or Parquet file is read in parts of "
                             "at most about SIZE, by several workers (default: 64MiB; the rows are the same)")
    _add_column_options(parser)
    parser.set_defaults(run=cmd_export)


def cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    """Check that each stored normalized side of SOURCE equals newspairs.normalize(raw).

    Prints the counts and the first disagreements as unified diffs (stored against the
    normalizer), then the articles that could not be read and those set aside as a build sets
    them aside (empty, or a duplicate), which are not failed. Exit status 1 when any pair
    disagrees, any article could not be read, or no pair was checked.

    Example:
      newspairs verify corpus/ --show 2
    """
    from newspairs.verify import verify

    source, columns = _checked_source(args)
    result = verify(source, show=args.show, **columns)
    status = 1 if result.disagree or result.rejects or not result.checked else 0
    try:
        out.write(result.summary() + "\n")
        for disagreement in result.first:
            out.write(f"\n{disagreement.diff}\n")
        for reject in result.rejects:
            out.write(f"unreadable: {reject.error()}\n")
        for reject in result.dropped:
            out.write(f"set aside: {reject.error()}\n")
    except BrokenPipeError:  # the reader went away (| head): the verdict stands
        _drop_stdout()
    return status


def _add_verify(subparsers) -> None:
    parser = _command_parser(subparsers, "verify", cmd_verify)
    parser.add_argument("source", nargs="*", metavar="SOURCE", help="folder, file or glob (default: the embedded pairs)")
    parser.add_argument("--show", type=whole_number(0), default=5, metavar="N", help="diffs to print (default: 5)")
    _add_column_options(parser)
    parser.set_defaults(run=cmd_verify)


def _trainer_progress(args: argparse.Namespace, output: BuildOutput) -> bool:
    """The trainer's own progress bars: as the build's (a long one, on a terminal, without --quiet)."""
    return output.show


def cmd_train_tokenizer(args: argparse.Namespace, out: TextIO) -> int:
    """Train a tokenizer's model on the raw side of SOURCE, keeping the normalization, and save it to DIR.

    The normalizer and pre-tokenizer stay those of the normalization, so DIR/tokenizer.json still
    reproduces the normalized side. DIR gets tokenizer.json, tokenizer_config.json and
    special_tokens_map.json (for transformers.AutoTokenizer) and newspairs_stamp.json. DIR must be
    absent, empty or a tokenizer folder newspairs wrote, whose four files alone are replaced. Special
    tokens: [PAD] [UNK] [CLS] [SEP] [MASK] (ids 0-4). Trains on the train split unless --split all.

    Example:
      newspairs train-tokenizer corpus/ --out corpus-tokenizer --vocab-size 8000
      python -c "import newspairs; print(newspairs.load_tokenizer('corpus-tokenizer').encode('Hi!').tokens)"
    """
    from newspairs.builder import prepare
    from newspairs.sources import counted
    from newspairs.train import TrainingConfig, check_tokenizer_out, save_tokenizer_folder, train_on_source

    if args.model == "unigram" and args.min_frequency is not None:  # the unigram trainer would ignore it
        args.usage_error("argument --min-frequency: not allowed with --model unigram, whose trainer has no such setting")
    source, columns = _checked_source(args)
    _check_creatable(args.out, "--out")
    with _naming("--out"):
        check_tokenizer_out(args.out)  # never into the source, an export or a folder of the user's files
    output = BuildOutput(source, ("articles",), columns, show=False if args.quiet else None)
    min_frequency = TrainingConfig.min_frequency if args.min_frequency is None else args.min_frequency
    config = TrainingConfig(model=args.model, vocab_size=args.vocab_size, min_frequency=min_frequency,
                            show_progress=_trainer_progress(args, output))
    with output.scoped(), _stdout_to_stderr(), _naming_vocab_size(), _naming_split(f"--split {args.split}", "--split all"):
        tokenizer = train_on_source(source, config, split=None if args.split == "all" else args.split,
                                    errors=args.errors, **columns)
        built = prepare(source, "articles", errors=args.errors, **columns)  # the build just made, from the cache
    for path in save_tokenizer_folder(tokenizer, args.out, model_max_length=args.model_max_length):
        out.write(f"wrote {path}\n")
    out.write(f"{type(tokenizer.model).__name__} model, {tokenizer.get_vocab_size()} tokens\n")
    splits = built.info.splits
    trained = sum(info.num_examples for info in splits.values()) if args.split == "all" else splits[args.split].num_examples
    report = built.report()
    out.write(f"trained on {counted(trained, 'article')} ({'every split' if args.split == 'all' else f'the {args.split} split'}); "
              f"{counted(report.read, 'article')} read = {report.written} built + {report.rejected} rejected\n")
    _write_rejects([report], out)
    return 0


def _add_train_tokenizer(subparsers) -> None:
    from newspairs.train import MAX_MIN_FREQUENCY, MAX_MODEL_LENGTH, MAX_VOCAB_SIZE, MODELS, TrainingConfig

    parser = _command_parser(subparsers, "train-tokenizer", cmd_train_tokenizer)
    parser.add_argument("source", nargs="*", metavar="SOURCE", help="folder, file or glob (default: the embedded pairs)")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="folder to write the tokenizer files to: absent, empty, or one train-tokenizer wrote")
    parser.add_argument("--model", choices=MODELS, default=TrainingConfig.model, help="the model to train (default: wordpiece)")
    parser.add_argument("--vocab-size", type=whole_number(6, MAX_VOCAB_SIZE), default=TrainingConfig.vocab_size, metavar="N",
                        help=f"the vocabulary to aim at (default: {TrainingConfig.vocab_size}; at most {MAX_VOCAB_SIZE}): "
                             "wordlevel stays within it; bpe, wordpiece and unigram keep the corpus's whole alphabet, "
                             "exceeding an N it does not fit, and bpe and wordpiece complete it (up to one token per "
                             "character more; unigram refuses an N below its number of characters)")
    parser.add_argument("--min-frequency", type=whole_number(0, MAX_MIN_FREQUENCY), metavar="N",
                        help=f"least count of a merged pair or kept word (default: {TrainingConfig.min_frequency}); not with "
                             "--model unigram, whose trainer has no such setting")
    parser.add_argument("--split", default="train", choices=("train", "validation", "test", "all"),
                        help="split to train on, or all of them (default: train)")
    parser.add_argument("--model-max-length", type=whole_number(1, MAX_MODEL_LENGTH), metavar="N",
                        help="model_max_length in tokenizer_config.json (at most 2**63-1)")
    parser.add_argument("--errors", choices=("raise", "report"), default="raise",
                        help="stop at the first bad article (raise, default) or report it and train on the rest")
    _add_quiet(parser)
    _add_column_options(parser)
    parser.set_defaults(run=cmd_train_tokenizer, usage_error=parser.error)


def _check_publish_tokenizer(path: str) -> None:
    """A --tokenizer to publish must load and carry the stamp of this normalization (the data's)."""
    from newspairs.hub import _checked_tokenizer
    from newspairs.stamp import normalization_stamp

    tokenizer_file(path)
    _checked_tokenizer(path, normalization_stamp())


def cmd_publish(args: argparse.Namespace, out: TextIO) -> int:
    """Build SOURCE's Hub repository (card, Parquet shards, tokenizer, stamp) and upload it to --repo-id.

    The token comes from HF_TOKEN or `hf auth login`. --license is required (a Hub license
    identifier such as cc-by-4.0, or 'other' with --license-name): newspairs never guesses one.
    Without --tokenizer, a tokenizer is trained on the train split (--model, --vocab-size). Each
    article left out of the data (rejected with --errors report; dropped, as an empty or duplicate
    one, either way) is listed, as export lists it, and the report (newspairs_report.json) is
    published with the card. Data goes first in commits of at most --max-commit-files files /
    --max-commit-size bytes, then the card, report, tokenizer and stamp;
    files already on the Hub with the same content are skipped, so rerunning a failed publish
    resumes it, and a tokenizer trained again from what the published one was trained from keeps the
    published one (training breaks ties at random). --dry-run OUT writes the repository to OUT and
    uploads nothing (the same one but for a tokenizer trained again, whose tie-broken pieces may differ). The license,
    the tokenizer and the output folder are checked before anything is built.

    Example:
      newspairs publish corpus/ --repo-id my-org/corpus-pairs --license cc-by-4.0 --dry-run corpus-repo
      newspairs publish corpus/ --repo-id my-org/corpus-pairs --license cc-by-4.0
    """
    from datasets.utils.py_utils import convert_file_size_to_int

    from newspairs.card import CardOptions, check_other_license
    from newspairs.hub import plan_commits, publish, repository_files
    from newspairs.licenses import check_license
    from newspairs.train import TrainingConfig

    trains = [option for option, value in (("--model", args.model), ("--vocab-size", args.vocab_size)) if value is not None]
    if args.tokenizer is not None and trains:  # the given tokenizer is published as it is: they would be ignored
        raise ValueError(f"{' and '.join(trains)} set{'s' if len(trains) == 1 else ''} how a tokenizer is trained, "
                         f"and --tokenizer {args.tokenizer} gives a trained one, which is published as it is: "
                         "drop one or the other")
    with _naming("--license"):
        check_license(args.license)
    check_other_license(args.license, args.license_name, args.license_link,
                        options=("--license", "--license-name", "--license-link"))
    if args.tokenizer is not None:
        with _naming("--tokenizer"):
            _check_publish_tokenizer(args.tokenizer)
    options = CardOptions(
        license=args.license, repo_id=args.repo_id, pretty_name=args.pretty_name,
        language=tuple(args.language or ("en",)), description=args.description,
        license_name=args.license_name, license_link=args.license_link,
    )
    source, columns = _checked_source(args)
    if args.dry_run is not None:
        _check_creatable(args.dry_run, "--dry-run")
    configs = _configs(args)
    output = BuildOutput(source, configs, columns, show=False if args.quiet else None)
    training = TrainingConfig(model=args.model or TrainingConfig.model,
                              vocab_size=args.vocab_size or TrainingConfig.vocab_size,
                              show_progress=_trainer_progress(args, output))
    max_commit_files, max_commit_bytes = args.max_commit_files, convert_file_size_to_int(args.max_commit_size)
    with output.scoped(), _stdout_to_stderr(), _naming_vocab_size(), _naming_split("", "--tokenizer DIR"):
        build, upload = publish(
            source, options, dry_run=args.dry_run, private=args.private or None, revision=args.revision,
            max_commit_files=max_commit_files, max_commit_bytes=max_commit_bytes, tokenizer=args.tokenizer,
            training=training, configs=configs, max_shard_size=args.max_shard_size, num_proc=args.num_proc,
            errors=args.errors, **columns,
        )
    out.write(build.summary() + "\n")
    _write_rejects(build.reports.values(), out)
    if upload is None:
        plan = plan_commits(repository_files(build.folder), max_files=max_commit_files, max_bytes=max_commit_bytes)
        out.write(f"dry run: nothing uploaded; publishing would make at most {len(plan)} commits to {args.repo_id}\n")
        for number, commit in enumerate(plan, start=1):
            out.write(f"  {number}: {len(commit)} files, {sum(item.size for item in commit):,} bytes\n")
    else:
        out.write(upload.summary() + "\n")
    return 0


def _add_publish(subparsers) -> None:
    from newspairs.hub import DEFAULT_COMMIT_FILES
    from newspairs.train import MAX_VOCAB_SIZE, MODELS, TrainingConfig

    parser = _command_parser(subparsers, "publish", cmd_publish)
    parser.add_argument("source", nargs="+", metavar="SOURCE", help="folder, file or glob (several allowed)")
    parser.add_argument("--repo-id", required=True, metavar="ORG/NAME", help="the dataset repository on the Hub")
    parser.add_argument("--license", required=True, metavar="ID",
                        help="Hub license identifier (cc-by-4.0, mit, other...; checked against the Hub's list); no default")
    parser.add_argument("--license-name", metavar="ID",
                        help="with --license other, required: the license's id (such as my-license-1.0)")
    parser.add_argument("--license-link", metavar="LINK",
                        help="with --license other: its text, a file of the repository (LICENSE) or an http(s) URL")
    parser.add_argument("--private", action="store_true", help="create the repository private (an existing public one is refused, before any commit)")
    parser.add_argument("--revision", metavar="BRANCH", help="branch to commit to (created if absent; default: main)")
    parser.add_argument("--dry-run", metavar="OUT", help="write the repository to OUT and upload nothing")
    parser.add_argument("--max-shard-size", type=_size, default="500MB", metavar="SIZE", help="Parquet shard size (default: 500MB)")
    parser.add_argument("--max-commit-files", type=whole_number(1), default=DEFAULT_COMMIT_FILES, metavar="N",
                        help=f"files per commit (default: {DEFAULT_COMMIT_FILES})")
    parser.add_argument("--max-commit-size", type=_size, default="1GiB", metavar="SIZE", help="bytes per commit (default: 1GiB)")
    parser.add_argument("--tokenizer", metavar="DIR", help="a trained tokenizer folder to publish (default: train one)")
    # no defaults here: given with --tokenizer, they would be ignored, so they are refused (`cmd_publish`)
    parser.add_argument("--model", choices=MODELS,
                        help=f"model of the trained tokenizer (default: {TrainingConfig.model}; not with --tokenizer)")
    parser.add_argument("--vocab-size", type=whole_number(6, MAX_VOCAB_SIZE), metavar="N",
                        help=f"the vocabulary it aims at, as for train-tokenizer (default: {TrainingConfig.vocab_size}; "
                             "not with --tokenizer)")
    parser.add_argument("--pretty-name", metavar="TEXT", help="the card's title (default: NAME of --repo-id)")
    parser.add_argument("--language", action="append", metavar="CODE", help="language code (repeatable; default: en)")
    parser.add_argument("--description", metavar="TEXT", help="what the corpus is (default: a statement of its size)")
    parser.add_argument("--config", action="append", choices=("articles", "lines", "raw"),
                        help="config to publish (repeatable; default: all three, articles first)")
    _add_num_proc(parser)
    parser.add_argument("--errors", choices=("raise", "report"), default="raise",
                        help="stop at the first bad article (raise, default) or report it and go on")
    _add_quiet(parser)
    _add_column_options(parser)
    parser.set_defaults(run=cmd_publish)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    from newspairs import __version__

    engines = []
    for name in ("tokenizers", "datasets"):
        try:
            engines.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            pass
    return f"newspairs {__version__}" + (f" ({', '.join(engines)})" if engines else "")


class _Parser(argparse.ArgumentParser):
    """argparse's parser whose errors are one line naming the option, not the whole usage."""

    commands: dict[str, argparse.ArgumentParser] = {}  # its subcommands' parsers, by name (`_parsed_args`)

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def add_subparsers(self, **kwargs):
        action = super().add_subparsers(**kwargs)
        self.commands = action.choices
        return action


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="newspairs",
        description="Raw/normalized news article pairs: normalize, load, export, publish, feed training.",
        epilog="newspairs COMMAND --help: a command's options and an example.",
    )
    parser.add_argument("--version", action="version", version=_version())
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    _add_normalize(subparsers)
    _add_demo(subparsers)
    _add_export(subparsers)
    _add_verify(subparsers)
    _add_train_tokenizer(subparsers)
    _add_publish(subparsers)
    return parser


def _one_line(error: BaseException) -> str:
    """The message of a user's mistake on one line; an OSError names its file."""
    if isinstance(error, OSError) and error.filename is not None:
        names = f"{error.filename}" + (f" -> {error.filename2}" if error.filename2 is not None else "")
        text = f"{names}: {error.strerror or error}"
    else:
        text = str(error) or type(error).__name__
    return " | ".join(part.strip() for part in text.splitlines() if part.strip())


def _parsed_args(parser: _Parser, argv: list[str]) -> argparse.Namespace:
    """``argv`` parsed, a command's options allowed between its paths (``export a.txt --errors report
    b.txt OUT``): `parse_args` takes a run of positionals at once, so a path after an option is left
    over. Only then does the command's own parser parse again, intermixed (`parse_intermixed_args`
    refuses a parser with subcommands): what `parse_args` reads alone, it reads as before, its
    errors too (intermixed parsing checks options before paths, and drops a ``--``, after which
    a path starting with ``-`` would be read as an option)."""
    command = parser.commands.get(argv[0]) if argv else None
    if command is None or "--" in argv:  # --help, --version, no command or an unknown one; or `--`
        return parser.parse_args(argv)
    args, left_over = command.parse_known_args(argv[1:])
    return command.parse_intermixed_args(argv[1:]) if left_over else args


class Terminated(KeyboardInterrupt):
    """SIGTERM (``timeout``, ``docker stop``, Slurm) in the process that runs a command: unwound as
    Ctrl-C is, so that an export removes its staging folder."""


_SIGTERM_RECEIVED = threading.Event()


def _unwinding() -> bool:
    return getattr(signal.getsignal(signal.SIGTERM), "newspairs_unwinds", False)


# A forked worker (--num-proc, datasets' pool) must die of SIGTERM at once, as the pool's own
# terminate() expects. With the unwinding handler inherited, a SIGTERM landing before the child
# reset it was taken by the handler and dropped: the worker lived on, and Pool.terminate() waited
# for it for ever (`newspairs.forks`).
hold_over_fork(signal.SIGTERM, _unwinding, lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))


@contextmanager
def _sigterm_unwinds():
    """Within the block, SIGTERM raises `Terminated` in this process; a worker forked meanwhile
    (``--num-proc``) still dies of it at once, as before. Left alone when a handler is already set."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return
    pid = os.getpid()

    def terminated(signum, frame):
        if os.getpid() != pid:  # a forked worker
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        _SIGTERM_RECEIVED.set()
        raise Terminated

    terminated.newspairs_unwinds = True

    _SIGTERM_RECEIVED.clear()
    signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def main(argv: list[str] | None = None) -> int:
    """Run one command; a user's mistake (`ValueError`, `OSError`) is one line on standard error and exit 1."""
    try:
        args = _parsed_args(build_parser(), sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:  # parsing imports datasets: seconds on a loaded machine
        print("newspairs: interrupted", file=sys.stderr)
        return 130
    except SystemExit:  # --help, --version, a usage error: argparse wrote and exits
        try:
            if sys.stdout is not None:
                sys.stdout.flush()  # here: '--help | true' failed at exit, with a traceback and 120
        except OSError:
            _drop_stdout()
        raise
    if sys.stdout is None:  # started with file descriptor 1 closed (>&-): Python gives no stream at all
        print("newspairs: error: standard output is closed; the results go there", file=sys.stderr)
        return 1
    _utf8_stdout()
    out = _NamedStdout(sys.stdout)
    code = None
    try:
        with _sigterm_unwinds():
            code = args.run(args, out)
            out.flush()  # here, not at exit: a full disk under '> out.txt' is the command's error
            return code
    except BrokenPipeError:  # the reader went away (| head): not an error, and a verdict made stands
        _drop_stdout()
        return 0 if code is None else code
    except KeyboardInterrupt as stop:
        # a library that catches the interrupt and raises one of its own (Ray's) loses `Terminated`
        if isinstance(stop, Terminated) or _SIGTERM_RECEIVED.is_set():
            print("newspairs: terminated", file=sys.stderr)
            return 143
        print("newspairs: interrupted", file=sys.stderr)
        return 130
    except (ValueError, OSError) as error:
        if getattr(error, "reports", None):  # a build that left nothing (NothingToError): every reject, as a report lists them
            try:
                _write_rejects(error.reports, out)
                out.flush()
            except OSError:  # the error below is the command's; standard output's own is dropped with it
                out.failed = True
        print(f"newspairs: error: {_one_line(error)}", file=sys.stderr)
        if out.failed:  # what it still holds would fail again at exit, with a traceback
            _drop_stdout()
        return 1


def _utf8_stdout() -> None:
    """Standard output in UTF-8 whatever the locale (a Latin-1 locale, PYTHONIOENCODING, Windows'
    code page): newspairs reads UTF-8, and ``newspairs normalize raw.txt > normalized.txt`` writes a
    twin it must read back."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if encoding != "utf8" and hasattr(sys.stdout, "reconfigure"):
        try:
            sys.stdout.reconfigure(encoding="utf-8")
        except (ValueError, OSError):  # a stream that cannot change its encoding: left as it is
            pass


class _NamedStdout:
    """Standard output as a command writes to it, whose write errors name it: a write to a full disk
    or to /dev/full raises an OSError of no file name, which said only 'No space left on device'."""

    NAME = "standard output"

    def __init__(self, stream: TextIO):
        self._stream = stream
        self.failed = False

    def write(self, text: str) -> int:
        return self._named(self._stream.write, text)

    def writelines(self, lines) -> None:
        self._named(self._stream.writelines, lines)

    def flush(self) -> None:
        self._named(self._stream.flush)

    def _named(self, call, *args):
        try:
            return call(*args)
        except BrokenPipeError:  # the reader went away: main's own case
            raise
        except OSError as error:
            self.failed = True
            raise (error if error.filename is not None else OSError(error.errno, error.strerror, self.NAME)) from None

    def __getattr__(self, name: str):  # fileno, isatty, buffer, encoding: the stream's own
        return getattr(self._stream, name)


def _drop_stdout() -> None:
    """After a broken pipe, point standard output at /dev/null so that the flush at exit does not fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
