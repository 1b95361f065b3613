"""The Ray Data adapter: export, read, normalize and encode across a Ray cluster.

The only module that imports ``ray`` (``pip install 'newspairs[ray]'``). It holds no newspairs logic
of its own: each group of consecutive input files (a large ``.jsonl`` or Parquet file: each of its
parts alone, see `newspairs.sources.split_inputs`) is one work item, and an actor of a pool does, per
file of the item, what the local builder does per file (`newspairs.sources.read_input`, then `newspairs.builder`'s ``_routed_batches``
and ``_tables``, whose batches go through `newspairs.normalize_batch`); each actor builds the normalizer
once. So the local and the distributed path share one implementation per batch. The export reads
each item once for all its configs and normalizes each batch once for ``raw`` and ``lines``
(a local export builds each config on its own, through `datasets`).

- `export_configs(source, staging, configs, ...)`: the configs of `newspairs.export.export` with
  ``engine="ray"``, in one pass over the source: Parquet parts written by the actors, renamed in order into the export layout;
  the card, stamp and report are written by `newspairs.export` as for a local export.
- `read(source, config="articles", split=None)`: a `ray.data.Dataset` of that config's rows.
- `normalize(ds, column="raw", into="normalized")`: adds the normalization of a text column.
- `encode(ds, tokenizer, column="raw", **options)`: adds ``input_ids``/``attention_mask`` (the ids
  of `newspairs.Encoder` with the same options).

Row order: the export writes each work item's rows per split into its own part files, named by
its position in the source, and renames them in that order; so every split holds the same
rows in the same order as a local export, whichever worker finished first.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any, Optional

import ray

from newspairs.builder import (
    CONFIG_NAMES, SPLIT_NAMES, BuildReport, NewsPairsConfig, _routed_batches, _tables, features_for,
)
from newspairs.sources import (
    Article, InputFile, ReadOptions, Reject, SourceError, call_in_folder, enter_folder, file_sha256, prepass, read_input,
    resolve_source, scan_metadata, split_inputs, split_of,
)

logger = logging.getLogger(__name__)

PARTS_FOLDER = ".ray-parts"
# work items per actor that gathering small files aims at: a few, so the last items of a run are
# small enough to keep every actor busy to the end (one item each would leave one actor the tail)
ITEMS_PER_WORKER = 4


# --- a Ray to run on ---------------------------------------------------------------------------


def connect(address: Optional[str] = None, num_cpus: Optional[int] = None) -> None:
    """Use the running Ray, else connect to ``address`` (or ``RAY_ADDRESS``), else start a local one.

    ``num_cpus`` sizes a local Ray started here; a Ray already running (or a cluster) keeps its own.
    """
    if ray.is_initialized():
        return
    address = address or os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)


def _pool_size(num_cpus: Optional[int], items: int) -> int:
    """Actors of one CPU each: one per item at most, ``num_cpus`` at most, and no more than the cluster's CPUs."""
    available = int(ray.cluster_resources().get("CPU", 1)) or 1
    return max(1, min(items, num_cpus or available, available))


@contextmanager
def _quiet_progress():
    """Ray Data's progress lines (INFO, a few per second) off while newspairs runs a pipeline."""
    data_logger = logging.getLogger("ray.data")
    level = data_logger.level
    data_logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        data_logger.setLevel(level)


def _error_record(index: int, error: SourceError) -> dict[str, Any]:
    # Ray passes a worker's exception on as text inside its own (the SourceError is lost): send it as data
    return {"index": index, "error": [error.file, error.article, error.line, error.reason]}


def _run(records: "ray.data.Dataset") -> list[dict[str, Any]]:
    """Run a pipeline whose rows are small JSON records; the first bad article stops it with its `SourceError`."""
    out = []
    with _quiet_progress():
        for row in records.iter_rows():  # leaving the loop early stops the pipeline
            record = json.loads(row["record"])
            if "error" in record:
                raise SourceError(*record["error"])
            out.append(record)
    return out


# --- the work items: groups of input files ----------------------------------------------------


def _items(inputs: Sequence[InputFile], part_bytes: int, workers: int) -> list[dict[str, Any]]:
    """The work items: consecutive input files gathered into groups (`_groups`), one row each, its
    files as JSON (where each starts and stops, its first line, the ids an earlier part holds), so
    every row has the same columns."""
    files = [
        {"kind": item.kind, "path": item.path, "relpath": item.relpath, "twin": item.twin or "",
         "part": json.dumps([item.start, item.stop, item.first_line, item.earlier])}
        for item in inputs
    ]
    return [{"index": index, "files": json.dumps([files[i] for i in group])}
            for index, group in enumerate(_groups(inputs, part_bytes, workers))]


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


