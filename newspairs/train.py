"""The trained tokenizer: a model trained on a corpus behind the unchanged normalization, and its folder.

Owns which `tokenizers` model, trainer and decoder each model kind uses, the special tokens, the
folder a trained tokenizer is saved as (``tokenizer.json``, the two `transformers` config files and
the stamp), the default tokenizer shipped in the package, and the check that a tokenizer's stamp
matches a dataset's.

Training swaps only the model of `newspairs.build_tokenizer()` and adds a post-processor and a
decoder: the normalizer and the pre-tokenizer stay exactly those of the normalization, so the
trained ``tokenizer.json`` still reproduces the normalized side by itself.
"""

from __future__ import annotations

import functools
import json
import numbers
import os
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Regex, Tokenizer, decoders, models, processors, trainers

from newspairs.normalize import checked_texts, unencodable_text
from newspairs.stamp import STAMP_FILENAME, Stamp, normalization_stamp
from newspairs.tokenizer import build_tokenizer, check_writable, load_tokenizer_file, tokenizer_json, write_files

# Ids 0..4 in this order in every trained vocabulary: the trainers put special tokens first.
SPECIAL_TOKENS: tuple[str, ...] = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
PAD_TOKEN, UNK_TOKEN, CLS_TOKEN, SEP_TOKEN, MASK_TOKEN = SPECIAL_TOKENS

MODELS: tuple[str, ...] = ("wordpiece", "bpe", "wordlevel", "unigram")
CONTINUING_SUBWORD_PREFIX = "##"  # wordpiece: marks a piece that continues a word
END_OF_WORD_SUFFIX = "</w>"  # bpe: marks a piece that ends a word

TOKENIZER_CONFIG_FILENAME = "tokenizer_config.json"
SPECIAL_TOKENS_MAP_FILENAME = "special_tokens_map.json"
TOKENIZER_FILES: tuple[str, ...] = (
    "tokenizer.json", TOKENIZER_CONFIG_FILENAME, SPECIAL_TOKENS_MAP_FILENAME, STAMP_FILENAME,
)

DEFAULT_TOKENIZER_DIR = Path(__file__).resolve().parent / "data" / "tokenizer"

# The largest vocab_size: tokenizers' ids are u32, and its trainers reserve room for vocab_size tokens
# up front (~70 bytes each: 10**9 asked for 70 GB and aborted the process). 2**21 is 8 times the
# largest vocabularies in use (262,144) and reserves about 150 MB.
MAX_VOCAB_SIZE = 1 << 21
MAX_MIN_FREQUENCY = (1 << 64) - 1  # tokenizers counts in u64; a count above the corpus's words keeps nothing


class MissingSplitError(ValueError):
    """A source without the split a tokenizer was to be trained on (the command line names the option)."""


class VocabSizeError(ValueError):
    """A vocab_size that the corpus does not fit (``value``: the size; ``reason``: why, after it)."""

    def __init__(self, value: int, reason: str):
        super().__init__(f"vocab_size {value} {reason}")
        self.value, self.reason = value, reason


# The longest sequence `load_tokenizer` pads or truncates to: tokenizers takes a machine-sized number,
# and no model reads 2**31 tokens at once.
MAX_LENGTH = 2**31 - 1


def is_whole_number(value: Any) -> bool:
    """An int or a numpy integer, not a bool (which Python counts as an int)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_flag(value: Any) -> bool:
    """True or False, or numpy's: not a truthy string such as ``"no"``."""
    return isinstance(value, (bool, np.bool_))


class StampMismatchWarning(UserWarning):
    """A tokenizer and a dataset were made by different normalizations (or cannot be compared)."""


