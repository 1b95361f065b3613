"""Verify a source: does each stored normalized side equal ``newspairs.normalize(raw)``?

`verify(source)` reads the source directly (no `datasets` build) and returns a `VerifyResult`:
how many pairs were checked, how many disagree, the first disagreements as unified diffs (stored
side against the normalizer's output, one hunk per differing line), and the articles that could
not be read. ``newspairs verify SOURCE`` prints it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Optional

from newspairs.normalize import normalize_batch
from newspairs.sources import Article, ReadOptions, Reject, read_input, resolve_source, scan_metadata

BATCH_ARTICLES = 64


@dataclass(frozen=True)
class Disagreement:
    """A pair whose stored normalized side differs from the normalizer's: where, which lines, the diff."""

    file: str
    article: str
    lines: tuple[int, ...]
    diff: str


@dataclass
class VerifyResult:
    """Counts of a verification; ``first`` holds up to ``show`` disagreements, ``rejects`` every unreadable
    article, ``dropped`` every article set aside by rule (empty, or a duplicate of one read), as a build would."""

    articles: int = 0
    checked: int = 0
    disagree: int = 0
    first: list[Disagreement] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    dropped: list[Reject] = field(default_factory=list)

    @property
    def without_normalized(self) -> int:
        return self.articles - self.checked

    @property
    def agreement(self) -> Optional[float]:
        return None if not self.checked else (self.checked - self.disagree) / self.checked

    def summary(self) -> str:
        if self.checked:
            text = (
                f"{self.checked} pairs checked: {self.checked - self.disagree} agree, {self.disagree} disagree "
                f"with newspairs.normalize (agreement {100 * self.agreement:.2f}%)"
            )
        elif not self.articles:
            # every article was unreadable or set aside: whether they had a stored side is unknown
            text = "no pair checked: no article was read"
        elif self.rejects:
            text = "no pair checked: no article read has a stored normalized side"
        else:
            text = "no pair checked: the source has no stored normalized side"
        if self.without_normalized:
            text += f"; {self.without_normalized} articles without a normalized side"
        if self.dropped:
            text += f"; {len(self.dropped)} articles set aside (empty, or a duplicate of one read)"
        if self.rejects:
            text += f"; {len(self.rejects)} articles could not be read"
        return text


def line_diff(stored: str, expected: str, *, label: str) -> tuple[tuple[int, ...], str]:
    """The differing line numbers (from 1) and a unified diff, stored side against ``newspairs.normalize``."""
    stored_lines, expected_lines = stored.split("\n"), expected.split("\n")
    differing = tuple(
        number for number, (a, b) in enumerate(zip(stored_lines, expected_lines), start=1) if a != b
    )
    diff = "\n".join(
        difflib.unified_diff(
            stored_lines, expected_lines, fromfile=f"{label} (stored)", tofile=f"{label} (newspairs.normalize)",
            lineterm="", n=0,
        )
    )
    return differing, diff


def verify(
    source: Any = None, *, show: int = 5, raw_column: str = "raw", normalized_column: str = "normalized",
    sentences: Optional[str] = None, text_articles: str = "file",
) -> VerifyResult:
    """Check every stored normalized side of ``source`` against ``newspairs.normalize(raw)``.

    Unreadable articles do not stop the check: they are listed in ``rejects``. With ``sentences``
    the raw side is split into sentences first (`newspairs.sentences`), as the build would split it;
    ``text_articles="blank-line"`` reads many articles per ``.txt`` file, as the build would.
    """
    options = ReadOptions(raw_column=raw_column, normalized_column=normalized_column, sentences=sentences,
                          text_articles=text_articles)
    inputs = resolve_source(source)
    _, json_types = scan_metadata(inputs, options)
    result = VerifyResult()
    batch: list[Article] = []

    def check(articles: list[Article]) -> None:
        for article, expected in zip(articles, normalize_batch([a.raw for a in articles])):
            result.checked += 1
            if article.normalized != expected:
                result.disagree += 1
                if len(result.first) < show:
                    label = article.source_file + (f" line {article.line}" if article.line else "")
                    lines, diff = line_diff(article.normalized, expected, label=label)
                    result.first.append(Disagreement(article.source_file, article.id, lines, diff))

    for item in inputs:
        for entry in read_input(item, options, json_types.get(item.path)):
            if isinstance(entry, Reject):
                # an empty article or a duplicate is no mistake of the source's: a build drops it too
                (result.dropped if entry.dropped else result.rejects).append(entry)
                continue
            result.articles += 1
            if entry.normalized is not None:
                batch.append(entry)
                if len(batch) >= BATCH_ARTICLES:
                    check(batch)
                    batch = []
    if batch:
        check(batch)
    return result
