"""Fuzz newspairs' normalization against the NLTK reference, fast: millions of examples in minutes.

Examples come from ``tests/strategies.py``'s ``RandomText``: the same alphabets as the hypothesis
strategies (quotes, clitics, contractions, punctuation around digits, brackets, final periods,
every engine's whitespace, case-folding look-alikes, lowercase skew, unassigned code points,
emoji, combining marks...),
drawn with plain `random`. Hypothesis spends milliseconds per example on generation and
bookkeeping; this spends microseconds, so the reference (NLTK, ~50 µs a line) is the cost.
newspairs gets whole batches (``normalize_batch``), and each text is also normalized piece by
piece, as `newspairs.feed` encodes it (``text_pieces``, ``normalized_words_of_pieces``, the
distinct pieces of a batch in reverse order): its words must be the reference's too. Half the
texts have their odd whitespace turned into spaces first, where pieces are cut. Work is split in
tasks of fixed seeds, so a run is reproducible whatever ``--jobs`` is.

Each divergent input is shrunk (delta debugging on its first divergent line); minimal inputs are
grouped by kind (ASCII as is, other characters as their Unicode category) and each kind is
reported once, with how often it came up: a minimal input, the reference's output, newspairs'.
Exit status 1 if anything diverged.

    python scripts/fuzz_normalize.py --examples 1000000 [--seed 0] [--jobs 2] [--show 10]

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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # reference + strategies live with the tests
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import newspairs  # noqa: E402
from newspairs.normalize import normalized_words_of_pieces, text_pieces  # noqa: E402
from reference import reference_normalize, reference_normalize_line  # noqa: E402
from strategies import RandomText  # noqa: E402

OTHER_WHITESPACE = re.compile(r"[^\S \n]")  # whitespace but spaces and line breaks
TASK_EXAMPLES = 10_000  # examples per task (one seed each)
BATCH = 2_000  # examples per normalize_batch call
KEPT_PER_TASK = 10  # divergent examples a task sends back for shrinking
SHRUNK_AT_MOST = 300  # shrinking costs hundreds of calls per example


def words_by_pieces(texts: list[str]) -> list[list[str] | None]:
    """Each text's words made piece by piece (None for a text not cut into pieces)."""
    pieces_of_texts = list(map(text_pieces, texts))
    distinct = list(dict.fromkeys(p for pieces in pieces_of_texts if pieces is not None for p in pieces))[::-1]
    words = dict(zip(distinct, normalized_words_of_pieces(distinct), strict=True))
    return [None if pieces is None else [w for p in pieces for w in words[p]] for pieces in pieces_of_texts]


def with_pieces(normalized: str, words: list[str] | None) -> str:
    """The normalization, or what the pieces gave where their words differ from it."""
    return normalized if words is None or words == normalized.split() else f"<pieces: {' '.join(words)!r}>"


def normalize_or_error(text: str) -> str:
    """newspairs' output, or a description of the exception it raised (a crash is a divergence too)."""
    try:
        return with_pieces(newspairs.normalize(text), words_by_pieces([text])[0])
    except Exception as error:  # noqa: BLE001 - any exception is a finding to report
        return f"<{type(error).__name__}: {error}>"


def normalize_batch_or_errors(batch: list[str]) -> list[str]:
    try:
        return list(map(with_pieces, newspairs.normalize_batch(batch), words_by_pieces(batch)))
    except Exception:  # noqa: BLE001 - find the culprits one by one
        return [normalize_or_error(text) for text in batch]


