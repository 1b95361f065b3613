"""scripts/train_demo.py: the loss of the tiny language model falls; its default run on the embedded data shows the
validation loss falling at every report; the classifier learns ISOT's label and reports its accuracy."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

import newspairs

pytest.importorskip("torch")

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "train_demo.py"


@pytest.fixture(scope="module")
def train_demo():
    spec = importlib.util.spec_from_file_location("train_demo", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def tokenizer_file(tmp_path):
    """A small tokenizer trained on the embedded training split, as `newspairs train-tokenizer` would."""
    train = newspairs.load(config="articles", split="train")
    path = tmp_path / "tokenizer.json"
    newspairs.train_tokenizer(train, vocab_size=600, show_progress=False).save(str(path))
    return path


@pytest.mark.parametrize("streaming", [False, True], ids=["dataset", "streaming"])
def test_loss_falls_in_a_short_run(train_demo, tokenizer_file, streaming, capsys):
    argv = ["--tokenizer", str(tokenizer_file), "--steps", "40", "--log-every", "10", "--block-size", "32",
            "--batch-size", "8", "--threads", "1"]
    result = train_demo.main(argv + (["--streaming"] if streaming else []))
    out = capsys.readouterr().out
    assert result["last_loss"] < result["first_loss"] - 0.5
    assert result["tokens_per_second"] > 0
    assert out.count("tokens/s") == 4  # one progress line per 10 steps
    assert any(line.startswith("loss ") for line in out.splitlines())
    before, after = result["validation_loss"]
    assert out.splitlines()[-1] == f"validation split: loss {before:.3f} before training -> {after:.3f} after"


@pytest.mark.slow
def test_the_default_run_shows_the_validation_loss_falling(train_demo, capsys):
    """The defaults as a user runs them (the embedded data, the shipped tokenizer); one thread for repeatability."""
    result = train_demo.main(["--threads", "1"])
    out = capsys.readouterr().out
    before, after = result["validation_loss"]
    reported = result["validation_losses"]
    assert len(reported) == 3 and out.count("validation loss") == 3  # steps 20, 40, 60
    assert all(later < earlier for earlier, later in zip([before, *reported], reported)), (before, reported)
    assert after < before - 0.2
    assert result["validation_accuracy"] is None and "accuracy" not in out


@pytest.mark.parametrize(
    ("steps", "log_every", "first", "last"),
    [
        ("3", "20", "step 1", "step 3"),  # one progress line: its window would be compared with itself
        ("6", "20", "steps 1-3", "steps 4-6"),
        ("6", "2", "steps 1-2", "steps 5-6"),
    ],
    ids=["3-steps-one-window", "6-steps-one-window", "6-steps-three-windows"],
)
def test_the_loss_summary_compares_the_first_and_last_steps_it_names(train_demo, tokenizer_file, steps, log_every,
                                                                      first, last, capsys):
    result = train_demo.main(["--tokenizer", str(tokenizer_file), "--steps", steps, "--log-every", log_every,
                              "--block-size", "32", "--batch-size", "8", "--threads", "1"])
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("loss ")]
    assert line.endswith(f"-> {result['first_loss']:.3f} ({first}) -> {result['last_loss']:.3f} ({last})"), line
    assert result["loss_fell"] == (result["last_loss"] < result["first_loss"])
    assert result["loss_fell"], result


@pytest.mark.parametrize(("ends", "log_every", "expected"), [
    ([5.0, 4.0], 20, ((5.0, "step 1"), (4.0, "step 2"))),
    ([5.0, 4.5, 4.0], 20, ((5.0, "step 1"), (4.0, "step 3"))),
    ([6.0, 4.0, 5.0, 3.0, 2.0], 2, ((5.0, "steps 1-2"), (2.5, "steps 4-5"))),
], ids=["two-steps", "odd-count-skips-the-middle", "log-every-windows"])
def test_ends_of_run_never_overlap(train_demo, ends, log_every, expected):
    assert train_demo.ends_of_run(ends, log_every) == expected


def test_a_run_shorter_than_log_every_exits_0_when_its_loss_fell():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(SCRIPT), "--steps", "3", "--threads", "1"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(step 1) -> " in done.stdout and "(step 3)" in done.stdout


@pytest.mark.parametrize("threads", ["0", "-1"], ids=["zero", "negative"])
def test_threads_below_one_is_a_usage_error(train_demo, threads, capsys):
    with pytest.raises(SystemExit) as exit_:
        train_demo.parse_args(["--threads", threads])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(f"error: --threads must be at least 1, got {threads}")


def write_isot_pair(folder: Path, rows_per_file: int = 60) -> Path:
    """``True.csv`` and ``Fake.csv`` in ISOT's layout, from sentences written for this test."""
    import csv
    import random

    subjects = ["The ministry", "Officials", "The central bank", "A spokesman", "The committee"]
    true_verbs = ["said on Tuesday that", "reported that", "told reporters that", "confirmed in a statement that"]
    true_ends = ["exports rose 3 percent.", "the talks will resume in March.", "the budget was approved.",
                 "rates stay unchanged."]
    fake_openers = ["SHOCKING:", "You won't believe it:", "EXPOSED!", "They don't want you to know:"]
    fake_ends = ["the secret plan is finally revealed!!", "insiders are panicking!", "share before it's deleted!",
                 "the truth will stun you!"]
    pick = random.Random(0).choice
    folder.mkdir()
    for name, make in [
        ("True.csv", lambda: f"{pick(subjects)} {pick(true_verbs)} {pick(true_ends)}"),
        ("Fake.csv", lambda: f"{pick(fake_openers)} {pick(subjects).lower()} {pick(fake_ends)}"),
    ]:
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["title", "text", "subject", "date"])
            for i in range(rows_per_file):
                writer.writerow([f"headline {i}", f"{make()} {make()} Item {i}.", "news", "March 3, 2017"])  # unique
    return folder


