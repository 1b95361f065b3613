"""The public normalization: raw text in, its normalized twin out, line for line; and offsets.

Everything here drives the tokenizer from `newspairs.tokenizer`; nothing re-implements a rule. The
default path ends with the reference's own last step, ``str.lower()``, in place of the passes that
reproduce it in tokenizers.
Lines are separated by ``"\\n"``; each line's normalization is the reference
``" ".join(TreebankWordTokenizer().tokenize(line)).lower()``.

The default path (no ``tokenizer`` given) cuts text into pieces, each normalized once in its place
and kept (`newspairs.pieces.PieceCache`, docs/pieces.md): a piece seen before costs a dictionary
look-up. What cannot be cut, and every text normalized with a given ``tokenizer``, goes the
whole-text way: lines joined into chunks, through the normalizer. (``text_pieces`` and
``normalized_words_of_pieces`` are still importable from here.)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from importlib import import_module
from itertools import compress, islice, repeat
from typing import Any

from tokenizers import PreTokenizedString, Tokenizer

from newspairs.pieces import PieceCache, other_whitespace_in, text_pieces
from newspairs.rules import LAID_OUT_BREAK, LAID_OUT_END, LAID_OUT_START
from newspairs.tokenizer import SkippingNormalizer, build_tokenizer, lay_out

# Lines joined per normalizer call: one call per short line is mostly call overhead, while much
# larger chunks get slower per byte (measured on the Reuters wire text); and the smaller a chunk,
# the more often a pass that cannot fire in it is skipped (measured on the ISOT articles).
LINES_PER_CALL = 32
CHARACTERS_PER_CALL = 4096
# Lines (or texts) cut into pieces at once: the Python work per call (a cut, a look-up per piece,
# a join) then runs over many lines at a time.
LINES_PER_CUT = 512
CHARACTERS_PER_CUT = 1 << 15
# A text normalized alone (`normalize(text)`) of one line at most this long is looked up whole in
# the kept pieces, and normalized whole when a piece is new (`PieceCache.normalize_kept`).
SHORT_LINE = 1024

# How the default path chooses between pieces and the whole-text way, per slice: "adaptive"
# (`PieceCache.worth_cutting`), "pieces" (always cut where a line can be cut) or "whole" (never).
# The tests and the fuzzer force each way, so both stay checked whatever the choice would be.
CUT_MODES = ("adaptive", "pieces", "whole")
cut_mode = "adaptive"

# The default path's kept pieces (only the default path's: a given tokenizer's normalizer is not
# assumed to normalize piece by piece, and it is the one checked when a tokenizer.json is checked)
_PIECES = PieceCache()


def _text_named(index: int, first: int, unit: str, rows: Sequence[int] | None, of: str) -> str:
    # a text's name in an error: its number (``rows[index]`` where the caller knows it), a ``unit``
    return f"{unit} {first + index if rows is None else rows[index]}{of}"


def _not_a_batch(texts: Any) -> str | None:
    """What ``texts`` is, said for an error, when iterating it would not give its texts: a mapping
    (a batch dict, a `DatasetDict`) or a table (a pandas DataFrame) gives its keys, bytes give
    numbers, and some things cannot be iterated at all (None, a number, a path); else None."""
    if isinstance(texts, Mapping) or (hasattr(texts, "columns") and hasattr(texts, "keys")):
        keys = list(texts.keys())
        return f"a {type(texts).__name__} (of {', '.join(map(repr, keys[:5]))}{' ...' if len(keys) > 5 else ''}): pass its column of texts"
    if isinstance(texts, (bytes, bytearray)):
        return f"{type(texts).__name__}: decode it, and pass a list of str"
    if not isinstance(texts, Iterable):
        return f"{type(texts).__name__}: {texts!r:.80}"
    return None


def checked_tokenizer(tokenizer: Any, where: str) -> Tokenizer | None:
    """``tokenizer`` if it is None (the rule table's) or a `tokenizers.Tokenizer`; a ValueError
    naming ``where`` and what was given otherwise (a path, a transformers tokenizer, 0)."""
    if tokenizer is None or isinstance(tokenizer, Tokenizer):
        return tokenizer
    hint = (" (a transformers tokenizer: pass its .backend_tokenizer)" if hasattr(tokenizer, "backend_tokenizer")
            else " (a folder or tokenizer.json: load it with newspairs.load_tokenizer(path))"
            if isinstance(tokenizer, (str, os.PathLike)) else "")
    raise ValueError(f"{where}: tokenizer must be a tokenizers.Tokenizer or None, got {type(tokenizer).__name__} "
                     f"{tokenizer!r:.80}{hint}")


def checked_texts(texts: Iterable[str], where: str, first: int = 0, unit: str = "row", *,
                  rows: Sequence[int] | None = None, of: str = "") -> list[str]:
    """``texts`` as a list; a ValueError naming ``where`` for one str (a text, not a batch of texts:
    iterated, it would be one text per character) or for a text that is not a str (each numbered
    from ``first``, a ``unit``, or by ``rows`` where given; ``of`` after the number, such as
    ``" of the batch"``)."""
    if isinstance(texts, str):
        raise ValueError(f"{where} takes a batch of texts (a list), got one str: {texts!r:.80}")
    if (problem := _not_a_batch(texts)) is not None:
        raise ValueError(f"{where} takes a batch of texts (a list), got {problem}")
    texts = texts if isinstance(texts, list) else list(texts)  # an iterator is read once, here
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise ValueError(f"{where}: {_text_named(index, first, unit, rows, of)} is not text ({type(text).__name__}): {text!r:.80}")
    return texts


def unencodable_text(texts: Sequence[str], where: str, first: int = 0, unit: str = "row", *,
                     rows: Sequence[int] | None = None, of: str = "") -> ValueError | None:
    """A ValueError naming the first text that UTF-8 cannot encode (a lone surrogate, which Python
    strings may hold and `tokenizers` refuses with a position in its own joined text), or None;
    texts named as by `checked_texts`."""
    for index, text in enumerate(texts):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            return ValueError(
                f"{where}: {_text_named(index, first, unit, rows, of)} is not UTF-8 text (the lone surrogate "
                f"{text[error.start]!r} at character {error.start}): {text!r:.80}"
            )
    return None


def clear_piece_cache() -> None:
    """Forget every kept piece of the default path (its next texts are normalized from scratch)."""
    _PIECES.clear()


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


NOT_A_NORMALIZATION = "the tokenizer's normalizer is not a newspairs normalization"


def _tokenizer_normalize_chunk(tokenizer: Tokenizer):
    if tokenizer.normalizer is None:  # many tokenizer.json files (GPT-style BPE) have none
        raise ValueError(f"{NOT_A_NORMALIZATION}: it has none")
    normalize_str = tokenizer.normalizer.normalize_str

    def normalize_chunk(lines: Sequence[str]) -> str:
        joined = "\n".join(lines)
        # tokenizers' Prepend leaves an empty string alone; the empty line's normalization is empty
        return normalize_str(joined) if joined else "\n".join(["", *lines])

    return normalize_chunk


def _normalized_chunk(normalize_chunk, lines: Sequence[str], given: bool = False) -> list[str]:
    """Each line's normalization, its tokens still separated by runs of whitespace (``given``: by
    a tokenizer the caller gave, whose normalizer may not be a newspairs normalization at all)."""
    # the layout (first rules) puts a line break before the text: drop what precedes it
    out = normalize_chunk(lines).split("\n")[1:]
    if len(out) != len(lines):
        if given:  # checked here, not up front: a line count costs nothing, a normalizer's state does
            raise ValueError(f"{NOT_A_NORMALIZATION}: it does not keep lines apart as the layout passes do "
                             f"(lines in: {len(lines)}, out: {len(out)})")
        raise RuntimeError(f"normalizer changed the line count ({len(lines)} -> {len(out)})")  # our rules never do
    return out


def _normalized_chunks(lines: Iterable[str], tokenizer: Tokenizer | None) -> Iterator[list[str]]:
    # the default lays lines out itself and skips, per chunk, passes that cannot fire there
    # (the full normalizer's output, byte for byte: tested)
    normalize_chunk = _tokenizer_normalize_chunk(tokenizer) if tokenizer is not None else _default_normalize_chunk
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
            yield _normalized_chunk(normalize_chunk, chunk, tokenizer is not None)
            chunk, size = [], 0
    if chunk:
        yield _normalized_chunk(normalize_chunk, chunk, tokenizer is not None)


def _normalized_lines_whole(lines: Iterable[str], tokenizer: Tokenizer | None) -> Iterator[str]:
    for out in _normalized_chunks(lines, tokenizer):
        yield from (" ".join(line.split()) for line in out)


def normalized_text_whole(text: str) -> str:
    """``text``'s normalization by the rule table, the whole-text way, no piece kept: what pieces
    are normalized by (`newspairs.pieces`), in chunks of whole lines of about `CHARACTERS_PER_CALL`
    characters whatever their number, the words of each line joined by single spaces at the end."""
    normalize_str = _default_normalizer().normalize_str
    parts = []
    for chunk in line_slices(text, CHARACTERS_PER_CALL):
        # laid out as lay_out() does the chunk's lines; the layout puts a line break before the text
        out = normalize_str(LAID_OUT_START + chunk.replace("\n", LAID_OUT_BREAK) + LAID_OUT_END).lower()
        out = out[out.index("\n") + 1 :]
        if out.count("\n") != chunk.count("\n"):  # the rules never add or remove a line break
            raise RuntimeError(f"normalizer changed the line count ({chunk.count(chr(10))} -> {out.count(chr(10))} breaks)")
        parts.append(_single_spaced(out))
    return "\n".join(parts)


def _normalized_line_whole(line: str) -> str:
    """One line's normalization by the rule table, the whole-text way (a line: no line break)."""
    out = _default_normalize_chunk([line])
    # the layout puts a line break before the text; the rules never add or remove one
    if out.count("\n") != 1:
        raise RuntimeError(f"normalizer changed the line count (1 -> {out.count(chr(10))})")
    return " ".join(out[out.index("\n") + 1 :].split())


