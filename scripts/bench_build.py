"""Benchmark the build: each config of the NewsPairs builder against the normalization alone and
against `datasets`' own loaders, on the same files, in one run.

From each corpus (default: the Reuters-21578 text, one article per blank-line-separated document,
and the ISOT true-news text, one article per line, in ``../shared/corpora``) the same articles are
written, in a temporary folder (never in the repository), as

- ``jsonl``: one ``{"raw": article}`` record per line;
- ``csv``: a ``raw`` column;
- ``text``: the corpus file itself (newspairs reads a ``.txt`` file as one article).

For each of these sources, in one process, each timed with a fresh cache and no kept pieces, for
``--repeat`` rounds (the paths taking turns in each round; each keeps its fastest round, as
single runs on a shared machine move by tens of percent):

- ``normalize``: ``newspairs.normalize_batch`` over the source's articles (the normalization alone);
- ``datasets``: ``datasets.load_dataset("json" / "csv" / "text", data_files=...)`` of the file;
- ``articles``, ``raw``, ``lines``: ``newspairs.load(file, config)``;
- with ``--sentences punkt``, also ``split``: the sentence splitter alone over the articles
  (`newspairs.sentences`), and ``lines+punkt``: ``newspairs.load(file, "lines", sentences="punkt")``,
  the whole build with the split, against ``normalize``.

``--clock cpu`` times CPU seconds of this process (all its threads) instead of wall seconds: on a
machine shared with other work, wall time measures the neighbours too.

With ``articles`` among the configs, a second table takes that build apart, each part timed alone
in the same rounds (seconds): the JSON metadata types (``scan_metadata``: a JSON file's columns,
read before the build), the reading (``read_input`` of every file: rows parsed, checked, given
their ids), of which the ids alone (a sha256 of each article's file and text, as the reading
makes them), the split routes alone (a sha256 of each id), and the rest of the build (its tables,
their writing, `datasets`' own steps); and the ids and routes, two hashes per article by the
definitions of the ids and the splits, against `datasets`' whole load: what bounds the target.

Prints a Markdown table of MB/s (MB = 10^6 bytes of UTF-8 raw text) with each config's ratio to
its reference: ``raw`` and ``lines`` against ``normalize`` (targets 0.8x and 0.7x), ``articles``
(no normalization: no stored side) against ``datasets`` (target 0.5x); then whether each target
holds on every source, and where it does not, each source's ratio to 3 decimals (the table's
2 decimals round 0.797x up to the target's 0.80x; more decimals where 3 would round it up too).

    python scripts/bench_build.py [PATH ...] [--one-per-line PATH ...] [--formats jsonl csv text] [--configs ...] [--sentences punkt] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import gc
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import datasets

import newspairs
from newspairs.builder import CONFIG_NAMES, NewsPairsConfig, SPLIT_NAMES, load
from newspairs.normalize import clear_piece_cache
from newspairs.sources import Article, clear_read_memos, read_input, resolve_source, scan_metadata, split_router

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
DEFAULT_PARAGRAPHS = [CORPORA / "reuters21578" / "reuters21578_text.txt"]
DEFAULT_ONE_PER_LINE = [CORPORA / "isot" / "isot_true_text.txt"]
FORMATS = ("jsonl", "csv", "text")
LOADERS = {"jsonl": "json", "csv": "csv", "text": "text"}
TARGETS = {"articles": ("datasets", 0.5), "raw": ("normalize", 0.8), "lines": ("normalize", 0.7)}
MB = 1_000_000


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def timed(clock, function, *args, **kwargs):
    """Seconds (of ``clock``) and result of one call, the garbage collector off meanwhile (as ``timeit`` does).

    Each call starts with newspairs.normalize's kept pieces forgotten: the sources hold the same
    articles, so a kept piece would time a later source's normalization warm and an earlier one's
    cold. What the process keeps of files read (a JSON file's metadata types) is forgotten too:
    each build reads its file as a first build in a new process does.
    """
    clear_piece_cache()
    clear_read_memos()
    gc.collect()
    gc.disable()
    try:
        start = clock()
        result = function(*args, **kwargs)
        return clock() - start, result
    finally:
        gc.enable()


def articles_of(path: Path, one_per_line: bool) -> list[str]:
    """The corpus' articles: one per non-blank line, or one per blank-line-separated block; each
    once (newspairs rejects an article repeated in one file: the same id). A ValueError naming the
    file if it is not UTF-8 or holds no article."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    units = text.split("\n") if one_per_line else (block.strip("\n") for block in text.split("\n\n"))
    articles = list(dict.fromkeys(unit for unit in units if unit.strip()))
    if not articles:
        raise ValueError(f"{path}: no article (the file is empty or blank)")
    return articles


def below_target(ratio: float, target: float) -> str:
    """``ratio`` (below ``target``) to 3 decimals, or as many more as it takes not to print the target itself."""
    digits = 3
    while round(ratio, digits) >= target and digits < 17:
        digits += 1
    return f"{ratio:.{digits}f}"


def missed_targets(rows: list[dict], config: str) -> list[str]:
    """The sources where ``config`` misses its target, each with its ratio (`below_target`)."""
    reference, target = TARGETS[config]
    ratios = [(row["source"], row[config] / row[reference]) for row in rows]
    return [f"{source} ({below_target(ratio, target)}x)" for source, ratio in ratios if ratio < target]


def write_source(folder: Path, corpus: Path, articles: list[str], form: str) -> tuple[Path, list[str]]:
    """The file of one format, and the articles newspairs reads from it."""
    folder.mkdir(parents=True, exist_ok=True)
    if form == "text":
        target = folder / corpus.name
        target.write_bytes(corpus.read_bytes())
        text = corpus.read_text(encoding="utf-8")
        return target, [text[:-1] if text.endswith("\n") else text]
    target = folder / f"{corpus.stem}.{form}"
    with open(target, "w", encoding="utf-8", newline="") as handle:
        if form == "jsonl":
            handle.writelines(json.dumps({"raw": article}, ensure_ascii=False) + "\n" for article in articles)
        else:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["raw"])
            writer.writerows([article] for article in articles)
    return target, articles