def test_classifier_learns_the_label(train_demo, tokenizer_file, tmp_path, capsys):
    source = write_isot_pair(tmp_path / "isot")
    result = train_demo.main([
        "--source", str(source), "--task", "classify", "--tokenizer", str(tokenizer_file), "--steps", "40",
        "--log-every", "10", "--block-size", "48", "--batch-size", "8", "--threads", "1",
    ])
    assert result["last_loss"] < result["first_loss"]
    before, after = result["validation_loss"]
    assert after < before
    out = capsys.readouterr().out
    assert "task classify" in out
    accuracy_before, accuracy_after = result["validation_accuracy"]
    assert accuracy_after >= 0.9 and accuracy_after > accuracy_before
    (line,) = [line for line in out.splitlines() if "accuracy" in line]
    assert re.fullmatch(rf"validation split: accuracy {accuracy_before:.1%} before training -> {accuracy_after:.1%} after "
                        r"\(\d+ articles\)", line)


def test_classifying_needs_a_label(train_demo, tokenizer_file):
    with pytest.raises(ValueError, match="no label column"):
        train_demo.main(["--tokenizer", str(tokenizer_file), "--task", "classify", "--steps", "5"])


def test_too_large_blocks_are_an_error_not_a_hang(train_demo, tokenizer_file):
    with pytest.raises(ValueError, match="no block"):
        train_demo.main(["--tokenizer", str(tokenizer_file), "--steps", "5", "--block-size", "100000"])


def test_a_bad_article_stops_the_run_unless_errors_report(train_demo, tokenizer_file, tmp_path):
    source = write_isot_pair(tmp_path / "isot", rows_per_file=20)
    with open(source / "Fake.csv", "a", encoding="utf-8", newline="") as handle:
        handle.write('"headline x","A row with a field too many.","news","March 3, 2017","extra"\n')
    argv = ["--source", str(source), "--task", "classify", "--tokenizer", str(tokenizer_file), "--steps", "4",
            "--log-every", "2", "--block-size", "32", "--batch-size", "4", "--threads", "1"]
    with pytest.raises(ValueError, match="Fake.csv.*5 fields where the header has 4"):
        train_demo.main(argv)
    assert train_demo.main(argv + ["--errors", "report"])["first_loss"] > 0


def test_a_mistake_is_one_line_without_a_traceback(tokenizer_file):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--tokenizer", str(tokenizer_file), "--steps", "5", "--block-size", "100000"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("train_demo: error: the corpus gave no block of 100000 ids") and "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1
