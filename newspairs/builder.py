"""The `datasets.ArrowBasedBuilder` of newspairs: configs, features, splits, and the build report.

Public names (stable; the export and card helpers use them):

- `NewsPairs`: the builder; `NewsPairsConfig`: its dataclass config; `CONFIG_NAMES`.
- `load(source=None, config="articles", split=None, streaming=False, num_proc=None, ...)`.
- `prepare(source=None, config="articles", ...) -> NewsPairs`: a builder whose cache is built.
- `NewsPairs.report() -> BuildReport`: what was read, written and rejected, and why.
- `builder_hash(inputs)`: the cache key (builder code + rule table + the input files' identity).

Configs:

- ``articles`` (default): ``id``, ``raw``, ``normalized`` (the stored side, null when the source
  has none), ``agrees`` (stored side == ``newspairs.normalize(raw)``; null without a stored side),
  ``source_file`` and the source's metadata columns.
- ``lines``: one row per aligned line pair, ``article_id``, ``line`` (from 1), ``raw``,
  ``normalized`` (the stored side, or computed when the source has none); blank lines are kept.
- ``raw``: ``id``, ``raw``, ``normalized`` computed by the tokenizer, ``source_file``, metadata.

Splits come from a stable hash of the article id (`newspairs.sources.split_of`), so an article never
changes split when others are added; a line row goes where its article goes. Generation reads
article by article, normalizes in small batches, and makes each batch one `pyarrow` table in the
config's features (as `datasets`' own json/csv/text builders yield tables), so memory depends on
the largest article, not on the corpus. `datasets` generates one split after the other; each input
file is read once per build: the first split's pass writes the tables of the later splits to
spill files beside the build, which their passes replay (a pass that finds no spill of its own
inputs, as in streaming, reads the files and keeps its own articles).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import numbers
import os
import shutil
import signal
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any, Optional, Union

import datasets
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from datasets.builder import Key
from datasets.features.features import encode_nested_example
from datasets.download.streaming_download_manager import StreamingDownloadManager

from newspairs import sources
from newspairs.forks import hold_over_fork
from newspairs.normalize import line_slices, normalize_batch
from newspairs.sources import Article, InputFile, ReadOptions, Reject, SourceError, check_column_options, counted, read_input, resolve_source, split_router

logger = logging.getLogger(__name__)

CONFIG_NAMES = ("articles", "lines", "raw")
SPLIT_NAMES = ("train", "validation", "test")
ERRORS = ("raise", "report")
REPORT_PREFIX = "newspairs-report-"
SPILL_PREFIX = "newspairs-spill-"

# Articles per batch (one normalization call, one table): each batch pays fixed costs (a table, a
# write, the normalizer's choices per call), so short articles go in large batches; the text held
# is bounded by characters (larger batches gained nothing more, and ran slower side by side).
BATCH_ARTICLES = 1024
BATCH_CHARS = 1 << 18  # 256 KiB of raw text

# Rows per record batch `datasets` writes (by count, not bytes): with whole articles as rows, its
# default of 1000 would put up to 1000 articles in one record batch (a one-file article can be MBs).
ARTICLE_ROWS_PER_WRITE = 64

# Line rows per table: a large article (the Reuters-21578 text read as one file is 370,000 lines)
# is written in parts rather than held as one table beside its lines.
LINE_ROWS_PER_TABLE = 1 << 15
# an article's raw text longer than this is cut into runs of whole lines of about this much for its
# line rows: each normalized and tabled in turn
LINE_RUN_CHARS = 1 << 20

_DESCRIPTIONS = {
    "articles": "One row per article: raw, stored normalized side, whether it agrees with newspairs.normalize, metadata.",
    "lines": "One row per aligned line pair (article_id, line, raw, normalized): the shape a seq2seq model trains on.",
    "raw": "One row per article: raw, and the normalized side computed by newspairs' tokenizer.",
}


@dataclass
class NewsPairsConfig(datasets.BuilderConfig):
    """BuilderConfig for newspairs.

    Args:
        source (`str` or `tuple[str]`, *optional*): a folder, a file, a glob, or several of them
            (see `newspairs.sources`); None is the embedded default data.
        raw_column (`str`, defaults to ``"raw"``): tabular files' raw column (ISOT: ``text``).
        normalized_column (`str`, defaults to ``"normalized"``): tabular files' optional stored normalized column.
        errors (`str`, defaults to ``"raise"``): ``"raise"`` stops at the first bad article with a
            `ValueError` naming file, article and line; ``"report"`` sets it aside in the build
            report (`NewsPairs.report()`) and goes on.
        split_ratios (`tuple[float, float, float]`, defaults to ``(0.8, 0.1, 0.1)``): train,
            validation, test weights; a split of weight 0 is not generated.
        sentences (`str`, *optional*): split each article's raw text into sentences, one per line,
            with this splitter (``"punkt"``: `newspairs.sentences`) before anything else; None: lines as given.
        text_articles (`str`, defaults to ``"file"``): a ``.txt`` file is one article (``"file"``), or
            many separated by blank lines (``"blank-line"``), each with its own id and split.
        part_bytes (`int`, defaults to `newspairs.sources.DEFAULT_PART_BYTES`, 64 MiB): with
            ``num_proc`` > 1, a large ``.jsonl`` or Parquet file is read in parts of at most about
            this size, as many as an even share per worker needs, none under a quarter of it
            (`newspairs.sources.split_inputs`); the rows are the same whatever the size.
    """

    source: Optional[Union[str, tuple[str, ...]]] = None
    raw_column: str = "raw"
    normalized_column: str = "normalized"
    errors: str = "raise"
    split_ratios: tuple[float, float, float] = (0.8, 0.1, 0.1)
    sentences: Optional[str] = None
    text_articles: str = "file"
    part_bytes: int = sources.DEFAULT_PART_BYTES

    def __post_init__(self):
        super().__post_init__()
        self.validate()

    def validate(self) -> None:
        """Raise `ValueError` for an option out of range (also run on a predefined config's overrides)."""
        if self.errors not in ERRORS:
            raise ValueError(f"errors must be one of {ERRORS}, got {self.errors!r}")
        ratios = tuple(self.split_ratios) if isinstance(self.split_ratios, (tuple, list)) else ()
        # NaN compares false either way and an infinite weight (or sum) leaves the others none:
        # each weight a finite number >= 0, their sum finite and above 0
        weights = all(isinstance(r, numbers.Real) and not isinstance(r, bool) and math.isfinite(r) and r >= 0 for r in ratios)
        if len(ratios) != len(SPLIT_NAMES) or not weights or not 0 < sum(ratios) < math.inf:
            raise ValueError(f"split_ratios must be three finite weights >= 0 (train, validation, test), got {self.split_ratios!r}")
        self.split_ratios = ratios
        if self.text_articles not in sources.TEXT_ARTICLES:
            raise ValueError(f"text_articles must be one of {sources.TEXT_ARTICLES}, got {self.text_articles!r}")
        if isinstance(self.part_bytes, bool) or not isinstance(self.part_bytes, int) or self.part_bytes < 1:
            raise ValueError(f"part_bytes must be a whole number of bytes >= 1, got {self.part_bytes!r}")


_CONFIG_FIELDS = {f.name: f for f in dataclasses.fields(NewsPairsConfig)}


def features_for(config_name: str, metadata: dict[str, Any]) -> datasets.Features:
    """The features of a config, given the source's metadata features."""
    string = datasets.Value("string")
    if config_name == "lines":
        return datasets.Features(
            {"article_id": string, "line": datasets.Value("int32"), "raw": string, "normalized": string}
        )
    columns: dict[str, Any] = {"id": string, "raw": string, "normalized": string}
    if config_name == "articles":
        columns["agrees"] = datasets.Value("bool")
    columns["source_file"] = string
    columns.update(metadata)
    return datasets.Features(columns)


def _file_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


# the modules whose code shapes a build's rows (newspairs.pieces: the normalization by kept pieces)
CODE_IN_CACHE_KEY = (
    __name__, "newspairs.sources", "newspairs.sentences", "newspairs.normalize", "newspairs.pieces", "newspairs.tokenizer",
)


def builder_hash(inputs: Sequence[InputFile], sentences: Optional[str] = None) -> str:
    """The cache key of a build: the code of the modules that shape its rows (`CODE_IN_CACHE_KEY`), the
    normalization's rule table, the sentence splitter's identity (when one splits), and each input
    file's identity (`newspairs.sources.source_identity`: a small file by its content, a large one by
    its size, times and inode). Any change makes a fresh build."""
    from newspairs.sentences import record as sentence_record
    from newspairs.stamp import rules_hash

    digest = hashlib.sha256()
    for module in CODE_IN_CACHE_KEY:
        digest.update(_file_bytes(import_module(module).__file__))
    digest.update(rules_hash().encode())
    if sentences is not None:  # a new splitter or model version must not be served a stale split
        digest.update(json.dumps(sentence_record(sentences), sort_keys=True).encode())
    digest.update(json.dumps(sources.source_identity(inputs)).encode())
    return digest.hexdigest()[:16]


def _canonical_source(source: Any) -> Union[str, tuple[str, ...], None]:
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if source is not None and not isinstance(source, str):
        source = sources.source_entries(source)  # a generator read once, here
        if len(source) == 1:
            source = source[0]  # a list of one entry names what the entry names
    if source is None or isinstance(source, str):
        source = source if source is None else _spelled_once(source)
        # `datasets` writes a str option into the config's id as UTF-8: a name that is not UTF-8 (its
        # bytes escaped by os as lone surrogates) goes as a one-entry tuple, which it hashes instead
        return (source,) if isinstance(source, str) and sources.shown_name(source) != source else source
    return tuple(_spelled_once(entry) for entry in source)


def _spelled_once(entry: str) -> str:
    """A source entry without what names the same path again (``data/``, ``./data``: ``data``), so
    that `datasets`, which names the cache folder after the source as given, finds one build."""
    while entry.startswith("./") and len(entry) > 2:
        entry = entry[2:].lstrip("/")
    return entry.rstrip("/") or entry[:1]  # "/" stays the root


def _is_default(name: str, value: Any) -> bool:
    """Whether config option ``name`` is given at `NewsPairsConfig`'s default (a list of split
    ratios as its tuple; an option not of the config is never)."""
    field_ = _CONFIG_FIELDS.get(name)
    if field_ is None or field_.default is dataclasses.MISSING or name == "source":
        return False
    default = field_.default
    if isinstance(value, list) and isinstance(default, tuple):
        value = tuple(value)
    return type(value) is type(default) and value == default


@dataclass
class BuildReport:
    """What one build read, wrote and rejected.

    ``read`` articles (every article a source file holds, readable or not) reconcile as
    ``read == written + rejected``; ``written`` are the articles that made it into the dataset
    (for ``lines``, ``rows`` counts their line rows). ``disagree`` counts stored normalized sides
    that differ from ``newspairs.normalize(raw)`` (``articles`` config only; None elsewhere).
    """

    config: str
    read: int = 0
    written: int = 0
    rejected: int = 0
    rows: int = 0
    stored: int = 0
    disagree: Optional[int] = None
    rejects: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def empty(cls, config: str) -> "BuildReport":
        """A report of nothing yet for ``config`` (``disagree`` counted for ``articles`` only)."""
        return cls(config=config, disagree=0 if config == "articles" else None)

    @property
    def reconciles(self) -> bool:
        return self.read == self.written + self.rejected

    def add(self, counts: Mapping[str, Any]) -> None:
        """Add another report's counts (``to_dict()``, or that read back from JSON), not its rejects;
        ``disagree`` stays None where either is None."""
        self.read += counts["read"]
        self.written += counts["written"]
        self.rejected += counts["rejected"]
        self.rows += counts["rows"]
        self.stored += counts["stored"]
        if self.disagree is not None and counts["disagree"] is not None:
            self.disagree += counts["disagree"]

    def summary(self) -> str:
        text = f"{self.config}: {counted(self.read, 'article')} read = {self.written} written + {self.rejected} rejected"
        text += "" if self.reconciles else " (DOES NOT RECONCILE)"
        if self.config == "lines":
            text += f"; {counted(self.rows, 'line row')}"
        if self.disagree is not None:
            text += f"; {self.disagree} of {self.stored} stored normalized sides disagree with newspairs.normalize"
        return text

    def nothing_to(self, what: str, source: Any) -> NothingToError:
        """The error of a build that left no article ``what`` (``"export"``, ``"train on"``): the
        source, the counts and the first reject as a build error names it; the report holds the rest."""
        first = ""
        if self.rejects:
            reject = self.rejects[0]
            first = f"; the first: {SourceError(reject['file'], reject['article'], reject['line'], reject['reason'])}"
        if source is None:
            where = "the default data"
        elif isinstance(source, (list, tuple)):
            where = ", ".join(map(str, source))
        else:
            where = str(source)
        return NothingToError(f"{where}: no article to {what} ({self.read} read, {self.rejected} rejected{first})", [self])

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": self.config, "read": self.read, "written": self.written, "rejected": self.rejected,
            "rows": self.rows, "stored": self.stored, "disagree": self.disagree, "reconciles": self.reconciles,
            "rejects": self.rejects,
        }


