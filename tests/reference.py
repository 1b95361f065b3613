"""The reference normalization (NLTK's Treebank tokenizer), for tests and scripts only.

newspairs itself never imports nltk: this module is what its output is checked against.
Per line, the normalization is ``" ".join(TreebankWordTokenizer().tokenize(line)).lower()``;
a text is normalized line by line, lines separated by ``"\\n"``.

NLTK 3.10 runs most Treebank rules through ``nltk.redos`` with a wall-clock limit per regex
call, so on some adversarial lines the reference raises ``TimeoutError`` instead of answering.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

NLTK_VERSION = "3.10.4"  # the pin in pyproject.toml's test and bench extras

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"  # ../shared beside the clone: seed, peer cases, corpora


@lru_cache(maxsize=1)
def _tokenize():
    try:
        from nltk.tokenize.treebank import TreebankWordTokenizer
    except ImportError as error:
        raise ImportError(
            "the reference normalization needs nltk: pip install -e '.[test]' (or '.[bench]')"
        ) from error
    return TreebankWordTokenizer().tokenize


def nltk_version() -> str:
    import nltk

    return nltk.__version__


def reference_normalize_line(line: str) -> str:
    """One line, normalized by the reference (``line`` must not contain ``"\\n"``)."""
    return " ".join(_tokenize()(line)).lower()


def reference_normalize(text: str) -> str:
    """A whole text, line for line (the reference twin of ``newspairs.normalize``)."""
    return "\n".join(reference_normalize_line(line) for line in text.split("\n"))


def reference_normalize_lines(lines: Iterable[str]) -> list[str]:
    """Many lines at once (lines from a file may keep their trailing ``"\\n"``)."""
    tokenize = _tokenize()
    return [" ".join(tokenize(line.removesuffix("\n"))).lower() for line in lines]


def reference_normalize_lines_parallel(lines: list[str], processes: int | None = None) -> list[str]:
    """``reference_normalize_lines`` spread over processes (NLTK's cost is per line, in pure Python)."""
    processes = processes or os.cpu_count() or 1
    if processes < 2 or len(lines) < 10_000:
        return reference_normalize_lines(lines)
    from concurrent.futures import ProcessPoolExecutor

    step = -(-len(lines) // (processes * 4))  # a few parts per process evens out the load
    parts = [lines[i : i + step] for i in range(0, len(lines), step)]
    with ProcessPoolExecutor(processes) as pool:
        return [line for part in pool.map(reference_normalize_lines, parts) for line in part]


def token_diff(expected: str, got: str, max_changes: int = 5) -> str:
    """A one-line, readable diff of two normalized lines over their tokens:
    ``[-expected-]`` and ``{+got+}`` around what differs, a little shared context between."""
    import difflib

    want, have = (line.split(" ") if line else [] for line in (expected, got))
    parts: list[str] = []
    opcodes = difflib.SequenceMatcher(None, want, have, autojunk=False).get_opcodes()
    changes = sum(op != "equal" for op, *_ in opcodes)
    for op, i1, i2, j1, j2 in opcodes:
        if op != "equal" and max_changes == 0:
            parts.append(f"… ({changes} differences in all)")
            break
        if op != "equal":
            max_changes -= 1
        if op == "equal":
            same = want[i1:i2]
            parts.append(" ".join(same) if len(same) <= 6 else " ".join(same[:3] + ["…"] + same[-3:]))
            continue
        if i2 > i1:
            parts.append("[-" + " ".join(want[i1:i2]) + "-]")
        if j2 > j1:
            parts.append("{+" + " ".join(have[j1:j2]) + "+}")
    return " ".join(part for part in parts if part)


def _window(text: str, center: int, width: int = 90) -> str:
    if len(text) <= 2 * width + 20:
        return repr(text)
    start = max(0, min(center - width, len(text) - 2 * width))
    prefix, suffix = ("…" if start else ""), ("…" if start + 2 * width < len(text) else "")
    return f"{prefix}{text[start:start + 2 * width]!r}{suffix} ({len(text)} chars)"


def describe_divergence(raw: str, expected: str, got: str, where: str = "") -> str:
    """What a divergence report shows: where, the raw line, both outputs and their token diff
    (long lines are cut to a window around the first difference)."""
    first = next((i for i, (a, b) in enumerate(zip(expected, got)) if a != b), min(len(expected), len(got)))
    near_raw = first * len(raw) // max(len(expected), 1)  # the outputs are about as long as the raw line
    head = f"{where}: " if where else ""
    return (
        f"{head}raw      {_window(raw, near_raw)}\n"
        f"  expected {_window(expected, first)}\n"
        f"  got      {_window(got, first)}\n"
        f"  diff     {token_diff(expected, got)}"
    )
