"""Differential properties: newspairs against the NLTK reference on text built to hit every rule
and every place where the engines involved disagree (see `strategies`).

Example counts come from the hypothesis profile (conftest: ``ci`` by default, ``dev`` for quick
runs: ``HYPOTHESIS_PROFILE=dev``).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import datasets
import pandas as pd
import pytest
from hypothesis import example, given, reject, settings
from hypothesis import strategies as st
from tokenizers import Tokenizer

import newspairs
from newspairs import charclasses
from newspairs.normalize import normalized_words_batch
from newspairs.pieces import TRAILING_SPACES, normalized_words_of_pieces, text_pieces
from newspairs.tokenizer import save_tokenizer
from reference import reference_normalize, reference_normalize_line
from strategies import lines, lowercase_skew, texts


def _reference_or_reject(function, text):
    try:
        return function(text)
    except TimeoutError:  # NLTK's own regex time limit: no reference answer for this input
        reject()


# Traps, each of which has broken a port of the Treebank rules: the reference decides what is right.
TRAPS = {
    "comma-consumes-next": ",,x",
    "colon-comma-parity": ":,:a,",
    "digit-comma-kept": "1,000,000 and 12:30, ok:1",
    "ellipsis-parity": "a....b.....c",
    "dash-parity": "a---b----c",
    "quote-pairs": "``a'' ''b`` ```c''' \"\"d",
    "opening-quote-after-brackets": "(\"a\") [''b''] {\"c} <''d>",
    "quote-at-line-start": "''Tis",
    "clitics-need-inserted-spaces": "NOT'D'LL go, it's THEY'RE",
    "clitic-apostrophe-chain": "a'' b' 'c' d''' e'",
    "tis-twas": "'Tis 'twas 'TIS'TWAS x'tis",
    "contractions-first": "cannot'tis gimme'twas",
    "contractions-all": "Cannot gonna GOTTA wanna gimme lemme more'n D'ye 'tis 'twas",
    "wanna-before-odd-spaces": "wanna\x1cx wanna\xa0y wanna\u3000z wanna",
    "casefold-lookalikes": "'tiſ 'TWAſ gİmme lemİe canNOT",
    "word-boundary-unicode": "²cannot \u0301cannot Ⅻgonna ßgotta",
    "final-period-odd-spaces": "end.\x1c",
    "final-period-nbsp": "end.\xa0",
    "final-period-closers": "end.)]'\"  ",
    "final-period-after-period": "etc..",
    "python-split-whitespace": "a\x1cb\x1dc\x1ed\x1ff\x85g\u2028h\u2029i\xa0j\u3000k\u200bl",
    "final-sigma": "ΟΔΟΣ ΣΑΣ'Σ Σ. ΟΔΟΣ.",
    "dotted-capital-i": "İSTANBUL İ'M",
    "zero-width-at-start": "'s",
    "control-characters": "\x00a\x07b\x1bc\x7f.",
    "emoji-and-combining": "👍🏽 e\u0301. 🇩🇪's",
}


@pytest.mark.parametrize("line", TRAPS.values(), ids=TRAPS.keys())
def test_trap(line):
    assert newspairs.normalize(line) == reference_normalize_line(line)


def test_characters_lowercase_skews():
    """Where tokenizers' Lowercase knows a newer Unicode than str.lower, the reference wins."""
    skewed = "".join(character for character, _, _ in charclasses.LOWERCASE_SKEW_PAIRS)
    assert len(skewed) == 55  # Python 3.11 (Unicode 14) and tokenizers 0.23.3 (Unicode 16)
    assert set(skewed) >= {c for c in lowercase_skew() if unicodedata.category(c) == "Cn"}
    text = f"{skewed} {skewed.lower()}X\n" + " ".join(f"{c}\u0301{c}'s" for c in skewed)
    assert newspairs.normalize(text) == reference_normalize(text)
    assert newspairs.normalize(text, newspairs.build_tokenizer()) == reference_normalize(text)


