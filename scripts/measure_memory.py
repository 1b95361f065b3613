"""Peak memory of building from 1 and from N copies of ../shared/corpora: it must not grow with the corpus.

    python scripts/measure_memory.py                     # 1 and 10 copies, configs articles, lines, raw
    python scripts/measure_memory.py --copies 1 3 --configs raw --num-proc 2

Copies are hard links to the corpus' files (copies where the temporary folder is on another file
system) in a temporary folder, never in the repository: each copy is a file of its own, as a
source naming one file twice (a symlinked folder) is read once. Each build runs in a fresh process
with a fresh cache and reports its peak RSS (ru_maxrss), next to the RSS after importing newspairs
and datasets. Prints a table; stops if N copies were not read as N times the articles of one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from newspairs.builder import CONFIG_NAMES
from newspairs.cli import whole_number

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"

CHILD = """
import json, resource, sys, time
import newspairs.builder as builder
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
source, config, cache, num_proc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
start = time.perf_counter()
built = builder.prepare(source, config, cache_dir=cache, num_proc=num_proc if num_proc > 1 else None)
seconds = time.perf_counter() - start
report = built.report()
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"imported_kib": before, "peak_kib": peak, "seconds": seconds,
                  "rows": sum(s.num_examples for s in built.info.splits.values()), "articles": report.read}))
"""


def input_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and p.suffix in (".txt", ".csv"))


def make_copies(corpus: Path, target: Path, copies: int) -> None:
    """``copies`` copies of the ``corpus`` folder's files under ``target``, each a file of its own."""
    for index in range(copies):
        for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
            copy = target / f"copy-{index:02d}" / path.relative_to(corpus)
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, copy)
            except OSError:  # another file system, or no hard links there
                shutil.copyfile(path, copy)


def measure(copies: int, config: str, num_proc: int, work: Path) -> dict:
    source = work / f"copies-{copies}"
    if not source.exists():
        make_copies(CORPORA, source, copies)
    cache = work / f"cache-{copies}-{config}-{num_proc}"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(source), config, str(cache), str(num_proc)], capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"the build of {copies} copies, config {config}, failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["input_mb"] = copies * input_bytes(CORPORA) / 1e6
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=whole_number(1), nargs="+", default=[1, 10])
    parser.add_argument("--configs", nargs="+", choices=CONFIG_NAMES, default=list(CONFIG_NAMES))
    parser.add_argument("--num-proc", type=whole_number(1), default=1)
    args = parser.parse_args(argv)
    if not CORPORA.is_dir():
        sys.exit(f"{CORPORA}: not found (../shared/corpora beside the repository)")
    print(f"{'copies':>6} {'config':<9} {'input MB':>9} {'articles':>9} {'rows':>9} {'seconds':>8} {'RSS after import MB':>20} {'peak RSS MB':>12}")
    with tempfile.TemporaryDirectory(prefix="newspairs-memory-") as work:
        for config in args.configs:
            per_copy = None
            for copies in args.copies:
                r = measure(copies, config, args.num_proc, Path(work))
                if per_copy is None:
                    per_copy = r["articles"] / copies
                if r["articles"] != per_copy * copies:
                    sys.exit(f"{copies} copies were read as {r['articles']} articles, not {per_copy * copies:.0f}: "
                             "the copies were not read as files of their own")
                print(
                    f"{copies:>6} {config:<9} {r['input_mb']:>9.1f} {r['articles']:>9} {r['rows']:>9} {r['seconds']:>8.1f}"
                    f" {r['imported_kib'] / 1024:>20.0f} {r['peak_kib'] / 1024:>12.0f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
