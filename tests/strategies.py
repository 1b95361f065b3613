"""Text that the Treebank rules react to: the alphabets, hypothesis strategies over them, and a
fast `random`-based generator over the same alphabets (for `scripts/fuzz_normalize.py`).

The pieces come from what each rule matches (quotes, clitics, contractions, punctuation around
digits, brackets, final periods) and from where the engines involved disagree (which characters
are whitespace or word characters, case-insensitive matches, lowercasing). Character classes
that depend on an engine's Unicode tables are derived from the engines themselves, never typed
by hand, so they follow version upgrades.
"""

from __future__ import annotations

import random
import re
import sys
from functools import lru_cache

from hypothesis import strategies as st

QUOTES = ('"', "''", "'", "`", "``", "```", "'''", '""', "“", "”", "‘", "’", "„", "«", "»")
CLITICS = (
    "'s", "'S", "'m", "'M", "'d", "'D", "'ll", "'LL", "'Ll", "'re", "'RE", "'Re", "'ve", "'VE",
    "n't", "N'T", "N't", "n'T",
)
CONTRACTIONS = (
    "cannot", "gonna", "gotta", "wanna", "gimme", "lemme", "'tis", "'twas", "more'n", "d'ye",
    "can", "not", "gon", "na", "got", "ta", "wan", "gim", "me", "lem", "more", "'n", "d", "'ye",
    "'t", "is", "was", "'T", "Tis", "twas",
)
PUNCTUATION = (
    ".", "..", "...", "....", "-", "--", "---", ":", ",", ";", "@", "#", "$", "%", "&", "?", "!",
    "/", "*", "+", "=", "_", "|", "\\", "~", "^", ",,", "::", ",:", ":,", "?!", "&amp;",
)
BRACKETS = ("(", ")", "[", "]", "{", "}", "<", ">", "()", "<IBM>", "(x)", "[1]")
NUMBERS = ("1", "42", "3.14", "1,000", "12:30", "0.5", "1987", "٣", "５", "²", "½", "Ⅻ", "1,", ",1", ":1", "1:")
ABBREVIATIONS = ("U.S.", "U.S", "e.g.", "i.e.", "Mr.", "a.m.", "Inc.", "St.", "No.", "etc.", "J.R.R.", "vs.")
WORDS = (
    "the", "The", "THE", "I", "i", "it", "He", "she", "NOT", "do", "don", "does", "a", "s", "t", "n",
    "ye", "o", "x", "IBM", "Reuters", "said", "ca", "wo", "y'all", "rock'n'roll", "o'clock", "O'Neil",
    "well-known", "e-mail", "AT&T", "http://x.com/a?b=1", "a@b.com", "#tag", "@user", "$5", "50%",
)
UNICODE_WORDS = (
    "Σ", "ΣΑΣ", "ΟΔΟΣ", "ΟΔΟΣ.", "Σ'", "ς", "σ", "İ", "İstanbul", "ı", "ıi", "Straße", "STRASSE", "ẞ",
    "ſ", "ſtop", "ﬁ", "ǅ", "ǈ", "K", "Å", "Ω", "café", "cafe\u0301", "naïve", "Москва", "日本語",
    "中文。", "😀", "👍🏽", "🇩🇪", "👩\u200d💻", "\u0301", "a\u0308", "\u0345", "\u00ad", "\u200d", "\u200c",
    "ʼ", "ʹ", "′", "″", "‛", "＂", "＇", "．", "…", "–", "—", "‐", "־", "؟", "،",
)
CASE_STYLES = (str.lower, str.upper, str.title, str.capitalize, lambda s: s, lambda s: s, lambda s: s.swapcase())
# Python's str.split() whitespace, the regex module's \s, stdlib re's \s, Rust's is_whitespace and
# Oniguruma's \s all differ; these are the usual suspects (the full derived set is added below).
SPACES = (
    " ", "  ", "\t", "\x0b", "\x0c", "\r", "\r\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u1680",
    "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009", "\u200a",
    "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u200b", "\u180e", "\ufeff", "\u2060",
)
CONTROLS = ("\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f", "\x80", "\x9f", "\u200e", "\u202e", "\ufffd", "\U000e0001")
LINE_ENDINGS = (
    "", "", ".", ". ", ".  ", '."', ".'", ".)", '.")', ".]", ".}", ".>", ".''", ". \t", ".\xa0", ".\x1c", ".\x85",
    "..", "...", "?", "!", ",", ":", "'", '"', "''", " '", "'s", "n't", " .", "\t", "\xa0", "\x1f",
)
SEPARATORS = (" ", " ", " ", "", "", "\t", "  ")
# What a line's edges are made of, drawn on purpose (the reference's rules read what precedes the
# first word and what follows the last): runs of every kind of whitespace, each engine's odd ones
# included, and a clitic or quote as the first or last word.
EDGE_WHITESPACE = (
    " ", " ", " ", "  ", "   ", "\t", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0",
    "\u1680", "\u2000", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u200b", "\u180e", "\ufeff",
)
EDGE_WORDS = (
    *CLITICS, *QUOTES, "'", "'", "''", '"', "`", "'s'", "'S'", "s'", "'d'", "'m'", "'tis", "'Twas", "'t", "n't'", "'ll'",
    ".'", '."', ".''", ",", ":", ",,", "(", ")", "...", "--", "?", "'?", "''x", '""x', "(''", "Σ'",
)
# what may end the last word, after a clitic or none
EDGE_WORD_ENDS = ("'", "'", "''", "'s'", "'s", "'m'", "'d'", "n't'", "'ll'", '"', ".'", "'.", ",'", "'" * 3, "")
# Repeated to a megabyte, each of these stresses one rule's scan (tests/test_pathological.py,
# scripts/bench_normalize.py).
PATHOLOGICAL_UNITS = {
    "double-quotes": '"',
    "periods": ".",
    "apostrophes": "'",
    "commas": ",",
    "hyphens": "-",
    "backticks": "`",
    "clitic-s": "'s ",
    "word-period-quote": "a.'",
    "comma-space": ", ",
    "word-period-space": "x. ",
    "two-apostrophes-word": "''a",
    "negation": "n't ",
    "cannot": "cannot ",
    "open-brackets": "([{<",
    "colon-digit": ":1",
    "odd-spaces": "\u3000\x1c\xa0",
    "period-closers": ".)]}>\"'",
    "tis": "'tis ",
}


