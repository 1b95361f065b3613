"""The Ray Data adapter: export, read, normalize and encode across a Ray cluster.

The only module that imports ``ray`` (``pip install 'newspairs[ray]'``). It holds no newspairs logic
of its own: each input file is one work item, and an actor of a pool does, per file, what the local
builder does per file (`newspairs.sources.read_input`, then `newspairs.builder`'s ``_accepted`` and
``_rows``, whose batches go through `newspairs.normalize_batch`); each actor builds the normalizer
once. So the local and the distributed path share one implementation per batch.

- `export_config(source, staging, config, ...)`: one config of `newspairs.export.export` with
  ``engine="ray"``: Parquet parts written by the actors, renamed in order into the export layout;
  the card, stamp and report are written by `newspairs.export` as for a local export.
- `read(source, config="articles", split=None)`: a `ray.data.Dataset` of that config's rows.
- `normalize(ds, column="raw", into="normalized")`: adds the normalization of a text column.
- `encode(ds, tokenizer, column="raw", **options)`: adds ``input_ids``/``attention_mask`` (the ids
  of `newspairs.Encoder` with the same options).

Row order: the export writes each input file's rows per split into its own part files, named by
the file's position in the source, and renames them in that order; so every split holds the same
rows in the same order as a local export, whichever worker finished first.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Optional

import ray

from newspairs.builder import (
    CONFIG_NAMES, SPLIT_NAMES, BuildReport, NewsPairsConfig, _accepted, _rows, features_for,
)
from newspairs.sources import InputFile, ReadOptions, SourceError, read_input, resolve_source, scan_metadata, split_of

logger = logging.getLogger(__name__)

PARTS_FOLDER = ".ray-parts"
# Rows per Parquet row group in a part file (`datasets`' own default for Parquet writing).
ROWS_PER_GROUP = 1000
# Text buffered before a row group is written, whatever the row count: bounds an actor's memory.
CHARS_PER_GROUP = 32 << 20


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
    available = int(ray.cluster_resources().get("CPU", 1)) or 1
    return max(1, min(items, num_cpus or available))


def _source_error(error: BaseException) -> Optional[SourceError]:
    """The `SourceError` a worker raised, found in the exceptions Ray wrapped it in."""
    seen = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, SourceError):
            return SourceError(current.file, current.article, current.line, current.reason)
        stack.extend([getattr(current, "cause", None), current.__cause__, current.__context__])
    return None


def _run(stats: "ray.data.Dataset") -> list[dict[str, Any]]:
    """Run a pipeline whose rows are small JSON records; a bad source raises its `SourceError` here."""
    try:
        return [json.loads(row["record"]) for row in stats.iter_rows()]
    except Exception as error:  # Ray wraps a worker's exception in its own types
        found = _source_error(error)
        if found is not None:
            raise found from None
        raise


# --- the work of one input file ----------------------------------------------------------------


def _items(inputs: Sequence[InputFile]) -> list[dict[str, Any]]:
    return [
        {"index": index, "kind": item.kind, "path": item.path, "relpath": item.relpath, "twin": item.twin or ""}
        for index, item in enumerate(inputs)
    ]


def _input_file(row: dict[str, Any]) -> InputFile:
    return InputFile(row["kind"], row["path"], row["relpath"], row["twin"] or None)


class _Rows:
    """Per input file, the config's rows with their split: the builder's per-file work, as is.

    ``split`` keeps one split's rows only (None: every split). The statistics (`BuildReport`) of
    the last file read are in ``self.stats``; each reject comes with its split in ``self.rejects``.
    """

    def __init__(self, config: str, features: Any, json_types: dict, options: ReadOptions, errors: str,
                 ratios: tuple, split: Optional[str] = None):
        from newspairs.normalize import normalize_batch

        normalize_batch(["built once per actor"])  # the tokenizer is built here, not per batch
        self.config, self.features, self.json_types = config, features, json_types
        self.options, self.errors, self.ratios, self.split = options, errors, ratios, split

    def __call__(self, item: InputFile) -> Iterator[tuple[str, dict[str, Any]]]:
        self.stats = BuildReport(config=self.config, disagree=0 if self.config == "articles" else None)
        self.rejects: list[tuple[str, dict[str, Any]]] = []
        entries = read_input(item, self.options, self.json_types.get(item.path))
        articles = _accepted(self._rejects_noted(entries), self.errors, self.stats)
        key = "article_id" if self.config == "lines" else "id"
        last_id, last_split = None, None
        for row in _rows(self.config, articles, self.stats):
            if row[key] != last_id:
                last_id, last_split = row[key], split_of(row[key], self.ratios)
            self.stats.rows += 1
            if self.split is None or last_split == self.split:
                yield last_split, row

    def _rejects_noted(self, entries):
        for entry in entries:
            if not hasattr(entry, "raw"):  # a Reject: note its split, as the local build reads it in that split
                self.rejects.append((split_of(entry.id, self.ratios), entry.to_dict()))
            yield entry


class _PartWriter:
    """One split's rows of one input file, as Parquet part files of at most ``shard_bytes`` each."""

    def __init__(self, folder: Path, index: int, features: Any, shard_bytes: int):
        self.folder, self.index, self.features, self.shard_bytes = folder, index, features, shard_bytes
        self.part, self.writer, self.written = 0, None, 0
        self.rows: list[dict[str, Any]] = []
        self.chars = 0
        self.num_examples = 0
        self.num_bytes = 0
        self.done: list[str] = []

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        self.chars += sum(len(value) for value in row.values() if isinstance(value, str))
        if len(self.rows) >= ROWS_PER_GROUP or self.chars >= CHARS_PER_GROUP:
            self._flush()

    def _path(self) -> Path:
        return self.folder / f"{self.index:08d}-{self.part:05d}.parquet"

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.rows:
            return
        columns = {name: [row.get(name) for row in self.rows] for name in self.features}
        table = pa.Table.from_pydict(self.features.encode_batch(columns), schema=self.features.arrow_schema)
        self.rows, self.chars = [], 0
        if self.writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(f"{self._path()}.tmp", self.features.arrow_schema)
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
            self.done.append(self._path().name)
            self.writer, self.written, self.part = None, 0, self.part + 1

    def close(self) -> None:
        self._flush()
        self._close_part()


