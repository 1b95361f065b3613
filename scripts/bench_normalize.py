"""Benchmark the normalization: newspairs against NLTK (the reference) and its peers.

For each corpus (default: the Reuters-21578 text and the ISOT true-news text in ``../shared/corpora``),
the same lines are normalized, in one run, one process and one thread unless said otherwise, by

- newspairs: ``normalize_lines`` over the file's lines, its kept pieces forgotten before every
  round (a cold cache: the first pass over the corpus, what a user normalizing it once gets);
- newspairs, warm: the same right after, every piece kept (a second pass; labelled so);
- newspairs, a line a call: ``newspairs.normalize(line)`` for each line in turn, kept pieces
  forgotten first (as a per-row ``Dataset.map`` calls it; cold);
- newspairs on all cores: a ``multiprocessing`` pool over chunks of lines (``--jobs``), each worker's
  kept pieces forgotten once at the start of every round (a cold pass: a worker keeps what it
  learns across the chunks it handles in the pass, as in any pool of workers);
- NLTK: ``" ".join(TreebankWordTokenizer().tokenize(line)).lower()`` per line (the reference);
- fastnltk: the same with ``fastnltk.tokenize.TreebankWordTokenizer`` (a Rust port; a peer, not
  exact: its exact-line rate is printed);
- tokenizer.json: the shipped tokenizer's normalizer alone, every pass, as anyone loading the file
  runs it (``normalize_lines(lines, tokenizer)``: 32 lines per call, then the whitespace split);
- encode raw: the shipped tokenizer's ``encode_batch`` on the raw lines; encode normalized: the same
  model without a normalizer on the reference's normalized lines (what the normalizer costs in an
  encode); MB/s of the raw text for both, so their ratio is the ratio of their times;
- Moses: ``" ".join(MosesTokenizer(lang="en").tokenize(line, escape=False)).lower()``, speed only
  (it is a different tokenization), on the first ``--moses-mb`` MB of each corpus (it is slow).

Prints Markdown tables (MB = 10^6 bytes of UTF-8; agreement = lines equal to the reference), the
number of passes of the normalizer, newspairs' cold pass by pieces (every slice cut, whatever the
default's choice would be) taken apart (cut, look-up, normalizing the new pieces, join:
`newspairs.pieces`), and the seconds per MB on the pathological one-line megabytes of
``tests/strategies.py``. Each path's figure is its best of ``--repeat`` rounds (as ``timeit``
reports), the paths taking turns. Tokenizers runs on one thread (``RAYON_NUM_THREADS=1`` unless set).

    python scripts/bench_normalize.py [PATH ...] [--jobs 2] [--moses-mb 2] [--max-lines N] [--repeat 3] [--no-pathological]

Needs the bench extra (``pip install -e '.[bench]'``: nltk, sacremoses, fastnltk).
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
os.environ.setdefault("RAYON_NUM_THREADS", "1")  # before tokenizers starts its thread pool

from tokenizers import Tokenizer  # noqa: E402

import newspairs  # noqa: E402
from newspairs.cli import whole_number  # noqa: E402
from newspairs.normalize import CHARACTERS_PER_CUT, LINES_PER_CUT, clear_piece_cache  # noqa: E402
from newspairs.rules import PASSES  # noqa: E402
from newspairs.train import load_tokenizer  # noqa: E402
from reference import reference_normalize_line, reference_normalize_lines  # noqa: E402
from strategies import PATHOLOGICAL_UNITS, pathological_line  # noqa: E402

CORPORA = REPO.parent / "shared" / "corpora"
DEFAULT_PATHS = [CORPORA / "reuters21578" / "reuters21578_text.txt", CORPORA / "isot" / "isot_true_text.txt"]
CHUNKS_PER_JOB = 8  # several chunks per worker even out uneven line lengths
MB = 1_000_000
ENCODE_BATCH = 1000  # lines per encode_batch call


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
    """A cold pass: the default path's kept pieces forgotten first."""
    clear_piece_cache()
    return list(newspairs.normalize_lines(lines))


def newspairs_lines_warm(lines: list[str]) -> list[str]:
    """A warm pass: whatever the last pass kept (run right after a cold one: every piece)."""
    return list(newspairs.normalize_lines(lines))


def newspairs_line_by_line(lines: list[str]) -> list[str]:
    """A cold pass, one line a call (``newspairs.normalize(line)``)."""
    clear_piece_cache()
    return list(map(newspairs.normalize, lines))


