"""scripts/bench_scale.py without its timed runs: its corpus, its usage errors and its exit status
when a child run fails (the children are faked: the real ones take minutes)."""

from __future__ import annotations

import json
import subprocess

import pytest

from test_scripts import load_script

ARTICLES = [f"Article {i}: it's here, or \"there\"." for i in range(40)]


@pytest.fixture()
def bench(monkeypatch):
    module = load_script("bench_scale")
    monkeypatch.setattr(module, "corpus_articles", lambda: ARTICLES)  # not the whole shared corpora
    return module


def fake_children(monkeypatch, bench, returncode: int) -> list[list[str]]:
    """Child runs that all exit ``returncode`` at once (a failure, or figures as a child prints them)."""
    calls = []

    def run(argv, **_):
        calls.append(argv)
        figures = {"seconds": 1.0, "machine_cpu": 1.0, "main_cpu": 1.0}
        return subprocess.CompletedProcess(argv, returncode, stdout=json.dumps(figures) + "\n", stderr="boom\n")

    monkeypatch.setattr(bench.subprocess, "run", run)
    return calls


def test_a_second_corpus_in_the_same_folder_replaces_the_first(bench, tmp_path):
    bench.make_corpus(tmp_path / "c", 0.003, 4, ARTICLES)
    bench.make_corpus(tmp_path / "c", 0.003, 2, ARTICLES)
    assert sorted(path.name for path in (tmp_path / "c").iterdir()) == ["part-000.jsonl", "part-001.jsonl"]


def test_a_kept_folder_of_an_earlier_run_gets_a_fresh_corpus(bench, tmp_path, monkeypatch, capsys):
    fake_children(monkeypatch, bench, 0)
    keep = tmp_path / "keep"
    for files in ("4", "2"):
        assert bench.main(["--mb", "0.003", "--files", files, "--keep", str(keep), "--raw-build"]) == 0
    assert sorted(path.name for path in (keep / "corpus").iterdir()) == ["part-000.jsonl", "part-001.jsonl"]
    assert "in 2 JSON lines files" in capsys.readouterr().out


@pytest.mark.parametrize("mode", ["--raw-build", "--actor-times"], ids=["raw-build", "actor-times"])
def test_a_failed_child_run_exits_1(bench, tmp_path, monkeypatch, capsys, mode):
    calls = fake_children(monkeypatch, bench, 1)
    assert bench.main(["--mb", "0.003", "--files", "2", "--keep", str(tmp_path / "keep"), mode, "--repeat", "1"]) == 1
    assert len(calls) == 1  # the first failure ends the run
    err = capsys.readouterr().err
    assert "boom" in err and "bench_scale: error: the child run" in err


@pytest.mark.parametrize(("argv", "message"), [
    (["--files", "0"], "--files must be at least 1, got 0"),
    (["--files", "-2"], "--files must be at least 1, got -2"),
    (["--mb", "0"], "--mb must be more than 0, got 0.0"),
    (["--keep", "{tmp}/a-file"], "not a folder"),
    (["--keep", "{tmp}/someone-elses"], "holds what no run of this script wrote (notes.txt)"),
    (["--keep", "{tmp}/odd-corpus"], "odd-corpus/corpus holds files that are not a corpus of this script: notes.txt"),
], ids=["files-0", "files-negative", "mb-0", "keep-a-file", "keep-a-foreign-folder", "keep-a-foreign-corpus"])
def test_mistakes_are_one_line_usage_errors_and_leave_no_folder(bench, tmp_path, monkeypatch, capsys, argv, message):
    calls = fake_children(monkeypatch, bench, 0)
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    (tmp_path / "someone-elses").mkdir()
    (tmp_path / "someone-elses" / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "odd-corpus" / "corpus").mkdir(parents=True)
    (tmp_path / "odd-corpus" / "corpus" / "notes.txt").write_text("mine", encoding="utf-8")
    made = []
    real_mkdtemp = bench.tempfile.mkdtemp
    monkeypatch.setattr(bench.tempfile, "mkdtemp", lambda **kwargs: made.append(real_mkdtemp(dir=tmp_path, **kwargs)) or made[-1])
    with pytest.raises(SystemExit) as exit_:
        bench.main(["--mb", "0.003", "--raw-build", *(arg.format(tmp=tmp_path) for arg in argv)])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and message in err.splitlines()[-1] and "Traceback" not in err, err
    assert calls == [] and made == []
    assert (tmp_path / "someone-elses" / "notes.txt").exists() and (tmp_path / "odd-corpus" / "corpus" / "notes.txt").exists()