class NothingToError(ValueError):
    """A build that left no article to export or train on; ``reports``: the build reports, whose
    rejects say why each article was left out (the command line lists them before the error)."""

    def __init__(self, message: str, reports: Sequence[BuildReport] = ()):
        super().__init__(message)
        self.reports = list(reports)


class NewsPairs(datasets.ArrowBasedBuilder):
    """Raw/normalized news article pairs (see the module docstring for configs and splits).

    ``NewsPairs(config_name="lines", source="corpus/", errors="report")``; with ``hash=None`` the
    cache key is `builder_hash` of the source, so a changed builder, rule table or input file is
    never served from a stale cache.
    """

    BUILDER_CONFIG_CLASS = NewsPairsConfig
    BUILDER_CONFIGS = [NewsPairsConfig(name=name, description=_DESCRIPTIONS[name]) for name in CONFIG_NAMES]
    DEFAULT_CONFIG_NAME = "articles"

    def __init__(self, *args, source: Any = None, hash: Optional[str] = None, dataset_name: str = "newspairs",
                 prepass_workers: Optional[int] = None, **kwargs):
        source = _canonical_source(source)
        self._inputs = resolve_source(source)
        check_column_options(self._inputs, kwargs.get("raw_column"), kwargs.get("normalized_column"))
        # `datasets` names the cache folder after the options given: one given at its default (as
        # `load` gives errors, and the command line every option) built the same data again, elsewhere
        kwargs = {name: value for name, value in kwargs.items() if not _is_default(name, value)}
        # the build's num_proc, known before `_info`: the reading before the build runs in that many processes
        self._prepass_workers = prepass_workers or 1
        if source is not None:
            kwargs["source"] = source
        info = kwargs.pop("info", None)
        # `datasets` asks `_info` before it looks in the cache; the info of a JSON source costs a
        # read of every record (the metadata types), so it is asked only when the cache holds no
        # finished build (else `datasets` takes the info the build stored)
        super().__init__(*args, hash=hash or builder_hash(self._inputs, kwargs.get("sentences")), dataset_name=dataset_name,
                         info=info or datasets.DatasetInfo(), **kwargs)
        if info is None and not os.path.exists(os.path.join(self._cache_dir, datasets.config.DATASET_INFO_FILENAME)):
            scanned = self._info()
            self.info.description = scanned.description
            self.info.features = self.info.features or scanned.features
        if self._writer_batch_size is None and self.config.name != "lines":
            self._writer_batch_size = ARTICLE_ROWS_PER_WRITE

    def _create_builder_config(self, *args, **kwargs):
        # `datasets` sets overrides on a copy of a predefined config without re-running __post_init__
        config, config_id = super()._create_builder_config(*args, **kwargs)
        config.validate()
        return config, config_id

    @property
    def inputs(self) -> list[InputFile]:
        return list(self._inputs)

    def _read_options(self) -> ReadOptions:
        return ReadOptions(raw_column=self.config.raw_column, normalized_column=self.config.normalized_column,
                           sentences=self.config.sentences, text_articles=self.config.text_articles)

    def _prepass(self, workers: int) -> None:
        """The reading `scan_metadata` and `split_inputs` need, by file and part, in ``workers`` processes."""
        if workers > 1:
            sources.prepass(self._inputs, self._read_options(), self.config.part_bytes, workers, _pool_map(workers))

    def _info(self) -> datasets.DatasetInfo:
        self._prepass(getattr(self, "_prepass_workers", 1))
        metadata, self._json_types = sources.scan_metadata(self._inputs, self._read_options())
        return datasets.DatasetInfo(
            description=_DESCRIPTIONS[self.config.name], features=features_for(self.config.name, metadata)
        )

    def _source_json_types(self) -> dict[str, dict[str, str]]:
        """Each JSON file's metadata types, read from the source when `_info` was not asked (a cached build)."""
        if not hasattr(self, "_json_types"):
            _, self._json_types = sources.scan_metadata(self._inputs, self._read_options())
        return self._json_types

    def _split_generators(self, dl_manager):
        # Streaming has no output folder: rejects are logged instead of written to a report.
        report_dir = None if isinstance(dl_manager, StreamingDownloadManager) else self._output_dir
        # With num_proc, `datasets` re-raises a worker's error without its cause: the first bad
        # article is also written beside the build, for `source_errors` to raise it whole.
        self._error_path = None if report_dir is None else f"{report_dir}.newspairs-error.json"
        ratios = tuple((name, ratio) for name, ratio in zip(SPLIT_NAMES, self.config.split_ratios) if ratio > 0)
        inputs = list(self._inputs)
        workers = getattr(self, "_num_proc", None) or 1
        if report_dir is not None and workers > 1:  # `datasets` gives each worker a share of the inputs: parts of a large file too
            self._prepass(workers)  # done in `_info` when `prepare` knew the workers; else here
            inputs = sources.split_inputs(inputs, self._read_options(), self._source_json_types(),
                                          self.config.part_bytes, workers)
        self._source_json_types()  # here, before `datasets` hands the builder to its workers
        if self._error_path is not None:
            _remove_errors(self._error_path)  # a killed earlier build's, never this one's
        return [
            datasets.SplitGenerator(
                name=name,
                # `datasets` gives each worker a run of consecutive inputs, and "orders" alongside:
                # where each input stands in the source
                gen_kwargs={"inputs": inputs, "orders": list(range(len(inputs))), "split": name, "ratios": ratios,
                            "report_dir": report_dir, "error_path": self._error_path},
            )
            for name, _ in ratios
        ]

    def _download_and_prepare(self, dl_manager, verification_mode, **prepare_split_kwargs):
        self._num_proc = prepare_split_kwargs.get("num_proc")  # _split_generators cuts large files for the workers
        _clear_killed_build(self._output_dir)
        # the source decides the splits: a rebuild over a cached build (force_redownload) is not held
        # to the splits that build kept (it left out an empty split, which `datasets` then finds "unexpected")
        self.info.splits = None
        try:
            # here, not only in `prepare`: a builder used as `datasets` uses one (download_and_prepare)
            # raises the bad article's SourceError as itself too, and leaves no error record behind
            with source_errors(self):
                super()._download_and_prepare(dl_manager, verification_mode, **prepare_split_kwargs)
                if self._workers_defer_errors():
                    _raise_first_error(self._error_path)
        finally:  # a spill no pass replayed (another num_proc partition of the inputs) is not kept
            for leftover in Path(self._output_dir).glob(f"{SPILL_PREFIX}*"):
                leftover.unlink()
        # A split no article hashed into has nothing to read (`datasets` cannot load a split of no
        # data): it is left out, as `load_dataset` of the export leaves it out.
        for name in [name for name, split in self.info.splits.items() if not split.num_examples]:
            del self.info.splits[name]

    def _generate_shards(self, inputs, split, ratios, report_dir, error_path=None, orders=None):
        yield from (item.describe() for item in inputs)

    def _workers_defer_errors(self) -> bool:
        """Whether this build's workers record their first bad article and stop, for the caller to
        raise the first in source order once they all have (a prepared build with ``num_proc``)."""
        return getattr(self, "_error_path", None) is not None and (getattr(self, "_num_proc", None) or 1) > 1

    def _generate_tables(self, inputs, split, ratios, report_dir, error_path=None, orders=None):
        orders = range(len(inputs)) if orders is None else orders
        if self._workers_defer_errors() and orders and _recorded_errors(error_path, before=orders[0]):
            return  # a bad article before these inputs is recorded: the build raises that one, these need no reading
        if report_dir is not None and (spilled := _Spill(report_dir, split, inputs)).exists():
            stats = yield from spilled.replay()
        else:
            stats = yield from self._read_tables(inputs, orders, split, ratios, report_dir, error_path)
        if report_dir is not None:
            _write_report(report_dir, split, inputs, stats)

    def _read_tables(self, inputs, orders, split, ratios, report_dir, error_path):
        """Read ``inputs`` and yield this split's tables; with an output folder, spill the later splits'.

        A worker of a build with ``num_proc`` records its first bad article under its input's place
        in the source and stops, as it does once a bad article earlier in the source is recorded: the
        caller raises the first in source order, which one process would have met first.
        """
        defer = self._workers_defer_errors()
        config, features = self.config, self.info.features
        schema = features.arrow_schema  # a property that builds the schema anew at each call
        options = self._read_options()
        json_types = self._source_json_types()
        names = [name for name, _ in ratios]
        targets = names[names.index(split):] if report_dir is not None else [split]
        stats = {name: BuildReport.empty(config.name) for name in targets}
        spills = {name: _Spill(report_dir, name, inputs) for name in targets[1:]}
        # held by the frame: a stream left open at exit closes this generator after the module's
        # names are gone, and `except SourceError` would then raise a TypeError of its own
        source_error = SourceError
        try:
            for shard, (item, order) in enumerate(zip(inputs, orders)):
                item_error_path = f"{error_path}.{order:09d}" if defer else error_path
                entries = read_input(item, options, json_types.get(item.path))
                index = 0
                try:
                    for name, batch in _routed_batches(entries, ratios, stats, config.errors, item_error_path):
                        if defer and _recorded_errors(error_path, before=order):
                            return stats[split]
                        for table in _tables(config.name, batch, stats[name], features, schema):
                            if name != split:
                                spills[name].write(shard, table)
                                continue
                            yield Key(shard, index), table
                            index += 1
                            stats[split].rows += table.num_rows
                except source_error:
                    if defer and os.path.exists(item_error_path):
                        return stats[split]
                    raise
            for name, spill in spills.items():
                spill.close(stats[name])
        finally:
            for spill in spills.values():
                spill.abandon()
        return stats[split]

    def report(self) -> BuildReport:
        """The build report of this builder's prepared data (after `download_and_prepare`, in its output folder)."""
        return read_report(self._output_dir, self.config.name, self.info)