class TestAgainstReference:
    @settings(max_examples=3 * settings.default.max_examples)  # the main differential property
    @given(lines)
    @example("I cannot go.")
    @example('"Hello," he said -- \'tis ΟΔΟΣ\u2028x.')
    def test_line(self, line):
        assert newspairs.normalize(line) == _reference_or_reject(reference_normalize_line, line)

    @given(texts())
    def test_text(self, text):
        assert newspairs.normalize(text) == _reference_or_reject(reference_normalize, text)

    @given(st.lists(texts(max_lines=3), max_size=6))
    def test_batch(self, batch):
        assert newspairs.normalize_batch(batch) == [_reference_or_reject(reference_normalize, text) for text in batch]

    @given(st.lists(lines, max_size=12))
    def test_lines_lazily(self, many):
        assert list(newspairs.normalize_lines(iter(many))) == [
            _reference_or_reject(reference_normalize_line, line) for line in many
        ]

    @given(st.lists(texts(max_lines=3), max_size=6))
    def test_words_batch(self, batch):
        # what newspairs.feed encodes: the reference's tokens, without joining them into text first
        assert normalized_words_batch(batch) == [_reference_or_reject(reference_normalize, text).split() for text in batch]


OTHER_WHITESPACE = re.compile(r"[^\S \n]")


def a_line_ends_in_other_whitespace(text: str) -> bool:
    return any(line.rstrip(" ")[-1:].isspace() for line in text.split("\n"))


# Where a token's place on its line changes its normalization: each piece must carry that place.
PIECE_TRAPS = {
    "apostrophes-opening-only-after-a-space": "''hi ''hi\n ''hi",
    "quote-at-line-start-and-after-a-space": '"a "b\n"c',
    "final-period-through-trailing-spaces": "Mr. Smith said.   ",
    "final-period-through-trailing-spaces-of-lines": "Mr. Smith said.   \nIt ended.' \nend .  ",
    "comma-and-colon-at-line-end": "a, b,  \nc: d:",
    "apostrophe-before-line-end": "x' y'\nz''  ",
    "clitics-and-contractions-at-both-ends": "'tis cannot wanna\ngonna 'Twas it's",
    "empty-lines-and-runs-of-spaces": "\n\n  a   b  \n \n   \nc",
    "final-sigma-at-piece-ends": "ΟΔΟΣ ΣΑΣ.\nΣ'Σ",
    "the-separator-in-the-text": "a\x01b. \x01 c\x01",
    "other-whitespace-inside-pieces": "wanna\xa0x 'tis\x1c'twas x'\u3000y \u2028\"a\tb.\x1c c.",
}


class TestPieces:
    """A text cut at its spaces, each piece normalized in its place (what newspairs.feed keeps)."""

    @staticmethod
    def words_of_pieces(texts: list[str]) -> list[list[str] | None]:
        # the distinct pieces in reverse order: a piece's normalization must not depend on its neighbours
        pieces_of_texts = list(map(text_pieces, texts))
        distinct = list(dict.fromkeys(p for pieces in pieces_of_texts if pieces is not None for p in pieces))[::-1]
        words = dict(zip(distinct, normalized_words_of_pieces(distinct), strict=True))
        return [None if pieces is None else [w for p in pieces for w in words[p]] for pieces in pieces_of_texts]

    @pytest.mark.parametrize("text", PIECE_TRAPS.values(), ids=PIECE_TRAPS.keys())
    def test_trap(self, text):
        assert self.words_of_pieces([text]) == [reference_normalize(text).split()]

    @given(st.lists(st.tuples(texts(max_lines=3), st.booleans()), max_size=6))
    def test_words_are_the_references(self, drawn):
        # most drawn text holds some engine's odd whitespace: turn it into spaces half the time
        batch = [OTHER_WHITESPACE.sub(" ", text) if to_spaces else text for text, to_spaces in drawn]
        for text, words in zip(batch, self.words_of_pieces(batch), strict=True):
            if words is None:
                assert a_line_ends_in_other_whitespace(text) or TRAILING_SPACES in text
            else:
                assert words == _reference_or_reject(reference_normalize, text).split()

    @pytest.mark.parametrize(
        ("text", "pieces"),
        [
            ("a b", ["\na", "b\n"]),
            ("  a  b", ["\n", "", "a", "", "b\n"]),
            ("  a  b  ", ["\n", "", "a", "", "b\x02\n"]),
            ("a \nb c  \n ", ["\na\x02\nb", "c\x02\n\x02\n"]),
            ("a\nb c\n", ["\na\nb", "c\n\n"]),
            ("", ["\n\n"]),
            ("a\tb\xa0c\rd \x1ce", ["\na\tb\xa0c\rd", "\x1ce\n"]),
            ("a\t", None),
            ("a. \xa0  \nb", None),
            ("a\n\r\nb", None),
            ("a\x02 b", None),
        ],
        ids=["words", "runs-of-spaces", "trailing-spaces-marked", "trailing-spaces-of-lines-marked", "lines", "empty",
             "other-whitespace-inside", "tab-at-the-end", "no-break-space-before-spaces-at-a-line-end",
             "carriage-return-line", "the-mark-in-the-text"],
    )
    def test_cut(self, text, pieces):
        assert text_pieces(text) == pieces


