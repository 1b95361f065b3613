"""Benchmark: the export of a large corpus, local (one process, and ``num_proc=2``) vs Ray Data with 1 and 2 CPUs.

Builds a corpus of at least ``--mb`` MB of raw articles in a temporary folder: the articles of
``../shared/corpora`` (Reuters-21578 documents, ISOT articles) as JSON lines, cycled over
``--files`` files (a file never holds an article twice: once it holds every article, the next
copies carry a last line ``(copy N)``; an id hashes the file's name, so every id is distinct).
``--files 1`` is one large file, which the local ``num_proc`` and Ray read in parts
(`newspairs.sources.split_inputs`). Then, in one run, each in its own process: the local export
(`newspairs.export.export`) in one process and with ``num_proc=2``, and ``engine="ray"`` on a
local Ray of 1 and of 2 CPUs (started before the clock starts, as a cluster is running before a
job). All three configs are exported; with ``--repeat N`` (default 2) the four take turns for N
rounds and each shows its fastest round (one slow moment of a shared machine then moves no
ratio). It also times, alone, the reading before a build of two
processes (`newspairs.sources.prepass`: where the large files are cut, then the types and ids of
each part in a pool of two, merged; included in the exports' times).

Prints a Markdown table: seconds, MB/s of raw text, the ratio to the local export and to Ray with
1 CPU, the driver's peak RSS and the largest peak RSS of a worker (a Ray worker, or a process
the local ``num_proc`` export forked; `VmHWM`, polled from ``/proc`` while the export runs); then
whether the three exports are identical (every config and split, row for row, as Arrow tables)
and whether the issue's targets hold.

``--actor-times`` times instead Ray's export with 1 and 2 CPUs with each work item's start and end
(a group of consecutive files, or a part of a cut file) logged inside its actor: how long until the
first item starts (the reading before the build, the actors' start, paid alike by 1 and 2 CPUs)
apart from the items themselves.

``--raw-build`` times instead the build of the ``raw`` config alone (`newspairs.builder.prepare`,
fresh caches) in one process and with ``num_proc=2``, with the main process's own CPU seconds: the
reading it does before (and beside) the workers, which bounds what ``num_proc`` gains.

``--keep DIR`` builds in DIR and keeps it: a new or empty folder, or one an earlier run kept (its
corpus is then written afresh); a run whose child process fails exits 1.

    python scripts/bench_scale.py [--mb 400] [--files 16] [--repeat 2] [--keep DIR]
    python scripts/bench_scale.py --mb 200        # the issue's smallest corpus
    python scripts/bench_scale.py --files 1       # one 400 MB file, read in parts
    python scripts/bench_scale.py --files 1 --raw-build
    python scripts/bench_scale.py --actor-times
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
REUTERS = CORPORA / "reuters21578" / "reuters21578_text.txt"
ISOT = CORPORA / "isot" / "isot_true_text.txt"
CONFIGS = ("articles", "lines", "raw")
# what a run writes in its folder: a --keep DIR holding anything else is not this script's
OWN_ENTRIES = ("corpus", "out-*", "hf-cache-*", "actor-times-*.jsonl", "staging-*")
# issue 19's targets on a 2-core machine
TARGET_TWO_OVER_ONE = 1.5
TARGET_ONE_OVER_LOCAL = 0.8


def corpus_articles() -> list[str]:
    """Reuters documents (title, body, separated by a blank line) and ISOT articles (one a line)."""
    reuters = [doc.strip("\n") for doc in REUTERS.read_text(encoding="utf-8").split("\n\n") if doc.strip()]
    isot = [line for line in ISOT.read_text(encoding="utf-8").split("\n") if line.strip()]
    return reuters + isot


def make_corpus(folder: Path, megabytes: float, files: int, articles: list[str] | None = None) -> int:
    """Write at least ``megabytes`` MB of raw text as ``files`` JSON lines files; returns the raw bytes.

    An earlier corpus in ``folder`` is replaced: its files would be read with the new ones (a
    ValueError if ``folder`` holds anything else).
    """
    if files < 1 or megabytes <= 0:
        raise ValueError(f"a corpus needs at least 1 file and more than 0 MB, got {files} files and {megabytes} MB")
    folder.mkdir(parents=True, exist_ok=True)
    earlier = list(folder.iterdir())
    foreign = [entry.name for entry in earlier if not (entry.is_file() and fnmatch.fnmatch(entry.name, "part-*.jsonl"))]
    if foreign:
        raise ValueError(f"{folder} holds files that are not a corpus of this script: {', '.join(sorted(foreign)[:3])}")
    for entry in earlier:
        entry.unlink()
    articles = articles or corpus_articles()
    distinct = len(set(articles))
    target = int(megabytes * 1e6)
    per_file = -(-target // files)
    written, position = 0, 0
    for number in range(files):
        size, seen, copy = 0, set(), 0
        with open(folder / f"part-{number:03d}.jsonl", "w", encoding="utf-8") as handle:
            while size < per_file:
                if len(seen) >= distinct:  # the file holds every article: the next round is marked copies
                    seen, copy = set(), copy + 1
                raw = articles[position % len(articles)]
                position += 1
                if raw in seen:  # the corpus's own duplicates: one per round (every engine would reject the rest)
                    continue
                seen.add(raw)
                text = raw if not copy else f"{raw}\n(copy {copy})"
                handle.write(json.dumps({"raw": text, "copy": number}) + "\n")
                size += len(text.encode("utf-8"))
        written += size
    return written


def _parent_of(pid: str) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[1]
    except (OSError, IndexError):
        return None


def _descends_from(pid: str, ancestor: str) -> bool:
    for _ in range(32):
        pid = _parent_of(pid)
        if pid is None or pid in ("0", "1"):
            return False
        if pid == ancestor:
            return True
    return False


def _peak_worker_rss(stop: threading.Event, peaks: dict[int, int], forked: bool = False) -> None:
    """Poll the peak RSS (VmHWM, kB) of this process's workers until ``stop``: its Ray workers or,
    with ``forked``, the processes it forked itself (the local export's ``num_proc`` pool).

    The local Ray started here runs its workers under this process (raylet, then workers), so
    other Ray sessions on the machine are not counted.
    """
    me = str(os.getpid())
    while not stop.wait(0.25):
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                if forked:
                    if _parent_of(pid) != me:
                        continue
                else:
                    with open(f"/proc/{pid}/cmdline", "rb") as handle:
                        if not handle.read(64).startswith(b"ray::") or not _descends_from(pid, me):
                            continue
                with open(f"/proc/{pid}/status", encoding="ascii") as handle:
                    for line in handle:
                        if line.startswith("VmHWM:"):
                            peaks[int(pid)] = max(peaks.get(int(pid), 0), int(line.split()[1]))
            except OSError:
                continue


def machine_busy_seconds() -> float:
    """CPU seconds every process of the machine has used (``/proc/stat``): beside a run's own share,
    what other work took while it ran (the machine may be shared)."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            ticks = [int(value) for value in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def run_one(engine: str, cpus: int, corpus: Path, out: Path) -> dict:
    """One export in this process; what `main` prints comes from here (called in a child process)."""
    import resource

    from newspairs.export import export

    start_ray = 0.0
    if engine == "ray":
        import ray

        began = time.perf_counter()
        ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False)
        start_ray = time.perf_counter() - began
    peaks: dict[int, int] = {}
    stop = threading.Event()
    poller = threading.Thread(target=_peak_worker_rss, args=(stop, peaks, engine == "local"), daemon=True)
    poller.start()
    busy = machine_busy_seconds()
    began = time.perf_counter()
    if engine == "ray":
        export(str(corpus), out, engine="ray", num_cpus=cpus)
    else:
        export(str(corpus), out, num_proc=cpus if cpus > 1 else None)
    seconds = time.perf_counter() - began
    busy = machine_busy_seconds() - busy
    stop.set()
    poller.join()
    return {
        "seconds": seconds,
        "machine_cpu": busy,
        "ray_start": start_ray,
        "driver_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_rss_mb": max(peaks.values(), default=0) / 1024,
    }


