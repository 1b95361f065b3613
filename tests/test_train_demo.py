"""A very short run of scripts/train_demo.py: the loss of the tiny language model must fall."""

from __future__ import annotations

import importlib.util
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
    assert "task classify" in capsys.readouterr().out


def test_classifying_needs_a_label(train_demo, tokenizer_file):
    with pytest.raises(ValueError, match="no label column"):
        train_demo.main(["--tokenizer", str(tokenizer_file), "--task", "classify", "--steps", "5"])


def test_too_large_blocks_are_an_error_not_a_hang(train_demo, tokenizer_file):
    with pytest.raises(ValueError, match="no block"):
        train_demo.main(["--tokenizer", str(tokenizer_file), "--steps", "5", "--block-size", "100000"])