def run_task(task: tuple[int, int, int]) -> tuple[int, int, int, list[tuple[str, str, str]]]:
    """``(seed, task number, examples)`` -> (examples, divergent, reference timeouts, some
    divergent examples)."""
    seed, number, count = task
    draw = RandomText(f"{seed}:{number}")
    divergent = timeouts = 0
    kept: list[tuple[str, str, str]] = []
    for start in range(0, count, BATCH):
        batch = [draw.line() if draw.rng.random() < 0.8 else draw.text() for _ in range(min(BATCH, count - start))]
        # most drawn text holds some engine's odd whitespace: half of it has that whitespace turned
        # into spaces, at which the pieces' path cuts text
        batch = [OTHER_WHITESPACE.sub(" ", text) if draw.rng.random() < 0.5 else text for text in batch]
        for text, got in zip(batch, normalize_batch_or_errors(batch)):
            try:
                expected = reference_normalize(text)
            except TimeoutError:
                timeouts += 1
                continue
            if got != expected:
                divergent += 1
                if len(kept) < KEPT_PER_TASK:
                    kept.append((text, expected, got))
    return count, divergent, timeouts, kept


def diverges(line: str) -> bool:
    try:
        return normalize_or_error(line) != reference_normalize_line(line)
    except TimeoutError:
        return False


def shrink(text: str) -> str:
    """A small line that still diverges: the first divergent line of ``text``, then delta
    debugging (drop ever smaller chunks while it still diverges), then ASCII stand-ins."""
    line = next((line for line in text.split("\n") if diverges(line)), None)
    if line is None:  # only the article as a whole diverges (should not happen: lines are independent)
        return text
    parts = 2
    while len(line) > 1:
        size = max(1, len(line) // parts)
        for start in range(0, len(line), size):
            candidate = line[:start] + line[start + size :]
            if diverges(candidate):
                line, parts = candidate, max(parts - 1, 2)
                break
        else:
            if size == 1:
                break
            parts = min(parts * 2, len(line))
    for position, char in enumerate(line):  # a plain letter where any letter will do
        if char.isalpha() and char != "a" and diverges(line[:position] + "a" + line[position + 1 :]):
            line = line[:position] + "a" + line[position + 1 :]
    return line


def shape(line: str) -> str:
    """What a minimal input looks like: ASCII as is, any other character as its Unicode category,
    so that fifty single letters failing for one reason are reported as one kind."""
    return "".join(char if char.isascii() else f"<{unicodedata.category(char)}>" for char in line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100_000, help="how many examples (default 100,000)")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)")
    parser.add_argument("--show", type=int, default=10, help="distinct minimal divergences to print (default 10)")
    args = parser.parse_args(argv)

    tasks = [
        (args.seed, n, min(TASK_EXAMPLES, args.examples - start))
        for n, start in enumerate(range(0, args.examples, TASK_EXAMPLES))
    ]
    started = time.perf_counter()
    done = divergent = timeouts = 0
    kept: list[tuple[str, str, str]] = []
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with context.Pool(args.jobs) as pool:
        for count, task_divergent, task_timeouts, task_kept in pool.imap_unordered(run_task, tasks):
            done, divergent, timeouts = done + count, divergent + task_divergent, timeouts + task_timeouts
            kept.extend(task_kept[: max(0, SHRUNK_AT_MOST - len(kept))])
            print(f"\r{done:,} examples, {divergent:,} divergent", end="", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - started
    print(file=sys.stderr)

    print(f"examples:           {done:,} (seed {args.seed}, {args.jobs} jobs) in {elapsed:.1f} s ({done / elapsed:,.0f}/s)")
    print(f"reference timeouts: {timeouts:,} (NLTK's regex time limit; not compared)")
    print(f"divergent:          {divergent:,}")
    if not divergent:
        return 0
    kinds: Counter[str] = Counter()
    examples: dict[str, tuple[str, str, str]] = {}  # kind -> its shortest minimal input, expected, got
    for text, _, _ in kept:
        small = shrink(text)
        kind = shape(small)
        kinds[kind] += 1
        if kind not in examples or len(small) < len(examples[kind][0]):
            examples[kind] = (small, reference_normalize(small), normalize_or_error(small))
    print(f"kinds of minimal input among {len(kept)} shrunk: {len(kinds)} (non-ASCII shown as <category>)\n")
    for kind, seen in kinds.most_common(args.show):
        small, expected, got = examples[kind]
        print(f"kind     {kind!r}   ({seen}x)\ninput    {small!r}\n  expected {expected!r}\n  got      {got!r}\n")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
