"""The `datasets.GeneratorBasedBuilder` of newspairs: configs, features, splits, and the build report.

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
changes split when others are added; a line row goes where its article goes. Each split's generator
reads every input file and keeps its own articles: reading is cheap next to normalizing, which runs
once per article. Generation yields article by article and normalizes in small batches, so memory
depends on the largest article, not on the corpus.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any, Optional, Union

import datasets
from datasets.builder import Key
from datasets.download.streaming_download_manager import StreamingDownloadManager

from newspairs import sources
from newspairs.normalize import normalize_batch
from newspairs.sources import Article, InputFile, ReadOptions, Reject, SourceError, read_input, resolve_source, split_of

logger = logging.getLogger(__name__)

CONFIG_NAMES = ("articles", "lines", "raw")
SPLIT_NAMES = ("train", "validation", "test")
ERRORS = ("raise", "report")
REPORT_PREFIX = "newspairs-report-"

# Articles normalized per call: one call per one-line article is mostly call overhead (ISOT rows
# are single lines), while the batch is what stays in memory.
BATCH_ARTICLES = 64
BATCH_CHARS = 4 << 20  # 4 MiB of raw text

# `datasets` buffers this many rows before writing (by count, not bytes): with whole articles
# as rows, its default of 1000 would hold up to 1000 articles (a one-file article can be MBs).
ARTICLE_ROWS_PER_WRITE = 64

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
    """

    source: Optional[Union[str, tuple[str, ...]]] = None
    raw_column: str = "raw"
    normalized_column: str = "normalized"
    errors: str = "raise"
    split_ratios: tuple[float, float, float] = (0.8, 0.1, 0.1)

    def __post_init__(self):
        super().__post_init__()
        self.validate()

    def validate(self) -> None:
        """Raise `ValueError` for an option out of range (also run on a predefined config's overrides)."""
        if self.errors not in ERRORS:
            raise ValueError(f"errors must be one of {ERRORS}, got {self.errors!r}")
        ratios = tuple(self.split_ratios)
        if len(ratios) != len(SPLIT_NAMES) or any(r < 0 for r in ratios) or sum(ratios) <= 0:
            raise ValueError(f"split_ratios must be three weights >= 0 (train, validation, test), got {self.split_ratios!r}")
        self.split_ratios = ratios


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


def builder_hash(inputs: Sequence[InputFile]) -> str:
    """The cache key of a build: this builder's and the source reader's code, the normalization's
    rule table, and each input file's path, size and mtime. Any change makes a fresh build."""
    from newspairs.stamp import rules_hash

    digest = hashlib.sha256()
    for module in (__name__, "newspairs.sources", "newspairs.normalize", "newspairs.tokenizer"):
        digest.update(_file_bytes(import_module(module).__file__))
    digest.update(rules_hash().encode())
    digest.update(json.dumps(sources.source_identity(inputs)).encode())
    return digest.hexdigest()[:16]


def _canonical_source(source: Any) -> Union[str, tuple[str, ...], None]:
    if source is None or isinstance(source, str):
        return source
    if isinstance(source, os.PathLike):
        return os.fspath(source)
    return tuple(os.fspath(entry) for entry in source)


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

    @property
    def reconciles(self) -> bool:
        return self.read == self.written + self.rejected

    def summary(self) -> str:
        text = f"{self.config}: {self.read} articles read = {self.written} written + {self.rejected} rejected"
        text += "" if self.reconciles else " (DOES NOT RECONCILE)"
        if self.config == "lines":
            text += f"; {self.rows} line rows"
        if self.disagree is not None:
            text += f"; {self.disagree} of {self.stored} stored normalized sides disagree with newspairs.normalize"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": self.config, "read": self.read, "written": self.written, "rejected": self.rejected,
            "rows": self.rows, "stored": self.stored, "disagree": self.disagree, "reconciles": self.reconciles,
            "rejects": self.rejects,
        }