class TestShape:
    @given(texts())
    def test_same_lines_single_spaces_no_trailing_space(self, text):
        out = newspairs.normalize(text)
        assert out.count("\n") == text.count("\n")
        for raw, normalized in zip(text.split("\n"), out.split("\n"), strict=True):
            if raw.strip() == "":
                assert normalized == ""
            assert normalized == " ".join(normalized.split())  # no leading, trailing or double spaces


@pytest.fixture(scope="module")
def tokenizer_from_file(tmp_path_factory):
    path = save_tokenizer(newspairs.build_tokenizer(), tmp_path_factory.mktemp("tok") / "tokenizer.json")
    return Tokenizer.from_file(str(path))


def _documented_recipe(tok: Tokenizer, line: str) -> str:
    """The README's three lines: what anyone holding only ``tokenizer.json`` runs."""
    return " ".join(w for w, _ in tok.pre_tokenizer.pre_tokenize_str(tok.normalizer.normalize_str(line)))


@given(texts())
def test_tokenizer_json_recipe_matches_normalize(tokenizer_from_file, text):
    expected = newspairs.normalize(text).split("\n")
    assert [_documented_recipe(tokenizer_from_file, line) for line in text.split("\n")] == expected
    assert newspairs.normalize(text, tokenizer=tokenizer_from_file) == "\n".join(expected)


def _default(function, *args):
    return function(*args)


def _with_tokenizer(function, *args):
    return function(*args, newspairs.build_tokenizer())


def _lines(texts, tokenizer=None):
    return list(newspairs.normalize_lines(texts, tokenizer))


@pytest.mark.parametrize("given_tokenizer", [_default, _with_tokenizer], ids=["default", "tokenizer"])
@pytest.mark.parametrize(
    ("function", "argument", "message"),
    [
        (newspairs.normalize, None, r"normalize\(\) takes a str, got NoneType"),
        (newspairs.normalize, "ok \ud800 x", r"normalize\(\): row 0 is not UTF-8 text \(the lone surrogate '\\ud800' at character 3\)"),
        (newspairs.normalize_batch, "One text.", r"normalize_batch\(\) takes a batch of texts \(a list\), got one str"),
        (newspairs.normalize_batch, ["ok", None], r"normalize_batch\(\): row 1 is not text \(NoneType\)"),
        (newspairs.normalize_batch, ["ok", "x.\n\udc80"], r"normalize_batch\(\): row 1 is not UTF-8 text \(the lone surrogate '\\udc80' at character 3\)"),
        (_lines, ["ok", 3], r"normalize_lines\(\): line 1 is not text \(int\)"),
        (_lines, ["ok"] * 600 + ["b \ud800"], r"normalize_lines\(\): line 600 is not UTF-8 text"),
        (_lines, ["ok", "a\nb"], r"normalize_lines\(\): line 1 holds a line break"),
        # iterated, each of these gives something else than its texts: keys, numbers, characters
        (newspairs.normalize_batch, {"raw": ["He said."]}, r"normalize_batch\(\) takes a batch of texts \(a list\), got a dict \(of 'raw'\): pass its column of texts$"),
        (newspairs.normalize_batch, datasets.DatasetDict({"train": datasets.Dataset.from_dict({"raw": ["a."]})}),
         r"normalize_batch\(\) takes a batch of texts \(a list\), got a DatasetDict \(of 'train'\)"),
        (newspairs.normalize_batch, pd.DataFrame({"raw": ["He said."]}), r"normalize_batch\(\) takes a batch of texts \(a list\), got a DataFrame \(of 'raw'\)"),
        (newspairs.normalize_batch, b"He said.", r"normalize_batch\(\) takes a batch of texts \(a list\), got bytes: decode it"),
        (newspairs.normalize_batch, None, r"normalize_batch\(\) takes a batch of texts \(a list\), got NoneType: None$"),
        (newspairs.normalize_batch, Path("corpus"), r"normalize_batch\(\) takes a batch of texts \(a list\), got PosixPath"),
        (_lines, "He said.\nOK.", r"normalize_lines\(\) takes lines \(an iterable of str, such as an open file\), got one str: 'He said.\\nOK.' \(normalize\(text\)"),
        (_lines, {"raw": ["He said."]}, r"normalize_lines\(\) takes lines \(an iterable of str, such as an open file\), got a dict \(of 'raw'\)"),
        (_lines, None, r"normalize_lines\(\) takes lines \(an iterable of str, such as an open file\), got NoneType"),
    ],
    ids=["normalize-none", "normalize-surrogate", "batch-one-str", "batch-none-row", "batch-surrogate",
         "lines-int", "lines-surrogate-after-a-chunk", "lines-line-break",
         "batch-dict", "batch-datasetdict", "batch-dataframe", "batch-bytes", "batch-none", "batch-path",
         "lines-one-str", "lines-dict", "lines-none"],
)
def test_bad_text_is_a_value_error_naming_it(given_tokenizer, function, argument, message):
    # a lone surrogate: tokenizers' own error would give a position in its joined text, no row
    with pytest.raises(ValueError, match=message):
        given_tokenizer(function, argument)


