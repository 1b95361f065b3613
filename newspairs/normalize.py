"""The public normalization: raw text in, its normalized twin out, line for line; and offsets.

Everything here drives the tokenizer from `newspairs.tokenizer`; nothing re-implements a rule. The
default path ends with the reference's own last step, ``str.lower()``, in place of the passes that
reproduce it in tokenizers.
Lines are separated by ``"\\n"``; each line's normalization is the reference
``" ".join(TreebankWordTokenizer().tokenize(line)).lower()``.

The cut of a text into pieces normalized in their place, which the `Encoder` keeps, is
`newspairs.pieces`'s (``text_pieces`` and ``normalized_words_of_pieces`` are still importable from
here).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from importlib import import_module
from itertools import chain

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


# names that moved to newspairs.pieces, importable from here as documented before
_MOVED = {"text_pieces": "newspairs.pieces", "normalized_words_of_pieces": "newspairs.pieces"}


def __getattr__(name: str):
    if name in _MOVED:
        return getattr(import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
