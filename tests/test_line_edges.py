"""The edges of a line: what precedes its first word and what follows its last, on every path.

Each case is a text whose normalization depends on its line edges (leading and trailing runs of
spaces or other whitespace, blank lines, a clitic or quote first or last); the reference (NLTK)
decides, and the pieces, the `Encoder` (first and later epoch) and the other paths must agree.
"""

from __future__ import annotations

import pytest

from newspairs.pieces import TRAILING_SPACES, normalized_words_of_pieces, text_pieces
from reference import reference_normalize

# text -> why its edge matters
EDGE_CASES = {
    # the apostrophe rule splits a last "'" off before trailing spaces, in time for 's 'm 'd
    "clitic-s-apostrophe-then-spaces": "it's'  ",
    "clitic-s-apostrophe-then-one-space": "he's' ",
    "clitic-m-apostrophe-then-spaces": "I'M'   ",
    "clitic-d-apostrophe-then-spaces": "she'd' ",
    "clitic-chain-then-spaces": "x's's'  ",
    "issue-15-line": "( Iraq  ite  I  Mr  can's'  ",
    "apostrophe-then-spaces-on-an-inner-line": "a\nit's'  \nb's'",
    "apostrophe-then-spaces-on-every-line": "it's' \nhe's'  \n'm'  ",
    "clitic-ll-apostrophe-then-spaces": "they'll'  ",
    "negation-apostrophe-then-spaces": "don't'  ",
    "double-apostrophe-then-spaces": "it's''  ",
    "lone-apostrophe-then-spaces": "it 's'  ",
    "final-period-apostrophe-then-spaces": "it's.'  ",
    "comma-run-then-spaces": "a,,  \nb::  ",
    "wanna-apostrophe-then-spaces": "wanna'  ",
    # what precedes the first word
    "opening-apostrophes-at-start-and-after-spaces": "''x\n  ''x\n\t''x",
    "double-quotes-at-start-and-after-spaces": '""x\n ""x\n\xa0""x',
    "period-first": ".'\n .'\n.",
    "clitic-first": "'s x\n 's x\n'tis\n  'twas",
    # lines of only whitespace, empty lines
    "blank-lines": "   \n\n \t \n\xa0\n",
    "only-spaces": "     ",
    "empty": "",
    # other whitespace at a line's end: not cut
    "tab-after-apostrophe": "it's'\t",
    "spaces-and-tab-after-apostrophe": "it's' \t ",
    "odd-whitespace-then-spaces": "it's'\u2028  \nx.\x85 ",
    "info-separator-after-apostrophe": "it's'\x1c  ",
    # the marks the pieces use, in the text itself
    "trailing-space-mark-in-the-text": "it's'\x02  \nx\x02",
    "separator-in-a-last-word": "a\x01it's'  ",
}


@pytest.mark.parametrize("text", EDGE_CASES.values(), ids=EDGE_CASES.keys())
def test_pieces_give_the_references_words(text):
    pieces = text_pieces(text)
    expected = reference_normalize(text).split()
    if pieces is None:  # normalized whole
        assert any(line.rstrip(" ")[-1:].isspace() for line in text.split("\n")) or TRAILING_SPACES in text
        return
    words = dict(zip(pieces[::-1], normalized_words_of_pieces(pieces[::-1])))
    assert [w for p in pieces for w in words[p]] == expected


@pytest.fixture(scope="module")
def encoder_and_expected():
    import newspairs

    tokenizer = newspairs.load_tokenizer()
    texts = list(EDGE_CASES.values())
    words_to_ids = newspairs.skip_normalization(tokenizer)
    expected = [e.ids for e in words_to_ids.encode_batch([reference_normalize(text) for text in texts])]
    encoder = newspairs.Encoder(tokenizer)
    first = encoder.ids(texts)
    later = encoder.ids(texts[::-1])[::-1]  # every piece kept from the first epoch
    return dict(zip(texts, zip(expected, first, later)))


@pytest.mark.parametrize("text", EDGE_CASES.values(), ids=EDGE_CASES.keys())
def test_encoder_gives_the_references_ids_on_both_epochs(encoder_and_expected, text):
    expected, first, later = encoder_and_expected[text]
    assert first == expected
    assert later == expected