def line_slices(text: str, size: int) -> Iterator[str]:
    """``text`` in slices of whole lines, each running to the first line break at or after ``size``
    characters from its start (the breaks between slices left out; an empty text is one slice)."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start + size)
        end = len(text) if end < 0 else end
        yield text[start:end]
        start = end + 1


def _single_spaced(text: str) -> str:
    """``"\\n".join(" ".join(line.split()) for line in text.split("\\n"))``, without a loop over
    the lines where ``text`` holds no whitespace but spaces and line breaks."""
    if other_whitespace_in(text):
        return "\n".join(" ".join(line.split()) for line in text.split("\n"))
    return " ".join(filter(None, text.split(" "))).replace(" \n", "\n").replace("\n ", "\n")


def _normalized_text(text: str) -> str:
    """The default path's normalization of ``text``, by pieces, in slices of whole lines of about
    `CHARACTERS_PER_CUT` characters (so that a piece repeated within a slice is mostly found kept)."""
    if len(text) <= CHARACTERS_PER_CUT:
        return _normalized_slice(text)
    return "\n".join(map(_normalized_slice, line_slices(text, CHARACTERS_PER_CUT)))


def _normalized_slice(text: str) -> str:
    if cut_mode not in CUT_MODES:
        raise ValueError(f"newspairs.normalize.cut_mode must be one of {CUT_MODES}, got {cut_mode!r}")
    if cut_mode == "whole" or (cut_mode == "adaptive" and not _PIECES.worth_cutting(text)):
        return "\n".join(_normalized_lines_whole(text.split("\n"), None))
    out = _PIECES.normalize(text)
    if out is None:  # a line that cannot be cut: the others still go by pieces
        lines = text.split("\n")
        cut = [text_pieces(line) is not None for line in lines]
        by_pieces = _PIECES.normalize("\n".join(compress(lines, cut))) if any(cut) else ""
        if by_pieces is None:  # lines cut one by one are cut together (a cut never looks across lines)
            raise RuntimeError("lines that can be cut into pieces one by one were not together")
        cut_lines = iter(by_pieces.split("\n"))
        whole_lines = _normalized_lines_whole([line for line, ok in zip(lines, cut) if not ok], None)
        out = "\n".join(next(cut_lines) if ok else next(whole_lines) for ok in cut)
    return out


def _normalized_texts(texts: list[str]) -> list[str]:
    """The default path's normalization of each text (each may hold several lines)."""
    if len(texts) == 1 and cut_mode == "adaptive" and len(texts[0]) <= SHORT_LINE and "\n" not in texts[0]:
        out = _PIECES.normalize_kept(texts[0])
        return [out if out is not None else _normalized_line_whole(texts[0])]
    out = _normalized_text("\n".join(texts))
    if len(texts) == 1:
        return [out]
    counts = list(map(str.count, texts, repeat("\n")))
    lines = out.split("\n")
    if not any(counts):
        return lines
    result, start = [], 0
    for n in counts:
        result.append(lines[start] if not n else "\n".join(lines[start : start + n + 1]))
        start += n + 1
    return result