def _parts(inputs: Sequence[InputFile], options: ReadOptions, json_types: dict, part_bytes: int,
           num_cpus: Optional[int]) -> list[InputFile]:
    """The work items: each large ``.jsonl`` or Parquet file cut into parts of at most about
    ``part_bytes``, their number a multiple of the actors where the parts stay large enough
    (`split_inputs`), so one big file spreads over the workers."""
    return split_inputs(inputs, options, json_types, part_bytes, _pool_size(num_cpus, 1 << 30))


class _Rows:
    """Per input file, the config's tables with their split: the builder's per-file work, as is.

    ``split`` keeps one split's tables only (None: every split). The statistics (`BuildReport`) of
    the last file read are in ``self.stats``; each reject comes with its split in ``self.rejects``.
    """

    def __init__(self, config: str, features: Any, json_types: dict, options: ReadOptions, errors: str,
                 ratios: tuple, split: Optional[str] = None):
        from newspairs.normalize import normalize_batch

        normalize_batch(["built once per actor"])  # the tokenizer is built here, not per batch
        self.config, self.features, self.json_types = config, features, json_types
        self.schema = features.arrow_schema  # a property that builds the schema anew at each call
        self.options, self.errors, self.ratios, self.split = options, errors, ratios, split

    def __call__(self, item: InputFile) -> Iterator[tuple[str, Any]]:
        names = [name for name, _ in self.ratios if self.split is None or name == self.split]
        stats = {name: BuildReport(config=self.config, disagree=0 if self.config == "articles" else None) for name in names}
        self.stats, self.rejects = stats[names[0]], []
        entries = read_input(item, self.options, self.json_types.get(item.path))
        for name, batch in _routed_batches(entries, self.ratios, stats, self.errors, None):
            for table in _tables(self.config, batch, stats[name], self.features, self.schema):
                stats[name].rows += table.num_rows
                yield name, table
        self.stats = _summed(self.config, stats.values())
        self.rejects = [(name, reject) for name in names for reject in stats[name].rejects]


def _summed(config: str, reports: Iterable[BuildReport]) -> BuildReport:
    total = BuildReport(config=config, disagree=0 if config == "articles" else None)
    for report in reports:
        total.read += report.read
        total.written += report.written
        total.rejected += report.rejected
        total.rows += report.rows
        total.stored += report.stored
        if total.disagree is not None:
            total.disagree += report.disagree
    return total


class _PartWriter:
    """One split's tables of one input file, as Parquet part files of at most ``shard_bytes`` each."""

    def __init__(self, folder: Path, index: int, shard_bytes: int):
        self.folder, self.index, self.shard_bytes = folder, index, shard_bytes
        self.part, self.writer, self.written = 0, None, 0
        self.num_examples = 0
        self.num_bytes = 0
        self.done: list[tuple[str, str]] = []  # each part file's name and sha256

    def _path(self) -> Path:
        return self.folder / f"{self.index:08d}-{self.part:05d}.parquet"

    def add(self, table: Any) -> None:
        import pyarrow.parquet as pq

        if self.writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(f"{self._path()}.tmp", table.schema)
        self.writer.write_table(table)
        self.num_examples += table.num_rows
        self.num_bytes += table.nbytes
        self.written += table.nbytes
        if self.written >= self.shard_bytes:
            self._close_part()

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
    """An actor of the export: per group of input files, each config's rows written as part files, one record of counts back."""

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
        made = {config: {name: BuildReport(config=config, disagree=0 if config == "articles" else None) for name in names}
                for config in self.rows}  # what each config made of it: rows, disagreements
        normalize_all = any(config != "articles" for config in self.rows)  # raw and lines use every article's
        writers: dict[tuple[str, str], _PartWriter] = {}
        entries = chain.from_iterable(map(self.read_file, _files(row)))
        for split, batch in _routed_batches(entries, first.ratios, read, first.errors, None):
            computed = normalize_batch([article.raw for article in batch]) if normalize_all else None
            for config, rows in self.rows.items():
                for table in _tables(config, batch, made[config][split], rows.features, rows.schema, computed):
                    made[config][split].rows += table.num_rows
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


