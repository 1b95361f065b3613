"""Train a tiny model on CPU straight from raw news text, with newspairs' feed.

Raw articles (the embedded default data, or ``--source``) are encoded on the fly by the trained
normalization tokenizer. ``--task lm`` (default): the ids are packed into fixed-length blocks
(`newspairs.pack`) and a two-layer causal Transformer learns to predict the next id. ``--task
classify``: each article is encoded when its batch is read (`newspairs.dataloader`, padded by
`newspairs.PadCollator`) and a small Transformer encoder learns the source's ``label`` (ISOT
``True``/``Fake`` files have one). Prints the loss, tokens/s and the validation split's loss as it
goes, and for ``classify`` the validation split's accuracy before and after training; exits 1 if
the training loss did not fall: if the mean loss of the last steps is not below that of as many
first steps (``--log-every`` steps each, fewer when ``--steps`` is under twice that: a run of 3
steps compares step 3 with step 1, the loss before any update).

The defaults suit the embedded data (8 training articles, 23 blocks of 64 ids): 60 steps at a
learning rate of 1e-3, where the validation loss falls at every report. Longer, the tiny model
learns those blocks by heart and the validation loss turns up (from about step 80); a larger
``--source`` takes more ``--steps``.

    python scripts/train_demo.py [--source PATH] [--tokenizer DIR] [--task lm|classify] [--steps 60] [--streaming]

Needs torch (``pip install -e '.[torch]'``, the CPU build).
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import time

import torch
from torch import nn

import newspairs


class TinyCausalLM(nn.Module):
    """Token and position embeddings, a few causal Transformer layers, an output tied to the input embedding."""

    def __init__(self, vocab_size: int, block_size: int, width: int = 64, layers: int = 2, heads: int = 4):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, width)
        self.position = nn.Embedding(block_size, width)
        layer = nn.TransformerEncoderLayer(width, heads, dim_feedforward=4 * width, dropout=0.1, batch_first=True)
        self.layers = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(width)
        for embedding in (self.embed, self.position):
            nn.init.normal_(embedding.weight, std=0.02)  # small logits at first: the loss starts near log(vocabulary)
        self.register_buffer("causal", nn.Transformer.generate_square_subsequent_mask(block_size), persistent=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        length = ids.shape[1]
        hidden = self.embed(ids) + self.position(torch.arange(length, device=ids.device))
        hidden = self.layers(hidden, mask=self.causal[:length, :length], is_causal=True)
        return self.norm(hidden) @ self.embed.weight.T


class TinyClassifier(nn.Module):
    """Token and position embeddings, a Transformer encoder layer, the mean over the real ids, a linear head."""

    def __init__(self, vocab_size: int, max_length: int, classes: int, width: int = 64, heads: int = 4):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, width)
        self.position = nn.Embedding(max_length, width)
        self.layer = nn.TransformerEncoderLayer(width, heads, dim_feedforward=4 * width, dropout=0.1, batch_first=True)
        self.head = nn.Linear(width, classes)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.embed(ids) + self.position(torch.arange(ids.shape[1], device=ids.device))
        hidden = self.layer(hidden, src_key_padding_mask=mask == 0)
        weights = mask.unsqueeze(-1).float()
        return self.head((hidden * weights).sum(1) / weights.sum(1).clamp(min=1))


def label_loss(model: nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    return nn.functional.cross_entropy(model(batch["input_ids"], batch["attention_mask"]), batch["label"])


def next_id_loss(model: nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    ids, mask = batch["input_ids"], batch["attention_mask"]
    logits = model(ids[:, :-1])
    targets = ids[:, 1:].masked_fill(mask[:, 1:] == 0, -100)  # no loss on padding
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100)


@torch.no_grad()
def mean_loss(model: nn.Module, loss_of, loader) -> float | None:
    """The mean loss over a held-out DataLoader (None when it is empty)."""
    losses = [loss_of(model, batch).item() for batch in loader]
    return sum(losses) / len(losses) if losses else None


@torch.no_grad()
def accuracy(model: nn.Module, loader) -> tuple[float, int] | None:
    """The share of held-out articles whose label the classifier predicts, and how many there are (None: none)."""
    right = total = 0
    for batch in loader:
        predicted = model(batch["input_ids"], batch["attention_mask"]).argmax(-1)
        right += int((predicted == batch["label"]).sum())
        total += len(predicted)
    return (right / total, total) if total else None


def batches_forever(loader):
    """Epoch after epoch of the DataLoader (a small corpus is seen many times)."""
    for epoch in itertools.count():
        if hasattr(loader.dataset, "set_epoch"):
            loader.dataset.set_epoch(epoch)
        empty = True
        for batch in loader:
            empty = False
            yield batch
        if empty:
            raise ValueError("the corpus gave no batch: use a smaller --block-size or more text")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", help="a corpus newspairs.load reads (default: the embedded data)")
    parser.add_argument("--tokenizer", help="trained tokenizer folder or tokenizer.json (default: the shipped one)")
    parser.add_argument("--task", choices=("lm", "classify"), default="lm", help="what the model learns (default lm)")
    parser.add_argument("--steps", type=int, default=60, help="optimizer steps (default 60)")
    parser.add_argument("--block-size", type=int, default=64, help="ids per packed block; classify: at most (default 64)")
    parser.add_argument("--batch-size", type=int, default=16, help="blocks or articles per step (default 16)")
    parser.add_argument("--lr", type=float, default=1e-3, help="AdamW learning rate (default 1e-3)")
    parser.add_argument("--log-every", type=int, default=20, help="steps between progress lines (default 20)")
    parser.add_argument("--streaming", action="store_true", help="read the corpus as a stream (IterableDataset)")
    parser.add_argument("--num-workers", type=int, default=0, help="DataLoader worker processes (default 0)")
    parser.add_argument("--threads", type=int, help="torch threads, at least 1 (default: torch's choice)")
    parser.add_argument("--errors", choices=("raise", "report"), default="raise",
                        help="a bad article in --source stops the run (raise, default) or is left out and reported")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.steps < 2 or args.log_every < 1:
        parser.error("--steps must be at least 2 and --log-every at least 1")
    if args.threads is not None and args.threads < 1:  # torch raises on a negative count and ignores 0
        parser.error(f"--threads must be at least 1, got {args.threads}")
    return args


def ends_of_run(losses: list[float], log_every: int) -> tuple[tuple[float, str], tuple[float, str]]:
    """The mean loss of the first and of the last steps, as many each (``log_every``, at most half
    the run: the two never overlap, so a short run still compares its start with its end), and
    the steps each covers, for the summary line."""
    span, steps = min(log_every, len(losses) // 2), len(losses)

    def mean_over(first: int, last: int) -> tuple[float, str]:
        label = f"step {first}" if first == last else f"steps {first}-{last}"
        return sum(losses[first - 1:last]) / (last - first + 1), label

    return mean_over(1, span), mean_over(steps - span + 1, steps)


def language_model_task(args, tokenizer, train, held_out):
    """Packed blocks for training and validation, the causal LM, its loss and a uniform guess's loss."""
    # a stream gets one packed shard per DataLoader worker, so that every worker reads
    shards = {"num_shards": min(max(args.num_workers, 1), train.num_shards)} if args.streaming else {}
    blocks = newspairs.pack(train, args.block_size, tokenizer, **shards)
    if not args.streaming and len(blocks) == 0:
        raise ValueError(f"the corpus gave no block of {args.block_size} ids: use a smaller --block-size or more text")
    loader = newspairs.dataloader(
        blocks, tokenizer, batch_size=args.batch_size, shuffle=not args.streaming, num_workers=args.num_workers
    )
    held_out_loader = newspairs.dataloader(newspairs.pack(held_out, args.block_size, tokenizer), tokenizer, batch_size=args.batch_size)
    model = TinyCausalLM(tokenizer.get_vocab_size(), args.block_size)
    return loader, held_out_loader, model, next_id_loss, math.log(tokenizer.get_vocab_size())


