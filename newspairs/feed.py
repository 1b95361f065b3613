"""Feeding model training from raw text: encoding batches, packing blocks, padding, PyTorch loading.

Everything here drives a trained tokenizer whose normalizer and pre-tokenizer are the newspairs
normalization (`newspairs.load_tokenizer()`, or any tokenizer trained on top of
`newspairs.build_tokenizer()`): raw text goes in, ids come out. With this installation's rule
table, each distinct space-separated piece of the text is normalized once (skipping the passes that
cannot fire) and each word's ids are asked of the model once (`newspairs.pieces`); otherwise, and for
offsets, `tokenizers`' batched, parallel ``encode_batch`` does everything. Both give the same ids
(tested).

- `Encoder` / `encode`: a batch function for ``Dataset.map(batched=True)``, ``set_transform`` and
  ``with_transform``, and for ``IterableDataset.map``.
- `pack`: concatenate documents with the separator and cut fixed-length blocks, on `Dataset` and
  on streaming `IterableDataset` (in ``num_shards`` groups that ``split_dataset_by_node`` and
  DataLoader workers share out).
- `PadCollator`, `dataloader`: PyTorch batches. torch is imported only when these are used.
- Forked processes (DataLoader workers, ``map(num_proc=...)``) encode sequentially: see
  `encode_sequentially_in_forked_children`, registered by `newspairs.tokenizer` (imported by
  ``import newspairs``).
- `skip_normalization`: the same tokenizer minus the normalization, for text that is already
  normalized (what "encoding the stored normalized side" means).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from itertools import repeat
from typing import TYPE_CHECKING, Any

from tokenizers import Tokenizer, pre_tokenizers

from newspairs.normalize import checked_texts, default_tokenizer, normalize_batch, unencodable_text
from newspairs.pieces import WordIds, call_time_state, with_call_time_state
from newspairs.stamp import EARLIER_NORMALIZERS
from newspairs.train import MAX_LENGTH, PAD_TOKEN, SEP_TOKEN, is_flag, is_whole_number, load_tokenizer, special_tokens_as_text
from newspairs.tokenizer import encode_sequentially_in_forked_children

# The fork guard is registered by newspairs.tokenizer; its documented name stays importable from here.
__all__ = [
    "PADDED_COLUMNS", "TEXT_COLUMN", "AddedTokensWarning", "Encoder", "PadCollator", "added_words", "dataloader", "encode",
    "encode_sequentially_in_forked_children", "normalizes_like_this_installation", "pack", "pack_ids", "pad_id_of",
    "skip_normalization", "special_token_id", "truncation_of",
]

if TYPE_CHECKING:
    import datasets
    import torch

TEXT_COLUMN = "raw"
# The most ids a row, a block or a padded width may have: an Arrow list (a stored row of ids, pack's
# block) holds at most this many, and a larger number was an OverflowError deep in datasets or torch
# (load_tokenizer's max_length has the same bound).
LONGEST_ROW = MAX_LENGTH
# The largest id (and type id), and why: what a pad or separator id may be.
LARGEST_ID = 2**32 - 1
ID_BOUND = "a tokenizers id is a 32-bit unsigned int"
DATALOADER_BATCH_SIZE = 32
# Texts handed to one encode_batch call while packing: enough to keep both of tokenizers' threads
# busy, small enough that a streaming pipeline yields its first block quickly.
PACK_TEXTS_PER_CALL = 256


class AddedTokensWarning(UserWarning):
    """The tokenizer's own ``encode_batch`` will not give the normalized side's ids for its added tokens."""


def added_words(tokenizer: Tokenizer) -> list[str]:
    """The contents of ``tokenizer``'s added tokens that are not special (``add_tokens``)."""
    return [token.content for token in tokenizer.get_added_tokens_decoder().values() if not token.special]


def _resolve(tokenizer: Tokenizer | None) -> Tokenizer:
    if tokenizer is None:
        return load_tokenizer()
    if not isinstance(tokenizer, Tokenizer):
        hint = (" (a transformers tokenizer: pass its .backend_tokenizer)" if hasattr(tokenizer, "backend_tokenizer")
                else " (a folder or tokenizer.json: load it with newspairs.load_tokenizer(path))")
        raise ValueError(f"expected a tokenizers.Tokenizer, got {type(tokenizer).__name__} {tokenizer!r:.80}{hint}")
    return tokenizer


def _copy(tokenizer: Tokenizer) -> Tokenizer:
    # from_str drops what to_str leaves out (encode_special_tokens, a unigram model's sampling),
    # which changes the ids: set it again (`call_time_state`)
    return with_call_time_state(Tokenizer.from_str(tokenizer.to_str()), call_time_state(tokenizer))


def _count(value: Any, name: str, low: int = 1, *, optional: bool = False, high: int | None = LONGEST_ROW,
           why: str = "the most ids an Arrow list holds") -> int | None:
    """``value`` as an int from ``low`` to ``high`` (None: no bound) or None if ``optional``; else a
    ValueError naming ``name``."""
    if optional and value is None:
        return None
    # bool is an int to Python, and a float (100.0, NaN) no count: both failed later, naming nothing
    if not is_whole_number(value) or value < low:
        what = "a positive int" if low == 1 else f"an int >= {low}"
        raise ValueError(f"{name} must be {what}{' or None' if optional else ''}, got {value!r:.80}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high} ({why}), got {value!r:.80}")
    return int(value)  # a numpy int, as a plain one


def _flag(value: Any, name: str) -> bool:
    # a truthy "no" or "max_length" would turn the option on
    if not is_flag(value):
        raise ValueError(f"{name} must be True or False, got {value!r:.80}")
    return bool(value)


def _column_name(value: Any, name: str) -> str:
    if not isinstance(value, str):  # a list was "unhashable type: 'list'" at the first batch
        raise ValueError(f"{name} takes one column name (a str), got {value!r:.80}")
    return value


def _column_names(value: str | Iterable[str], name: str) -> tuple[str, ...]:
    # one str is that one column (as datasets' select_columns takes it), not its letters
    if isinstance(value, str):
        return (value,)
    try:
        names = tuple(value)
    except TypeError:  # a number, None: "'int' object is not iterable" named nothing
        raise ValueError(f"{name} takes column names (a str or a sequence of str), got {value!r:.80}") from None
    for column in names:
        if not isinstance(column, str):
            raise ValueError(f"{name} takes column names (a str or a sequence of str), got {column!r:.80} in {value!r:.80}")
    return names