def _task_map(function, units):
    """``[function(unit) for unit in units]`` as Ray tasks of one CPU each, gathered here in order."""
    if len(units) <= 1:
        return [function(unit) for unit in units]
    # a task's worker imports the module of the function it runs: newspairs.sources', not this
    # module's (ray.data, datasets: most of a second in every worker)
    task = ray.remote(num_cpus=1)(call_in_folder)
    return ray.get([task.remote(os.getcwd(), function, unit) for unit in units])


def _prepared(source: Any, configs: Sequence[str], errors: str, config_kwargs: dict[str, Any],
              address: Optional[str] = None, num_cpus: Optional[int] = None, split: Optional[str] = None):
    """The inputs, features per config, JSON types, read options, split ratios and part size of a
    build, checked as the builder checks them (before Ray is started); then, on Ray, the reading
    before the build (`newspairs.sources.prepass`: the JSON files' types, the ids of the parts of
    the files that are cut) as tasks, by file and part."""
    for config in configs:
        if config not in CONFIG_NAMES:
            raise ValueError(f"config must be one of {CONFIG_NAMES}, got {config!r}")
    settings = NewsPairsConfig(name=configs[0], errors=errors, **config_kwargs)  # validates errors and split_ratios
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    elif source is not None and not isinstance(source, str):
        source = [os.fspath(entry) for entry in source]
    inputs = resolve_source(source)
    options = ReadOptions(raw_column=settings.raw_column, normalized_column=settings.normalized_column,
                          sentences=settings.sentences, text_articles=settings.text_articles)
    ratios = tuple((name, ratio) for name, ratio in zip(SPLIT_NAMES, settings.split_ratios) if ratio > 0)
    if split is not None and split not in (name for name, _ in ratios):
        raise ValueError(f"split must be one of {[name for name, _ in ratios]} or None, got {split!r}")
    connect(address, num_cpus)
    prepass(inputs, options, settings.part_bytes, _pool_size(num_cpus, 1 << 30), _task_map)
    metadata, json_types = scan_metadata(inputs, options)
    features = {config: features_for(config, metadata) for config in configs}
    return inputs, features, json_types, options, ratios, settings.part_bytes


def _per_group(inputs: Sequence[InputFile], actor: type, num_cpus: Optional[int], part_bytes: int, **kwargs) -> "ray.data.Dataset":
    """One item per group of consecutive input files (or part of a file: `_items`), in source order,
    mapped one at a time by a pool of ``actor(cwd=..., **kwargs)``."""
    items = _items(inputs, part_bytes, _pool_size(num_cpus, 1 << 30))
    ds = ray.data.from_items(items, override_num_blocks=len(items))
    ds.context.execution_options.preserve_order = True
    return ds.map_batches(
        actor,
        batch_size=1,
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=_pool_size(num_cpus, len(items))),
        num_cpus=1,
        fn_constructor_kwargs={"cwd": os.getcwd(), **kwargs},
    )


# --- export --------------------------------------------------------------------------------------


def export_configs(
    source: Any,
    staging: Path,
    configs: Sequence[str],
    shard_bytes: int,
    *,
    errors: str = "raise",
    address: Optional[str] = None,
    num_cpus: Optional[int] = None,
    _actor: type = _ExportFiles,
    **config_kwargs,
) -> dict[str, tuple[Any, BuildReport, list[Path], dict[Path, str]]]:
    """Build ``configs`` of ``source`` on Ray into ``staging`` (the export's staging folder), in one pass.

    Returns, per config, ``(info, report, files, digests)``: the `datasets.DatasetInfo` for the
    card, the `BuildReport` (the same counts and rejects as a local build), the shard files
    written, in the layout ``<config>/<split>-NNNNN-of-NNNNN.parquet``, and each one's sha256.
    """
    configs = list(configs)
    inputs, features, json_types, options, ratios, part_bytes = _prepared(source, configs, errors, config_kwargs, address, num_cpus)
    inputs = _parts(inputs, options, json_types, part_bytes, num_cpus)
    parts = Path(staging).resolve() / PARTS_FOLDER
    records_ds = _per_group(
        inputs, _actor, num_cpus, part_bytes, parts=str(parts), shard_bytes=shard_bytes, configs=features,
        json_types=json_types, options=options, errors=errors, ratios=ratios,
    )
    records = sorted(_run(records_ds), key=lambda record: record["index"])
    built = {
        config: _gathered(config, features[config], [r["configs"][config] for r in records], ratios, staging, parts)
        for config in configs
    }
    shutil.rmtree(parts, ignore_errors=True)
    return built


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
    total = BuildReport(config=config, disagree=0 if config == "articles" else None)
    rejects = []
    for index, record in enumerate(records):
        part = record["stats"]
        total.read += part["read"]
        total.written += part["written"]
        total.rejected += part["rejected"]
        total.rows += part["rows"]
        total.stored += part["stored"]
        if total.disagree is not None:
            total.disagree += part["disagree"]
        rejects.extend((SPLIT_NAMES.index(split), index, number, reject)
                       for number, (split, reject) in enumerate(record["rejects"]))
    # a local build reads split after split, then sorts by file and line (a stable sort)
    ordered = [reject for *_, reject in sorted(rejects, key=lambda r: r[:3])]
    total.rejects = sorted(ordered, key=lambda reject: (reject["file"], reject["line"] or 0))
    return total