def classifier_task(args, tokenizer, train, held_out):
    """Raw articles encoded per batch with their label, the classifier, its loss and a uniform guess's loss."""
    label = (train.features or {}).get("label")
    if label is None:
        raise ValueError(f"the source has no label column (its columns: {train.column_names}): use --task lm")
    options = {"batch_size": args.batch_size, "max_length": args.block_size, "keep": ("label",)}
    loader = newspairs.dataloader(train, tokenizer, shuffle=not args.streaming, num_workers=args.num_workers, **options)
    held_out_loader = newspairs.dataloader(held_out, tokenizer, **options)
    model = TinyClassifier(tokenizer.get_vocab_size(), args.block_size, label.num_classes)
    return loader, held_out_loader, model, label_loss, math.log(label.num_classes)


def main(argv: list[str] | None = None) -> dict:
    """Train; returns the first and last steps' mean losses (`ends_of_run`) and whether it fell, the tokens/s
    and the validation losses (for tests)."""
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    tokenizer = newspairs.load_tokenizer(args.tokenizer)
    train = newspairs.load(args.source, config="articles", split="train", streaming=args.streaming, errors=args.errors)
    held_out = newspairs.load(args.source, config="articles", split="validation", streaming=args.streaming, errors=args.errors)
    if args.streaming:
        train = train.shuffle(seed=args.seed, buffer_size=1000)
    task = language_model_task if args.task == "lm" else classifier_task
    loader, held_out_loader, model, loss_of, uniform_loss = task(args, tokenizer, train, held_out)
    held_out_before = mean_loss(model.eval(), loss_of, held_out_loader)
    accuracy_before = accuracy(model, held_out_loader) if args.task == "classify" else None
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    print(
        f"task {args.task}, {'streaming' if args.streaming else 'in memory'}, at most {args.block_size} ids per row, "
        f"batch {args.batch_size}, vocabulary {tokenizer.get_vocab_size()}, "
        f"{sum(p.numel() for p in model.parameters()):,} parameters"
    )

    window_loss, window_tokens, window_start = 0.0, 0, time.perf_counter()
    logged: list[float] = []
    step_losses: list[float] = []
    held_out_logged: list[float] = []
    rates: list[float] = []
    for step, batch in enumerate(batches_forever(loader), start=1):
        loss = loss_of(model, batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step_losses.append(loss.item())
        window_loss += step_losses[-1]
        window_tokens += int(batch["attention_mask"].sum())
        if step % args.log_every == 0 or step == args.steps:
            steps_in_window = (step - 1) % args.log_every + 1
            seconds = time.perf_counter() - window_start
            logged.append(window_loss / steps_in_window)
            rates.append(window_tokens / seconds)
            held_out_now = mean_loss(model.eval(), loss_of, held_out_loader)
            model.train()
            if held_out_now is not None:
                held_out_logged.append(held_out_now)
            held_out_note = "" if held_out_now is None else f"  validation loss {held_out_now:.3f}"
            print(f"step {step:5d}  loss {logged[-1]:.3f}  {rates[-1]:,.0f} tokens/s{held_out_note}")
            window_loss, window_tokens, window_start = 0.0, 0, time.perf_counter()
        if step == args.steps:
            break
    (first_loss, first_steps), (last_loss, last_steps) = ends_of_run(step_losses, args.log_every)
    print(f"loss {uniform_loss:.3f} (uniform guess) -> {first_loss:.3f} ({first_steps}) -> {last_loss:.3f} ({last_steps})")
    held_out_after = mean_loss(model.eval(), loss_of, held_out_loader)
    if held_out_before is not None:
        print(f"validation split: loss {held_out_before:.3f} before training -> {held_out_after:.3f} after")
    accuracy_after = accuracy(model, held_out_loader) if args.task == "classify" else None
    if accuracy_before is not None:
        print(f"validation split: accuracy {accuracy_before[0]:.1%} before training -> {accuracy_after[0]:.1%} after "
              f"({accuracy_after[1]} articles)")
    return {
        "first_loss": first_loss,
        "last_loss": last_loss,
        "loss_fell": last_loss < first_loss,
        "tokens_per_second": sum(rates) / len(rates),
        "validation_loss": (held_out_before, held_out_after),
        "validation_losses": held_out_logged,
        "validation_accuracy": None if accuracy_before is None else (accuracy_before[0], accuracy_after[0]),
    }


if __name__ == "__main__":
    import datasets

    datasets.disable_progress_bars()  # the script reports its own progress, a line per --log-every steps
    try:
        result = main()
    except ValueError as error:  # a user's mistake (a bad source, a too large --block-size): one line, no traceback
        print(f"train_demo: error: {error}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0 if result["loss_fell"] else 1)
