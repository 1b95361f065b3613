"""The `newspairs` command line: each subcommand is a thin wrapper over the package's Python API.

Every command's help is its function's docstring; commands read UTF-8 and stream where they can.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import TextIO


class InputError(ValueError):
    """Input that cannot be read, with the file and line where it went wrong."""


def _lines_of(stream, name: str) -> Iterator[str]:
    """Decode a binary stream line by line as UTF-8, naming file and line on undecodable bytes."""
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(
                f"{name}, line {number}: not UTF-8 ({error.reason} at byte {error.start}: {raw[error.start:error.start + 4]!r})"
            ) from None
        yield line[:-1] if line.endswith("\n") else line


def cmd_normalize(args: argparse.Namespace, out: TextIO) -> int:
    """Normalize raw text, line for line, from FILEs (or standard input) to standard output.

    Streams: memory does not grow with the input. Input must be UTF-8; a line that is not
    stops the run with an error naming the file and the line.
    """
    from newspairs.tokenizer import load_tokenizer_file

    tokenizer = load_tokenizer_file(args.tokenizer) if args.tokenizer else None
    for name in args.files or ["-"]:
        if name == "-":
            _write_normalized(_lines_of(sys.stdin.buffer, "<stdin>"), tokenizer, out)
            continue
        try:
            handle = open(name, "rb")
        except OSError as error:
            raise InputError(f"{name}: cannot open ({error.strerror})") from None
        with handle:
            _write_normalized(_lines_of(handle, name), tokenizer, out)
    return 0


def _write_normalized(lines, tokenizer, out: TextIO) -> None:
    from newspairs.normalize import normalize_lines

    for line in normalize_lines(lines, tokenizer):
        out.write(line + "\n")


def _command_parser(subparsers, name: str, command) -> argparse.ArgumentParser:
    """A subcommand whose help is its function's docstring (first line in the command list)."""
    return subparsers.add_parser(
        name, help=command.__doc__.splitlines()[0], description=command.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _add_normalize(subparsers) -> None:
    parser = _command_parser(subparsers, "normalize", cmd_normalize)
    parser.add_argument("files", nargs="*", metavar="FILE", help="raw text files ('-' or none: standard input)")
    parser.add_argument("--tokenizer", metavar="PATH", help="normalize with this tokenizer.json instead of the built-in rules")
    parser.set_defaults(run=cmd_normalize)


def _source_of(values: list[str]):
    """No SOURCE: the embedded default data; one: that path or glob; several: the list."""
    if not values:
        return None
    return values[0] if len(values) == 1 else list(values)


def _add_column_options(parser) -> None:
    parser.add_argument("--raw-column", default="raw", metavar="NAME", help="tabular files' raw column (default: raw)")
    parser.add_argument(
        "--normalized-column", default="normalized", metavar="NAME",
        help="tabular files' optional normalized column (default: normalized)",
    )


def _fresh_demo_folder() -> str:
    from pathlib import Path

    from newspairs.stamp import STAMP_FILENAME

    candidate, number = Path("newspairs-demo"), 1
    while candidate.exists() and any(candidate.iterdir()) and not (candidate / STAMP_FILENAME).is_file():
        number += 1
        candidate = Path(f"newspairs-demo-{number}")
    return str(candidate)


def _shortened(value, width: int = 150):
    if not isinstance(value, str):
        return value
    first = value.split("\n")[0]
    return first if len(first) <= width and first == value else first[:width].rstrip() + " ..."


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    """Build the embedded default pairs (or SOURCE), export them, and load them back with plain datasets.

    The export (Parquet shards + README.md card) goes to --out (default: ./newspairs-demo, replaced
    if it holds a previous newspairs export). It is then read back with `datasets.load_dataset(folder)`
    and `datasets.load_dataset(folder, "lines")`, no newspairs code, no network; the command prints
    rows per config and split, the agreement rate, and one example.
    """
    import datasets

    from newspairs.export import export

    folder = args.out or _fresh_demo_folder()
    result = export(_source_of(args.source), folder, num_proc=args.num_proc)
    out.write(f"built {' '.join(args.source) or 'the embedded default pairs'} and exported them to {folder}/\n")
    loaded = {name: datasets.load_dataset(folder, name) for name in result.configs}
    splits = [split for split in ("train", "validation", "test") if any(split in d for d in loaded.values())]
    out.write(f"\nloaded back with datasets.load_dataset({folder!r}, config):\n")
    out.write(f"  {'config':<10}" + "".join(f"{split:>12}" for split in splits) + "\n")
    for name, dataset in loaded.items():
        out.write(f"  {name:<10}" + "".join(f"{(dataset[s].num_rows if s in dataset else 0):>12}" for s in splits) + "\n")
    articles = loaded["articles"]
    agrees = [value for split in articles.values() for value in split["agrees"] if value is not None]
    if agrees:
        rate = 100 * sum(agrees) / len(agrees)
        out.write(f"\nagreement: {sum(agrees)} of {len(agrees)} stored normalized sides equal newspairs.normalize(raw) ({rate:.1f}%)\n")
    else:
        out.write("\nagreement: the source has no stored normalized side (see the 'raw' config)\n")
    first_split = next(iter(articles))
    example = articles[first_split][0]
    line = loaded["lines"][first_split][0] if first_split in loaded["lines"] else None
    features = articles[first_split].features
    out.write(f"\nexample (articles, {first_split} row 0; first line, shortened):\n")
    for key, value in example.items():
        if isinstance(features[key], datasets.ClassLabel) and value is not None:
            value = f"{value} ({features[key].int2str(value)})"
        out.write(f"  {key}: {_shortened(value)}\n")
    if line is not None:
        out.write(f"\nexample (lines, {first_split} row 0):\n")
        out.write("".join(f"  {key}: {_shortened(value)}\n" for key, value in line.items()))
    for report in result.reports.values():
        out.write(f"\n{report.summary()}\n" if report.rejected else "")
    return 0


def _add_demo(subparsers) -> None:
    parser = _command_parser(subparsers, "demo", cmd_demo)
    parser.add_argument("source", nargs="*", metavar="SOURCE", help="folder, file or glob (default: the embedded pairs)")
    parser.add_argument("--out", metavar="DIR", help="export folder (default: ./newspairs-demo)")
    parser.add_argument("--num-proc", type=int, metavar="N", help="build with N processes (sharded over input files)")
    parser.set_defaults(run=cmd_demo)


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    """Build SOURCE and export it to OUT as Parquet shards plus a README.md card for datasets.load_dataset.

    OUT gets <config>/<split>-NNNNN-of-NNNNN.parquet per config and split, README.md (YAML configs
    and dataset_info), newspairs_stamp.json and newspairs_report.json (counts and rejects). OUT must
    be absent, empty or a previous export. With --errors report, bad articles are set aside in the
    report and the build goes on; the summary reconciles read = written + rejected.
    """
    from newspairs.export import export

    result = export(
        _source_of(args.source), args.out, configs=args.config or ("articles", "lines", "raw"),
        max_shard_size=args.max_shard_size, num_proc=args.num_proc, errors=args.errors,
        raw_column=args.raw_column, normalized_column=args.normalized_column,
        engine=args.engine, address=args.address, num_cpus=args.num_cpus,
    )
    out.write(result.summary() + "\n")
    for report in result.reports.values():
        for reject in report.rejects:
            where = ", ".join(f"{k} {reject[k]}" for k in ("article", "line") if reject[k] is not None)
            out.write(f"rejected ({report.config}): {reject['file']}{', ' + where if where else ''}: {reject['reason']}\n")
    return 0


def _add_export(subparsers) -> None:
    parser = _command_parser(subparsers, "export", cmd_export)
    parser.add_argument("source", nargs="+", metavar="SOURCE", help="folder, file or glob (several allowed)")
    parser.add_argument("out", metavar="OUT", help="export folder")
    parser.add_argument("--config", action="append", choices=("articles", "lines", "raw"),
                        help="config to export (repeatable; default: all three, articles first)")
    parser.add_argument("--max-shard-size", default="500MB", metavar="SIZE", help="Parquet shard size (default: 500MB)")
    parser.add_argument("--num-proc", type=int, metavar="N", help="build with N processes (sharded over input files)")
    parser.add_argument("--errors", choices=("raise", "report"), default="raise",
                        help="stop at the first bad article (raise, default) or report it and go on")
    parser.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="build in this process (local, default) or on Ray Data (ray: pip install 'newspairs[ray]')")
    parser.add_argument("--address", metavar="ADDRESS", help="--engine ray: the Ray cluster (default: RAY_ADDRESS, else a local Ray)")
    parser.add_argument("--num-cpus", type=int, metavar="N", help="--engine ray: CPUs of a local Ray, or actors on a cluster")
    _add_column_options(parser)
    parser.set_defaults(run=cmd_export)


def cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    """Check that each stored normalized side of SOURCE equals newspairs.normalize(raw).

    Prints the counts and the first disagreements as unified diffs (stored against the
    normalizer), then the articles that could not be read. Exit status 1 when any pair
    disagrees or any article could not be read.
    """
    from newspairs.verify import verify

    result = verify(
        _source_of(args.source), show=args.show, raw_column=args.raw_column, normalized_column=args.normalized_column
    )
    out.write(result.summary() + "\n")
    for disagreement in result.first:
        out.write(f"\n{disagreement.diff}\n")
    for reject in result.rejects:
        out.write(f"unreadable: {reject.error()}\n")
    return 1 if result.disagree or result.rejects else 0


def _add_verify(subparsers) -> None:
    parser = _command_parser(subparsers, "verify", cmd_verify)
    parser.add_argument("source", nargs="*", metavar="SOURCE", help="folder, file or glob (default: the embedded pairs)")
    parser.add_argument("--show", type=int, default=5, metavar="N", help="diffs to print (default: 5)")
    _add_column_options(parser)
    parser.set_defaults(run=cmd_verify)


def cmd_train_tokenizer(args: argparse.Namespace, out: TextIO) -> int:
    """Train a tokenizer's model on the raw side of SOURCE, keeping the normalization, and save it to DIR.

    The normalizer and pre-tokenizer stay those of the normalization, so DIR/tokenizer.json still
    reproduces the normalized side. DIR gets tokenizer.json, tokenizer_config.json and
    special_tokens_map.json (for transformers.AutoTokenizer) and newspairs_stamp.json. Special
    tokens: [PAD] [UNK] [CLS] [SEP] [MASK] (ids 0-4). Trains on the train split unless --split all.
    """
    from newspairs.train import TrainingConfig, save_tokenizer_folder, train_on_source

    config = TrainingConfig(model=args.model, vocab_size=args.vocab_size, min_frequency=args.min_frequency,
                            show_progress=not args.quiet)
    tokenizer = train_on_source(
        _source_of(args.source), config, split=None if args.split == "all" else args.split,
        raw_column=args.raw_column, normalized_column=args.normalized_column,
    )
    for path in save_tokenizer_folder(tokenizer, args.out, model_max_length=args.model_max_length):
        out.write(f"wrote {path}\n")
    out.write(f"{type(tokenizer.model).__name__} model, {tokenizer.get_vocab_size()} tokens\n")
    return 0


