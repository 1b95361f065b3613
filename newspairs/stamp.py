"""The stamp of the normalization: which rules and which library versions made an artifact.

Like sacrebleu's signature, the stamp travels with every artifact (dataset card, exported
folder, tokenizer) so that a mismatch between a tokenizer and a dataset is caught, not guessed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version

STAMP_FILENAME = "newspairs_stamp.json"


def _version_of(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "absent"


def rules_hash() -> str:
    """A short hash of the rule table: it changes whenever any rule's pattern, content or order does."""
    from newspairs.rules import rule_table_fingerprint

    return hashlib.sha256(rule_table_fingerprint().encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Stamp:
    """What made a normalization: the rule table's hash and the versions that ran it."""

    normalization: str
    rules: str
    newspairs: str
    tokenizers: str
    datasets: str

    def signature(self) -> str:
        """sacrebleu-style one-line signature, e.g. ``norm:treebank-lower|rules:ab12…|newspairs:0.1.0|…``."""
        return "|".join(f"{key}:{value}" for key, value in asdict(self).items()).replace(
            "normalization:", "norm:", 1
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict) -> Stamp:
        try:
            return cls(**{field: str(data[field]) for field in cls.__dataclass_fields__})
        except KeyError as missing:
            raise ValueError(f"stamp {data!r} lacks the field {missing}") from None

    @classmethod
    def from_json(cls, text: str, *, where: str = "<string>") -> Stamp:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"{where}: not a JSON stamp ({error})") from None
        if not isinstance(data, dict):
            raise ValueError(f"{where}: a stamp must be a JSON object, got {data!r}")
        return cls.from_dict(data)

    def differences(self, other: Stamp) -> dict[str, tuple[str, str]]:
        """Fields that differ, as ``{field: (self_value, other_value)}``; versions of datasets are not compared."""
        mine, theirs = asdict(self), asdict(other)
        return {
            key: (mine[key], theirs[key])
            for key in ("normalization", "rules", "tokenizers")
            if mine[key] != theirs[key]
        }


def normalization_stamp() -> Stamp:
    """The stamp of this installation's normalization."""
    return Stamp(
        normalization="treebank-lower",
        rules=rules_hash(),
        newspairs=_version_of("newspairs"),
        tokenizers=_version_of("tokenizers"),
        datasets=_version_of("datasets"),
    )