@dataclass(frozen=True)
class TrainingConfig:
    """How to train the model of the normalization tokenizer.

    Args:
        model (`str`, defaults to ``"wordpiece"``): one of `MODELS`.
        vocab_size (`int`, defaults to ``30000``): the vocabulary to aim at, special tokens
            included, at most `MAX_VOCAB_SIZE`. ``wordlevel`` never exceeds it; the others keep
            the corpus's whole alphabet, so a size smaller than that is exceeded: ``bpe`` by its
            alphabet and word-end forms, ``wordpiece`` by its alphabet as word starts and ``##``
            continuations, ``unigram`` by characters its pieces left out (and ``unigram`` refuses
            a size below the alphabet's with a `VocabSizeError`). ``bpe`` and ``wordpiece`` then
            complete their alphabet (`canonical_bpe`, `canonical_wordpiece`): up to one token per
            character beyond any size. A small corpus gives a smaller vocabulary.
        min_frequency (`int`, defaults to ``2``): how often a pair (``wordpiece``, ``bpe``) or a
            word (``wordlevel``) must occur to enter the vocabulary, at most `MAX_MIN_FREQUENCY`;
            ``unigram`` has no such setting and ignores it (``train-tokenizer`` refuses
            ``--min-frequency`` with ``--model unigram``).
        batch_size (`int`, defaults to ``1000``): texts handed to the trainer per call.
        initial_alphabet (`tuple[str]`, defaults to ``()``): characters to know even when the corpus
            lacks them (``wordpiece``, ``bpe``, ``unigram``; ``wordlevel`` learns whole words only),
            in every place in a word (``bpe`` and ``wordpiece`` complete their alphabet).
        show_progress (`bool`, defaults to ``True``): the trainer's progress bars on standard error.
    """

    model: str = "wordpiece"
    vocab_size: int = 30_000
    min_frequency: int = 2
    batch_size: int = 1000
    initial_alphabet: tuple[str, ...] = ()
    show_progress: bool = True

    def __post_init__(self) -> None:
        for name in ("vocab_size", "min_frequency", "batch_size"):
            value = getattr(self, name)
            if not is_whole_number(value):
                raise ValueError(f"{name} must be a whole number, got {type(value).__name__} {value!r:.80}")
            object.__setattr__(self, name, int(value))  # a numpy int (a sweep's, a config's) as a plain one
        if not is_flag(self.show_progress):
            raise ValueError(f"show_progress must be True or False, got {self.show_progress!r:.80}")
        object.__setattr__(self, "show_progress", bool(self.show_progress))
        if not isinstance(self.initial_alphabet, (str, tuple, list, set, frozenset)):
            raise ValueError(f"initial_alphabet is single characters (a tuple, or a str), got {type(self.initial_alphabet).__name__} "
                             f"{self.initial_alphabet!r:.80}")
        if not all(isinstance(character, str) for character in self.initial_alphabet):
            raise ValueError(f"initial_alphabet holds single characters, got {sorted(map(repr, self.initial_alphabet))!r:.200}")
        if not isinstance(self.model, str) or self.model not in MODELS:
            raise ValueError(f"unknown tokenizer model {self.model!r}: choose one of {', '.join(MODELS)}")
        if self.vocab_size < len(SPECIAL_TOKENS) + 1:
            raise ValueError(f"vocab_size must leave room beyond the {len(SPECIAL_TOKENS)} special tokens, got {self.vocab_size}")
        if self.vocab_size > MAX_VOCAB_SIZE:
            raise ValueError(f"vocab_size must be {MAX_VOCAB_SIZE} or less, got {self.vocab_size}")
        if not 0 <= self.min_frequency <= MAX_MIN_FREQUENCY:
            raise ValueError(f"min_frequency must be from 0 to {MAX_MIN_FREQUENCY}, got {self.min_frequency}")
        if any(len(character) != 1 for character in self.initial_alphabet):
            raise ValueError(f"initial_alphabet holds single characters, got {[c for c in self.initial_alphabet if len(c) != 1]!r}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be 1 or more, got {self.batch_size}")


def model_and_trainer(config: TrainingConfig) -> tuple[models.Model, trainers.Trainer]:
    """The empty model and the trainer that fills it, for ``config.model``."""
    common = dict(vocab_size=config.vocab_size, show_progress=config.show_progress, special_tokens=list(SPECIAL_TOKENS))
    if config.model != "wordlevel":
        common["initial_alphabet"] = list(config.initial_alphabet)
    if config.model == "wordpiece":
        return (
            models.WordPiece(unk_token=UNK_TOKEN, continuing_subword_prefix=CONTINUING_SUBWORD_PREFIX),
            trainers.WordPieceTrainer(
                min_frequency=config.min_frequency, continuing_subword_prefix=CONTINUING_SUBWORD_PREFIX, **common
            ),
        )
    if config.model == "bpe":
        return (
            models.BPE(unk_token=UNK_TOKEN, end_of_word_suffix=END_OF_WORD_SUFFIX),
            trainers.BpeTrainer(min_frequency=config.min_frequency, end_of_word_suffix=END_OF_WORD_SUFFIX, **common),
        )
    if config.model == "wordlevel":
        return models.WordLevel(unk_token=UNK_TOKEN), trainers.WordLevelTrainer(min_frequency=config.min_frequency, **common)
    return models.Unigram(), trainers.UnigramTrainer(unk_token=UNK_TOKEN, **common)


def decoder_for(model: str, words: Iterable[str] = ()) -> decoders.Decoder | None:
    """The decoder turning a model's tokens back into the normalized line.

    ``wordlevel`` needs none: its tokens are whole words and `Tokenizer.decode` joins tokens with
    single spaces. ``unigram`` pieces carry no word-boundary mark (the pre-tokenizer is the
    normalization's and stays as it is), so no decoder can restore the words from ids alone:
    ``decode`` shows the pieces separated by spaces, and `Encoding.word_ids` regroups them.

    ``words`` (``bpe`` only): tokens that always stand for a whole word, such as tokens added after
    training with ``AddedToken(word, normalized=False, single_word=True)``. A ``bpe`` piece without
    ``</w>`` continues a word, and an added token has none, so the decoder glues the next word to it
    (``the entmarkharbour``) unless it is named here (``tok.decoder = decoder_for("bpe", words=["entmark"])``).
    A word the model also holds as a piece is decoded as a whole word wherever the piece stands
    (``democrat`` + ``ically</w>`` as ``democrat ically``): name only tokens the vocabulary lacks.
    A token added without ``single_word=True`` is also found inside a word (``entmarks`` is
    ``entmark`` + ``s</w>``), so its ids are the same followed by a word or by the rest of its own
    word, and no decoder can tell the two apart.
    """
    if isinstance(words, str):
        raise ValueError(f"words is a list of tokens, not one str: {words!r:.80}")
    words = list(words)
    if not all(isinstance(word, str) and word for word in words):
        raise ValueError(f"words holds tokens (non-empty str), got {words!r:.200}")
    if words and model != "bpe":
        raise ValueError(f"words= is for the bpe decoder only (the {model} tokens need no word-end mark), got {words!r:.200}")
    if model == "wordpiece":
        return decoders.WordPiece(prefix=CONTINUING_SUBWORD_PREFIX, cleanup=False)  # cleanup would glue "a ." into "a."
    if model == "bpe":
        # a special token has no end-of-word mark, so the BPE decoder glued the next word to it
        # ("[CLS]he said . [SEP]then"); [UNK] may stand inside a word, and keeps its place there.
        # Special tokens are upper case, so no piece of lowercased text holds one; a word may be
        # part of a piece ("entmarks</w>"), so it is replaced only as a whole token.
        whole = [token for token in SPECIAL_TOKENS if token != UNK_TOKEN]
        return decoders.Sequence([*(decoders.Replace(token, token + END_OF_WORD_SUFFIX) for token in whole),
                                  *(decoders.Replace(Regex(f"^{re.escape(word)}$"), word + END_OF_WORD_SUFFIX) for word in words),
                                  decoders.BPEDecoder(suffix=END_OF_WORD_SUFFIX)])
    return None


