"""The public normalization: raw text in, its normalized twin out, line for line; and offsets.

Everything here drives the tokenizer from `newspairs.tokenizer`; nothing re-implements a rule. The
default path ends with the reference's own last step, ``str.lower()``, in place of the passes that
reproduce it in tokenizers.
Lines are separated by ``"\\n"``; each line's normalization is the reference
``" ".join(TreebankWordTokenizer().tokenize(line)).lower()``.

It also owns the cut of a text into *pieces* at its spaces (`text_pieces`), each normalized in its
place (`normalized_words_of_pieces`), so that a caller may keep each piece's words and skip the
normalization of a piece it has seen (`newspairs.feed.WordIds`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import chain, compress, count

from tokenizers import PreTokenizedString, Tokenizer

from newspairs.tokenizer import SkippingNormalizer, build_tokenizer, lay_out

# Lines joined per normalizer call: one call per short line is mostly call overhead, while much
# larger chunks get slower per byte (measured on the Reuters wire text); and the smaller a chunk,
# the more often a pass that cannot fire in it is skipped (measured on the ISOT articles).
LINES_PER_CALL = 32
CHARACTERS_PER_CALL = 4096


@lru_cache(maxsize=1)
def default_tokenizer() -> Tokenizer:
    """The normalization tokenizer built from this installation's rule table (built once)."""
    return build_tokenizer()


@lru_cache(maxsize=1)
def _default_normalizer() -> SkippingNormalizer:
    return SkippingNormalizer(skip_layout=True, skip_lowercasing=True)


def _default_normalize_chunk(lines: Sequence[str]) -> str:
    """The rule table's normalization of joined lines: laid out here, the other passes as needed.

    The last step is the reference's own ``str.lower()``: the lowercasing passes exist only to make
    tokenizers write what ``str.lower()`` writes (final sigma, a newer Unicode in ``Lowercase``), and
    in Python the call itself is exact and several times cheaper than the ``Lowercase`` pass.
    """
    return _default_normalizer().normalize_str(lay_out(lines)).lower()


def _tokenizer_normalize_chunk(tokenizer: Tokenizer):
    normalize_str = tokenizer.normalizer.normalize_str

    def normalize_chunk(lines: Sequence[str]) -> str:
        joined = "\n".join(lines)
        # tokenizers' Prepend leaves an empty string alone; the empty line's normalization is empty
        return normalize_str(joined) if joined else "\n".join(["", *lines])

    return normalize_chunk


def _normalized_chunk(normalize_chunk, lines: Sequence[str]) -> list[str]:
    """Each line's normalization, its tokens still separated by runs of whitespace."""
    # the layout (first rules) puts a line break before the text: drop what precedes it
    out = normalize_chunk(lines).split("\n")[1:]
    if len(out) != len(lines):  # the rules never add or remove a line break; guard the invariant
        raise RuntimeError(f"normalizer changed the line count ({len(lines)} -> {len(out)})")
    return out


def _normalized_chunks(lines: Iterable[str], tokenizer: Tokenizer | None) -> Iterator[list[str]]:
    # the default lays lines out itself and skips, per chunk, passes that cannot fire there
    # (the full normalizer's output, byte for byte: tested)
    normalize_chunk = _tokenizer_normalize_chunk(tokenizer) if tokenizer else _default_normalize_chunk
    chunk: list[str] = []
    size = 0
    for line in lines:
        if line.endswith("\n"):
            line = line[:-1]
        if "\n" in line:
            raise ValueError(f"a line must not contain a line break: {line!r:.200}")
        chunk.append(line)
        size += len(line)
        if size >= CHARACTERS_PER_CALL or len(chunk) == LINES_PER_CALL:
            yield _normalized_chunk(normalize_chunk, chunk)
            chunk, size = [], 0
    if chunk:
        yield _normalized_chunk(normalize_chunk, chunk)


def normalize_lines(lines: Iterable[str], tokenizer: Tokenizer | None = None) -> Iterator[str]:
    """Normalize an iterable of lines lazily, one output line per input line (memory stays flat).

    Each line must hold no ``"\\n"``; a trailing ``"\\n"`` (as from a file) is removed first.
    """
    for out in _normalized_chunks(lines, tokenizer):
        yield from (" ".join(line.split()) for line in out)


def normalize(text: str, tokenizer: Tokenizer | None = None) -> str:
    """Normalize a raw article: the same number of lines, empty lines kept, no trailing spaces.

    ``tokenizer`` defaults to the one built from the rule table; pass one loaded from a
    ``tokenizer.json`` to normalize with that file's normalizer instead.
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize() takes a str, got {type(text).__name__}: {text!r:.80}")
    return "\n".join(normalize_lines(text.split("\n"), tokenizer))


def _lines_of(texts: Sequence[str]) -> tuple[list[str], list[int]]:
    """Every article's lines, in one list, and how many lines each article has."""
    lines: list[str] = []
    counts: list[int] = []
    for text in texts:
        article_lines = text.split("\n")
        lines.extend(article_lines)
        counts.append(len(article_lines))
    return lines, counts


def normalize_batch(texts: Sequence[str], tokenizer: Tokenizer | None = None) -> list[str]:
    """Normalize many articles at once (for ``Dataset.map(batched=True)``)."""
    lines, counts = _lines_of(texts)
    normalized = list(normalize_lines(lines, tokenizer))
    out, start = [], 0
    for count in counts:
        out.append("\n".join(normalized[start : start + count]))
        start += count
    return out


def normalized_words_batch(texts: Sequence[str], tokenizer: Tokenizer | None = None) -> list[list[str]]:
    """The tokens of each article's normalization, all its lines' in order.

    ``normalized_words_batch(texts)[i] == normalize_batch(texts)[i].split()``, without joining the
    tokens into text only to split them again (for `newspairs.feed`, which wants the tokens).
    """
    lines, counts = _lines_of(texts)
    words_of_lines = [words for out in _normalized_chunks(lines, tokenizer) for words in map(str.split, out)]
    out, start = [], 0
    for count in counts:
        if count == 1:
            out.append(words_of_lines[start])
        else:
            out.append(list(chain.from_iterable(words_of_lines[start : start + count])))
        start += count
    return out


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
    words = [word for out in _normalized_chunks(text.split("\n"), None) for line in out for word in line.split()]
    ends = list(compress(count(), map(PIECE_SEPARATOR.__eq__, words)))
    if len(ends) != len(together):  # each piece is followed by exactly one separator: guard it
        raise RuntimeError(f"normalized pieces lost their separators ({len(together)} pieces, {len(ends)} separators)")
    start = 0
    for i, end in zip(together, ends):
        words_of[i] = words[start:end]
        start = end + 1
    return words_of


def tokens_with_offsets(line: str, tokenizer: Tokenizer | None = None) -> list[tuple[str, tuple[int, int]]]:
    """Each normalized token of ``line`` with the ``(start, end)`` character span of ``line`` it came from.

    ``line[start:end]`` is the raw text the token was made from (the token itself may differ: it is
    lowercased, and a straight double quote becomes ````` or ``''``).
    """
    if "\n" in line:
        raise ValueError(f"tokens_with_offsets() takes one line, got a line break in {line!r:.80}")
    tokenizer = tokenizer or default_tokenizer()
    pretokenized = PreTokenizedString(line)
    pretokenized.normalize(tokenizer.normalizer.normalize)
    tokenizer.pre_tokenizer.pre_tokenize(pretokenized)
    return [
        (token, offsets)
        for token, offsets, _ in pretokenized.get_splits(offset_referential="original", offset_type="char")
    ]
