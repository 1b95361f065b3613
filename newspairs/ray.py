"""The Ray Data adapter: export, read, normalize and encode across a Ray cluster.

The only module that imports ``ray`` (``pip install 'newspairs[ray]'``). It holds no newspairs logic
of its own: each group of consecutive input files (a large ``.jsonl`` or Parquet file: each of its
parts alone, see `newspairs.sources.split_inputs`) is one work item, and an actor of a pool does, per
file of the item, what the local builder does per file (`newspairs.sources.read_input`, then
`newspairs.builder`'s ``_routed_batches`` and ``_tables``, whose batches go through
`newspairs.normalize_batch`); each actor builds the normalizer once. So the local and the
distributed path share one implementation per batch. The export reads each item once for all its
configs and normalizes each batch once for ``raw`` and ``lines`` (`newspairs.onepass`, which a
local export in one process runs too).

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
import numbers
import os
import shutil
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

import ray

from newspairs.builder import BuildReport
from newspairs.onepass import (
    PARTS_FOLDER, _batch_rows, _ExportFiles, _files, _gathered, _input_file, _items, _Rows,
    features_and_types, settings,
)
from newspairs.sources import InputFile, ReadOptions, SourceError, call_in_folder, counted, enter_folder, prepass, split_inputs


# --- a Ray to run on ---------------------------------------------------------------------------


def connect(address: Optional[str] = None, num_cpus: Optional[int] = None) -> bool:
    """Use the running Ray, else connect to ``address`` (or ``RAY_ADDRESS``), else start a local one.

    ``num_cpus`` sizes a local Ray started here; on a Ray already running (or a cluster) it caps the
    actors. A running Ray that disagrees with ``address`` or has fewer than ``num_cpus`` CPUs is a
    `ValueError` (not silently used). Returns whether this call started Ray (then the caller owns it).
    """
    if num_cpus is not None and (isinstance(num_cpus, bool) or not isinstance(num_cpus, int) or num_cpus < 1):
        # 0 would start a Ray whose actors, one CPU each, never start: the call would wait for ever
        raise ValueError(f"num_cpus must be a whole number of at least 1, got {num_cpus!r}")
    if ray.is_initialized():
        _check_running(address, num_cpus)
        return False
    where = "address" if address is not None else "RAY_ADDRESS"
    given = address if address is not None else (os.environ.get("RAY_ADDRESS") or None)  # RAY_ADDRESS= is unset
    if given is not None and not given.strip():  # `--address "$UNSET"`, most likely: never a local Ray unsaid
        raise ValueError(f"{where} {given!r} is blank: give the address of a running Ray, or none for a local one")
    # a space about it (an env file's) would pass the probe by and Ray would strip it, then retry for minutes
    address = given.strip() if given is not None else None
    if address:
        _probe(address, where)
        with _sigterm_kept():
            ray.init(address=address, include_dashboard=False, log_to_driver=False)
        try:
            _check_cpus(num_cpus, f"the Ray at {where} {address!r} has", "")
        except ValueError:
            ray.shutdown()
            raise
    else:
        # "local": a new Ray for this call, never one that `ray start` (or a stale record of one in
        # Ray's temporary folder) left on this machine, which ray.init() alone would join or wait for
        with _sigterm_kept():
            ray.init(address="local", num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
    return True


@contextmanager
def _sigterm_kept():
    """A SIGTERM handler of Python's set before ``ray.init`` set again after it: Ray puts in its own
    (``sys.exit``), which took the command line's away (`newspairs.cli`: "newspairs: terminated",
    status 143, the staging folder removed) and ended an export killed by a scheduler with a crash.
    Ctrl-C meanwhile is held until ``ray.init`` returns: an interrupt inside it left a driver that
    crashed as it exited (SIGSEGV, after "newspairs: interrupted")."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handler, interrupt = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    interrupted: list[int] = []
    if callable(interrupt):
        signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum))
    try:
        yield
    except SystemExit as stop:  # a SIGTERM while Ray starts met Ray's handler: told as the one set before
        if callable(handler) and stop.code == signal.SIGTERM:
            signal.signal(signal.SIGTERM, handler)
            handler(signal.SIGTERM, None)
        raise
    finally:
        if callable(handler):
            signal.signal(signal.SIGTERM, handler)
        if callable(interrupt):
            signal.signal(signal.SIGINT, interrupt)
    if interrupted:
        interrupt(signal.SIGINT, None)