def _completed_vocabulary(vocabulary: Iterable[str], marked: Callable[[str], str], unmarked: Callable[[str], str]) -> dict[str, int]:
    """Token -> id: the special tokens, then the pieces sorted, each character in both its forms
    (``c`` and ``marked(c)``: ``##c``, ``c</w>``); ``unmarked`` takes a token's mark off."""
    pieces = {token for token in vocabulary if token not in SPECIAL_TOKENS}
    characters = {unmarked(token) for token in pieces if len(unmarked(token)) == 1}
    pieces |= characters | {marked(character) for character in characters}
    return {token: index for index, token in enumerate([*SPECIAL_TOKENS, *sorted(pieces)])}


def canonical_wordpiece(tokenizer: Tokenizer) -> models.WordPiece:
    """The trained WordPiece vocabulary, alphabet completed, with ids in a canonical order.

    Completed: every character the vocabulary holds both as a word start (``c``) and as a
    continuation (``##c``), so any word spelled with known characters encodes without ``[UNK]``
    (the trainer only makes the forms it saw: a corpus whose digits all start words leaves
    ``1999`` unknown). This may add up to one token per character beyond ``vocab_size``.

    Canonical order: the special tokens, then the pieces sorted. The trainers of `tokenizers` 0.23
    break ties between equally frequent pairs in hash-map order, which changes from run to run: the
    ids come out permuted even when the pieces are the same (measured on 370k Reuters lines: the
    same 8000 pieces, ~370 ids moved). WordPiece encodes by longest match, so renumbering its ids
    changes no segmentation.
    """
    model = tokenizer.model
    prefix = model.continuing_subword_prefix
    ordered = _completed_vocabulary(tokenizer.get_vocab(with_added_tokens=False), lambda character: prefix + character,
                                    lambda token: token.removeprefix(prefix))
    return models.WordPiece(
        ordered, unk_token=model.unk_token, continuing_subword_prefix=prefix,
        max_input_chars_per_word=model.max_input_chars_per_word,
    )


def canonical_bpe(tokenizer: Tokenizer) -> models.BPE:
    """The trained BPE model, alphabet completed, with ids in a canonical order; its merges unchanged.

    Completed: every character the vocabulary holds, alone (``c``, inside a word) or ending a word
    (``c</w>``), it then holds in both forms, so any word spelled with known characters encodes
    without ``[UNK]``. The trainer makes ``c</w>`` only for a character it saw end a word, and
    ``initial_alphabet`` adds ``c`` alone: ``Windows®`` was ``[UNK]`` where ``®`` was known. An
    added form takes part in no merge (the trainer never saw it), so the segmentation of every word
    the model encoded before stays as it was. This may add up to one token per character beyond
    ``vocab_size``.

    Canonical order: the special tokens, then the pieces sorted, as for `canonical_wordpiece` (the
    trainer numbers word-end forms and tied merges in hash-map order, which changes from run to
    run). BPE applies merges by their rank and names them by their pieces, so renumbering the ids
    changes no segmentation.
    """
    document = json.loads(tokenizer.to_str())
    model = document["model"]
    suffix = model["end_of_word_suffix"]
    model["vocab"] = _completed_vocabulary(model["vocab"], lambda character: character + suffix,
                                           lambda token: token.removesuffix(suffix))
    return Tokenizer.from_str(json.dumps({**document, "model": model})).model  # every other setting of the model as trained


def post_processor_for(tokenizer: Tokenizer) -> processors.PostProcessor:
    """``[CLS] A [SEP]`` for one text, ``[CLS] A [SEP] B [SEP]`` (B with type id 1) for a pair."""
    return processors.TemplateProcessing(
        single=f"{CLS_TOKEN} $A {SEP_TOKEN}",
        pair=f"{CLS_TOKEN} $A {SEP_TOKEN} $B:1 {SEP_TOKEN}:1",
        special_tokens=[(token, tokenizer.token_to_id(token)) for token in (CLS_TOKEN, SEP_TOKEN)],
    )


def _is_dataset(texts: object) -> bool:
    return hasattr(texts, "column_names") and hasattr(texts, "iter")