def _clear_killed_build(folder: str) -> None:
    """Empty the ``.incomplete`` folder `datasets` builds in, of what a killed build left there.

    `datasets` reuses the folder and removes it only when a build ends in Python; a build killed
    outright leaves its files. Its reports, named by the workers that wrote them, would be summed
    with this build's (another ``num_proc`` names them otherwise: counts that never reconcile,
    every reject twice) and its shards carried into the cache. Nothing of this build is there yet:
    `datasets` writes nothing before calling `_download_and_prepare`, and holds the cache's lock.
    """
    if not folder.endswith(".incomplete"):  # a remote file system builds in place: nothing to tell apart
        return
    for entry in os.scandir(folder):
        if entry.is_file(follow_symlinks=False) or entry.is_symlink():
            os.remove(entry.path)
        elif entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)


def _accepted(entry: Article | Reject, errors: str, stats: BuildReport, error_path: Optional[str] = None) -> Optional[Article]:
    """``entry`` counted in ``stats``: the article, or None for a reject (reported, or raised)."""
    stats.read += 1
    if isinstance(entry, Reject):
        if errors == "raise" and not entry.dropped:  # a dropped article (empty, duplicate) is counted, never fatal
            _record_error(error_path, entry)
            raise entry.error()
        stats.rejected += 1
        stats.rejects.append(entry.to_dict())
        logger.warning("newspairs: rejected %s", entry.error())
        return None
    stats.written += 1
    if entry.normalized is not None:
        stats.stored += 1
    return entry


