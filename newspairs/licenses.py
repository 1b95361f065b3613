"""The Hub's license identifiers, kept as data (``data/hub_licenses.tsv``), and the check of a ``license`` value.

The list is the one the Hub documents for a card's ``license:`` field
(https://huggingface.co/docs/hub/repositories-licenses); a value outside it is not shown as a
license on the Hub. `other` is on the list: it asks for the license's text in the repository.
"""

from __future__ import annotations

import difflib
import functools
from pathlib import Path

HUB_LICENSES_FILE = Path(__file__).resolve().parent / "data" / "hub_licenses.tsv"
LICENSES_PAGE = "https://huggingface.co/docs/hub/repositories-licenses"


@functools.cache
def hub_licenses() -> dict[str, str]:
    """Every Hub license identifier and its full name, in the order of the Hub's list."""
    licenses = {}
    for line in HUB_LICENSES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            identifier, name = line.split("\t")
            licenses[identifier] = name
    return licenses


def check_license(identifier: str) -> str:
    """``identifier`` when it is a Hub license identifier; else a `ValueError` naming it and the nearest ones."""
    licenses = hub_licenses()
    if identifier in licenses:
        return identifier
    near = difflib.get_close_matches(identifier.lower(), licenses, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(near)}? " if near else ""
    raise ValueError(
        f"{identifier!r} is not a Hub license identifier; {hint}"
        f"the list: {LICENSES_PAGE} ('other' for a license not on it)"
    )