def text_batches(texts: Iterable[str] | object, *, column: str = "raw", batch_size: int = 1000) -> tuple[Iterator[list[str]], int | None]:
    """Batches of raw texts from a `datasets` dataset (its ``column``) or any iterable of strings.

    Returns the batches and the number of texts when it is known (the trainer's progress bar
    counts texts, not batches). A text that is not a str (a null of the column), or that UTF-8
    cannot encode (a lone surrogate), is a ValueError naming it, as the batch holding it is read.
    """
    if isinstance(texts, (str, bytes)):
        raise ValueError(f"train on an iterable of texts, not on one {type(texts).__name__}: {texts[:60]!r}")
    if isinstance(texts, Mapping) and not hasattr(texts, "columns"):  # a DatasetDict, a dict of splits
        keys = list(texts.keys())
        raise ValueError(f"train on one split, not on a dict of splits ({', '.join(map(str, keys[:5]))}"
                         f"{' ...' if len(keys) > 5 else ''}): pick one")
    if hasattr(texts, "columns") and hasattr(texts, "keys"):  # a DataFrame iterates its column names
        raise ValueError(f"train on an iterable of texts, not on a {type(texts).__name__} (of "
                         f"{', '.join(map(repr, list(texts.keys())[:5]))}): pass its column of texts")
    if isinstance(texts, os.PathLike):
        raise ValueError(f"train on an iterable of texts, not on the path {os.fspath(texts)!r}: "
                         "train_on_source(path) trains on the source there")
    if not isinstance(texts, Iterable) and not _is_dataset(texts):
        raise ValueError(f"train on an iterable of texts, got {type(texts).__name__}: {texts!r:.80}")
    if _is_dataset(texts):
        if texts.column_names is not None and column not in texts.column_names:  # None: a stream of unknown features
            raise ValueError(f"the dataset has no column {column!r}; its columns: {texts.column_names}")
        size = len(texts) if hasattr(texts, "__len__") else None

        def checked_rows() -> Iterator[list[str]]:
            first = 0
            for batch in texts.iter(batch_size=batch_size):
                rows = checked_texts(batch[column], f"column {column!r}", first)
                _check_encodable(rows, f"column {column!r}", first, "row")
                yield rows
                first += len(rows)

        return checked_rows(), size

    def checked() -> Iterator[list[str]]:
        batch: list[str] = []
        for number, text in enumerate(texts):
            if not isinstance(text, str):
                raise ValueError(f"text {number} is a {type(text).__name__}, not a str: {text!r:.60}")
            batch.append(text)
            if len(batch) == batch_size:
                _check_encodable(batch, "texts", number + 1 - len(batch), "text")
                yield batch
                batch = []
        if batch:
            _check_encodable(batch, "texts", number + 1 - len(batch), "text")
            yield batch

    return checked(), len(texts) if hasattr(texts, "__len__") else None


def _check_encodable(batch: list[str], where: str, first: int, unit: str) -> None:
    """A ValueError naming the first text of ``batch`` that UTF-8 cannot encode (a lone surrogate),
    where tokenizers would stop with a bare UnicodeEncodeError naming no text."""
    try:
        "".join(batch).encode("utf-8")  # one C call for the batch; the texts are looked at only on failure
    except UnicodeEncodeError:
        error = unencodable_text(batch, where, first, unit)
        if error is not None:
            raise error from None
        raise


def _counting(batches: Iterable[list[str]], read: list[int]) -> Iterator[list[str]]:
    """``batches`` as they are, adding to ``read[0]`` the texts that hold more than whitespace."""
    for batch in batches:
        read[0] += sum(1 for text in batch if not text.isspace() and text)
        yield batch


def train_tokenizer(
    texts: Iterable[str] | object, config: TrainingConfig | None = None, *, column: str = "raw", **settings
) -> Tokenizer:
    """Train the model of the normalization tokenizer on raw texts; normalizer and pre-tokenizer stay as built.

    ``texts`` is any iterable of raw texts (an article may hold several lines), or a `datasets`
    ``Dataset``/``IterableDataset`` whose ``column`` holds them. ``settings`` are `TrainingConfig`
    fields (``model=``, ``vocab_size=``, ...) when no ``config`` is given. The result has the
    special tokens `SPECIAL_TOKENS` (ids 0..4), a ``[CLS] … [SEP]`` post-processor and the decoder
    of `decoder_for`.
    """
    if config is None:
        unknown = sorted(set(settings) - {f.name for f in fields(TrainingConfig)})
        if unknown:
            named = ", ".join(f.name for f in fields(TrainingConfig))
            raise ValueError(f"unknown training setting{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}: "
                             f"the settings are {named}")
        config = TrainingConfig(**settings)
    elif settings:
        raise ValueError(f"pass either a TrainingConfig or settings, not both: {sorted(settings)}")
    tokenizer = build_tokenizer()
    tokenizer.model, trainer = model_and_trainer(config)
    batches, length = text_batches(texts, column=column, batch_size=config.batch_size)
    read = [0]  # texts holding a word: an empty vocabulary then means the frequency cut, not no text
    batches = _counting(batches, read)
    # The trainer normalizes and pre-tokenizes each text with the tokenizer's own pipeline, in Rust
    # threads. Normalizing the batches with newspairs first (32 lines per call, one thread) was not
    # reliably faster on 2 cores (0.4x to 1.9x by model and run, Reuters text), so the plain way stays.
    try:
        tokenizer.train_from_iterator(batches, trainer=trainer, length=length)
    except Exception as error:  # tokenizers raises a bare Exception
        if config.model == "unigram" and "not large enough to contain all chars" in str(error):
            raise VocabSizeError(
                config.vocab_size, "is too small for a unigram model of this corpus: it must hold every character "
                f"of the corpus besides the {len(SPECIAL_TOKENS)} special tokens; give a larger one",
            ) from None
        raise
    missing = [token for token in SPECIAL_TOKENS if tokenizer.token_to_id(token) is None]
    if missing or tokenizer.get_vocab_size() <= len(SPECIAL_TOKENS):
        if config.min_frequency > 1 and read[0]:  # there was text: the frequency cut kept none of it
            raise ValueError(f"training kept no token: none is as frequent as min_frequency={config.min_frequency} in "
                             f"{read[0]} texts (vocabulary of {tokenizer.get_vocab_size()} tokens); give a lower min_frequency")
        raise ValueError(f"training found no text to learn from (vocabulary of {tokenizer.get_vocab_size()} tokens)")
    if config.model == "wordpiece":
        tokenizer.model = canonical_wordpiece(tokenizer)
    elif config.model == "bpe":
        tokenizer.model = canonical_bpe(tokenizer)
    tokenizer.post_processor = post_processor_for(tokenizer)
    decoder = decoder_for(config.model)
    if decoder is not None:
        tokenizer.decoder = decoder
    return special_tokens_as_text(tokenizer)


