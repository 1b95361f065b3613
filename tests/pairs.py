"""Small input layouts written into tmp_path by the loader tests (text the tests write themselves).

Normalized sides come from `newspairs.normalize`, so a test that needs agreement gets it by
construction, whatever the state of the rule table.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import newspairs
import pytest

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


def write_messy_jsonl(path: Path) -> Path:
    """A JSON lines file with something wrong all along it: a BOM, \\r\\n, blank lines, a bad line, bad
    bytes, an empty article, a late key, a number no column type holds, and duplicates far apart."""
    raws = list(ARTICLES.values())
    lines = [json.dumps({"raw": raws[0], "n": 1})]
    lines += [json.dumps({"raw": f"Story {i} said \"it's here\".\nLine two of {i}.", "n": i}) for i in range(12)]
    lines += ["", "{not json", json.dumps({"raw": raws[1], "n": 2}), json.dumps({"raw": ""}), "   "]
    lines += [json.dumps({"raw": raws[0], "n": 3}), json.dumps({"text": "no raw key"})]
    lines += [json.dumps({"raw": f"Late {i}.", "late": i % 2 == 0}) for i in range(6)]
    lines += [json.dumps({"raw": raws[1], "n": 4}), json.dumps({"raw": "Big number.", "n": 1 << 70})]
    lines += [json.dumps({"raw": "Story 3 said \"it's here\".\nLine two of 3.", "n": 5})]
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "\ufeff" + "\r\n".join(lines[:8]) + "\r\n" + "\n".join(lines[8:]) + "\n"
    path.write_bytes(data.encode("utf-8").replace(b"Late 2.", b"Late \xff2."))
    return path


def write_big_files(folder: Path) -> Path:
    """A JSON lines file with something wrong all along it, a Parquet file of many row groups, a small file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    write_messy_jsonl(folder / "big.jsonl")
    raws = [f"Row {i} said \"it's\" (here).\nIts second line." for i in range(24)] + ["Row 5 said \"it's\" (here).\nIts second line.", ""]
    pq.write_table(pa.table({"raw": raws, "rank": list(range(len(raws)))}), folder / "rows.parquet", row_group_size=4)
    write_jsonl(folder / "small.jsonl", tabular_records())
    return folder


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


# Bad inputs, one per kind: each maker writes a source under tmp with exactly one bad article and
# returns (source, the reject's article, its line, a regex of its reason).

def _pair_missing_normalized(tmp):
    write_pairs(tmp / "c")
    (tmp / "c" / "normalized" / "ferry.txt").unlink()
    return tmp / "c", "raw/ferry.txt", None, "without its normalized twin"


def _normalized_missing_raw(tmp):
    write_pairs(tmp / "c")
    (tmp / "c" / "raw" / "ferry.txt").unlink()
    return tmp / "c", "normalized/ferry.txt", None, "without its raw twin"


def _line_counts_differ(tmp):
    write_pairs(tmp / "c")
    (tmp / "c" / "normalized" / "ferry.txt").write_text("only one line", encoding="utf-8")
    return tmp / "c", "raw/ferry.txt", 2, "raw has 2 lines, its normalized twin .* has 1"


def _undecodable_text(tmp):
    write_pairs(tmp / "c")
    (tmp / "c" / "raw" / "ferry.txt").write_bytes(b"first line\nsecond \xff\xfe line")
    return tmp / "c", "raw/ferry.txt", 2, "not UTF-8"


def _undecodable_csv(tmp):
    path = write_csv(tmp / "t.csv", ["raw"], [["fine"], ["also fine"]])
    path.write_bytes(path.read_bytes() + b"bad \xff byte\r\n")
    return path, "line 4", 4, "not UTF-8"


def _csv_unclosed_quote(tmp):
    # the csv module would make the rest of the file one cell of the third row, silently
    path = write_csv(tmp / "t.csv", ["raw"], [["fine"], ["also fine"]])
    path.write_bytes(path.read_bytes() + b'"a stray quote\r\nthe next row\r\nthe last row\r\n')
    return path, "line 4", 4, "a quote opened in this row is never closed: lines 4-6 .*the rest of the file is unread"


def _empty_article(tmp):
    write_pairs(tmp / "c")
    (tmp / "c" / "raw" / "ferry.txt").write_text("  \n", encoding="utf-8")
    (tmp / "c" / "normalized" / "ferry.txt").write_text("", encoding="utf-8")
    return tmp / "c", "raw/ferry.txt", 1, "empty article"


def _empty_row(tmp):
    return write_jsonl(tmp / "t.jsonl", [{"raw": "a"}, {"raw": ""}]), "line 2", 2, "empty article"


def _duplicate_ids(tmp):
    return write_jsonl(tmp / "t.jsonl", [{"raw": "same"}, {"raw": "other"}, {"raw": "same"}]), "line 3", 3, "duplicate id .* line 1"


def _csv_missing_text_column(tmp):
    return write_csv(tmp / "t.csv", ["title", "body"], [["a", "b"]]), "line 2", 2, "no raw column 'raw'"


def _corrupt_parquet(tmp):
    path = tmp / "t.parquet"
    path.write_bytes(b"PAR1 this is not really parquet")
    return path, None, None, "not a readable Parquet file"


def _truncated_parquet(tmp):
    path = write_parquet(tmp / "t.parquet", {"raw": ["a"] * 10})
    path.write_bytes(path.read_bytes()[:-30])
    return path, None, None, "not a readable Parquet file"


BAD_INPUTS = [
    pytest.param(_pair_missing_normalized, id="raw-without-normalized-twin"),
    pytest.param(_normalized_missing_raw, id="normalized-without-raw-twin"),
    pytest.param(_line_counts_differ, id="different-line-counts"),
    pytest.param(_undecodable_text, id="undecodable-bytes-text"),
    pytest.param(_undecodable_csv, id="undecodable-bytes-csv"),
    pytest.param(_csv_missing_text_column, id="csv-missing-text-column"),
    pytest.param(_corrupt_parquet, id="corrupt-parquet"),
    pytest.param(_truncated_parquet, id="truncated-parquet"),
    pytest.param(_csv_unclosed_quote, id="csv-unclosed-quote"),
]

# Articles set aside by rule, not by mistake (same makers' shape): an empty article, a duplicate
# of one already read. Each is one reject in the report; none stops a build, even with errors="raise".
DROPPED_INPUTS = [
    pytest.param(_empty_article, id="empty-article"),
    pytest.param(_empty_row, id="empty-row"),
    pytest.param(_duplicate_ids, id="duplicate-ids"),
]


def export_stopped_by_sigterm(folder: Path, articles: int, *options: str, ready: str = ".out.*", env=None,
                              timeout: float = 120) -> tuple[int, str]:
    """``newspairs export big.jsonl out *options`` in ``folder`` over ``articles`` two-line articles,
    sent SIGTERM once the glob ``ready`` matches there (the export is under way): its status and
    standard error."""
    import signal
    import subprocess
    import sys
    import time

    with (folder / "big.jsonl").open("w", encoding="utf-8") as handle:
        for i in range(articles):
            handle.write(json.dumps({"raw": f"Article {i} says \"it's\" here (really).\nA second line, {i}."}) + "\n")
    run = subprocess.Popen([sys.executable, "-m", "newspairs", "export", "big.jsonl", "out", "--quiet", *options],
                           cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + timeout
    while not list(folder.glob(ready)) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run.poll() is None, "the export ended before it could be stopped"
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=timeout)
    return run.returncode, err