def skip_normalization(tokenizer: Tokenizer | None = None) -> Tokenizer:
    """A copy of ``tokenizer`` for text that is already normalized: no normalizer, a plain space split.

    Normalized text is its tokens joined by single spaces, so this copy hands the model exactly
    the words that the full tokenizer's normalizer and pre-tokenizer make from the raw text. The
    normalization is not idempotent (a normalized ``''`` would become `` `` `` again), so encoding
    normalized text with the full tokenizer would be wrong.
    """
    copy = _copy(_resolve(tokenizer))
    copy.normalizer = None
    copy.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return copy


def _normalization_state(tokenizer: Tokenizer) -> tuple[bytes | None, bytes | None]:
    # the components' own serialized JSON: about a millisecond, without the vocabulary
    parts = (tokenizer.normalizer, tokenizer.pre_tokenizer)
    return tuple(None if part is None else part.__getstate__() for part in parts)


@lru_cache(maxsize=1)
def _installed_normalization_state() -> tuple[bytes | None, bytes | None]:
    return _normalization_state(default_tokenizer())


def normalizes_like_this_installation(tokenizer: Tokenizer) -> bool:
    """Whether ``tokenizer``'s normalizer and pre-tokenizer are those of this installation's rule table
    (its normalizer this compilation's, or an earlier one of the same normalization: `EARLIER_NORMALIZERS`)."""
    (normalizer, pre_tokenizer), (installed, installed_pre_tokenizer) = _normalization_state(tokenizer), _installed_normalization_state()
    if pre_tokenizer != installed_pre_tokenizer or normalizer is None:
        return False
    return normalizer == installed or hashlib.sha256(normalizer).hexdigest() in EARLIER_NORMALIZERS


def special_token_id(tokenizer: Tokenizer, token: str, role: str) -> int:
    """The id of ``token`` in ``tokenizer``'s vocabulary; a ValueError naming the role if it is absent."""
    if not isinstance(token, str):  # tokenizers' TypeError named neither
        raise ValueError(f"the {role} token is a str, such as {SEP_TOKEN!r}, got {token!r:.80}")
    token_id = tokenizer.token_to_id(token)
    if token_id is None:
        specials = sorted(t for t in tokenizer.get_vocab() if t.startswith(("[", "<")))[:10]
        raise ValueError(
            f"the tokenizer has no {role} token {token!r} (special-looking tokens it has: {specials}); "
            f"pass the {role} token it uses"
        )
    return token_id


def truncation_of(tokenizer: Tokenizer) -> int | None:
    """The ``max_length`` of ``tokenizer``'s own truncation (None without one), if newspairs can honour it.

    Newspairs truncates on the right and returns one row per text; a truncation on the left, or one
    with a ``stride`` (which only shapes the overflowing windows newspairs never returns), is a
    ValueError rather than a different truncation than the tokenizer says.
    """
    truncation = tokenizer.truncation
    if not truncation:
        return None
    fix = "pass max_length= to truncate the end, or call tokenizer.no_truncation()"
    if truncation.get("direction", "right") != "right":
        raise ValueError(f"the tokenizer truncates on the {truncation['direction']} ({truncation}), which newspairs does not do: {fix}")
    if truncation.get("stride"):
        raise ValueError(
            f"the tokenizer truncates with stride={truncation['stride']} ({truncation}), asking for overlapping "
            f"overflow windows, which newspairs does not return: {fix}"
        )
    return truncation["max_length"]


class _TableColumns(Mapping):
    """A pyarrow Table's columns by name (a batch of ``map`` over a dataset in the ``arrow`` format),
    each read into a Python list when first asked for: the values ``to_pylist()`` gives, exactly."""

    def __init__(self, table: Any) -> None:
        self._table = table
        self._names = table.column_names
        self._read: dict[str, list] = {}

    def __getitem__(self, name: str) -> list:
        if name not in self._read:
            if name not in self._names:
                raise KeyError(name)
            self._read[name] = self._table.column(name).to_pylist()
        return self._read[name]

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def table_of(self, out: dict[str, list], kept: tuple[str, ...]) -> Any:
        """This table with ``out``'s encoded columns after its own, as a pyarrow Table: what ``map``
        over the ``python`` format makes of the dict it is given back, merged with the batch.
        `datasets` takes a Table a function returns as the whole batch (it merges a dict only), so
        the batch's own columns are in it; the encoded ones are typed as datasets types them from lists."""
        import pyarrow as pa

        # the types datasets gives these columns from Python lists (its `OptimizedTypedSequence`)
        types = {"input_ids": pa.list_(pa.int32()), "attention_mask": pa.list_(pa.int8()),
                 "offset_mapping": pa.list_(pa.list_(pa.int64()))}
        columns = {name: self._table.column(name) for name in self._names}
        columns.update({name: pa.array(values, type=types[name]) for name, values in out.items() if name not in kept})
        return pa.table(columns)


def _columns_of(batch: Any) -> Any:
    """A batch that is no mapping, as its columns by name; a ValueError for what is no batch."""
    import datasets
    import pyarrow as pa

    if isinstance(batch, (pa.Table, pa.RecordBatch)):
        return _TableColumns(batch)
    if isinstance(batch, (datasets.Dataset, datasets.IterableDataset)):
        # `column in dataset` read every row, and sorting the rows failed
        raise ValueError(
            f"the Encoder takes a batch (a dict of columns, as map(batched=True) hands it), got a whole "
            f"{type(batch).__name__} of columns {batch.column_names}: use dataset.map(encoder, batched=True), "
            f"or pass a batch, encoder(dataset[:n])"
        )
    if hasattr(batch, "columns") and hasattr(batch, "__getitem__"):
        return batch  # a DataFrame (the pandas or polars format): its columns by name
    raise ValueError(
        f"the Encoder takes a batch (a dict of columns, as map(batched=True) hands it), got {type(batch).__name__}: {batch!r:.80}"
    )


def _is_dataset_dict(value: Any) -> bool:
    import datasets

    return isinstance(value, (datasets.DatasetDict, datasets.IterableDatasetDict))


def _names_of(batch: Mapping) -> list:
    names = list(batch)
    try:
        return sorted(names)
    except TypeError:  # names of several types
        return names