# the largest model_max_length a 64-bit signed integer holds: larger ones overflow in `tokenizers`
# and `transformers` at the first truncation (OverflowError), after the folder was written
MAX_MODEL_LENGTH = (1 << 63) - 1


def transformers_config(*, model_max_length: int | None = None) -> dict:
    """``tokenizer_config.json``: what `transformers.AutoTokenizer.from_pretrained` needs to use the file."""
    if model_max_length is not None and (not is_whole_number(model_max_length) or not 1 <= model_max_length <= MAX_MODEL_LENGTH):
        raise ValueError(f"model_max_length must be a whole number from 1 to {MAX_MODEL_LENGTH}, got {model_max_length!r}")
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "pad_token": PAD_TOKEN,
        "unk_token": UNK_TOKEN,
        "cls_token": CLS_TOKEN,
        "sep_token": SEP_TOKEN,
        "mask_token": MASK_TOKEN,
        "clean_up_tokenization_spaces": False,  # the decoders already give the normalized text
        "split_special_tokens": True,  # see `special_tokens_as_text`: tokenizer.json cannot say it
        "model_input_names": ["input_ids", "token_type_ids", "attention_mask"],
    }
    if model_max_length is not None:
        config["model_max_length"] = int(model_max_length)  # a numpy int is no JSON
    return config


def special_tokens_map() -> dict[str, str]:
    """``special_tokens_map.json``: the role of each special token."""
    return {
        "pad_token": PAD_TOKEN, "unk_token": UNK_TOKEN, "cls_token": CLS_TOKEN,
        "sep_token": SEP_TOKEN, "mask_token": MASK_TOKEN,
    }


def _json_text(data: dict) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _write_json(path: Path, data: dict) -> None:
    path.write_text(_json_text(data), encoding="utf-8")


def check_tokenizer_folder(folder: str | os.PathLike) -> None:
    """A ValueError naming the first of `TOKENIZER_FILES` in ``folder`` that exists and is not a
    file (a folder), which `save_tokenizer_folder` could not write; or ``folder`` is ``""`` (an unset
    variable, most likely: the current folder is ``"."``)."""
    if isinstance(folder, str) and not folder:
        raise ValueError('the tokenizer folder is empty: name a folder ("." for the current one)')
    for name in TOKENIZER_FILES:
        path = Path(folder) / name
        if path.exists() and not path.is_file():
            raise ValueError(f"{path}: exists and is not a file; the tokenizer folder cannot be written there")


def check_tokenizer_out(folder: str | os.PathLike) -> None:
    """What ``newspairs train-tokenizer --out`` checks before it trains: `check_tokenizer_folder`, that
    a file can be written in ``folder`` if it exists, and that it is absent, empty, or a tokenizer
    folder newspairs wrote (its stamp beside a ``tokenizer.json``), whose `TOKENIZER_FILES` alone are
    replaced. Any other folder is refused
    with a ValueError naming it: the source corpus (the stamp would make it a folder newspairs wrote,
    no longer a source), an export or Hub repository (a repository's card describes the tokenizer it
    holds), a folder of the user's own files (a ``tokenizer_config.json`` of theirs would be overwritten)."""
    from newspairs.sources import EXPORT_MANIFEST

    check_tokenizer_folder(folder)
    path = Path(folder)
    if not path.is_dir():
        return
    if (path / EXPORT_MANIFEST).is_file():
        raise ValueError(f"{folder}: a newspairs export or Hub repository (it holds {EXPORT_MANIFEST}), not a "
                         "tokenizer folder; write the tokenizer to another folder")
    if next(path.iterdir(), None) is not None and not ((path / STAMP_FILENAME).is_file() and (path / "tokenizer.json").is_file()):
        ours = [name for name in TOKENIZER_FILES if (path / name).exists()]
        held = f"; it holds {', '.join(ours)}, which would be replaced" if ours else ""
        raise ValueError(f"{folder}: the folder is not empty and was not written by newspairs train-tokenizer "
                         f"(no {STAMP_FILENAME} beside a tokenizer.json){held}; choose another")
    check_writable(path)  # before the training, not after it (tokenizers' save failed with a traceback)


