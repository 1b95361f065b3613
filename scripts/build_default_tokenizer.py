"""Rebuild the default trained tokenizer shipped in newspairs/data/tokenizer/ from the embedded default data.

Run after the rule table or the default data changes (tests/test_train.py says when):

    python scripts/build_default_tokenizer.py [--normalizer-only]

``--normalizer-only`` keeps the trained model and vocabulary as they are (a trainer breaks ties at
random, so retraining changes learned pieces) and writes the current normalizer, pre-tokenizer and
stamp: right when only the compilation of the rule table into passes changed, whose output is the
same, so the model trained on it stays valid.
"""

import argparse
from dataclasses import replace
from pathlib import Path

import newspairs

from newspairs.tokenizer import build_normalizer, build_pre_tokenizer, load_tokenizer_file
from newspairs.stamp import normalization_stamp
from newspairs.train import DEFAULT_TOKENIZER_DIR, build_default_tokenizer, save_tokenizer_folder


def rebuild_normalizer_of_folder(folder: Path) -> list[Path]:
    """The trained tokenizer in ``folder`` with this installation's normalizer, pre-tokenizer and stamp."""
    tokenizer = load_tokenizer_file(folder)
    tokenizer.normalizer = build_normalizer()
    tokenizer.pre_tokenizer = build_pre_tokenizer()
    # the package's own version, also where it runs from a checkout (not installed)
    return save_tokenizer_folder(tokenizer, folder, stamp=replace(normalization_stamp(), newspairs=newspairs.__version__))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--normalizer-only", action="store_true", help="keep the trained model; write the current normalizer")
    args = parser.parse_args()
    build = rebuild_normalizer_of_folder if args.normalizer_only else build_default_tokenizer
    for path in build(DEFAULT_TOKENIZER_DIR):
        print(path.relative_to(DEFAULT_TOKENIZER_DIR.parent.parent.parent))
