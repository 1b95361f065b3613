"""Verify a source: does each stored normalized side equal ``newspairs.normalize(raw)``?

`verify(source)` reads the source directly (no `datasets` build) and returns a `VerifyResult`:
how many pairs were checked, how many disagree, the first disagreements as unified diffs (stored
side against the normalizer's output, one hunk per differing line), and the articles that could
not be read. ``newspairs verify SOURCE`` prints it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Optional

from newspairs.normalize import normalize_batch
from newspairs.sources import (
    Article, InputFile, ReadOptions, Reject, check_column_options, counted, read_input, resolve_source, scan_metadata, twin_relpath,
)

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
                f"{counted(self.checked, 'pair')} checked: {self.checked - self.disagree} agree, {self.disagree} disagree "
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
            text += f"; {counted(self.without_normalized, 'article')} without a normalized side"
        if self.dropped:
            text += f"; {counted(len(self.dropped), 'article')} set aside (empty, or a duplicate of one read)"
        if self.rejects:
            text += f"; {counted(len(self.rejects), 'article')} could not be read"
        return text


# The hunk header of a unified diff: its two line ranges
HUNK = re.compile(r"^@@ -(\d+)((?:,\d+)?) \+(\d+)((?:,\d+)?) @@$")


def _escape(char: str) -> str:
    # repr escapes what is not printable; a combining mark (e + U+0301 against é) it leaves as it is
    shown = repr(char)[1:-1]
    return shown if shown != char else f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"


def visible(line: str) -> str:
    """``line`` as a diff shows it: what a terminal shows as a plain space, as nothing or as part of
    the letter before it (a tab, a no-break space, a zero-width or control character, a combining
    mark) escaped as ``repr`` escapes it, a backslash doubled, and trailing spaces as ``\\x20``.
    (Letters that look alike, as Latin and Cyrillic ``a``, stay as they are.)"""
    shown = "".join(char if char.isprintable() and char != "\\" and not unicodedata.combining(char)
                    else _escape(char) for char in line)
    kept = shown.rstrip(" ")
    return kept + "\\x20" * (len(shown) - len(kept))


def line_diff(stored: str, expected: str, *, label: str, stored_label: Optional[str] = None,
              first_line: int = 1, note: str = "") -> tuple[tuple[int, ...], str]:
    """The differing line numbers (from 1, the article's) and a unified diff, stored side against
    ``newspairs.normalize`` (lines shown `visible`). ``label`` names the raw side, ``stored_label``
    the stored one (default: ``label``); ``first_line`` is the file's line of the article's first
    line, which the hunks count from; ``note`` (``"; ..."``) says what else they count."""
    stored_lines, expected_lines = stored.split("\n"), expected.split("\n")
    differing = tuple(
        number for number, (a, b) in enumerate(zip(stored_lines, expected_lines), start=1) if a != b
    )
    diff = difflib.unified_diff(
        [visible(line) for line in stored_lines], [visible(line) for line in expected_lines],
        fromfile=f"{stored_label or label} (stored{note})", tofile=f"{label} (newspairs.normalize{note})",
        lineterm="", n=0,
    )
    shift = first_line - 1

    def moved(text: str) -> str:
        hunk = HUNK.match(text)
        if not hunk or not shift:
            return text
        old, old_count, new, new_count = hunk.groups()
        return f"@@ -{int(old) + shift}{old_count} +{int(new) + shift}{new_count} @@"

    return differing, "\n".join(moved(text) for text in diff)


def _labels(item: InputFile, article: Article, options: ReadOptions) -> tuple[str, str, int, str]:
    """The diff's names of the raw and the stored side, the file line its hunks count from, and
    what they count where it is not the file's lines (`line_diff`'s ``note``).

    A pair's sides are two files, its hunks their lines (a blank-line separated article's counted
    from where it starts, unless its sentences were split: then its own lines). A record of a JSON,
    CSV or Parquet file holds both sides as fields: named by its line (row) and columns, its hunks
    count the lines of the field's text."""
    if item.kind in ("pair", "text"):
        stored = twin_relpath(item) or article.source_file
        if article.line is None:  # the whole file is the article
            return article.source_file, stored, 1, "" if options.sentences is None else "; @@ counts its lines, split into sentences, from 1"
        if options.sentences is None:  # the twin's paragraphs start on the raw file's lines
            return article.source_file, stored, article.line, ""
        where = f" line {article.line}"
        return article.source_file + where, stored + where, 1, "; @@ counts the article's lines, split into sentences, from 1"
    unit = "row" if item.kind == "parquet" else "line"
    where = f"{article.source_file} {unit} {article.line}" if article.line else article.source_file
    if article.record is not None:  # many records of a JSON array may share a line (json.dump writes one)
        where = f"{article.source_file} record {article.record} (line {article.line})"
    return (f"{where}, column {options.raw_column!r}", f"{where}, column {options.normalized_column!r}", 1,
            "; @@ counts the lines of its text, from 1")


def verify(
    source: Any = None, *, show: int = 5, raw_column: Optional[str] = None, normalized_column: Optional[str] = None,
    sentences: Optional[str] = None, text_articles: str = "file",
) -> VerifyResult:
    """Check every stored normalized side of ``source`` against ``newspairs.normalize(raw)``.

    Unreadable articles do not stop the check: they are listed in ``rejects``. With ``sentences``
    the raw side is split into sentences first (`newspairs.sentences`), as the build would split it;
    ``text_articles="blank-line"`` reads many articles per ``.txt`` file, as the build would.
    ``raw_column`` and ``normalized_column`` (None: ``"raw"`` and ``"normalized"``) name a table's
    columns; one given that no file of the source reads is a `ValueError`, as a build has it.
    """
    inputs = resolve_source(source)
    check_column_options(inputs, raw_column, normalized_column)
    options = ReadOptions(raw_column="raw" if raw_column is None else raw_column,
                          normalized_column="normalized" if normalized_column is None else normalized_column,
                          sentences=sentences, text_articles=text_articles)
    _, json_types = scan_metadata(inputs, options)
    result = VerifyResult()
    batch: list[tuple[InputFile, Article]] = []

    def check(articles: list[tuple[InputFile, Article]]) -> None:
        for (item, article), expected in zip(articles, normalize_batch([a.raw for _, a in articles])):
            result.checked += 1
            if article.normalized != expected:
                result.disagree += 1
                if len(result.first) < show:
                    label, stored_label, first_line, note = _labels(item, article, options)
                    lines, diff = line_diff(article.normalized, expected, label=label, stored_label=stored_label,
                                            first_line=first_line, note=note)
                    result.first.append(Disagreement(article.source_file, article.id, lines, diff))

    for item in inputs:
        for entry in read_input(item, options, json_types.get(item.path)):
            if isinstance(entry, Reject):
                # an empty article or a duplicate is no mistake of the source's: a build drops it too
                (result.dropped if entry.dropped else result.rejects).append(entry)
                continue
            result.articles += 1
            if entry.normalized is not None:
                batch.append((item, entry))
                if len(batch) >= BATCH_ARTICLES:
                    check(batch)
                    batch = []
    if batch:
        check(batch)
    return result