@dataclass
class Encoder:
    """Raw text in, ids out: a picklable batch function for ``map(batched=True)`` and ``set_transform``.

    ``ds.map(Encoder(tok), batched=True)`` adds ``input_ids`` and ``attention_mask`` (and
    ``offset_mapping``) columns; ``ds.set_transform(Encoder(tok, keep=("label",)))`` encodes
    on access instead, returning only the encoded columns and the kept ones.

    Args:
        tokenizer (`tokenizers.Tokenizer`, *optional*): a trained tokenizer whose normalizer and
            pre-tokenizer are the newspairs normalization; defaults to `newspairs.load_tokenizer()`.
        column (`str`, defaults to `"raw"`): the text column to encode.
        max_length (`int`, *optional*): truncate the end of each encoding to this many ids (special
            tokens included). By default, the tokenizer's own truncation
            (``load_tokenizer(max_length=...)``, ``enable_truncation``; `truncation_of`), else none.
        padding (`bool`, defaults to `False`): `True` pads each batch as the tokenizer's own padding
            set-up says, else to its longest encoding with ``[PAD]`` (for training batches, pad in
            `PadCollator` instead, per training batch). Anything but `True` or `False` (such as
            transformers' ``"max_length"``) is a ValueError.
        offsets (`bool`, defaults to `False`): also return ``offset_mapping``, each id's
            ``(start, end)`` character span in the raw text (``(0, 0)`` for special tokens).
        special_tokens (`bool`, defaults to `True`): let the tokenizer's post-processor add its
            special tokens (e.g. ``[CLS] ... [SEP]``).
        keep (`tuple[str, ...]`, defaults to `()`): columns passed through unchanged, for
            ``set_transform``, whose output replaces the whole row; one str is that one column.
        skip_passes (`bool`, defaults to `True`): when the tokenizer's normalization is this
            installation's rule table (`normalizes_like_this_installation`), normalize each
            distinct space-separated piece of the raw text once, leaving out the passes that cannot
            fire, and take each piece's and word's ids from `WordIds` (the model runs once per
            distinct word): the same ids, 2x (ISOT) to 4x (Reuters) faster in `scripts/bench_feed.py`.
            Otherwise, and with ``offsets``, the tokenizer's own ``encode_batch`` does everything
            (which does not find added tokens where the normalized side has them: see
            `AddedTokensWarning`). A model that cuts words at random at every call (BPE-dropout,
            unigram sampling: `newspairs.pieces.segments_at_random`) keeps no ids: each call asks it.

    A row that is not text (or holds a lone surrogate) is a ValueError naming it as the row of the
    batch (``row 500 of the batch``): an `Encoder` does not know where its batch sits in a dataset.
    """

    tokenizer: Tokenizer | None = None
    column: str = TEXT_COLUMN
    max_length: int | None = None
    padding: bool = False
    offsets: bool = False
    special_tokens: bool = True
    keep: tuple[str, ...] = ()
    skip_passes: bool = True
    _configured: Tokenizer = field(init=False, repr=False)
    _skipping: bool = field(init=False, repr=False)
    _words_to_ids: Tokenizer | None = field(init=False, repr=False)
    _word_ids: WordIds | None = field(init=False, repr=False)
    _padding: dict | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.max_length = _count(self.max_length, "max_length", optional=True)
        for name in ("padding", "offsets", "special_tokens", "skip_passes"):
            setattr(self, name, _flag(getattr(self, name), name))
        self.column = _column_name(self.column, "column")
        self.keep = _column_names(self.keep, "keep")
        tokenizer = _resolve(self.tokenizer)
        if self.max_length is None:
            self.max_length = truncation_of(tokenizer)
        specials = tokenizer.post_processor.num_special_tokens_to_add(False) if tokenizer.post_processor else 0
        if self.max_length is not None and self.special_tokens and self.max_length < specials:
            # tokenizers would leave such an encoding untruncated, silently
            raise ValueError(f"max_length {self.max_length} is shorter than the {specials} special ids the tokenizer adds")
        self._padding = self._padding_of(tokenizer) if self.padding else None
        self._configured = self._configure(tokenizer)
        self._skipping = self.skip_passes and not self.offsets and normalizes_like_this_installation(self._configured)
        if not self._skipping:
            self._warn_of_added_tokens(tokenizer)
        self._words_to_ids = None  # made when first needed: a copy costs tens of milliseconds
        self._word_ids = None
        if self._skipping:
            # from the configured copy: raw text that spells a special token ("eos" added as one)
            # is text on this path as on the others
            plain = skip_normalization(self._configured)
            plain.no_truncation()
            plain.no_padding()
            self._word_ids = WordIds.for_tokenizer(plain, self.special_tokens)

    def _warn_of_added_tokens(self, tokenizer: Tokenizer) -> None:
        # tokenizers matches an added token before normalizing (normalized=False: in the raw text,
        # which then is normalized piece by piece) or in its own normalization of the token, which
        # this normalization lays out as a line (' \n covid '): found only at a text's start
        words = added_words(tokenizer)
        if not words:
            return
        reason = "offsets=True" if self.offsets else "skip_passes=False" if not self.skip_passes else "another normalization"
        warnings.warn(
            f"the tokenizer has added tokens {words[:5]}{' ...' if len(words) > 5 else ''}: with {reason}, its own "
            "encode_batch encodes the raw text, and it does not find them where the normalized side has them "
            "(the ids differ from encoding the normalized text); the default path finds them as normalized words",
            AddedTokensWarning,
            stacklevel=4,  # the caller of Encoder(...)
        )

    def __getstate__(self) -> dict:
        # the copy made for `ids` is derived: leave it out, so a map fingerprint stays put. A
        # Tokenizer's pickle leaves out encode_special_tokens (as tokenizer.json does) and a unigram
        # model's sampling: carried beside it, or a copy in a worker would cut "[SEP]" out of raw
        # text as the separator's id
        return {**self.__dict__, "_words_to_ids": None, "_call_time_state": call_time_state(self._configured)}

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        call_time = state.pop("_call_time_state", None)
        self.__dict__.update(state)
        if call_time is None:
            special_tokens_as_text(self._configured)
        else:
            with_call_time_state(self._configured, call_time)

    @staticmethod
    def _padding_of(tokenizer: Tokenizer) -> dict:
        # the tokenizer's own padding set-up if it has one, else [PAD] to the longest, on the right
        if tokenizer.padding:
            return dict(tokenizer.padding)
        pad_id = special_token_id(tokenizer, PAD_TOKEN, "padding")
        return {"pad_id": pad_id, "direction": "right", "length": None, "pad_to_multiple_of": None}

    def _configure(self, tokenizer: Tokenizer) -> Tokenizer:
        # A copy, set up as asked whatever the caller's was (a truncation on the left, say, which
        # the default path's `WordIds` never does), and not changed by what the caller does to the
        # tokenizer later. Padding is done here, in Python (see `_pad`): the copy encodes unpadded;
        # and raw text that spells a special token is text, as on the normalized side.
        configured = special_tokens_as_text(_copy(tokenizer))
        configured.no_truncation()
        configured.no_padding()
        if self.max_length is not None:
            configured.enable_truncation(self.max_length)
        return configured

    def _pad(self, out: dict[str, list]) -> None:
        # The same rows as tokenizers' own padding, but padding a Python list costs less than
        # converting every padding id from Rust (measured: about 20% of the encode step on news
        # lines). The rows are this call's own lists, so they grow in place (each padding id is
        # written once, by `map` rather than a Python loop), and each mask is one slice of a list
        # of ones beside zeros: about half the time of building new rows (bench_feed's batches).
        spec = self._padding
        lengths = list(map(len, out["input_ids"]))
        width = spec["length"] or max(lengths, default=0)
        multiple = spec["pad_to_multiple_of"]
        if multiple and width % multiple:
            width += multiple - width % multiple
        left = spec["direction"] == "left"
        missing = [width - n for n in lengths]  # negative for a row longer than a fixed length: left as it is
        # row n's mask: (width - n) zeros then n ones on the left, n ones then zeros on the right
        window = [0] * width + [1] * width if left else [1] * width + [0] * width
        starts = lengths if left else missing
        out["attention_mask"] = [
            window[start : start + width] if n <= width else [1] * n for start, n in zip(starts, lengths)
        ]
        for name, fill in (("input_ids", spec["pad_id"]), ("offset_mapping", (0, 0))):
            if name not in out:
                continue
            fills = map(repeat, repeat(fill), missing)
            if left:
                for row, pad in zip(out[name], fills):
                    row[:0] = pad
            else:
                deque(map(list.extend, out[name], fills), maxlen=0)

    def encodings(self, texts: Sequence[str]) -> list:
        """The `tokenizers.Encoding` of each raw text, whole (tokens, offsets into the raw text,
        word_ids), unpadded: the tokenizer's own ``encode_batch``, truncated and with special tokens
        as this `Encoder` is set up, on every path (what ``offsets=True`` takes its ids from). Its
        ids are `ids`'s, but for added tokens (not special), which the tokenizer's own
        ``encode_batch`` does not find where the default path does (`AddedTokensWarning`). A row
        that is not text is a ValueError naming it, as in a batch."""
        where = "Encoder.encodings()"
        return self._named_failure(self._encodings, checked_texts(texts, where), where)

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """The ids of each raw text (a row that is not text is a ValueError naming it)."""
        where = "Encoder.ids()"
        return self._named_failure(self._ids, checked_texts(texts, where), where)

    @staticmethod
    def _named_failure(encode, texts: list[str], where: str, **named: Any) -> list:
        # texts already checked to be str: what tokenizers still refuses is a lone surrogate, with
        # a TypeError that names no row
        try:
            return encode(texts)
        except (UnicodeEncodeError, TypeError) as error:
            raise (unencodable_text(texts, where, **named) or error) from None

    def _encodings(self, texts: list[str]) -> list:
        return self._configured.encode_batch(texts, add_special_tokens=self.special_tokens)

    def _ids(self, texts: list[str]) -> list[list[int]]:
        if self._word_ids is not None:
            return self._word_ids.of_raw_texts(texts, self.max_length)
        # encode_batch_fast skips the offset bookkeeping (about 10% of the time on news lines)
        if self._skipping:  # the model asked at every call (segments_at_random, or no WordIds for it)
            if self._words_to_ids is None:
                self._words_to_ids = skip_normalization(self._configured)
            encodings = self._words_to_ids.encode_batch_fast(normalize_batch(texts), add_special_tokens=self.special_tokens)
        else:
            encodings = self._configured.encode_batch_fast(texts, add_special_tokens=self.special_tokens)
        return [e.ids for e in encodings]

    def __call__(self, batch: Mapping[str, Sequence[Any]]) -> dict[str, list]:
        return self.encode_rows(batch)

    def encode_rows(self, batch: Mapping[str, Sequence[Any]], rows: Sequence[int] | None = None) -> dict[str, list]:
        """Encode ``batch`` as the call does; ``rows``, the batch's row numbers in its dataset,
        name the row of an error (a caller that knows them: `dataloader`), not its place in the batch.

        ``batch`` is a dict of columns, a DataFrame (the ``pandas`` format), or a pyarrow Table (the
        ``arrow`` format), which gives a pyarrow Table back; a whole dataset is a ValueError."""
        if not isinstance(batch, Mapping):
            batch = _columns_of(batch)
        if self.column not in batch:
            if _is_dataset_dict(batch):  # its keys are splits, not columns
                raise ValueError(f"the Encoder takes a batch, got a {type(batch).__name__} of splits {list(batch)}: "
                                 f"use dataset.map(encoder, batched=True)")
            raise ValueError(f"the batch has no text column {self.column!r} (its columns: {_names_of(batch)})")
        where = f"column {self.column!r}"
        if isinstance(batch[self.column], str):  # map() without batched=True hands one row
            raise ValueError(f"{where} is one str, not a batch of texts (map with batched=True): {batch[self.column]!r:.80}")
        # an Encoder does not know where its batch sits in the dataset, unless told the rows
        named = {"rows": rows, "of": "" if rows is not None else " of the batch"}
        values = batch[self.column]
        if rows is not None and hasattr(values, "__len__") and len(rows) != len(values):
            # a bad row would have been an IndexError, or named by another row's number
            raise ValueError(
                f"encode_rows() got {len(rows)} row numbers (rows) for the batch's {len(values)} texts: {rows!r:.80}"
            )
        texts = checked_texts(values, where, **named)
        if self.offsets:
            encodings = self._named_failure(self._encodings, texts, where, **named)
            ids = [e.ids for e in encodings]
        else:
            ids = self._named_failure(self._ids, texts, where, **named)
        # each mask is made here: cheaper than converting it from Rust
        out: dict[str, list] = {"input_ids": ids, "attention_mask": []}
        if self.offsets:
            out["offset_mapping"] = [e.offsets for e in encodings]
        if self._padding is None:
            out["attention_mask"] = [[1] * len(row) for row in ids]  # unpadded: every id is attended to
        else:
            self._pad(out)
        for name in self.keep:
            if name not in batch:
                raise ValueError(f"cannot keep column {name!r}: the batch has {_names_of(batch)}")
            out[name] = list(batch[name])
        if isinstance(batch, _TableColumns):  # arrow in, arrow out
            return batch.table_of(out, self.keep)
        return out