PROBE_SECONDS = 3.0


def _host_port(address: str) -> Optional[tuple[str, int]]:
    """``(host, port)`` of a ``host:port`` or ``ray://host:port`` address; None for other forms (``auto``)."""
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not host or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


def _probe(address: str, where: str) -> None:
    """Refuse an address where nothing listens: ``ray.init`` would retry its GCS for many minutes."""
    target = _host_port(address)
    if target is None:
        return
    try:
        socket.create_connection(target, timeout=PROBE_SECONDS).close()
    except OSError as error:
        reason = f"no answer in {PROBE_SECONDS:g} s" if isinstance(error, TimeoutError) else error.strerror or str(error)
        raise ValueError(f"{where} {address!r}: no Ray answers at {target[0]}:{target[1]} ({reason}); "
                         "start one there (ray start --head) or give the address of a running cluster") from None


def _same_place(given: tuple[str, int], running: Optional[tuple[str, int]]) -> bool:
    if running is None or given[1] != running[1]:
        return False
    try:
        hosts = {socket.gethostbyname(given[0]), socket.gethostbyname(running[0])}
    except OSError:
        return given[0] == running[0]
    here = {ray.util.get_node_ip_address()}
    return len(hosts) == 1 or all(h in here or h.startswith("127.") for h in hosts)


def _check_cpus(num_cpus: Optional[int], ray_has: str, else_: str) -> None:
    """Refuse ``num_cpus`` above the CPUs of the Ray connected to (``ray_has`` says which Ray)."""
    cpus = int(ray.cluster_resources().get("CPU", 0))
    if num_cpus is not None and num_cpus > cpus:
        raise ValueError(f"num_cpus={num_cpus}: {ray_has} {counted(cpus, 'CPU')}; ask for at most {cpus}{else_}")


def _check_running(address: Optional[str], num_cpus: Optional[int]) -> None:
    """A Ray already running in this process may serve the call only if it is the one asked for."""
    _check_cpus(num_cpus, "Ray is already running in this process with", ", or call ray.shutdown() first for a new local Ray")
    given = _host_port(address) if address else None
    if given is None:  # none given, "auto", or a form only Ray understands
        return
    try:
        running = ray.get_runtime_context().gcs_address
    except Exception:  # a Ray client connection (ray://) tells no GCS address
        running = None
    if not _same_place(given, _host_port(running) if running else None):
        raise ValueError(f"address {address!r}: Ray is already running in this process at {running or 'another address'}; "
                         "call ray.shutdown() first to connect elsewhere")


@contextmanager
def _connected(address: Optional[str], num_cpus: Optional[int], *, keep: bool = False):
    """`connect` for one call: a Ray the call started is shut down when it ends (or fails, or with
    ``keep`` only when it fails: a lazy dataset needs it after the call); the user's Ray is left alone."""
    started = connect(address, num_cpus)
    try:
        yield
    except BaseException:
        if started:
            ray.shutdown()
        raise
    if started and not keep:
        ray.shutdown()


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


def _run(records: "ray.data.Dataset") -> list[dict[str, Any]]:
    """Run a pipeline whose rows are small JSON records; the first bad article stops it with its `SourceError`."""
    out = []
    rows = iter(records.iter_rows())
    try:
        with _quiet_progress():
            for row in rows:
                record = json.loads(row["record"])
                if "error" in record:
                    raise SourceError(*record["error"])
                out.append(record)
    finally:
        # stops the pipeline (its actors) now: left to the garbage collector, the iterator lived on
        # in the traceback while the caller removed the folder the actors were still writing to
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    return out


def _settled(folder: Path, quiet: float = 0.5, limit: float = 30.0) -> None:
    """Wait until nothing in ``folder`` has changed for ``quiet`` seconds (``limit`` at most): a
    stopped pipeline's actors are killed, not awaited, and one may still be closing a part file."""
    deadline, last, since = time.monotonic() + limit, None, time.monotonic()
    while time.monotonic() < deadline:
        try:
            state = sorted((str(path), path.stat().st_size) for path in folder.rglob("*"))
        except OSError:  # a file renamed or removed while listed: a change
            state = None
        if state is None or state != last:
            last, since = state, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.05)


