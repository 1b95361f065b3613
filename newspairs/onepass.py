"""The export in one pass over the source, on any engine: each work item (a group of consecutive
input files, or a part of a large ``.jsonl`` or Parquet file) is read once for every config, each
batch of its articles normalized once for ``raw`` and ``lines``, and each config's rows written as
Parquet part files; the part files are then renamed, in source order, into the export's shards.

`newspairs.export` runs the pass in its own process (every input file one item) or, with
``num_proc``, in a pool of forked processes (``engine="local"``); `newspairs.ray` runs it in a pool
of actors (``engine="ray"``): the same code per item, so the same rows, counts and rejects. Per file, an item does what the builder does (`newspairs.sources.read_input`,
then `newspairs.builder`'s ``_routed_batches`` and ``_tables``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any, Optional

from newspairs.builder import (
    CONFIG_NAMES, SPLIT_NAMES, BuildReport, NewsPairsConfig, _routed_batches, _tables, check_options, features_for,
)
from newspairs.sources import (
    Article, InputFile, ReadOptions, Reject, SourceError, check_column_options, enter_folder, file_sha256, read_input, resolve_source,
    scan_metadata,
)

PARTS_FOLDER = ".export-parts"
# told the rows of each table an export writes in this process (the command line's progress bar)
rows_written: Optional[Callable[[int], None]] = None
# work items per actor that gathering small files aims at: a few, so the last items of a run are
# small enough to keep every actor busy to the end (one item each would leave one actor the tail)
ITEMS_PER_WORKER = 4


def settings(source: Any, configs: Sequence[str], errors: str, config_kwargs: dict[str, Any], split: Optional[str] = None):
    """The inputs, read options, split ratios and part size of a build of ``configs``, checked as
    the builder checks them."""
    for config in configs:
        if config not in CONFIG_NAMES:
            raise ValueError(f"config must be one of {CONFIG_NAMES}, got {config!r}")
    # an unknown option named as `load` names it (`newspairs.ray.read` comes here without it: a
    # TypeError of NewsPairsConfig's), before anything is read
    check_options(configs[0], None, errors, config_kwargs)
    config = NewsPairsConfig(name=configs[0], errors=errors, **config_kwargs)  # validates errors and split_ratios
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    elif source is not None and not isinstance(source, str):
        source = [os.fspath(entry) for entry in source]
    inputs = resolve_source(source)
    check_column_options(inputs, config_kwargs.get("raw_column"), config_kwargs.get("normalized_column"))
    options = ReadOptions(raw_column=config.raw_column, normalized_column=config.normalized_column,
                          sentences=config.sentences, text_articles=config.text_articles)
    ratios = tuple((name, ratio) for name, ratio in zip(SPLIT_NAMES, config.split_ratios) if ratio > 0)
    if split is not None and split not in (name for name, _ in ratios):
        raise ValueError(f"split must be one of {[name for name, _ in ratios]} or None, got {split!r}")
    return inputs, options, ratios, config.part_bytes


def export_configs(source: Any, staging: Path, configs: Sequence[str], shard_bytes: int, *, errors: str = "raise",
                   num_proc: Optional[int] = None, **config_kwargs) -> dict[str, tuple[Any, BuildReport, list[Path], dict[Path, str]]]:
    """Build ``configs`` of ``source`` into ``staging`` (the export's staging folder) on this machine,
    in one pass. In one process every input file is one work item, each config's part files rolled
    over at ``shard_bytes``; with ``num_proc`` > 1, large ``.jsonl`` and Parquet files are cut into
    parts and files gathered into work items as for Ray (`_items`), done by a pool of forked
    processes. Returns what `newspairs.ray.export_configs` returns, per config ``(info, report,
    files, digests)``; the first bad article in source order raises its `SourceError` (``errors="raise"``)."""
    from newspairs.builder import _pool_map, forked_pool
    from newspairs.sources import prepass, split_inputs

    configs = list(configs)
    workers = num_proc or 1
    inputs, options, ratios, part_bytes = settings(source, configs, errors, config_kwargs)
    if workers > 1:  # the reading before the build (JSON types, the ids of the parts of cut files), in the pool
        prepass(inputs, options, part_bytes, workers, _pool_map(workers))
    features, json_types = features_and_types(inputs, options, configs)
    parts = Path(staging).resolve() / PARTS_FOLDER
    settings_of_items = dict(parts=str(parts), shard_bytes=shard_bytes, configs=features, cwd=os.getcwd(),
                             json_types=json_types, options=options, errors=errors, ratios=ratios)
    if workers > 1:
        rows = _items(split_inputs(inputs, options, json_types, part_bytes, workers), part_bytes, workers)
        with forked_pool(min(workers, len(rows)) or 1) as pool:
            records = []
            for text in pool.imap(partial(_export_in_worker, settings_of_items), rows, chunksize=1):
                records.append(record := json.loads(text))
                if "error" in record:  # the first bad article in source order
                    raise SourceError(*record["error"])
                if rows_written is not None:
                    rows_written(sum(count for config in record["configs"].values() for count, _, _ in config["splits"].values()))
    else:
        exporter = _ExportFiles(**settings_of_items)
        records = [exporter.export_group({"index": 0, "files": json.dumps(list(map(_file_row, inputs)))})]
    built = {config: _gathered(config, features[config], [record["configs"][config] for record in records], ratios, staging, parts)
             for config in configs}
    shutil.rmtree(parts, ignore_errors=True)
    return built


_WORKER_EXPORTER: dict[str, _ExportFiles] = {}  # a forked worker's, made at its first item


def _export_in_worker(settings_of_items: dict[str, Any], row: dict[str, Any]) -> str:
    """One work item in a worker of `export_configs`' pool: its record as JSON (a bad article's as data)."""
    if "exporter" not in _WORKER_EXPORTER:
        _WORKER_EXPORTER["exporter"] = _ExportFiles(**settings_of_items)
    return _WORKER_EXPORTER["exporter"]({"index": [row["index"]], "files": [row["files"]]})["record"][0]


def features_and_types(inputs: Sequence[InputFile], options: ReadOptions, configs: Sequence[str]):
    """The features of each config and the JSON files' metadata types."""
    metadata, json_types = scan_metadata(inputs, options)
    return {config: features_for(config, metadata) for config in configs}, json_types


