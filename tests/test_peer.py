"""The peer suite: 317 hard cases collected from Treebank tokenizer test suites (NLTK, Stanford
CoreNLP's PTBTokenizerTest, other ports), each with the reference normalization per line."""

from __future__ import annotations

import json

import pytest

import newspairs
from reference import NLTK_VERSION, SHARED, nltk_version, reference_normalize

CASES_FILE = SHARED / "peer" / "treebank_cases.jsonl"


def _load_cases() -> list[dict]:
    if not CASES_FILE.is_file():
        return []
    with CASES_FILE.open(encoding="utf-8") as handle:
        return [json.loads(row) for row in handle if row.strip()]


CASES = _load_cases()
needs_shared = pytest.mark.skipif(not CASES, reason="../shared/peer/treebank_cases.jsonl not beside the clone")
case_params = [pytest.param(case, id=f"{number:03d}-{case['source']}") for number, case in enumerate(CASES)]


@needs_shared
def test_all_cases_present():
    assert len(CASES) == 317
    assert all(case["input"].count("\n") == case["expected"].count("\n") for case in CASES)


@needs_shared
@pytest.mark.parametrize("case", case_params)
def test_case_normalizes_exactly(case):
    assert newspairs.normalize(case["input"]) == case["expected"], case["input"]


@needs_shared
def test_batch_of_all_cases():
    got = newspairs.normalize_batch([case["input"] for case in CASES])
    wrong = [case["input"] for case, out in zip(CASES, got) if out != case["expected"]]
    assert not wrong, f"{len(wrong)} of {len(CASES)} cases diverge, first: {wrong[:3]!r}"


def test_reference_is_the_pinned_nltk():
    assert nltk_version() == NLTK_VERSION


@needs_shared
def test_reference_reproduces_expected():
    """Guards the nltk pin: a different NLTK would silently move the target."""
    wrong = [case["input"] for case in CASES if reference_normalize(case["input"]) != case["expected"]]
    assert not wrong, f"the reference disagrees with the peer file on {len(wrong)} cases: {wrong[:3]!r}"