class NewsPairs(datasets.GeneratorBasedBuilder):
    """Raw/normalized news article pairs (see the module docstring for configs and splits).

    ``NewsPairs(config_name="lines", source="corpus/", errors="report")``; with ``hash=None`` the
    cache key is `builder_hash` of the source, so a changed builder, rule table or input file is
    never served from a stale cache.
    """

    BUILDER_CONFIG_CLASS = NewsPairsConfig
    BUILDER_CONFIGS = [NewsPairsConfig(name=name, description=_DESCRIPTIONS[name]) for name in CONFIG_NAMES]
    DEFAULT_CONFIG_NAME = "articles"

    def __init__(self, *args, source: Any = None, hash: Optional[str] = None, dataset_name: str = "newspairs", **kwargs):
        source = _canonical_source(source)
        self._inputs = resolve_source(source)
        if source is not None:
            kwargs["source"] = source
        super().__init__(*args, hash=hash or builder_hash(self._inputs), dataset_name=dataset_name, **kwargs)
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
        return ReadOptions(raw_column=self.config.raw_column, normalized_column=self.config.normalized_column)

    def _info(self) -> datasets.DatasetInfo:
        metadata, self._json_types = sources.scan_metadata(self._inputs, self._read_options())
        return datasets.DatasetInfo(
            description=_DESCRIPTIONS[self.config.name], features=features_for(self.config.name, metadata)
        )

    def _split_generators(self, dl_manager):
        # Streaming has no output folder: rejects are logged instead of written to a report.
        report_dir = None if isinstance(dl_manager, StreamingDownloadManager) else self._output_dir
        # With num_proc, `datasets` re-raises a worker's error without its cause: the first bad
        # article is also written beside the build, for `source_errors` to raise it whole.
        self._error_path = None if report_dir is None else f"{report_dir}.newspairs-error.json"
        ratios = tuple((name, ratio) for name, ratio in zip(SPLIT_NAMES, self.config.split_ratios) if ratio > 0)
        return [
            datasets.SplitGenerator(
                name=name,
                gen_kwargs={"inputs": list(self._inputs), "split": name, "ratios": ratios, "report_dir": report_dir,
                            "error_path": self._error_path},
            )
            for name, _ in ratios
        ]

    def _download_and_prepare(self, dl_manager, verification_mode, **prepare_split_kwargs):
        super()._download_and_prepare(dl_manager, verification_mode, **prepare_split_kwargs)
        # A split no article hashed into has nothing to read (`datasets` cannot load a split of no
        # data): it is left out, as `load_dataset` of the export leaves it out.
        for name in [name for name, split in self.info.splits.items() if not split.num_examples]:
            del self.info.splits[name]

    def _generate_shards(self, inputs, split, ratios, report_dir, error_path=None):
        yield from (item.path for item in inputs)

    def _generate_examples(self, inputs, split, ratios, report_dir, error_path=None):
        config = self.config
        options = self._read_options()
        json_types = getattr(self, "_json_types", {})
        stats = BuildReport(config=config.name, disagree=0 if config.name == "articles" else None)
        for shard, item in enumerate(inputs):
            mine = (
                entry
                for entry in read_input(item, options, json_types.get(item.path))
                if split_of(entry.id, ratios) == split
            )
            rows = _rows(config.name, _accepted(mine, config.errors, stats, error_path), stats)
            for index, row in enumerate(rows):
                yield Key(shard, index), row
                stats.rows += 1
        if report_dir is not None:
            _write_report(report_dir, split, inputs, stats)

    def report(self) -> BuildReport:
        """The build report of this builder's prepared data (after `download_and_prepare`, in its output folder)."""
        return read_report(self._output_dir, self.config.name, self.info)


def _accepted(entries, errors: str, stats: BuildReport, error_path: Optional[str] = None) -> Iterator[Article]:
    for entry in entries:
        stats.read += 1
        if isinstance(entry, Reject):
            if errors == "raise" and not entry.dropped:  # a dropped article (empty, duplicate) is counted, never fatal
                _record_error(error_path, entry)
                raise entry.error()
            stats.rejected += 1
            stats.rejects.append(entry.to_dict())
            logger.warning("newspairs: rejected %s", entry.error())
            continue
        stats.written += 1
        if entry.normalized is not None:
            stats.stored += 1
        yield entry


def _record_error(error_path: Optional[str], reject: Reject) -> None:
    if error_path is None:
        return
    try:
        with open(error_path, "x", encoding="utf-8") as handle:  # the first worker's error wins
            json.dump(reject.to_dict(), handle)
    except FileExistsError:
        pass


def _batches(articles: Iterator[Article]) -> Iterator[list[Article]]:
    batch: list[Article] = []
    size = 0
    for article in articles:
        batch.append(article)
        size += len(article.raw)
        if len(batch) >= BATCH_ARTICLES or size >= BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _computed(batch: list[Article], needed) -> list[Optional[str]]:
    """``newspairs.normalize(raw)`` for the articles that need it (one tokenizer call for the batch)."""
    wanted = [i for i, article in enumerate(batch) if needed(article)]
    out: list[Optional[str]] = [None] * len(batch)
    for i, normalized in zip(wanted, normalize_batch([batch[i].raw for i in wanted])):
        out[i] = normalized
    return out