def save_tokenizer_folder(
    tokenizer: Tokenizer, folder: str | os.PathLike, *, stamp: Stamp | None = None, model_max_length: int | None = None,
    tokenizer_text: str | None = None,
) -> list[Path]:
    """Write the tokenizer folder: ``tokenizer.json``, its `transformers` config files and the stamp.

    ``stamp`` defaults to this installation's `normalization_stamp()`, which is right for a tokenizer
    trained here. ``tokenizer_text``: the ``tokenizer.json`` to write as it is (a given file, byte for
    byte), else ``tokenizer``'s. Returns the files written, in `TOKENIZER_FILES` order. The four are written as
    `newspairs.tokenizer.write_files` writes, all or none: a failure (a full disk, a folder that
    cannot be written) is an `OSError` naming the file, and leaves the folder as it was.

    Like `transformers`' ``save_pretrained``, it writes into any folder (a model's, beside its
    weights; the repository `newspairs.hub` builds), replacing those four files and leaving the
    others; the command line checks ``--out`` with `check_tokenizer_out` first, so that it never
    writes over a file of the user's or into a source.
    """
    check_tokenizer_folder(folder)  # every file, before the first is written: no half-written folder
    folder = Path(folder)
    texts = {
        folder / "tokenizer.json": tokenizer_json(tokenizer) if tokenizer_text is None else tokenizer_text,
        folder / TOKENIZER_CONFIG_FILENAME: _json_text(transformers_config(model_max_length=model_max_length)),
        folder / SPECIAL_TOKENS_MAP_FILENAME: _json_text(special_tokens_map()),
        folder / STAMP_FILENAME: (stamp or normalization_stamp()).to_json(),
    }
    write_files(texts)  # all four or none: a full disk left a truncated tokenizer.json beside the old stamp
    return list(texts)


def read_stamp(folder: str | os.PathLike) -> Stamp | None:
    """The stamp in a folder (or beside a file), or None when there is none."""
    folder = Path(folder)
    path = (folder if folder.is_dir() else folder.parent) / STAMP_FILENAME
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not a JSON stamp (not UTF-8: {error.reason} at byte {error.start})") from None
    return Stamp.from_json(text, where=str(path))


def stamp_of(dataset: object) -> tuple[Stamp | None, str]:
    """The stamp of a dataset, and a name for it in messages.

    ``dataset`` is a `Stamp`, a folder (an exported dataset, a Hub repository snapshot) holding
    the stamp file, or an object with a ``stamp`` attribute.
    """
    if isinstance(dataset, Stamp):
        return dataset, "the given stamp"
    if isinstance(dataset, (str, os.PathLike)):
        return read_stamp(dataset), str(dataset)
    stamp = getattr(dataset, "stamp", None)
    if isinstance(stamp, Stamp):
        return stamp, type(dataset).__name__
    return None, type(dataset).__name__


def stamp_mismatch(tokenizer: Tokenizer, stamp: Stamp | None) -> str | None:
    """Why ``stamp`` does not describe ``tokenizer``'s own normalization (its ``tokenizer.json`` was
    changed after it was stamped), or None.

    Only a stamp of this installation's rule table can be checked. Its normalizer and pre-tokenizer
    must be this installation's compilation of the table or an earlier one newspairs knows
    (`newspairs.feed.normalizes_like_this_installation`, an exact comparison: an edit that changes
    real text but none of the probes, such as a ``Replace("(Reuters)", "")``, is caught). Otherwise
    the message names the first probe of `_stamp_probes` that the tokenizer's own normalizer and
    pre-tokenizer (what anyone holding the file gets) do not give the rule table's words, or, when
    every probe passes, says that the components are not this normalization's. Another table's
    stamp is not checked.
    """
    if stamp is None or "rules" in stamp.differences(normalization_stamp()):
        return None
    from newspairs.feed import normalizes_like_this_installation  # feed imports this module

    if normalizes_like_this_installation(tokenizer):
        return None
    for line, what, want in _stamp_probes():
        try:
            normalized = tokenizer.normalizer.normalize_str(line) if tokenizer.normalizer is not None else line
            got = " ".join(word for word, _ in tokenizer.pre_tokenizer.pre_tokenize_str(normalized)) \
                if tokenizer.pre_tokenizer is not None else normalized
        except Exception as error:  # tokenizers' own errors are not ValueErrors
            got = f"an error ({error})"
        if got != want:
            return (f"its stamp names the rule table {stamp.rules}, but it normalizes {line!r} ({what}) to {got!r}, "
                    f"not {want!r}: tokenizer.json was changed after it was stamped")
    # the probes pass, yet the components differ: an edit that changes only text the probes lack
    return (f"its stamp names the rule table {stamp.rules}, but its normalizer or pre-tokenizer is not that table's "
            "as newspairs compiles it (the probes pass, other text may normalize otherwise): "
            "tokenizer.json was changed after it was stamped")