def pathological_line(unit: str, size: int) -> str:
    """``unit`` repeated to exactly ``size`` characters."""
    return (unit * (size // len(unit) + 1))[:size]


@lru_cache(maxsize=1)
def _all_characters() -> str:
    return "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF and c != 0x0A)


@lru_cache(maxsize=1)
def engine_whitespace() -> tuple[str, ...]:
    """Characters that are whitespace to at least one engine in play (line breaks excluded)."""
    import regex

    everything = _all_characters()
    found = set(re.findall(r"\s", everything)) | set(regex.findall(r"\s", everything))
    found |= {c for c in everything if c.isspace()}
    return tuple(sorted(found))


@lru_cache(maxsize=1)
def casefold_lookalikes() -> tuple[str, ...]:
    """Non-ASCII characters that stdlib ``re`` matches case-insensitively against ASCII letters
    (``(?i)i`` matches ``İ`` and ``ı``, ``(?i)s`` matches ``ſ``, ``(?i)k`` the Kelvin sign)."""
    return tuple(sorted(set(re.findall(r"(?i)[a-z]", _all_characters())) - set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")))


@lru_cache(maxsize=1)
def lowercase_skew() -> tuple[str, ...]:
    """Characters whose lowercase differs between Python's ``str.lower`` and ``tokenizers``'
    ``Lowercase`` (Unicode version skew), or whose lowercase is not one character."""
    from tokenizers import normalizers

    everything = _all_characters()
    rust = normalizers.Lowercase().normalize_str("\n".join(everything)).split("\n")
    return tuple(c for c, low in zip(everything, rust) if c.lower() != low or len(c.lower()) != 1)


def unassigned_in_python() -> tuple[str, ...]:
    """A sample of code points this Python's Unicode leaves unassigned (``str.lower`` keeps them),
    with every one ``tokenizers``' newer ``Lowercase`` lowercases (55 with Python 3.11 and
    tokenizers 0.23.3: the rule table marks and restores them)."""
    import unicodedata

    skew = [c for c in lowercase_skew() if unicodedata.category(c) == "Cn"]
    others = [chr(code) for code in (0x378, 0x2FFFF, 0xE0080, 0x10FFFF)]
    return tuple(sorted(set(skew) | {c for c in others if unicodedata.category(c) == "Cn"}))


def _derived_characters() -> tuple[str, ...]:
    return engine_whitespace() + casefold_lookalikes() + lowercase_skew() + unassigned_in_python()


ASCII_PIECES = QUOTES + CLITICS + CONTRACTIONS + PUNCTUATION + BRACKETS + NUMBERS + ABBREVIATIONS + WORDS
ODD_PIECES = UNICODE_WORDS + SPACES + CONTROLS


# -- hypothesis strategies ------------------------------------------------------------------

# unassigned code points (Cn) included: where Python's and tokenizers' Unicode versions disagree
any_character = st.characters(blacklist_categories=("Cs",), blacklist_characters="\n")


@st.composite
def _styled(draw, pieces) -> str:
    return draw(st.sampled_from(CASE_STYLES))(draw(st.sampled_from(pieces)))


pieces = st.one_of(
    _styled(ASCII_PIECES),
    _styled(ASCII_PIECES),
    st.sampled_from(ODD_PIECES),
    st.deferred(lambda: st.sampled_from(_derived_characters())),
    st.text(any_character, min_size=1, max_size=4),
)


@st.composite
def short_lines(draw, max_pieces: int = 24) -> str:
    """One line (no ``"\\n"``) of pieces joined by spaces, nothing, or odd whitespace."""
    parts = []
    for _ in range(draw(st.integers(0, max_pieces))):
        parts.append(draw(pieces))
        parts.append(draw(st.one_of(st.sampled_from(SEPARATORS), st.sampled_from(SPACES))))
    return draw(st.sampled_from(("", "", " ", '"', "'", "``", "\t"))) + "".join(parts) + draw(st.sampled_from(LINE_ENDINGS))


@st.composite
def long_lines(draw) -> str:
    """A line of one short pattern repeated hundreds or thousands of times."""
    unit = draw(short_lines(max_pieces=4).filter(bool))
    return (unit * draw(st.integers(50, 3000)))[: draw(st.integers(1000, 20_000))]


edge_runs = st.lists(st.sampled_from(EDGE_WHITESPACE), max_size=3).map("".join)
edge_words = st.one_of(
    _styled(EDGE_WORDS),
    st.tuples(_styled(WORDS + CONTRACTIONS), st.sampled_from((*CLITICS, "")), st.sampled_from(EDGE_WORD_ENDS)).map("".join),
)


@st.composite
def edged_lines(draw) -> str:
    """A line whose edges are drawn on purpose: whitespace runs of every kind before and after it,
    a clitic or quote as its first or last word; or nothing but whitespace, or nothing."""
    if draw(st.integers(0, 9)) == 0:
        return draw(edge_runs)
    first = draw(st.one_of(st.just(""), edge_words.map(lambda word: word + " ")))
    last = draw(st.one_of(st.just(""), edge_words.map(lambda word: " " + word)))
    return draw(edge_runs) + first + draw(short_lines(max_pieces=6)) + last + draw(edge_runs)


lines = st.one_of(short_lines(), short_lines(), edged_lines(), long_lines(), st.text(any_character, max_size=40))


@st.composite
def texts(draw, max_lines: int = 8) -> str:
    """A multi-line article: lines joined by ``"\\n"``, some of them empty."""
    some_line = st.one_of(short_lines(), edged_lines(), st.just(""), st.sampled_from(SPACES))
    return "\n".join(draw(st.lists(some_line, max_size=max_lines)))


# -- the same alphabets for plain `random` (fast: millions of examples in minutes) -----------


class RandomText:
    """Lines and texts drawn with `random` from the alphabets above, about 100x faster than
    hypothesis per example (no shrinking: `scripts/fuzz_normalize.py` shrinks what fails)."""

    def __init__(self, seed: int | str | None = None):
        self.rng = random.Random(seed)
        self.derived = _derived_characters()

    def piece(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:
            return rng.choice(CASE_STYLES)(rng.choice(ASCII_PIECES))
        if roll < 0.8:
            return rng.choice(ODD_PIECES)
        if roll < 0.9:
            return rng.choice(self.derived)
        codes = (rng.choice((rng.randrange(32, 0x250), rng.randrange(0x250, 0x30000))) for _ in range(rng.randint(1, 3)))
        return "".join(chr(c) for c in codes if not 0xD800 <= c <= 0xDFFF)

    def edge_word(self) -> str:
        """A clitic or quote as a line's first or last word, alone or ending a word."""
        rng = self.rng
        if rng.random() < 0.5:
            return rng.choice(CASE_STYLES)(rng.choice(EDGE_WORDS))
        word = rng.choice(CASE_STYLES)(rng.choice(WORDS + CONTRACTIONS))
        return word + rng.choice(CASE_STYLES)(rng.choice((*CLITICS, ""))) + rng.choice(EDGE_WORD_ENDS)

    def edge_run(self) -> str:
        """A run of whitespace at a line's edge: spaces most often, any kind, or nothing."""
        rng = self.rng
        return "".join(rng.choice(EDGE_WHITESPACE) for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 3))))

    def edged_line(self) -> str:
        """A line whose edges are drawn on purpose (as `edged_lines`)."""
        rng = self.rng
        if rng.random() < 0.1:
            return self.edge_run()  # empty or only whitespace
        first = self.edge_word() + rng.choice(SEPARATORS) if rng.random() < 0.5 else ""
        last = rng.choice(SEPARATORS) + self.edge_word() if rng.random() < 0.6 else ""
        return self.edge_run() + first + self.line(max_pieces=6, edged=False) + last + self.edge_run()

    def line(self, max_pieces: int = 24, edged: bool = True) -> str:
        """A line of pieces; with ``edged``, three in ten have their edges drawn on purpose."""
        rng = self.rng
        if edged and rng.random() < 0.3:
            return self.edged_line()
        parts = [rng.choice(("", "", " ", '"', "'", "``", "\t"))]
        for _ in range(rng.randint(0, max_pieces)):
            parts.append(self.piece())
            parts.append(rng.choice(SEPARATORS) if rng.random() < 0.8 else rng.choice(SPACES))
        parts.append(rng.choice(LINE_ENDINGS))
        line = "".join(parts)
        if rng.random() < 0.002:  # now and then a long repetitive line
            line = (line or "'") * rng.randint(50, 500)
        return line

    def text(self, max_lines: int = 6) -> str:
        return "\n".join(self.line() if self.rng.random() < 0.8 else "" for _ in range(self.rng.randint(0, max_lines)))