def _routed_batches(entries, ratios, stats: dict[str, BuildReport], errors: str, error_path: Optional[str]) -> Iterator[tuple[str, list[Article]]]:
    """(split, batch) for the splits in ``stats``, each batch at most `BATCH_ARTICLES` articles or
    `BATCH_CHARS` characters of raw text (or one larger article); other splits' entries are skipped."""
    pending: dict[str, list[Article]] = {name: [] for name in stats}
    sizes = dict.fromkeys(stats, 0)
    route = split_router(ratios)
    for entry in entries:
        name = route(entry.id)
        if name not in stats:
            continue
        article = _accepted(entry, errors, stats[name], error_path)
        if article is not None:
            pending[name].append(article)
            sizes[name] += len(article.raw)
        if len(pending[name]) >= BATCH_ARTICLES or sizes[name] >= BATCH_CHARS:
            yield name, pending[name]
            pending[name], sizes[name] = [], 0
    for name, batch in pending.items():
        if batch:
            yield name, batch


def _record_error(error_path: Optional[str], reject: Reject) -> None:
    if error_path is None:
        return
    try:
        with open(error_path, "x", encoding="utf-8") as handle:  # the first worker's error wins
            json.dump(reject.to_dict(), handle)
    except FileExistsError:
        pass


def _recorded_errors(error_path: str, before: Optional[int] = None) -> list[str]:
    """The bad articles workers recorded (`_read_tables`), first in source order first; with
    ``before``, those of inputs before that place in the source only."""
    folder, name = os.path.split(error_path)
    try:
        names = os.listdir(folder or ".")
    except FileNotFoundError:
        return []
    found = sorted(entry for entry in names if entry.startswith(f"{name}.") and entry[len(name) + 1:].isdigit())
    if before is not None:
        found = [entry for entry in found if int(entry[len(name) + 1:]) < before]
    return [os.path.join(folder, entry) for entry in found]


