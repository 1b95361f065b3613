"""Every line of the real news corpora in ``../shared/corpora`` normalizes exactly.

The reference is computed in this session with NLTK (spread over the cores: its cost is per line).
Failures list how many lines diverge and show the first few with a token diff.
"""

from __future__ import annotations

import pytest

import newspairs
from reference import SHARED, describe_divergence, reference_normalize_lines_parallel

CORPORA = {
    "reuters21578": SHARED / "corpora" / "reuters21578" / "reuters21578_text.txt",
    "isot-true": SHARED / "corpora" / "isot" / "isot_true_text.txt",
}
SHOWN = 12  # divergences printed per corpus


def _divergences(lines: list[str], expected: list[str], got: list[str]) -> list[int]:
    return [number for number, (want, have) in enumerate(zip(expected, got, strict=True)) if want != have]


@pytest.mark.parametrize("path", [pytest.param(path, id=name) for name, path in CORPORA.items()])
def test_every_line_normalizes_exactly(path):
    if not path.is_file():
        pytest.skip(f"{path.name} not found in ../shared/corpora beside the clone")
    lines = path.read_text(encoding="utf-8").split("\n")
    got = list(newspairs.normalize_lines(lines))
    expected = reference_normalize_lines_parallel(lines)
    wrong = _divergences(lines, expected, got)
    report = "\n".join(
        describe_divergence(lines[n], expected[n], got[n], where=f"{path.name}:{n + 1}") for n in wrong[:SHOWN]
    )
    assert not wrong, f"{len(wrong)} of {len(lines)} lines diverge ({len(wrong) / len(lines):.4%}); first:\n{report}"
