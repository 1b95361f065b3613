"""scripts/bench_build.py on a tiny input: its sources, its table and its target lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paths import cut_mode
from test_scripts import load_script

WIRE = "SHARES RISE\nShares rose 2.5% on Monday, traders said.\n    It's \"up\" again.\n\nDOLLAR FALLS\nThe U.S. dollar fell.\n\n"


def _table(out: str, first_column: str = "source") -> dict[str, dict[str, str]]:
    """The rows of the table whose first column is ``first_column``, by their first cell."""
    lines = out.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(f"| {first_column} |"))
    names = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 2 :]:  # after the header's rule
        if not line.startswith("| "):
            break
        rows.append(line)
    return {cells[0]: dict(zip(names, cells)) for cells in ([c.strip() for c in row.strip("|").split("|")] for row in rows)}


def test_sources_hold_each_article_once(tmp_path):
    bench = load_script("bench_build")
    corpus = tmp_path / "wire.txt"
    corpus.write_text(WIRE + WIRE, encoding="utf-8")  # every document twice
    articles = bench.articles_of(corpus, one_per_line=False)
    assert articles == ["SHARES RISE\nShares rose 2.5% on Monday, traders said.\n    It's \"up\" again.", "DOLLAR FALLS\nThe U.S. dollar fell."]
    assert bench.articles_of(corpus, one_per_line=True)[:2] == ["SHARES RISE", "Shares rose 2.5% on Monday, traders said."]
    path, read = bench.write_source(tmp_path / "out", corpus, articles, "jsonl")
    assert [json.loads(line)["raw"] for line in path.read_text(encoding="utf-8").splitlines()] == articles == read
    path, read = bench.write_source(tmp_path / "out", corpus, articles, "text")
    assert path.read_bytes() == corpus.read_bytes() and read == [(WIRE + WIRE)[:-1]]


def test_prints_a_row_per_source_and_a_line_per_target(tmp_path, capsys):
    corpus = tmp_path / "wire.txt"
    corpus.write_text(WIRE * 3, encoding="utf-8")
    lines_file = tmp_path / "lines.txt"
    lines_file.write_text("One article, it's here.\nAnother one.\n", encoding="utf-8")
    assert load_script("bench_build").main([str(corpus), "--one-per-line", str(lines_file), "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    table = _table(out)
    assert list(table) == ["wire jsonl", "wire csv", "wire text", "lines jsonl", "lines csv", "lines text"]
    assert [table[name]["articles"] for name in table] == ["2", "2", "1", "2", "2", "1"]
    for row in table.values():
        assert float(row["normalize"]) > 0 and float(row["datasets"]) > 0
        for config, reference in (("articles", "datasets"), ("raw", "normalize"), ("lines", "normalize")):
            speed, ratio = row[f"build {config}"].split(" (")
            assert float(speed) > 0 and ratio.endswith(f"x {reference})"), row
    for config, target in (("articles", "0.5x datasets"), ("raw", "0.8x normalize"), ("lines", "0.7x normalize")):
        assert any(line.startswith(f"target {config} >= {target}: ") for line in out.splitlines()), out


def test_a_missing_corpus_is_a_clear_error(tmp_path, capsys):
    assert load_script("bench_build").main([str(tmp_path / "nowhere.txt")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_cpu_clock_and_a_subset_of_formats_and_configs(tmp_path, capsys):
    corpus = tmp_path / "wire.txt"
    corpus.write_text(WIRE, encoding="utf-8")
    bench = load_script("bench_build")
    assert bench.main([str(corpus), "--formats", "jsonl", "--configs", "raw", "--clock", "cpu", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "(cpu clock)" in out
    (row,) = _table(out).values()
    assert row["source"] == "wire jsonl" and "build raw" in row and "build lines" not in row


def test_sentences_adds_the_split_and_the_lines_build_with_it(tmp_path, capsys):
    corpus = tmp_path / "wire.txt"
    corpus.write_text("Dr. Lee spoke. Shares rose 2.5% on Monday. It's \"up\" again.\n\nThe U.S. dollar fell. Gold held.\n", encoding="utf-8")
    assert load_script("bench_build").main([str(corpus), "--formats", "jsonl", "--configs", "lines", "--sentences", "punkt", "--repeat", "1"]) == 0
    row = _table(capsys.readouterr().out)["wire jsonl"]
    for name in ("split", "lines+punkt"):
        speed, ratio = row[name].split(" (")
        assert float(speed) > 0 and ratio == ratio.rstrip() and ratio.endswith("x normalize)"), row


def test_every_timed_call_starts_with_no_kept_pieces():
    """The sources hold the same articles: a piece kept from one would time the next one warm."""
    import newspairs
    from newspairs.normalize import _PIECES

    bench = load_script("bench_build")
    texts = ["Shares rose 2.5% on Monday, traders said."] * 3
    with cut_mode("pieces"):
        bench.timed(bench.CLOCKS["cpu"], newspairs.normalize_batch, texts)
        assert len(_PIECES) > 0  # kept, so the next call has something to forget
        seen = []
        bench.timed(bench.CLOCKS["cpu"], lambda: seen.append(len(_PIECES)))
    assert seen == [0]


def test_every_timed_build_reads_its_json_types_as_a_new_process_does(tmp_path, monkeypatch):
    """A JSON file's metadata types are kept per process: a build timed after another of the same
    file would skip the reading a user's first build pays."""
    from newspairs import sources

    bench = load_script("bench_build")
    path = tmp_path / "a.jsonl"
    path.write_text('{"raw": "One.", "topic": "x"}\n{"raw": "Two."}\n', encoding="utf-8")
    scans = []
    real = sources._rows_jsonl
    monkeypatch.setattr(sources, "_rows_jsonl", lambda item: scans.append(item.path) or real(item))
    for config in ("articles", "raw"):
        bench.timed(bench.CLOCKS["cpu"], bench.load, str(path), config, cache_dir=str(tmp_path / config))
    assert scans.count(str(path)) == 4  # per build: the types, then the articles