def _add_train_tokenizer(subparsers) -> None:
    from newspairs.train import MODELS, TrainingConfig

    parser = _command_parser(subparsers, "train-tokenizer", cmd_train_tokenizer)
    parser.add_argument("source", nargs="*", metavar="SOURCE", help="folder, file or glob (default: the embedded pairs)")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write the tokenizer files to")
    parser.add_argument("--model", choices=MODELS, default=TrainingConfig.model, help="the model to train (default: wordpiece)")
    parser.add_argument("--vocab-size", type=int, default=TrainingConfig.vocab_size, metavar="N",
                        help=f"largest vocabulary (default: {TrainingConfig.vocab_size})")
    parser.add_argument("--min-frequency", type=int, default=TrainingConfig.min_frequency, metavar="N",
                        help=f"least count of a merged pair or kept word (default: {TrainingConfig.min_frequency})")
    parser.add_argument("--split", default="train", metavar="NAME", help="split to train on, or 'all' (default: train)")
    parser.add_argument("--model-max-length", type=int, metavar="N", help="model_max_length in tokenizer_config.json")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_column_options(parser)
    parser.set_defaults(run=cmd_train_tokenizer)


def cmd_publish(args: argparse.Namespace, out: TextIO) -> int:
    """Build SOURCE's Hub repository (card, Parquet shards, tokenizer, stamp) and upload it to --repo-id.

    The token comes from HF_TOKEN or `hf auth login`. --license is required (a Hub license
    identifier such as cc-by-4.0, or 'other'): newspairs never guesses one. Without --tokenizer, a
    tokenizer is trained on the train split (--model, --vocab-size). Data goes first in commits of
    at most --max-commit-files files / --max-commit-size bytes, then the card, tokenizer and stamp;
    files already on the Hub with the same content are skipped, so rerunning a failed publish
    resumes it. --dry-run OUT writes the same repository to OUT and uploads nothing.
    """
    from datasets.utils.py_utils import convert_file_size_to_int

    from newspairs.card import CardOptions
    from newspairs.hub import plan_commits, publish, repository_files
    from newspairs.train import TrainingConfig

    options = CardOptions(
        license=args.license, repo_id=args.repo_id, pretty_name=args.pretty_name,
        language=tuple(args.language or ("en",)), description=args.description,
    )
    max_commit_files, max_commit_bytes = args.max_commit_files, convert_file_size_to_int(args.max_commit_size)
    build, upload = publish(
        _source_of(args.source), options, dry_run=args.dry_run, private=args.private or None, revision=args.revision,
        max_commit_files=max_commit_files, max_commit_bytes=max_commit_bytes,
        tokenizer=args.tokenizer,
        training=TrainingConfig(model=args.model, vocab_size=args.vocab_size, show_progress=not args.quiet),
        configs=args.config, max_shard_size=args.max_shard_size, num_proc=args.num_proc, errors=args.errors,
        raw_column=args.raw_column, normalized_column=args.normalized_column,
    )
    out.write(build.summary() + "\n")
    if upload is None:
        plan = plan_commits(repository_files(build.folder), max_files=max_commit_files, max_bytes=max_commit_bytes)
        out.write(f"dry run: nothing uploaded; publishing would make at most {len(plan)} commits to {args.repo_id}\n")
        for number, commit in enumerate(plan, start=1):
            out.write(f"  {number}: {len(commit)} files, {sum(item.size for item in commit):,} bytes\n")
    else:
        out.write(upload.summary() + "\n")
    return 0


