"""Rebuild the default trained tokenizer shipped in newspairs/data/tokenizer/ from the embedded default data.

Run after the rule table or the default data changes (tests/test_train.py says when):

    python scripts/build_default_tokenizer.py
"""

from newspairs.train import DEFAULT_TOKENIZER_DIR, build_default_tokenizer

if __name__ == "__main__":
    for path in build_default_tokenizer(DEFAULT_TOKENIZER_DIR):
        print(path.relative_to(DEFAULT_TOKENIZER_DIR.parent.parent.parent))