def test_repeat_keeps_each_path_s_fastest_round(tmp_path, capsys, monkeypatch):
    """Class: with --repeat N every path runs N times, each from a fresh cache (a build that found
    the last round's cache would time a cached load), and its best round is printed."""
    corpus = tmp_path / "wire.txt"
    corpus.write_text(WIRE, encoding="utf-8")
    bench = load_script("bench_build")
    calls, caches = [], []
    real_load = bench.load

    def counted_load(path, config, cache_dir, **kwargs):
        calls.append(config)
        caches.append(any(Path(cache_dir).iterdir()) if Path(cache_dir).exists() else False)
        return real_load(path, config, cache_dir=cache_dir, **kwargs)

    monkeypatch.setattr(bench, "load", counted_load)
    assert bench.main([str(corpus), "--formats", "jsonl", "--configs", "raw", "lines", "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    assert "best of 2 rounds" in out
    assert calls == ["raw", "lines", "raw", "lines"] and not any(caches)
    (row,) = _table(out).values()
    assert float(row["build raw"].split(" (")[0]) > 0


def test_repeat_below_one_is_refused(tmp_path, capsys):
    corpus = tmp_path / "wire.txt"
    corpus.write_text(WIRE, encoding="utf-8")
    with pytest.raises(SystemExit):
        load_script("bench_build").main([str(corpus), "--repeat", "0"])
    assert "--repeat must be at least 1" in capsys.readouterr().err


def fake_bench_source(ratios: dict[str, float]):
    """A `bench_source` returning, without timing anything, a row whose configs run at ``ratios`` of their references."""
    from_reference = {"articles": "datasets", "raw": "normalize", "lines": "normalize"}

    def bench_source(path, form, articles, configs, *_args, **_kwargs):
        row = {"source": f"{path.stem} {form}", "MB": 1.0, "count": len(articles), "normalize": 10.0, "datasets": 20.0}
        row.update({config: ratios[config] * row[from_reference[config]] for config in configs})
        return row

    return bench_source


@pytest.mark.parametrize(("config", "ratio", "verdict"), [
    ("raw", 0.797, "missed on wire jsonl (0.797x)"),  # the table prints 0.80x
    ("lines", 0.6999, "missed on wire jsonl (0.6999x)"),  # 3 decimals would print the target itself
    ("articles", 0.42, "missed on wire jsonl (0.420x)"),
], ids=["rounds-up-to-target", "needs-4-decimals", "clearly-missed"])
def test_a_missed_target_prints_each_source_s_ratio_below_it(tmp_path, capsys, monkeypatch, config, ratio, verdict):
    corpus = tmp_path / "wire.txt"
    corpus.write_text(WIRE, encoding="utf-8")
    bench = load_script("bench_build")
    monkeypatch.setattr(bench, "bench_source", fake_bench_source({config: ratio}))
    assert bench.main([str(corpus), "--formats", "jsonl", "--configs", config, "--repeat", "1"]) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("target ")]
    assert line.endswith(f": {verdict}"), line


def test_one_per_line_without_a_path_is_a_usage_error(tmp_path, capsys, monkeypatch):
    bench = load_script("bench_build")
    # were it taken as no corpus at all, the defaults would be these (not the full shared corpora)
    (tmp_path / "wire.txt").write_text(WIRE, encoding="utf-8")
    monkeypatch.setattr(bench, "DEFAULT_PARAGRAPHS", [tmp_path / "wire.txt"])
    monkeypatch.setattr(bench, "DEFAULT_ONE_PER_LINE", [tmp_path / "wire.txt"])
    monkeypatch.setattr(bench, "bench_source", fake_bench_source({"raw": 1.0}))
    with pytest.raises(SystemExit) as exit_:
        bench.main(["--one-per-line", "--configs", "raw"])
    assert exit_.value.code == 2
    assert "--one-per-line: expected at least one argument" in capsys.readouterr().err


@pytest.mark.parametrize(("content", "one_per_line", "message"), [
    (b"", False, "no article (the file is empty or blank)"),
    (b"\n  \n\n", True, "no article (the file is empty or blank)"),
    (b"Caf\xe9 news.\n", False, "not UTF-8 text (invalid continuation byte at byte 3)"),
], ids=["empty", "blank-lines", "not-utf8"])
def test_an_unreadable_corpus_is_a_one_line_error_before_any_timing(tmp_path, capsys, content, one_per_line, message):
    corpus = tmp_path / "bad.txt"
    corpus.write_bytes(content)
    argv = (["--one-per-line"] if one_per_line else []) + [str(corpus), "--formats", "jsonl", "--configs", "raw", "--repeat", "1"]
    assert load_script("bench_build").main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"bench_build: {corpus}: {message}\n"


def test_the_articles_build_taken_apart(tmp_path, capsys):
    """A row per source: each part's seconds, the rest of the build, and the two hashes per article
    against datasets' whole load; none without the articles config."""
    corpus = tmp_path / "wire.txt"
    corpus.write_text(WIRE * 3, encoding="utf-8")
    bench = load_script("bench_build")
    assert bench.main([str(corpus), "--formats", "jsonl", "csv", "--configs", "articles", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    parts = _table(out, "articles build of")
    assert list(parts) == ["wire jsonl", "wire csv"] == list(_table(out))
    for row in parts.values():
        seconds = {name: float(row[name]) for name in ("datasets", "build", "types", "read", "of which ids", "routes")}
        assert seconds["build"] > 0 and seconds["datasets"] > 0 and all(value >= 0 for value in seconds.values()), row
        rest = seconds["build"] - seconds["types"] - seconds["read"] - seconds["routes"]
        assert float(row["rest"]) == pytest.approx(rest, abs=0.0015), row
        ratio = (seconds["of which ids"] + seconds["routes"]) / seconds["datasets"]
        assert float(row["ids + routes against datasets"].removesuffix("x")) == pytest.approx(ratio, rel=0.35, abs=0.02), row
    assert bench.main([str(corpus), "--formats", "jsonl", "--configs", "raw", "--repeat", "1"]) == 0
    assert "articles build of" not in capsys.readouterr().out


def test_ids_alone_are_the_readings_ids():
    bench = load_script("bench_build")
    from newspairs.sources import article_id

    articles = [("a.jsonl", "One."), ("a.jsonl", "Caf\u00e9 \u2014 two."), ("b/c.csv", "One.")]
    assert bench.ids_alone(articles) == [article_id(relpath, raw) for relpath, raw in articles]