# What `encode` passes to an Encoder beside the tokenizer.
ENCODER_OPTIONS = frozenset(f.name for f in fields(Encoder) if f.init) - {"tokenizer"}
# The Encoders `encode` made last, by the tokenizer's whole state and the options.
ENCODERS_KEPT = 2
_encoders: OrderedDict[tuple[str | None, str], Encoder] = OrderedDict()


def encode(batch: Mapping[str, Sequence[Any]], tokenizer: Tokenizer | None = None, **options: Any) -> dict[str, list]:
    """Encode one batch of raw text (see `Encoder` for ``options``).

    For ``ds.map(newspairs.encode, batched=True, fn_kwargs={"tokenizer": tok})``. Consecutive calls
    with a tokenizer in the same state and the same options share one `Encoder`, so the set-up is
    checked once and each word's ids are asked of the model once, not once per batch. The state is
    the tokenizer's whole ``to_str()`` (a few milliseconds), so a tokenizer changed in place gets a
    new `Encoder`. An `Encoder` you make and pass to ``map`` yourself skips even that.
    """
    unknown = sorted(set(options) - ENCODER_OPTIONS, key=str)
    if unknown:  # it was Python's TypeError from Encoder's constructor
        raise ValueError(f"encode() has no option {unknown[0]!r} (its options: {', '.join(sorted(ENCODER_OPTIONS))})")
    # (to_str leaves out encode_special_tokens, which the Encoder sets on its own copy anyway, and a
    # unigram model's sampling, which changes the ids: `call_time_state`)
    if tokenizer is not None:
        tokenizer = _resolve(tokenizer)  # a path or a transformers tokenizer has no to_str: refused as Encoder refuses it
    state = None if tokenizer is None else (tokenizer.to_str(), repr(call_time_state(tokenizer)))
    key = (state, repr(sorted(options.items())))
    encoder = _encoders.get(key)
    if encoder is None:
        encoder = Encoder(tokenizer, **options)
        _encoders[key] = encoder
        while len(_encoders) > ENCODERS_KEPT:
            _encoders.popitem(last=False)
    else:
        _encoders.move_to_end(key)
    return encoder(batch)


