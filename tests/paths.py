"""Every path from raw text that newspairs offers, each checked against the NLTK reference.

For the tests and `scripts/fuzz_normalize.py`. A path is checked on a batch of texts and gives, per
text, None where it agrees with the reference, or what it gave instead (an exception it raised is
a disagreement too). The paths:

- ``normalize`` / ``normalize-warm``: `newspairs.normalize_batch` with the default path's kept
  pieces forgotten first (each new piece normalized in this batch), then the same batch again
  (every piece looked up: `newspairs.pieces.PieceCache`), every slice cut into pieces (``cut_mode``
  "pieces": whatever the adaptive choice would do).
- ``normalize-default``: the same with the default, adaptive choice (`PieceCache.worth_cutting`)
  from a cold cache, then the batch again (each slice goes the way the choice takes it), and with
  every slice normalized whole (``cut_mode`` "whole"); and `newspairs.normalize` text by text, from a
  cold cache, then again once the new pieces of short lines, left waiting, are learned: all must
  give the reference.
- ``pieces``: the text cut into pieces (`newspairs.pieces.text_pieces`), the distinct pieces of the
  batch normalized in reverse order (`normalized_words_of_pieces`): their words in turn.
- ``tokenizer.json``: the shipped ``tokenizer.json`` loaded alone (``Tokenizer.from_file``), its
  normalizer and pre-tokenizer: the words.
- ``encode_batch``: that tokenizer's ``encode_batch`` of the raw text, against its own model on
  the reference's normalized text (`newspairs.skip_normalization`).
- ``encoder-first-epoch`` / ``encoder-later-epoch``: a new `newspairs.Encoder` of the shipped
  tokenizer (pieces and words learned in this batch), then the same one again on the batch in
  reverse order (every piece kept).
- ``offsets``: `newspairs.tokens_with_offsets` of each line: the reference's tokens, and each
  token's span gives back the raw text it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import contextmanager
from functools import lru_cache
from importlib import import_module

from tokenizers import Tokenizer

import newspairs
from newspairs.normalize import clear_piece_cache
from newspairs.pieces import normalized_words_of_pieces, text_pieces
from newspairs.train import DEFAULT_TOKENIZER_DIR

PATHS = (
    "normalize", "normalize-warm", "normalize-default", "pieces", "tokenizer.json", "encode_batch", "encoder-first-epoch", "encoder-later-epoch", "offsets",
)
QUOTE_TOKENS = ("``", "''")
_normalize_module = import_module("newspairs.normalize")  # (the package's `normalize` is the function)


@lru_cache(maxsize=1)
def shipped_tokenizer_file() -> Tokenizer:
    """The shipped ``tokenizer.json`` and nothing else: what a user holding only that file loads."""
    return Tokenizer.from_file(str(DEFAULT_TOKENIZER_DIR / "tokenizer.json"))


@lru_cache(maxsize=1)
def _words_to_ids() -> Tokenizer:
    return newspairs.skip_normalization(shipped_tokenizer_file())


def words_by_pieces(texts: Sequence[str]) -> list[list[str] | None]:
    """Each text's words made piece by piece (None for a text not cut into pieces); the distinct
    pieces in reverse order, so a piece's words must not depend on its neighbours."""
    pieces_of_texts = list(map(text_pieces, texts))
    distinct = list(dict.fromkeys(p for pieces in pieces_of_texts if pieces is not None for p in pieces))[::-1]
    words = dict(zip(distinct, normalized_words_of_pieces(distinct), strict=True))
    return [None if pieces is None else [w for p in pieces for w in words[p]] for pieces in pieces_of_texts]


def span_problem(line: str, pairs: list[tuple[str, tuple[int, int]]], expected: str) -> str | None:
    """What is wrong with ``tokens_with_offsets(line)`` given the reference's ``expected``, or None."""
    tokens = [token for token, _ in pairs]
    if tokens != (expected.split(" ") if expected else []):
        return f"tokens {' '.join(tokens)!r}"
    previous_end = 0
    for token, (start, end) in pairs:
        if not 0 <= start < end <= len(line):
            return f"{token!r} spans {start}:{end}, outside the line"
        if start < previous_end:
            return f"{token!r} at {start} overlaps the previous token (ends at {previous_end})"
        previous_end = end
        raw = line[start:end]
        if token in QUOTE_TOKENS and raw in ('"', "''"):
            continue  # the one rewrite beyond case: a straight double quote (or '') becomes `` or ''
        if token == "``" and raw == "'" and line[start - 1 : end] == "''":
            continue  # an opened '' spans its second apostrophe only
        if raw.lower() != token:
            return f"token {token!r} spans {raw!r} ({start}:{end})"
    return None


def _by_text(check: Callable[[list[str], list[str]], list[str | None]]):
    """``check`` on the batch; if it raises, text by text, an exception being that text's result."""

    def checked(texts: list[str], expected: list[str]) -> list[str | None]:
        try:
            return check(texts, expected)
        except Exception:  # noqa: BLE001 - find the culprits one by one
            out: list[str | None] = []
            for text, want in zip(texts, expected):
                try:
                    out.extend(check([text], [want]))
                except Exception as error:  # noqa: BLE001 - a crash is a divergence too
                    out.append(f"<{type(error).__name__}: {error}>")
            return out

    return checked


def _differs(got, want, shown: Callable = str) -> str | None:
    return None if got == want else shown(got)