@functools.cache  # the rule table is fixed for the process; every load_tokenizer of a stamped folder asks
def _stamp_probes() -> tuple[tuple[str, str, str], ...]:
    """(line, what it is, the rule table's normalization of it): every rule's example (a line its
    rule changes), a line of every whitespace character, and one of digits and letters of many scripts."""
    from newspairs.normalize import normalize
    from newspairs.rules import RULES

    probes = [(example, f"the example of the rule {rule.name}") for rule in RULES
              for example in (rule.example, rule.apart_example) if example]
    probes.append((_WHITESPACE_PROBE, "a line of every whitespace character"))
    probes.append((_LETTERS_PROBE, "a line of digits and letters of many scripts"))
    return tuple((line, what, normalize(line)) for line, what in probes)


# what a Unicode normalization (NFC, NFKC, NFD), an accent strip or a Replace of a digit or letter
# would change: composed and decomposed accents, ligatures, compatibility digits, cased letters of
# many scripts, and every ASCII digit and letter
_LETTERS_PROBE = ("Café Cafe\u0301 ﬁle ① ² ½ Ⅻ Å Å ǅ ß ẞ İ ı ſ K ΣΑΣ σς Ⴀ Ꭰ ꭰ 𐐀 Ω ㎏ ｆｕｌｌ "
                  "0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz")
# every character Python's str.split() splits at, each between two letters
_WHITESPACE_PROBE = "a" + "".join(space + "b" for space in map(chr, range(0x3001)) if space.isspace() and space != "\n")


def check_stamps(tokenizer_stamp: Stamp | None, dataset_stamp: Stamp | None, *, tokenizer_where: str, dataset_where: str) -> bool:
    """Warn (`StampMismatchWarning`) when a tokenizer and a dataset come from different normalizations.

    Returns True when both stamps are known and agree.
    """
    if tokenizer_stamp is None or dataset_stamp is None:
        lacking = tokenizer_where if tokenizer_stamp is None else dataset_where
        warnings.warn(
            f"cannot check that the tokenizer {tokenizer_where} fits the dataset {dataset_where}: "
            f"{lacking} carries no normalization stamp ({STAMP_FILENAME}); pass the dataset's exported "
            "folder or Hub snapshot (which hold one), or its Stamp",
            StampMismatchWarning,
            stacklevel=3,
        )
        return False
    differences = tokenizer_stamp.differences(dataset_stamp)
    if differences:
        listed = "; ".join(f"{key}: tokenizer {mine!r}, dataset {theirs!r}" for key, (mine, theirs) in differences.items())
        warnings.warn(
            f"the tokenizer {tokenizer_where} was not made by the normalization of the dataset {dataset_where} "
            f"({listed}); its normalized text and ids may not match the dataset's normalized side. "
            f"Tokenizer: {tokenizer_stamp.signature()}; dataset: {dataset_stamp.signature()}",
            StampMismatchWarning,
            stacklevel=3,
        )
        return False
    return True


def special_tokens_as_text(tokenizer: Tokenizer) -> Tokenizer:
    """Make ``tokenizer`` encode raw text that spells a special token as text; returns it.

    An article holding ``[SEP]`` has the words ``[ sep ]`` on its normalized side, and the ids of
    raw text are those of its normalized side; by default `tokenizers` would cut ``[SEP]`` out of
    the raw text as the separator's id. The post-processor still adds ``[CLS]`` and ``[SEP]`` by
    id. `tokenizers` does not save this setting in ``tokenizer.json``: newspairs sets it on every
    tokenizer it trains or loads, and ``tokenizer_config.json`` carries it to `transformers`
    (``split_special_tokens``).
    """
    tokenizer.encode_special_tokens = True
    return tokenizer


def load_tokenizer(
    path: str | os.PathLike | None = None,
    *,
    dataset: object = None,
    padding: bool = False,
    pad_to_multiple_of: int | None = None,
    max_length: int | None = None,
) -> Tokenizer:
    """Load a trained tokenizer folder (or ``tokenizer.json``); by default the one shipped with newspairs.

    The default is a WordPiece model trained on the package's embedded data (see
    ``scripts/build_default_tokenizer.py``); it needs no network. With ``dataset`` (a `Stamp`, an
    exported folder, or an object carrying a stamp, see `stamp_of`), warns with
    `StampMismatchWarning` when the tokenizer's stamp does not match the dataset's; a tokenizer
    whose stamp does not describe it (`stamp_mismatch`) warns the same way, with or without ``dataset``.
    ``padding`` pads batches with ``[PAD]`` to their longest member (to a multiple of
    ``pad_to_multiple_of`` when given): the tokenizer's own ``encode_batch`` and newspairs'
    ``dataloader`` pad so, and ``Encoder``/``encode`` with ``padding=True``. ``max_length``
    truncates encodings to that many ids, on every path. A padding or truncation saved in the file
    (``save_pretrained`` after a call that padded or truncated writes one) is not kept: only the
    ones asked for here apply, as `transformers` applies only those of each call.
    """
    location = Path(path) if path is not None else DEFAULT_TOKENIZER_DIR
    tokenizer = special_tokens_as_text(load_tokenizer_file(location))
    if path is not None and (mismatch := stamp_mismatch(tokenizer, read_stamp(location))):
        warnings.warn(f"the tokenizer {location}: {mismatch}", StampMismatchWarning, stacklevel=2)
    if dataset is not None:
        dataset_stamp, dataset_where = stamp_of(dataset)
        check_stamps(read_stamp(location), dataset_stamp, tokenizer_where=str(location), dataset_where=dataset_where)
    if not is_flag(padding):  # transformers' "max_length" or "do_not_pad" would pad to the longest
        raise ValueError(f"padding must be True or False, got {padding!r}")
    # a saved set-up would cut or pad every encoding unasked, where AutoTokenizer of the same folder does not
    tokenizer.no_padding()
    tokenizer.no_truncation()
    for name, value in (("max_length", max_length), ("pad_to_multiple_of", pad_to_multiple_of)):
        # tokenizers takes a machine-sized whole number: a float or a str is its TypeError, 2**64 an OverflowError
        if value is not None and (not is_whole_number(value) or not 1 <= value <= MAX_LENGTH):
            raise ValueError(f"{name} must be a whole number from 1 to {MAX_LENGTH}, or None, got {value!r:.80}")
    max_length = None if max_length is None else int(max_length)
    pad_to_multiple_of = None if pad_to_multiple_of is None else int(pad_to_multiple_of)
    if padding:
        pad_id = tokenizer.token_to_id(PAD_TOKEN)
        if pad_id is None:
            raise ValueError(f"{location}: cannot pad, the tokenizer has no {PAD_TOKEN} token")
        tokenizer.enable_padding(pad_id=pad_id, pad_token=PAD_TOKEN, pad_to_multiple_of=pad_to_multiple_of)
    elif pad_to_multiple_of is not None:
        raise ValueError("pad_to_multiple_of needs padding=True")
    if max_length is not None:
        tokenizer.enable_truncation(max_length=max_length)
    return tokenizer