def _parts(inputs: Sequence[InputFile], options: ReadOptions, json_types: dict, part_bytes: int,
           num_cpus: Optional[int]) -> list[InputFile]:
    """The work items: each large ``.jsonl`` or Parquet file cut into parts of at most about
    ``part_bytes``, their number a multiple of the actors where the parts stay large enough
    (`split_inputs`), so one big file spreads over the workers."""
    return split_inputs(inputs, options, json_types, part_bytes, _pool_size(num_cpus, 1 << 30))


def _task_map(function, units):
    """``[function(unit) for unit in units]`` as Ray tasks of one CPU each, gathered here in order."""
    if len(units) <= 1:
        return [function(unit) for unit in units]
    # a task's worker imports the module of the function it runs: newspairs.sources', not this
    # module's (ray.data, datasets: most of a second in every worker)
    task = ray.remote(num_cpus=1)(call_in_folder)
    return ray.get([task.remote(os.getcwd(), function, unit) for unit in units])


@contextmanager
def _prepared(source: Any, configs: Sequence[str], errors: str, config_kwargs: dict[str, Any],
              address: Optional[str] = None, num_cpus: Optional[int] = None, split: Optional[str] = None,
              *, keep: bool = False):
    """`newspairs.onepass.settings` of a build (checked as the builder checks them, before Ray is
    started); then, on Ray (`_connected`, ``keep`` as there, for the block's duration), the reading
    before the build (`newspairs.sources.prepass`: the JSON files' types, the ids of the parts of the
    files that are cut) as tasks, by file and part, and the metadata features."""
    inputs, options, ratios, part_bytes = settings(source, configs, errors, config_kwargs, split)
    with _connected(address, num_cpus, keep=keep):
        prepass(inputs, options, part_bytes, _pool_size(num_cpus, 1 << 30), _task_map)
        features, json_types = features_and_types(inputs, options, configs)
        yield inputs, features, json_types, options, ratios, part_bytes


def _work_items(inputs: Sequence[InputFile], part_bytes: int, num_cpus: Optional[int]) -> list[dict[str, Any]]:
    """One item per group of consecutive input files (or part of a file: `_items`), in source order."""
    return _items(inputs, part_bytes, _pool_size(num_cpus, 1 << 30))


def _per_group(items: list[dict[str, Any]], actor: type, num_cpus: Optional[int], **kwargs) -> "ray.data.Dataset":
    """``items`` (`_work_items`) mapped one at a time by a pool of ``actor(cwd=..., **kwargs)``."""
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
    # a Ray started for the export is shut down when it ends: a later call may want another
    with _prepared(source, configs, errors, config_kwargs, address, num_cpus) as prepared:
        inputs, features, json_types, options, ratios, part_bytes = prepared
        inputs = _parts(inputs, options, json_types, part_bytes, num_cpus)
        parts = Path(staging).resolve() / PARTS_FOLDER
        items = _work_items(inputs, part_bytes, num_cpus)
        records_ds = _per_group(
            items, _actor, num_cpus, parts=str(parts), shard_bytes=shard_bytes, configs=features,
            json_types=json_types, options=options, errors=errors, ratios=ratios,
        )
        try:
            records = sorted(_run(records_ds), key=lambda record: record["index"])
        except BaseException:
            _settled(parts)  # then the export removes its staging folder: nothing written after that
            raise
        _check_every_item_done(items, records)
        built = {
            config: _gathered(config, features[config], [r["configs"][config] for r in records], ratios, staging, parts)
            for config in configs
        }
        shutil.rmtree(parts, ignore_errors=True)
        return built


def _check_every_item_done(items: list[dict[str, Any]], records: list[dict[str, Any]]) -> None:
    """Refuse an export that Ray completed without some work items: with Ray Data's
    ``max_errored_blocks`` set, a failed item is skipped, not raised, and its files would be in
    neither the output nor the report."""
    missing = sorted({item["index"] for item in items} - {record["index"] for record in records})
    if missing:
        files = [entry["path"] for index in missing for entry in json.loads(items[index]["files"])]
        raise ValueError(
            f"Ray finished the export without {counted(len(missing), 'work item')} of {len(items)}, whose files are "
            f"unread: {', '.join(files[:3])}{', ...' if len(files) > 3 else ''} (Ray Data skips a failed task when "
            f"DataContext.max_errored_blocks is set, {ray.data.DataContext.get_current().max_errored_blocks} here; "
            "its log says why the task failed)"
        )


