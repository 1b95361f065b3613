"""Pieces of raw text, their normalizations kept, and the kept ids of pieces and words.

A line's normalization is its space-separated tokens' normalizations in turn, each made in its
place (`text_pieces` says which contexts count and cuts a text into *pieces*, tokens with their
context; docs/pieces.md gives the rules). So each distinct piece is normalized once:
`piece_values` normalizes many pieces together (by the rule table, the passes that cannot fire
left out), `PieceCache` keeps each piece's normalization for `newspairs.normalize` (a piece seen
before costs one dictionary look-up), and `WordIds` keeps each piece's and each normalized word's
ids for `newspairs.feed`'s `Encoder` (a word seen before costs no model run).

`newspairs.normalize` imports this module; this module reaches back to it (the whole-text way,
for what cannot be cut) only inside functions, once both are loaded.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate, chain, compress, count, islice, repeat
from operator import add, and_, is_

from tokenizers import Tokenizer, models

from newspairs.rules import RULES

# A line whose text ends in whitespace other than spaces: the final-period rule's \s*$ reaches its
# last token through that whitespace (and every space before it), where the engines disagree on
# what is whitespace (str.split, re, regex), so a text holding one is not cut into pieces.
# Every such character (what str.split splits on, but the space and the line break), and where it
# ends a line: looked for only where the character is in the text (a regex starting with a literal
# skips to it; one starting with a class would try every character).
# Python's last whitespace character is U+3000 (a test scans every code point): scanning no further
# keeps 0.1 s off every import.
LAST_WHITESPACE = "\u3000"
OTHER_WHITESPACE = tuple(c for c in map(chr, range(ord(LAST_WHITESPACE) + 1)) if c.isspace() and c not in " \n")
ASCII_OTHER_WHITESPACE = tuple(c for c in OTHER_WHITESPACE if c.isascii())  # all a text can hold if isascii()
_OTHER_WHITESPACE_AT_LINE_END = {c: re.compile(re.escape(c) + r" *(?:\n|\Z)") for c in OTHER_WHITESPACE}
# Written in a piece in place of the spaces that end its line: the reference splits a line's last
# apostrophe off before trailing spaces earlier than at the bare line end (where it is too late
# for a clitic before it: "it's'  " is "it 's '", "it's'" is "it's '"), so that context is the
# piece's own; one space stands for any run (no rule reads past the first). A text holding the
# mark itself is not cut into pieces.
TRAILING_SPACES = "\x02"
# Written after each piece where pieces are normalized together: a word no rule touches, from
# which no piece's words can be told apart, so it cuts the words back into pieces.
PIECE_SEPARATOR = "\x01"
PIECES_PER_LINE = 256
# The words that rules change though they hold only ASCII letters and digits (the contractions
# cannot, gonna, ...): the triggers of the rule table made only of those. Every other rule needs a
# character that is not an ASCII letter or digit to match at all (docs/pieces.md; tested), so a
# piece of ASCII letters and digits holding none of these words normalizes to its own lowercase,
# wherever it stands: a *plain* piece, which `piece_values` lowercases without running a pass.
PLAIN_EXCEPTIONS = tuple(sorted({t for rule in RULES for t in rule.triggers if t.isascii() and t.isalnum()}))


# When a slice is worth cutting (`PieceCache.worth_cutting`): a kept piece costs about 0.15 us
# (its cut, look-up and join), a new one about 2 us to learn, the whole-text way about 0.3 us a
# piece, so a slice whose pieces are mostly new is cheaper normalized whole. Its share of new
# pieces is guessed from its first SAMPLE_WORDS words (a few look-ups, before any cut): at most
# NEW_SHARE, it is cut. Otherwise it goes whole and its length is counted as credit, and once the
# credit reaches LEARNING_CREDIT times a slice's length that slice is cut (its pieces learned)
# after all: the kept pieces still grow from a cold start, and a first text is not slowed.
# (Measured on ../shared/corpora: docs/pieces.md.)
SAMPLE_WORDS = 32
NEW_SHARE = 0.25
LEARNING_CREDIT = 2.0
# New pieces of short texts normalized one at a time that wait to be learned together
# (`PieceCache.normalize_kept`): learned one text at a time, each text's few pieces cost a
# normalizer call and the Python around it, more than normalizing the text whole.
PENDING_PIECES = 1024


def text_pieces(text: str) -> list[str] | None:
    """``text`` cut at every space, ``"\\n"`` added at both ends; None where a context cannot be cut.

    A line's normalization is the normalizations of its space-separated tokens, one after the
    other, each made in its place: whether a space or the line's start comes before it (``^\\"``
    and an opening ``''`` differ at the start), and what follows it: a space and more text, the
    line's end (the final period, ``,$``), or spaces and then the line's end (the apostrophe rule
    splits a last ``'`` off before them, in time for the clitic rules to see it). Every reference
    rule that matches across a space only reads that space, so no other context counts (tested
    against the reference). A piece is a token with such context: it holds a ``"\\n"`` where it
    ends a line (after the line break: the next line's first token), `TRAILING_SPACES` before it
    where spaces ended the line, and runs of spaces leave empty pieces, which normalize to
    nothing. Other whitespace (a tab, a no-break space) stays inside its piece, where the rules
    see it as they see it in the line; only at a line's end would the final-period rule reach
    across spaces through it, so such a text is not cut (None), nor is one holding the mark.
    """
    marked = _marked(text)
    return None if marked is None else marked.split(" ")


def line_pieces(text: str) -> list[str] | None:
    """`text_pieces`, but each line's pieces apart from the next line's: a line's last piece ends
    with its line break and the next line's first piece starts with it (where `text_pieces` makes
    one piece of the two). The same contexts; fewer distinct pieces in text of short lines (the
    Reuters wire text: 181,000 against 257,000), for one more piece per line."""
    marked = _marked(text)
    if marked is None:
        return None
    if "\n" in text:
        marked = "\n" + marked[1:-1].replace("\n", "\n \n") + "\n"
    return marked.split(" ")


def _marked(text: str) -> str | None:
    """``"\\n" + text + "\\n"``, each run of spaces ending a line written as `TRAILING_SPACES`;
    None where a context cannot be cut."""
    if TRAILING_SPACES in text:
        return None
    if "\n" not in text:  # one line (most texts): no regex
        line = text.rstrip(" ")
        if line[-1:].isspace():
            return None
        return f"\n{line}{TRAILING_SPACES if len(line) < len(text) else ''}\n"
    if any(_OTHER_WHITESPACE_AT_LINE_END[c].search(text) for c in other_whitespace_in(text)):
        return None
    text = f"\n{text}\n"
    return _marked_trailing_spaces(text) if " \n" in text else text


def other_whitespace_in(text: str) -> list[str]:
    """The characters of `OTHER_WHITESPACE` that ``text`` holds."""
    return [c for c in (ASCII_OTHER_WHITESPACE if text.isascii() else OTHER_WHITESPACE) if c in text]


def _marked_trailing_spaces(text: str) -> str:
    """``text`` with each run of spaces before a line break written as `TRAILING_SPACES`.

    (A loop over the runs: a regex would try every space of the text.)"""
    parts, start, find = [], 0, text.find
    end = find(" \n")
    while end >= 0:
        run = end
        while text[run - 1] == " ":  # text starts with a line break: the run ends there at the latest
            run -= 1
        parts += text[start:run], TRAILING_SPACES
        start = end + 1
        end = find(" \n", start)
    parts.append(text[start:])
    return "".join(parts)


def piece_values(pieces: Sequence[str]) -> list[str]:
    """Each piece of `text_pieces` or `line_pieces`, normalized in its place, as it stands in the
    normalized text.

    A piece's *value* is its words, each followed by a space, but for a line break in place of the
    space where the piece ends a line; a line break the piece starts with is left out (it starts
    the text or, cut by `line_pieces`, a line: the line break is the previous piece's last). So
    ``"".join(values)`` of a text's pieces is the text's normalization followed by ``"\\n"``, and
    its ``split()`` the text's words.

    Plain pieces (`PLAIN_EXCEPTIONS`) are lowercased. The others are normalized together, each
    after a space and before `PIECE_SEPARATOR` (so not at a line's end unless the piece ends it),
    `TRAILING_SPACES` written back as a space; a piece holding the separator is normalized on its own.
    """
    values: list[str | None] = [None] * len(pieces)
    stripped = list(map(str.replace, pieces, repeat("\n"), repeat("")))
    plain = list(map(and_, map(str.isascii, stripped), map(str.isalnum, stripped)))
    candidates = list(compress(count(), plain))
    if candidates:
        candidates = _without_exceptions(candidates, list(map(stripped.__getitem__, candidates)))
    if candidates:
        plain_pieces = list(map(pieces.__getitem__, candidates))
        # lowercased, the first line break dropped, a space after unless the piece ends a line
        lowered = map(str.removeprefix, map(str.lower, plain_pieces), repeat("\n"))
        ends = map((" ", "").__getitem__, map(str.endswith, plain_pieces, repeat("\n")))
        for i, value in zip(candidates, map(add, lowered, ends)):
            values[i] = value
    rest = list(compress(count(), map(is_, values, repeat(None)))) if candidates else range(len(pieces))
    if PIECE_SEPARATOR in "".join(map(pieces.__getitem__, rest)):
        together = []
        for i in rest:
            if PIECE_SEPARATOR in pieces[i]:
                values[i] = _piece_value_alone(pieces[i])
            else:
                together.append(i)
        rest = together
    for i, value in zip(rest, _values_together([pieces[i] for i in rest])):
        values[i] = value
    return values


def _without_exceptions(indices: list[int], words: list[str]) -> list[int]:
    """The ``indices`` but those whose word (ASCII letters and digits) holds one of `PLAIN_EXCEPTIONS`."""
    joined = "\n".join(words).lower()
    held = [exception for exception in PLAIN_EXCEPTIONS if exception in joined]
    if not held:
        return indices
    starts = list(accumulate(map(add, map(len, words), repeat(1)), initial=0))
    out = set()
    for exception in held:
        at = joined.find(exception)
        while at >= 0:
            out.add(bisect_right(starts, at) - 1)
            at = joined.find(exception, at + 1)
    return [index for position, index in enumerate(indices) if position not in out]


def _normalized_text(text: str) -> str:
    """``text``'s normalization, the whole-text way (`newspairs.normalize`, no pieces)."""
    from newspairs.normalize import normalized_text_whole  # (imported here: that module imports this one)

    return normalized_text_whole(text)


def normalized_words_batch(texts: Sequence[str]) -> list[list[str]]:
    """`newspairs.normalize.normalized_words_batch` (what `WordIds` does with a text not cut)."""
    from newspairs.normalize import normalized_words_batch as words_batch  # (as above)

    return words_batch(texts)


def _values_together(pieces: list[str]) -> list[str]:
    # Each line: a separator, then PIECES_PER_LINE pieces each followed by a separator; a piece that
    # ends a line puts its separator at the start of the next. Normalized, the words between two
    # separators are one piece's; a separator is followed by a space where the next piece goes on
    # in the line, and by a line break where it starts the text (both dropped), and one line's last
    # separator and the next line's first hold nothing between them (dropped too).
    if not pieces:
        return []
    joiner = f" {PIECE_SEPARATOR} "
    text = "\n".join(
        joiner + joiner.join(pieces[start : start + PIECES_PER_LINE]) + joiner.rstrip()
        for start in range(0, len(pieces), PIECES_PER_LINE)
    ).replace(TRAILING_SPACES, " ")
    values = _normalized_text(text).replace(PIECE_SEPARATOR + " ", PIECE_SEPARATOR).replace(PIECE_SEPARATOR + "\n", PIECE_SEPARATOR)
    values = values.split(PIECE_SEPARATOR)
    last = values.pop()
    del values[0 :: PIECES_PER_LINE + 1]
    # each piece is followed by exactly one separator: guard it
    if len(values) != len(pieces) or last:
        raise RuntimeError(f"normalized pieces lost their separators ({len(pieces)} pieces, {len(values)} values)")
    return values


def _piece_value_alone(piece: str) -> str:
    # "a": a plain word after the piece, so that it is not at the line's end unless it ends it
    return _normalized_text(f" {piece} a".replace(TRAILING_SPACES, " "))[1 if piece[0] == "\n" else 0 : -1]


def normalized_words_of_pieces(pieces: Sequence[str]) -> list[list[str]]:
    """The normalized words of each piece of `text_pieces`, made in its place.

    ``[w for p in text_pieces(text) for w in result_of(p)] == normalize(text).split()``.
    """
    return list(map(str.split, piece_values(pieces)))


class PieceCache:
    """Each piece's value (`piece_values`) kept: a text's normalization from its pieces' values.

    A piece seen before costs one dictionary look-up; the pieces a text brings that are not kept
    are normalized together (`piece_values`) and kept. Memory is bounded: at most ``max_pieces``
    pieces and ``max_characters`` characters of pieces and values are kept, and the cache is
    cleared when a text's new pieces would go past either (a text whose new pieces alone would
    is normalized without keeping them). Clearing, not evicting one by one: keeping track of use
    would cost Python work on every look-up, while what a clear loses (the frequent pieces) comes
    back within the next texts.
    """

    def __init__(self, max_pieces: int = 1 << 18, max_characters: int = 1 << 24):
        self._values: dict[str, str] = {}
        self._characters = 0
        self._credit = 0.0  # characters normalized whole since the cache last learned (worth_cutting)
        self._pending: list[str] = []  # new pieces of texts normalized one at a time (normalize_kept)
        self.max_pieces = max_pieces
        self.max_characters = max_characters

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        self._values.clear()
        self._characters = 0
        self._credit = 0.0
        self._pending.clear()

    def worth_cutting(self, text: str) -> bool:
        """Whether to cut ``text`` (a slice of whole lines) into pieces, or normalize it whole.

        Its share of new pieces is guessed from its first `SAMPLE_WORDS` space-separated words
        (those inside a line: a piece at a line's edge holds its line break): at most `NEW_SHARE`
        new, it is cut. Otherwise it is cut only once the texts normalized whole since the cache
        last learned hold `LEARNING_CREDIT` times its length (the credit then spent), so that a
        cold cache still learns, part of the text at a time, and a first text (nothing kept)
        costs what the whole-text way costs.
        """
        if self._values:
            words = text.split(" ", SAMPLE_WORDS)[1:-1]  # (the last: the rest of the text)
            if "\n" in text:  # a word holding a line break is not a piece as it stands: not counted
                words = [word for word in words if "\n" not in word]
            if words and len(words) - sum(map(self._values.__contains__, words)) <= NEW_SHARE * len(words):
                return True
        if self._credit >= LEARNING_CREDIT * len(text):
            self._credit = 0.0
            return True
        self._credit += len(text)
        return False

    def normalize(self, text: str) -> str | None:
        """``text``'s normalization, or None where `text_pieces` does not cut it (cut by `line_pieces`)."""
        pieces = line_pieces(text)
        if pieces is None:
            return None
        values = self.values_of(pieces)
        try:
            joined = "".join(values)  # a TypeError where a piece is not kept (None)
        except TypeError:
            joined = "".join(self.fill(pieces, values))
        return joined[:-1]

    def values_of(self, pieces: list[str]) -> list[str | None]:
        """Each piece's kept value, or None."""
        return list(map(self._values.get, pieces))

    def fill(self, pieces: list[str], values: list[str | None]) -> list[str]:
        """``values`` (each piece's kept value, or None) with every None replaced by the piece's
        value, the pieces not kept normalized together (`piece_values`) and kept."""
        missing = list(compress(count(), map(is_, values, repeat(None))))
        missing_pieces = list(map(pieces.__getitem__, missing))
        learned = self._learn(list(dict.fromkeys(missing_pieces)))
        for i, value in zip(missing, map(learned.__getitem__, missing_pieces)):
            values[i] = value
        return values

    def _learn(self, unseen: list[str]) -> dict[str, str]:
        """The values of ``unseen`` pieces (distinct, none kept), normalized together and kept."""
        learned = dict(zip(unseen, piece_values(unseen)))
        characters = sum(map(len, unseen)) + sum(map(len, learned.values()))
        if len(self._values) + len(learned) > self.max_pieces or self._characters + characters > self.max_characters:
            self.clear()
        if len(learned) <= self.max_pieces and characters <= self.max_characters:
            self._values.update(learned)
            self._characters += characters
        return learned

    def normalize_kept(self, line: str) -> str | None:
        """``line``'s normalization (a line: no line break) if every piece of it is kept; None if not.

        For texts normalized one at a time, where learning a text's few new pieces costs more than
        normalizing the text whole (a normalizer call each): the caller normalizes it whole, and its
        new pieces wait, to be learned together once `PENDING_PIECES` have gathered.
        """
        pieces = line_pieces(line)
        if pieces is None:
            return None
        values = self.values_of(pieces)
        try:
            return "".join(values)[:-1]
        except TypeError:  # a piece not kept
            pass
        self._pending.extend(compress(pieces, map(is_, values, repeat(None))))
        if len(self._pending) >= PENDING_PIECES:
            self.learn_pending()
        return None

    def learn_pending(self) -> None:
        """Learn the pieces `normalize_kept` left waiting."""
        pending, self._pending = self._pending, []
        unseen = [piece for piece in dict.fromkeys(pending) if piece not in self._values]
        if unseen:
            try:
                self._learn(unseen)
            except UnicodeEncodeError:
                # a piece of a text whose own normalization failed (a lone surrogate): that text's
                # caller got the error; the texts after it must not
                self._learn([piece for piece in unseen if _encodable(piece)])


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def segments_at_random(tokenizer: Tokenizer) -> bool:
    """Whether ``tokenizer``'s model cuts a word at random, anew at every call: BPE-dropout (``dropout``
    above 0) or unigram subword sampling (``alpha`` above 0). Its ids cannot be kept and reused."""
    model = tokenizer.model
    if isinstance(model, models.BPE):
        return bool(model.dropout)  # None or 0.0: the same pieces every call
    if isinstance(model, models.Unigram):
        return bool(model.alpha)
    return False


def call_time_state(tokenizer: Tokenizer) -> dict:
    """What of ``tokenizer``'s set-up changes its ids but is left out of ``to_str()`` (and so of a
    ``Tokenizer.from_str`` copy and of a pickle): ``encode_special_tokens``, and a unigram model's
    sampling (``alpha``, ``nbest_size``)."""
    state = {"encode_special_tokens": tokenizer.encode_special_tokens}
    if isinstance(tokenizer.model, models.Unigram):
        state.update(alpha=tokenizer.model.alpha, nbest_size=tokenizer.model.nbest_size)
    return state


def with_call_time_state(tokenizer: Tokenizer, state: dict) -> Tokenizer:
    """``tokenizer`` given the `call_time_state` ``state`` (of the tokenizer it was copied from); returns it."""
    tokenizer.encode_special_tokens = state["encode_special_tokens"]
    if "alpha" in state and isinstance(tokenizer.model, models.Unigram):
        model = tokenizer.model  # the tokenizer's own model: set in place
        model.alpha, model.nbest_size = state["alpha"], state["nbest_size"]
    return tokenizer


# New words per text when `WordIds` asks the model for them (several texts: both threads work).
WORDS_PER_TEXT = 1024
# The most characters and ids a kind of `WordIds`' kept ids holds before it is forgotten.
MAX_UNITS = 1 << 24


def _split_at(ids: list[int], separator: int) -> list[tuple[int, ...]]:
    """``ids`` cut at each ``separator`` (dropped): one more group than separators."""
    groups, start = [], 0
    for _ in range(ids.count(separator)):
        end = ids.index(separator, start)
        groups.append(tuple(ids[start:end]))
        start = end + 1
    groups.append(tuple(ids[start:]))
    return groups


class WordIds:
    """The ids of each normalized word, asked of the model once and kept.

    Every model of `tokenizers` encodes each pre-token on its own, and the pre-tokenizer of
    normalized text splits on whitespace only, so a line's ids are its words' ids in order, between
    the post-processor's fixed prefix and suffix. Repeated words (most of news text) then cost a
    dictionary look-up instead of a model run and a conversion from Rust. Words not yet seen are
    encoded together in one call per batch. `for_tokenizer` makes one only for a tokenizer that
    keeps to these assumptions; the ids are tested equal to ``encode_batch``'s.

    Raw text (`of_raw_texts`) is cut at its spaces into pieces that each normalize on their own
    (`text_pieces`), and each piece's ids are kept too: a piece seen before costs one look-up,
    neither normalization nor a word look-up. Both kinds of kept ids count against ``max_words``
    on their own.

    Args:
        words_to_ids: a tokenizer for normalized text (`skip_normalization`), with no padding and
            no truncation.
        special_tokens: add the post-processor's special tokens.
        max_words: forget every kept word (or piece) once this many are kept (memory stays bounded).
        max_units: forget them too once their characters and ids (one unit each) reach this many:
            a count of words alone let long words (a 2,000-character token in a text each time)
            hold gigabytes before the count was reached.
    """

    def __init__(self, words_to_ids: Tokenizer, special_tokens: bool = True, max_words: int = 1_000_000,
                 max_units: int = MAX_UNITS):
        self._tokenizer = words_to_ids
        # tuples: the garbage collector stops tracking a tuple of ints, so a large cache is not
        # scanned again at every full collection (lists would be)
        self._ids: dict[str, tuple[int, ...]] = {}
        # each raw piece's ids (see of_raw_texts)
        self._pieces: dict[str, tuple[int, ...]] = {}
        self._max_words = max_words
        self._max_units = max_units
        self._units = {"ids": 0, "pieces": 0}  # the characters and ids each kind of kept ids holds
        self.prefix, self.suffix = self._prefix_and_suffix(words_to_ids) if special_tokens else ([], [])
        self._separator = self._separator_of(words_to_ids)

    @staticmethod
    def _prefix_and_suffix(tokenizer: Tokenizer) -> tuple[list[int], list[int]]:
        ids = tokenizer.encode("").ids
        # the post-processor's special ids: all before the text or after it, as with `$A` templates
        probe = tokenizer.encode("a").ids
        bare = tokenizer.encode("a", add_special_tokens=False).ids
        for split in range(len(ids) + 1):
            if ids[:split] + bare + ids[split:] == probe:
                return ids[:split], ids[split:]
        raise ValueError(f"the post-processor does not put fixed ids around the text ({probe} for 'a', {ids} for '')")

    @classmethod
    def for_tokenizer(cls, words_to_ids: Tokenizer, special_tokens: bool = True, max_words: int = 1_000_000,
                      max_units: int = MAX_UNITS) -> WordIds | None:
        """A `WordIds` for ``words_to_ids``, or None if it does not encode a line as its words' ids
        between a fixed prefix and suffix (then only the tokenizer itself encodes right), or if its
        model cuts words at random at every call (`segments_at_random`: kept ids would freeze one cut)."""
        if segments_at_random(words_to_ids):
            return None
        if any(any(c.isspace() for c in token.content) for token in words_to_ids.get_added_tokens_decoder().values()):
            return None  # an added token spanning words would not be found word by word
        try:
            word_ids = cls(words_to_ids, special_tokens, max_words, max_units)
        except ValueError:
            return None
        probe = "the cat , `` sat '' on 1,000 mats ."
        words = [words_to_ids.encode(word, add_special_tokens=False).ids for word in probe.split()]
        whole = words_to_ids.encode(probe, add_special_tokens=special_tokens).ids
        if whole != word_ids.prefix + [i for ids in words for i in ids] + word_ids.suffix:
            return None
        return word_ids

    @staticmethod
    def _separator_of(tokenizer: Tokenizer) -> tuple[str, int] | None:
        # an added token, which tokenizers cuts out before the model runs, marks where a word ends
        # in the ids of words joined around it (a special one first: the least likely in a word)
        added = sorted(tokenizer.get_added_tokens_decoder().items(), key=lambda item: not item[1].special)
        for token_id, token in added:
            if token.content and not any(c.isspace() for c in token.content):
                return token.content, token_id
        return None

    def _learn(self, words: list[str]) -> None:
        # New words go to the model in a few texts that tokenizers' threads share, joined around
        # the separator token. The ids between two separators are one word's ids, as the model
        # gives them for that word alone, so long as the model never gives the separator's id
        # itself: then a text holds exactly one separator fewer than words, which is checked.
        # (encode_batch_fast keeps no word indices; encode_batch, which does, costs twice as much.)
        if self._separator is None:
            self._ids.update(zip(words, self._ask_word_by_word(words)))
            return
        content, separator = self._separator
        chunks = [words[i : i + WORDS_PER_TEXT] for i in range(0, len(words), WORDS_PER_TEXT)]
        joined = [f" {content} ".join(chunk) for chunk in chunks]
        for chunk, encoding in zip(chunks, self._tokenizer.encode_batch_fast(joined, add_special_tokens=False)):
            groups = _split_at(encoding.ids, separator)
            if len(groups) != len(chunk):  # a word holds the separator, or the model gives its id
                groups = self._ask_word_by_word(chunk)
            self._ids.update(zip(chunk, groups))

    def _ask_word_by_word(self, words: list[str]) -> list[tuple[int, ...]]:
        return [tuple(e.ids) for e in self._tokenizer.encode_batch_fast(words, add_special_tokens=False)]

    def __call__(self, normalized: Sequence[str], max_length: int | None = None) -> list[list[int]]:
        """The ids of each normalized text (truncated to ``max_length`` ids, special ones included)."""
        return self.of_words([text.split() for text in normalized], max_length)

    def of_words(self, texts_words: Sequence[list[str]], max_length: int | None = None) -> list[list[int]]:
        """The ids of each normalized text given as its words (``text.split()``)."""
        return self._assemble(self._ids_of_words(list(chain.from_iterable(texts_words))), map(len, texts_words), max_length)

    def of_raw_texts(self, texts: Sequence[str], max_length: int | None = None) -> list[list[int]]:
        """The ids of each raw text: its pieces' ids (`text_pieces`), kept.

        Each piece (a token with its context) is normalized once and its ids kept, so a later
        epoch skips the normalization of every piece it has seen. A text with a line that ends in
        whitespace other than spaces is normalized whole (`normalized_words_batch`), then word by word.
        """
        pieces_of_texts = list(map(text_pieces, texts))
        if None not in pieces_of_texts:
            return self._of_pieces(pieces_of_texts, max_length)
        out: list[list[int] | None] = [None] * len(texts)
        cut = [i for i, pieces in enumerate(pieces_of_texts) if pieces is not None]
        whole = [i for i, pieces in enumerate(pieces_of_texts) if pieces is None]
        for i, ids in zip(cut, self._of_pieces([pieces_of_texts[i] for i in cut], max_length)):
            out[i] = ids
        for i, ids in zip(whole, self.of_words(normalized_words_batch([texts[i] for i in whole]), max_length)):
            out[i] = ids
        return out

    def _of_pieces(self, pieces_of_texts: list[list[str]], max_length: int | None) -> list[list[int]]:
        pieces_ids = self._kept_ids("pieces", list(chain.from_iterable(pieces_of_texts)), self._learn_pieces)
        return self._assemble(pieces_ids, map(len, pieces_of_texts), max_length)

    def _learn_pieces(self, pieces: list[str]) -> None:
        words_of = normalized_words_of_pieces(pieces)
        words_ids = self._ids_of_words(list(chain.from_iterable(words_of)))
        counts = list(map(len, words_of))
        starts = list(accumulate(counts, initial=0))
        # most pieces are one word: each shares that word's tuple (no Python loop for them)
        one_word = list(map((1).__eq__, counts))
        self._pieces.update(zip(compress(pieces, one_word), map(words_ids.__getitem__, compress(starts, one_word))))
        for piece, start, size in compress(zip(pieces, starts, counts), map((1).__ne__, counts)):
            self._pieces[piece] = tuple(chain.from_iterable(words_ids[start : start + size]))

    def _ids_of_words(self, words: list[str]) -> list[tuple[int, ...]]:
        """Each normalized word's ids, the model asked only for words not kept."""
        return self._kept_ids("ids", words, self._learn)

    def _kept_ids(self, kind: str, keys: list[str], learn) -> list[tuple[int, ...]]:
        """Each key's ids from the kept ``kind`` (``"ids"`` of words, ``"pieces"``), after
        ``learn(keys)`` has added those it lacked."""
        kept: dict[str, tuple[int, ...]] = self._ids if kind == "ids" else self._pieces
        # Look every key up first and learn only what is missing: once most keys are kept (the
        # rule after the first batches of a corpus) one look-up per key is all the Python work.
        keys_ids = list(map(kept.get, keys))
        if None in keys_ids:
            missing = list(compress(count(), map(is_, keys_ids, repeat(None))))
            unseen = list(dict.fromkeys(map(keys.__getitem__, missing)))
            characters = sum(map(len, unseen))
            if len(kept) + len(unseen) > self._max_words or self._units[kind] + characters > self._max_units:
                kept.clear()  # forget all: learn this batch's keys again
                self._units[kind] = 0
                unseen = list(dict.fromkeys(keys))
                characters = sum(map(len, unseen))
            learn(unseen)
            self._units[kind] += characters + sum(map(len, map(kept.__getitem__, unseen)))
            for i in missing:
                keys_ids[i] = kept[keys[i]]
        return keys_ids

    def _assemble(self, units_ids: list[tuple[int, ...]], counts: Iterable[int], max_length: int | None) -> list[list[int]]:
        """Each text's ids: its units' ids in turn (``counts``: units per text), between the special ids, truncated."""
        prefix, suffix = self.prefix, self.suffix
        room = None if max_length is None else max_length - len(prefix) - len(suffix)
        if room is not None and room < 0:
            raise ValueError(f"max_length {max_length} leaves no room beside the {len(prefix) + len(suffix)} special ids")
        out, start = [], 0
        for size in counts:
            ids = chain.from_iterable(units_ids[start : start + size])
            out.append([*prefix, *(ids if room is None else islice(ids, room)), *suffix])
            start += size
        return out

    def __getstate__(self) -> dict:
        # the learned ids are a cache: leave them out of pickles (datasets' map fingerprint, workers)
        # (a Tokenizer's pickle leaves out encode_special_tokens: `call_time_state` carries it)
        return {**self.__dict__, "_ids": {}, "_pieces": {}, "_units": {"ids": 0, "pieces": 0},
                "_call_time_state": call_time_state(self._tokenizer)}

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        call_time = state.pop("_call_time_state", None)
        # a pickle of an earlier version has no size bound: the default's
        state.setdefault("_max_units", MAX_UNITS)
        state.setdefault("_units", {"ids": 0, "pieces": 0})
        self.__dict__.update(state)
        if call_time is not None:
            with_call_time_state(self._tokenizer, call_time)