def _checked_lines(chunk: list[str], first: int) -> list[str]:
    """``chunk``'s lines without a trailing line break each; a ValueError for a line holding another,
    or one that is not text (``first``: the number of the chunk's first line, from 0)."""
    try:
        if "\n".join(chunk).count("\n") == len(chunk) - 1:
            return chunk
    except TypeError:
        checked_texts(chunk, "normalize_lines()", first, "line")
    chunk = [line[:-1] if line.endswith("\n") else line for line in chunk]
    for number, line in enumerate(chunk, first):
        if "\n" in line:
            raise ValueError(f"normalize_lines(): line {number} holds a line break: {line!r:.200}")
    return chunk


def normalize_lines(lines: Iterable[str], tokenizer: Tokenizer | None = None) -> Iterator[str]:
    """Normalize an iterable of lines lazily, one output line per input line (memory stays flat).

    Each line must hold no ``"\\n"``; a trailing ``"\\n"`` (as from a file) is removed first.
    """
    if isinstance(lines, str):
        raise ValueError(f"normalize_lines() takes lines (an iterable of str, such as an open file), got one str: "
                         f"{lines!r:.80} (normalize(text) takes a text of many lines)")
    if (problem := _not_a_batch(lines)) is not None:
        raise ValueError(f"normalize_lines() takes lines (an iterable of str, such as an open file), got {problem}")
    # checked here, at the call, not at the first line read: the lines themselves are read lazily
    return _normalized_lines(iter(lines), checked_tokenizer(tokenizer, "normalize_lines()"))


