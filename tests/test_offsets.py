"""`tokens_with_offsets`: each normalized token with the span of the raw line it came from."""

from __future__ import annotations

import pytest
from hypothesis import example, given

import newspairs
from strategies import lines

QUOTE_TOKENS = ("``", "''")


def check_offsets(line: str) -> None:
    """Everything a span promises, for one line."""
    pairs = newspairs.tokens_with_offsets(line)
    normalized = newspairs.normalize(line)
    assert [token for token, _ in pairs] == (normalized.split(" ") if normalized else [])
    previous_end = 0
    for token, (start, end) in pairs:
        assert 0 <= start < end <= len(line), (token, start, end)
        assert start >= previous_end, f"{token!r} at {start} overlaps the previous token (ends at {previous_end})"
        previous_end = end
        raw = line[start:end]
        if token in QUOTE_TOKENS and raw in ('"', "''"):
            continue  # the one rewrite beyond case: a straight double quote (or '') becomes `` or ''
        if token == "``" and raw == "'" and line[start - 1 : end] == "''":
            continue  # an opened '' spans its second apostrophe only (test_opening_double_apostrophe_spans_both)
        assert raw.lower() == token, f"token {token!r} spans {raw!r} ({start}:{end}) of {line!r}"


CASES = {
    "plain": ("Hello world.", [("hello", (0, 5)), ("world", (6, 11)), (".", (11, 12))]),
    "open-quote-at-start": ('"Hi"', [("``", (0, 1)), ("hi", (1, 3)), ("''", (3, 4))]),
    "open-quote-after-space": ('a "b"', [("a", (0, 1)), ("``", (2, 3)), ("b", (3, 4)), ("''", (4, 5))]),
    "clitic": ("It's", [("it", (0, 2)), ("'s", (2, 4))]),
    "negation": ("DON'T", [("do", (0, 2)), ("n't", (2, 5))]),
    "cannot": ("Cannot", [("can", (0, 3)), ("not", (3, 6))]),
    "tis": ("'Tis", [("'t", (0, 2)), ("is", (2, 4))]),
    "comma-before-letter": ("a,b", [("a", (0, 1)), (",", (1, 2)), ("b", (2, 3))]),
    "digit-comma-kept": ("1,000", [("1,000", (0, 5))]),
    "ellipsis-and-dash": ("x...y--z", [("x", (0, 1)), ("...", (1, 4)), ("y", (4, 5)), ("--", (5, 7)), ("z", (7, 8))]),
    "odd-spaces": ("a\u3000b\x1cc\xa0", [("a", (0, 1)), ("b", (2, 3)), ("c", (4, 5))]),
    "final-period-in-quote": ('end."', [("end", (0, 3)), (".", (3, 4)), ("''", (4, 5))]),
    "dotted-i": ("İz", [("i̇z", (0, 2))]),
    "empty": ("", []),
    "blank": (" \t ", []),
}


@pytest.mark.parametrize(("line", "expected"), CASES.values(), ids=CASES.keys())
def test_known_spans(line, expected):
    assert newspairs.tokens_with_offsets(line) == expected
    check_offsets(line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("(''x", [("(", (0, 1)), ("``", (1, 3)), ("x", (3, 4))]),
        ("''x", [("''", (0, 2)), ("x", (2, 3))]),  # NLTK opens only a double quote at the line start
        ("\"''x", [("``", (0, 1)), ("``", (1, 3)), ("x", (3, 4))]),
        ("(\"x", [("(", (0, 1)), ("``", (1, 2)), ("x", (2, 3))]),
    ],
    ids=["after-bracket", "line-start-is-no-opening", "after-opening-double-quote", "double-quote"],
)
def test_an_opening_quote_spans_all_it_was_made_from(line, expected):
    assert newspairs.tokens_with_offsets(line) == expected


def test_rejects_a_line_break():
    with pytest.raises(ValueError, match="line break"):
        newspairs.tokens_with_offsets("a\nb")


@given(lines)
@example('"x" and \'\'y\'\' -- "z."')
@example("ΣΑΣ'Σ İı ſ K \u0130")
def test_offsets_property(line):
    check_offsets(line)


@pytest.mark.parametrize(
    "strip, missing",
    [("normalizer", "no normalizer"), ("pre_tokenizer", "no pre_tokenizer"), ("both", "no normalizer and no pre_tokenizer")],
    ids=["no-normalizer", "no-pre-tokenizer", "neither"],
)
def test_a_tokenizer_without_the_normalization_is_refused(strip, missing):
    tokenizer = newspairs.build_tokenizer()
    for part in (("normalizer", "pre_tokenizer") if strip == "both" else (strip,)):
        setattr(tokenizer, part, None)
    with pytest.raises(ValueError, match=missing):
        newspairs.tokens_with_offsets("He can't.", tokenizer)