PARTS = ("types", "read", "ids", "routes")


def ids_alone(articles: list[tuple[str, str]]) -> list[str]:
    """Each (relpath, raw) article's id, made as the reading makes it (`newspairs.sources.article_id`)."""
    out = []
    prefixes: dict[str, object] = {}
    for relpath, raw in articles:
        prefix = prefixes.get(relpath)
        if prefix is None:
            prefix = prefixes[relpath] = hashlib.sha256(f"{relpath}\0".encode("utf-8", "surrogatepass"))
        digest = prefix.copy()
        digest.update(raw.encode("utf-8"))
        out.append(digest.hexdigest()[:16])
    return out


def articles_taken_apart(path: Path, clock, keep) -> None:
    """The parts of the ``articles`` build of ``path`` (`PARTS`), each timed alone, into ``keep``."""
    inputs = resolve_source(str(path))
    keep("types", timed(clock, scan_metadata, inputs)[0])
    _, types = scan_metadata(inputs)  # kept for the reading, as the build has them
    seconds, entries = timed(clock, lambda: [entry for item in inputs for entry in read_input(item, types=types.get(item.path))])
    keep("read", seconds)
    read = [(entry.source_file, entry.raw) for entry in entries if isinstance(entry, Article)]
    seconds, ids = timed(clock, ids_alone, read)
    if ids != [entry.id for entry in entries if isinstance(entry, Article)]:
        raise SystemExit(f"bench_build: {path}: the ids made alone are not the reading's")
    keep("ids", seconds)
    route = split_router(tuple(zip(SPLIT_NAMES, NewsPairsConfig().split_ratios)))
    keep("routes", timed(clock, lambda: [route(ident) for ident in ids])[0])


def rows_of(dataset_dict) -> int:
    return sum(split.num_rows for split in dataset_dict.values())