def _normalized_lines(lines: Iterator[str], tokenizer: Tokenizer | None) -> Iterator[str]:
    first = 0
    while chunk := list(islice(lines, LINES_PER_CUT)):
        chunk = _checked_lines(chunk, first)
        try:
            if tokenizer is not None:
                out = list(_normalized_lines_whole(chunk, tokenizer))
            else:
                out = _normalized_text("\n".join(chunk)).split("\n")
        except UnicodeEncodeError as error:
            raise (unencodable_text(chunk, "normalize_lines()", first, "line") or error) from None
        if len(out) != len(chunk):  # the rules never add or remove a line break; guard the invariant
            raise RuntimeError(f"normalizer changed the line count ({len(chunk)} -> {len(out)})")
        first += len(chunk)
        yield from out


def normalize(text: str, tokenizer: Tokenizer | None = None) -> str:
    """Normalize a raw article: the same number of lines, empty lines kept, no trailing spaces.

    ``tokenizer`` defaults to the one built from the rule table; pass one loaded from a
    ``tokenizer.json`` to normalize with that file's normalizer instead.
    """
    if not isinstance(text, str):
        raise ValueError(f"normalize() takes a str, got {type(text).__name__}: {text!r:.80}")
    tokenizer = checked_tokenizer(tokenizer, "normalize()")
    try:
        if tokenizer is None:
            return _normalized_texts([text])[0]
        return "\n".join(_normalized_lines_whole(text.split("\n"), tokenizer))
    except UnicodeEncodeError as error:
        raise (unencodable_text([text], "normalize()") or error) from None


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
    texts = checked_texts(texts, "normalize_batch()")
    tokenizer = checked_tokenizer(tokenizer, "normalize_batch()")
    try:
        return _normalized_batch(texts, tokenizer)
    except UnicodeEncodeError as error:
        raise (unencodable_text(texts, "normalize_batch()") or error) from None


