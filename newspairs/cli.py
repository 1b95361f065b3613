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
    from newspairs.normalize import normalize_lines
    from newspairs.tokenizer import load_tokenizer_file

    tokenizer = load_tokenizer_file(args.tokenizer) if args.tokenizer else None
    for name in args.files or ["-"]:
        if name == "-":
            stream, label = sys.stdin.buffer, "<stdin>"
            lines = _lines_of(stream, label)
            for line in normalize_lines(lines, tokenizer):
                out.write(line + "\n")
            continue
        try:
            handle = open(name, "rb")
        except OSError as error:
            raise InputError(f"{name}: cannot open ({error.strerror})") from None
        with handle:
            for line in normalize_lines(_lines_of(handle, name), tokenizer):
                out.write(line + "\n")
    return 0


def _add_normalize(subparsers) -> None:
    parser = subparsers.add_parser(
        "normalize", help=cmd_normalize.__doc__.splitlines()[0], description=cmd_normalize.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="raw text files ('-' or none: standard input)")
    parser.add_argument("--tokenizer", metavar="PATH", help="normalize with this tokenizer.json instead of the built-in rules")
    parser.set_defaults(run=cmd_normalize)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newspairs",
        description="Raw/normalized news article pairs: normalize, load, export, publish, feed training.",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    _add_normalize(subparsers)
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