# --- packing -------------------------------------------------------------------------------------


def _texts(batches: Iterable[Mapping[str, Sequence[Any]]], column: str) -> Iterator[tuple[int, list[str]]]:
    # each batch's texts with the number of its first row, so that an error names the row
    first = 0
    for batch in batches:
        if column not in batch:
            raise ValueError(f"the dataset has no text column {column!r} (its columns: {sorted(batch)})")
        texts = checked_texts(batch[column], f"column {column!r}", first)
        yield first, texts
        first += len(texts)


def pack_ids(documents: Iterable[Sequence[int]], block_size: int, separator_id: int) -> Iterator[list[int]]:
    """Blocks of exactly ``block_size`` ids from a stream of documents' ids, in order.

    Each non-empty document's ids are followed by ``separator_id``; the concatenation is cut into
    blocks. Every id lands in a block except the final remainder (fewer than ``block_size`` ids),
    which is dropped. Empty documents add nothing.
    """
    # checked here, at the call (a generator's own checks wait for its first block): block_size 0
    # was a ZeroDivisionError, a separator_id of None went into the blocks
    block_size = _count(block_size, "block_size")
    separator_id = _count(separator_id, "separator_id", 0, high=LARGEST_ID, why=ID_BOUND)
    return _blocks(documents, block_size, separator_id)


def _blocks(documents: Iterable[Sequence[int]], block_size: int, separator_id: int) -> Iterator[list[int]]:
    carry: list[int] = []
    for ids in documents:
        if not ids:
            continue
        carry.extend(ids)
        carry.append(separator_id)
        if len(carry) >= block_size:
            full = len(carry) - len(carry) % block_size
            for start in range(0, full, block_size):
                yield carry[start : start + block_size]
            del carry[:full]


def _documents(batches: Iterable[Mapping[str, Sequence[Any]]], column: str, encoder: Encoder) -> Iterator[list[int]]:
    for first, texts in _texts(batches, column):
        yield from encoder._named_failure(encoder._ids, texts, f"column {column!r}", first=first)


def _packed_examples(sources: list, column: str, encoder: Encoder, block_size: int, separator_id: int, labels: bool,
                     reseeds: tuple = ()):
    # One packing stream per source group: datasets hands each DataLoader worker / node its own
    # sublist of `sources`, and each group drops only its own final remainder. `reseeds`: what
    # datasets did to the packed stream's order at this epoch (and worker), done to each source
    # (`newspairs.streams`), so that a shuffled source is shuffled anew at each epoch.
    for source in sources:
        source = source.select_columns([column]).with_format(None)  # a stream of its own: the user's is not changed
        if reseeds:
            from newspairs.streams import reseeded

            source = reseeded(source, reseeds)
        batches = source.iter(batch_size=PACK_TEXTS_PER_CALL)
        for block in pack_ids(_documents(batches, column, encoder), block_size, separator_id):
            yield {"input_ids": block, "labels": block[:]} if labels else {"input_ids": block}