def _normalized_batch(texts: list[str], tokenizer: Tokenizer | None) -> list[str]:
    if tokenizer is None:
        return [out for start in range(0, len(texts), LINES_PER_CUT) for out in _normalized_texts(texts[start : start + LINES_PER_CUT])]
    lines, counts = _lines_of(texts)
    normalized = list(_normalized_lines_whole(lines, tokenizer))
    out, start = [], 0
    for count in counts:
        out.append("\n".join(normalized[start : start + count]))
        start += count
    return out


def normalized_words_batch(texts: Sequence[str], tokenizer: Tokenizer | None = None) -> list[list[str]]:
    """The tokens of each article's normalization, all its lines' in order.

    ``normalized_words_batch(texts)[i] == normalize_batch(texts)[i].split()`` (for `newspairs.feed`,
    which wants the tokens).
    """
    return list(map(str.split, normalize_batch(texts, tokenizer)))


def tokens_with_offsets(line: str, tokenizer: Tokenizer | None = None) -> list[tuple[str, tuple[int, int]]]:
    """Each normalized token of ``line`` with the ``(start, end)`` character span of ``line`` it came from.

    ``line[start:end]`` is the raw text the token was made from (the token itself may differ: it is
    lowercased, and a straight double quote becomes ````` or ``''``).
    """
    if not isinstance(line, str):
        raise ValueError(f"tokens_with_offsets() takes a str, got {type(line).__name__}: {line!r:.80}")
    if "\n" in line:
        raise ValueError(f"tokens_with_offsets() takes one line, got a line break in {line!r:.80}")
    if (problem := unencodable_text([line], "tokens_with_offsets()")) is not None:
        raise problem
    tokenizer = checked_tokenizer(tokenizer, "tokens_with_offsets()") or default_tokenizer()
    missing = [part for part in ("normalizer", "pre_tokenizer") if getattr(tokenizer, part) is None]
    if missing:  # skip_normalization()'s tokenizer, a GPT-style BPE: no spans of a normalization to give
        raise ValueError(f"the tokenizer has no {' and no '.join(missing)}, so it is no newspairs normalization: "
                         "give tokens_with_offsets a tokenizer of newspairs (load_tokenizer()), or none")
    pretokenized = PreTokenizedString(line)
    pretokenized.normalize(tokenizer.normalizer.normalize)
    tokenizer.pre_tokenizer.pre_tokenize(pretokenized)
    return [
        (token, offsets)
        for token, offsets, _ in pretokenized.get_splits(offset_referential="original", offset_type="char")
    ]


# names that moved to newspairs.pieces, importable from here as documented before
_MOVED = {"text_pieces": "newspairs.pieces", "normalized_words_of_pieces": "newspairs.pieces"}


def __getattr__(name: str):
    if name in _MOVED:
        return getattr(import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