# --- the Python API on Ray Datasets ----------------------------------------------------------------


class _ReadRows:
    """An actor of `read`: each input file's rows of the config (file by file in a group), as Arrow tables of its features."""

    def __init__(self, cwd: str, **kwargs):
        enter_folder(cwd)  # the driver's folder, where the source's relative paths point
        self.rows = _Rows(**kwargs)

    def __call__(self, batch: Any) -> Iterator[Any]:
        tables = 0
        try:
            for row in _batch_rows(batch):
                for file_row in _files(row):
                    for table in self.rows(_input_file(file_row)):  # errors="report": each reject logged once, as a streaming load logs it
                        tables += 1
                        yield table
        except SourceError as error:
            # Ray wraps what a function's batch raises (a UserCodeException, told as the user's
            # error), but not what a generator's does: that one it dumps as a bug of Ray's own
            if ray.data.DataContext.get_current().raise_original_map_exception:
                raise
            raise ray.exceptions.UserCodeException("UDF failed to process a data block.") from error
        if not tables:  # Ray knows a dataset's columns from its blocks only: an item without a row
            yield self.rows.schema.empty_table()  # (a split with none, every article rejected) gives an empty one


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
    the first bad article fails the pipeline: Ray's error of user code, a `UserCodeException` whose
    message holds newspairs' line naming its file, article and line (a `SourceError` too with Ray's
    ``raise_original_map_exception``); with
    ``"report"`` it is left out and logged as a warning by the worker: printed on the driver only
    by a Ray started with ``log_to_driver=True`` (a Ray you ``ray.init()`` yourself); a Ray started
    here has it off, so they stay in Ray's worker log files (``session_latest/logs/worker-*.err`` under
    Ray's temporary folder). `newspairs.export.export` with ``engine="ray"`` gathers rejects into
    its report. A Ray started here stays up for the lazy dataset (`connect`; ``ray.shutdown()``
    ends it). Other keyword arguments as for `newspairs.load`.
    """
    # the dataset is lazy: a Ray started here must outlive the call (it stops with the process or ray.shutdown())
    with _prepared(source, [config], errors, config_kwargs, address, num_cpus, split, keep=True) as prepared:
        inputs, features, json_types, options, ratios, part_bytes = prepared
        inputs = _parts(inputs, options, json_types, part_bytes, num_cpus)
        return _per_group(
            _work_items(inputs, part_bytes, num_cpus), _ReadRows, num_cpus, config=config, features=features[config], json_types=json_types,
            options=options, errors=errors, ratios=ratios, split=split,
        )


def _texts(table: Any, column: str) -> list[str]:
    if column not in table.column_names:
        raise ValueError(f"the dataset has no text column {column!r} (its columns: {table.column_names})")
    texts = table.column(column).to_pylist()
    for text in texts:
        if not isinstance(text, str):
            # a batch knows not where it sits in the dataset: no row number rather than a wrong one
            raise ValueError(f"column {column!r} holds a value of type {type(text).__name__}, not text: {text!r:.80}")
    return texts


def _check_column(ds: "ray.data.Dataset", column: str) -> None:
    """Refuse a missing ``column`` now when the schema is known without running the pipeline
    (``fetch_if_missing=False``: a source's metadata); otherwise the first batch refuses it."""
    columns = ds.columns(fetch_if_missing=False)
    if columns is not None and column not in columns:
        raise ValueError(f"column={column!r}: the dataset has no such column (its columns: {columns})")


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

    def __init__(self, tokenizer_json: str, column: str, options: dict[str, Any], call_time: Optional[dict] = None):
        import pyarrow as pa
        from tokenizers import Tokenizer

        from newspairs.feed import Encoder
        from newspairs.pieces import with_call_time_state

        self.column = column
        tokenizer = Tokenizer.from_str(tokenizer_json)
        if call_time is not None:  # what tokenizer.json leaves out and changes the ids (a unigram model's sampling)
            with_call_time_state(tokenizer, call_time)
        self.encoder = Encoder(tokenizer, column=column, **options)
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
    from newspairs.train import is_whole_number

    # numbers' kinds, not int and float: a size worked out with numpy (np.int64) is one too
    if concurrency is not None and (not is_whole_number(concurrency) or concurrency < 1):
        raise ValueError(f"concurrency must be a whole number of actors, at least 1, got {concurrency!r}")
    if num_cpus is not None:
        if isinstance(num_cpus, bool) or not isinstance(num_cpus, numbers.Real) or not num_cpus > 0:
            raise ValueError(f"num_cpus must be a number of CPUs above 0 for each actor, got {num_cpus!r}")
        _check_cpus(num_cpus, "the Ray has", "")  # an actor of more could never start: Ray only warns that it "may hang forever"
    size = int(concurrency) if concurrency else _pool_size(None, 1 << 30)
    return {"compute": ray.data.ActorPoolStrategy(min_size=1, max_size=size), "num_cpus": float(num_cpus) if num_cpus else 0.5}


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
    that file's normalizer instead of the built-in rules; one whose normalizer is not a newspairs
    normalization is a `ValueError` here. So is a missing ``column`` when the dataset's schema is
    known without running it. A row whose ``column`` is not text stops the pipeline when it is
    consumed, with Ray's error, not a bare `ValueError`: a `ray.exceptions.RayTaskError` whose
    message holds newspairs' ``ValueError: column 'raw' holds a value of type NoneType, not text: None``. With
    ``ray.data.DataContext.get_current().raise_original_map_exception = True`` set before the
    dataset is made, Ray's error is also a `ValueError`, and its ``cause`` is newspairs' one.
    """
    _check_column(ds, column)
    tokenizer_json = _tokenizer_json(tokenizer)
    if tokenizer is not None:  # as `newspairs normalize --tokenizer` refuses it, before any actor starts
        from newspairs.normalize import normalize as normalize_text

        try:
            normalize_text("A line.", _as_tokenizer(tokenizer))
        except ValueError as error:
            raise ValueError(f"tokenizer={_named(tokenizer)}: {error}") from None
    return ds.map_batches(
        _Normalize, batch_size=batch_size, batch_format="pyarrow",
        fn_constructor_kwargs={"column": column, "into": into, "tokenizer_json": tokenizer_json},
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
    A missing ``column`` and a row that is not text are refused as by `normalize`.
    """
    if tokenizer is None:
        from newspairs.train import load_tokenizer

        tokenizer = load_tokenizer()
    if "keep" in options:
        raise ValueError("keep is for set_transform; encode adds its columns to the dataset's own")
    from newspairs.feed import ENCODER_OPTIONS, Encoder
    from newspairs.pieces import call_time_state

    unknown = sorted(set(options) - ENCODER_OPTIONS - {"column"}, key=str)
    if unknown:  # it was Python's TypeError from Encoder's constructor
        raise ValueError(f"encode() has no option {unknown[0]!r} (its options: "
                         f"{', '.join(sorted(ENCODER_OPTIONS - {'column', 'keep'}))}, batch_size, concurrency, num_cpus)")

    tokenizer = _as_tokenizer(tokenizer)
    Encoder(tokenizer, column=column, **options)  # bad options fail here, not in an actor
    _check_column(ds, column)
    return ds.map_batches(
        _Encode, batch_size=batch_size, batch_format="pyarrow",
        fn_constructor_kwargs={"tokenizer_json": tokenizer.to_str(), "column": column, "options": options,
                               "call_time": call_time_state(tokenizer)},
        **_actor_options(concurrency, num_cpus),
    )


def _as_tokenizer(tokenizer: Any):
    from tokenizers import Tokenizer

    if isinstance(tokenizer, Tokenizer):
        return tokenizer
    try:
        return Tokenizer.from_file(os.fspath(tokenizer))
    except Exception as error:  # tokenizers raises a bare Exception for a missing or unparsable file
        raise ValueError(f"tokenizer={os.fspath(tokenizer)!r}: not a readable tokenizer.json ({error})") from None


def _named(tokenizer: Any) -> str:
    from tokenizers import Tokenizer

    return "<a tokenizers.Tokenizer>" if isinstance(tokenizer, Tokenizer) else repr(os.fspath(tokenizer))


def _tokenizer_json(tokenizer: Any) -> Optional[str]:
    return None if tokenizer is None else _as_tokenizer(tokenizer).to_str()


__all__ = ["connect", "encode", "export_configs", "normalize", "read"]
