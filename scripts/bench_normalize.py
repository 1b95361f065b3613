"""Benchmark the normalization: newspairs against NLTK (the reference) and sacremoses (a peer).

For each corpus (default: the Reuters-21578 text and the ISOT true-news text in ``../shared/corpora``),
the same lines are normalized, in one run, one process unless said otherwise, by

- newspairs: ``normalize_lines`` over the file's lines;
- newspairs on all cores: a warm ``multiprocessing`` pool over chunks of lines (``--jobs``);
- NLTK: ``" ".join(TreebankWordTokenizer().tokenize(line)).lower()`` per line (the reference);
- Moses: ``" ".join(MosesTokenizer(lang="en").tokenize(line, escape=False)).lower()``, speed only
  (it is a different tokenization), on the first ``--moses-mb`` MB of each corpus (it is slow).

Prints a Markdown table (MB = 10^6 bytes of UTF-8; agreement = lines equal to the reference) and
the seconds per MB on the pathological one-line megabytes of ``tests/strategies.py``. Each path's
figure is its best of ``--repeat`` rounds (as ``timeit`` reports), the paths taking turns.

    python scripts/bench_normalize.py [PATH ...] [--jobs 2] [--moses-mb 2] [--max-lines N] [--repeat 3] [--no-pathological]

Needs the bench extra (``pip install -e '.[bench]'``: nltk, sacremoses).
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # reference + pathological units live with the tests
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import newspairs  # noqa: E402
from reference import reference_normalize_line, reference_normalize_lines  # noqa: E402
from strategies import PATHOLOGICAL_UNITS, pathological_line  # noqa: E402

CORPORA = REPO.parent / "shared" / "corpora"
DEFAULT_PATHS = [CORPORA / "reuters21578" / "reuters21578_text.txt", CORPORA / "isot" / "isot_true_text.txt"]
CHUNKS_PER_JOB = 8  # several chunks per worker even out uneven line lengths
MB = 1_000_000


def timed(function, *args):
    """Seconds and result of ``function(*args)``, the garbage collector off meanwhile (as ``timeit``
    does): otherwise a path run after another pays for scanning what the other left alive."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        result = function(*args)
        return time.perf_counter() - start, result
    finally:
        gc.enable()


def newspairs_lines(lines: list[str]) -> list[str]:
    return list(newspairs.normalize_lines(lines))


