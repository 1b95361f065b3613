"""Small input layouts written into tmp_path by the loader tests (text the tests write themselves).

Normalized sides come from `newspairs.normalize`, so a test that needs agreement gets it by
construction, whatever the state of the rule table.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import newspairs

ARTICLES = {
    "budget.txt": 'The council "can\'t" agree on a budget, its leader said.\nTalks resume (again) on Monday.',
    "weather.txt": "Rain is expected across the region.\nTemperatures will fall to 4C overnight.",
    "ferry.txt": "The ferry didn't sail on Tuesday.\nIts operator blamed high winds -- and a faulty engine.",
    "market.txt": "Shares rose 2.5% in early trading.",
}


def write_pairs(folder: Path, articles: dict[str, str] = ARTICLES, *, normalized: bool = True) -> Path:
    """A paired folder: raw/NAME and normalized/NAME (normalized by newspairs.normalize)."""
    (folder / "raw").mkdir(parents=True, exist_ok=True)
    if normalized:
        (folder / "normalized").mkdir(parents=True, exist_ok=True)
    for name, raw in articles.items():
        (folder / "raw" / name).write_text(raw, encoding="utf-8")
        if normalized:
            (folder / "normalized" / name).write_text(newspairs.normalize(raw), encoding="utf-8")
    return folder


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_parquet(path: Path, columns: dict[str, list]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)
    return path


def isot_rows() -> list[list[str]]:
    return [
        ["Town votes on bridge", "The town voted to repair its bridge. Work starts in May.", "politicsNews", "March 3, 2021 "],
        ["Library opens Sundays", "The library will open on Sundays, staff said.", "worldnews", "April 1, 2021"],
        ["Rail strike called", "Rail workers won't work on Friday, the union said.", "politicsNews", "May 9, 2021"],
    ]


def tabular_records() -> list[dict]:
    raws = list(ARTICLES.values())
    return [
        {"raw": raw, "normalized": newspairs.normalize(raw), "title": f"article {i}", "year": 2020 + i, "score": i / 2}
        for i, raw in enumerate(raws)
    ]