def _remove_errors(error_path: str) -> None:
    for path in _recorded_errors(error_path):
        os.remove(path)


def _raise_first_error(error_path: str) -> None:
    """Raise the first bad article in source order the workers recorded, if any, and remove the records."""
    recorded = _recorded_errors(error_path)
    if not recorded:
        return
    with open(recorded[0], encoding="utf-8") as handle:
        data = json.load(handle)
    _remove_errors(error_path)
    raise SourceError(data["file"], data["article"], data["line"], data["reason"])


def _computed(batch: list[Article], needed) -> list[Optional[str]]:
    """``newspairs.normalize(raw)`` for the articles that need it (one tokenizer call for the batch)."""
    wanted = [i for i, article in enumerate(batch) if needed(article)]
    out: list[Optional[str]] = [None] * len(batch)
    for i, normalized in zip(wanted, normalize_batch([batch[i].raw for i in wanted])):
        out[i] = normalized
    return out


def _column(feature: Any, values: list[Any], arrow_type: pa.DataType) -> pa.Array:
    """One column of a batch in its feature's Arrow type (a metadata feature encoded as `datasets` would)."""
    if not isinstance(feature, datasets.Value):  # ClassLabel names to ids, nested features
        # a null stays null (`encode_nested_example` refuses one for a top-level struct): a null
        # cell of a nullable struct column, or a file without the column
        values = [None if value is None else encode_nested_example(feature, value) for value in values]
    return pa.array(values, type=arrow_type)


def _line_tables(batch: list[Article], features: datasets.Features, schema: pa.Schema,
                 computed: Optional[list[str]] = None) -> Iterator[pa.Table]:
    """The line rows of a batch, at most `LINE_ROWS_PER_TABLE` rows a table.

    Each article's raw text and normalization (its stored side, else ``computed``, else normalized
    here with the batch's other articles) are cut at their line breaks in Arrow, not line by line in
    Python; an article longer than `LINE_RUN_CHARS` goes in runs of whole lines of about that
    much, each normalized and tabled in turn, so memory does not grow with one article's size.
    """
    runs: list[tuple[int, int, str, Optional[str]]] = []  # (article, its first line, raw lines, their normalization)
    for index, article in enumerate(batch):
        given = article.normalized if article.normalized is not None else None if computed is None else computed[index]
        if len(article.raw) <= LINE_RUN_CHARS:
            runs.append((index, 1, article.raw, given))
            continue
        raws = list(line_slices(article.raw, LINE_RUN_CHARS))
        counts = [raw.count("\n") + 1 for raw in raws]
        givens = [None] * len(raws) if given is None else _runs_of_lines(given, counts)
        first = 1
        for raw, count, normalized in zip(raws, counts, givens):
            runs.append((index, first, raw, normalized))
            first += count
    group: list[tuple[int, int, str, Optional[str]]] = []
    size = 0
    for run in runs:
        group.append(run)
        size += len(run[2])
        if size >= LINE_RUN_CHARS:
            yield from _run_tables(batch, group, schema)
            group, size = [], 0
    if group:
        yield from _run_tables(batch, group, schema)


