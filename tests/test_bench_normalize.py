"""scripts/bench_normalize.py's table of every path: each path's row, exact where it must be."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import sys

import pytest

from reference import REPO


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_normalize", REPO / "scripts" / "bench_normalize.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_normalize"] = module  # the process pool pickles its functions by module name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def paths_table(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("bench") / "news.txt"
    corpus.write_text("Shares rose 2.5% on Monday, traders said.\n\n\"It's over,\" he said.\nThe U.S. dollar fell.\n" * 30, encoding="utf-8")
    bench = load_bench()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert bench.main([str(corpus), "--jobs", "1", "--no-pathological", "--moses-mb", "0", "--repeat", "1"]) == 0
    text = out.getvalue()
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if line.startswith("| news.txt |") and len(cells) == 5:
            rows[cells[1]] = cells
    return text, rows


def test_the_exact_paths_agree_with_the_reference_on_every_line(paths_table):
    _, rows = paths_table
    assert rows["newspairs.normalize (cold: first pass)"][4] == "100.000%"
    assert rows["newspairs.normalize, warm (second pass, every piece kept)"][4] == "100.000%"
    assert rows["tokenizer.json normalizer, every pass"][4] == "100.000%"
    assert rows["shipped tokenizer encode_batch, raw text"][4] == "100.000% (same ids)"


def test_every_path_has_a_speed_and_a_ratio_to_nltk(paths_table):
    _, rows = paths_table
    assert {"NLTK (the reference)", "same model, no normalizer, normalized text"} <= set(rows)
    for label, cells in rows.items():
        assert float(cells[2]) > 0 and cells[3].endswith("x"), label


def test_the_pass_count_and_the_targets_are_printed(paths_table):
    text, _ = paths_table
    from newspairs.rules import PASSES

    assert f"normalizer of tokenizer.json: {len(PASSES)} passes" in text
    assert "encode raw/normalized" in text and "tokenizer.json/NLTK" in text
    assert "an empty pure-Python loop of 10^7 iterations took" in text  # the machine's state beside the ratios


def test_fastnltk_row_with_its_exact_line_rate(paths_table):
    pytest.importorskip("fastnltk", reason="fastnltk comes with the bench and test extras")
    _, rows = paths_table
    assert rows["fastnltk TreebankWordTokenizer (a peer)"][4].endswith("%")


def test_the_newspairs_row_is_cold_every_round(monkeypatch):
    bench = load_bench()
    cleared = []
    monkeypatch.setattr(bench, "clear_piece_cache", lambda: cleared.append(1))
    lines = ["It's over, he said."] * 3
    assert bench.newspairs_lines(lines) == bench.newspairs_lines(lines) == ["it 's over , he said ."] * 3
    assert len(cleared) == 2
    bench.newspairs_lines_warm(lines)
    assert len(cleared) == 2


def test_the_cold_pass_taken_apart(paths_table):
    text, _ = paths_table
    header = next(line for line in text.splitlines() if line.startswith("| corpus | cut |"))
    assert header.split("|")[2:-1] == [" cut ", " look-up ", " normalize new pieces ", " join ", " slices with a line not cut ", " total "]
    row = next(line for line in text.splitlines() if line.startswith("| news.txt |") and line.count("|") == 8)
    assert all(float(cell) >= 0 for cell in row.strip("|").split("|")[1:])


def test_the_pool_row_clears_each_worker_once_per_round(monkeypatch):
    # a worker keeps its kept pieces across the chunks it handles in a round (as a pool user's
    # worker does), and forgets them at its first chunk of the next round
    bench = load_bench()
    cleared = []
    monkeypatch.setattr(bench, "clear_piece_cache", lambda: cleared.append(1))
    chunk = ["It's over, he said."]
    for round_ in (0, 1):
        for _ in range(3):  # three chunks of the round in this (one) worker
            assert bench.newspairs_round_chunk((round_, chunk)) == ["it 's over , he said ."]
        assert len(cleared) == round_ + 1


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        (b"", [], "news.txt: empty, no line to normalize"),
        (b"ok\n\xff\n", [], "news.txt, line 2: not UTF-8 (invalid start byte)"),
        (None, [], "news.txt: a folder, not a file"),
        (b"a\nb\n", ["--jobs", "0"], "argument --jobs: must be 1 or more, got 0"),
        (b"a\nb\n", ["--jobs", "-1"], "argument --jobs: must be 1 or more, got -1"),
        (b"a\nb\n", ["--repeat", "0"], "argument --repeat: must be 1 or more, got 0"),
        (b"a\nb\n", ["--max-lines", "0"], "argument --max-lines: must be 1 or more, got 0"),
        (b"a\nb\nc\nd\n", ["--max-lines", "-3"], "argument --max-lines: must be 1 or more, got -3"),
    ],
    ids=["empty-file", "not-utf8", "folder", "no-jobs", "negative-jobs", "no-rounds", "no-max-lines", "negative-max-lines"],
)
def test_a_mistake_is_one_line_and_exit_2(tmp_path, capsys, content, options, message):
    corpus = tmp_path / "news.txt"
    if content is None:
        corpus.mkdir()
    else:
        corpus.write_bytes(content)
    bench = load_bench()
    try:
        code = bench.main([str(corpus), "--jobs", "1", "--no-pathological", "--moses-mb", "0", "--repeat", "1", *options])
    except SystemExit as exit_:  # argparse's own error
        code = exit_.code
    err = capsys.readouterr().err
    assert code == 2 and message in err.strip().splitlines()[-1] and "Traceback" not in err, err  # (after argparse's usage)


@pytest.mark.parametrize(
    ("ratio", "target", "figure"),
    [
        (0.7496, ">= 0.75", "0.7496"),  # not "0.75x (target >= 0.75x)" for a ratio that misses it
        (0.7504, ">= 0.75", "0.75"),
        (0.60, ">= 0.75", "0.60"),
        (1.004, "> 1", "1.004"),  # not "1.00x (target > 1)" for a ratio that meets it
        (0.996, "> 1", "1.00"),
    ],
    ids=["below-by-less-than-the-rounding", "above", "far-below", "above-a-strict-target", "below-a-strict-target"],
)
def test_a_ratio_beside_its_target_is_on_the_right_side_of_it(ratio, target, figure):
    meets = {">= 0.75": lambda r: r >= 0.75, "> 1": lambda r: r > 1}[target]
    assert load_bench().ratio_figure(ratio, meets) == figure