# --- the Python API on Ray Datasets ----------------------------------------------------------------


class _ReadRows:
    """An actor of `read`: each input file's rows of the config (file by file in a group), as Arrow tables of its features."""

    def __init__(self, cwd: str, **kwargs):
        enter_folder(cwd)  # the driver's folder, where the source's relative paths point
        self.rows = _Rows(**kwargs)

    def __call__(self, batch: Any) -> Iterator[Any]:
        for row in _batch_rows(batch):
            for file_row in _files(row):
                for _, table in self.rows(_input_file(file_row)):
                    yield table
                for _, reject in self.rows.rejects:  # errors="report": as a streaming load, rejects are logged
                    logger.warning("newspairs: rejected %s", SourceError(reject["file"], reject["article"], reject["line"], reject["reason"]))


def read(
    source: Any = None,
    config: str = "articles",
    *,
    split: Optional[str] = None,
    errors: str = "raise",
    address: Optional[str] = None,
    num_cpus: Optional[int] = None,
    **config_kwargs,
) -> "ray.data.Dataset":
    """A `ray.data.Dataset` whose rows are ``config``'s rows of ``source`` (None: the embedded default).

    ``split`` keeps one split's rows, in the order ``newspairs.load(source, config)[split]`` has
    them; None keeps every split's rows, file by file in source order. Each group of consecutive
    input files (each part of a large ``.jsonl`` or Parquet file alone, ``part_bytes``) is read by one actor of a pool of
    ``num_cpus`` (default: the cluster's CPUs). Columns and types are those
    of the config's `datasets` features (a ``ClassLabel`` as its integer). With ``errors="raise"``
    the first bad article fails the pipeline (Ray's error names its file, article and line); with
    ``"report"`` it is left out and logged as a warning by the worker (in Ray's worker logs, and on
    the driver when Ray forwards them: ``log_to_driver``); `newspairs.export.export` with
    ``engine="ray"`` gathers rejects into its report instead. Other keyword arguments as for `newspairs.load`.
    """
    inputs, features, json_types, options, ratios, part_bytes = _prepared(source, [config], errors, config_kwargs,
                                                                          address, num_cpus, split)
    inputs = _parts(inputs, options, json_types, part_bytes, num_cpus)
    return _per_group(
        inputs, _ReadRows, num_cpus, part_bytes, config=config, features=features[config], json_types=json_types,
        options=options, errors=errors, ratios=ratios, split=split,
    )


def _texts(table: Any, column: str) -> list[str]:
    if column not in table.column_names:
        raise ValueError(f"the dataset has no text column {column!r} (its columns: {table.column_names})")
    texts = table.column(column).to_pylist()
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise ValueError(f"row {i} of a batch of column {column!r} is not text: {text!r:.80}")
    return texts


def _with_column(table: Any, name: str, values: Any) -> Any:
    if name in table.column_names:
        return table.set_column(table.column_names.index(name), name, values)
    return table.append_column(name, values)


class _Normalize:
    """An actor of `normalize`: the tokenizer is built (or loaded) once, then normalizes batch after batch."""

    def __init__(self, column: str, into: str, tokenizer_json: Optional[str]):
        from tokenizers import Tokenizer

        from newspairs.normalize import normalize_batch

        self.column, self.into = column, into
        self.tokenizer = Tokenizer.from_str(tokenizer_json) if tokenizer_json else None
        self.normalize_batch = normalize_batch
        normalize_batch(["built once per actor"], self.tokenizer)

    def __call__(self, table: Any) -> Any:
        import pyarrow as pa

        normalized = self.normalize_batch(_texts(table, self.column), self.tokenizer)
        return _with_column(table, self.into, pa.array(normalized, type=pa.string()))