class _ExportFiles(_Rows):
    """An actor of the export: each input file's rows written as part files, one record of counts back."""

    def __init__(self, parts: str, shard_bytes: int, **kwargs):
        super().__init__(**kwargs)
        self.parts, self.shard_bytes = Path(parts), shard_bytes

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        records = []
        for row in _batch_rows(batch):
            records.append(json.dumps(self.export_file(row)))
        return {"record": records}

    def export_file(self, row: dict[str, Any]) -> dict[str, Any]:
        writers: dict[str, _PartWriter] = {}
        for split, out in super().__call__(_input_file(row)):
            writer = writers.get(split)
            if writer is None:
                writer = writers[split] = _PartWriter(self.parts / split, row["index"], self.features, self.shard_bytes)
            writer.add(out)
        for writer in writers.values():
            writer.close()
        return {
            "index": row["index"],
            "stats": self.stats.to_dict(),
            "rejects": self.rejects,
            "splits": {split: [w.num_examples, w.num_bytes, w.done] for split, w in writers.items()},
        }


def _batch_rows(batch: Any) -> list[dict[str, Any]]:
    if hasattr(batch, "to_pylist"):
        return batch.to_pylist()
    names = list(batch)
    return [dict(zip(names, values)) for values in zip(*(list(batch[name]) for name in names))]


def _prepared(source: Any, config: str, errors: str, config_kwargs: dict[str, Any]):
    """The inputs, features, JSON types, read options and split ratios of a build, checked as the builder checks them."""
    if config not in CONFIG_NAMES:
        raise ValueError(f"config must be one of {CONFIG_NAMES}, got {config!r}")
    settings = NewsPairsConfig(name=config, errors=errors, **config_kwargs)  # validates errors and split_ratios
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    elif source is not None and not isinstance(source, str):
        source = [os.fspath(entry) for entry in source]
    inputs = resolve_source(source)
    options = ReadOptions(raw_column=settings.raw_column, normalized_column=settings.normalized_column)
    metadata, json_types = scan_metadata(inputs, options)
    ratios = tuple((name, ratio) for name, ratio in zip(SPLIT_NAMES, settings.split_ratios) if ratio > 0)
    return inputs, features_for(config, metadata), json_types, options, ratios