def pieces_parts(lines: list[str]) -> dict[str, float]:
    """Seconds of each step of a cold pass of the default path (`newspairs.pieces.PieceCache`),
    the steps taken one by one: cut (`line_pieces`), look-up (one per piece), normalizing the new
    pieces (`piece_values`, and keeping them), join (the pieces' values, then the lines); the
    slices holding a line that cannot be cut are timed whole (their own column: that line the
    whole-text way, the others by pieces)."""
    from newspairs.pieces import PieceCache, line_pieces

    cuts = [slice_ for start in range(0, len(lines), LINES_PER_CUT)
            for slice_ in _slices("\n".join(lines[start : start + LINES_PER_CUT]))]
    cache = PieceCache()
    seconds = dict.fromkeys(("cut", "look-up", "normalize new pieces", "join", "slices with a line not cut"), 0.0)
    clock = time.process_time
    for text in cuts:
        start = clock()
        pieces = line_pieces(text)
        cut = clock()
        seconds["cut"] += cut - start
        if pieces is None:
            newspairs.normalize(text)
            seconds["slices with a line not cut"] += clock() - cut
            continue
        values = cache.values_of(pieces)
        looked_up = clock()
        seconds["look-up"] += looked_up - cut
        if None in values:
            values = cache.fill(pieces, values)
        learned_at = clock()
        seconds["normalize new pieces"] += learned_at - looked_up
        "".join(values)[:-1].split("\n")
        seconds["join"] += clock() - learned_at
    return seconds


def _slices(text: str) -> list[str]:
    # as newspairs.normalize cuts a chunk of lines: whole lines, about CHARACTERS_PER_CUT characters
    out, start = [], 0
    while start <= len(text):
        end = text.find("\n", start + CHARACTERS_PER_CUT)
        end = len(text) if end < 0 else end
        out.append(text[start:end])
        start = end + 1
    return out


_worker_round = None  # in a pool worker: the round whose first chunk it has seen (newspairs_round_chunk)


def newspairs_round_chunk(round_and_lines: tuple[int, list[str]]) -> list[str]:
    """A chunk of a round of the pool row: the worker's kept pieces forgotten at its first chunk of
    the round only (each worker cold once per round, not once per chunk)."""
    global _worker_round
    round_, lines = round_and_lines
    if round_ != _worker_round:
        clear_piece_cache()
        _worker_round = round_
    return newspairs_lines_warm(lines)