@contextmanager
def cut_mode(mode: str):
    """The default path's slices cut into pieces as ``mode`` says (`newspairs.normalize.cut_mode`)."""
    before, _normalize_module.cut_mode = _normalize_module.cut_mode, mode
    try:
        yield
    finally:
        _normalize_module.cut_mode = before


def _normalize_cold_and_warm(texts: list[str], mode: str = "pieces") -> tuple[list[str], list[str]]:
    with cut_mode(mode):
        clear_piece_cache()
        cold = newspairs.normalize_batch(texts)
        return cold, newspairs.normalize_batch(texts)


@_by_text
def _normalize(texts, expected):
    return [_differs(got, want, repr) for got, want in zip(_normalize_cold_and_warm(texts)[0], expected)]


@_by_text
def _normalize_warm(texts, expected):
    return [_differs(got, want, repr) for got, want in zip(_normalize_cold_and_warm(texts)[1], expected)]


@_by_text
def _normalize_default(texts, expected):
    cold, warm = _normalize_cold_and_warm(texts, "adaptive")
    whole = _normalize_cold_and_warm(texts, "whole")[0]
    alone_cold, alone_warm = _normalize_one_at_a_time(texts)
    return [
        next((_differs(got, want, repr) for got in ways if got != want), None)
        for *ways, want in zip(cold, warm, whole, alone_cold, alone_warm, expected)
    ]


def _normalize_one_at_a_time(texts: list[str]) -> tuple[list[str], list[str]]:
    """`newspairs.normalize` text by text, the default choice, from a cold cache (a short line's new
    pieces wait: `PieceCache.normalize_kept`); then again once the waiting pieces are learned."""
    with cut_mode("adaptive"):
        clear_piece_cache()
        cold = list(map(newspairs.normalize, texts))
        _normalize_module._PIECES.learn_pending()
        return cold, list(map(newspairs.normalize, texts))


@_by_text
def _pieces(texts, expected):
    return [
        None if words is None else _differs(words, want.split(), " ".join)
        for words, want in zip(words_by_pieces(texts), expected)
    ]


@_by_text
def _tokenizer_json(texts, expected):
    tok = shipped_tokenizer_file()
    normalize_str, pre_tokenize_str = tok.normalizer.normalize_str, tok.pre_tokenizer.pre_tokenize_str
    return [
        _differs([w for w, _ in pre_tokenize_str(normalize_str(text))], want.split(), " ".join)
        for text, want in zip(texts, expected)
    ]


class _Expected(list):
    """The reference's normalized texts, with their ids under the shipped model, made once per batch."""

    @property
    def ids(self) -> list[list[int]]:
        if "_ids" not in self.__dict__:
            self._ids = [e.ids for e in _words_to_ids().encode_batch_fast(list(self))]
        return self._ids


def _expected_ids(expected: list[str]) -> list[list[int]]:
    return expected.ids if isinstance(expected, _Expected) else _Expected(expected).ids


def _tokens(ids: list[int]) -> str:
    return " ".join(map(str, map(shipped_tokenizer_file().id_to_token, ids)))


@_by_text
def _encode_batch(texts, expected):
    got = [e.ids for e in shipped_tokenizer_file().encode_batch_fast(texts)]
    return [_differs(g, w, _tokens) for g, w in zip(got, _expected_ids(expected))]


def _encoder_epochs(texts: list[str], expected: list[str]) -> tuple[list[str | None], list[str | None]]:
    want = _expected_ids(expected)
    encoder = newspairs.Encoder(shipped_tokenizer_file())
    first = encoder.ids(texts)
    later = encoder.ids(texts[::-1])[::-1]
    return (
        [_differs(g, w, _tokens) for g, w in zip(first, want)],
        [_differs(g, w, _tokens) for g, w in zip(later, want)],
    )


@_by_text
def _encoder_first(texts, expected):
    return _encoder_epochs(texts, expected)[0]


@_by_text
def _encoder_later(texts, expected):
    return _encoder_epochs(texts, expected)[1]


@_by_text
def _offsets(texts, expected):
    out = []
    for text, want in zip(texts, expected):
        problems = (
            span_problem(line, newspairs.tokens_with_offsets(line), want_line)
            for line, want_line in zip(text.split("\n"), want.split("\n"), strict=True)
        )
        out.append(next((p for p in problems if p is not None), None))
    return out


CHECKS = {
    "normalize": _normalize,
    "normalize-warm": _normalize_warm,
    "normalize-default": _normalize_default,
    "pieces": _pieces,
    "tokenizer.json": _tokenizer_json,
    "encode_batch": _encode_batch,
    "offsets": _offsets,
}
assert set(CHECKS) | {"encoder-first-epoch", "encoder-later-epoch"} == set(PATHS)


def check_paths(texts: Sequence[str], expected: Sequence[str], paths: Sequence[str] = PATHS) -> dict[str, list[str | None]]:
    """For each path, for each text: None where it gives the reference's ``expected``, else what it gave."""
    texts, expected = list(texts), _Expected(expected)
    out = {path: CHECKS[path](texts, expected) for path in paths if path in CHECKS}
    if "encoder-first-epoch" in paths or "encoder-later-epoch" in paths:
        try:
            first, later = _encoder_epochs(texts, expected)
        except Exception:  # noqa: BLE001 - text by text, as the other paths
            first, later = _encoder_first(texts, expected), _encoder_later(texts, expected)
        for path, results in (("encoder-first-epoch", first), ("encoder-later-epoch", later)):
            if path in paths:
                out[path] = results
    return {path: out[path] for path in paths}
