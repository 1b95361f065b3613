"""Every line of the real news corpora in ``../shared/corpora`` normalizes exactly, on the default
path and through the shipped ``tokenizer.json`` alone.

The reference is computed in this session with NLTK (spread over the cores: its cost is per line).
Failures list how many lines diverge and show the first few with a token diff.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

import newspairs
from newspairs.tokenizer import load_tokenizer_file
from newspairs.train import DEFAULT_TOKENIZER_DIR
from reference import SHARED, describe_divergence, reference_normalize_lines_parallel

CORPORA = {
    "reuters21578": SHARED / "corpora" / "reuters21578" / "reuters21578_text.txt",
    "isot-true": SHARED / "corpora" / "isot" / "isot_true_text.txt",
}
SHOWN = 12  # divergences printed per corpus


def _divergences(lines: list[str], expected: list[str], got: list[str]) -> list[int]:
    return [number for number, (want, have) in enumerate(zip(expected, got, strict=True)) if want != have]


@lru_cache(maxsize=None)
def _lines_and_reference(path) -> tuple[list[str], list[str]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    return lines, reference_normalize_lines_parallel(lines)


@pytest.mark.parametrize("path", [pytest.param(path, id=name) for name, path in CORPORA.items()])
@pytest.mark.parametrize("how", ["normalize", "tokenizer.json"])
def test_every_line_normalizes_exactly(path, how):
    """Through newspairs.normalize, and through the shipped tokenizer.json's normalizer alone (every pass)."""
    if not path.is_file():
        pytest.skip(f"{path.name} not found in ../shared/corpora beside the clone")
    lines, expected = _lines_and_reference(path)
    tokenizer = load_tokenizer_file(DEFAULT_TOKENIZER_DIR) if how == "tokenizer.json" else None
    got = list(newspairs.normalize_lines(lines, tokenizer))
    wrong = _divergences(lines, expected, got)
    report = "\n".join(
        describe_divergence(lines[n], expected[n], got[n], where=f"{path.name}:{n + 1}") for n in wrong[:SHOWN]
    )
    assert not wrong, f"{len(wrong)} of {len(lines)} lines diverge ({len(wrong) / len(lines):.4%}); first:\n{report}"