def _error_record(index: int, error: SourceError) -> dict[str, Any]:
    # Ray passes a worker's exception on as text inside its own (the SourceError is lost): send it as data
    return {"index": index, "error": [error.file, error.article, error.line, error.reason]}


# --- the work items: groups of input files ----------------------------------------------------


def _items(inputs: Sequence[InputFile], part_bytes: int, workers: int) -> list[dict[str, Any]]:
    """The work items: consecutive input files gathered into groups (`_groups`), one row each, its
    files as JSON (where each starts and stops, its first line, the ids an earlier part holds), so
    every row has the same columns."""
    files = [_file_row(item) for item in inputs]
    return [{"index": index, "files": json.dumps([files[i] for i in group])}
            for index, group in enumerate(_groups(inputs, part_bytes, workers))]


def _file_row(item: InputFile) -> dict[str, Any]:
    return {"kind": item.kind, "path": item.path, "relpath": item.relpath, "twin": item.twin or "",
            "part": json.dumps([item.start, item.stop, item.first_line, item.earlier])}


def _groups(inputs: Sequence[InputFile], part_bytes: int, workers: int) -> list[list[int]]:
    """Consecutive inputs gathered into groups whose rows go into the same part files, so a corpus of
    many small files (a pair folder: an article a file) is not written as a Parquet file per article.
    A group closes once it holds a quarter of a worker's share of the corpus (`ITEMS_PER_WORKER`)
    and never grows past ``part_bytes``; a part of a cut file, or a file that large, is a group alone."""
    sizes = [None if item.is_part else _file_bytes(item) for item in inputs]
    share = max(1, -(-sum(size for size in sizes if size is not None) // (max(1, workers) * ITEMS_PER_WORKER)))
    groups: list[list[int]] = []
    held: Optional[int] = None  # bytes of the group open to more files (None: none is)
    for index, size in enumerate(sizes):
        if size is None or held is None or held >= share or held + size > part_bytes:
            groups.append([index])
            held = None if size is None or size >= part_bytes else size
        else:
            groups[-1].append(index)
            held += size
    return groups


def _file_bytes(item: InputFile) -> int:
    try:
        return os.path.getsize(item.path) + (os.path.getsize(item.twin) if item.twin else 0)
    except OSError:  # unreadable: reported when it is read
        return 0


def _files(row: dict[str, Any]) -> list[dict[str, Any]]:
    return json.loads(row["files"])


def _input_file(row: dict[str, Any]) -> InputFile:
    start, stop, first_line, earlier = json.loads(row["part"])
    return InputFile(row["kind"], row["path"], row["relpath"], row["twin"] or None, start, stop, first_line,
                     tuple((ident, line) for ident, line in earlier))


class _Rows:
    """Per input file, the config's tables: the builder's per-file work, as is (`newspairs.ray.read`).

    ``split`` keeps one split's tables only (None: every split). Rejects are logged as they are met
    (``errors="report"``), as a streaming load logs them.
    """

    def __init__(self, config: str, features: Any, json_types: dict, options: ReadOptions, errors: str,
                 ratios: tuple, split: Optional[str] = None):
        from newspairs.normalize import normalize_batch

        normalize_batch(["built once per actor"])  # the tokenizer is built here, not per batch
        self.config, self.features, self.json_types = config, features, json_types
        self.schema = features.arrow_schema  # a property that builds the schema anew at each call
        self.options, self.errors, self.ratios, self.split = options, errors, ratios, split

    def __call__(self, item: InputFile) -> Iterator[Any]:
        names = [name for name, _ in self.ratios if self.split is None or name == self.split]
        stats = {name: BuildReport.empty(self.config) for name in names}
        entries = read_input(item, self.options, self.json_types.get(item.path))
        for name, batch in _routed_batches(entries, self.ratios, stats, self.errors, None):
            yield from _tables(self.config, batch, stats[name], self.features, self.schema)


def _summed(config: str, reports: Iterable[BuildReport]) -> BuildReport:
    total = BuildReport.empty(config)
    for report in reports:
        total.add(report.to_dict())
    return total


def _parquet_writer(path: str, schema: Any):
    """A Parquet writer as `datasets`' own (`push_to_hub`, `to_parquet`): content-defined pages, so
    that a republished export shares its unchanged pages with the last upload (the Hub's storage
    uploads only what it has not seen), and a page index."""
    import pyarrow.parquet as pq
    from datasets import config

    writer = pq.ParquetWriter(path, schema, use_content_defined_chunking=config.DEFAULT_CDC_OPTIONS, write_page_index=True)
    writer.add_key_value_metadata({"content_defined_chunking": json.dumps(config.DEFAULT_CDC_OPTIONS)})
    return writer


class _PartWriter:
    """One split's tables of one work item, as Parquet part files of at most ``shard_bytes`` each
    (of Arrow bytes, as a local export measures its shards; a table larger than what a part has
    left is cut by rows, at least one row a part)."""

    def __init__(self, folder: Path, index: int, shard_bytes: int):
        self.folder, self.index, self.shard_bytes = folder, index, shard_bytes
        self.part, self.writer, self.written = 0, None, 0
        self.num_examples = 0
        self.num_bytes = 0
        self.done: list[tuple[str, str]] = []  # each part file's name and sha256

    def _path(self) -> Path:
        return self.folder / f"{self.index:08d}-{self.part:05d}.parquet"

    def add(self, table: Any) -> None:
        row_bytes = table.nbytes / max(1, table.num_rows)
        start = 0
        while start < table.num_rows:
            rows = max(1, min(table.num_rows - start, int((self.shard_bytes - self.written) // row_bytes)))
            if self.writer is None:
                self.folder.mkdir(parents=True, exist_ok=True)
                self.writer = _parquet_writer(f"{self._path()}.tmp", table.schema)
            self.writer.write_table(table.slice(start, rows))
            start += rows
            self.num_examples += rows
            self.written += rows * row_bytes
            if self.written >= self.shard_bytes or start < table.num_rows:
                self._close_part()
        self.num_bytes += table.nbytes

    def _close_part(self) -> None:
        if self.writer is not None:
            self.writer.close()
            os.replace(f"{self._path()}.tmp", self._path())  # a killed attempt leaves only a .tmp
            # hashed here, by the actors side by side, not by the driver after them (the export's
            # folder is named by its shards' digests: newspairs.export._seal_config)
            self.done.append((self._path().name, file_sha256(self._path())))
            self.writer, self.written, self.part = None, 0, self.part + 1

    def close(self) -> None:
        self._close_part()


class _ExportFiles:
    """The export's work per item: each config's rows of a group of input files written as part
    files, one record of counts back (an actor of the Ray export's pool; a local export runs one in
    its own process, or one in each forked worker)."""

    def __init__(self, parts: str, shard_bytes: int, configs: dict[str, Any], cwd: str, **kwargs):
        enter_folder(cwd)  # the driver's folder, where the source's relative paths point
        self.parts, self.shard_bytes = Path(parts), shard_bytes
        self.rows = {config: _Rows(config, features, **kwargs) for config, features in configs.items()}

    def __call__(self, batch: Any) -> dict[str, list]:
        records = []
        for row in _batch_rows(batch):
            try:
                records.append(json.dumps(self.export_group(row)))
            except SourceError as error:  # errors="raise": the group's first bad article
                records.append(json.dumps(_error_record(row["index"], error)))
        return {"record": records}

    def export_group(self, row: dict[str, Any]) -> dict[str, Any]:
        """Every config of a group of input files in one pass, into the same part files: each file
        read once, in order, its articles batched with the group's others, each batch normalized
        once and each config's tables made from it."""
        from newspairs.normalize import normalize_batch

        first = next(iter(self.rows.values()))  # the read settings, the same for every config
        names = [name for name, _ in first.ratios]
        read = {name: BuildReport(config=first.config, disagree=0) for name in names}  # what was read: every config's
        made = {config: {name: BuildReport.empty(config) for name in names}
                for config in self.rows}  # what each config made of it: rows, disagreements
        normalize_all = any(config != "articles" for config in self.rows)  # raw and lines use every article's
        writers: dict[tuple[str, str], _PartWriter] = {}
        entries = chain.from_iterable(map(self.read_file, _files(row)))
        for split, batch in _routed_batches(entries, first.ratios, read, first.errors, None):
            computed = normalize_batch([article.raw for article in batch]) if normalize_all else None
            for config, rows in self.rows.items():
                for table in _tables(config, batch, made[config][split], rows.features, rows.schema, computed):
                    made[config][split].rows += table.num_rows
                    if rows_written is not None:
                        rows_written(table.num_rows)
                    writer = writers.get((config, split))
                    if writer is None:
                        folder = self.parts / config / split
                        writer = writers[config, split] = _PartWriter(folder, row["index"], self.shard_bytes)
                    writer.add(table)
        for writer in writers.values():
            writer.close()
        rejects = [(name, reject) for name in names for reject in read[name].rejects]
        configs = {}
        for config in self.rows:
            stats = _summed(config, [*read.values(), *made[config].values()]).to_dict()
            del stats["rejects"]  # sent with their splits
            configs[config] = {"stats": stats, "rejects": rejects, "splits": {
                split: [w.num_examples, w.num_bytes, w.done] for (name, split), w in writers.items() if name == config}}
        return {"index": row["index"], "configs": configs}

    def read_file(self, row: dict[str, Any]) -> Iterator[Article | Reject]:
        """The articles of one input file of a group (read as the group's batches reach it)."""
        first = next(iter(self.rows.values()))
        return read_input(_input_file(row), first.options, first.json_types.get(row["path"]))


def _batch_rows(batch: Any) -> list[dict[str, Any]]:
    if hasattr(batch, "to_pylist"):
        return batch.to_pylist()
    names = list(batch)
    return [dict(zip(names, values)) for values in zip(*(list(batch[name]) for name in names))]



def _gathered(config: str, features: Any, records: list[dict[str, Any]], ratios, staging: Path, parts: Path):
    """One config's part files renamed, in source order, into its shards; its info, report, shards and their sha256."""
    import datasets
    from datasets.splits import SplitDict, SplitInfo

    splits = SplitDict()
    files: list[Path] = []
    digests: dict[Path, str] = {}
    for split in (name for name, _ in ratios):
        counted = [record["splits"][split] for record in records if split in record["splits"]]
        examples = sum(count for count, _, _ in counted)
        if not examples:  # as a local build, a split no article fell into is left out
            continue
        written = [(parts / config / split / name, sha) for _, _, done in counted for name, sha in done]
        for number, (part, sha) in enumerate(written):
            target = Path(staging) / config / f"{split}-{number:05d}-of-{len(written):05d}.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(part, target)
            files.append(target)
            digests[target] = sha
        splits.add(SplitInfo(name=split, num_bytes=sum(b for _, b, _ in counted), num_examples=examples))
    info = datasets.DatasetInfo(
        config_name=config,
        features=features,
        splits=splits,
        download_size=sum(path.stat().st_size for path in files),
        dataset_size=sum(split.num_bytes for split in splits.values()),
    )
    return info, _report(config, records), files, digests


def _report(config: str, records: list[dict[str, Any]]) -> BuildReport:
    """The per-file counts summed, the rejects in the order a local build lists them."""
    total = BuildReport.empty(config)
    rejects = []
    for index, record in enumerate(records):
        total.add(record["stats"])
        rejects.extend((SPLIT_NAMES.index(split), index, number, reject)
                       for number, (split, reject) in enumerate(record["rejects"]))
    # a local build reads split after split, then sorts by file and line (a stable sort)
    ordered = [reject for *_, reject in sorted(rejects, key=lambda r: r[:3])]
    total.rejects = sorted(ordered, key=lambda reject: (reject["file"], reject["line"] or 0))
    return total
