"""newspairs: raw/normalized news article pairs for Hugging Face datasets and tokenizers.

The normalization is NLTK's Treebank word tokenization, joined with single spaces and
lowercased, reproduced exactly by a `tokenizers.Tokenizer` made of built-in components.
"""

from newspairs.normalize import normalize, normalize_batch, normalize_lines, tokens_with_offsets
from newspairs.stamp import Stamp, normalization_stamp
from newspairs.tokenizer import build_tokenizer

__version__ = "0.1.0"

__all__ = [
    "Stamp",
    "__version__",
    "build_tokenizer",
    "normalization_stamp",
    "normalize",
    "normalize_batch",
    "normalize_lines",
    "tokens_with_offsets",
]