# The shipped default: a WordPiece trained on the embedded default data, knowing every printable
# ASCII character so that any ASCII word encodes without [UNK] despite the small corpus (capitals
# never reach the model: the normalization lowercases first).
DEFAULT_TRAINING = TrainingConfig(
    model="wordpiece",
    vocab_size=8000,
    min_frequency=2,
    initial_alphabet=tuple(character for character in map(chr, range(0x21, 0x7F)) if not "A" <= character <= "Z"),
    show_progress=False,
)
TRAINING_RECORD_FILENAME = "training.json"


def raw_texts_of(source: object = None) -> list[str]:
    """The raw side of every article of a source (default: the embedded default data), in source order.

    Reads the files directly (no `datasets` build, no split): the default tokenizer is trained on
    all of the embedded articles.
    """
    from newspairs.sources import Reject, read_input, resolve_source

    texts = []
    for item in resolve_source(source):
        for entry in read_input(item):
            if isinstance(entry, Reject):
                raise entry.error()
            texts.append(entry.raw)
    return texts


def training_record(config: TrainingConfig, texts: list[str]) -> dict:
    """What a tokenizer was trained with: the settings, and the corpus's size and sha256."""
    import hashlib
    from dataclasses import asdict

    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    settings = asdict(config)
    settings["initial_alphabet"] = "".join(config.initial_alphabet)
    del settings["show_progress"]
    return {"training": settings, "texts": len(texts), "sha256": digest.hexdigest()}


def build_default_tokenizer(folder: str | os.PathLike = DEFAULT_TOKENIZER_DIR) -> list[Path]:
    """Train `DEFAULT_TRAINING` on the embedded default data and write the tokenizer folder there.

    Besides `TOKENIZER_FILES`, writes ``training.json`` (`training_record`), which the test of the
    shipped tokenizer compares with the current default data and settings.
    """
    from dataclasses import replace

    from newspairs import __version__

    texts = raw_texts_of(None)
    # the package's own version, also where it runs from a checkout (not installed: "absent")
    stamp = replace(normalization_stamp(), newspairs=__version__)
    written = save_tokenizer_folder(train_tokenizer(texts, DEFAULT_TRAINING), folder, stamp=stamp)
    record = Path(folder) / TRAINING_RECORD_FILENAME
    _write_json(record, training_record(DEFAULT_TRAINING, texts))
    return [*written, record]


def train_on_source(
    source: object = None,
    config: TrainingConfig | None = None,
    *,
    split: str | None = "train",
    dataset_config: str = "articles",
    **load_kwargs,
) -> Tokenizer:
    """Train on the raw side of a newspairs source (a folder, file or glob; None: the embedded data).

    Builds it with `newspairs.load` (``dataset_config``, cached) and trains on ``split`` (None: every
    split). ``load_kwargs`` go to `newspairs.load` (``raw_column=``, ``errors=``...).
    """
    from newspairs.builder import load, prepare

    dataset = load(source, dataset_config, **load_kwargs)
    if hasattr(dataset, "values") and not any(getattr(part, "num_rows", 1) for part in dataset.values()):
        # as an export says it: the counts and the first reject (the build is cached: prepare reads its report)
        raise prepare(source, dataset_config, **load_kwargs).report().nothing_to("train on", source)
    if split is None:
        from datasets import concatenate_datasets

        dataset = concatenate_datasets(list(dataset.values()))
    elif split not in dataset:
        raise MissingSplitError(f"the source has no {split!r} split (it has {', '.join(dataset)}); pick one, or every split")
    else:
        dataset = dataset[split]
    return train_tokenizer(dataset, config or TrainingConfig(), column="raw")