def run_raw_build(cpus: int, corpus: Path) -> dict:
    """The ``raw`` config built in this process (and ``cpus`` workers); called in a child process."""
    import resource

    from newspairs.builder import prepare

    busy = machine_busy_seconds()
    began = time.perf_counter()
    prepare(str(corpus), "raw", num_proc=cpus if cpus > 1 else None)
    seconds = time.perf_counter() - began
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {"seconds": seconds, "machine_cpu": machine_busy_seconds() - busy, "main_cpu": own.ru_utime + own.ru_stime}


def child_failed(child: subprocess.CompletedProcess, what: str) -> bool:
    """Whether a child run failed; if so, the end of its error output and a line naming it on stderr."""
    if child.returncode == 0:
        return False
    print(child.stderr[-3000:], file=sys.stderr)
    print(f"bench_scale: error: the child run {what} failed (exit {child.returncode})", file=sys.stderr)
    return True


def raw_builds(corpus: Path, mb: float, folder: Path) -> bool:
    """`run_raw_build` with 1 and 2 processes, twice each, each in a child with an empty cache; a table.
    False if a child run failed."""
    print("| raw build | seconds | MB/s | main process CPU s | machine busy CPUs |")
    print("|---|---:|---:|---:|---:|")
    for cpus in (1, 2, 1, 2):
        cache = folder / "hf-cache-raw"
        shutil.rmtree(cache, ignore_errors=True)
        child = subprocess.run(
            [sys.executable, __file__, "--run", "raw", str(cpus), str(corpus), "-"], capture_output=True, text=True,
            env={**os.environ, "TOKENIZERS_PARALLELISM": "false", "HF_DATASETS_CACHE": str(cache)},
        )
        if child_failed(child, f"raw build num_proc={cpus}"):
            return False
        r = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"| num_proc={cpus} | {r['seconds']:.1f} | {mb / r['seconds']:.2f} | {r['main_cpu']:.1f} | "
              f"{r['machine_cpu'] / r['seconds']:.2f} |")
    shutil.rmtree(folder / "hf-cache-raw", ignore_errors=True)
    return True