def _add_publish(subparsers) -> None:
    from newspairs.hub import DEFAULT_COMMIT_FILES
    from newspairs.train import MODELS, TrainingConfig

    parser = _command_parser(subparsers, "publish", cmd_publish)
    parser.add_argument("source", nargs="+", metavar="SOURCE", help="folder, file or glob (several allowed)")
    parser.add_argument("--repo-id", required=True, metavar="ORG/NAME", help="the dataset repository on the Hub")
    parser.add_argument("--license", required=True, metavar="ID", help="Hub license identifier (cc-by-4.0, mit, other...); no default")
    parser.add_argument("--private", action="store_true", help="create the repository private (ignored if it exists)")
    parser.add_argument("--revision", metavar="BRANCH", help="branch to commit to (created if absent; default: main)")
    parser.add_argument("--dry-run", metavar="OUT", help="write the repository to OUT and upload nothing")
    parser.add_argument("--max-shard-size", default="500MB", metavar="SIZE", help="Parquet shard size (default: 500MB)")
    parser.add_argument("--max-commit-files", type=int, default=DEFAULT_COMMIT_FILES, metavar="N",
                        help=f"files per commit (default: {DEFAULT_COMMIT_FILES})")
    parser.add_argument("--max-commit-size", default="1GiB", metavar="SIZE", help="bytes per commit (default: 1GiB)")
    parser.add_argument("--tokenizer", metavar="DIR", help="a trained tokenizer folder to publish (default: train one)")
    parser.add_argument("--model", choices=MODELS, default=TrainingConfig.model, help="model of the trained tokenizer (default: wordpiece)")
    parser.add_argument("--vocab-size", type=int, default=TrainingConfig.vocab_size, metavar="N",
                        help=f"its largest vocabulary (default: {TrainingConfig.vocab_size})")
    parser.add_argument("--pretty-name", metavar="TEXT", help="the card's title (default: NAME of --repo-id)")
    parser.add_argument("--language", action="append", metavar="CODE", help="language code (repeatable; default: en)")
    parser.add_argument("--description", metavar="TEXT", help="what the corpus is (default: a statement of its size)")
    parser.add_argument("--config", action="append", choices=("articles", "lines", "raw"),
                        help="config to publish (repeatable; default: all three, articles first)")
    parser.add_argument("--num-proc", type=int, metavar="N", help="build with N processes (sharded over input files)")
    parser.add_argument("--errors", choices=("raise", "report"), default="raise",
                        help="stop at the first bad article (raise, default) or report it and go on")
    parser.add_argument("--quiet", action="store_true", help="no training progress bar")
    _add_column_options(parser)
    parser.set_defaults(run=cmd_publish)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newspairs",
        description="Raw/normalized news article pairs: normalize, load, export, publish, feed training.",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    _add_normalize(subparsers)
    _add_demo(subparsers)
    _add_export(subparsers)
    _add_verify(subparsers)
    _add_train_tokenizer(subparsers)
    _add_publish(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args, sys.stdout)
    except ValueError as error:
        print(f"newspairs: error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