def bench_source(path: Path, form: str, articles: list[str], configs: list[str], work: Path, clock,
                 sentences: str | None = None, repeat: int = 1) -> dict:
    megabytes = sum(len(article.encode("utf-8")) for article in articles) / MB
    lines = sum(article.count("\n") + 1 for article in articles)
    row = {"source": f"{path.stem} {form}", "MB": megabytes, "count": len(articles)}
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, seconds), seconds)

    def fresh(name: str) -> str:
        cache = work / f"cache-{form}-{path.stem}-{name}"
        shutil.rmtree(cache, ignore_errors=True)
        return str(cache)

    expected = {"articles": len(articles), "raw": len(articles), "lines": lines}
    split = None
    if sentences is not None:
        from newspairs.sentences import splitter

        split = splitter(sentences).split
    for _ in range(repeat):
        keep("normalize", timed(clock, newspairs.normalize_batch, articles)[0])
        cache = fresh("datasets")
        keep("datasets", timed(clock, datasets.load_dataset, LOADERS[form], data_files=str(path), split="train", cache_dir=cache)[0])
        for config in configs:
            seconds, built = timed(clock, load, str(path), config, cache_dir=fresh(config))
            if rows_of(built) != expected[config]:
                raise SystemExit(f"bench_build: {path} {config}: {rows_of(built)} rows, expected {expected[config]}")
            keep(config, seconds)
        if split is not None:
            seconds, done = timed(clock, lambda: [split(article) for article in articles])
            keep("split", seconds)
            seconds, built = timed(clock, load, str(path), "lines", cache_dir=fresh(f"lines-{sentences}"), sentences=sentences)
            if rows_of(built) != sum(text.count("\n") + 1 for text in done):
                raise SystemExit(f"bench_build: {path} lines with {sentences}: {rows_of(built)} rows, expected one per sentence line")
            keep(f"lines+{sentences}", seconds)
        if "articles" in configs:
            articles_taken_apart(path, clock, lambda part, seconds: keep(f"seconds:{part}", seconds))
    row.update({name: megabytes / seconds for name, seconds in best.items() if not name.startswith("seconds:")})
    row.update({name: seconds for name, seconds in best.items() if name.startswith("seconds:")})
    if "articles" in configs:
        row["seconds:articles"], row["seconds:datasets"] = best["articles"], best["datasets"]
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="text files, one article per blank-line-separated block")
    parser.add_argument("--one-per-line", nargs="+", type=Path, default=[], metavar="PATH", help="text files, one article per line")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--configs", nargs="+", choices=CONFIG_NAMES, default=["articles", "raw", "lines"])
    parser.add_argument("--clock", choices=CLOCKS, default="wall", help="wall seconds (default) or CPU seconds of this process")
    parser.add_argument("--sentences", choices=("punkt",), help="also the sentence split alone, and the lines build with it")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each path keeps its fastest (default 3)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    corpora = [(path, False) for path in args.paths] + [(path, True) for path in args.one_per_line]
    if not corpora:
        corpora = [(path, False) for path in DEFAULT_PARAGRAPHS] + [(path, True) for path in DEFAULT_ONE_PER_LINE]
    missing = [str(path) for path, _ in corpora if not path.is_file()]
    if missing:
        print(f"bench_build: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:  # every corpus is read before anything is timed: a bad one does not wait for the others
        corpora = [(corpus, articles_of(corpus, one_per_line)) for corpus, one_per_line in corpora]
    except ValueError as error:
        print(f"bench_build: {error}", file=sys.stderr)
        return 2

    datasets.disable_progress_bars()
    logging.getLogger("datasets").setLevel(logging.ERROR)
    newspairs.normalize("Warm up: build the tokenizer.")  # imports and set-up stay out of the timings
    rows = []
    with tempfile.TemporaryDirectory(prefix="newspairs-bench-build-") as folder:
        work = Path(folder)
        for corpus, articles in corpora:
            for form in args.formats:
                path, read = write_source(work / "sources" / form, corpus, articles, form)
                rows.append(bench_source(path, form, read, args.configs, work, CLOCKS[args.clock], args.sentences, args.repeat))

    print(f"newspairs {newspairs.__version__}, datasets {datasets.__version__}, {os.cpu_count()} cores; "
          f"MB/s of raw text ({args.clock} clock), best of {args.repeat} round{'s' if args.repeat != 1 else ''}, "
          "fresh caches, no kept pieces; higher is better\n")
    split_columns = [] if args.sentences is None else ["split", f"lines+{args.sentences}"]
    head = "| source | MB | articles | normalize | datasets |" + "".join(f" build {config} |" for config in args.configs)
    print(head + "".join(f" {name} |" for name in split_columns))
    print("|---|---:|---:|---:|---:|" + "---:|" * (len(args.configs) + len(split_columns)))
    for row in rows:
        cells = "".join(
            f" {row[config]:.3g} ({row[config] / row[TARGETS[config][0]]:.2f}x {TARGETS[config][0]}) |" for config in args.configs
        ) + "".join(f" {row[name]:.3g} ({row[name] / row['normalize']:.2f}x normalize) |" for name in split_columns)
        print(f"| {row['source']} | {row['MB']:.3g} | {row['count']:,} | {row['normalize']:.3g} | {row['datasets']:.3g} |{cells}")
    apart = [row for row in rows if "seconds:read" in row]
    if apart:
        print("\nThe articles build taken apart: seconds, each part timed alone (its best round); read holds the ids; "
              "rest = build - types - read - routes\n")
        print("| articles build of | datasets | build | types | read | of which ids | routes | rest | ids + routes against datasets |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for row in apart:
            part = {name: row[f"seconds:{name}"] for name in ("datasets", "articles", *PARTS)}
            rest = part["articles"] - part["types"] - part["read"] - part["routes"]
            hashes = (part["ids"] + part["routes"]) / part["datasets"]
            print(f"| {row['source']} | {part['datasets']:.3f} | {part['articles']:.3f} | {part['types']:.3f} | {part['read']:.3f} | "
                  f"{part['ids']:.3f} | {part['routes']:.3f} | {rest:.3f} | {hashes:.2f}x |")
    print()
    for config in args.configs:
        reference, target = TARGETS[config]
        missed = missed_targets(rows, config)
        verdict = "holds on every source" if not missed else f"missed on {', '.join(missed)}"
        print(f"target {config} >= {target}x {reference}: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
