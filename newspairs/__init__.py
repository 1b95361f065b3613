"""newspairs: raw/normalized news article pairs for Hugging Face datasets and tokenizers.

The normalization is NLTK's Treebank word tokenization, joined with single spaces and
lowercased, reproduced exactly by a `tokenizers.Tokenizer` made of built-in components.
Names from modules that import `datasets` (or torch) load lazily, so `newspairs normalize`
starts fast.
"""

from importlib import import_module

from newspairs.normalize import normalize, normalize_batch, normalize_lines, tokens_with_offsets
from newspairs.stamp import Stamp, normalization_stamp
from newspairs.tokenizer import build_tokenizer

__version__ = "0.1.0"

# name -> module that owns it; imported on first access
_LAZY: dict[str, str] = {
    "SPECIAL_TOKENS": "newspairs.train",
    "StampMismatchWarning": "newspairs.train",
    "load_tokenizer": "newspairs.train",
    "train_tokenizer": "newspairs.train",
    "AddedTokensWarning": "newspairs.feed",
    "Encoder": "newspairs.feed",
    "PadCollator": "newspairs.feed",
    "dataloader": "newspairs.feed",
    "encode": "newspairs.feed",
    "pack": "newspairs.feed",
    "skip_normalization": "newspairs.feed",
    "NewsPairs": "newspairs.builder",
    "NewsPairsConfig": "newspairs.builder",
    "BuildReport": "newspairs.builder",
    "load": "newspairs.builder",
    "SourceError": "newspairs.sources",
}

__all__ = [
    "Stamp",
    "__version__",
    "build_tokenizer",
    "normalization_stamp",
    "normalize",
    "normalize_batch",
    "normalize_lines",
    "tokens_with_offsets",
    *_LAZY,
]


def __dir__() -> list[str]:
    """The module's names and the lazily loaded ones, which `dir()` would otherwise miss until first used."""
    return sorted(set(globals()) | set(_LAZY))


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'newspairs' has no attribute {name!r}")