def newspairs_pool(pool, lines: list[str], jobs: int, round_: int = 0) -> list[str]:
    step = -(-len(lines) // (jobs * CHUNKS_PER_JOB)) or 1
    parts = pool.map(newspairs_round_chunk, [(round_, lines[i : i + step]) for i in range(0, len(lines), step)])
    return [line for part in parts for line in part]


def tokenizer_json_lines(tokenizer: Tokenizer, lines: list[str]) -> list[str]:
    return list(newspairs.normalize_lines(lines, tokenizer))


def fastnltk_lines(tokenize, lines: list[str]) -> list[str]:
    return [" ".join(tokenize(line)).lower() for line in lines]


def encoded_ids(tokenizer: Tokenizer, lines: list[str]) -> list[list[int]]:
    ids = []
    for start in range(0, len(lines), ENCODE_BATCH):
        ids.extend(encoding.ids for encoding in tokenizer.encode_batch(lines[start : start + ENCODE_BATCH]))
    return ids


def python_steps_lines(lines: list[str]) -> list[str]:
    """The Python part of `newspairs.normalize_lines` without the passes: lay lines out, lowercase,
    split into lines and on whitespace, join (what newspairs costs if its passes cost nothing)."""
    from newspairs.tokenizer import lay_out

    out = []
    for start in range(0, len(lines), 32):
        out.extend(" ".join(line.split()) for line in lay_out(lines[start : start + 32]).lower().split("\n")[1:])
    return out


def load_fastnltk():
    try:
        from fastnltk.tokenize import TreebankWordTokenizer
    except ImportError:
        return None
    return TreebankWordTokenizer().tokenize


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


def corpus_lines(path: Path, max_lines: int | None = None) -> list[str]:
    """The file's lines, the first ``max_lines`` only when given; a ValueError saying what is wrong
    with the file (a folder, missing, not UTF-8, no line)."""
    if path.is_dir():
        raise ValueError(f"{path}: a folder, not a file (give the text files in it)")
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ValueError(f"{path}, line {line}: not UTF-8 ({error.reason})") from None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the file's final newline ends the last line; it opens no new one
    lines = lines[:max_lines]
    if not lines:
        raise ValueError(f"{path}: empty, no line to normalize")
    return lines


def bench_corpus(path: Path, pool, args) -> dict:
    lines = corpus_lines(path, args.max_lines)
    megabytes = size_mb(lines)
    shipped = load_tokenizer()
    bare = Tokenizer.from_str(shipped.to_str())
    bare.normalizer = None  # the same model and pre-tokenizer, for text already normalized
    fast_tokenize = load_fastnltk()
    # best of --repeat rounds, the paths taking turns within each round: this machine's speed
    # drifts by tens of percent over a minute, and a drift should not fall on one path only
    best = {}

    def run(name, function, *function_args):
        seconds, result = timed(function, *function_args)
        best[name] = min(best.get(name, float("inf")), seconds)
        return result

    for round_ in range(args.repeat):
        ours = run("newspairs", newspairs_lines, lines)
        warm = run("newspairs warm", newspairs_lines_warm, lines)
        one_by_one = run("newspairs line by line", newspairs_line_by_line, lines)
        pooled = run("pool", newspairs_pool, pool, lines, args.jobs, (id(lines), round_))
        expected = run("nltk", reference_normalize_lines, lines)
        from_file = run("tokenizer.json", tokenizer_json_lines, shipped, lines)
        if fast_tokenize:
            fast = run("fastnltk", fastnltk_lines, fast_tokenize, lines)
        raw_ids = run("encode raw", encoded_ids, shipped, lines)
        normalized_ids = run("encode normalized", encoded_ids, bare, expected)
        run("python steps", python_steps_lines, lines)
    row = {
        "corpus": path.name, "MB": megabytes, "lines": len(lines),
        **{name: megabytes / seconds for name, seconds in best.items()},
        "agreement": agreement(expected, ours), "warm agreement": agreement(expected, warm), "pool_agrees": pooled == ours,
        "line by line agreement": agreement(expected, one_by_one),
        "tokenizer.json agreement": agreement(expected, from_file),
        "encode agreement": sum(a == b for a, b in zip(raw_ids, normalized_ids, strict=True)) / max(len(lines), 1),
    }
    if fast_tokenize:
        row["fastnltk agreement"] = agreement(expected, fast)
    row["parts"] = pieces_parts(lines)
    if args.moses_mb > 0:
        sample = prefix_of(lines, args.moses_mb)
        from sacremoses import MosesTokenizer

        moses_time, moses = timed(moses_lines, MosesTokenizer(lang="en").tokenize, sample)
        row["moses"] = size_mb(sample) / moses_time
        row["moses_agreement"] = agreement(expected[: len(sample)], moses)
    return row


def ratio_figure(ratio: float, meets, digits: int = 2) -> str:
    """``ratio`` to ``digits`` decimals, or to as many more as it takes for the figure to meet its
    target exactly when the ratio does (``meets``): 0.7496 reads "0.7496", not "0.75", beside a
    target of 0.75."""
    for shown in range(digits, 18):
        figure = f"{ratio:.{shown}f}"
        if meets(float(figure)) == meets(ratio):
            return figure
    return repr(ratio)  # (exact)


def print_paths(rows: list[dict]) -> None:
    """Every path of a corpus beside NLTK and fastnltk, in MB/s of the raw text (one thread)."""
    print(
        f"\nEvery path, one process, one thread; MB/s, and the ratio to NLTK in the same run "
        f"(normalizer of tokenizer.json: {len(PASSES)} passes)\n"
    )
    print("| corpus | path | MB/s | x NLTK | lines equal to the reference |\n|---|---|---:|---:|---:|")
    paths = [
        ("nltk", "NLTK (the reference)", None),
        ("newspairs", "newspairs.normalize (cold: first pass)", "agreement"),
        ("newspairs warm", "newspairs.normalize, warm (second pass, every piece kept)", "warm agreement"),
        ("newspairs line by line", "newspairs.normalize, a line a call (cold)", "line by line agreement"),
        ("fastnltk", "fastnltk TreebankWordTokenizer (a peer)", "fastnltk agreement"),
        ("tokenizer.json", "tokenizer.json normalizer, every pass", "tokenizer.json agreement"),
        ("encode raw", "shipped tokenizer encode_batch, raw text", "encode agreement"),
        ("encode normalized", "same model, no normalizer, normalized text", None),
        ("python steps", "(newspairs' Python steps alone: lay out, lower, split, join)", None),
    ]
    for row in rows:
        for key, label, agreeing in paths:
            if key not in row:
                continue
            equal = "100.000% (by definition)" if key == "nltk" else f"{100 * row[agreeing]:.3f}%" if agreeing else "-"
            if key == "encode raw":
                equal += " (same ids)"
            print(f"| {row['corpus']} | {label} | {row[key]:.2f} | {row[key] / row['nltk']:.1f}x | {equal} |")
    print()
    for row in rows:
        encode = row["encode raw"] / row["encode normalized"]
        parts = [f"encode raw/normalized {ratio_figure(encode, lambda r: r >= 0.75)}x (target >= 0.75x)"]
        if "fastnltk" in row:
            cold = row["newspairs"] / row["fastnltk"]
            parts.append(f"newspairs (cold)/fastnltk {ratio_figure(cold, lambda r: r > 1)}x (target > 1)")
            parts.append(f"newspairs warm/fastnltk {row['newspairs warm'] / row['fastnltk']:.2f}x")
        parts.append(f"tokenizer.json/NLTK {row['tokenizer.json'] / row['nltk']:.1f}x")
        print(f"- {row['corpus']}: " + "; ".join(parts))
    if rows and "fastnltk" not in rows[0]:
        print("\nfastnltk is not installed (pip install -e '.[bench]'): its row is left out.")
    print(
        "\nnewspairs.normalize's cold pass by pieces, every slice cut (the default cuts a slice only where "
        "it pays), taken apart (one pass, steps timed one by one, CPU seconds; "
        "newspairs.pieces):\n"
    )
    steps = list(rows[0]["parts"]) if rows else []
    print("| corpus | " + " | ".join(steps) + " | total |\n|---|" + "---:|" * (len(steps) + 1))
    for row in rows:
        parts = row["parts"]
        print(f"| {row['corpus']} | " + " | ".join(f"{parts[s]:.3f}" for s in steps) + f" | {sum(parts.values()):.3f} |")


def bench_pathological(size: int) -> list[tuple[str, float, float | None]]:
    rows = []
    for name, unit in PATHOLOGICAL_UNITS.items():
        line = pathological_line(unit, size)
        clear_piece_cache()
        ours_time, _ = timed(newspairs.normalize, line)
        try:
            nltk_time, _ = timed(reference_normalize_line, line)
        except TimeoutError:
            nltk_time = None
        megabytes = len(line.encode("utf-8")) / MB
        rows.append((name, ours_time / megabytes, None if nltk_time is None else nltk_time / megabytes))
    return rows


def python_loop_seconds(iterations: int = 10_000_000) -> float:
    """Seconds of an empty pure-Python loop: printed before and after the run, since a shared machine
    can slow interpreted code (NLTK) more than compiled code (tokenizers), which moves every ratio."""
    start = time.perf_counter()
    for _ in range(iterations):
        pass
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=DEFAULT_PATHS, metavar="PATH", help="text files, one line per unit")
    parser.add_argument("--jobs", type=whole_number(1), default=os.cpu_count() or 1, help="processes for the pool row (default: all cores)")
    parser.add_argument("--moses-mb", type=float, default=2.0, help="MB of each corpus given to Moses (default 2; 0: skip)")
    parser.add_argument("--max-lines", type=whole_number(1), help="only the first N lines of each corpus (default: all)")
    parser.add_argument("--no-pathological", action="store_true", help="skip the one-line megabytes")
    parser.add_argument("--repeat", type=whole_number(1), default=3, help="rounds per corpus; each path's best round counts (default 3)")
    args = parser.parse_args(argv)
    problems = []
    for path in args.paths:  # each file read once before the run: a bad one stops it now, not after minutes
        try:
            corpus_lines(path, args.max_lines)
        except ValueError as error:
            problems.append(str(error))
    if problems:
        print(f"bench_normalize: {'; '.join(problems)}", file=sys.stderr)
        return 2

    loop_before = python_loop_seconds()
    newspairs.normalize("Warm up: build the tokenizer.")  # imports and set-up stay out of the timings
    load_tokenizer().encode_batch(["Warm up: the shipped tokenizer."])
    reference_normalize_line("Warm up: import nltk.")
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with context.Pool(args.jobs) as pool:
        pool.map(newspairs_lines, [["warm up the worker's tokenizer."]] * args.jobs)
        rows = [bench_corpus(path, pool, args) for path in args.paths]
    loop_after = python_loop_seconds()

    moses = args.moses_mb > 0
    print(
        f"newspairs {newspairs.__version__}, {os.cpu_count()} cores; MB/s (best of {args.repeat} rounds), higher is better; "
        "newspairs cold: its kept pieces forgotten before every round; the machine: an empty pure-Python loop "
        f"of 10^7 iterations took {loop_before:.2f} s before the run and {loop_after:.2f} s after it\n"
    )
    print(
        f"| corpus | MB | lines | newspairs (cold) | newspairs {args.jobs} procs | NLTK | "
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
    print_paths(rows)

    if not args.no_pathological:
        print("\nOne line of 2^20 characters of one repeated unit: seconds per MB, lower is better\n")
        print("| line of | newspairs s/MB | NLTK s/MB |\n|---|---:|---:|")
        for name, ours, nltk in bench_pathological(1 << 20):
            print(f"| {name} ({PATHOLOGICAL_UNITS[name]!r}) | {ours:.2f} | {'timeout' if nltk is None else f'{nltk:.2f}'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