def _runs_of_lines(text: str, counts: list[int]) -> list[str]:
    """``text`` cut into runs of ``counts`` lines (the line breaks between runs left out)."""
    lines = text.split("\n")
    if len(lines) != sum(counts):  # a stored side's lines are counted when read; normalization keeps them
        raise RuntimeError(f"an article's normalization has {len(lines)} lines where its raw text has {sum(counts)}")
    out, start = [], 0
    for count in counts:
        out.append("\n".join(lines[start : start + count]))
        start += count
    return out


def _run_tables(batch: list[Article], runs: list[tuple[int, int, str, Optional[str]]], schema: pa.Schema) -> Iterator[pa.Table]:
    """The line rows of ``runs`` of whole lines (`_line_tables`), the missing normalizations made together."""
    normalized = [run[3] for run in runs]
    missing = [position for position, text in enumerate(normalized) if text is None]
    for position, text in zip(missing, normalize_batch([runs[position][2] for position in missing])):
        normalized[position] = text
    raw_lines = pc.split_pattern(pa.array([run[2] for run in runs], pa.string()), "\n")
    normalized_lines = pc.split_pattern(pa.array(normalized, pa.string()), "\n")
    if not raw_lines.offsets.equals(normalized_lines.offsets):  # as above
        raise RuntimeError("an article's normalization has another number of lines than its raw text")
    owners = pc.list_parent_indices(raw_lines)
    positions = owners.to_numpy()
    firsts = np.array([run[1] for run in runs], dtype=np.int64)
    numbers = np.arange(len(positions), dtype=np.int64) - raw_lines.offsets.to_numpy()[:-1][positions] + firsts[positions]
    table = pa.Table.from_arrays(
        [pa.array([batch[run[0]].id for run in runs], pa.string()).take(owners), pa.array(numbers.astype(np.int32)),
         raw_lines.flatten(), normalized_lines.flatten()],
        schema=schema,
    )
    for start in range(0, table.num_rows, LINE_ROWS_PER_TABLE):
        yield table.slice(start, LINE_ROWS_PER_TABLE)


def _article_columns(config_name: str, batch: list[Article], computed: list[Optional[str]], stats: BuildReport) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {"id": [a.id for a in batch], "raw": [a.raw for a in batch]}
    if config_name == "articles":
        columns["normalized"] = [a.normalized for a in batch]
        columns["agrees"] = [None if a.normalized is None else a.normalized == c for a, c in zip(batch, computed)]
        stats.disagree += columns["agrees"].count(False)
    else:
        columns["normalized"] = computed
    columns["source_file"] = [a.source_file for a in batch]
    return columns


def _needs_computing(config_name: str, article: Article) -> bool:
    if config_name == "articles":  # to say whether the stored side agrees
        return article.normalized is not None
    return True  # raw


def _tables(config_name: str, batch: list[Article], stats: BuildReport, features: datasets.Features, schema: pa.Schema,
            computed: Optional[list[str]] = None) -> Iterator[pa.Table]:
    """The config's rows of a batch of articles as `pyarrow` tables of ``schema`` (``features``').

    ``computed``: ``normalize_batch`` of every article's raw text, where the caller made it for
    several configs at once (the Ray export); else each config normalizes what it needs.
    """
    if config_name == "lines":
        yield from _line_tables(batch, features, schema, computed)
        return
    if computed is None:
        computed = _computed(batch, lambda article: _needs_computing(config_name, article))
    columns = _article_columns(config_name, batch, computed, stats)
    for name in features:
        if name not in columns:  # a metadata column; null where the article's file has none
            columns[name] = [article.metadata.get(name) for article in batch]
    yield _arrow_table(columns, features, schema)


def _arrow_table(columns: dict[str, list[Any]], features: datasets.Features, schema: pa.Schema) -> pa.Table:
    # each list is let go once its array is made: both are held one column at a time
    arrays = [_column(features[name], columns.pop(name), schema.field(name).type) for name in features]
    return pa.Table.from_arrays(arrays, schema=schema)


class _Spill:
    """The tables of one split and job, written by an earlier split's pass over the same inputs
    (an Arrow stream, and a JSON sidecar written last: the shard of each table and the counts)."""

    def __init__(self, folder: str, split: str, inputs: Sequence[InputFile]):
        stem = Path(folder) / f"{SPILL_PREFIX}{split}-{_job_key(inputs)}"
        self.tables, self.sidecar = stem.with_suffix(".arrow"), stem.with_suffix(".json")
        self._writer = None
        self._shards: list[int] = []

    def exists(self) -> bool:
        return self.sidecar.exists()

    def write(self, shard: int, table: pa.Table) -> None:
        if self._writer is None:
            self._writer = pa.ipc.new_stream(str(self.tables), table.schema)
        self._writer.write_table(table, max_chunksize=table.num_rows or None)
        self._shards.append(shard)

    def close(self, stats: BuildReport) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        data = {"shards": self._shards, "stats": dataclasses.asdict(stats)}
        # ASCII: a file name not UTF-8 (a surrogate) crosses as an escape and comes back as it was
        self.sidecar.write_text(json.dumps(data), encoding="utf-8")

    def abandon(self) -> None:
        if self._writer is not None:  # an error stopped the pass: no sidecar, never replayed
            self._writer.close()
            self._writer = None

    def replay(self) -> Iterator[tuple[Key, pa.Table]]:
        """Yield the spilled tables (keyed as the pass that read them would have) and return the
        split's counts; the spill is removed once replayed."""
        data = json.loads(self.sidecar.read_text(encoding="utf-8"))
        stats = BuildReport(**data["stats"])
        if data["shards"]:
            indexes: dict[int, int] = {}
            with pa.ipc.open_stream(str(self.tables)) as reader:
                for shard, batch in zip(data["shards"], reader):
                    table = pa.Table.from_batches([batch])
                    yield Key(shard, indexes.setdefault(shard, 0)), table
                    indexes[shard] += 1
                    stats.rows += table.num_rows
            self.tables.unlink()
        self.sidecar.unlink()
        return stats