def pack(
    dataset: datasets.Dataset | datasets.IterableDataset,
    block_size: int,
    tokenizer: Tokenizer | None = None,
    *,
    column: str = TEXT_COLUMN,
    separator: str = SEP_TOKEN,
    num_shards: int = 1,
    labels: bool = False,
) -> datasets.Dataset | datasets.IterableDataset:
    """Language-modelling blocks: the documents of ``column``, encoded, joined with ``separator``, cut.

    Returns a dataset of the same kind with one column, ``input_ids``, each row exactly
    ``block_size`` ids, in the source's order. No id is dropped but the final remainder, the last
    ``< block_size`` ids of the concatenation. ``labels=True`` adds a ``labels`` column, a copy of
    each row's ``input_ids``: what the ``transformers`` ``Trainer`` computes a causal language
    model's loss from (the model shifts the labels itself).

    ``num_shards`` (an `IterableDataset` only) splits the packed stream into that many shards, each
    packing a contiguous group of the source's shards on its own and dropping its own final
    remainder. With one shard (the default), ``split_dataset_by_node`` gives each node one block in
    ``world_size`` of a stream every node reads and encodes whole, and one DataLoader worker reads;
    with ``world_size * num_workers`` shards, each node and worker encodes only its own part.
    """
    import datasets

    _check_dataset(dataset, "pack()")
    block_size = _count(block_size, "block_size", 2)
    column = _column_name(column, "column")
    if not isinstance(separator, str):  # None or an id was tokenizers' TypeError
        raise ValueError(f"separator must be a token (a str, such as {SEP_TOKEN!r}), got {separator!r:.80}")
    names = dataset.column_names  # None for a stream of unknown features: checked when read
    if names is not None and column not in names:
        raise ValueError(f"the dataset has no text column {column!r} (its columns: {sorted(names)})")
    tokenizer = _resolve(tokenizer)
    separator_id = special_token_id(tokenizer, separator, "separator")
    labels = _flag(labels, "labels")
    block = datasets.List(datasets.Value("int32"), length=block_size)
    features = datasets.Features({"input_ids": block, "labels": block} if labels else {"input_ids": block})
    untruncated = _copy(tokenizer)  # documents are cut into blocks, not truncated: every id lands in one
    untruncated.no_truncation()
    encoder = Encoder(untruncated, column=column, special_tokens=False)
    kwargs = {"column": column, "encoder": encoder, "block_size": block_size, "separator_id": separator_id, "labels": labels}
    if isinstance(dataset, datasets.IterableDataset):
        if not is_whole_number(num_shards) or not 1 <= num_shards <= dataset.num_shards:
            raise ValueError(f"num_shards must be an int from 1 to the source's {dataset.num_shards} shards, got {num_shards!r}")
        num_shards = int(num_shards)
        from newspairs.streams import EpochedExamplesIterable

        shards = [dataset] if num_shards == 1 else [dataset.shard(num_shards, i) for i in range(num_shards)]
        packed = datasets.IterableDataset.from_generator(
            _packed_examples, features=features, gen_kwargs={"sources": shards, **kwargs}
        )
        # datasets' examples of the generator, made to take the epoch to the sources
        packed._ex_iterable = EpochedExamplesIterable.made_from(packed._ex_iterable)
        return packed
    if isinstance(dataset, datasets.Dataset):
        if num_shards != 1:
            raise ValueError(f"num_shards is for an IterableDataset; a Dataset is split by index, got {num_shards!r}")
        from datasets.fingerprint import Hasher

        fingerprint = Hasher.hash(
            ("newspairs.pack", dataset._fingerprint, tokenizer.to_str(), repr(call_time_state(tokenizer)), column,
             block_size, separator_id, labels)
        )
        try:
            return datasets.Dataset.from_generator(
                _packed_examples, features=features, gen_kwargs={"sources": [dataset], **kwargs}, fingerprint=fingerprint
            )
        except datasets.exceptions.DatasetGenerationError as error:
            # datasets wraps what the generator raised: a user's mistake (a row that is not text) is
            # our ValueError, naming the row
            if isinstance(error.__cause__, ValueError):
                raise error.__cause__ from None
            raise
        except ValueError as error:
            if "corresponds to no data" not in str(error):  # datasets' word for a generator that yielded nothing
                raise
            return datasets.Dataset.from_dict({name: [] for name in features}, features=features)
    raise AssertionError("unreachable: _check_dataset lets only the two kinds through")


def _check_dataset(dataset: Any, where: str) -> None:
    import datasets

    if not isinstance(dataset, (datasets.Dataset, datasets.IterableDataset)):
        raise ValueError(f"{where} takes a datasets.Dataset or IterableDataset, got {type(dataset).__name__}: {dataset!r:.80}")


# --- PyTorch -------------------------------------------------------------------------------------


def _as_list(value: Any) -> list:
    return value.tolist() if hasattr(value, "tolist") else list(value)


# Columns of one value per id, padded along with input_ids, and what pads them: a padded id is not
# attended to, has no span in the text, and is left out of the loss (-100, as transformers does).
PADDED_COLUMNS: dict[str, Any] = {
    "attention_mask": 0, "token_type_ids": 0, "special_tokens_mask": 1, "offset_mapping": (0, 0), "labels": -100,
}


def _is_sequence(value: Any) -> bool:
    # a row of values (list, array, tensor), not one value per example (a class label)
    return isinstance(value, (list, tuple)) or getattr(value, "ndim", 0) > 0


def _padded(rows: list[list], width: int, fill: Any, left: bool) -> list[list]:
    return [[fill] * (width - len(row)) + row if left else row + [fill] * (width - len(row)) for row in rows]