@pytest.mark.parametrize(
    ("line", "message"),
    [(None, r"takes a str, got NoneType"), ("a \ud800", r"row 0 is not UTF-8 text"), ("a\nb", "line break")],
    ids=["none", "surrogate", "line-break"],
)
def test_bad_line_for_offsets_is_a_value_error_naming_it(line, message):
    with pytest.raises(ValueError, match=message):
        newspairs.tokens_with_offsets(line)


@pytest.mark.parametrize("tokenizer", ["newspairs/data/tokenizer/tokenizer.json", 0, [], object()],
                         ids=["a-path", "zero", "empty-list", "an-object"])
@pytest.mark.parametrize(
    "call",
    [lambda t: newspairs.normalize("a.", tokenizer=t), lambda t: newspairs.normalize_batch(["a."], tokenizer=t),
     lambda t: newspairs.normalize_lines(["a."], tokenizer=t), lambda t: newspairs.tokens_with_offsets("a.", tokenizer=t)],
    ids=["normalize", "normalize_batch", "normalize_lines", "tokens_with_offsets"],
)
def test_a_tokenizer_that_is_not_one_is_a_value_error_not_the_default_rules(tokenizer, call):
    """0 and [] were taken as no tokenizer (the rule table's), silently; a path failed deep inside."""
    with pytest.raises(ValueError, match=rf"tokenizer must be a tokenizers\.Tokenizer or None, got {type(tokenizer).__name__}"):
        call(tokenizer)


def test_an_iterator_of_texts_is_read_once():
    texts = ['He said "no."', "", "It's 5%."]
    assert newspairs.normalize_batch(iter(texts)) == newspairs.normalize_batch(texts) == [
        "he said `` no . ''", "", "it 's 5 % ."
    ]


def _foreign(normalizer) -> Tokenizer:
    """A valid tokenizer whose normalizer is ``normalizer`` (None: no normalizer), not a newspairs one."""
    from tokenizers import models, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    if normalizer is not None:
        tokenizer.normalizer = normalizer
    return tokenizer


@pytest.mark.parametrize(
    "normalizer",
    [None, "Lowercase", "NFKC", "BertNormalizer"],
    ids=["no-normalizer", "lowercase-only", "nfkc-only", "bert-normalizer"],
)
@pytest.mark.parametrize(
    "function",
    [newspairs.normalize, _lines, newspairs.normalize_batch, normalized_words_batch],
    ids=["normalize", "normalize-lines", "normalize-batch", "normalized-words-batch"],
)
def test_a_tokenizer_whose_normalizer_is_not_a_normalization_is_a_value_error(normalizer, function, tmp_path):
    """A valid tokenizer.json from elsewhere (GPT-style, none; or lacking the layout passes) is named
    as such, not an AttributeError or a RuntimeError of a broken invariant."""
    from tokenizers import normalizers

    path = tmp_path / "tokenizer.json"
    _foreign(normalizer and getattr(normalizers, normalizer)()).save(str(path))
    text = 'Hello, World.\nIt\'s "here".'
    argument = text if function is newspairs.normalize else text.split("\n")
    with pytest.raises(ValueError, match=r"^the tokenizer's normalizer is not a newspairs normalization: it "):
        function(argument, Tokenizer.from_file(str(path)))
