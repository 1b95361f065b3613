"""Fuzz every path from raw text against the NLTK reference, fast: millions of examples in minutes.

Examples come from ``tests/strategies.py``'s ``RandomText``: the same alphabets as the hypothesis
strategies (quotes, clitics, contractions, punctuation around digits, brackets, final periods,
every engine's whitespace, case-folding look-alikes, lowercase skew, unassigned code points,
emoji, combining marks...), and lines whose edges are drawn on purpose (leading and trailing runs
of every kind of whitespace, lines of only whitespace, empty lines, a clitic or quote as the first
or last word), drawn with plain `random`. Hypothesis spends milliseconds per example on generation
and bookkeeping; this spends microseconds. Half the texts have their odd whitespace turned into
spaces first, where pieces are cut.

Every batch goes through every path of ``tests/paths.py``, each against the reference:
``newspairs.normalize`` with its kept pieces forgotten first (``normalize``: each new piece
normalized in the batch) and the same batch again (``normalize-warm``: every piece looked up),
both with every slice cut into pieces, then the default adaptive choice and the whole-text way
(``normalize-default``),
the pieces (in reverse order), the shipped ``tokenizer.json`` loaded
alone (normalizer and pre-tokenizer), its ``encode_batch`` against its model on the reference's
normalized text, a new ``Encoder`` (first epoch) and the same one again (later epoch), and
``tokens_with_offsets`` (each token's span gives back its raw text). Work is split in tasks of
fixed seeds, so a run is reproducible whatever ``--jobs`` is.

Each divergent input is shrunk on its path (delta debugging on its first divergent line): the
first ones of every divergent path, the paths taking turns, in the order of their numbers in the
seed (so neither ``--jobs`` nor which task ends first changes the report). Minimal inputs are
grouped by path and kind (ASCII as is, other characters as their Unicode category) and each kind
is reported once, with how often it came up: a minimal input, the reference's output, what the
path gave. Exit status 1 if anything diverged.

    python scripts/fuzz_normalize.py --examples 1000000 [--seed 0] [--start 0] [--jobs 2] [--paths normalize,offsets]

A run can be made in parts: ``--start 200000 --examples 100000`` runs the seed's examples 200,000
to 300,000, the same ones as in one run of 300,000.

Needs the test extra (``pip install -e '.[test]'``: nltk, hypothesis).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from itertools import zip_longest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # reference, strategies, paths live with the tests
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from newspairs.cli import whole_number  # noqa: E402
from paths import PATHS, check_paths  # noqa: E402
from reference import reference_normalize, reference_normalize_line  # noqa: E402
from strategies import RandomText  # noqa: E402

OTHER_WHITESPACE = re.compile(r"[^\S \n]")  # whitespace but spaces and line breaks
TASK_EXAMPLES = 10_000  # examples per task (one seed each)
BATCH = 1_000  # examples per batch handed to every path
KEPT_PER_TASK = 10  # divergent examples of each path a task sends back for shrinking
SHRUNK_AT_MOST = 300  # shrinking costs hundreds of calls per example


def draw_batch(draw: RandomText, size: int) -> list[str]:
    batch = [draw.line() if draw.rng.random() < 0.8 else draw.text() for _ in range(size)]
    # most drawn text holds some engine's odd whitespace: half of it has that whitespace turned
    # into spaces, at which the pieces' path cuts text
    return [OTHER_WHITESPACE.sub(" ", text) if draw.rng.random() < 0.5 else text for text in batch]


def run_task(task: tuple[int, int, int, tuple[str, ...]]):
    """``(seed, task number, examples, paths)`` -> (examples, reference timeouts, divergent examples
    (on any path), divergent per path, the first divergent examples of each path as (number in the
    seed, path, text, expected, got))."""
    seed, number, count, paths = task
    draw = RandomText(f"{seed}:{number}")
    timeouts = divergent_examples = 0
    divergent = dict.fromkeys(paths, 0)
    kept: list[tuple[int, str, str, str, str]] = []
    for start in range(0, count, BATCH):
        texts, expected, numbers = [], [], []
        for offset, text in enumerate(draw_batch(draw, min(BATCH, count - start))):
            try:
                expected.append(reference_normalize(text))
            except TimeoutError:  # NLTK's own regex time limit: no reference answer
                timeouts += 1
                continue
            texts.append(text)
            numbers.append(number * TASK_EXAMPLES + start + offset)
        diverging: set[int] = set()  # an example divergent on several paths counts once
        for path, results in check_paths(texts, expected, paths).items():
            for example, text, want, got in zip(numbers, texts, expected, results):
                if got is not None:
                    divergent[path] += 1
                    diverging.add(example)
                    if divergent[path] <= KEPT_PER_TASK:  # per path: one path's flood must not hide another
                        kept.append((example, path, text, want, got))
        divergent_examples += len(diverging)
    return count, timeouts, divergent_examples, divergent, kept


def to_shrink(kept: list[tuple[int, str, str, str, str]], paths: tuple[str, ...]) -> list[tuple[str, str]]:
    """At most ``SHRUNK_AT_MOST`` of the ``kept`` examples as (path, text): each path's in the order
    of their numbers in the seed, the paths taking turns, so that every divergent path is shown and
    the choice does not depend on the order in which the tasks ended."""
    by_path = {path: [(path, text) for _, text in sorted((n, t) for n, p, t, _, _ in kept if p == path)] for path in paths}
    turns = zip_longest(*by_path.values())
    return [chosen for turn in turns for chosen in turn if chosen is not None][:SHRUNK_AT_MOST]


def diverges(line: str, path: str) -> bool:
    try:
        expected = reference_normalize_line(line)
    except TimeoutError:
        return False
    return check_paths([line], [expected], (path,))[path][0] is not None


def shrink(text: str, path: str) -> str:
    """A small line that still diverges on ``path``: the first divergent line of ``text``, then
    delta debugging (drop ever smaller chunks while it still diverges), then ASCII stand-ins."""
    line = next((line for line in text.split("\n") if diverges(line, path)), None)
    if line is None:  # only the article as a whole diverges (lines are independent: a finding in itself)
        return text
    parts = 2
    while len(line) > 1:
        size = max(1, len(line) // parts)
        for start in range(0, len(line), size):
            candidate = line[:start] + line[start + size :]
            if diverges(candidate, path):
                line, parts = candidate, max(parts - 1, 2)
                break
        else:
            if size == 1:
                break
            parts = min(parts * 2, len(line))
    for position, char in enumerate(line):  # a plain letter where any letter will do
        if char.isalpha() and char != "a" and diverges(line[:position] + "a" + line[position + 1 :], path):
            line = line[:position] + "a" + line[position + 1 :]
    return line


def shape(line: str) -> str:
    """What a minimal input looks like: ASCII as is, any other character as its Unicode category,
    so that fifty single letters failing for one reason are reported as one kind."""
    return "".join(char if char.isascii() else f"<{unicodedata.category(char)}>" for char in line)


def _paths(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(p.strip() for p in value.split(",") if p.strip()))
    unknown = [p for p in chosen if p not in PATHS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown path {unknown or value!r}: choose from {', '.join(PATHS)}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=whole_number(1), default=100_000, help="how many examples (default 100,000)")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    parser.add_argument(
        "--start", type=int, default=0,
        help=f"examples of this seed to skip, a multiple of {TASK_EXAMPLES:,}: a long run made in parts (default 0)",
    )
    parser.add_argument("--jobs", type=whole_number(1), default=os.cpu_count() or 1, help="processes (default: all cores)")
    parser.add_argument("--show", type=whole_number(0), default=10, help="distinct minimal divergences to print (default 10)")
    parser.add_argument(
        "--paths", type=_paths, default=PATHS, help=f"comma-separated paths to run (default all: {','.join(PATHS)})"
    )
    args = parser.parse_args(argv)
    if args.start < 0:
        parser.error(f"--start must be 0 or more (examples to skip), got {args.start}")
    if args.start % TASK_EXAMPLES:
        parser.error(f"--start must be a multiple of {TASK_EXAMPLES:,}, got {args.start}")

    first = args.start // TASK_EXAMPLES
    tasks = [
        (args.seed, first + n, min(TASK_EXAMPLES, args.examples - start), args.paths)
        for n, start in enumerate(range(0, args.examples, TASK_EXAMPLES))
    ]
    started = time.perf_counter()
    done = timeouts = divergent_examples = 0
    divergent = dict.fromkeys(args.paths, 0)
    kept: list[tuple[int, str, str, str, str]] = []
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with context.Pool(args.jobs) as pool:
        for count, task_timeouts, task_diverging, task_divergent, task_kept in pool.imap_unordered(run_task, tasks):
            done, timeouts, divergent_examples = done + count, timeouts + task_timeouts, divergent_examples + task_diverging
            for path, n in task_divergent.items():
                divergent[path] += n
            kept.extend(task_kept)
            print(f"\r{done:,} examples, {divergent_examples:,} divergent", end="", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - started
    print(file=sys.stderr)

    part = f", examples {args.start:,} to {args.start + done:,} of the seed" if args.start else ""
    print(f"examples:           {done:,} (seed {args.seed}{part}, {args.jobs} jobs) in {elapsed:.1f} s ({done / elapsed:,.0f}/s)")
    print(f"reference timeouts: {timeouts:,} (NLTK's regex time limit; not compared)")
    print(f"compared per path:  {done - timeouts:,}")
    for path in args.paths:
        print(f"divergent {path + ':':<21} {divergent[path]:,}")
    if not any(divergent.values()):
        return 0
    kinds: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], tuple[str, str, str]] = {}  # (path, kind) -> shortest minimal input, expected, got
    shrunk = to_shrink(kept, args.paths)
    for path, text in shrunk:
        small = shrink(text, path)
        kind = (path, shape(small))
        kinds[kind] += 1
        if kind not in examples or len(small) < len(examples[kind][0]):
            expected = reference_normalize(small)
            got = check_paths([small], [expected], (path,))[path][0]
            examples[kind] = (small, expected, got)
    print(f"\nkinds of minimal input among {len(shrunk)} shrunk: {len(kinds)} (non-ASCII shown as <category>)\n")
    for (path, kind), seen in kinds.most_common(args.show):  # ties in the order first met: the shrinking order
        small, expected, got = examples[path, kind]
        print(f"path     {path}\nkind     {kind!r}   ({seen}x)\ninput    {small!r}\n  expected {expected!r}\n  got      {got!r}\n")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