def _rows(config_name: str, articles: Iterator[Article], stats: BuildReport) -> Iterator[dict[str, Any]]:
    if config_name == "articles":
        needed = lambda article: article.normalized is not None  # noqa: E731
    elif config_name == "raw":
        needed = lambda article: True  # noqa: E731
    else:
        needed = lambda article: article.normalized is None  # noqa: E731
    for batch in _batches(articles):
        for article, computed in zip(batch, _computed(batch, needed)):
            if config_name == "lines":
                normalized = article.normalized if article.normalized is not None else computed
                for number, (raw_line, normalized_line) in enumerate(
                    zip(article.raw.split("\n"), normalized.split("\n")), start=1
                ):
                    yield {"article_id": article.id, "line": number, "raw": raw_line, "normalized": normalized_line}
                continue
            row = {"id": article.id, "raw": article.raw}
            if config_name == "articles":
                row["normalized"] = article.normalized
                row["agrees"] = None if article.normalized is None else article.normalized == computed
                if row["agrees"] is False:
                    stats.disagree += 1
            else:
                row["normalized"] = computed
            row["source_file"] = article.source_file
            row.update(article.metadata)
            yield row


def _write_report(report_dir: str, split: str, inputs: Sequence[InputFile], stats: BuildReport) -> None:
    job = hashlib.sha256("\0".join(item.path for item in inputs).encode()).hexdigest()[:12]
    data = stats.to_dict()
    data["split"] = split
    path = Path(report_dir) / f"{REPORT_PREFIX}{split}-{job}.json"
    path.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")


def read_report(folder: str, config_name: str, info: Optional[datasets.DatasetInfo] = None) -> BuildReport:
    """Sum the per-split, per-job reports of a prepared build in ``folder``.

    ``written`` is taken from what `datasets` wrote (the split sizes in ``info``) for the
    article-level configs, so the reconciliation checks the writer, not only the reader.
    """
    total = BuildReport(config=config_name, disagree=0 if config_name == "articles" else None)
    articles_written = 0
    for path in sorted(Path(folder).glob(f"{REPORT_PREFIX}*.json")):
        part = json.loads(path.read_text(encoding="utf-8"))
        total.read += part["read"]
        total.rejected += part["rejected"]
        total.stored += part["stored"]
        articles_written += part["written"]
        total.rows += part["rows"]
        if total.disagree is not None and part["disagree"] is not None:
            total.disagree += part["disagree"]
        total.rejects.extend(part["rejects"])
    if config_name != "lines" and info is not None and info.splits:
        total.written = sum(split.num_examples for split in info.splits.values())
    else:
        total.written = articles_written
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
    if config not in CONFIG_NAMES:
        raise ValueError(f"config must be one of {CONFIG_NAMES}, got {config!r}")
    builder = NewsPairs(config_name=config, source=source, errors=errors, cache_dir=cache_dir, **config_kwargs)
    if num_proc is not None and num_proc > 1:
        # forked workers must not inherit a tokenizer thread pool that already ran
        os.environ["TOKENIZERS_PARALLELISM"] = "false"
    with source_errors(builder):
        builder.download_and_prepare(num_proc=num_proc)
    return builder


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
    ``num_proc`` shards the build over input files. Other keyword arguments go to
    `NewsPairsConfig` (``raw_column``, ``normalized_column``, ``split_ratios``).
    """
    if streaming:
        if config not in CONFIG_NAMES:
            raise ValueError(f"config must be one of {CONFIG_NAMES}, got {config!r}")
        builder = NewsPairs(config_name=config, source=source, errors=errors, cache_dir=cache_dir, **config_kwargs)
        return builder.as_streaming_dataset(split)
    builder = prepare(source, config, num_proc=num_proc, errors=errors, cache_dir=cache_dir, **config_kwargs)
    report = builder.report()
    if report.rejected:
        logger.warning("newspairs: %s", report.summary())
    return builder.as_dataset(split)


__all__ = ["BuildReport", "CONFIG_NAMES", "NewsPairs", "NewsPairsConfig", "SourceError", "builder_hash", "load", "prepare"]