def _items_dataset(inputs: Sequence[InputFile]) -> "ray.data.Dataset":
    items = _items(inputs)
    ds = ray.data.from_items(items, override_num_blocks=len(items))
    ds.context.execution_options.preserve_order = True
    return ds


# --- export --------------------------------------------------------------------------------------


def export_config(
    source: Any,
    staging: Path,
    config: str,
    shard_bytes: int,
    *,
    errors: str = "raise",
    address: Optional[str] = None,
    num_cpus: Optional[int] = None,
    _actor: type = _ExportFiles,
    **config_kwargs,
):
    """Build ``config`` of ``source`` on Ray into ``staging`` (the export's staging folder).

    Returns ``(info, report, files)``: the `datasets.DatasetInfo` for the card, the `BuildReport`
    (the same counts and rejects as a local build), and the shard files written, in the layout
    ``<config>/<split>-NNNNN-of-NNNNN.parquet``.
    """
    import datasets
    from datasets.splits import SplitDict, SplitInfo

    inputs, features, json_types, options, ratios = _prepared(source, config, errors, config_kwargs)
    connect(address, num_cpus)
    parts = Path(staging) / PARTS_FOLDER / config
    size = _pool_size(num_cpus, len(inputs))
    stats = _items_dataset(inputs).map_batches(
        _actor,
        batch_size=1,
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=size),
        num_cpus=1,
        fn_constructor_kwargs={
            "parts": str(parts), "shard_bytes": shard_bytes, "config": config, "features": features,
            "json_types": json_types, "options": options, "errors": errors, "ratios": ratios,
        },
    )
    records = sorted(_run(stats), key=lambda record: record["index"])

    report = _report(config, records)
    splits = SplitDict()
    files: list[Path] = []
    for split in (name for name, _ in ratios):
        counted = [record["splits"][split] for record in records if split in record["splits"]]
        examples = sum(count for count, _, _ in counted)
        if not examples:  # as a local build, a split no article fell into is left out
            continue
        names = [parts / split / name for _, _, written in counted for name in written]
        for number, part in enumerate(names):
            target = Path(staging) / config / f"{split}-{number:05d}-of-{len(names):05d}.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(part, target)
            files.append(target)
        splits.add(SplitInfo(name=split, num_bytes=sum(b for _, b, _ in counted), num_examples=examples))
    shutil.rmtree(parts, ignore_errors=True)
    if not any((Path(staging) / PARTS_FOLDER).iterdir()):
        (Path(staging) / PARTS_FOLDER).rmdir()
    info = datasets.DatasetInfo(
        config_name=config,
        features=features,
        splits=splits,
        download_size=sum(path.stat().st_size for path in files),
        dataset_size=sum(split.num_bytes for split in splits.values()),
    )
    return info, report, files


def _report(config: str, records: list[dict[str, Any]]) -> BuildReport:
    """The per-file counts summed, the rejects in the order a local build lists them."""
    total = BuildReport(config=config, disagree=0 if config == "articles" else None)
    rejects = []
    for record in records:
        part = record["stats"]
        total.read += part["read"]
        total.written += part["written"]
        total.rejected += part["rejected"]
        total.rows += part["rows"]
        total.stored += part["stored"]
        if total.disagree is not None:
            total.disagree += part["disagree"]
        rejects.extend((SPLIT_NAMES.index(split), record["index"], number, reject)
                       for number, (split, reject) in enumerate(record["rejects"]))
    # a local build reads split after split, then sorts by file and line (a stable sort)
    ordered = [reject for *_, reject in sorted(rejects, key=lambda r: r[:3])]
    total.rejects = sorted(ordered, key=lambda reject: (reject["file"], reject["line"] or 0))
    return total