def run_actor_times(cpus: int, corpus: Path, folder: Path) -> dict:
    """Ray's export of ``corpus`` on ``cpus`` CPUs with each work item's start and end logged inside
    the actors (called in a child process): how long until the first item starts (Ray's fixed start:
    the reading before the build, the actors' start), the items' own seconds, and the whole."""
    import ray

    import newspairs.ray as newspairs_ray
    from newspairs.builder import CONFIG_NAMES
    from newspairs.export import DEFAULT_MAX_SHARD_SIZE
    from datasets.utils.py_utils import convert_file_size_to_int

    log = folder / f"actor-times-{cpus}.jsonl"
    log.unlink(missing_ok=True)

    class TimedExport(newspairs_ray._ExportFiles):  # pickled by value: this script is the workers' __main__
        def export_group(self, row):
            began = time.time()
            record = super().export_group(row)
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"pid": os.getpid(), "start": began, "end": time.time()}) + "\n")
            return record

    ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False)
    staging = Path(tempfile.mkdtemp(prefix="staging-", dir=folder))
    began = time.time()
    newspairs_ray.export_configs(str(corpus), staging, CONFIG_NAMES, convert_file_size_to_int(DEFAULT_MAX_SHARD_SIZE),
                                 num_cpus=cpus, _actor=TimedExport)
    ended = time.time()
    shutil.rmtree(staging, ignore_errors=True)
    items = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return {
        "seconds": ended - began,
        "first_item": min(i["start"] for i in items) - began,
        "items_span": max(i["end"] for i in items) - min(i["start"] for i in items),
        "item_seconds": sum(i["end"] - i["start"] for i in items),
        "items": len(items),
    }


def actor_times(corpus: Path, mb: float, folder: Path, repeat: int) -> bool:
    """`run_actor_times` for 1 and 2 CPUs, taking turns for ``repeat`` rounds (each its fastest); a table.
    False if a child run failed."""
    results: dict[int, dict] = {}
    for _ in range(repeat):
        for cpus in (1, 2):
            child = subprocess.run(
                [sys.executable, __file__, "--run", "actor-times", str(cpus), str(corpus), str(folder)],
                capture_output=True, text=True, env={**os.environ, "TOKENIZERS_PARALLELISM": "false"},
            )
            if child_failed(child, f"actor times {cpus} CPU{'s' if cpus > 1 else ''}"):
                return False
            result = json.loads(child.stdout.strip().splitlines()[-1])
            if cpus not in results or result["seconds"] < results[cpus]["seconds"]:
                results[cpus] = result
    print(f"best of {repeat} round{'s' if repeat > 1 else ''}; Ray's export (export_configs, no card), each work item timed inside its actor\n")
    print("| Ray | export s | until the first item s | first item start to last item end s | items' own seconds, summed | items |")
    print("|---|---:|---:|---:|---:|---:|")
    for cpus, r in results.items():
        print(f"| {cpus} CPU{'s' if cpus > 1 else ''} | {r['seconds']:.1f} | {r['first_item']:.1f} | {r['items_span']:.1f} | "
              f"{r['item_seconds']:.1f} | {r['items']} |")
    one, two = results[1], results[2]
    print(f"\n2 CPUs / 1 CPU: the whole export {one['seconds'] / two['seconds']:.2f}x; from the first item's start to the "
          f"last item's end {one['items_span'] / two['items_span']:.2f}x; the fixed start before the first item "
          f"{one['first_item']:.1f} s and {two['first_item']:.1f} s")
    return True


