"""Pieces of raw text and the kept ids of pieces and words: how `newspairs.feed`'s `Encoder` goes fast.

A line's normalization is its space-separated tokens' normalizations in turn, each made in its
place (`text_pieces` says which contexts count and cuts a text into *pieces*, tokens with their
context; docs/pieces.md gives the rules). So each distinct piece is normalized once
(`normalized_words_of_pieces`, by the rule table, the passes that cannot fire left out), and
`WordIds` keeps each piece's and each normalized word's ids: a piece seen before costs one
dictionary look-up, a word seen before costs no model run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import accumulate, chain, compress, count, islice, repeat
from operator import is_

from tokenizers import Tokenizer

from newspairs.normalize import normalized_words_batch

# A line whose text ends in whitespace other than spaces: the final-period rule's \s*$ reaches its
# last token through that whitespace (and every space before it), where the engines disagree on
# what is whitespace (str.split, re, regex), so a text holding one is not cut into pieces.
_OTHER_WHITESPACE_AT_LINE_END = re.compile(r"[^\S \n] *(?:\n|\Z)")
_SPACES_BEFORE_LINE_BREAKS = re.compile(r" +(?=\n)")
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
    if TRAILING_SPACES in text:
        return None
    if "\n" not in text:  # one line (most texts): no regex
        line = text.rstrip(" ")
        if line[-1:].isspace():
            return None
        return f"\n{line}{TRAILING_SPACES if len(line) < len(text) else ''}\n".split(" ")
    if _OTHER_WHITESPACE_AT_LINE_END.search(text):
        return None
    return _SPACES_BEFORE_LINE_BREAKS.sub(TRAILING_SPACES, f"\n{text}\n").split(" ")


def normalized_words_of_pieces(pieces: Sequence[str]) -> list[list[str]]:
    """The normalized words of each piece of `text_pieces`, made in its place.

    ``[w for p in text_pieces(text) for w in result_of(p)] == normalize(text).split()``. Pieces are
    normalized together, each after a space and before `PIECE_SEPARATOR` (so not at a line's end
    unless the piece ends it), `TRAILING_SPACES` written back as a space; a piece holding the
    separator is normalized on its own.
    """
    words_of: list[list[str] | None] = [None] * len(pieces)
    together: Sequence[int] = range(len(pieces))
    if PIECE_SEPARATOR in "".join(pieces):  # rare: set the pieces holding it apart
        together = []
        for i, piece in enumerate(pieces):
            if PIECE_SEPARATOR in piece:
                # "a": not at the line's end
                words_of[i] = normalized_words_batch([f" {piece} a".replace(TRAILING_SPACES, " ")])[0][:-1]
            else:
                together.append(i)
    joiner = f" {PIECE_SEPARATOR} "
    joined = pieces if len(together) == len(pieces) else [pieces[i] for i in together]
    text = "\n".join(
        " " + joiner.join(joined[start : start + PIECES_PER_LINE]) + joiner.rstrip()
        for start in range(0, len(joined), PIECES_PER_LINE)
    ).replace(TRAILING_SPACES, " ")
    words = normalized_words_batch([text])[0]
    ends = list(compress(count(), map(PIECE_SEPARATOR.__eq__, words)))
    if len(ends) != len(together):  # each piece is followed by exactly one separator: guard it
        raise RuntimeError(f"normalized pieces lost their separators ({len(together)} pieces, {len(ends)} separators)")
    start = 0
    for i, end in zip(together, ends):
        words_of[i] = words[start:end]
        start = end + 1
    return words_of


# New words per text when `WordIds` asks the model for them (several texts: both threads work).
WORDS_PER_TEXT = 1024


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
    """

    def __init__(self, words_to_ids: Tokenizer, special_tokens: bool = True, max_words: int = 1_000_000):
        self._tokenizer = words_to_ids
        # tuples: the garbage collector stops tracking a tuple of ints, so a large cache is not
        # scanned again at every full collection (lists would be)
        self._ids: dict[str, tuple[int, ...]] = {}
        # each raw piece's ids (see of_raw_texts)
        self._pieces: dict[str, tuple[int, ...]] = {}
        self._max_words = max_words
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
    def for_tokenizer(cls, words_to_ids: Tokenizer, special_tokens: bool = True, max_words: int = 1_000_000) -> WordIds | None:
        """A `WordIds` for ``words_to_ids``, or None if it does not encode a line as its words' ids
        between a fixed prefix and suffix (then only the tokenizer itself encodes right)."""
        if any(any(c.isspace() for c in token.content) for token in words_to_ids.get_added_tokens_decoder().values()):
            return None  # an added token spanning words would not be found word by word
        try:
            word_ids = cls(words_to_ids, special_tokens, max_words)
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
        pieces_ids = self._kept_ids(self._pieces, list(chain.from_iterable(pieces_of_texts)), self._learn_pieces)
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
        return self._kept_ids(self._ids, words, self._learn)

    def _kept_ids(self, kept: dict[str, tuple[int, ...]], keys: list[str], learn) -> list[tuple[int, ...]]:
        """Each key's ids from ``kept``, after ``learn(keys)`` has added those it lacked."""
        # Look every key up first and learn only what is missing: once most keys are kept (the
        # rule after the first batches of a corpus) one look-up per key is all the Python work.
        keys_ids = list(map(kept.get, keys))
        if None in keys_ids:
            missing = list(compress(count(), map(is_, keys_ids, repeat(None))))
            unseen = list(dict.fromkeys(map(keys.__getitem__, missing)))
            if len(kept) + len(unseen) > self._max_words:  # forget all: learn this batch's keys again
                kept.clear()
                unseen = list(dict.fromkeys(keys))
            learn(unseen)
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
        return {**self.__dict__, "_ids": {}, "_pieces": {}}