def newspairs_pool(pool, lines: list[str], jobs: int) -> list[str]:
    step = -(-len(lines) // (jobs * CHUNKS_PER_JOB)) or 1
    parts = pool.map(newspairs_lines, [lines[i : i + step] for i in range(0, len(lines), step)])
    return [line for part in parts for line in part]


def moses_lines(tokenize, lines: list[str]) -> list[str]:
    return [" ".join(tokenize(line, escape=False)).lower() for line in lines]


def prefix_of(lines: list[str], megabytes: float) -> list[str]:
    taken, size = [], 0
    for line in lines:
        if size >= megabytes * MB:
            break
        taken.append(line)
        size += len(line.encode("utf-8")) + 1
    return taken


def size_mb(lines: list[str]) -> float:
    return sum(len(line.encode("utf-8")) + 1 for line in lines) / MB


def agreement(expected: list[str], got: list[str]) -> float:
    return sum(a == b for a, b in zip(expected, got, strict=True)) / max(len(expected), 1)


def bench_corpus(path: Path, pool, args) -> dict:
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the file's final newline ends the last line; it opens no new one
    if args.max_lines:
        lines = lines[: args.max_lines]
    megabytes = size_mb(lines)
    # best of --repeat rounds, the paths taking turns within each round: this machine's speed
    # drifts by tens of percent over a minute, and a drift should not fall on one path only
    ours_time = pool_time = nltk_time = float("inf")
    for _ in range(args.repeat):
        seconds, ours = timed(newspairs_lines, lines)
        ours_time = min(ours_time, seconds)
        seconds, pooled = timed(newspairs_pool, pool, lines, args.jobs)
        pool_time = min(pool_time, seconds)
        seconds, expected = timed(reference_normalize_lines, lines)
        nltk_time = min(nltk_time, seconds)
    row = {
        "corpus": path.name, "MB": megabytes, "lines": len(lines),
        "newspairs": megabytes / ours_time, "pool": megabytes / pool_time, "nltk": megabytes / nltk_time,
        "agreement": agreement(expected, ours), "pool_agrees": pooled == ours,
    }
    if args.moses_mb > 0:
        sample = prefix_of(lines, args.moses_mb)
        from sacremoses import MosesTokenizer

        moses_time, moses = timed(moses_lines, MosesTokenizer(lang="en").tokenize, sample)
        row["moses"] = size_mb(sample) / moses_time
        row["moses_agreement"] = agreement(expected[: len(sample)], moses)
    return row


def bench_pathological(size: int) -> list[tuple[str, float, float | None]]:
    rows = []
    for name, unit in PATHOLOGICAL_UNITS.items():
        line = pathological_line(unit, size)
        ours_time, _ = timed(newspairs.normalize, line)
        try:
            nltk_time, _ = timed(reference_normalize_line, line)
        except TimeoutError:
            nltk_time = None
        megabytes = len(line.encode("utf-8")) / MB
        rows.append((name, ours_time / megabytes, None if nltk_time is None else nltk_time / megabytes))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=DEFAULT_PATHS, metavar="PATH", help="text files, one line per unit")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for the pool row (default: all cores)")
    parser.add_argument("--moses-mb", type=float, default=2.0, help="MB of each corpus given to Moses (default 2; 0: skip)")
    parser.add_argument("--max-lines", type=int, help="only the first N lines of each corpus")
    parser.add_argument("--no-pathological", action="store_true", help="skip the one-line megabytes")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per corpus; each path's best round counts (default 3)")
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.paths if not path.is_file()]
    if missing:
        print(f"bench_normalize: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2

    newspairs.normalize("Warm up: build the tokenizer.")  # imports and set-up stay out of the timings
    reference_normalize_line("Warm up: import nltk.")
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with context.Pool(args.jobs) as pool:
        pool.map(newspairs_lines, [["warm up the worker's tokenizer."]] * args.jobs)
        rows = [bench_corpus(path, pool, args) for path in args.paths]

    moses = args.moses_mb > 0
    print(f"newspairs {newspairs.__version__}, {os.cpu_count()} cores; MB/s (best of {args.repeat} rounds), higher is better\n")
    print(
        f"| corpus | MB | lines | newspairs | newspairs {args.jobs} procs | NLTK | "
        + ("Moses* | " if moses else "") + "newspairs/NLTK | agreement with NLTK |"
        + (" Moses* agreement |" if moses else "")
    )
    print("|---|---:|---:|---:|---:|---:|" + ("---:|" if moses else "") + "---:|---:|" + ("---:|" if moses else ""))
    for row in rows:
        print(
            f"| {row['corpus']} | {row['MB']:.1f} | {row['lines']:,} | {row['newspairs']:.2f} | {row['pool']:.2f} | {row['nltk']:.2f} | "
            + (f"{row['moses']:.2f} | " if moses else "")
            + f"{row['newspairs'] / row['nltk']:.1f}x | {100 * row['agreement']:.3f}% |"
            + (f" {100 * row['moses_agreement']:.1f}% |" if moses else "")
        )
    if moses:
        print(f"\n*Moses: on the first {args.moses_mb:g} MB of each corpus; a different tokenization (speed only).")
    if not all(row["pool_agrees"] for row in rows):
        print("\nWARNING: the process pool's output differs from the single-process output")

    if not args.no_pathological:
        print("\nOne line of 2^20 characters of one repeated unit: seconds per MB, lower is better\n")
        print("| line of | newspairs s/MB | NLTK s/MB |\n|---|---:|---:|")
        for name, ours, nltk in bench_pathological(1 << 20):
            print(f"| {name} ({PATHOLOGICAL_UNITS[name]!r}) | {ours:.2f} | {'timeout' if nltk is None else f'{nltk:.2f}'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