def cut_into_parts(corpus: Path, workers: int) -> tuple[int, float]:
    """How many work items the corpus's files become for ``workers`` (files and parts of files), and
    the seconds the reading before a build of ``workers`` processes takes (the line starts, then the
    types and ids of each part in a pool of ``workers``, merged here), as the builder does it."""
    from newspairs.builder import _pool_map
    from newspairs.sources import DEFAULT_PART_BYTES, ReadOptions, prepass, resolve_source, scan_metadata, split_inputs

    inputs = resolve_source(str(corpus))
    began = time.perf_counter()
    prepass(inputs, ReadOptions(), DEFAULT_PART_BYTES, workers, _pool_map(workers))
    _, types = scan_metadata(inputs)
    parts = split_inputs(inputs, ReadOptions(), types, min_parts=workers)
    return len(parts), time.perf_counter() - began


def same_exports(first: Path, second: Path) -> list[str]:
    """Where two exports differ (config/split), read as Arrow tables shard after shard; [] if nowhere."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    differences = []
    for config in CONFIGS:
        # shards lie in <config>/<digest>/, the digest naming their bytes (which differ between engines)
        splits = sorted({p.name.split("-")[0] for p in (first / config).glob("*/*.parquet")}
                        | {p.name.split("-")[0] for p in (second / config).glob("*/*.parquet")})
        for split in splits:
            shards = [sorted((folder / config).glob(f"*/{split}-*.parquet")) for folder in (first, second)]
            if not all(shards):  # the split is in one export only
                differences.append(f"{config}/{split}")
                continue
            tables = [pa.concat_tables([pq.read_table(path) for path in paths]) for paths in shards]
            if not tables[0].equals(tables[1]):
                differences.append(f"{config}/{split}")
    for name in ("newspairs_report.json", "newspairs_stamp.json"):
        if (first / name).read_text() != (second / name).read_text():
            differences.append(name)
    return differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # Ray's fixed start (imports, actors, the reading before the build) is paid alike by 1 and 2 CPUs:
    # the larger the corpus, the less it hides how the files scale (docs/ray.md)
    parser.add_argument("--mb", type=float, default=400, help="raw text in the corpus, in MB (default: 400)")
    parser.add_argument("--files", type=int, default=16, help="JSON lines files it is spread over (default: 16; 1: one large file, read in parts)")
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it (default: a temporary folder)")
    parser.add_argument("--repeat", type=int, default=2, help="rounds; each export's fastest is shown (default: 2)")
    parser.add_argument("--raw-build", action="store_true", help="time the raw config's build with num_proc 1 and 2 instead")
    parser.add_argument("--actor-times", action="store_true",
                        help="time Ray's export with 1 and 2 CPUs instead, each file timed inside its actor: the fixed start apart from the files")
    parser.add_argument("--run", nargs=4, metavar=("ENGINE", "CPUS", "CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    if args.files < 1:
        parser.error(f"--files must be at least 1, got {args.files}")
    if not args.mb > 0:
        parser.error(f"--mb must be more than 0, got {args.mb}")
    if args.keep:
        keep = Path(args.keep)
        if keep.exists() and not keep.is_dir():
            parser.error(f"--keep {keep}: not a folder")
        foreign = sorted(entry.name for entry in keep.iterdir()
                         if not any(fnmatch.fnmatch(entry.name, own) for own in OWN_ENTRIES)) if keep.is_dir() else []
        if foreign:
            parser.error(f"--keep {keep}: holds what no run of this script wrote ({', '.join(foreign[:3])}): "
                         "give a new or empty folder")
    if args.run:  # a child process: one export (or raw build), its figures as JSON
        engine, cpus, corpus, out = args.run
        if engine == "raw":
            print(json.dumps(run_raw_build(int(cpus), Path(corpus))))
        elif engine == "actor-times":
            print(json.dumps(run_actor_times(int(cpus), Path(corpus), Path(out))))
        else:
            print(json.dumps(run_one(engine, int(cpus), Path(corpus), Path(out))))
        return 0

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="newspairs-bench-scale-"))
    try:
        try:
            raw_bytes = make_corpus(folder / "corpus", args.mb, args.files)
        except ValueError as error:  # a --keep DIR whose corpus folder holds other files
            parser.error(f"--keep: {error}")
        return benchmark(args, folder, raw_bytes)
    finally:
        if not args.keep:  # a failed run leaves no temporary folder behind either
            shutil.rmtree(folder, ignore_errors=True)


def benchmark(args: argparse.Namespace, folder: Path, raw_bytes: int) -> int:
    """The runs ``args`` ask for on the corpus in ``folder`` and their tables; the exit status."""
    corpus = folder / "corpus"
    mb = raw_bytes / 1e6
    print(f"corpus: {mb:.1f} MB of raw text in {args.files} JSON lines files ({corpus})")
    if args.raw_build:
        return 0 if raw_builds(corpus, mb, folder) else 1
    if args.actor_times:
        return 0 if actor_times(corpus, mb, folder, args.repeat) else 1
    cut, seconds = cut_into_parts(corpus, 2)
    print(f"cut for 2 workers: {cut} parts; the reading before the build (types, line starts, ids; 2 processes) "
          f"took {seconds:.1f} s alone ({mb / seconds if seconds else float('inf'):.0f} MB/s)\n")
    runs = {"local": ("local", 1), "local, num_proc=2": ("local", 2), "ray, 1 CPU": ("ray", 1), "ray, 2 CPUs": ("ray", 2)}
    results, outs = {}, {}
    for _ in range(args.repeat):  # the exports take turns, round after round; each keeps its fastest
        for name, (engine, cpus) in runs.items():
            outs[name] = folder / f"out-{engine}-{cpus}"
            shutil.rmtree(outs[name], ignore_errors=True)
            cache = folder / f"hf-cache-{engine}-{cpus}"  # its own, emptied: no run is served another's build
            shutil.rmtree(cache, ignore_errors=True)
            child = subprocess.run(
                [sys.executable, __file__, "--run", engine, str(cpus), str(corpus), str(outs[name])],
                capture_output=True, text=True,
                env={**os.environ, "TOKENIZERS_PARALLELISM": "false", "HF_DATASETS_CACHE": str(cache)},
            )
            if child_failed(child, name):
                return 1
            result = json.loads(child.stdout.strip().splitlines()[-1])
            if name not in results or result["seconds"] < results[name]["seconds"]:
                results[name] = result
    print(f"best of {args.repeat} round{'s' if args.repeat > 1 else ''}, the exports taking turns in each\n")
    local, one = results["local"]["seconds"], results["ray, 1 CPU"]["seconds"]
    print("| export | seconds | MB/s | vs local | vs ray 1 CPU | machine busy CPUs | driver peak RSS MB | worker peak RSS MB | Ray start s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['seconds']:.1f} | {mb / r['seconds']:.2f} | {local / r['seconds']:.2f}x | "
              f"{one / r['seconds']:.2f}x | {r['machine_cpu'] / r['seconds']:.2f} | {r['driver_rss_mb']:.0f} | "
              f"{r['worker_rss_mb']:.0f} | {r['ray_start']:.1f} |")
    print("\n(machine busy CPUs: the machine's CPU seconds, all processes, over the run's seconds; more than "
          "the run's workers use means other work shared the machine)")
    differences = {name: same_exports(outs["local"], outs[name]) for name in runs if name != "local"}
    for name, where in differences.items():
        print(f"\n{name} vs local: {'identical' if not where else 'DIFFERENT in ' + ', '.join(where)}", end="")
    print(f"\n\nlocal num_proc=2 / one process = {local / results['local, num_proc=2']['seconds']:.2f}x", end="")
    two_over_one = one / results["ray, 2 CPUs"]["seconds"]
    one_over_local = local / one
    print(f"\n\ntargets: ray 2 CPUs / 1 CPU = {two_over_one:.2f}x (target >= {TARGET_TWO_OVER_ONE}x: "
          f"{'met' if two_over_one >= TARGET_TWO_OVER_ONE else 'NOT met'}); ray 1 CPU / local = {one_over_local:.2f}x "
          f"(target >= {TARGET_ONE_OVER_LOCAL}x: {'met' if one_over_local >= TARGET_ONE_OVER_LOCAL else 'NOT met'})")
    return 0 if not any(differences.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
