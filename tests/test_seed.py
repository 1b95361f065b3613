"""The seed pair (a raw Reuters article and its normalized twin) is reproduced exactly.

The fixture is a copy of ``../shared/seed``; a drift check keeps it equal to the reference.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import newspairs
from reference import reference_normalize

SEED = Path(__file__).resolve().parent / "fixtures" / "seed"
RAW = (SEED / "000_21e4b335035a0287.txt").read_text(encoding="utf-8")
NORMALIZED = (SEED / "001_16a73bc0f9a8605d.txt").read_text(encoding="utf-8")
PAIRS = list(zip(RAW.split("\n"), NORMALIZED.split("\n"), strict=True))


class TestSeedPair:
    def test_fixture_shape(self):
        assert len(PAIRS) == 16
        assert not RAW.endswith("\n") and not NORMALIZED.endswith("\n")

    @pytest.mark.parametrize(("raw", "expected"), PAIRS, ids=[f"line{n:02d}" for n in range(1, len(PAIRS) + 1)])
    def test_line_normalizes_exactly(self, raw, expected):
        assert newspairs.normalize(raw) == expected

    def test_article_normalizes_exactly(self):
        assert newspairs.normalize(RAW) == NORMALIZED

    def test_batch_and_lines_agree(self):
        assert newspairs.normalize_batch([RAW, RAW]) == [NORMALIZED, NORMALIZED]
        assert list(newspairs.normalize_lines(line + "\n" for line in RAW.split("\n"))) == NORMALIZED.split("\n")

    def test_fixture_still_matches_the_reference(self):
        assert reference_normalize(RAW) == NORMALIZED

    def test_fixture_still_matches_shared_seed(self):
        shared = Path(__file__).resolve().parent.parent.parent / "shared" / "seed"
        if not shared.is_dir():
            pytest.skip("../shared/seed is not beside the clone")
        for name in ("000_21e4b335035a0287.txt", "001_16a73bc0f9a8605d.txt"):
            assert (SEED / name).read_bytes() == (shared / name).read_bytes(), name