class _Encode:
    """An actor of `encode`: one `newspairs.Encoder`, made once, encodes batch after batch."""

    def __init__(self, tokenizer_json: str, column: str, options: dict[str, Any]):
        import pyarrow as pa
        from tokenizers import Tokenizer

        from newspairs.feed import Encoder

        self.column = column
        self.encoder = Encoder(Tokenizer.from_str(tokenizer_json), column=column, **options)
        self.types = {"input_ids": pa.list_(pa.int32()), "attention_mask": pa.list_(pa.int8()),
                      "offset_mapping": pa.list_(pa.list_(pa.int32(), 2))}
        self.array = pa.array

    def __call__(self, table: Any) -> Any:
        encoded = self.encoder({self.column: _texts(table, self.column)})
        for name, values in encoded.items():
            table = _with_column(table, name, self.array(values, type=self.types.get(name)))
        return table


def _actor_options(concurrency: Optional[int], num_cpus: Optional[float]) -> dict[str, Any]:
    """A pool of ``concurrency`` actors (default: up to the cluster's CPUs) of ``num_cpus`` each.

    The default half CPU per actor leaves room for the tasks that read and write around the pool:
    an actor holding a whole CPU of a one-CPU Ray would starve the reads it waits for (Ray counts
    CPUs strictly, so on one CPU the reads must ask for half a CPU too: ``read_json(..., num_cpus=0.5)``).
    """
    size = concurrency or _pool_size(None, 1 << 30)
    return {"compute": ray.data.ActorPoolStrategy(min_size=1, max_size=size), "num_cpus": num_cpus or 0.5}


def normalize(
    ds: "ray.data.Dataset",
    column: str = "raw",
    into: str = "normalized",
    *,
    tokenizer: Any = None,
    batch_size: int = 256,
    concurrency: Optional[int] = None,
    num_cpus: Optional[float] = None,
) -> "ray.data.Dataset":
    """``ds`` with ``into`` = `newspairs.normalize` of each row's ``column``, run in an actor pool.

    ``tokenizer`` (a `tokenizers.Tokenizer` or the path of a ``tokenizer.json``) normalizes with
    that file's normalizer instead of the built-in rules. A row whose ``column`` is not text stops
    the pipeline with a `ValueError`.
    """
    return ds.map_batches(
        _Normalize, batch_size=batch_size, batch_format="pyarrow",
        fn_constructor_kwargs={"column": column, "into": into, "tokenizer_json": _tokenizer_json(tokenizer)},
        **_actor_options(concurrency, num_cpus),
    )


def encode(
    ds: "ray.data.Dataset",
    tokenizer: Any = None,
    column: str = "raw",
    *,
    batch_size: int = 256,
    concurrency: Optional[int] = None,
    num_cpus: Optional[float] = None,
    **options,
) -> "ray.data.Dataset":
    """``ds`` with ``input_ids`` and ``attention_mask`` (``offset_mapping`` with ``offsets=True``)
    of each row's raw ``column``: the ids of ``newspairs.Encoder(tokenizer, column=column, **options)``.

    ``tokenizer``: a trained `tokenizers.Tokenizer`, the path of its ``tokenizer.json``, or None
    (`newspairs.load_tokenizer()`). Each actor of the pool makes one `Encoder`, so each word's ids
    are asked of the model once per actor. With ``padding=True`` each batch is padded to its longest
    row; for fixed-width tensors (``iter_torch_batches``), give the tokenizer a fixed padding length.
    """
    if tokenizer is None:
        from newspairs.train import load_tokenizer

        tokenizer = load_tokenizer()
    if "keep" in options:
        raise ValueError("keep is for set_transform; encode adds its columns to the dataset's own")
    from newspairs.feed import Encoder

    Encoder(_as_tokenizer(tokenizer), column=column, **options)  # bad options fail here, not in an actor
    return ds.map_batches(
        _Encode, batch_size=batch_size, batch_format="pyarrow",
        fn_constructor_kwargs={"tokenizer_json": _tokenizer_json(tokenizer), "column": column, "options": options},
        **_actor_options(concurrency, num_cpus),
    )


def _as_tokenizer(tokenizer: Any):
    from tokenizers import Tokenizer

    return tokenizer if isinstance(tokenizer, Tokenizer) else Tokenizer.from_file(os.fspath(tokenizer))


def _tokenizer_json(tokenizer: Any) -> Optional[str]:
    return None if tokenizer is None else _as_tokenizer(tokenizer).to_str()


__all__ = ["connect", "encode", "export_configs", "normalize", "read"]
