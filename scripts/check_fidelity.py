"""Check newspairs' normalization against the NLTK reference on your own corpus.

Every line of every file (folders are walked; UTF-8, one unit of text per line) is normalized by
newspairs and by the reference ``" ".join(TreebankWordTokenizer().tokenize(line)).lower()``;
prints the lines checked, the exact-match rate and the first divergences with a token diff
(``[-expected-]`` ``{+newspairs+}``). Exit status: 0 if every line matches, 1 otherwise, 2 on a
usage or input error.

    python scripts/check_fidelity.py PATH... [--tokenizer tokenizer.json] [--max-diffs N]

Needs nltk (``pip install -e '.[test]'`` or ``'.[bench]'``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the reference lives with the tests

import newspairs  # noqa: E402
from newspairs.cli import check_normalizes, tokenizer_file  # noqa: E402

CHUNK_LINES = 50_000  # memory stays flat on big files; large enough to keep both cores busy


def files_under(paths: list[str]) -> Iterator[Path]:
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            yield path
        else:
            raise ValueError(f"{name}: no such file or folder")


def lines_of(path: Path) -> Iterator[str]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                yield raw.decode("utf-8").removesuffix("\n")
            except UnicodeDecodeError as error:
                raise ValueError(f"{path}, line {number}: not UTF-8 ({error.reason})") from None


def _tokenizer(value: str):
    """The tokenizer at ``value``, checked as the CLI's ``normalize --tokenizer`` checks it: a bad
    one is a usage error (exit 2), not a divergence (exit 1)."""
    try:
        tokenizer = tokenizer_file(value)
        check_normalizes(tokenizer, value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return tokenizer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", metavar="PATH", help="text files, or folders of them")
    parser.add_argument(
        "--tokenizer", type=_tokenizer, metavar="PATH", help="check this tokenizer.json instead of the built-in rules"
    )
    parser.add_argument("--max-diffs", type=int, default=10, metavar="N", help="divergences to show (default 10)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the reference (default 2)")
    args = parser.parse_args(argv)
    try:
        from reference import describe_divergence, reference_normalize_lines_parallel

        reference_normalize_lines_parallel([""])
    except ImportError as error:
        print(f"check_fidelity: {error}", file=sys.stderr)
        return 2

    tokenizer = args.tokenizer
    checked = diverged = 0
    shown: list[str] = []
    try:
        for path in files_under(args.paths):
            file_checked = file_diverged = 0
            lines = lines_of(path)
            while chunk := list(islice(lines, CHUNK_LINES)):
                got = list(newspairs.normalize_lines(chunk, tokenizer))
                expected = reference_normalize_lines_parallel(chunk, args.jobs)
                for offset, (raw, want, have) in enumerate(zip(chunk, expected, got)):
                    if want != have:
                        file_diverged += 1
                        if len(shown) < args.max_diffs:
                            shown.append(describe_divergence(raw, want, have, where=f"{path}:{file_checked + offset + 1}"))
                file_checked += len(chunk)
            print(f"{path}: {file_checked} lines, {file_diverged} diverge")
            checked, diverged = checked + file_checked, diverged + file_diverged
    except ValueError as error:
        print(f"check_fidelity: error: {error}", file=sys.stderr)
        return 2

    rate = (checked - diverged) / checked if checked else 1.0
    print(f"\nlines checked: {checked}")
    print(f"exact match:   {checked - diverged} ({100 * rate:.3f}%)")
    if shown:
        print(f"\nfirst {len(shown)} of {diverged} divergences ([-reference-] {{+newspairs+}}):\n")
        print("\n\n".join(shown))
    return 1 if diverged else 0


if __name__ == "__main__":
    raise SystemExit(main())