def _job_key(inputs: Sequence[InputFile]) -> str:
    """Names the files of one build job (its share of the inputs, with num_proc: files and parts of files)."""
    # a path not UTF-8 (surrogate-escaped by `os`) is still a name: hashed as it is, never a crash
    return hashlib.sha256("\0".join(item.describe() for item in inputs).encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _write_report(report_dir: str, split: str, inputs: Sequence[InputFile], stats: BuildReport) -> None:
    data = stats.to_dict()
    data["split"] = split
    # what a user reads: a file name not UTF-8 shown with its bytes escaped, as its articles' source_file
    data["rejects"] = [{**reject, **{key: sources.shown_name(reject[key]) for key in ("file", "article", "reason")
                                     if isinstance(reject[key], str)}} for reject in data["rejects"]]
    path = Path(report_dir) / f"{REPORT_PREFIX}{split}-{_job_key(inputs)}.json"
    path.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")


def read_report(folder: str, config_name: str, info: Optional[datasets.DatasetInfo] = None) -> BuildReport:
    """Sum the per-split, per-job reports of a prepared build in ``folder``.

    ``written`` is taken from what `datasets` wrote (the split sizes in ``info``) for the
    article-level configs, so the reconciliation checks the writer, not only the reader.
    """
    total = BuildReport.empty(config_name)
    for path in sorted(Path(folder).glob(f"{REPORT_PREFIX}*.json")):
        part = json.loads(path.read_text(encoding="utf-8"))
        total.add(part)
        total.rejects.extend(part["rejects"])
    if config_name != "lines" and info is not None and info.splits:
        total.written = sum(split.num_examples for split in info.splits.values())
    total.rejects.sort(key=lambda reject: (reject["file"], reject["line"] or 0))
    return total


@contextmanager
def source_errors(builder: Optional[NewsPairs] = None):
    """Surface the `ValueError` a bad source raised inside `datasets`' generation wrapper."""
    error_path = None
    try:
        yield
    except datasets.exceptions.DatasetGenerationError as error:
        error_path = getattr(builder, "_error_path", None)
        if error_path is not None and os.path.exists(error_path):
            with open(error_path, encoding="utf-8") as handle:
                data = json.load(handle)
            raise SourceError(data["file"], data["article"], data["line"], data["reason"]) from None
        cause = error.__cause__ or error.__context__
        while cause is not None and not isinstance(cause, ValueError):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            raise cause from None
        raise
    finally:
        error_path = error_path or getattr(builder, "_error_path", None)
        if error_path is not None and os.path.exists(error_path):
            os.remove(error_path)
        if error_path is not None:
            _remove_errors(error_path)


def prepare(
    source: Any = None,
    config: str = "articles",
    *,
    num_proc: Optional[int] = None,
    errors: str = "raise",
    cache_dir: Optional[str] = None,
    **config_kwargs,
) -> NewsPairs:
    """A `NewsPairs` builder of ``config`` whose cache is prepared (built, or reused when unchanged)."""
    check_options(config, num_proc, errors, config_kwargs)
    check_cache_dir(cache_dir)
    num_proc = None if num_proc is None else int(num_proc)  # a numpy int as a plain one
    builder = NewsPairs(config_name=config, source=source, errors=errors, cache_dir=cache_dir, prepass_workers=num_proc, **config_kwargs)
    # forked workers must not inherit a tokenizer thread pool that already ran: off while they run
    forks = num_proc is not None and num_proc > 1
    parallelism = _environment("TOKENIZERS_PARALLELISM", "false") if forks else nullcontext()
    with parallelism, ctrl_c_to_the_parent() if forks else nullcontext(), _interrupts_kept():
        builder.download_and_prepare(num_proc=num_proc)
    return builder


# the options `load` and `prepare` pass to `NewsPairsConfig`: its own fields, not `BuilderConfig`'s
# (``name`` is ``config``; ``data_files`` and the like mean nothing here)
CONFIG_OPTIONS = tuple(f.name for f in dataclasses.fields(NewsPairsConfig) if f.name not in {g.name for g in dataclasses.fields(datasets.BuilderConfig)})


def check_options(config: str, num_proc: Any, errors: Any, config_kwargs: Mapping[str, Any], *,
                  config_argument: str = "config=") -> None:
    """A `ValueError` naming an option `load`/`prepare` (or `newspairs.export`, whose configs are
    named by ``config_argument``) cannot take, before anything is read."""
    if config not in CONFIG_NAMES:
        raise ValueError(f"config must be one of {CONFIG_NAMES}, got {config!r}")
    if num_proc is not None and (isinstance(num_proc, bool) or not isinstance(num_proc, numbers.Integral) or num_proc < 1):
        raise ValueError(f"num_proc must be a whole number of processes >= 1 (or None), got {num_proc!r}")
    if errors not in ERRORS:
        raise ValueError(f"errors must be one of {ERRORS}, got {errors!r}")
    unknown = sorted(set(config_kwargs) - set(CONFIG_OPTIONS))
    if unknown:
        named = [name for name in CONFIG_OPTIONS if name not in ("source", "errors")]  # arguments of their own
        raise ValueError(f"unknown option{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}: "
                         f"the options are {', '.join(named)}" + (f" (the config is named by {config_argument})" if "name" in unknown else ""))
    defaults = {f.name: f.default for f in dataclasses.fields(NewsPairsConfig)}
    for name, value in config_kwargs.items():
        # datasets drops a None override silently: it would mean the default, under another cache name
        if value is None and defaults.get(name) is not None:
            raise ValueError(f"{name}=None: give a value, or leave {name} out for its default {defaults[name]!r}")


def check_cache_dir(cache_dir: Any) -> None:
    """A `ValueError` for a ``cache_dir`` that is not a folder's name (`datasets` makes a folder named
    after whatever it is given: ``True/``, ``nan/``, ``[1, 2]/``; 0 and [] meant the default)."""
    if cache_dir is None:
        return
    if not isinstance(cache_dir, (str, os.PathLike)) or isinstance(cache_dir, bytes) or not os.fspath(cache_dir):
        raise ValueError(f"cache_dir must be a folder's path (a str or os.PathLike) or None, got "
                         f"{type(cache_dir).__name__} {cache_dir!r:.80}")


def _pool_map(workers: int):
    """``map(function, units)`` in a pool of up to ``workers`` forked processes (`forked_pool`);
    here when there is one unit only."""
    def pool_map(function, units):
        if workers <= 1 or len(units) <= 1:
            return [function(unit) for unit in units]
        with forked_pool(min(workers, len(units))) as pool:
            return pool.map(function, units, chunksize=1)

    return pool_map


@contextmanager
def forked_pool(workers: int):
    """A pool of ``workers`` forked processes (as `datasets` forks its own ``num_proc`` workers),
    ``TOKENIZERS_PARALLELISM`` off while they run: a forked worker must not inherit a tokenizer
    thread pool that already ran."""
    import multiprocessing

    with _environment("TOKENIZERS_PARALLELISM", "false"), ctrl_c_to_the_parent(), \
            multiprocessing.get_context("fork").Pool(workers) as pool:
        try:
            yield pool
        except BaseException:
            _unlock_queues(pool)
            raise


def _unlock_queues(pool) -> None:
    """Fresh locks for the queues of ``pool``, which is being torn down after an error or a signal.

    A worker killed while it held a queue's lock (a SIGTERM to the whole process group kills the
    workers too, one of them waiting for a task with the input queue's read lock held) never
    releases it, and ``Pool.terminate()``, which takes that lock before anything else, waited for
    ever. Nothing reads the queues again: this process only stops the pool."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    pool._inqueue._rlock = context.Lock()
    pool._outqueue._wlock = context.Lock()


# Whether processes forked now leave Ctrl-C to their parent (`ctrl_c_to_the_parent`).
_CTRL_C_TO_THE_PARENT = False


hold_over_fork(signal.SIGINT, lambda: _CTRL_C_TO_THE_PARENT, lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))


@contextmanager
def _interrupts_kept():
    """A Ctrl-C during the block comes out as the KeyboardInterrupt it is: `datasets`' pool, on
    its way out, waits for its workers' results with a timeout, and that wait's TimeoutError took
    the interrupt's place (a caller's ``except KeyboardInterrupt`` never ran)."""
    try:
        yield
    except Exception as error:
        interrupt = error.__context__
        while interrupt is not None and not isinstance(interrupt, KeyboardInterrupt):
            interrupt = interrupt.__context__
        if interrupt is None:
            raise
        raise interrupt from None


@contextmanager
def ctrl_c_to_the_parent():
    """Within the block, a worker process forked (`datasets`' ``num_proc`` pool, `forked_pool`)
    ignores Ctrl-C, which the terminal sends to every process of the group: the parent takes it
    and terminates its pool. A worker that died of its own KeyboardInterrupt could leave the
    pool's queue locked, and `Pool.terminate()` waited for it for ever."""
    global _CTRL_C_TO_THE_PARENT
    before = _CTRL_C_TO_THE_PARENT
    _CTRL_C_TO_THE_PARENT = True
    try:
        yield
    finally:
        _CTRL_C_TO_THE_PARENT = before


@contextmanager
def _environment(name: str, value: str):
    """The environment variable ``name`` set to ``value`` inside the block, as it was after it."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def load(
    source: Any = None,
    config: str = "articles",
    split: Optional[str] = None,
    streaming: bool = False,
    num_proc: Optional[int] = None,
    *,
    errors: str = "raise",
    cache_dir: Optional[str] = None,
    **config_kwargs,
):
    """Load article pairs as a `DatasetDict` (or the `Dataset` of ``split``).

    ``source``: a folder, file, glob or list of them (None: the embedded default data);
    ``config``: ``articles``, ``lines`` or ``raw``; ``streaming=True`` returns an
    `IterableDataset`(Dict) that reads the source directly, without preparing a cache;
    ``num_proc`` shards the build over input files, a large ``.jsonl`` or Parquet file being read in
    parts (``part_bytes``) (not with ``streaming=True``: a streamed dataset
    is read as it is iterated; give it to ``torch.utils.data.DataLoader(num_workers=N)``, which
    shares its input files out among the workers). Other keyword arguments go to
    `NewsPairsConfig` (``raw_column``, ``normalized_column``, ``split_ratios``, ``sentences``,
    ``text_articles``, ``part_bytes``).
    """
    if streaming:
        check_options(config, None, errors, config_kwargs)
        check_cache_dir(cache_dir)
        if num_proc is not None and num_proc != 1:
            raise ValueError(
                f"num_proc={num_proc!r} does not apply to streaming=True: a streamed dataset is read as it is "
                "iterated; pass it to torch.utils.data.DataLoader(num_workers=N) to read its input files in "
                "N processes, or load without streaming to build with num_proc"
            )
        builder = NewsPairs(config_name=config, source=source, errors=errors, cache_dir=cache_dir, **config_kwargs)
        return builder.as_streaming_dataset(split)
    builder = prepare(source, config, num_proc=num_proc, errors=errors, cache_dir=cache_dir, **config_kwargs)
    report = builder.report()
    if report.rejected:
        logger.warning("newspairs: %s", report.summary())
    return builder.as_dataset(split)


__all__ = ["BuildReport", "CONFIG_NAMES", "NewsPairs", "NewsPairsConfig", "SourceError", "builder_hash", "load", "prepare"]
