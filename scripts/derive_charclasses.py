"""Derive newspairs/charclasses.py from the reference's own engines (run with the `test` extra).

Every character table the rules need is read off the engines NLTK's Treebank tokenizer runs on
(`regex` for the redos-compiled rules, stdlib `re` for the contractions, `str.split`/`str.lower`
for the final join) and off `tokenizers`' `Lowercase`, never written by hand.
`tests/test_rules.py` regenerates the module and fails if a committed table drifted; the engine
versions in its docstring are a record and are not compared.

    python scripts/derive_charclasses.py            # rewrite newspairs/charclasses.py
    python scripts/derive_charclasses.py --check    # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# loaded by path, not through the package, which needs the module this script writes
_spec = importlib.util.spec_from_file_location("charclasses_derive", REPO / "newspairs" / "charclasses_derive.py")
_derive = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_derive)
render_module = _derive.render_module
tables_part = _derive.tables_part

TARGET = REPO / "newspairs" / "charclasses.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the committed module is current")
    args = parser.parse_args()
    text = render_module()
    if args.check:
        if not TARGET.exists():
            print(f"{TARGET.relative_to(REPO)} is missing: run scripts/derive_charclasses.py", file=sys.stderr)
            return 1
        current = TARGET.read_text(encoding="utf-8")
        if tables_part(current) != tables_part(text):
            print(f"{TARGET.relative_to(REPO)} is out of date: run scripts/derive_charclasses.py", file=sys.stderr)
            return 1
        stamp = "" if current == text else " (its tables; the engine versions it records differ from these)"
        print(f"{TARGET.relative_to(REPO)} is current{stamp}")
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
