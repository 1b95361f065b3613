"""The stamp of the normalization: which rules and which library versions made an artifact.

Like sacrebleu's signature, the stamp travels with every artifact (dataset card, exported
folder, tokenizer) so that a mismatch between a tokenizer and a dataset is caught, not guessed.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version

STAMP_FILENAME = "newspairs_stamp.json"

# Rules hashes of an earlier fingerprint of the same normalization, and the hash that replaced
# each: what changed is how the fingerprint or the rules are written, not the output (each pair was
# checked on the peer suite, the corpora and the fuzzer: the same text, ids and offsets).
# 05f7703928ff43f5 hashed the passes the rules were grouped into by hand; now the rules are hashed,
# not their compilation into passes. 6a0c5f8c84515e89 is the table before the contraction rules were
# rewritten to start where Oniguruma can skip to (and ordered after/before/inside, a scan each);
# 357c17e89128e83f the table before the split before a contraction wrote a mark the other two start at;
# a8e6148f0dfd2013 the table before the final sigma was marked and put back as the skew characters are.
SAME_NORMALIZATION = {
    "05f7703928ff43f5": "40eac0c2176f1cb6",
    "6a0c5f8c84515e89": "40eac0c2176f1cb6",
    "357c17e89128e83f": "40eac0c2176f1cb6",
    "a8e6148f0dfd2013": "40eac0c2176f1cb6",
}

# sha256 of the serialized normalizer (``Normalizer.__getstate__()``, tokenizers 0.23) of each earlier
# compilation of this normalization that a tokenizer newspairs trained may hold, by the commit that
# shipped it: each, with the current pre-tokenizer and model, gives the current tokenizer's tokens,
# ids and offsets on the corpora, the seed, the peer strings and 100,000 random lines of contractions,
# marks and punctuation (473,495 lines). Such a tokenizer takes the same fast paths as one trained now.
EARLIER_NORMALIZERS = {
    "55fa8f517645a061c26b85204e0d4954a0daa1d29b03e8769cdb8f1f50cbe821": "6b96e61",
    "f26ca6ca5ac578fafc1194ca07dc906574972edec164ad331179e0a01e362ad3": "3e72efd",
    "9097b67bb56979b85a67229d2b45794daa1f9b7eb3ba9f610543602cc23e876f": "afed11c",
    "faab01664b294c7ba5ccf626b3a10bc560b0b4f887a76a5c9e27557d778ec785": "ac0ef75",
    "0d9c3053f2d61d2d0291bb28bf332cc5611f7c1a888f333e0fb27c5402f7a411": "8163636",
    "5c667342425b8c559f88c5b3c9d74b1ab4ab6e28a12e19fb5f639cdc37966837": "1381b14",
}


def _version_of(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "absent"


@functools.cache  # the rule table is fixed for the process; every build's cache key asks
def rules_hash() -> str:
    """A short hash of the rule table: it changes whenever any rule's pattern, content or order does."""
    from newspairs.rules import rule_table_fingerprint

    return hashlib.sha256(rule_table_fingerprint().encode("utf-8")).hexdigest()[:16]


def _current(rules: str) -> str:
    """The rules hash that now stands for the normalization ``rules`` stands for."""
    return SAME_NORMALIZATION.get(rules, rules)


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
    def from_dict(cls, data: dict, *, where: str | None = None) -> Stamp:
        try:
            return cls(**{field: str(data[field]) for field in cls.__dataclass_fields__})
        except KeyError as missing:
            raise ValueError(f"{where + ': the ' if where else ''}stamp {data!r:.200} lacks the field {missing}") from None

    @classmethod
    def from_json(cls, text: str, *, where: str = "<string>") -> Stamp:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"{where}: not a JSON stamp ({error})") from None
        if not isinstance(data, dict):
            raise ValueError(f"{where}: a stamp must be a JSON object, got {data!r}")
        return cls.from_dict(data, where=where)

    def differences(self, other: Stamp) -> dict[str, tuple[str, str]]:
        """Fields that differ, as ``{field: (self_value, other_value)}``; versions of datasets are not compared."""
        mine, theirs = asdict(self), asdict(other)
        same = {key: mine[key] == theirs[key] for key in ("normalization", "rules", "tokenizers")}
        same["rules"] = same["rules"] or _current(mine["rules"]) == _current(theirs["rules"])
        return {key: (mine[key], theirs[key]) for key, equal in same.items() if not equal}


def normalization_stamp() -> Stamp:
    """The stamp of this installation's normalization."""
    return Stamp(
        normalization="treebank-lower",
        rules=rules_hash(),
        newspairs=_version_of("newspairs"),
        tokenizers=_version_of("tokenizers"),
        datasets=_version_of("datasets"),
    )