@dataclass
class PadCollator:
    """Stack examples into a batch of tensors, padding ``input_ids`` to the longest with ``pad_id``.

    ``attention_mask`` is the examples' own, padded with 0 (ids that were padded before, by
    ``Encoder(padding=True)`` or a ``transformers`` tokenizer, stay masked); without one, it is 1
    on every id and 0 on the padding, and a row that ends (starts, padded on the left) with
    ``pad_id`` is refused as padded ids without their mask (unless ``check_padding`` is off: a
    ``pad_id`` that is also a real token, as a separator used for padding). ``token_type_ids`` is
    padded with ``pad_type_id``, ``special_tokens_mask`` with 1, ``offset_mapping`` with
    ``(0, 0)``. ``labels`` one per id, or of lengths that differ (a target sequence), are padded
    with -100 (the loss leaves those out); labels of one length that is not the ids' (a vector per
    example, multi-label) are stacked as they are; labels holding fractions keep a float dtype.
    Any other column (``label``, ...) is stacked with ``torch.tensor``, but a column of text
    (``article_id``, a title; ``None`` where null) stays a list.

    Args:
        pad_id (`int`): the id of the padding token (`pad_id_of(tokenizer)`).
        pad_to_multiple_of (`int`, *optional*): round the padded length up to a multiple of this.
        direction (`str`, defaults to `"right"`): the side padding goes on, `"right"` or `"left"`.
        length (`int`, *optional*): pad to at least this many ids (a longer batch is padded to its longest).
        pad_type_id (`int`, defaults to 0): what ``token_type_ids`` are padded with.
        check_padding (`bool`, defaults to `True`): refuse rows without a mask that end in ``pad_id``.

    `PadCollator.for_tokenizer(tok)` takes them from the tokenizer's own padding set-up.
    """

    pad_id: int
    pad_to_multiple_of: int | None = None
    direction: str = "right"
    length: int | None = None
    pad_type_id: int = 0
    check_padding: bool = True

    def __post_init__(self) -> None:
        # checked here, not at the first batch: 1.5 or True padded with 1, None and "x" were torch's TypeError
        for name in ("pad_id", "pad_type_id"):
            setattr(self, name, _count(getattr(self, name), name, 0, high=LARGEST_ID, why=ID_BOUND))
        for name in ("pad_to_multiple_of", "length"):
            setattr(self, name, _count(getattr(self, name), name, optional=True))
        self.check_padding = _flag(self.check_padding, "check_padding")
        if self.direction not in ("right", "left"):
            raise ValueError(f"direction must be 'right' or 'left', got {self.direction!r}")

    @classmethod
    def for_tokenizer(cls, tokenizer: Tokenizer | None = None, pad_to_multiple_of: int | None = None) -> PadCollator:
        """Padding as ``tokenizer``'s own set-up says (``load_tokenizer(padding=True, ...)``, ``enable_padding``),
        as ``Encoder(padding=True)`` pads; without one, ``[PAD]`` to the longest, on the right.
        ``pad_to_multiple_of``, when given, overrides the tokenizer's."""
        tokenizer = _resolve(tokenizer)
        spec = tokenizer.padding or {}
        pad_id = pad_id_of(tokenizer)
        return cls(
            pad_id,
            pad_to_multiple_of if pad_to_multiple_of is not None else spec.get("pad_to_multiple_of"),
            direction=spec.get("direction", "right"),
            length=spec.get("length"),
            pad_type_id=spec.get("pad_type_id", 0),
            # padding with a token the text holds too ([SEP] as padding, pack's separator): ids that
            # end with it are no sign of padding
            check_padding=pad_id not in _text_special_ids(tokenizer),
        )

    def _width(self, lengths: list[int]) -> int:
        width = max(lengths)
        if self.length is not None:
            width = max(width, self.length)
        if self.pad_to_multiple_of:
            width = -(-width // self.pad_to_multiple_of) * self.pad_to_multiple_of
        return width

    def __call__(self, examples: Sequence[Mapping[str, Any]]) -> dict[str, torch.Tensor]:
        import torch

        if examples is None or isinstance(examples, (str, Mapping)):
            raise ValueError(f"PadCollator takes a list of examples (dicts), got {type(examples).__name__}: {examples!r:.80}")
        if not examples:
            raise ValueError("cannot collate an empty list of examples")
        left = self.direction == "left"
        ids = [_as_list(example["input_ids"]) for example in examples]
        lengths = [len(row) for row in ids]
        width = self._width(lengths)
        batch = {"input_ids": torch.tensor(_padded(ids, width, self.pad_id, left), dtype=torch.long).reshape(len(ids), width)}
        masked = ["attention_mask" in example for example in examples]
        if any(masked) and not all(masked):
            raise ValueError(f"example {masked.index(not masked[0])} of this batch {'has' if not masked[0] else 'lacks'} an "
                             f"attention_mask that example 0 {'lacks' if not masked[0] else 'has'}: give every example one or none")
        if not masked[0]:
            for i, row in enumerate(ids):
                if self.check_padding and row and row[0 if left else -1] == self.pad_id:
                    raise ValueError(
                        f"example {i} of this batch {'starts' if left else 'ends'} with the padding id {self.pad_id} "
                        f"but has no attention_mask to say it is padding: keep the attention_mask made with the "
                        f"padding, or store the input_ids unpadded: {row!r:.80}"
                    )
            batch["attention_mask"] = torch.tensor(_padded([[1] * n for n in lengths], width, 0, left), dtype=torch.long).reshape(len(ids), width)
        for name in examples[0]:
            if name in batch:
                continue
            values = [example[name] for example in examples]
            if name in PADDED_COLUMNS and all(map(_is_sequence, values)):
                batch[name] = self._pad_column(name, [_as_list(value) for value in values], lengths, width, left)
                continue
            # text (ids, titles; null where a record had none): a list, as torch's default_collate
            # gives strings, in every batch whatever its values
            if all(value is None or isinstance(value, str) for value in values):
                batch[name] = values
                continue
            try:
                batch[name] = torch.as_tensor(values)
            except (TypeError, ValueError, RuntimeError) as error:
                if None in values:
                    raise ValueError(
                        f"column {name!r} holds null in this batch (example {values.index(None)}), which no "
                        f"tensor holds: fill its nulls (dataset.map) or leave it out of the batches"
                    ) from None
                raise ValueError(
                    f"column {name!r} cannot be stacked into a tensor ({error}; its first value: "
                    f"{examples[0][name]!r:.80}): leave it out of the batches"
                ) from None
        return batch

    def _pad_column(self, name: str, rows: list[list], lengths: list[int], width: int, left: bool) -> torch.Tensor:
        import torch

        fill = self.pad_type_id if name == "token_type_ids" else PADDED_COLUMNS[name]
        dtype = torch.long
        if name == "labels":
            if any(isinstance(value, float) for row in rows for value in row):
                dtype = torch.get_default_dtype()  # fractions (regression, soft labels) stay fractions
            if any(len(row) != n for row, n in zip(rows, lengths)):
                if len({len(row) for row in rows}) == 1:  # a vector per example (multi-label): nothing to pad
                    return torch.tensor(rows, dtype=dtype)
                width = self._width([len(row) for row in rows])  # a target of its own length (seq2seq): its own longest
        else:
            for i, (row, n) in enumerate(zip(rows, lengths)):
                if len(row) != n:
                    raise ValueError(f"example {i} of this batch has {len(row)} values of {name!r} for its {n} input_ids: {row!r:.80}")
        if name == "offset_mapping":
            rows = [[list(pair) for pair in row] for row in rows]
            fill = list(fill)
        shape = (len(rows), width, 2) if name == "offset_mapping" else (len(rows), width)
        return torch.tensor(_padded(rows, width, fill, left), dtype=dtype).reshape(shape)


def _text_special_ids(tokenizer: Tokenizer) -> set[int]:
    """The ids the encodings hold as text's own: the post-processor's special tokens ([CLS], [SEP])
    and the separator `pack` writes between documents."""
    ids = {tokenizer.token_to_id(SEP_TOKEN)} - {None}
    if tokenizer.post_processor is not None:
        state = json.loads(tokenizer.post_processor.__getstate__())
        for token in (state.get("special_tokens") or {}).values():
            ids.update(token.get("ids", []))
        for key in ("sep", "cls"):  # BertProcessing, RobertaProcessing: [token, id]
            if isinstance(state.get(key), list) and len(state[key]) == 2:
                ids.add(state[key][1])
    return ids


def pad_id_of(tokenizer: Tokenizer | None = None) -> int:
    """The ``[PAD]`` id of ``tokenizer`` (its padding set-up's id if padding is enabled)."""
    tokenizer = _resolve(tokenizer)
    if tokenizer.padding:
        return tokenizer.padding["pad_id"]
    return special_token_id(tokenizer, PAD_TOKEN, "padding")


@dataclass
class _EncodedRows:
    """A map-style dataset for torch's DataLoader: the rows of ``dataset`` (unformatted), encoded a
    batch at a time by ``encoder`` (as ``with_transform`` does), an error naming the dataset's row."""

    dataset: datasets.Dataset
    encoder: Encoder

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitems__(self, indices: Sequence[int]) -> list[dict]:
        indices = list(indices)
        out = self.encoder.encode_rows(self.dataset[indices], indices)
        return [dict(zip(out, values)) for values in zip(*out.values())]

    def __getitem__(self, index: int) -> dict:
        return self.__getitems__([index])[0]


def dataloader(
    dataset: datasets.Dataset | datasets.IterableDataset,
    tokenizer: Tokenizer | None = None,
    *,
    batch_size: int = DATALOADER_BATCH_SIZE,
    column: str = TEXT_COLUMN,
    max_length: int | None = None,
    pad_to_multiple_of: int | None = None,
    num_workers: int = 0,
    shuffle: bool = False,
    keep: Sequence[str] = (),
    **loader_options: Any,
) -> torch.utils.data.DataLoader:
    """A PyTorch DataLoader of padded id batches, encoding raw text on the fly.

    A dataset that already has ``input_ids`` (e.g. from `pack`) is only collated, with its
    ``attention_mask`` and ``labels`` columns if it has them; otherwise ``column`` is encoded when a
    batch is read (a `Dataset`'s rows fetched and encoded a batch at a time, as
    ``with_transform`` does; a lazy batched ``map`` on an `IterableDataset`), in the DataLoader's
    workers when ``num_workers > 0``, truncated to ``max_length`` (default: the tokenizer's own
    truncation, see `Encoder`). ``keep`` names other
    columns to carry along (e.g. ``("label",)``; one str is that one column). Batches are padded
    as the tokenizer's padding set-up says (`PadCollator.for_tokenizer`; ``pad_to_multiple_of``
    overrides its multiple). Stored ``input_ids`` are not truncated: ``max_length`` with them is a
    ValueError (encode the raw text with ``Encoder(max_length=N)`` instead). A row of a `Dataset`
    that is not text is named by its row in the dataset; a stream's, by its row in the batch.

    ``loader_options`` go to torch's ``DataLoader``, but for ``collate_fn``: the batches are the
    `PadCollator`'s (a ValueError). A ``batch_sampler`` makes the batches itself: ``batch_size``
    is then left at its default (not passed to torch, which refuses both).
    """
    import datasets
    from torch.utils.data import DataLoader

    _check_dataset(dataset, "dataloader()")
    if "collate_fn" in loader_options:  # torch's "got multiple values for keyword argument"
        raise ValueError(
            f"dataloader sets its own collate_fn (a PadCollator, padding as the tokenizer says), got "
            f"collate_fn={loader_options['collate_fn']!r:.80}: for your own, make torch's DataLoader, "
            f"e.g. DataLoader(ds.with_transform(newspairs.Encoder(tok)), collate_fn=newspairs.PadCollator(pad_id), ...)"
        )
    if loader_options.get("batch_sampler") is not None:
        if batch_size != DATALOADER_BATCH_SIZE:
            raise ValueError(
                f"dataloader(batch_size={batch_size!r:.80}) beside a batch_sampler, which makes the batches: leave batch_size out"
            )
        batching = {}  # torch's own defaults, the only ones it takes beside a batch_sampler
    elif batch_size is None:
        # torch's "no automatic batching" hands the collator one example, not a list of them
        raise ValueError(
            "dataloader(batch_size=None): dataloader makes padded batches, so batch_size must be a positive int (examples per batch)"
        )
    else:
        batch_size = _count(batch_size, "batch_size")
        batching = {"batch_size": batch_size}
    column = _column_name(column, "column")
    max_length = _count(max_length, "max_length", optional=True)
    num_workers = _count(num_workers, "num_workers", 0, high=None)  # 1.5 and None were torch's TypeErrors
    shuffle = _flag(shuffle, "shuffle")  # a truthy "no" shuffled
    keep = _column_names(keep, "keep")
    tokenizer = _resolve(tokenizer)
    collate = PadCollator.for_tokenizer(tokenizer, pad_to_multiple_of)
    names = dataset.column_names
    if names is None:  # a stream of unknown features (from_generator, or after a map): its first row says
        first = next(iter(dataset), None)
        names = list(first) if first is not None else list(dict.fromkeys([column, *keep]))
    if "input_ids" not in names:
        encoder = Encoder(tokenizer, column=column, max_length=max_length, keep=tuple(keep))
        if isinstance(dataset, datasets.IterableDataset):
            dataset = dataset.map(encoder, batched=True, batch_size=max(batch_size, 64), remove_columns=names)
        else:
            dataset = _EncodedRows(dataset.with_format(None), encoder)
    else:
        if max_length is not None:
            raise ValueError(
                f"dataloader(max_length={max_length}) cannot apply to a dataset that holds input_ids already: stored "
                f"ids are only collated, not truncated (cutting them would drop the [SEP] at their end); encode the "
                f"raw text with Encoder(max_length={max_length}), or pass the dataset of raw text"
            )
        # the stored mask says which ids are padding (a mask rebuilt from the lengths would attend to them)
        carried = [name for name in ("attention_mask", "labels") if name in names]
        dataset = dataset.select_columns(list(dict.fromkeys(["input_ids", *carried, *keep])))
    if shuffle and isinstance(dataset, datasets.IterableDataset):
        # as torch's own DataLoader refuses it: a stream is shuffled by its own buffer
        raise ValueError(
            "dataloader(shuffle=True) cannot shuffle an IterableDataset: shuffle the stream itself, "
            "dataset.shuffle(seed=..., buffer_size=...), and pass it with shuffle=False"
        )
    return DataLoader(
        dataset,
        **batching,
        shuffle=shuffle,
        num_workers=num_workers,
        collate_fn=collate,
        **loader_options,
    )
