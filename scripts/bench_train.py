"""Tokenizer training speed: newspairs.train_tokenizer against the trainer normalizing line by line.

Prints a ratio table per model. CORPUS is a text file, one raw line per line (default: the Reuters
text of ../shared/corpora):

    python scripts/bench_train.py [CORPUS] [--vocab-size N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from newspairs.train import MODELS, TrainingConfig, model_and_trainer, train_tokenizer
from newspairs.tokenizer import build_tokenizer

REUTERS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "reuters21578" / "reuters21578_text.txt"


def trainer_normalizes(lines: list[str], config: TrainingConfig) -> None:
    """The baseline: the normalization tokenizer trained directly, its normalizer called per line."""
    tokenizer = build_tokenizer()
    tokenizer.model, trainer = model_and_trainer(config)
    batches = (lines[start : start + config.batch_size] for start in range(0, len(lines), config.batch_size))
    tokenizer.train_from_iterator(batches, trainer=trainer, length=len(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(REUTERS))
    parser.add_argument("--vocab-size", type=int, default=16000)
    args = parser.parse_args()
    text = Path(args.corpus).read_text(encoding="utf-8", errors="replace")
    lines = text.split("\n")
    megabytes = len(text.encode("utf-8")) / 1e6
    print(f"{args.corpus}: {len(lines)} lines, {megabytes:.1f} MB, vocab_size {args.vocab_size}\n")
    print("| model | trainer normalizes (s) | newspairs (s) | newspairs MB/s | ratio |")
    print("|---|---|---|---|---|")
    for model in MODELS:
        config = TrainingConfig(model=model, vocab_size=args.vocab_size, show_progress=False)
        start = time.perf_counter()
        trainer_normalizes(lines, config)
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        train_tokenizer(lines, config)
        ours = time.perf_counter() - start
        print(f"| {model} | {baseline:.1f} | {ours:.1f} | {megabytes / ours:.2f} | {baseline / ours:.2f}x |")


if __name__ == "__main__":
    main()
