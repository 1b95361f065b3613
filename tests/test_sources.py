"""The input side of the loader: layouts, ids, splits, and a clear error for each kind of bad input."""

from __future__ import annotations

import csv
import dataclasses
import json
import logging
import os
import re
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import newspairs
from newspairs.sources import (
    DEFAULT_DATA,
    Article,
    InputFile,
    ReadOptions,
    Reject,
    SourceError,
    article_id,
    read_input,
    resolve_source,
    scan_metadata,
    split_inputs,
    split_of,
)
from newspairs import sources
from pairs import (
    ARTICLES, BAD_INPUTS, DROPPED_INPUTS, isot_rows, tabular_records, write_big_files, write_csv, write_jsonl, write_messy_jsonl,
    write_pairs,
    write_parquet,
)

RATIOS = (("train", 0.8), ("validation", 0.1), ("test", 0.1))
READ_RECORD = b'{"raw": "read."}\n'  # a JSON lines file of one article
REPEATED = "appears twice in one object (json keeps only the last of its values)"  # a key's reject
BEYOND = "a number beyond float64 (json would read it as infinity)"  # a number's reject
# what a JSON value that is no object is called in a reject, by the type json gives it
JSON_KINDS = {int: "a number", float: "a number", str: "a string", list: "an array", type(None): "null"}


def read_all(source, options=ReadOptions()) -> list[Article | Reject]:
    inputs = resolve_source(source)
    _, types = scan_metadata(inputs, options)
    return [entry for item in inputs for entry in read_input(item, options, types.get(item.path))]


class TestResolveSource:
    def test_paired_folder_pairs_files_by_relative_name(self, tmp_path):
        write_pairs(tmp_path / "corpus")
        inputs = resolve_source(tmp_path / "corpus")
        assert [item.kind for item in inputs] == ["pair"] * len(ARTICLES)
        assert sorted(item.relpath for item in inputs) == sorted(f"raw/{name}" for name in ARTICLES)
        assert all(Path(item.twin).parent.name == "normalized" for item in inputs)

    @pytest.mark.parametrize("entry", ["corpus", "corpus/*"], ids=["folder", "glob"])
    def test_a_walk_names_the_files_it_does_not_read_once(self, tmp_path, caplog, monkeypatch, entry):
        write_jsonl(tmp_path / "corpus" / "a.jsonl", [{"raw": "read."}])
        for name in ("b.jsonl.zst", "c.tsv", "README.md"):
            (tmp_path / "corpus" / name).write_bytes(b"not read")
        (tmp_path / "corpus" / ".hidden.tsv").write_bytes(b"hidden names are skipped unsaid")
        monkeypatch.chdir(tmp_path)
        sources.clear_read_memos()
        with caplog.at_level("WARNING", logger="newspairs.sources"):
            assert [item.relpath for item in resolve_source(entry)] == ["a.jsonl"]
            resolve_source(entry)  # a build resolves its source more than once: one warning
        (message,) = [record.getMessage() for record in caplog.records]
        assert message == (f"newspairs: {entry}: 3 files not read, of no input suffix (.txt, .jsonl, .json, .csv, "
                           ".parquet; the first four also compressed: .gz, .bz2, .xz): corpus/README.md, corpus/b.jsonl.zst, corpus/c.tsv")

    @pytest.mark.parametrize(
        ("files", "links", "entry", "read", "unread"),
        [
            # corpus/** matches corpus, corpus/desk, corpus/desk/wire and each file: every folder's walk
            # finds the files under it again
            ({"corpus/desk/wire/a.jsonl": READ_RECORD, "corpus/desk/wire/README.md": b"x", "corpus/notes.tsv": b"x"}, {},
             "corpus/**", ["desk/wire/a.jsonl"], ["corpus/desk/wire/README.md", "corpus/notes.tsv"]),
            # named as the file, as the reading names a file and a link to it
            ({"c/z.jsonl": READ_RECORD, "c/z.md": b"x"}, {"c/a-link.md": "z.md"}, "c", ["z.jsonl"], ["c/z.md"]),
        ],
        ids=["recursive-glob", "file-and-link"],
    )
    def test_a_file_not_read_is_named_once(self, tmp_path, caplog, monkeypatch, files, links, entry, read, unread):
        for name, data in files.items():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_bytes(data)
        for name, target in links.items():
            (tmp_path / name).symlink_to(target)
        monkeypatch.chdir(tmp_path)
        sources.clear_read_memos()
        with caplog.at_level("WARNING", logger="newspairs.sources"):
            assert [item.relpath for item in resolve_source(entry)] == read
        (message,) = [record.getMessage() for record in caplog.records]
        files_not_read = f"{len(unread)} file{'s' if len(unread) > 1 else ''} not read"
        assert message.endswith(f": {files_not_read}, of no input suffix (.txt, .jsonl, .json, .csv, .parquet; the first four "
                                f"also compressed: .gz, .bz2, .xz): {', '.join(unread)}"), message

    @pytest.mark.parametrize("entry", ["corpus", "."], ids=["named", "found-by-a-walk"])
    def test_a_paired_folder_names_what_it_holds_beside_raw_and_normalized(self, tmp_path, caplog, monkeypatch, entry):
        write_pairs(tmp_path / "corpus")
        write_jsonl(tmp_path / "corpus" / "side.jsonl", [{"raw": "Side file."}])
        (tmp_path / "corpus" / "extra").mkdir()
        (tmp_path / "corpus" / "extra" / "loose.txt").write_text("Loose text.", encoding="utf-8")
        (tmp_path / "corpus" / ".hidden").write_text("skipped unsaid", encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        sources.clear_read_memos()
        with caplog.at_level("WARNING", logger="newspairs.sources"):
            assert {item.kind for item in resolve_source(entry)} == {"pair"}
            resolve_source(entry)  # once
        (message,) = [record.getMessage() for record in caplog.records]
        folder = "corpus" if entry == "corpus" else "corpus"
        assert message == (f"newspairs: {folder} is a paired folder (raw/ and normalized/), read as its pairs only: 2 entries "
                           f"beside them not read (name one as a source to read it): {folder}/extra, {folder}/side.jsonl")

    def test_a_walk_names_a_folder_newspairs_wrote_once(self, tmp_path, caplog):
        from newspairs.train import load_tokenizer, save_tokenizer_folder

        write_jsonl(tmp_path / "project" / "a.jsonl", [{"raw": "read."}])
        save_tokenizer_folder(load_tokenizer(), tmp_path / "project" / "tok")
        sources.clear_read_memos()
        with caplog.at_level("WARNING", logger="newspairs.sources"):
            assert [item.relpath for item in resolve_source(tmp_path / "project")] == ["a.jsonl"]
            resolve_source(tmp_path / "project")  # a build resolves its source more than once: one warning
        (message,) = [record.getMessage() for record in caplog.records]
        assert message == f"newspairs: {tmp_path}/project/tok is a newspairs export or tokenizer folder; its files are not read as input"

    @pytest.mark.parametrize("side", ["raw", "normalized"])
    def test_a_folder_newspairs_wrote_into_a_paired_folders_side_is_skipped_as_a_walk_skips_it(self, tmp_path, caplog, side):
        """`train-tokenizer corpus --out corpus/raw/tok` left a corpus that no longer built: the
        folder's files were the side's foreign files (the stop-38 CLI checker's 9)."""
        from newspairs.train import load_tokenizer, save_tokenizer_folder

        write_pairs(tmp_path / "corpus")
        before = resolve_source(tmp_path / "corpus")
        save_tokenizer_folder(load_tokenizer(), tmp_path / "corpus" / side / "tok")
        sources.clear_read_memos()
        with caplog.at_level("WARNING", logger="newspairs.sources"):
            assert resolve_source(tmp_path / "corpus") == before
        (message,) = [record.getMessage() for record in caplog.records]
        assert message == f"newspairs: {tmp_path}/corpus/{side}/tok is a newspairs export or tokenizer folder; its files are not read as input"

    @pytest.mark.parametrize("source", ["", [""], ["corpus", ""]], ids=["empty-string", "list-of-one", "in-a-list"])
    def test_an_empty_entry_is_refused_not_read_as_the_current_folder(self, tmp_path, monkeypatch, source):
        write_pairs(tmp_path / "corpus")
        monkeypatch.chdir(tmp_path)
        with pytest.raises(ValueError, match=r'^a source entry is empty: name a folder, a file or a glob \("\." for the current folder\)$'):
            resolve_source(source)
        with pytest.raises(ValueError, match="a source entry is empty"):
            newspairs.load(source, cache_dir=str(tmp_path / "cache"))

    def test_a_walk_of_input_files_only_warns_of_nothing(self, tmp_path, caplog):
        write_pairs(tmp_path / "corpus")
        sources.clear_read_memos()
        with caplog.at_level("WARNING", logger="newspairs.sources"):
            resolve_source(tmp_path / "corpus")
        assert not caplog.records

    def test_folder_with_raw_only_is_raw_only(self, tmp_path):
        write_pairs(tmp_path / "corpus", normalized=False)
        assert {item.kind for item in resolve_source(tmp_path / "corpus")} == {"text"}

    def test_files_are_classified_by_suffix_and_isot_by_header(self, tmp_path):
        write_jsonl(tmp_path / "a.jsonl", tabular_records())
        write_csv(tmp_path / "b.csv", ["raw"], [["x"]])
        write_csv(tmp_path / "True-mine.csv", ["title", "text", "subject", "date"], isot_rows())
        write_parquet(tmp_path / "c.parquet", {"raw": ["x"]})
        (tmp_path / "README.md").write_text("not an input")
        kinds = {Path(item.path).name: item.kind for item in resolve_source(tmp_path)}
        assert kinds == {"a.jsonl": "jsonl", "b.csv": "csv", "True-mine.csv": "isot", "c.parquet": "parquet"}

    def test_nested_paired_folders_are_found_in_a_plain_folder(self, tmp_path):
        write_pairs(tmp_path / "one")
        write_pairs(tmp_path / "two")
        relpaths = {item.relpath for item in resolve_source(tmp_path)}
        assert relpaths == {f"{side}/raw/{name}" for side in ("one", "two") for name in ARTICLES}

    def test_glob_and_list_sources(self, tmp_path):
        write_jsonl(tmp_path / "x" / "a.jsonl", tabular_records())
        write_jsonl(tmp_path / "y" / "b.jsonl", tabular_records())
        by_glob = resolve_source(str(tmp_path / "*" / "*.jsonl"))
        assert [item.relpath for item in by_glob] == ["x/a.jsonl", "y/b.jsonl"]
        by_list = resolve_source([tmp_path / "x" / "a.jsonl", tmp_path / "y" / "b.jsonl"])
        assert [item.relpath for item in by_list] == ["a.jsonl", "b.jsonl"]

    def test_a_file_named_twice_is_read_once(self, tmp_path):
        write_jsonl(tmp_path / "x" / "a.jsonl", tabular_records())
        inputs = resolve_source([str(tmp_path / "x" / "**"), tmp_path / "x"])
        assert [item.relpath for item in inputs] == ["a.jsonl"]

    @pytest.mark.parametrize(
        "make, message",
        [
            (lambda tmp: tmp / "missing", "no such file or folder"),
            (lambda tmp: str(tmp / "*.nothing"), "matches no file"),
            (lambda tmp: [], "empty list"),
            (lambda tmp: (tmp / "notes.md").write_text("x") and tmp / "notes.md", "not a source layout"),
        ],
        ids=["missing-path", "empty-glob", "empty-list", "unknown-suffix"],
    )
    def test_unusable_source_is_a_value_error(self, tmp_path, make, message):
        with pytest.raises(ValueError, match=message):
            resolve_source(make(tmp_path))

    def test_two_files_sharing_a_relative_path_are_refused(self, tmp_path):
        write_jsonl(tmp_path / "x" / "a.jsonl", tabular_records())
        write_jsonl(tmp_path / "y" / "a.jsonl", tabular_records())
        with pytest.raises(ValueError, match="share the relative path 'a.jsonl'"):
            resolve_source([tmp_path / "x" / "a.jsonl", tmp_path / "y" / "a.jsonl"])

    def test_default_source_is_the_embedded_pairs_with_the_seed(self):
        inputs = resolve_source(None)
        assert {item.kind for item in inputs} == {"pair"}
        assert "raw/seed-reuters-2017.txt" in {item.relpath for item in inputs}
        assert all(Path(item.path).is_relative_to(DEFAULT_DATA) for item in inputs)


class TestIds:
    def test_id_is_stable_when_the_corpus_moves(self, tmp_path):
        write_pairs(tmp_path / "a" / "corpus")
        write_pairs(tmp_path / "b" / "elsewhere")
        ids_a = [entry.id for entry in read_all(tmp_path / "a" / "corpus")]
        ids_b = [entry.id for entry in read_all(tmp_path / "b" / "elsewhere")]
        assert ids_a == ids_b and len(set(ids_a)) == len(ARTICLES)

    def test_id_changes_with_the_raw_text_and_the_relative_path(self):
        assert article_id("raw/a.txt", "x") != article_id("raw/a.txt", "y")
        assert article_id("raw/a.txt", "x") != article_id("raw/b.txt", "x")
        assert article_id("raw/a.txt", "x") == article_id("raw/a.txt", "x")

    def test_seed_pair_is_read_as_one_agreeing_or_disagreeing_article(self):
        (seed,) = [e for e in read_all(None) if e.source_file == "raw/seed-reuters-2017.txt"]
        assert seed.raw.count("\n") == 15 and seed.normalized.count("\n") == 15


class TestFileSha256:
    @pytest.mark.parametrize("size", [0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 20], ids=lambda n: f"{n}B")
    def test_blocks_hash_as_the_whole_file(self, tmp_path, size):
        import hashlib
        import os

        path = tmp_path / "shard.parquet"
        data = os.urandom(size)
        path.write_bytes(data)
        assert sources.file_sha256(path) == hashlib.sha256(data).hexdigest()


class TestSplits:
    @given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=30, unique=True), st.text(min_size=1, max_size=12))
    def test_adding_articles_never_moves_an_article(self, keys, extra):
        before = {key: split_of(key, RATIOS) for key in keys}
        after = {key: split_of(key, RATIOS) for key in [*keys, extra]}
        assert all(after[key] == before[key] for key in keys)

    def test_split_sizes_follow_the_ratios(self):
        counts = Counter(split_of(article_id("f", str(i)), RATIOS) for i in range(20_000))
        assert abs(counts["train"] / 20_000 - 0.8) < 0.02
        assert abs(counts["validation"] / 20_000 - 0.1) < 0.02

    @given(st.text(min_size=1, max_size=20),
           st.lists(st.floats(min_value=0, max_value=10, allow_nan=False), min_size=1, max_size=3).filter(lambda r: sum(r) > 0))
    def test_the_bounds_kept_per_ratios_give_the_split_of_the_sum_per_article(self, key, shares):
        import hashlib

        ratios = tuple(zip(("train", "validation", "test"), shares))
        point = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:12], 16) / float(1 << 48)
        total, cumulative, expected = sum(ratio for _, ratio in ratios), 0.0, ratios[-1][0]
        for name, ratio in ratios:  # the sum made for each article, as split_of once did
            cumulative += ratio / total
            if point < cumulative:
                expected = name
                break
        assert split_of(key, ratios) == expected
        assert split_of(key, [list(pair) for pair in ratios]) == expected  # ratios read back from JSON
        assert sources.split_router(ratios)(key) == expected

    def test_a_zero_ratio_split_gets_nothing(self):
        ratios = (("train", 1.0), ("test", 0.0))
        assert {split_of(str(i), ratios) for i in range(500)} == {"train"}


class TestTabular:
    @pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
    def test_metadata_columns_are_carried_through(self, tmp_path, fmt):
        records = tabular_records()
        path = tmp_path / f"t.{fmt}"
        if fmt == "jsonl":
            write_jsonl(path, records)
        elif fmt == "csv":
            write_csv(path, list(records[0]), [[str(r[k]) for k in records[0]] for r in records])
        else:
            write_parquet(path, {k: [r[k] for r in records] for k in records[0]})
        articles = read_all(path)
        assert [a.raw for a in articles] == [r["raw"] for r in records]
        assert [a.normalized for a in articles] == [r["normalized"] for r in records]
        assert set(articles[0].metadata) == {"title", "year", "score"}
        metadata, _ = scan_metadata(resolve_source(path))
        expected = {"csv": "string", "jsonl": "int64", "parquet": "int64"}[fmt]
        assert metadata["year"].dtype == expected

    def test_column_names_are_configurable_and_normalized_column_is_optional(self, tmp_path):
        path = write_jsonl(tmp_path / "t.jsonl", [{"body": "It's here.", "tag": "a"}])
        (article,) = read_all(path, ReadOptions(raw_column="body", normalized_column="gold"))
        assert (article.raw, article.normalized, article.metadata) == ("It's here.", None, {"tag": "a"})

    def test_isot_csv_is_raw_only_with_a_label_from_the_file_name(self, tmp_path):
        write_csv(tmp_path / "Fake-mine.csv", ["title", "text", "subject", "date"], isot_rows())
        articles = read_all(tmp_path / "Fake-mine.csv")
        assert [a.normalized for a in articles] == [None] * 3
        assert articles[0].metadata == {"title": "Town votes on bridge", "subject": "politicsNews", "date": "March 3, 2021 ", "label": "Fake"}
        metadata, _ = scan_metadata(resolve_source(tmp_path / "Fake-mine.csv"))
        assert metadata["label"].names == ["Fake", "True"]

    @pytest.mark.parametrize(("name", "label"), [
        ("True.csv", "True"), ("Fake-sample.csv", "Fake"), ("TrueNews.csv", "True"), ("isot_fake.csv", "Fake"),
        ("2017-true-news.csv", "True"), ("news.csv", None), ("news-true-or-fake.csv", None), ("untrue.csv", None),
    ], ids=["true", "fake-sample", "starts-with-true", "fake-a-word", "true-a-word", "neither", "both", "inside-a-word"])
    def test_an_isot_csv_is_labelled_by_its_name_or_said_unlabelled(self, tmp_path, caplog, name, label):
        # the builder checker: isot_fake.csv gave label None with no word said, and raw_column cannot help
        path = write_csv(tmp_path / name, ["title", "text", "subject", "date"], isot_rows())
        with caplog.at_level(logging.WARNING, logger="newspairs.sources"):
            (item,) = resolve_source(path)
        assert item.kind == "isot" and sources.isot_label(item.path) == label
        assert [a.metadata.get("label") for a in read_all(path)] == [label] * 3
        warned = [record.getMessage() for record in caplog.records if "says neither True nor Fake" in record.getMessage()]
        assert warned == ([] if label else [f"newspairs: 1 ISOT CSV whose name says neither True nor Fake, so its rows have no "
                                            f"label (name it True*.csv or Fake*.csv): {path}"])

    @pytest.mark.parametrize(("values", "dtype", "stored"), [
        ([1, [2, "x"], "3"], "string", ["1", '[2, "x"]', '"3"']),
        ([5, "5"], "string", ["5", '"5"']),
        ([True, "true"], "string", ["true", '"true"']),
        ([["a"], '["a"]'], "string", ['["a"]', '"[\\"a\\"]"']),
        ([{"k": 1}, [2], None], "string", ['{"k": 1}', "[2]", None]),
        (["5", "x", None], "string", ["5", "x", None]),
        ([1, 2.5], "float64", [1.0, 2.5]),
    ], ids=["int-list-string", "int-string", "bool-string", "list-string", "nested-only", "strings-only", "int-float"])
    def test_json_values_of_mixed_types_are_each_json_text(self, tmp_path, values, dtype, stored):
        """A mix is stored as the JSON text of each value, a string too, so that 5 and "5" stay apart;
        a column of strings only keeps them as they are."""
        path = write_jsonl(tmp_path / "t.jsonl", [{"raw": f"Story {i}.", "n": value} for i, value in enumerate(values)])
        assert [a.metadata["n"] for a in read_all(path)] == stored
        assert scan_metadata(resolve_source(path))[0]["n"].dtype == dtype
        built = newspairs.load(str(path), cache_dir=str(tmp_path / "cache"), split_ratios=(1, 0, 0))["train"]
        assert built["n"] == stored

    @pytest.mark.parametrize("other", [
        lambda tmp: write_csv(tmp / "b.csv", ["raw", "n"], [["b", "5"]]),
        lambda tmp: write_parquet(tmp / "b.parquet", {"raw": ["b"], "n": ["5"]}),
        lambda tmp: write_jsonl(tmp / "b.jsonl", [{"raw": "b", "n": "5"}]),
    ], ids=["csv", "parquet", "jsonl-of-strings"])
    def test_a_column_of_json_text_and_one_of_plain_text_are_two_types(self, tmp_path, other):
        """"5" is 5 in the one, "5" in the other: refused as any two types of one column are."""
        write_jsonl(tmp_path / "a.jsonl", [{"raw": "a", "n": 5}, {"raw": "c", "n": "5"}])
        other(tmp_path)
        with pytest.raises(ValueError, match="metadata column 'n' is JSON text in .*a.jsonl but string in .*b"):
            scan_metadata(resolve_source(tmp_path))

    def test_metadata_column_with_two_types_is_a_value_error(self, tmp_path):
        write_jsonl(tmp_path / "a.jsonl", [{"raw": "a", "n": 1}])
        write_csv(tmp_path / "b.csv", ["raw", "n"], [["b", "1"]])
        with pytest.raises(ValueError, match="metadata column 'n' is int64 in .*a.jsonl but string in .*b.csv"):
            scan_metadata(resolve_source(tmp_path))


class TestBadInput:
    @pytest.mark.parametrize("make", BAD_INPUTS + DROPPED_INPUTS)
    def test_each_bad_article_is_one_reject_naming_file_article_and_line(self, tmp_path, make):
        source, article, line, reason = make(tmp_path)
        entries = read_all(source)
        rejects = [entry for entry in entries if isinstance(entry, Reject)]
        assert len(rejects) == 1
        (reject,) = rejects
        assert reject.line == line
        if article is not None:
            assert reject.article == article
        error = reject.error()
        assert isinstance(error, SourceError) and isinstance(error, ValueError)
        assert re.search(reason, str(error)), str(error)
        assert str(error).startswith(reject.file) and Path(reject.file).name in str(error)
        if line is not None:
            assert f"line {line}" in str(error)

    @pytest.mark.parametrize("make", BAD_INPUTS + DROPPED_INPUTS)
    def test_the_good_articles_beside_a_bad_one_are_still_read(self, tmp_path, make):
        source, *_ = make(tmp_path)
        entries = read_all(source)
        good = [entry for entry in entries if isinstance(entry, Article)]
        assert all(article.raw.strip() for article in good)
        assert len({article.id for article in good}) == len(good)


def test_crlf_and_one_final_newline_do_not_change_an_article(tmp_path):
    write_pairs(tmp_path / "a", {"x.txt": "one\ntwo"})
    (tmp_path / "b" / "raw").mkdir(parents=True)
    (tmp_path / "b" / "raw" / "x.txt").write_bytes(b"one\r\ntwo\r\n")
    (a,), (b,) = read_all(tmp_path / "a"), read_all(tmp_path / "b")
    assert a.raw == b.raw == "one\ntwo" and a.id == b.id


@pytest.mark.parametrize(
    ("name", "content", "raw", "normalized"),
    [
        ("a.jsonl", b'{"raw": "one\\r\\ntwo", "normalized": "one\\r\\ntwo"}\n', "one\ntwo", "one\ntwo"),
        ("a.jsonl", b'{"raw": "one\\rtwo\\r\\n"}\n', "one\rtwo\n", None),
        ("a.jsonl", b'{"raw": "one\\ntwo"}\r\n', "one\ntwo", None),
        ("a.csv", b'raw,normalized\r\n"one\r\ntwo","one\r\ntwo"\r\n', "one\ntwo", "one\ntwo"),
        ("a.csv", b'raw\n"one\rtwo"\n', "one\rtwo", None),
    ],
    ids=["jsonl-escaped-crlf", "jsonl-lone-cr-kept", "jsonl-crlf-line-end", "csv-crlf-in-a-cell", "csv-lone-cr-kept"],
)
def test_a_table_cell_s_crlf_is_a_line_break_and_a_lone_cr_is_kept(tmp_path, name, content, raw, normalized):
    (tmp_path / name).write_bytes(content)
    (article,) = read_all(tmp_path / name)
    assert (article.raw, article.normalized) == (raw, normalized)


@pytest.mark.parametrize("cell", ["x'\r\r\ny", "a\r\r\n\r\nb", "\r\r\n\nc", "d\r\n\r"], ids=["cr-crlf", "cr-crlf-crlf", "cr-crlf-lf", "crlf-cr"])
def test_a_cell_s_crlf_is_read_as_lf_once_in_every_table_kind(tmp_path, cell):
    """"\r\n" becomes "\n" once, whatever the table: "\r\r\n" is "\r\n" in a CSV cell as in a JSON
    or Parquet cell (turned twice, a CSV lost the "\r", and its lines normalized to other text)."""
    import json

    write_csv(tmp_path / "a.csv", ["raw", "normalized"], [[cell, cell]])
    (tmp_path / "a.jsonl").write_text(json.dumps({"raw": cell, "normalized": cell}) + "\n", encoding="utf-8")
    write_parquet(tmp_path / "a.parquet", {"raw": [cell], "normalized": [cell]})
    read = [read_all(tmp_path / name)[0] for name in ("a.csv", "a.jsonl", "a.parquet")]
    assert [(article.raw, article.normalized) for article in read] == [(cell.replace("\r\n", "\n"),) * 2] * 3

@pytest.mark.parametrize(
    ("content", "raws"),
    [
        (b"raw\nSecond \rarticle.\nthird\n", ["Second ", "article.", "third"]),
        (b"raw\rone\rtwo\r", ["one", "two"]),
        (b'raw\r\none\r\n"two\rlines"\r\nthree', ["one", "two\rlines", "three"]),
    ],
    ids=["lone-cr-in-a-row", "cr-line-ends", "crlf-and-a-quoted-cr"],
)
def test_a_lone_cr_outside_quotes_ends_a_csv_row_as_in_datasets_csv_loader(tmp_path, content, raws):
    import datasets

    path = tmp_path / "a.csv"
    path.write_bytes(content)
    entries = read_all(path)
    assert [entry.raw for entry in entries] == raws  # no reject, nothing of the file left out
    loaded = datasets.load_dataset("csv", data_files=str(path), cache_dir=str(tmp_path / "cache"), split="train")
    assert loaded["raw"] == raws


@given(
    st.lists(st.lists(st.lists(st.sampled_from(["a", "b", " ", ",", '"', "\n", "\r", "\r\n", "é", "\t"]), min_size=1, max_size=8)
                      .map("".join), min_size=2, max_size=2), min_size=1, max_size=6),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_csv_rows_read_back_whatever_their_line_ends(tmp_path_factory, rows, line_end):
    """Rows written as RFC 4180 has them (a cell holding a comma, a quote or a line break quoted,
    its quotes doubled), with lines ended by \\n, \\r\\n or a lone \\r, read back as written (a
    \\r\\n inside a cell read as \\n, as everywhere)."""

    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text

    data = "".join(",".join(map(cell, row)) + line_end for row in [["raw", "topic"], *rows])
    path = tmp_path_factory.mktemp("csv") / "a.csv"
    path.write_bytes(data.encode("utf-8"))
    item = resolve_source(str(path))[0]
    expected = [{"raw": raw.replace("\r\n", "\n"), "topic": topic.replace("\r\n", "\n")} for raw, topic in rows]
    assert [record for _, record, _ in sources._rows_csv(item)] == expected


@pytest.mark.parametrize(
    ("content", "raws", "reason"),
    [
        (b'"raw\none\n', [], r"not a CSV file \(a quote opened in its header is never closed: lines 1-2 are one cell\)"),
        (b'raw\none\n"two\n', ["one"], r"line 3: a quote opened in this row is never closed: line 3 would be one cell "),
        (b'raw\none\n"two', ["one"], r"line 3: a quote opened in this row is never closed: line 3 would be one cell "),
        (b'raw\none\n"two\nthree\n', ["one"], r"line 3: a quote opened in this row is never closed: lines 3-4 would be one cell "),
        (b'raw\none\n"two""\n', ["one"], r"line 3: a quote opened in this row is never closed"),
        (b'raw\none\n"', ["one"], r"line 3: a quote opened in this row is never closed"),  # was skipped unsaid
        (b'raw\none\n"two"', ["one", "two"], None),
        (b"\xef\xbb\xbf", [], None),
        (b"", [], None),
        (b"raw", [], None),
        (b'raw\none\n"two\nlines"', ["one", "two\nlines"], None),
    ],
    ids=["in-the-header", "last-row", "last-row-no-final-break", "over-two-lines", "doubled-quote-inside", "a-lone-quote-ending-the-file", "closed-at-the-end",
         "byte-order-mark-alone", "empty", "header-alone-no-final-break", "closed-over-two-lines"],
)
def test_a_quote_never_closed_is_one_reject_not_the_rest_of_the_file_as_one_cell(tmp_path, content, raws, reason):
    _assert_csv_read(tmp_path, content, raws, reason)


@pytest.mark.parametrize(
    ("content", "raws", "reason"),
    [
        # the builder checker's file: the stray quote's cell closed by the next row's opening quote
        (b'raw,m\n"He said ""hi"" to me.,1\n"Second article.",2\n"Third article.",3\n', ["Third article."],
         r"line 2: a quote closes a cell on line 3, not at its end, and text follows it: lines 2-3 would be one row"),
        (b'raw\n"stray\n5" inch screen\nlast\n', ["last"], r"line 2: a quote closes a cell on line 3, not at its end"),
        (b'raw\none\n"stray\nx\n\ny" z\n"last"\n', ["one", "last"], r"line 3: a quote closes a cell on line 6, .* lines 3-6 would be one row"),
        # the review of 0e9273f: a quote closed early on the row's first line hid the join on a later one
        (b'title,raw\n"Trump, "the" man","He said ""hi"" to me.\nSecond title,"Second article."\nThird title,"Third article."\n',
         ["Third article."], r"line 2: a quote closes a cell on line 3, not at its end"),
        # ... a cell's quote followed by spaces is read as datasets reads it; the line named is the quote's, not the row's end
        (b'raw,m\n"Body line one\nline two" ,1\n"Second",2\n', ["Body line one\nline two ", "Second"], None),
        (b'raw,t\n"He said ""hi"" to me.,x\n"Second article.","multi\nline"\n', [],
         r"line 2: a quote closes a cell on line 3, not at its end, and text follows it: lines 2-4 would be one row"),
        (b'raw,m\n"a\nb"c,1\n', [], r"line 2: a quote closes a cell on line 3, not at its end"),
        (b'raw,m\n"broken "quote,w\n"two\nlines",x\n', ["broken quote", "two\nlines"], None),
        (b'raw,m\n"a "b" c",1\n', ['a b" c"'], None),
        (b'"raw\nx"y,m\n1,2\n', [], r"not a CSV file \(a quote closes a cell of its header on line 2, not at its end"),
    ],
    ids=["closed-by-the-next-rows-quote", "closed-by-an-inch-mark", "across-a-blank-line", "after-an-early-close-on-the-first-line",
         "spaces-after-the-quote", "the-line-of-the-quote", "last-row", "on-one-line-read-as-datasets-reads-it",
         "closed-early-on-one-line-read-as-before", "in-the-header"],
)
def test_a_stray_quote_that_joins_rows_is_a_reject_naming_them(tmp_path, content, raws, reason):
    # the csv module reads on past a quote closing a cell early: the rows up to the next quote would be one article
    _assert_csv_read(tmp_path, content, raws, reason)


def _assert_csv_read(tmp_path, content: bytes, raws: list[str], reason: str | None) -> None:
    """The CSV ``content`` reads as the articles ``raws`` and, with a ``reason``, one reject matching it."""
    path = tmp_path / "a.csv"
    path.write_bytes(content)
    entries = read_all(path)
    assert [entry.raw for entry in entries if isinstance(entry, Article)] == raws
    rejects = [str(entry.error()) for entry in entries if isinstance(entry, Reject)]
    assert len(rejects) == (reason is not None) and all(re.search(reason, text) for text in rejects), rejects


@pytest.mark.parametrize(("row", "reason"), [
    ("A.", "line 2: 1 field where the header has 2$"),
    ("A.,b,c", "line 2: 3 fields where the header has 2$"),
], ids=["short", "long"])
def test_a_csv_row_of_another_number_of_fields_is_a_reject_saying_how_many(tmp_path, row, reason):
    """Unlike `datasets`' loader, which fills a short row with nulls: a cell missing may be a comma
    missing, which moves every cell after it ("1 fields" was said, too)."""
    path = tmp_path / "a.csv"
    path.write_text(f"raw,normalized\n{row}\nB.,b .\n", encoding="utf-8")
    reject, article = read_all(path)
    assert re.search(reason, str(reject.error())) and article.raw == "B."


@pytest.mark.parametrize("header", ["raw,title,title", "raw,title, title", "raw,raw"], ids=["metadata", "after-strip", "raw"])
def test_a_csv_column_named_twice_rejects_every_row_rather_than_keep_one_cell(tmp_path, header):
    path = tmp_path / "a.csv"
    path.write_text(f"{header}\nHello.,first,second\nBye.,third,fourth\n", encoding="utf-8")
    entries = read_all(path)
    assert [entry.line for entry in entries] == [2, 3] and all(isinstance(entry, Reject) for entry in entries)
    name = header.split(",")[-1].strip()
    assert all(f"column {name!r} appears twice in the header; every row of the file is rejected" in str(entry.error())
               for entry in entries)


@pytest.mark.parametrize(
    ("rows", "metadata", "reason"),
    [
        ("Hello.,t1,,\n", {"title": "t1", "": ""}, None),
        ("Hello.,t1,,kept\n", {"title": "t1", "": "kept"}, None),
        ("Hello.,t1,first,second\n", None, "line 2: the unnamed columns 3, 4 each hold text"),
    ],
    ids=["empty", "one-holds-text", "two-hold-text"],
)
def test_unnamed_csv_columns_from_trailing_commas_are_one_column_unless_two_hold_text(tmp_path, rows, metadata, reason):
    path = tmp_path / "a.csv"
    path.write_text("raw,title,,\n" + rows, encoding="utf-8")
    (entry,) = read_all(path)
    if reason is None:
        assert isinstance(entry, Article) and entry.metadata == metadata
    else:
        assert isinstance(entry, Reject) and reason in str(entry.error())


def _column_source(folder: Path, kind: str) -> Path:
    """A raw-only table (``raw``, ``title``), or a text file (no columns)."""
    if kind == "csv":
        path = folder / "raw.csv"
        path.write_text("raw,title\nHello there.,t1\n", encoding="utf-8")
    elif kind == "jsonl":
        path = folder / "raw.jsonl"
        path.write_text('{"raw": "Hello there.", "title": "t1"}\n', encoding="utf-8")
    else:
        path = folder / "raw.txt"
        path.write_text("Hello there.\n", encoding="utf-8")
    return path


def _export_to(tmp_path: Path):
    from newspairs.export import export

    return lambda source, **options: export(source, tmp_path / "out", **options)


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("csv", {"normalized_column": "normalised"}, "normalized_column='normalised': no file of the source has that column (raw.csv)"),
        ("jsonl", {"normalized_column": "normalised"}, "normalized_column='normalised': no file of the source has that column (raw.jsonl)"),
        ("csv", {"normalized_column": "normalized"}, "normalized_column='normalized': no file of the source has that column (raw.csv)"),
        ("text", {"normalized_column": "normalized"}, "normalized_column='normalized' applies to no file of the source (the source's files are text files"),
        ("text", {"raw_column": "body"}, "raw_column='body' applies to no file of the source (the source's files are text files"),
        ("csv", {}, None),
        ("csv", {"normalized_column": "title"}, None),
        ("text", {}, None),
    ],
    ids=["typo-csv", "typo-jsonl", "default-given-raw-only", "normalized-on-text", "raw-on-text",
         "control-default-left-out", "control-a-column-held", "control-text"],
)
@pytest.mark.parametrize("call", ["load", "stream", "export", "verify"])
def test_a_column_option_given_that_no_file_reads_is_a_value_error_on_every_api(tmp_path, kind, options, message, call):
    """As the command line has it: a misspelt normalized column would leave every article without its
    stored side, silently (a verify passing, checking nothing); left out, the default may be missing."""
    from newspairs.verify import verify

    source = _column_source(tmp_path, kind)
    run = {"load": lambda s, **o: newspairs.load(s, cache_dir=str(tmp_path / "cache"), **o),
           "stream": lambda s, **o: list(newspairs.load(s, streaming=True, **o)["train"]),
           "export": _export_to(tmp_path), "verify": verify}[call]
    if message is None:
        run(str(source), **options)
    else:
        with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
            run(str(source), **options)


def test_input_file_is_picklable_for_worker_processes():
    import pickle

    item = InputFile("pair", "/x/raw/a.txt", "raw/a.txt", "/x/normalized/a.txt")
    assert pickle.loads(pickle.dumps(item)) == item


def test_normalize_is_the_reference_for_the_helpers():
    assert newspairs.normalize(ARTICLES["market.txt"]) == "shares rose 2.5 % in early trading ."


class TestWhatASourceEntryNames:
    """Class: an existing path is a path, whatever characters its name holds; only what does not
    exist as a path is a glob, and a glob's existing leading folders are literal too."""

    @pytest.mark.parametrize("name", ["batch [1]", "batch *", "batch ?", "[a-z]"], ids=["brackets", "star", "question", "class"])
    def test_an_existing_folder_with_glob_characters_is_that_folder(self, tmp_path, name):
        write_jsonl(tmp_path / name / "a.jsonl", [{"raw": "Mine."}])
        write_jsonl(tmp_path / "batch 1" / "a.jsonl", [{"raw": "The other folder."}])
        write_jsonl(tmp_path / "a" / "a.jsonl", [{"raw": "The other folder."}])
        assert [entry.raw for entry in read_all(str(tmp_path / name))] == ["Mine."]

    def test_an_existing_file_with_glob_characters_is_that_file(self, tmp_path):
        write_jsonl(tmp_path / "day[1].jsonl", [{"raw": "Mine."}])
        write_jsonl(tmp_path / "day1.jsonl", [{"raw": "Other."}])
        assert [entry.raw for entry in read_all(str(tmp_path / "day[1].jsonl"))] == ["Mine."]

    def test_a_glob_under_a_folder_with_glob_characters_stays_under_it(self, tmp_path):
        write_jsonl(tmp_path / "batch [1]" / "a.jsonl", [{"raw": "Mine."}])
        write_jsonl(tmp_path / "batch 1" / "a.jsonl", [{"raw": "Other."}])
        inputs = resolve_source(str(tmp_path / "batch [1]" / "*.jsonl"))
        assert [(Path(item.path).parent.name, item.relpath) for item in inputs] == [("batch [1]", "a.jsonl")]


def shape(inputs: list[InputFile]) -> list[tuple]:
    return [(item.kind, Path(item.path).resolve(), item.relpath, item.twin and Path(item.twin).resolve()) for item in inputs]


class TestOverlappingEntries:
    """Class: entries that name a file more than once are de-duplicated by what the file is (a pair's
    raw side, a pair's normalized twin, a file of its own), with the same result in any order."""

    @pytest.mark.parametrize(
        "entries",
        [
            ["corpus/**"],
            ["corpus", "corpus/**"],
            ["corpus/raw/ferry.txt", "corpus"],
            ["corpus/normalized/ferry.txt", "corpus"],
            ["corpus/raw", "corpus/normalized", "corpus"],
            ["corpus/*/*.txt", "corpus"],
        ],
        ids=["recursive-glob", "folder-and-recursive-glob", "raw-file-and-folder", "twin-and-folder", "sides-and-folder", "glob-of-sides-and-folder"],
    )
    def test_a_paired_folder_named_again_reads_as_the_folder_in_any_order(self, tmp_path, monkeypatch, entries):
        monkeypatch.chdir(tmp_path)
        write_pairs(tmp_path / "corpus")
        expected = shape(resolve_source("corpus"))
        assert shape(resolve_source(entries)) == expected
        assert shape(resolve_source(list(reversed(entries)))) == expected


class TestAPairedFolderNamedByItsFiles:
    """Class: a paired folder's ``.txt`` files read as the folder reads them, however they are named (a
    glob, a side folder, a loose file): a raw file is its pair, with the pair's id; a normalized twin
    is never an article of its own (named alone, it reads as its pair); a normalized file without its
    raw file is the folder's reject."""

    @pytest.mark.parametrize(("entry", "same_as"), [
        ("news/corpus/**/*.txt", "news/corpus"),
        ("news/corpus/*", "news/corpus"),
        ("news/corpus/*/*.txt", "news/corpus"),
        ("news/corpus/raw/*.txt", "news/corpus"),
        ("news/corpus/raw", "news/corpus"),
        ("news/corpus/normalized/*.txt", "news/corpus"),
        ("news/corpus/normalized", "news/corpus"),
        ("news/**/*.txt", "news"),
        ("news/*/*/*.txt", "news"),
    ], ids=["recursive-glob-of-the-folder", "glob-of-the-sides", "glob-of-the-sides-files", "glob-of-raw", "raw-folder",
            "glob-of-normalized", "normalized-folder", "recursive-glob-above", "glob-from-above"])
    def test_a_glob_or_a_side_reads_the_pairs_with_the_folder_s_ids(self, tmp_path, monkeypatch, entry, same_as):
        monkeypatch.chdir(tmp_path)
        write_pairs(tmp_path / "news" / "corpus")
        expected = shape(resolve_source(same_as))
        assert [kind for kind, *_ in expected] == ["pair"] * len(ARTICLES)
        assert shape(resolve_source(entry)) == expected
        assert [(entry.id, entry.raw, entry.normalized) for entry in read_all(entry)] == \
            [(entry.id, entry.raw, entry.normalized) for entry in read_all(same_as)]

    @pytest.mark.parametrize("cwd, entry", [
        ("", "corpus/raw/ferry.txt"),
        ("", "corpus/normalized/ferry.txt"),
        ("corpus/raw", "ferry.txt"),
        ("corpus/normalized", "ferry.txt"),
        ("corpus", "raw/ferry.txt"),
    ], ids=["raw-file", "twin", "raw-file-from-raw", "twin-from-normalized", "raw-file-from-the-folder"])
    def test_a_file_named_loose_is_its_pair(self, tmp_path, monkeypatch, cwd, entry):
        write_pairs(tmp_path / "corpus")
        (ferry,) = [item for item in shape(resolve_source(tmp_path / "corpus")) if item[2] == "raw/ferry.txt"]
        monkeypatch.chdir(tmp_path / cwd)
        assert shape(resolve_source(entry)) == [ferry]

    @pytest.mark.parametrize("entry, relpath", [
        ("corpus/raw/lone.txt", "lone.txt"),
        ("corpus/raw/*.txt", "lone.txt"),
        ("corpus/**/*.txt", "raw/lone.txt"),
    ], ids=["named", "side-glob", "deep-glob"])
    def test_a_raw_file_without_its_twin_named_without_its_folder_is_read_as_named(self, tmp_path, monkeypatch, entry, relpath):
        """Only a raw file with its twin is a pair's side: one without it is raw text, as before."""
        monkeypatch.chdir(tmp_path)
        write_pairs(tmp_path / "corpus")
        (tmp_path / "corpus" / "raw" / "lone.txt").write_text("No twin.", encoding="utf-8")
        (lone,) = [entry for entry in read_all(entry) if getattr(entry, "raw", None) == "No twin."]
        assert isinstance(lone, Article) and lone.normalized is None and lone.source_file == relpath

    def test_a_raw_folder_of_a_broader_layout_is_raw_text(self, tmp_path, monkeypatch):
        """data/raw and data/normalized as a pipeline's stages: a folder inside data/raw whose files
        have no twins is raw text, not a paired folder's rejects."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "lake" / "raw" / "news").mkdir(parents=True)
        (tmp_path / "lake" / "normalized" / "other").mkdir(parents=True)
        (tmp_path / "lake" / "raw" / "news" / "one.txt").write_text("Story one.\n", encoding="utf-8")
        (tmp_path / "lake" / "raw" / "news" / "two.txt").write_text("Story two.\n", encoding="utf-8")
        read = read_all("lake/raw/news")
        assert all(isinstance(entry, Article) for entry in read)
        assert sorted(entry.source_file for entry in read) == ["one.txt", "two.txt"]

    @pytest.mark.parametrize("entry, reason", [
        ("corpus/normalized/gone.txt", "a normalized file without its raw twin"),
    ], ids=["normalized-without-raw"])
    def test_a_side_without_its_other_is_the_folder_s_reject(self, tmp_path, monkeypatch, entry, reason):
        monkeypatch.chdir(tmp_path)
        write_pairs(tmp_path / "corpus")
        (tmp_path / "corpus" / "normalized" / "gone.txt").write_text("no raw file .", encoding="utf-8")
        (tmp_path / "corpus" / "raw" / "lone.txt").write_text("No twin.", encoding="utf-8")
        (folder_reject,) = [entry.reason for entry in read_all("corpus") if isinstance(entry, Reject) and reason in entry.reason]
        (reject,) = read_all(entry)
        assert isinstance(reject, Reject) and reject.reason == folder_reject

    def test_a_compressed_text_named_in_a_side_is_read_as_named(self, tmp_path):
        # not a pair's side (the folder rejects it): named alone, it is what it says it is
        write_pairs(tmp_path / "corpus")
        (tmp_path / "corpus" / "raw" / "extra.txt.gz").write_bytes(__import__("gzip").compress(b"Compressed."))
        assert [(item.kind, item.relpath) for item in resolve_source(tmp_path / "corpus" / "raw" / "extra.txt.gz")] == [("text", "extra.txt.gz")]


class TestFileNamesNotUtf8:
    """Class: a file (or folder) name that is not UTF-8 is read; its ``source_file``, its id and the
    rejects name it with the undecodable bytes escaped (``caf\\xe9.txt``), as Arrow and the reports
    hold UTF-8 only."""

    LATIN1 = os.fsdecode(b"caf\xe9")  # as `os` gives a Latin-1 name: its byte surrogate-escaped

    @pytest.mark.parametrize(("name", "relpath"), [
        (f"{LATIN1}.txt", "caf\\xe9.txt"),
        (f"{LATIN1}.jsonl", "caf\\xe9.jsonl"),
        (f"{LATIN1}/a.txt", "caf\\xe9/a.txt"),
    ], ids=["text", "jsonl", "folder"])
    def test_a_name_not_utf8_is_read_with_its_bytes_escaped(self, tmp_path, name, relpath):
        path = tmp_path / "c" / name
        path.parent.mkdir(parents=True)
        path.write_text('{"raw": "Caf\u00e9 news."}\n' if name.endswith(".jsonl") else "Café news.\n", encoding="utf-8")
        (article,) = read_all(tmp_path / "c")
        assert (article.source_file, article.raw) == (relpath, "Café news.")
        assert article.id == article_id(relpath, "Café news.")

    def test_a_pair_not_utf8_is_read_and_its_reject_names_it_escaped(self, tmp_path):
        write_pairs(tmp_path / "c", {f"{self.LATIN1}.txt": "Café opened."})
        (tmp_path / "c" / "raw" / f"{self.LATIN1}2.txt").write_text("No twin.", encoding="utf-8")
        article, reject = read_all(tmp_path / "c")
        assert (article.source_file, article.normalized) == ("raw/caf\\xe9.txt", newspairs.normalize("Café opened."))
        assert reject.article == "raw/caf\\xe92.txt"
        assert str(reject.error()) == f"{tmp_path}/c/raw/caf\\xe92.txt, article raw/caf\\xe92.txt: a raw file without its normalized twin"

    def test_an_escaped_name_beside_the_file_it_shows_is_refused(self, tmp_path):
        # `caf\xe9.txt` spelled out and the Latin-1 name would share one relative path, so one id
        (tmp_path / "c").mkdir()
        (tmp_path / "c" / f"{self.LATIN1}.txt").write_text("Latin-1 name.", encoding="utf-8")
        (tmp_path / "c" / "caf\\xe9.txt").write_text("Backslash name.", encoding="utf-8")
        with pytest.raises(ValueError, match=r"share the relative path 'caf\\\\xe9.txt'.*: rename one") as raised:
            resolve_source(tmp_path / "c")
        str(raised.value).encode("utf-8")  # its message is UTF-8: both names shown escaped


class TestLinks:
    """Class: links are followed, but no real folder is visited twice (a loop, or two links to one folder)."""

    def test_a_link_back_up_in_a_paired_folder_adds_nothing(self, tmp_path):
        write_pairs(tmp_path / "corpus")
        expected = shape(resolve_source(tmp_path / "corpus"))
        (tmp_path / "corpus" / "raw" / "up").symlink_to("..")
        (tmp_path / "corpus" / "normalized" / "loop").symlink_to(".")
        assert shape(resolve_source(tmp_path / "corpus")) == expected

    def test_a_link_loop_in_a_walked_folder_reads_each_file_once(self, tmp_path):
        write_jsonl(tmp_path / "data" / "a" / "t.jsonl", [{"raw": "Once."}])
        (tmp_path / "data" / "a" / "back").symlink_to("..")
        (tmp_path / "data" / "again").symlink_to("a")
        assert [entry.raw for entry in read_all(tmp_path / "data")] == ["Once."]

    @pytest.mark.parametrize("pattern", ["data/**", "data/**/*.jsonl", "data/*/**/t.jsonl"])
    def test_a_recursive_glob_over_a_link_loop_reads_each_file_once(self, tmp_path, monkeypatch, pattern):
        monkeypatch.chdir(tmp_path)
        write_jsonl(tmp_path / "data" / "a" / "t.jsonl", [{"raw": "Once."}])
        (tmp_path / "data" / "a" / "back").symlink_to("..")
        (tmp_path / "data" / "again").symlink_to("a")
        assert [entry.raw for entry in read_all(pattern)] == ["Once."]

    def test_a_linked_folder_outside_is_read(self, tmp_path):
        write_jsonl(tmp_path / "elsewhere" / "t.jsonl", [{"raw": "Linked."}])
        (tmp_path / "data").mkdir()
        (tmp_path / "data" / "linked").symlink_to(tmp_path / "elsewhere")
        assert [item.relpath for item in resolve_source(tmp_path / "data")] == ["linked/t.jsonl"]


class TestWhatIsAPairedFolder:
    """Class: a folder is paired only when it holds both raw/ and normalized/; any other folder is
    walked and its files read by kind, and a newspairs export found in a walk is not read as input."""

    def test_raw_and_processed_folders_of_a_data_science_layout_are_read_by_kind(self, tmp_path):
        write_csv(tmp_path / "data" / "raw" / "news.csv", ["raw", "desk"], [["The first story.", "world"]])
        write_jsonl(tmp_path / "data" / "processed" / "more.jsonl", [{"raw": "The second story."}])
        inputs = resolve_source(tmp_path / "data")
        assert [(item.kind, item.relpath) for item in inputs] == [("jsonl", "processed/more.jsonl"), ("csv", "raw/news.csv")]
        assert sorted(entry.raw for entry in read_all(tmp_path / "data")) == ["The first story.", "The second story."]

    def test_a_folder_with_raw_text_only_reads_the_texts_with_the_same_ids(self, tmp_path):
        write_pairs(tmp_path / "paired")
        write_pairs(tmp_path / "rawonly", normalized=False)
        paired = {entry.raw: entry.id for entry in read_all(tmp_path / "paired")}
        rawonly = {entry.raw: entry.id for entry in read_all(tmp_path / "rawonly")}
        assert rawonly == paired

    def test_an_export_in_a_walked_folder_is_not_read(self, tmp_path):
        from newspairs.export import export

        write_jsonl(tmp_path / "project" / "corpus" / "t.jsonl", [{"raw": "The story."}])
        export(tmp_path / "project" / "corpus", tmp_path / "project" / "out", configs=["articles", "lines"])
        assert [item.relpath for item in resolve_source(tmp_path / "project")] == ["corpus/t.jsonl"]
        with pytest.raises(ValueError, match="a folder newspairs wrote .*not a source"):
            resolve_source(tmp_path / "project" / "out")

    @pytest.mark.parametrize("glob", ["project/*", "project/**"], ids=["glob", "recursive-glob"])
    def test_an_export_a_glob_matches_is_skipped_as_in_a_walk(self, tmp_path, glob, monkeypatch):
        """A glob over a folder that holds an export (or a tokenizer folder) failed, naming it as a
        source, where a walk of the same folder skipped it: the same export run twice failed."""
        from newspairs.export import export

        monkeypatch.chdir(tmp_path)
        write_jsonl(tmp_path / "project" / "t.jsonl", [{"raw": "The story."}])
        export("project", tmp_path / "project" / "out", configs=["articles"])
        assert [item.relpath for item in resolve_source(glob)] == ["t.jsonl"]

    @pytest.mark.parametrize("glob", ["project/out/**", "project/out/*/*/*.parquet", "project/out/articles/**"],
                             ids=["recursive-glob", "glob", "glob-in-a-folder-of-it"])
    def test_a_glob_inside_an_export_names_it_as_a_source(self, tmp_path, glob, monkeypatch):
        """A glob rooted in an export warned that its files are not read, then read its shards and
        report as input (each a reject): the export is named, as naming the folder is."""
        from newspairs.export import export

        monkeypatch.chdir(tmp_path)
        write_jsonl(tmp_path / "project" / "t.jsonl", [{"raw": "The story."}])
        export("project/t.jsonl", tmp_path / "project" / "out", configs=["articles"])
        with pytest.raises(ValueError, match=r"^project/out: a folder newspairs wrote .*not a source"):
            resolve_source(glob)

    def test_a_tokenizer_folder_named_as_a_source_names_the_marker_it_holds(self, tmp_path):
        from newspairs.train import load_tokenizer, save_tokenizer_folder

        save_tokenizer_folder(load_tokenizer(), tmp_path / "tok")
        with pytest.raises(ValueError, match=r"tok: a folder newspairs wrote \(it holds newspairs_stamp\.json\), not a source"):
            resolve_source(tmp_path / "tok")


@pytest.mark.parametrize(
    ("write", "column", "holds"),
    [
        pytest.param(lambda t: write_csv(t / "a.csv", ["text", "norm"], [["One.", "one ."]]), "norm", True, id="csv-header"),
        pytest.param(lambda t: write_csv(t / "a.csv", ["text", "norm"], [["One.", "one ."]]), "normalised", False, id="csv-typo"),
        pytest.param(lambda t: write_csv(t / "a.csv", ["", "raw"], [["x", "One."]]), "", True, id="csv-unnamed-column"),
        pytest.param(lambda t: write_parquet(t / "a.parquet", {"raw": ["One."], "norm": ["one ."]}), "norm", True, id="parquet-schema"),
        pytest.param(lambda t: write_parquet(t / "a.parquet", {"raw": ["One."]}), "norm", False, id="parquet-without"),
        pytest.param(lambda t: write_jsonl(t / "a.jsonl", [{"raw": "One."}, {"raw": "Two.", "norm": None}]), "norm", True,
                     id="jsonl-a-later-record"),
        pytest.param(lambda t: write_jsonl(t / "a.jsonl", [{"raw": "One.", "meta": {"norm": 1}}]), "norm", False,
                     id="jsonl-nested-key-only"),
        pytest.param(lambda t: (t / "a.parquet").write_bytes(b"not parquet") and t / "a.parquet", "norm", False,
                     id="unreadable-parquet"),
    ],
)
def test_holds_column_looks_at_headers_schemas_and_records(tmp_path, write, column, holds):
    """What `newspairs --normalized-column` checks: a column a table names, in any of its records."""
    (item,) = resolve_source(write(tmp_path))
    assert sources.holds_column(item, column) is holds


@pytest.mark.parametrize(
    ("header", "options"),
    [
        pytest.param(["", "normalized"], ReadOptions(raw_column=""), id="raw-column"),
        pytest.param(["raw", ""], ReadOptions(normalized_column=""), id="normalized-column"),
    ],
)
def test_an_empty_column_name_is_the_unnamed_column(tmp_path, header, options):
    """Class: "" names a header's unnamed column (the metadata column "" otherwise), for either side."""
    path = write_csv(tmp_path / "e.csv", header, [["It's here.", "it 's here ."]])
    (article,) = read_all(path, options)
    assert (article.raw, article.normalized, article.metadata) == ("It's here.", "it 's here .", {})


def test_an_empty_normalized_cell_in_a_csv_is_no_normalized_side(tmp_path):
    """Class: CSV has no null; an empty cell of the normalized column means "no normalized side"
    (what a null is in JSON or Parquet), not an empty target that disagrees."""
    path = write_csv(tmp_path / "t.csv", ["raw", "normalized"], [["One story.", ""], ["Two.", "two ."], ["Three.", "  "]])
    assert [entry.normalized for entry in read_all(path)] == [None, "two .", "  "]  # blanks are a (wrong) side


BOM = "\ufeff".encode()


class TestByteOrderMark:
    """Class: a UTF-8 byte-order mark starting a file is not text: every reader drops it (as
    `datasets`' loaders do), so a file with one reads exactly as the same file without."""

    @pytest.mark.parametrize(
        "write",
        [
            lambda tmp: write_csv(tmp / "t.csv", ["raw", "desk"], [["One story.", "world"], ["Two.", "home"]]),
            lambda tmp: write_csv(tmp / "True.csv", ["title", "text", "subject", "date"], isot_rows()),
            lambda tmp: write_jsonl(tmp / "t.jsonl", tabular_records()),
            lambda tmp: write_pairs(tmp / "c", {"a.txt": "It's here.\nAnd there."}) / "raw" / "a.txt",
            lambda tmp: write_pairs(tmp / "c", {"a.txt": "It's here.\nAnd there."}) / "normalized" / "a.txt",
        ],
        ids=["csv", "isot-csv", "jsonl", "raw-txt", "normalized-txt"],
    )
    def test_a_file_with_a_bom_reads_as_without(self, tmp_path, write):
        path = write(tmp_path)
        source = path.parent.parent if path.suffix == ".txt" else path
        without = read_all(source), resolve_source(source), scan_metadata(resolve_source(source))
        path.write_bytes(BOM + path.read_bytes())
        assert (read_all(source), resolve_source(source), scan_metadata(resolve_source(source))) == without
        assert all(isinstance(entry, Article) for entry in without[0])

    @pytest.mark.parametrize(("raw", "twin_bom"), [
        (" \ufeffx", False), (" \ufeff\ufeffIt's here.\nAnd there.", False), ("\t\ufeff\"Hi,\" he said.", False),
        ("It's here.", True), ("\n\ufeffx", True), (" \ufeffx", True), (" \ufeff", True),
    ], ids=["space-zwnbsp-word", "two-zwnbsp", "tab-zwnbsp-quote", "editor-bom", "zwnbsp-on-line-2-editor-bom",
            "zwnbsp-word-and-editor-bom", "zwnbsp-alone-and-editor-bom"])
    @pytest.mark.parametrize("layout", ["file", "blank-line"])
    def test_a_twin_starting_with_zwnbsp_text_keeps_it(self, tmp_path, raw, twin_bom, layout):
        """A raw first line whose first word starts with U+FEFF normalizes to a line that starts with
        it: the twin file then starts with the bytes of a byte-order mark, which are its text (as
        `newspairs normalize` writes them), and the article agrees; an editor's mark on a twin whose
        text starts otherwise is still dropped."""
        folder = tmp_path / "c"
        (folder / "raw").mkdir(parents=True)
        (folder / "normalized").mkdir()
        (folder / "raw" / "a.txt").write_text(raw, encoding="utf-8")
        twin = newspairs.normalize(raw)
        (folder / "normalized" / "a.txt").write_bytes((BOM if twin_bom else b"") + twin.encode("utf-8"))
        options = ReadOptions(text_articles=layout)
        (article,) = read_all(folder, options)
        assert article.normalized == newspairs.normalize(article.raw) == (twin if layout == "file" else twin.lstrip("\n"))


class TestMetadataFromTheWholeFile:
    """Class: metadata columns and their types come from the whole file, never from a sample or a
    buffer that one bad byte or a late key can spoil; a bad row costs that row only."""

    def test_an_undecodable_byte_near_the_top_of_a_csv_rejects_its_row_only(self, tmp_path):
        path = write_csv(tmp_path / "t.csv", ["raw", "desk"], [["Good story.", "world"], ["Bad XX byte.", "home"], ["Another.", "arts"]])
        path.write_bytes(path.read_bytes().replace(b"XX", b"\xff"))
        entries = read_all(path)
        assert [type(entry).__name__ for entry in entries] == ["Article", "Reject", "Article"]
        assert [entry.metadata for entry in entries if isinstance(entry, Article)] == [{"desk": "world"}, {"desk": "arts"}]
        assert list(scan_metadata(resolve_source(path))[0]) == ["desk"]

    def test_an_undecodable_byte_near_the_top_of_an_isot_file_keeps_it_isot(self, tmp_path):
        rows = isot_rows()
        rows[0][1] = "Bad XX byte."
        path = write_csv(tmp_path / "True.csv", ["title", "text", "subject", "date"], rows)
        path.write_bytes(path.read_bytes().replace(b"XX", b"\xff"))
        assert [item.kind for item in resolve_source(path)] == ["isot"]
        assert [type(entry).__name__ for entry in read_all(path)] == ["Reject", "Article", "Article"]

    def test_a_json_key_that_first_appears_late_is_a_column(self, tmp_path):
        records = [{"raw": f"Story {i}."} for i in range(1500)]
        records[-1]["late"] = 7
        path = write_jsonl(tmp_path / "t.jsonl", records)
        metadata, _ = scan_metadata(resolve_source(path))
        assert metadata["late"].dtype == "int64"
        assert read_all(path)[-1].metadata == {"late": 7}

    def test_a_json_value_of_another_type_late_in_the_file_types_the_column(self, tmp_path):
        records = [{"raw": f"Story {i}.", "n": i} for i in range(1500)]
        records[-1]["n"] = 0.5
        path = write_jsonl(tmp_path / "t.jsonl", records)
        assert scan_metadata(resolve_source(path))[0]["n"].dtype == "float64"
        assert all(isinstance(entry, Article) for entry in read_all(path))


class TestCounts:
    """Class: read/written/rejected count articles: a file rejected whole counts each article it
    holds, and a .json file that is one JSON document is read as its records (as `datasets` does)."""

    @pytest.mark.parametrize(
        "write, articles",
        [
            (lambda tmp: write_csv(tmp / "t.csv", ["title", "body"], [["a", "b"], ["c", "d"], ["e", "f"]]), 3),
            (lambda tmp: write_jsonl(tmp / "t.jsonl", [{"text": "a"}, {"text": "b"}]), 2),
            (lambda tmp: write_csv(tmp / "t.csv", ["raw", "id"], [["a", "1"], ["b", "2"]]), 2),
            (lambda tmp: write_parquet(tmp / "t.parquet", {"body": ["a", "b", "c", "d"]}), 4),
        ],
        ids=["csv-without-raw-column", "jsonl-without-raw-column", "csv-reserved-column", "parquet-without-raw-column"],
    )
    def test_a_file_rejected_whole_counts_each_article(self, tmp_path, write, articles):
        entries = read_all(write(tmp_path))
        assert len(entries) == articles and all(isinstance(entry, Reject) for entry in entries)
        assert len({entry.line for entry in entries}) == articles

    @pytest.mark.parametrize(
        "text, raws, lines",
        [
            ('[\n  {\n    "raw": "One.",\n    "n": 1\n  },\n  {\n    "raw": "Two.",\n    "n": 2\n  }\n]\n', ["One.", "Two."], [2, 6]),
            ('{\n  "raw": "Only one.",\n  "n": 1\n}\n', ["Only one."], [1]),
            ('{"raw": "One.", "n": 1}\n{"raw": "Two.", "n": 2}\n', ["One.", "Two."], [1, 2]),
        ],
        ids=["pretty-array", "pretty-object", "json-lines-named-json"],
    )
    def test_a_json_file_is_one_document_or_json_lines(self, tmp_path, text, raws, lines):
        path = tmp_path / "t.json"
        path.write_text(text, encoding="utf-8")
        entries = read_all(path)
        assert [entry.raw for entry in entries] == raws and [entry.line for entry in entries] == lines
        assert scan_metadata(resolve_source(path))[0]["n"].dtype == "int64"

    @pytest.mark.parametrize(("text", "line", "column"), [
        ('[{"raw": "First batch."}]\n[{"raw": "Second batch."}]\n', 2, 1),
        ('[{"raw": "First batch."}] trailing', 1, 27),
        ('\ufeff[{"raw": "First batch."},\n {"raw": "Two."}\n]  \n\n  {"raw": "c"}\n', 5, 3),
    ], ids=["second-array", "a-word", "bom-and-blank-lines"])
    def test_data_after_a_json_document_is_one_reject_after_its_records(self, tmp_path, text, line, column):
        path = tmp_path / "t.json"
        path.write_text(text, encoding="utf-8")
        *articles, reject = read_all(path)
        assert articles[0].raw == "First batch." and all(isinstance(entry, Article) for entry in articles)
        with pytest.raises(json.JSONDecodeError, match=f"Extra data: line {line} column {column}"):
            json.loads(text.lstrip("\ufeff"))  # the place is json's own
        assert (reject.line, reject.reason) == (
            line, f"extra data after the JSON document at line {line} column {column}; the rest of the file is unread")

    @pytest.mark.parametrize(("text", "line", "column"), [
        ('[]\n[{"raw": "B."}]\n', 2, 1),
        ('[ ]\n{"raw": "B."}', 2, 1),
        ("[] junk", 1, 4),
        ('[{"raw": "A."}]\u00a0', 1, 16),
    ], ids=["empty-then-array", "empty-then-object", "empty-then-word", "no-break-space-after"])
    def test_data_after_an_empty_document_or_after_json_whitespace_is_a_reject(self, tmp_path, text, line, column):
        """An empty array's end skipped the check; a no-break space is no JSON whitespace (json: Extra data)."""
        path = tmp_path / "t.json"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(json.JSONDecodeError, match=f"Extra data: line {line} column {column}"):
            json.loads(text)
        reject = read_all(path)[-1]
        assert isinstance(reject, Reject) and (reject.line, reject.reason) == (
            line, f"extra data after the JSON document at line {line} column {column}; the rest of the file is unread")

    def test_a_bad_record_of_a_json_array_is_one_reject(self, tmp_path):
        path = tmp_path / "t.json"
        path.write_text('[{"raw": "One."},\n 7,\n {"raw": "Three."}]', encoding="utf-8")
        assert [(type(entry).__name__, entry.line) for entry in read_all(path)] == [("Article", 1), ("Reject", 2), ("Article", 3)]


@pytest.mark.parametrize(
    "value", [str(2**63), str(-(2**63) - 1), "1" + "0" * 400, "1" + "0" * 5000], ids=["above-int64", "below-int64", "beyond-float64", "beyond-python-int-parsing"]
)
def test_a_json_number_no_column_type_holds_is_a_reject_in_the_build(tmp_path, value):
    """Class: a JSON value that does not fit its column's Arrow type (an int beyond int64, a number
    beyond float64) is a reject naming file and line like any other, not a crash of the build."""
    from newspairs.builder import prepare

    other = 1.5 if len(value) > 100 else 1
    path = tmp_path / "t.jsonl"
    path.write_text(f'{{"raw": "One.", "n": {other}}}\n{{"raw": "Two.", "n": {value}}}\n{{"raw": "Three.", "n": {other}}}\n')
    report = prepare(path, "articles", errors="report", split_ratios=(1, 0, 0)).report()
    assert (report.read, report.written, report.rejected) == (3, 2, 1)
    assert report.rejects[0]["line"] == 2
    # one way to show a number, whatever its reason: whole up to 24 characters, else start and length
    shown = value if len(value) <= 24 else f"{value[:12]}... ({len(value)} characters)"
    expected = "not a JSON line (Exceeds the limit" if len(value) > 4300 else f"column 'n' holds {shown}, "  # Python's int parsing
    assert report.rejects[0]["reason"].startswith(expected), report.rejects[0]["reason"]


@pytest.mark.parametrize("size", ["small", "large"])
def test_a_file_rewritten_with_its_old_mtime_is_not_served_from_the_cache(tmp_path, monkeypatch, size):
    """Class: the cache keys on what a file holds (its content when small enough to hash quickly,
    else size, mtime, ctime and inode), so tools that restore mtimes (cp -p, rsync -t, tar x) never
    get a stale build."""
    import os

    from newspairs import sources
    from newspairs.builder import load

    if size == "large":
        monkeypatch.setattr(sources, "HASHED_FILE_BYTES", 10)
    path = write_jsonl(tmp_path / "t.jsonl", [{"raw": "The old text."}])
    stat = path.stat()
    assert list(load(path, split="train", split_ratios=(1, 0, 0))["raw"]) == ["The old text."]
    path.write_text(path.read_text().replace("old", "new"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert list(load(path, split="train", split_ratios=(1, 0, 0))["raw"]) == ["The new text."]


def test_reading_a_csv_leaves_the_process_csv_field_limit_as_it_was(tmp_path):
    """Class: process-wide settings (the csv module's field size limit) are changed only while newspairs
    needs them, and put back, also while a reader is paused between rows."""
    import csv

    before = csv.field_size_limit()
    path = write_csv(tmp_path / "t.csv", ["raw"], [["x" * 200_000], ["Two."]])
    rows = read_input(resolve_source(path)[0])
    assert len(next(rows).raw) == 200_000 and csv.field_size_limit() == before
    assert next(rows).raw == "Two." and csv.field_size_limit() == before
    assert scan_metadata(resolve_source(path)) and csv.field_size_limit() == before


def test_parquet_files_differing_in_string_and_large_string_share_a_column(tmp_path):
    """Class: Arrow's 64-bit offset variants (large_string, large_binary, large_list) are the same
    column type as their 32-bit twins, as `datasets` casts them."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from newspairs.builder import load

    pq.write_table(pa.table({"raw": ["One."], "desk": pa.array(["world"], pa.string()), "tags": pa.array([["a"]], pa.list_(pa.string()))}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"raw": pa.array(["Two."], pa.large_string()), "desk": pa.array(["home"], pa.large_string()), "tags": pa.array([["b"]], pa.large_list(pa.large_string()))}), tmp_path / "b.parquet")
    metadata, _ = scan_metadata(resolve_source(tmp_path))
    assert metadata["desk"].dtype == "string"
    rows = load(tmp_path, split="train", split_ratios=(1, 0, 0))
    assert sorted(zip(rows["desk"], rows["tags"])) == [("home", ["b"]), ("world", ["a"])]


@pytest.mark.parametrize("name", ["notes.md", "table.parquet", "story"], ids=["markdown", "parquet", "no-suffix"])
@pytest.mark.parametrize("side", ["raw", "normalized"])
def test_a_paired_folder_reads_only_txt_articles_and_rejects_other_files(tmp_path, name, side):
    """Class: a paired folder's raw/ and normalized/ hold one .txt article per file; any other file
    there is one reject saying so, never read as an article nor dropped without a word."""
    write_pairs(tmp_path / "c")
    (tmp_path / "c" / side / name).write_bytes(b"PAR1 not an article")
    entries = read_all(tmp_path / "c")
    assert len([entry for entry in entries if isinstance(entry, Article)]) == len(ARTICLES)
    (reject,) = [entry for entry in entries if isinstance(entry, Reject)]
    assert reject.file.endswith(name) and "not a .txt file" in reject.reason


def test_the_docs_state_the_rules_the_code_keeps():
    """Class: the user-facing rules page names the same constants the code uses (a drift check)."""
    from conftest import REPO
    from newspairs import sources

    text = (REPO / "docs" / "sources.md").read_text(encoding="utf-8")
    assert f"{sources.HASHED_FILE_BYTES >> 20} MiB (`HASHED_FILE_BYTES`)" in text
    assert all(marker in text for marker in sources.OUTPUT_MARKERS)
    assert "<config>/<digest>/<split>-NNNNN-of-NNNNN.parquet" in text


class TestDroppedArticles:
    """Class: an empty article and a duplicate of one already read (real ISOT files hold both) are set
    aside by rule, not by mistake: each is a reject in the report and the summary, the build goes on
    with the default options, and every input row stays accounted for."""

    @pytest.mark.parametrize("make", DROPPED_INPUTS)
    def test_a_dropped_article_does_not_stop_a_default_build(self, tmp_path, make):
        from newspairs.builder import prepare

        source, article, line, reason = make(tmp_path)
        (reject,) = [entry for entry in read_all(source) if isinstance(entry, Reject)]
        assert reject.dropped
        report = prepare(source, split_ratios=(1, 0, 0)).report()
        assert report.rejected == 1 and report.reconciles and re.search(reason, report.rejects[0]["reason"])

    def test_isot_files_with_duplicate_and_empty_texts_load_with_the_default_options(self, tmp_path):
        from newspairs.builder import load, prepare

        rows = isot_rows()
        rows = [*rows, ["Title only", "", "politicsNews", "May 10, 2021"], [rows[0][0] + " (again)", rows[0][1], "worldnews", "May 11, 2021"]]
        write_csv(tmp_path / "isot" / "True.csv", ["title", "text", "subject", "date"], rows)
        write_csv(tmp_path / "isot" / "Fake.csv", ["title", "text", "subject", "date"], isot_rows()[:2])
        report = prepare(tmp_path / "isot").report()
        assert (report.read, report.written, report.rejected) == (7, 5, 2) and report.reconciles
        assert sorted(reject["line"] for reject in report.rejects) == [5, 6]
        assert sum(len(split) for split in load(tmp_path / "isot").values()) == 5

    def test_a_mistake_still_stops_a_default_build(self, tmp_path):
        from newspairs.builder import load

        path = write_jsonl(tmp_path / "t.jsonl", [{"raw": "One."}, {"text": "no raw key"}])
        with pytest.raises(SourceError, match="line 2: no raw key"):
            load(path)


class TestBlankLineArticles:
    """Class: with ``text_articles="blank-line"`` a .txt file holds many articles separated by blank
    lines, each with its own id (file + raw text), its first line, and its share of the pair's twin."""

    TEXT = "First story, line one.\nLine two.\n\n\n  \nSecond story.\n\nThird story.\n"

    def test_a_raw_file_is_split_at_blank_lines(self, tmp_path):
        path = tmp_path / "many.txt"
        path.write_text(self.TEXT, encoding="utf-8")
        options = ReadOptions(text_articles="blank-line")
        entries = [entry for item in resolve_source(path) for entry in read_input(item, options)]
        assert [(entry.raw, entry.line) for entry in entries] == [
            ("First story, line one.\nLine two.", 1), ("Second story.", 6), ("Third story.", 8)]
        assert [entry.id for entry in entries] == [article_id("many.txt", entry.raw) for entry in entries]
        assert [entry.raw for entry in read_all(path)] == [self.TEXT.rstrip("\n")]  # the default: one article per file

    def test_a_pair_is_split_alike_and_a_repeated_article_is_dropped(self, tmp_path):
        write_pairs(tmp_path / "c", {"many.txt": self.TEXT + "\nSecond story.\n"})
        options = ReadOptions(text_articles="blank-line")
        entries = [entry for item in resolve_source(tmp_path / "c") for entry in read_input(item, options)]
        articles = [entry for entry in entries if isinstance(entry, Article)]
        assert [entry.normalized for entry in articles] == [newspairs.normalize(entry.raw) for entry in articles]
        assert len(articles) == 3
        (dropped,) = [entry for entry in entries if isinstance(entry, Reject)]
        assert dropped.dropped and dropped.line == 10 and "duplicate id" in dropped.reason

    def test_a_twin_whose_blank_lines_differ_rejects_each_article_from_there(self, tmp_path):
        write_pairs(tmp_path / "c", {"many.txt": self.TEXT})
        (tmp_path / "c" / "normalized" / "many.txt").write_text("first story , line one .\nline two .\n\n\n\nsecond story .\nmore .\n\nthird story .\n")
        options = ReadOptions(text_articles="blank-line")
        entries = [entry for item in resolve_source(tmp_path / "c") for entry in read_input(item, options)]
        assert [(type(entry).__name__, entry.line) for entry in entries] == [("Article", 1), ("Reject", 6), ("Reject", 8)]

    NAMES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]

    @pytest.mark.parametrize(("sentences", "raw", "twin"), [
        (None, "\n\n".join(f"{n} one.\n{n} two." for n in NAMES) + "\n",
         "\n\n".join(f"{n.lower()} one .\n{n.lower()} two ." for n in NAMES if n != "Bravo") + "\n"),
        ("punkt", "\n\n".join(f"{n} one. {n} two." for n in NAMES) + "\n",
         "\n\n".join(f"{n.lower()} one .\n{n.lower()} two ." for n in NAMES if n != "Bravo") + "\n"),
        (None, "\n\n".join(f"{n} said so." for n in NAMES) + "\n",
         "\n\n".join(f"{n.lower()} said so ." for n in NAMES if n != "Alpha") + "\n"),
        (None, "\n\n".join(f"{n} said so." for n in NAMES[:2]) + "\n",
         "\n\n".join(f"{n.lower()} said so ." for n in NAMES[:2]) + "\n\nextra .\n"),
        ("punkt", "One. Two.\n\nThree.\n", "one .\ntwo .\n\nthree .\n\nfour .\n"),
        (None, "One.\n", "one .\n\nextra .\n"),
    ], ids=["twin-without-a-middle-article", "split-twin-without-a-middle-article", "twin-without-the-first-article",
            "twin-with-an-article-more", "split-twin-with-an-article-more", "one-article-twin-with-two"])
    def test_a_twin_with_another_number_of_articles_pairs_none(self, tmp_path, sentences, raw, twin):
        """An article missing from the twin shifted every pair after it, unsaid where the articles
        around it have as many lines: the article before the gap paired with the next one's twin, and
        only the last one was a reject (naming the wrong article). Which pairs with which cannot be
        told, so none is paired."""
        write_pairs(tmp_path / "c", {"a.txt": raw})
        (tmp_path / "c" / "normalized" / "a.txt").write_text(twin, encoding="utf-8")
        options = ReadOptions(text_articles="blank-line", sentences=sentences)
        entries = [entry for item in resolve_source(tmp_path / "c") for entry in read_input(item, options)]
        articles = raw.count("\n\n") + 1
        assert [type(entry).__name__ for entry in entries] == ["Reject"] * articles
        for entry in entries:
            assert re.search(rf"its normalized twin .* has {twin.count(chr(10) * 2) + 1} articles? separated by blank lines, "
                             rf"the raw file {articles}.*: which pairs with which cannot be told$", entry.reason), entry.reason

    @pytest.mark.parametrize(("raw", "twin", "expected"), [
        ("First line.\nSecond line.\n", "first line .\n", [("Reject", 1, "raw has 2 lines, its normalized twin .* has 1")]),
        ("One.\n\nTwo, a.\nTwo, b.\n", "one .\n\ntwo , a .\n", [("Article", 1, None), ("Reject", 3, "raw has 2 lines")]),
        ("One.\n", "one .\nand more .\n", [("Reject", 1, "raw has 1 line, its normalized twin .* has 2")]),
    ], ids=["twin-one-line-short", "last-article-one-line-short", "twin-one-line-long"])
    def test_a_twin_with_the_same_blank_lines_but_other_line_counts_says_so(self, tmp_path, raw, twin, expected):
        write_pairs(tmp_path / "c", {"a.txt": raw})
        (tmp_path / "c" / "normalized" / "a.txt").write_text(twin, encoding="utf-8")
        options = ReadOptions(text_articles="blank-line")
        entries = [entry for item in resolve_source(tmp_path / "c") for entry in read_input(item, options)]
        assert [(type(entry).__name__, entry.line) for entry in entries] == [(kind, line) for kind, line, _ in expected]
        for entry, (_, _, reason) in zip(entries, expected):
            assert reason is None or re.search(reason, entry.reason), entry.reason

    @pytest.mark.parametrize(("sentences", "raw", "twin", "expected"), [
        ("punkt", "First went. Second came.\n\nThird one here.\n", "first went .\nsecond came .\n\nthird one here .\n",
         [("Article", 1, None), ("Article", 3, None)]),
        ("punkt", "One. Two.\n\n\nThree.\n", "one .\ntwo .\n\nthree .\n", [("Article", 1, None), ("Article", 4, None)]),
        ("punkt", "One. Two.\n\nThree. Four.\n\nFive.\n", "one . two .\n\nthree .\nfour .\n\nfive .\n",
         [("Reject", 1, "raw has 2 lines once split into sentences by punkt, its normalized twin .* has 1"),
          ("Article", 3, None), ("Article", 5, None)]),
        ("punkt", "One. Two.\n\nThree.\n", "one .\ntwo .\n\nthree .\n\nfour .\n",
         [("Reject", 1, "has 3 articles separated by blank lines, the raw file 2"),
          ("Reject", 3, "has 3 articles separated by blank lines, the raw file 2")]),
        (None, "One.\n", "one .\n\nextra .\n", [("Reject", 1, "has 2 articles separated by blank lines, the raw file 1")]),
        # the article that puts the rest out of line says how (it said "other blank lines" alone)
        (None, "One.\n\nTwo.\n", "one .\nextra .\n\ntwo .\n",
         [("Reject", 1, "^raw has 1 line, its normalized twin .* has 2: articles no longer line up$"),
          ("Reject", 3, "other blank lines from here")]),
    ], ids=["split-twin-lines-up", "split-twin-with-other-gaps", "split-line-count-differs-in-one-article",
            "split-twin-with-an-extra-article", "twin-with-an-extra-article", "twin-article-with-an-extra-line"])
    def test_a_twin_of_the_split_raw_lines_up_article_by_article(self, tmp_path, sentences, raw, twin, expected):
        """With sentences split, the twin holds the split raw's lines, so its paragraphs line up by
        order, each checked for its line count; they were compared with the unsplit raw's lines and
        every article thrown out. A twin with an extra article at the end crashed the read."""
        write_pairs(tmp_path / "c", {"a.txt": raw})
        (tmp_path / "c" / "normalized" / "a.txt").write_text(twin, encoding="utf-8")
        options = ReadOptions(text_articles="blank-line", sentences=sentences)
        entries = [entry for item in resolve_source(tmp_path / "c") for entry in read_input(item, options)]
        assert [(type(entry).__name__, entry.line) for entry in entries] == [(kind, line) for kind, line, _ in expected]
        for entry, (_, _, reason) in zip(entries, expected):
            if reason is None:
                assert entry.normalized == newspairs.normalize(entry.raw)
            else:
                assert re.search(reason, entry.reason), entry.reason

    def test_an_unknown_mode_is_a_value_error(self):
        with pytest.raises(ValueError, match="text_articles must be one of"):
            ReadOptions(text_articles="paragraph")

    def test_load_and_the_export_command_take_the_option(self, tmp_path, capsys):
        """Class: the reader's option reaches every entry point (newspairs.load, the CLI), and the
        articles of one file get splits of their own instead of all landing in one."""
        from newspairs.cli import main

        stories = [f"Story number {n} about the harbour." for n in range(40)]
        path = tmp_path / "wire.txt"
        path.write_text("\n\n".join(stories) + "\n", encoding="utf-8")
        loaded = newspairs.load(str(path), text_articles="blank-line", cache_dir=str(tmp_path / "cache"))
        assert sorted(raw for split in loaded.values() for raw in split["raw"]) == sorted(stories)
        assert len(loaded) > 1  # 40 articles spread over the splits by id
        assert sum(len(split) for split in newspairs.load(str(path), cache_dir=str(tmp_path / "cache")).values()) == 1
        assert main(["export", str(path), str(tmp_path / "out"), "--text-articles", "blank-line", "--quiet"]) == 0
        assert "40 articles read = 40 written + 0 rejected" in capsys.readouterr().out
        with pytest.raises(ValueError, match="text_articles must be one of"):
            newspairs.load(str(path), text_articles="paragraph", cache_dir=str(tmp_path / "cache"))


# --- large files read in parts ---------------------------------------------------------------------


def _in_parts(path: Path, part_bytes: int, min_parts: int = 1) -> tuple[list[InputFile], list, list]:
    inputs = resolve_source(path)
    _, types = scan_metadata(inputs)
    parts = split_inputs(inputs, ReadOptions(), types, part_bytes, min_parts)
    whole = [entry for item in inputs for entry in read_input(item, ReadOptions(), types.get(item.path))]
    split = [entry for item in parts for entry in read_input(item, ReadOptions(), types.get(item.path))]
    return parts, whole, split


class TestParts:
    @pytest.mark.parametrize("part_bytes", [1, 40, 97, 250, 600], ids=lambda n: f"part-{n}B")
    def test_a_jsonl_file_read_in_parts_reads_as_the_whole_file(self, tmp_path, part_bytes):
        path = write_messy_jsonl(tmp_path / "big.jsonl")
        parts, whole, split = _in_parts(path, part_bytes)
        assert len(parts) > 1 and all(part.is_part for part in parts)
        assert split == whole
        reasons = Counter(entry.reason.split(" ")[0] for entry in whole if isinstance(entry, Reject))
        assert reasons["duplicate"] == 3 and reasons["not"] >= 2, reasons  # the fixture holds what it says

    def test_parts_start_at_line_starts_with_their_true_line_numbers(self, tmp_path):
        path = write_messy_jsonl(tmp_path / "big.jsonl")
        data = path.read_bytes()
        parts, _, _ = _in_parts(path, 100)
        assert [(p.start, p.stop) for p in parts] == list(zip([p.start for p in parts], [p.start for p in parts[1:]] + [None]))
        for part in parts[1:]:
            assert data[part.start - 1:part.start] == b"\n"
            assert part.first_line == data.count(b"\n", 0, part.start) + 1

    def test_a_duplicate_across_parts_names_the_first_ones_line(self, tmp_path):
        path = write_jsonl(tmp_path / "t.jsonl", [{"raw": f"Article {i}."} for i in range(20)] + [{"raw": "Article 3."}])
        parts, whole, split = _in_parts(path, 60)
        assert len(parts) > 2 and split == whole
        assert split[-1].reason == f"duplicate id {split[3].id}: the same article as line 4" and split[-1].line == 21
        assert parts[-1].earlier == ((split[3].id, 4),)

    def test_min_parts_cuts_a_file_into_at_least_that_many_parts(self, tmp_path):
        path = write_jsonl(tmp_path / "t.jsonl", [{"raw": f"Article number {i}."} for i in range(100)])
        parts, whole, split = _in_parts(path, path.stat().st_size - 1, min_parts=4)
        assert len(parts) == 4 and split == whole
        sizes = [(p.stop or path.stat().st_size) - p.start for p in parts]
        assert max(sizes) - min(sizes) <= 2 * len('{"raw": "Article number 99."}\n')

    def test_a_parquet_file_is_read_in_row_groups_as_the_whole_file(self, tmp_path):
        import pyarrow as pa
        import pyarrow.parquet as pq

        raws = [f"Row {i} (of many)." for i in range(30)] + ["Row 4 (of many).", "", None, "Row 29 (of many)."]
        path = tmp_path / "t.parquet"
        pq.write_table(pa.table({"raw": raws, "n": list(range(len(raws)))}), path, row_group_size=3)
        parts, whole, split = _in_parts(path, 1)
        assert len(parts) == pq.ParquetFile(path).num_row_groups and split == whole
        assert [p.first_line for p in parts] == list(range(1, len(raws) + 1, 3))
        assert [e.reason for e in split if isinstance(e, Reject)].count("duplicate id " + split[4].id + ": the same article as row 5") == 1

    def test_a_parquet_file_unreadable_from_some_row_on_is_read_whole(self, tmp_path, monkeypatch):
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = tmp_path / "t.parquet"
        pq.write_table(pa.table({"raw": [f"Row {i}." for i in range(12)]}), path, row_group_size=3)
        real = pq.ParquetFile.iter_batches

        def failing(self, *args, row_groups=None, **kwargs):  # the second row group's pages are damaged
            for group in range(self.num_row_groups) if row_groups is None else row_groups:
                if group == 1:
                    raise OSError("corrupt page")
                yield from real(self, *args, row_groups=[group], **kwargs)

        monkeypatch.setattr(pq.ParquetFile, "iter_batches", failing)
        parts, whole, split = _in_parts(path, 1)
        assert parts == resolve_source(path) and split == whole
        assert whole[-1].reason.startswith("Parquet file unreadable from row 4 on") and len(whole) == 4

    @pytest.mark.parametrize("name", ["t.json", "t.csv", "t.txt"])
    def test_json_csv_and_text_files_are_never_cut(self, tmp_path, name):
        path = tmp_path / name
        if name == "t.csv":
            write_csv(path, ["raw"], [[f"Article {i}."] for i in range(50)])
        elif name == "t.json":
            write_jsonl(path, [{"raw": f"Article {i}."} for i in range(50)])
        else:
            path.write_text("\n".join(f"Line {i}." for i in range(50)), encoding="utf-8")
        parts, whole, split = _in_parts(path, 10, min_parts=4)
        assert parts == resolve_source(path) and split == whole

    def test_a_file_under_a_quarter_of_the_part_size_stays_whole(self, tmp_path):
        path = write_jsonl(tmp_path / "t.jsonl", tabular_records())
        assert _in_parts(path, 4 * path.stat().st_size + 4, min_parts=4)[0] == resolve_source(path)
        assert len(_in_parts(path, 2 * path.stat().st_size, min_parts=4)[0]) == 2  # no part under a quarter

    def test_the_ids_of_a_part_are_found_by_streaming_the_file(self, tmp_path, monkeypatch):
        path = write_jsonl(tmp_path / "t.jsonl", [{"raw": f"Article {i}."} for i in range(2000)])
        monkeypatch.setattr(sources, "PART_SCAN_BYTES", 64)  # the cut finder holds one chunk at a time
        parts, whole, split = _in_parts(path, 1000)
        assert len(parts) > 10 and split == whole

    def test_the_id_pass_reads_a_file_once_per_process(self, tmp_path, monkeypatch):
        """An export builds three configs: the file's id pass (one read of each part) is not run three times."""
        path = write_jsonl(tmp_path / "t.jsonl", [{"raw": f"Article {i}."} for i in range(50)])
        passes = []
        read_table = sources._read_table
        monkeypatch.setattr(sources, "_read_table", lambda item, *a, **k: passes.append(item) or read_table(item, *a, **k))
        cut = [split_inputs(resolve_source(path), part_bytes=200) for _ in range(3)]
        assert cut[0] == cut[1] == cut[2] and len(cut[0]) > 2
        assert passes == [dataclasses.replace(part, earlier=()) for part in cut[0]]  # each part once, none whole


def _fresh_caches() -> None:
    """This test's own per-process caches of the reading before a build (types, cuts, earlier ids)."""
    sources.clear_read_memos()


_COUNTED_HERE: list = []
_LINE_BREAKS = sources._line_breaks


def _line_breaks_here(span):
    """`sources._line_breaks`, noting the spans counted in this process (a forked worker's notes stay there)."""
    _COUNTED_HERE.append(span)
    return _LINE_BREAKS(span)


def _pool_map(function, units):
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(2) as pool:
        return pool.map(function, units, chunksize=1)


class TestPrepass:
    """`prepass`: the types and the ids of a file that is cut, read part by part in other processes,
    are what the whole-file reading gives (`scan_metadata`, then `split_inputs` in this process)."""

    @pytest.mark.parametrize("part_bytes", [1, 40, 97, 250, 600], ids=lambda n: f"part-{n}B")
    def test_the_parts_read_in_a_pool_give_the_whole_files_types_and_ids(self, tmp_path, monkeypatch, part_bytes):
        source = write_big_files(tmp_path / "c")
        write_jsonl(tmp_path / "c" / "doc.json", [{"raw": "A document.", "k": 1.5}])  # a JSON file never cut
        inputs = resolve_source(source)
        _fresh_caches()
        want_metadata, want_types = scan_metadata(inputs)
        want = split_inputs(inputs, ReadOptions(), want_types, part_bytes, 2)
        _fresh_caches()
        passes = []
        read_table, rows_jsonl = sources._read_table, sources._rows_jsonl
        monkeypatch.setattr(sources, "_read_table", lambda *a, **k: passes.append(a[0]) or read_table(*a, **k))
        monkeypatch.setattr(sources, "_rows_jsonl", lambda *a, **k: passes.append(a[0]) or rows_jsonl(*a, **k))
        monkeypatch.setattr(sources, "_line_breaks", _line_breaks_here)  # the lines before each cut: counted in the pool too
        _COUNTED_HERE.clear()
        sources.prepass(inputs, ReadOptions(), part_bytes, 2, _pool_map)
        assert scan_metadata(inputs) == (want_metadata, want_types)
        assert list(want_types[str(source / "big.jsonl")]) == ["n", "late"]  # first-seen order, over the parts; not
        # "text", the key of a record rejected for having no raw key
        got = split_inputs(inputs, ReadOptions(), want_types, part_bytes, 2)
        assert got == want and sum(item.is_part for item in got) > 2
        assert passes == [] and _COUNTED_HERE == []  # no file's records or lines read here: all in the pool

    @pytest.mark.parametrize("seed", range(5))
    def test_the_merge_of_the_parts_ids_is_the_whole_files_first_seen(self, seed):
        """Each part gets the ids whose first article is in an earlier part, with that article's line,
        in file order: as a dict over the whole file gives them."""
        import random

        import numpy as np

        rng = random.Random(seed)
        pool = [f"{rng.getrandbits(64):016x}" for _ in range(40)]
        parts = [[rng.choice(pool) for _ in range(rng.randint(0, 30))] for _ in range(rng.randint(1, 6))]
        first: dict[str, tuple[int, int]] = {}
        want: list[dict[str, int]] = [{} for _ in parts]
        results, line = [], 0
        for number, ids in enumerate(parts):
            lines = []
            for ident in ids:
                line += rng.randint(1, 3)
                lines.append(line)
                seen_line, where = first.setdefault(ident, (line, number))
                if where < number:
                    want[number].setdefault(ident, seen_line)
            results.append({"ids": np.array([int(i, 16) for i in ids], dtype=np.uint64),
                            "lines": np.array(lines, dtype=np.int64), "refusals": [], "unreadable": False})
        got = sources._earlier_ids(results, {})
        assert [list(part.items()) for part in got] == [list(part.items()) for part in want]

    @pytest.mark.parametrize(("values", "duplicate"), [
        ([1 << 70, 5], False),           # int64: the big one is refused, so the later one is the first article
        ([10 ** 400, 0.5], False),       # float64: beyond it too
        ([1 << 70, "five"], True),       # string: the big one is kept (as JSON text), the later one a duplicate
        ([1 << 70, 1.5], True),          # float64 holds 2**70
    ], ids=["int64", "float64", "string", "float64-holds"])
    def test_an_article_its_type_refuses_is_no_first_article(self, tmp_path, monkeypatch, values, duplicate):
        """The parts are read before the file's types are known: an article whose value its column's
        type will refuse must not count as the first of its id."""
        records = [{"raw": "Same story.", "n": values[0]}] + [{"raw": f"Story {i}.", "n": 1} for i in range(30)]
        records.append({"raw": "Same story.", "n": values[1]})
        path = write_jsonl(tmp_path / "t.jsonl", records)
        inputs = resolve_source(path)
        _fresh_caches()
        sources.prepass(inputs, ReadOptions(), 100, 1, _pool_map)
        _, types = scan_metadata(inputs)
        parts = split_inputs(inputs, ReadOptions(), types, 100)
        whole = [entry for entry in read_input(inputs[0], ReadOptions(), types[str(path)])]
        split = [entry for item in parts for entry in read_input(item, ReadOptions(), types[str(path)])]
        assert len(parts) > 2 and split == whole
        assert isinstance(whole[0], Reject) != duplicate
        assert (isinstance(whole[-1], Reject) and whole[-1].reason.startswith("duplicate id")) == duplicate

    def test_a_bad_part_size_is_a_value_error(self):
        with pytest.raises(ValueError, match="part_bytes must be at least 1, got 0"):
            split_inputs([], part_bytes=0)


@pytest.mark.parametrize(("megabytes", "workers", "parts"), [
    (200, 2, 4),     # 64 MiB parts would be 3, shared 2:1 between two workers: 4 of 50 MB
    (200, 1, 3),
    (200, 8, 8),     # 25 MB each, over a quarter of 64 MiB
    (100, 64, 5),    # on a cluster: 64 parts would be crumbs of 1.6 MB; no part under 16 MiB
    (50, 1, 1),      # under the part size, one worker: whole
    (50, 2, 2),      # two workers: halves of 25 MB, over a quarter of 64 MiB
    (20, 2, 1),      # halves would be under a quarter: whole
], ids=["200MB-2-workers", "200MB-1-worker", "200MB-8-workers", "100MB-64-workers", "50MB-1-worker", "50MB-2-workers",
        "20MB-2-workers"])
def test_how_many_parts_a_file_is_cut_into(tmp_path, monkeypatch, megabytes, workers, parts):
    path = tmp_path / "big.jsonl"
    with open(path, "wb") as handle:  # a sparse file of that size: the cut finder sees no line break, so stub it
        handle.truncate(megabytes * 1_000_000)
    counted = {}
    monkeypatch.setattr(sources, "_jsonl_starts", lambda name, target: counted.setdefault("target", target) and [0])
    split_inputs(resolve_source(path), min_parts=workers)
    size = megabytes * 1_000_000
    assert (-(-size // counted["target"]) if counted else 1) == parts


def _rows_with_line_numbers(reader) -> list:
    """Each row a reader gives, with its line_num after it (and its ``joined``), up to its error, if any."""
    out = []
    try:
        for row in reader:
            out.append((row, reader.line_num, getattr(reader, "joined", None)))
    except csv.Error as error:
        out.append(("error", str(error)))
    return out


@pytest.mark.parametrize("kept_behind", [256, 1], ids=["default", "one-line"])
@given(st.lists(st.sampled_from(["a", "b c", ",", '"', '""', "\n", "\r", "\r\n", " "]), max_size=60))
def test_the_csv_reader_reads_every_row_as_the_csv_module_does(kept_behind, parts):
    # its rows are csv.reader's (a joined row too, told by `joined`): only the strict reading is its own
    import io

    text = "".join(parts)
    lines = [*io.StringIO(text, newline=""), sources.CSV_END]
    before, sources._CsvReader.KEPT_BEHIND = sources._CsvReader.KEPT_BEHIND, kept_behind
    try:
        ours = _rows_with_line_numbers(sources._CsvReader(iter(lines)))
    finally:
        sources._CsvReader.KEPT_BEHIND = before
    theirs = _rows_with_line_numbers(csv.reader(iter(lines)))
    assert [entry[:2] for entry in ours] == [entry[:2] for entry in theirs]
    for entry in ours:
        if len(entry) == 3 and entry[2] is not None:  # a join: the strict reader stops past the row's first line
            assert entry[2] == entry[1]


class TestCsvBlocks:
    """A CSV file is decoded in blocks (`sources._csv_lines`): the same lines, and so the same rows
    and line numbers, as decoding it line by line, wherever the blocks end."""

    @staticmethod
    def line_by_line(data: bytes) -> list[str]:
        """Each line decoded alone, cut as a file opened with ``newline=""`` cuts it, then the end mark."""
        import io

        decoded = [sources._decode(line, first=number == 0) for number, line in enumerate(io.BytesIO(data))]
        return [part for line in decoded for part in (io.StringIO(line, newline="") if line else [""])] + [sources.CSV_END]

    @given(
        st.lists(st.sampled_from([b"a", b",", b'"', b"\n", b"\r", b"\r\n", b"\xef\xbb\xbf", b"\xe2\x82\xac", b"\xe2\x82",
                                  b"\xff", b"\x85", b" "]), max_size=40),
        st.integers(min_value=1, max_value=8),
    )
    def test_blocks_give_the_lines_of_a_line_by_line_read(self, monkeypatch_parts, block_bytes):
        import io

        data = b"".join(monkeypatch_parts)
        before, sources.CSV_BLOCK_BYTES = sources.CSV_BLOCK_BYTES, block_bytes
        try:
            assert list(sources._csv_lines(io.BytesIO(data))) == self.line_by_line(data)
        finally:
            sources.CSV_BLOCK_BYTES = before

    @pytest.mark.parametrize("block_bytes", [1, 7, 64, 1 << 20], ids=lambda b: f"block-{b}")
    @pytest.mark.parametrize("rows_per_read", [1, 2, 256], ids=lambda r: f"rows-{r}")
    def test_rows_and_lines_whatever_the_block_and_batch(self, tmp_path, monkeypatch, block_bytes, rows_per_read):
        path = tmp_path / "a.csv"
        path.write_bytes(
            b'\xef\xbb\xbfraw,topic\r\n"one, quoted\nover two lines",x\r\n\r\nplain,y\nshort\n'
            b'bad \xff byte,z\n"broken "quote,w\n"a\nb","c"\n"unclosed\n'
        )
        item = resolve_source(str(path))[0]
        expected = list(sources._rows_csv(item))
        monkeypatch.setattr(sources, "CSV_BLOCK_BYTES", block_bytes)
        monkeypatch.setattr(sources, "CSV_ROWS_PER_READ", rows_per_read)
        assert list(sources._rows_csv(item)) == expected
        assert [line for line, _, _ in expected] == [2, 5, 6, 7, 8, 9, 11]  # where each row starts

    @given(
        st.lists(st.sampled_from([b"a", b",", b'"', b"\n", b"\r\n", b" ", b"\xe2\x82\xac", b"\xff", b"\xe2\x82", b"\xed\xa0\x80"]),
                 max_size=60),
        st.integers(min_value=1, max_value=12),
        st.integers(min_value=1, max_value=3),
    )
    def test_rows_of_utf8_blocks_are_not_searched_and_the_articles_are_the_same(self, tmp_path_factory, fragments,
                                                                                block_bytes, rows_per_read):
        """Only rows read after a block that is not UTF-8 are searched for a kept bad byte: the same
        articles and rejects as searching every row (as a reader given its rows does)."""
        path = tmp_path_factory.mktemp("csv") / "a.csv"
        path.write_bytes(b"raw,topic\nfirst row,x\n" + b"".join(fragments) + b"\nlast row,y\n")
        item = resolve_source(str(path))[0]
        before = sources.CSV_BLOCK_BYTES, sources.CSV_ROWS_PER_READ
        sources.CSV_BLOCK_BYTES, sources.CSV_ROWS_PER_READ = block_bytes, rows_per_read
        try:
            searched = list(sources._read_table(item, sources.ReadOptions(), {}, rows=sources._rows_csv(item)))
            assert list(sources._read_table(item, sources.ReadOptions(), {})) == searched
        finally:
            sources.CSV_BLOCK_BYTES, sources.CSV_ROWS_PER_READ = before

    @pytest.mark.parametrize("rows_per_read", [1, 2, 256], ids=lambda r: f"rows-{r}")
    def test_the_rows_before_a_malformed_one_are_kept(self, tmp_path, monkeypatch, rows_per_read):
        path = tmp_path / "a.csv"
        path.write_text("raw,topic\na,b\n\nc,d\nmuch too long a field,e\nf,g\n", encoding="utf-8")
        import csv

        monkeypatch.setattr(sources, "CSV_FIELD_LIMIT", 8)
        monkeypatch.setattr(sources, "CSV_ROWS_PER_READ", rows_per_read)
        previous = csv.field_size_limit(8)  # newspairs only raises the limit it finds
        try:
            rows = list(sources._rows_csv(resolve_source(str(path))[0]))
        finally:
            csv.field_size_limit(previous)
        assert rows[:2] == [(2, {"raw": "a", "topic": "b"}, None), (4, {"raw": "c", "topic": "d"}, None)]
        assert rows[2][:2] == (5, None) and rows[2][2].startswith("malformed CSV (field larger than field limit")
        assert rows[2][2].endswith("; the rest of the file is unread")
        assert len(rows) == 3


class TestJsonlDecode:
    """A JSON line is decoded strictly (`sources._rows_jsonl`): the same records and rejects as
    decoding it with its bad bytes kept as surrogates and searching it for one (a lone surrogate
    from an escape, ``"\\udc80"``, in a record of more than its raw text is a reject of its own)."""

    @staticmethod
    def kept_and_searched(path: Path) -> list:
        import json

        out = []
        with open(path, "rb") as handle:
            for number, data in enumerate(handle, start=1):
                text = sources._decode(data, first=number == 1)
                if sources._undecodable_line(text) is not None:
                    out.append((number, None, "not UTF-8 (undecodable bytes)"))
                    continue
                if not text.strip():
                    continue
                try:
                    record = json.loads(text)
                except ValueError:
                    out.append((number, None, "bad"))
                    continue
                half = isinstance(record, dict) and len(record) > 1 and re.search("[\ud800-\udfff]", json.dumps(record, ensure_ascii=False))
                out.append((number, None, "bad") if not isinstance(record, dict) else
                           (number, None, f"not UTF-8 text (the escape \\u{ord(half.group()):04x} is half a surrogate pair)")
                           if half else (number, record, None))
        return out

    @given(st.lists(st.sampled_from([b'{"raw": "a\xc3\xa9"}', b'{"raw": "b"}', b"\xef\xbb\xbf", b"\xff", b"\xed\xa0\x80",
                                     b"\xe2\x82", b"\r", b"\r\n", b"\n", b" ", b'{"raw": "\\udc80"}', b"[1]"]), max_size=12))
    def test_the_same_records_and_rejects(self, tmp_path_factory, fragments):
        path = tmp_path_factory.mktemp("jsonl") / "a.jsonl"
        path.write_bytes(b"".join(fragments))
        got = [(line, record, None if problem is None else "bad" if problem.startswith(("not a JSON", "a JSON")) else problem)
               for line, record, problem in sources._rows_jsonl(resolve_source(str(path))[0])]
        assert got == self.kept_and_searched(path)


class TestJsonlScanner:
    """Each line of a JSON lines file is parsed by `json.loads`' own scanner (`sources._rows_jsonl`):
    the same records, rejects, messages and line numbers as `json.loads` of each line, in a whole
    file and in a part."""

    DEEP = b"[" * 1200 + b"]" * 1200  # deeper than json's recursion allows

    @staticmethod
    def line_by_line(item: InputFile) -> list:
        """Each line read, decoded and parsed alone by `json.loads`, as the reader did before blocks; a
        line whose object (at any depth, the first to close) repeats a key, or that holds a number
        beyond float64, or a lone surrogate (an escape of half a pair) beside its raw text, is a
        reject saying so."""
        import json

        repeats, overflows, mark = [], [], "<<beyond float64>>"

        def pairs(items):
            repeats.extend(key for index, (key, _) in enumerate(items) if key in dict(items[:index]))
            return dict(items)

        def beyond(text):
            if abs(float(text)) == float("inf"):
                overflows.append(text)
                return mark
            return float(text)

        out = []
        with open(item.path, "rb") as handle:
            handle.seek(item.start)
            number, left = item.first_line, None if item.stop is None else item.stop - item.start
            for data in handle:
                if left is not None:
                    if left <= 0:
                        break
                    left -= len(data)
                try:
                    text = sources._decode(data, first=number == 1 and item.start == 0, errors="strict")
                except UnicodeDecodeError:
                    out.append((number, None, "not UTF-8 (undecodable bytes)"))
                    number += 1
                    continue
                if text.strip(" \t\n\r"):  # blank as json reads it: a form feed or a no-break space is not
                    repeats.clear()
                    overflows.clear()
                    try:
                        record = json.loads(text, object_pairs_hook=pairs, parse_float=beyond)
                    except json.JSONDecodeError as error:
                        out.append((number, None, f"not a JSON line ({error.msg.removesuffix(' at')} at column {error.colno})"))
                    except (ValueError, RecursionError) as error:
                        out.append((number, None, f"not a JSON line ({error})"))
                    else:
                        out.append((number, None, f"a JSON line must hold an object, got {'a number' if record == mark else JSON_KINDS.get(type(record)) or str(record).lower()}")
                                   if not isinstance(record, dict) else
                                   (number, None, f"key {repeats[0]!r} {REPEATED}") if repeats else
                                   (number, None, "column {!r} holds {}, {}".format(
                                       next(key for key, value in record.items() if mark in json.dumps(value)), overflows[0], BEYOND))
                                   if overflows else
                                   (number, None, f"not UTF-8 text (the escape \\u{ord(half.group()):04x} is half a surrogate pair)")
                                   if len(record) > 1 and (half := re.search("[\ud800-\udfff]", json.dumps(record, ensure_ascii=False))) else
                                   (number, record, None))
                number += 1
        return out

    LINES = [b'{"raw": "a\xc3\xa9", "n": 1}', b'{"raw": "b"}', b' \t{"raw": "c"} \r', b"\x0c{}", b"{}\x0c",
             b"\xef\xbb\xbf", b'\xef\xbb\xbf{"raw": "d"}', b"\xff", b"\xe2\x82", b'{"raw": "x"} y', b'{"raw": 1',
             b'{"a": 1}, {"b": 2}', b"[1]", b"null", b"", b" ", b"\xc2\xa0", b"\r", b"1" * 5000, b"NaN", DEEP,
             b'{"raw": "\\ud800"}', b'{"raw": "e", "raw": "f"}', b'{"raw": "\\n\\r"}', b'{"raw": "\\ud83d\\ude00"}',
             b'{"raw": "g", "n": ["\\uDC00"]}', b'{"\\ud800": 1, "raw": "h"}', b'{"raw": "\\\\ud800"}',
             b'{"raw": "i", "n": [{"k": 1, "j": {"a": 0, "a": 1}, "k": 2}]}', b'{"raw": "j", "a": {"k": 1}, "b": {"k": 2}}',
             b'[{"raw": "k", "raw": "l"}]', b'{"raw": "m", "n": Infinity}', b'{"raw": "o", "n": 1e400}', b"-Infinity",
             b"1e400", b"false", b"\x0c", b"\xe3\x80\x80 ", b"\xe2\x80\xa8",
             b'{"raw": "p", "a": 1, "b": 2, "b": 3, "a": 4} x']

    @given(st.lists(st.sampled_from(LINES), max_size=12), st.sampled_from([b"\n", b"\r\n"]), st.booleans())
    def test_the_records_and_rejects_of_json_loads_line_by_line(self, tmp_path_factory, lines, end, last_ended):
        path = tmp_path_factory.mktemp("jsonl") / "a.jsonl"
        path.write_bytes(end.join(lines) + (end if last_ended and lines else b""))
        item = resolve_source(str(path))[0]
        assert list(sources._rows_jsonl(item)) == self.line_by_line(item)

    def test_parts_read_their_own_lines(self, tmp_path):
        path = tmp_path / "a.jsonl"
        path.write_bytes(b"".join(line + b"\n" for line in self.LINES) + b'{"raw": "last"}')
        breaks = [index + 1 for index, byte in enumerate(path.read_bytes()) if byte == ord("\n")]
        whole = resolve_source(str(path))[0]
        cases = [(0, breaks[3], 1), (breaks[3], breaks[10], 5), (breaks[10], None, 12),
                 (breaks[2], breaks[3] + 2, 4)]  # the last stops inside a line
        for start, stop, first_line in cases:
            part = dataclasses.replace(whole, start=start, stop=stop, first_line=first_line)
            assert list(sources._rows_jsonl(part)) == self.line_by_line(part)

    def test_a_line_nested_too_deep_is_a_reject_not_a_crash(self, tmp_path):
        path = tmp_path / "a.jsonl"
        path.write_bytes(b'{"raw": "Kept."}\n' + self.DEEP + b"\n")
        entries = read_all(str(path))
        assert [entry.raw for entry in entries if isinstance(entry, Article)] == ["Kept."]
        assert [(entry.line, entry.reason) for entry in entries if isinstance(entry, Reject)] == [
            (2, "not a JSON line (maximum recursion depth exceeded while decoding a JSON array from a unicode string)")]

    @pytest.mark.parametrize(("name", "data", "expected"), [
        ("a.jsonl", b'{"raw": "Kept."}\n{"raw": "Half \\ud800 a pair."}\n', [(2, "\\ud800")]),
        ("a.jsonl", b'{"raw": "Kept."}\n{"raw": "Low.", "tag": ["x", "\\uDC01"]}\n', [(2, "\\udc01")]),
        ("a.jsonl", b'{"raw": "Kept."}\n{"raw": "Key.", "\\udfff": 1}\n', [(2, "\\udfff")]),
        ("a.jsonl", b'{"raw": "Kept."}\n{"raw": "Pair \\ud83d\\ude00 and \\\\ud800 text."}\n', []),
        ("a.json", b'[{"raw": "Kept."},\n {"raw": "Half \\ud800 a pair."}]', [(2, "\\ud800")]),
        ("a.json", b'{"raw": "Half \\ud800 a pair."}', [(1, "\\ud800")]),
    ], ids=["raw", "nested-metadata", "key", "a-whole-pair-and-an-escaped-backslash", "document-array", "document-object"])
    def test_an_escaped_half_surrogate_pair_is_a_reject_naming_its_line(self, tmp_path, name, data, expected):
        """json reads ``"\\ud800"`` as a lone surrogate, which Arrow cannot write as UTF-8 (the build
        failed with the codec's error, naming no file or line)."""
        path = tmp_path / name
        path.write_bytes(data)
        entries = read_all(str(path))
        assert [(entry.line, entry.reason) for entry in entries if isinstance(entry, Reject)] == [
            (line, f"not UTF-8 text (the escape {escape} is half a surrogate pair)") for line, escape in expected]
        assert len(entries) == (1 if name == "a.json" and data.startswith(b"{") else 2)

    @given(st.lists(st.fixed_dictionaries({"raw": st.text(min_size=1, max_size=6).filter(str.strip)},
                                          optional={"tag": st.one_of(st.text(max_size=3), st.lists(st.text(max_size=2), max_size=2)),
                                                    "normalized": st.text(max_size=4)}),
                    min_size=1, max_size=6, unique_by=lambda record: record["raw"]))
    def test_a_record_is_rejected_for_half_a_pair_exactly_when_it_holds_one(self, tmp_path_factory, records):
        import json

        path = tmp_path_factory.mktemp("jsonl") / "a.jsonl"
        path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
        entries = [entry for item in resolve_source(str(path)) for entry in read_input(item, ReadOptions(), {})]
        for record, entry in zip(records, entries):
            half = re.search("[\ud800-\udfff]", json.dumps(record, ensure_ascii=False)) is not None
            assert (isinstance(entry, Reject) and "half a surrogate pair" in entry.reason) == half
            if isinstance(entry, Article):  # the reader's id is `article_id`'s, strictly encoded or not
                assert entry.id == article_id("a.jsonl", entry.raw)

    @pytest.mark.parametrize("num_proc", [None, 2], ids=["one-process", "num_proc-2"])
    @pytest.mark.parametrize("line", [b'{"raw": "Half \\ud800 a pair."}', b'{"raw": "Key.", "\\ud800": 1}'], ids=["raw", "key"])
    def test_a_build_reports_an_escaped_half_surrogate_pair(self, tmp_path, line, num_proc):
        """In one process and with num_proc (whose reading before the build notes the metadata
        types too), in every config: the record is one reject, the others are read."""
        path = tmp_path / "a.jsonl"
        path.write_bytes(b"".join(b'{"raw": "Kept %d."}\n' % number for number in range(6)) + line + b"\n")
        for config in ("articles", "raw", "lines"):
            built = newspairs.load(str(path), config, cache_dir=str(tmp_path / f"cache-{config}"), errors="report",
                                   num_proc=num_proc)
            assert sum(split.num_rows for split in built.values()) == 6  # one line each
            assert all(name in ("id", "raw", "normalized", "agrees", "source_file", "article_id", "line")
                       for name in next(iter(built.values())).column_names)

    @pytest.mark.parametrize("document", [b"[" + DEEP + b"]", b'{"raw": ' + DEEP + b"}"], ids=["array", "object"])
    def test_a_json_document_nested_too_deep_is_a_reject_not_a_crash(self, tmp_path, document):
        path = tmp_path / "a.json"
        path.write_bytes(document)
        entries = read_all(str(path))
        assert entries and all(isinstance(entry, Reject) and "recursion" in entry.reason for entry in entries)


class TestWhatJsonDropsUnsaid:
    """Class: what json reads without a word but cannot give back is a reject naming file, line and
    why, in JSON lines and JSON documents alike: a key repeated in an object, at any depth (json
    keeps the last value), and a number beyond float64 (json reads 1e400 as inf); a record or file
    that is rejected adds no column and types none."""

    @pytest.mark.parametrize(("name", "data", "rejects", "kept"), [
        ("a.jsonl", b'{"raw": "Kept."}\n{"raw": "T.", "raw": "T2."}\n', [(2, "raw")], ["Kept."]),
        ("a.jsonl", b'{"raw": "Kept."}\n{"raw": "First.", "title": "a", "title": "b"}\n', [(2, "title")], ["Kept."]),
        ("a.jsonl", b'{"raw": "Kept."}\n{"raw": "Deep.", "tags": [{"k": 1, "k": 2}]}\n', [(2, "k")], ["Kept."]),
        ("a.jsonl", b'\xef\xbb\xbf{"raw": "Marked.", "raw": "M2."}\n{"raw": "Kept."}\n', [(1, "raw")], ["Kept."]),
        ("a.jsonl", b'{"raw": "Kept.", "a": {"k": 1}, "b": {"k": 2}}\n', [], ["Kept."]),
        ("a.json", b'[{"raw": "J.", "raw": "K."}, {"raw": "Kept."}]', [(1, "raw")], ["Kept."]),
        ("a.json", b'[\n {"raw": "Kept."},\n {"raw": "Two.",\n  "n": 1, "n": 2},\n {"raw": "After."}\n]', [(3, "n")],
         ["Kept.", "After."]),
        ("a.json", b'{"raw": "One.", "m": {"a": 1, "a": 2}}', [(1, "a")], []),
    ], ids=["raw", "metadata", "nested", "after-a-byte-order-mark", "one-key-in-two-objects", "document", "document-on-lines",
            "document-object"])
    def test_a_repeated_key_is_a_reject_not_a_lost_value(self, tmp_path, name, data, rejects, kept):
        path = tmp_path / name
        path.write_bytes(data)
        entries = read_all(str(path))
        assert [(entry.line, entry.reason) for entry in entries if isinstance(entry, Reject)] == [
            (line, f"key {key!r} {REPEATED}") for line, key in rejects]
        assert [entry.raw for entry in entries if isinstance(entry, Article)] == kept

    @pytest.mark.parametrize(("values", "stored", "number"), [
        (["1e400", "2.5"], [None, 2.5], "1e400"),
        (["-1e400", "2.5"], [None, 2.5], "-1e400"),
        (["1e400", '"text"', "3"], [None, '"text"', "3"], "1e400"),  # JSON text: "Infinity" would say another number
        (["[1, 1e400]", "[2]"], [None, "[2]"], "1e400"),
        (['{"deep": [-1.5E+999]}', "[2]"], [None, "[2]"], "-1.5E+999"),
        (["9" * 400 + ".5", "2.5"], [None, 2.5], "999999999999... (402 characters)"),
        (["Infinity", "-Infinity", "2.5"], [float("inf"), float("-inf"), 2.5], None),  # as Python's json writes them
        (["[Infinity]", '"Infinity"'], ["[Infinity]", '"Infinity"'], None),
    ], ids=["beyond", "below", "json-text", "nested", "nested-deeper", "long", "written-infinity", "written-in-json-text"])
    @pytest.mark.parametrize("name", ["t.jsonl", "t.json"])
    def test_a_number_beyond_float64_is_a_reject_naming_its_column(self, tmp_path, values, stored, number, name):
        from newspairs.builder import prepare

        records = [f'{{"raw": "Story {index}.", "f": {value}}}' for index, value in enumerate(values)]
        path = tmp_path / name
        path.write_text("\n".join(records) if name == "t.jsonl" else "[" + ",\n".join(records) + "]", encoding="utf-8")
        entries = read_all(str(path))
        assert [entry.metadata["f"] if isinstance(entry, Article) else None for entry in entries] == stored
        assert [(entry.line, entry.reason) for entry in entries if isinstance(entry, Reject)] == (
            [] if number is None else [(1, f"column 'f' holds {number}, {BEYOND}")])
        built = prepare(str(path), errors="report", split_ratios=(1, 0, 0), cache_dir=str(tmp_path / "cache"))
        assert built.as_dataset("train")["f"] == [value for value in stored if value is not None]
        assert [reject["line"] for reject in built.report().rejects] == [1] * stored.count(None)

    def test_nan_written_as_such_is_read_as_nan(self, tmp_path):
        path = tmp_path / "t.jsonl"
        path.write_text('{"raw": "One.", "f": NaN}\n{"raw": "Two.", "f": 0.5}\n', encoding="utf-8")
        one, two = read_all(str(path))
        assert one.metadata["f"] != one.metadata["f"] and two.metadata["f"] == 0.5

    @pytest.mark.parametrize("write", [
        lambda tmp: write_jsonl(tmp / "b.jsonl", [{"text": "No raw key.", "extra": 1}]),
        lambda tmp: write_jsonl(tmp / "b.jsonl", [{"raw": "Clash.", "id": "x", "extra": 1}]),
        lambda tmp: (tmp / "b.jsonl").write_bytes(b'{"raw": "Twice.", "raw": "T.", "extra": 1}\n'),
        lambda tmp: (tmp / "b.jsonl").write_bytes(b'{"raw": "Beyond.", "extra": 1e400}\n'),
        lambda tmp: (tmp / "b.jsonl").write_bytes(b'{"raw": "Half \\ud800.", "extra": 1}\n'),
        lambda tmp: write_jsonl(tmp / "b.jsonl", [{"raw": "", "extra": 1}]),
        lambda tmp: write_parquet(tmp / "b.parquet", {"body": ["No raw column."], "extra": [1]}),
        lambda tmp: write_parquet(tmp / "b.parquet", {"raw": ["Clash."], "line": [1], "extra": [1]}),
        lambda tmp: write_csv(tmp / "b.csv", ["body", "extra"], [["No raw column.", "1"]]),
        lambda tmp: write_csv(tmp / "b.csv", ["raw", "extra", "extra"], [["Twice.", "1", "2"]]),
        lambda tmp: write_csv(tmp / "b.csv", ["raw", "source_file", "extra"], [["Clash.", "x", "1"]]),
    ], ids=["jsonl-no-raw-key", "jsonl-reserved-key", "jsonl-repeated-key", "jsonl-beyond-float64", "jsonl-half-a-pair",
            "jsonl-empty-article", "parquet-no-raw-column", "parquet-reserved-column", "csv-no-raw-column",
            "csv-column-twice", "csv-reserved-column"])
    @pytest.mark.parametrize("num_proc", [None, 2], ids=["one-process", "num_proc-2"])
    def test_a_rejected_record_or_file_adds_no_column(self, tmp_path, write, num_proc):
        source = tmp_path / "c"
        write_jsonl(source / "a.jsonl", [{"raw": "Good.", "desk": "world"}])
        write(source)
        assert list(scan_metadata(resolve_source(source))[0]) == ["desk"]
        built = newspairs.load(str(source), errors="report", split_ratios=(1, 0, 0), cache_dir=str(tmp_path / "cache"),
                               num_proc=num_proc, part_bytes=20)["train"]
        assert "extra" not in built.column_names and built["raw"] == ["Good."]

    def test_a_rejected_record_types_no_column(self, tmp_path):
        path = write_jsonl(tmp_path / "t.jsonl", [{"raw": "One.", "n": 1}, {"text": "No raw key.", "n": "x"}])
        assert scan_metadata(resolve_source(path))[0]["n"].dtype == "int64"


MESSY_JSON = b"""{"raw": "Kept one.", "desk": "world", "n": 1}
{"raw": "Twice.", "raw": "Twice again."}
{"raw": "Title twice.", "title": "a", "title": "b"}
{"raw": "Nested twice.", "tags": {"k": 1, "k": 2}}
{"raw": "Beyond.", "n": 1e400}
{"raw": "Below.", "n": -1e400}
{"raw": "Deep beyond.", "tags": [1e400]}
{"text": "No raw key.", "only_here": 1}
{"raw": "Kept two.", "desk": 5, "n": 2.5}
{"raw": "Written infinite.", "n": Infinity}
"""
MESSY_ROWS = {"Kept one.": ('"world"', 1.0), "Kept two.": ("5", 2.5), "Written infinite.": (None, float("inf"))}
MESSY_REJECTS = [
    ("a.jsonl", 2, f"key 'raw' {REPEATED}"), ("a.jsonl", 3, f"key 'title' {REPEATED}"), ("a.jsonl", 4, f"key 'k' {REPEATED}"),
    ("a.jsonl", 5, f"column 'n' holds 1e400, {BEYOND}"), ("a.jsonl", 6, f"column 'n' holds -1e400, {BEYOND}"),
    ("a.jsonl", 7, f"column 'tags' holds 1e400, {BEYOND}"),
    ("a.jsonl", 8, "no raw key 'raw' (keys: text, only_here)"),
    ("b.parquet", 1, "no raw column 'raw' (columns: body, rank); every row of the file is rejected"),
    ("b.parquet", 2, "no raw column 'raw' (columns: body, rank); every row of the file is rejected"),
    ("c.csv", 2, "column 'extra' appears twice in the header; every row of the file is rejected"),
]


@pytest.mark.parametrize("way", ["load", "load-num_proc-2", "streaming", "export", "export-num_proc-2"])
def test_every_way_of_reading_gives_the_same_rows_rejects_and_columns(tmp_path, way):
    """The JSON lines reader and the types pass agree, in one process and in parts read by workers
    (the file cut: each part's types and ids found apart), for a load, a stream and an export."""
    import datasets

    from newspairs.builder import prepare
    from newspairs.export import REPORT_FILENAME, export

    source = tmp_path / "c"
    source.mkdir()
    (source / "a.jsonl").write_bytes(MESSY_JSON)
    write_parquet(source / "b.parquet", {"body": ["No raw column.", "Again."], "rank": [1, 2]})
    write_csv(source / "c.csv", ["raw", "extra", "extra"], [["Twice.", "1", "2"]])
    sources.clear_read_memos()  # as a fresh process
    options = dict(errors="report", split_ratios=(1, 0, 0))
    num_proc = 2 if way.endswith("num_proc-2") else None
    if way.startswith("load"):
        built = prepare(str(source), "articles", cache_dir=str(tmp_path / "cache"), num_proc=num_proc, part_bytes=120, **options)
        rows, rejects = built.as_dataset("train"), built.report().rejects
    elif way == "streaming":
        rows, rejects = newspairs.load(str(source), "articles", streaming=True, **options)["train"], None
    else:
        export(str(source), tmp_path / "out", configs=["articles"], num_proc=num_proc, part_bytes=120, **options)
        rows = datasets.load_dataset(str(tmp_path / "out"), "articles")["train"]
        rejects = json.loads((tmp_path / "out" / REPORT_FILENAME).read_text())["articles"]["rejects"]
    rows = list(rows)
    assert [name for name in rows[0] if name not in sources.RESERVED_COLUMNS] == ["desk", "n"]
    assert {row["raw"]: (row["desk"], row["n"]) for row in rows} == MESSY_ROWS
    if rejects is not None:
        assert sorted((Path(reject["file"]).name, reject["line"], reject["reason"]) for reject in rejects) == MESSY_REJECTS


class TestTextFileDecode:
    """A text file is decoded strictly first (`sources._read_text_file`): the same text and the same
    first bad line as decoding it with its bad bytes kept as surrogates and searching it for one."""

    @given(st.lists(st.sampled_from([b"a\xc3\xa9", b"b", b"\xef\xbb\xbf", b"\xff", b"\xed\xa0\x80", b"\xf0\x9f\x98",
                                     b"\xe2\x82", b"\r", b"\r\n", b"\n", b" "]), max_size=12))
    def test_the_same_text_and_bad_line(self, tmp_path_factory, fragments):
        path = tmp_path_factory.mktemp("text") / "a.txt"
        data = b"".join(fragments)
        path.write_bytes(data)
        kept = sources._decode(data, first=True)
        expected = (kept[:-1] if kept.endswith("\n") else kept), sources._undecodable_line(kept)
        assert sources._read_text_file(str(path)) == expected


# --- files that cannot be read as they are: rejects naming file and line, never a crash ----------


def _parquet_of(path: Path, table) -> Path:
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


def _parquet_bad_utf8(tmp: Path) -> Path:
    import pyarrow as pa

    raw = pa.array([b"Good.", b"Bad \xff byte.", b"Also good."], pa.binary()).view(pa.string())  # a writer that does not check
    return _parquet_of(tmp / "t.parquet", pa.table({"raw": raw, "desk": ["a", "b", "c"]}))


def _parquet_column_twice(tmp: Path) -> Path:
    import pyarrow as pa

    return _parquet_of(tmp / "t.parquet", pa.Table.from_arrays(
        [pa.array(["Kept?", "Two."]), pa.array(["Other text.", "Lost."])], names=["raw", "raw"]))


def _dangling(name: str):
    """A folder holding a link to nothing named ``name``: a file that cannot be opened, as one without read permission."""
    def make(tmp: Path) -> Path:
        (tmp / "c").mkdir()
        (tmp / "c" / name).symlink_to(tmp / "gone" / name)
        return tmp / "c"
    return make


class TestFilesThatCannotBeReadAsTheyAre:
    """Class: a file whose bytes, columns or very opening go wrong gives rejects naming file and line
    (the other rows of the file read), never an exception that names no file and stops the build."""

    @pytest.mark.parametrize(("make", "expected"), [
        (lambda tmp: tmp.joinpath("t.csv").write_bytes(b"raw,t\xedtulo\nFirst.,a\nSecond.,b\n") and tmp / "t.csv",
         [("Reject", 2, "not UTF-8 .*header"), ("Reject", 3, "not UTF-8 .*header")]),
        (lambda tmp: tmp.joinpath("t.csv").write_bytes("raw,title\nFirst.,a\n".encode("utf-16")) and tmp / "t.csv",
         [("Reject", 2, "not UTF-8 .*header"), ("Reject", 3, "not UTF-8 .*header")]),
        (_parquet_bad_utf8, [("Article", 1, None), ("Reject", 2, "not UTF-8 .*column 'raw'"), ("Article", 3, None)]),
        (_parquet_column_twice, [("Reject", 1, "column 'raw' appears twice"), ("Reject", 2, "column 'raw' appears twice")]),
        (lambda tmp: tmp.joinpath("t.json").write_text('{\n  "raw": "Pretty object.",\n  "title": "T"\n') and tmp / "t.json",
         [("Reject", 1, "not a JSON document .*; the file is unread")]),
        (_dangling("gone.csv"), [("Reject", None, "cannot read")]),
        (_dangling("gone.jsonl"), [("Reject", None, "cannot read")]),
        (_dangling("gone.json"), [("Reject", None, "cannot read")]),
    ], ids=["csv-latin1-header", "csv-utf16", "parquet-not-utf8-row", "parquet-column-twice", "json-object-never-closed",
            "csv-cannot-open", "jsonl-cannot-open", "json-cannot-open"])
    def test_each_row_is_an_article_or_a_reject_naming_its_line(self, tmp_path, make, expected):
        path = make(tmp_path)
        entries = read_all(path)
        assert [(type(entry).__name__, entry.line) for entry in entries] == [(kind, line) for kind, line, _ in expected]
        for entry, (_, _, reason) in zip(entries, expected):
            if reason is not None:
                assert re.search(reason, str(entry.error())) and str(entry.error()).startswith(str(path))
        metadata, _ = scan_metadata(resolve_source(path))  # no crash, and no column named by a bad byte
        assert set(metadata) <= {"desk"}

    @pytest.mark.parametrize("name", ["t.jsonl", "t.csv", "t.txt", "t.parquet", "c/raw/a.txt"],
                             ids=["jsonl", "csv", "txt", "parquet", "paired-raw"])
    def test_a_named_pipe_is_a_reject_and_never_opened(self, tmp_path, name):
        import os

        write_jsonl(tmp_path / "ok.jsonl", [{"raw": "Read."}])
        if name.startswith("c/"):
            write_pairs(tmp_path / "c", {"b.txt": "Read too."})
        pipe = tmp_path / name
        pipe.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(pipe)
        with _opened_by_a_reader(pipe) as opened:
            inputs = resolve_source(tmp_path)
            sources.source_identity(inputs)  # the cache key: a file's content hash
            entries = read_all(tmp_path)
        assert not opened
        (reject,) = [entry for entry in entries if isinstance(entry, Reject) and entry.file == str(pipe)]
        assert reject.reason == "not a regular file (a named pipe): never opened"
        assert {entry.raw for entry in entries if isinstance(entry, Article)} >= {"Read."}

    @pytest.mark.parametrize(("write", "dtype", "values"), [
        (lambda tmp: (write_jsonl(tmp / "a.jsonl", [{"raw": "One.", "n": None}]),
                      write_jsonl(tmp / "b.jsonl", [{"raw": "Two.", "n": 12}])), "int64", [None, 12]),
        (lambda tmp: (write_jsonl(tmp / "a.jsonl", [{"raw": "One.", "n": 12}]),
                      write_jsonl(tmp / "b.jsonl", [{"raw": "Two.", "n": None}])), "int64", [12, None]),
        (lambda tmp: (_parquet_of(tmp / "a.parquet", _null_column({"raw": ["One."]}, "n")),
                      write_parquet(tmp / "b.parquet", {"raw": ["Two."], "n": ["Ann"]})), "string", [None, "Ann"]),
        (lambda tmp: (_parquet_of(tmp / "a.parquet", _null_column({"raw": ["One."]}, "n")),
                      write_jsonl(tmp / "b.jsonl", [{"raw": "Two.", "n": 3}])), "int64", [None, 3]),
    ], ids=["jsonl-null-first", "jsonl-null-last", "parquet-null-type", "parquet-null-type-and-jsonl-int"])
    def test_a_column_of_nulls_only_takes_the_other_files_type(self, tmp_path, write, dtype, values):
        write(tmp_path)
        metadata, _ = scan_metadata(resolve_source(tmp_path))
        assert metadata["n"].dtype == dtype
        assert [entry.metadata["n"] for entry in read_all(tmp_path)] == values

    @pytest.mark.parametrize(("column", "arrow_type"), [
        ("tags", "map"), ("meta", "struct-of-map"),
    ], ids=["map", "struct-of-map"])
    def test_a_parquet_file_with_a_column_datasets_cannot_hold_is_rejected_whole(self, tmp_path, column, arrow_type):
        """A map column (Spark writes them) stopped every build, with --errors report too, where a
        file with a column named twice is rejected row by row and the rest of the source read."""
        import pyarrow as pa

        tags = pa.array([[("k", 1)], [("j", 2)]], pa.map_(pa.string(), pa.int64()))
        values = tags if arrow_type == "map" else pa.StructArray.from_arrays([tags], names=["tags"])
        path = _parquet_of(tmp_path / "c" / "spark.parquet", pa.table({"raw": ["B.", "C."], column: values}))
        write_jsonl(tmp_path / "c" / "good.jsonl", [{"raw": "Good.", "desk": "world"}])
        metadata, _ = scan_metadata(resolve_source(tmp_path / "c"))
        assert list(metadata) == ["desk"]  # the rejected file adds no column
        entries = read_all(tmp_path / "c")
        assert [entry.raw for entry in entries if isinstance(entry, Article)] == ["Good."]
        rejects = [entry for entry in entries if isinstance(entry, Reject)]
        assert [(entry.file, entry.line) for entry in rejects] == [(str(path), 1), (str(path), 2)]
        assert all(re.fullmatch(rf"column '{column}' is of a type `datasets` cannot hold \(.*map<string, int64.*\); "
                                "every row of the file is rejected", entry.reason) for entry in rejects), rejects[0].reason
        from newspairs.builder import prepare

        report = prepare(str(tmp_path / "c"), errors="report", split_ratios=(1, 0, 0), cache_dir=str(tmp_path / "cache")).report()
        assert (report.read, report.written, report.rejected) == (3, 1, 2)
        with pytest.raises(SourceError, match=re.escape(f"{path}, article row 1, line 1: column '{column}'")):
            newspairs.load(str(tmp_path / "c"), cache_dir=str(tmp_path / "cache2"))

    @pytest.mark.parametrize(("write", "message"), [
        (lambda tmp: (write_csv(tmp / "True.csv", ["title", "text", "subject", "date"], isot_rows()),
                      write_jsonl(tmp / "j.jsonl", [{"raw": "One.", "label": 1}])),
         r"'label' is a class label \(Fake, True\) in .*True.csv but int64 in .*j.jsonl"),
    ], ids=["class-label-and-int"])
    def test_a_type_clash_says_what_differs(self, tmp_path, write, message):
        write(tmp_path)
        with pytest.raises(ValueError, match=message):
            scan_metadata(resolve_source(tmp_path))


def _null_column(columns: dict, name: str):
    """A table of ``columns`` and a column ``name`` of Arrow type null (pandas writes an all-None column so)."""
    import pyarrow as pa

    table = pa.table(columns)
    return table.append_column(name, pa.nulls(table.num_rows, pa.null()))


@contextmanager
def _opened_by_a_reader(pipe: Path):
    """Yields a list that says whether anything opened ``pipe`` for reading meanwhile: a writer's
    non-blocking open succeeds only then (and lets that reader go on, to an empty file), so a
    reader that would wait for ever is caught, not hung."""
    import os
    import threading

    opened: list[bool] = []
    stop = threading.Event()

    def watch():
        while not stop.wait(0.005):
            try:
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                continue  # no reader
            opened.append(True)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield opened
    finally:
        stop.set()
        thread.join()


def _compressed(path: Path, suffix: str) -> Path:
    """``path`` compressed beside itself as ``path`` + ``suffix``."""
    import bz2
    import gzip
    import lzma

    compress = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[suffix]
    target = path.with_name(path.name + suffix)
    target.write_bytes(compress(path.read_bytes()))
    return target


def _decompressed_prefix(path: Path) -> bytes:
    """What a decompressor gives of a compressed file cut short, before it stops."""
    import bz2
    import lzma
    import zlib

    data = path.read_bytes()
    if path.suffix == ".gz":
        return zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(data)
    return (bz2.BZ2Decompressor() if path.suffix == ".bz2" else lzma.LZMADecompressor()).decompress(data)


def _messy_csv(path: Path) -> Path:
    rows = [[record["raw"], record["title"], str(record["year"])] for record in tabular_records()]
    write_csv(path, ["raw", "title", "year"], rows + [["", "empty", "1"], ["one field only"]])
    return path


def _json_document(path: Path) -> Path:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tabular_records(), indent=2), encoding="utf-8")
    return path


def _one_text(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ARTICLES["budget.txt"], encoding="utf-8")
    return path


def _text_articles(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(ARTICLES.values()) + "\n\n\n" + next(iter(ARTICLES.values())) + "\n", encoding="utf-8")
    return path


def _as_read(entries: list[Article | Reject], name: str) -> list[tuple]:
    """What was read, with the file's own name and the ids made from it taken out."""
    def plain(text):
        return None if text is None else re.sub(r"\b[0-9a-f]{16}\b", "<id>", text.replace(name, "<file>"))

    return [
        ("article", entry.raw, entry.normalized, plain(entry.source_file), entry.metadata, entry.line)
        if isinstance(entry, Article) else
        ("reject", plain(Path(entry.file).name), plain(entry.article), entry.line, plain(entry.reason), entry.dropped)
        for entry in entries
    ]


class TestCompressedFiles:
    """A text, JSON or CSV file compressed with gzip, bzip2 or xz (``a.jsonl.gz``, as `datasets`' own
    loaders read them) is read as the file itself is: the same articles and rejects, each id made
    from the name the file has."""

    @pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
    @pytest.mark.parametrize(("write", "name", "options"), [
        (write_messy_jsonl, "messy.jsonl", ReadOptions()),
        (_json_document, "document.json", ReadOptions()),
        (_messy_csv, "table.csv", ReadOptions()),
        (lambda path: write_csv(path, ["title", "text", "subject", "date"], isot_rows()), "True.csv", ReadOptions(raw_column="text")),
        (_one_text, "one.txt", ReadOptions()),
        (_text_articles, "many.txt", ReadOptions(text_articles="blank-line")),
    ], ids=["jsonl", "json-document", "csv", "isot-csv", "text", "blank-line-text"])
    def test_read_as_the_file_itself(self, tmp_path, write, name, options, suffix):
        plain = write(tmp_path / "plain" / name)
        packed = _compressed(plain, suffix)
        (tmp_path / "packed").mkdir()
        packed = packed.rename(tmp_path / "packed" / packed.name)
        sources.clear_read_memos()
        (item,) = resolve_source(packed)
        assert (item.kind, item.relpath) == (resolve_source(plain)[0].kind, packed.name)
        expected, got = read_all(plain, options), read_all(packed, options)
        assert _as_read(got, packed.name) == _as_read(expected, name) and got
        assert all(entry.id == article_id(packed.name, entry.raw) for entry in got if isinstance(entry, Article))

    def test_a_stream_cut_short_keeps_what_came_before_and_rejects_the_rest(self, tmp_path):
        records = [{"raw": f"Article {i} is here."} for i in range(2000)]
        packed = _compressed(write_jsonl(tmp_path / "a.jsonl", records), ".gz")
        packed.write_bytes(packed.read_bytes()[: packed.stat().st_size * 2 // 3])
        entries = read_all(packed)
        articles = [entry for entry in entries if isinstance(entry, Article)]
        (reject,) = [entry for entry in entries if isinstance(entry, Reject)]
        assert 0 < len(articles) < len(records) and [a.raw for a in articles] == [r["raw"] for r in records[: len(articles)]]
        assert (reject.line, reject.reason) == (len(articles) + 1, f"cannot read from line {len(articles) + 1} on "
                                                "(Compressed file ended before the end-of-stream marker was reached); "
                                                "the rest of the file is unread")
        with pytest.raises(SourceError, match=rf"a\.jsonl\.gz, article line {len(articles) + 1}, line {len(articles) + 1}: cannot read from"):
            newspairs.load(packed, cache_dir=str(tmp_path / "cache"))

    @pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
    def test_a_csv_stream_cut_short_keeps_every_row_it_gave_whole(self, tmp_path, suffix):
        """gzip's, bzip2's and xz's own read(n) drop what they decompressed when the stream breaks:
        the reader keeps it, so every row whole before the break is read (not a block fewer)."""
        rows = [[f"Article {i} is here."] for i in range(100000)]  # bzip2 breaks only after a whole block of 900 kB
        packed = _compressed(write_csv(tmp_path / "a.csv", ["raw"], rows), suffix)
        packed.write_bytes(packed.read_bytes()[: packed.stat().st_size * 3 // 4])
        whole_lines = _decompressed_prefix(packed).count(b"\n")  # the header's and every whole row's
        entries = read_all(packed)
        articles = [entry for entry in entries if isinstance(entry, Article)]
        (reject,) = [entry for entry in entries if isinstance(entry, Reject)]
        assert [a.raw for a in articles] == [row[0] for row in rows[: whole_lines - 1]] and 0 < len(articles) < len(rows)
        assert reject.line == whole_lines + 1 and reject.reason.startswith(f"cannot read from line {whole_lines + 1} on (")

    def test_a_json_document_cut_short_keeps_its_whole_records_and_names_the_break(self, tmp_path):
        records = [{"raw": f"Article {i} is here."} for i in range(3000)]
        plain = _json_document(tmp_path / "a.json")
        plain.write_text(json.dumps(records, indent=1), encoding="utf-8")
        packed = _compressed(plain, ".gz")
        packed.write_bytes(packed.read_bytes()[: packed.stat().st_size // 2])
        entries = read_all(packed)
        articles = [entry for entry in entries if isinstance(entry, Article)]
        (reject,) = [entry for entry in entries if isinstance(entry, Reject)]
        assert [a.raw for a in articles] == [r["raw"] for r in records[: len(articles)]] and len(articles) > 1000
        assert reject.reason == (f"cannot read from line {reject.line} on (Compressed file ended before the end-of-stream "
                                 "marker was reached); the rest of the file is unread")
        assert reject.line == articles[-1].line + 3  # the record after the last whole one (3 lines a record)

    @pytest.mark.parametrize("name", ["a.jsonl.gz", "a.csv.bz2", "a.txt.xz", "a.json.gz"])
    def test_a_file_that_is_not_what_its_name_says_is_one_reject_naming_it(self, tmp_path, name):
        (tmp_path / name).write_bytes(b'{"raw": "plain, not compressed"}\n')
        (reject,) = read_all(tmp_path / name)
        assert isinstance(reject, Reject) and reject.file == str(tmp_path / name) and reject.reason.startswith("cannot read (")

    def test_a_compressed_jsonl_is_never_cut_into_parts_and_builds_as_one_process_does(self, tmp_path):
        packed = _compressed(write_messy_jsonl(tmp_path / "c" / "big.jsonl"), ".gz")
        (tmp_path / "c" / "big.jsonl").unlink()
        inputs = split_inputs(resolve_source(packed), ReadOptions(), scan_metadata(resolve_source(packed))[1], 100, 2)
        assert [item.is_part for item in inputs] == [False]
        one = newspairs.load(packed, "raw", errors="report", cache_dir=str(tmp_path / "one"))
        two = newspairs.load(packed, "raw", errors="report", num_proc=2, part_bytes=100, cache_dir=str(tmp_path / "two"))
        assert {name: split.to_list() for name, split in one.items()} == {name: split.to_list() for name, split in two.items()}

    @pytest.mark.parametrize("name", ["a.parquet.gz", "a.jsonl.zst", "a.gz", "a.tsv.gz"])
    def test_other_compressed_names_are_files_not_read(self, tmp_path, name):
        (tmp_path / name).write_bytes(b"x")
        with pytest.raises(ValueError, match=rf"{re.escape(name)}: not a source layout newspairs reads \(.*also compressed: \.gz, \.bz2, \.xz"):
            resolve_source(tmp_path / name)


def test_a_control_character_in_a_json_line_is_named_once_with_its_column(tmp_path):
    # json's message ends "Invalid control character at", to which the column was added: "at at"
    path = tmp_path / "a.jsonl"
    path.write_text('{"raw": "a\tb"}\n', encoding="utf-8")
    (reject,) = read_input(resolve_source(path)[0])
    assert reject.reason == "not a JSON line (Invalid control character at column 11)"


@pytest.mark.parametrize(("data", "reason"), [
    (b'{"raw": "First."}\r{"raw": "Second."}\r', "Extra data at column 19); records are separated by a lone \\r, where"),
    (b'{"raw": "First."} \r {"raw": "Second."}\n', "Extra data at column 21); records are separated by a lone \\r, where"),
    (b'{"raw": "First."} {"raw": "Second."}\r\n', "Extra data at column 19)$"),
], ids=["lone-cr-line-ends", "lone-cr-among-spaces", "two-values-on-a-crlf-line"])
def test_records_after_a_lone_carriage_return_are_one_line_whose_reject_says_why(tmp_path, data, reason):
    """`datasets` reads a lone \\r as a line end, newspairs' JSON lines end at \\n: the reject said
    only "Extra data", as for any two values on a line."""
    path = tmp_path / "a.jsonl"
    path.write_bytes(data)
    (reject,) = read_input(resolve_source(path)[0])
    assert re.search(re.escape(reason.removesuffix("$")) + ("$" if reason.endswith("$") else ""), reject.reason), reject.reason


def test_the_types_check_only_the_records_that_can_add_a_kind(tmp_path, monkeypatch):
    """The types pass checks a record (a sentence split, with the option) only when a value of it is
    of a kind its column lacks: checking every record with metadata split every article twice."""
    path = tmp_path / "a.jsonl"
    records = [{"raw": f"Story {n}. It ran.", "title": f"t{n}", "n": n} for n in range(50)]
    records[30]["n"] = "thirty"  # a new kind: checked
    records[40]["extra"] = [1]  # a new column: checked
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    split, real = [], sources.split_or_keep
    monkeypatch.setattr(sources, "split_or_keep", lambda text, name: split.append(text) or real(text, name))
    options = ReadOptions(sentences="punkt")
    types = sources._json_types(resolve_source(path)[0], options)
    assert types == {"title": "string", "n": "json", "extra": "json"}
    assert split == ["Story 0. It ran.", "Story 30. It ran.", "Story 40. It ran."]


# --- folders that cannot be listed --------------------------------------------------------------


def _lock(monkeypatch, folder: Path, searchable: bool = False) -> None:
    """``folder`` as a user without root's permission bypass sees it after ``chmod 000`` (``searchable``:
    ``chmod 100``, its files opened by name but never listed): tests run as root, where chmod stops nothing."""
    import builtins
    import errno

    locked = os.path.abspath(folder)

    def denied(path) -> PermissionError:
        return PermissionError(errno.EACCES, "Permission denied", os.fspath(path))

    def guard(real, listing: bool):
        def call(path=".", *args, **kwargs):
            if not isinstance(path, int):
                where = os.path.abspath(os.fsdecode(path))
                if (listing and where == locked) or (not searchable and where.startswith(locked + os.sep)):
                    raise denied(path)
            return real(path, *args, **kwargs)
        return call

    for name, listing in (("scandir", True), ("listdir", True), ("stat", False), ("lstat", False)):
        monkeypatch.setattr(os, name, guard(getattr(os, name), listing))
    monkeypatch.setattr(builtins, "open", guard(builtins.open, False))


FOLDER_UNREAD = "cannot read the folder (Permission denied); its files are unread"


def _rejects(entries) -> list[tuple[str, str]]:
    return [(entry.file, entry.reason) for entry in entries if isinstance(entry, Reject)]


class TestFoldersThatCannotBeListed:
    """Class: a folder that cannot be listed is one reject saying so, counted as read, and the rest of
    the source is read: it stopped the walk with a PermissionError naming a file that is not there,
    and a glob or a paired folder's side passed it over without a word (or called every file of the
    other side one without its twin)."""

    @pytest.mark.parametrize(("source", "raws"), [
        ("src", ["A."]),
        ("src/**/*.txt", ["A."]),
        ("src/*/*.txt", []),
        ("src/*/b.txt", []),
        ("src/locked/*.txt", []),
        (["src/a.txt", "src/*/*.txt"], ["A."]),
    ], ids=["walked-folder", "recursive-glob", "glob", "glob-literal-file", "glob-inside", "list"])
    def test_one_reject_per_folder_and_the_rest_read(self, tmp_path, monkeypatch, source, raws):
        (tmp_path / "src" / "locked").mkdir(parents=True)
        (tmp_path / "src" / "a.txt").write_text("A.\n", encoding="utf-8")
        (tmp_path / "src" / "locked" / "b.txt").write_text("B.\n", encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        _lock(monkeypatch, tmp_path / "src" / "locked")
        entries = read_all(source)
        assert [entry.raw for entry in entries if isinstance(entry, Article)] == raws
        assert _rejects(entries) == [("src/locked", FOLDER_UNREAD)]
        assert [entry.id for entry in entries if isinstance(entry, Article)] == [article_id("a.txt", "A.")] * len(raws)

    def test_a_walked_folder_that_cannot_be_listed_does_not_stop_a_report_build(self, tmp_path, monkeypatch):
        from newspairs.builder import prepare

        (tmp_path / "src" / "locked").mkdir(parents=True)
        (tmp_path / "src" / "a.txt").write_text("A.\n", encoding="utf-8")
        _lock(monkeypatch, tmp_path / "src" / "locked")
        report = prepare(str(tmp_path / "src"), errors="report", split_ratios=(1, 0, 0), cache_dir=str(tmp_path / "cache")).report()
        assert (report.read, report.written, report.rejected) == (2, 1, 1) and report.reconciles
        with pytest.raises(SourceError, match=re.escape(f"{tmp_path / 'src' / 'locked'}, article locked: {FOLDER_UNREAD}")):
            newspairs.load(str(tmp_path / "src"), cache_dir=str(tmp_path / "cache2"))

    @pytest.mark.parametrize(("locked", "searchable", "articles", "rejects"), [
        (["raw/2020", "normalized/2020"], False, ["raw/top.txt"],
         [("raw/2020", FOLDER_UNREAD), ("normalized/2020", FOLDER_UNREAD)]),
        (["normalized/2020"], False, ["raw/top.txt"],
         [("normalized/2020", FOLDER_UNREAD), ("normalized/2020/n.txt", "cannot read (Permission denied)")]),
        (["raw"], False, [],
         [("raw", FOLDER_UNREAD), ("raw/2020/n.txt", "cannot read (Permission denied)"),
          ("raw/top.txt", "cannot read (Permission denied)")]),
        # searched by name but never listed (chmod 100, 300, 711: shared folders): every twin is found,
        # and the folder is no reject ("its files are unread" was untrue, and stopped a default build)
        (["normalized"], True, ["raw/2020/n.txt", "raw/top.txt"], []),
        (["raw"], True, ["raw/2020/n.txt", "raw/top.txt"], []),
        (["raw/2020"], True, ["raw/2020/n.txt", "raw/top.txt"], []),
    ], ids=["both-nested-folders", "one-nested-folder", "raw-side-000", "normalized-side-100", "raw-side-711",
            "nested-folder-711"])
    def test_a_side_that_cannot_be_listed_claims_no_file_lacks_its_twin(self, tmp_path, monkeypatch, locked, searchable,
                                                                        articles, rejects):
        """A file whose twin is unseen is read as the pair it may be (its read says whether the twin
        can be read); it was "a raw file without its normalized twin", every file of the other side."""
        for side, text in (("raw", "{}.\n"), ("normalized", "{} .\n")):
            (tmp_path / "p" / side / "2020").mkdir(parents=True)
            (tmp_path / "p" / side / "top.txt").write_text(text.format("Top" if side == "raw" else "top"), encoding="utf-8")
            (tmp_path / "p" / side / "2020" / "n.txt").write_text(text.format("Nested" if side == "raw" else "nested"),
                                                                   encoding="utf-8")
        for folder in locked:
            _lock(monkeypatch, tmp_path / "p" / folder, searchable)
        entries = read_all(tmp_path / "p")
        found = [entry for entry in entries if isinstance(entry, Article)]
        assert [entry.source_file for entry in found] == articles
        assert all(entry.normalized == newspairs.normalize(entry.raw) for entry in found)
        assert sorted(_rejects(entries)) == sorted((str(tmp_path / "p" / file), reason) for file, reason in rejects)

    def test_a_side_searched_but_not_listed_is_said_in_a_warning(self, tmp_path, monkeypatch, caplog):
        write_pairs(tmp_path / "p", {"a.txt": "Read.\n"})
        _lock(monkeypatch, tmp_path / "p" / "raw", searchable=True)
        with caplog.at_level("WARNING", logger="newspairs.sources"):
            entries = read_all(tmp_path / "p")
        assert [entry.raw for entry in entries] == ["Read."]
        assert f"{tmp_path / 'p' / 'raw'} cannot be listed (Permission denied): its files were found by their twins' names" in caplog.text

    @pytest.mark.parametrize("side", ["raw", "normalized"])
    def test_the_twin_of_a_named_pipe_is_that_pipe_s_reject(self, tmp_path, side):
        """The pair is one article, its pipe's reject; its twin was a second reject, "without its twin"."""
        write_pairs(tmp_path / "p", {"a.txt": "Read.\n", "b.txt": "Piped.\n"})
        pipe = tmp_path / "p" / side / "b.txt"
        pipe.unlink()
        os.mkfifo(pipe)
        with _opened_by_a_reader(pipe) as opened:
            entries = read_all(tmp_path / "p")
        assert not opened
        assert [entry.raw for entry in entries if isinstance(entry, Article)] == ["Read."]
        assert _rejects(entries) == [(str(pipe), "not a regular file (a named pipe): never opened")]
        # the pair's article, its raw side, as a twin's other rejects name it (the builder checker: normalized/b.txt)
        assert [entry.article for entry in entries if isinstance(entry, Reject)] == ["raw/b.txt"]

    @pytest.mark.parametrize(("source", "locked", "unreadable", "expected"), [
        ("src/locked/b.txt", "src/locked", "src/locked/b.txt", "cannot read (Permission denied)"),
        ("p/raw/n.txt", "p/normalized", "p/normalized/n.txt", "cannot read (Permission denied)"),
        ("src/locked/sub", "src/locked", None, ValueError("src/locked/sub: cannot read (Permission denied)")),
    ], ids=["a-file-inside", "a-pair-s-raw-side-whose-twin-is-unseen", "no-input-suffix"])
    def test_a_name_inside_a_folder_that_cannot_be_searched_says_permission_denied(self, tmp_path, monkeypatch, source,
                                                                                  locked, unreadable, expected):
        """It said "no such file or folder" (`newspairs normalize` of the same file: Permission denied),
        or a PermissionError traceback for a pair's raw side named alone. The reject names the file
        that cannot be read: a pair's twin when it is the twin."""
        (tmp_path / "src" / "locked" / "sub").mkdir(parents=True)
        (tmp_path / "src" / "locked" / "b.txt").write_text("B.\n", encoding="utf-8")
        write_pairs(tmp_path / "p", {"n.txt": "Nested.\n"})
        monkeypatch.chdir(tmp_path)
        _lock(monkeypatch, tmp_path / locked)
        if isinstance(expected, ValueError):
            with pytest.raises(ValueError, match=f"^{re.escape(str(expected))}$"):
                resolve_source(source)
            return
        (reject,) = read_all(source)
        assert (reject.file, reject.reason) == (unreadable, expected)


class TestOneBadByteInABlankLineSeparatedFile:
    """Class: with ``text_articles="blank-line"`` a byte that is not UTF-8 rejects the article holding
    it, naming its line (in the twin too); the file's other articles read as they do without it (the
    same text, ids and lines). It rejected the whole file, counted as one article."""

    ARTICLES = ["First story.", "Second story,\nits second line.", "Third story."]

    @pytest.mark.parametrize(("bad", "where", "line", "article_line"), [
        ("raw", "Second", 3, 3),
        ("raw", "its second", 4, 3),
        ("twin", "second story", 3, 3),
        ("text", "Third", 6, 6),
    ], ids=["raw", "raw-second-line-of-an-article", "twin", "raw-only-file"])
    @pytest.mark.parametrize("sentences", [None, "punkt"], ids=["lines", "punkt"])
    def test_only_the_article_holding_the_byte_is_rejected(self, tmp_path, bad, where, line, article_line, sentences):
        if sentences is not None:
            pytest.importorskip("nltk")
        raw = "\n\n".join(self.ARTICLES) + "\n"
        if bad == "text":
            relpath, path = "wire.txt", tmp_path / "wire.txt"
            path.write_text(raw, encoding="utf-8")
            source, bad_file = path, path
        else:
            write_pairs(tmp_path / "p", {"wire.txt": raw})
            relpath, source = "raw/wire.txt", tmp_path / "p"
            bad_file = tmp_path / "p" / ("raw" if bad == "raw" else "normalized") / "wire.txt"
        options = ReadOptions(text_articles="blank-line", sentences=sentences)
        before = [entry for item in resolve_source(source) for entry in read_input(item, options)]
        text = bad_file.read_bytes()
        assert where.encode() in text
        bad_file.write_bytes(text.replace(where.encode(), b"\xe9" + where.encode()[1:], 1))  # a Latin-1 byte
        entries = [entry for item in resolve_source(source) for entry in read_input(item, options)]
        assert [type(entry).__name__ for entry in entries] == ["Reject" if entry.line == article_line else "Article" for entry in before]
        (reject,) = [entry for entry in entries if isinstance(entry, Reject)]
        assert (reject.file, reject.article, reject.line, reject.reason) == (
            str(bad_file), f"{relpath} line {article_line}", line, "not UTF-8 (undecodable bytes)")
        assert [(entry.id, entry.raw, entry.normalized, entry.line) for entry in entries if isinstance(entry, Article)] == [
            (entry.id, entry.raw, entry.normalized, entry.line) for entry in before if entry.line != article_line]

    def test_the_export_writes_the_other_articles(self, tmp_path, capsys):
        from newspairs.cli import main

        path = tmp_path / "news.txt"
        path.write_bytes("\n\n".join(f"Article number {n} says hello." for n in range(100)).encode()
                         .replace(b"number 50 ", b"number \xe950 "))
        assert main(["export", str(path), str(tmp_path / "out"), "--errors", "report", "--text-articles", "blank-line",
                     "--quiet"]) == 0
        assert "100 articles read = 99 written + 1 rejected" in capsys.readouterr().out


class TestJsonArrayRecordsAreNamedByTheirPlace:
    """Class: a record of a JSON array is named by its place in the array ("record 638"), as many
    records share a line (`json.dump` writes one); the line stays where it was. JSON lines, one
    record a line, keep their lines as names."""

    @pytest.mark.parametrize(("name", "text", "expected"), [
        ("t.json", '[{"raw": "One."}, {"raw": 7}, {"raw": "Three."}, {"raw": "One."}]',
         [("record 2", 1, "raw column 'raw' holds int, not text"),
          ("record 4", 1, "duplicate id {id}: the same article as record 1")]),
        ("t.json", '[\n {"raw": "One."},\n {"raw": 7},\n 7, {"raw": "One."}\n]',
         [("record 2", 3, "raw column 'raw' holds int, not text"), ("record 3", 4, "a JSON record must be an object, got a number"),
          ("record 4", 4, "duplicate id {id}: the same article as record 1")]),
        ("t.json", '[{"raw": "One."}, {"raw": "Two."} {"raw": "Three."}]',
         [("record 3", 1, "not a JSON document (',' or ']' expected at line 1); the rest of the file is unread")]),
    ], ids=["one-line-array", "array-on-lines", "broken-after-two-records"])
    def test_the_reject_names_the_record(self, tmp_path, name, text, expected):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        entries = read_all(path)
        ident = article_id(name, "One.")
        assert [(entry.article, entry.line, entry.reason) for entry in entries if isinstance(entry, Reject)] == [
            (article, line, reason.format(id=ident)) for article, line, reason in expected]
        assert [entry.id for entry in entries if isinstance(entry, Article)][:1] == [ident]  # ids as they were

    def test_the_error_names_the_record(self, tmp_path):
        path = tmp_path / "m.json"
        records = [{"raw": f"Rec {n}."} for n in range(1000)]
        records[637] = {"raw": 637}
        path.write_text(json.dumps(records), encoding="utf-8")
        with pytest.raises(SourceError, match=re.escape(f"{path}, article record 638, line 1: raw column 'raw' holds int, not text")):
            newspairs.load(str(path), cache_dir=str(tmp_path / "cache"))


class TestJsonValuesThatAreNoRecord:
    """Class: a JSON value that is no object is named in JSON's words (``1e400`` was "_Overflow", an
    internal class), and a JSON lines line of characters json does not take for whitespace (a form
    feed, a no-break space) is a reject as json.loads and `datasets` have it, not a blank line skipped."""

    @pytest.mark.parametrize(("name", "data", "expected"), [
        ("t.jsonl", b'{"raw": "A."}\n1e400\n', [(2, "a JSON line must hold an object, got a number")]),
        ("t.jsonl", b'{"raw": "A."}\n-1e400\n7\n', [(2, "a JSON line must hold an object, got a number"),
                                                     (3, "a JSON line must hold an object, got a number")]),
        ("t.json", b'[{"raw": "A."}, 1e400, null]', [(1, "a JSON record must be an object, got a number"),
                                                     (1, "a JSON record must be an object, got null")]),
        ("t.jsonl", b'{"raw": "A."}\n\x0c\n \t\n\xc2\xa0\n\xe2\x80\xa8\n',
         [(2, "not a JSON line (Expecting value at column 1)"), (4, "not a JSON line (Expecting value at column 1)"),
          (5, "not a JSON line (Expecting value at column 1)")]),
    ], ids=["jsonl-beyond-float64", "jsonl-numbers", "json-array-element", "jsonl-non-json-whitespace"])
    def test_the_reject_says_what_json_says(self, tmp_path, name, data, expected):
        path = tmp_path / name
        path.write_bytes(data)
        entries = read_all(path)
        assert [entry.raw for entry in entries if isinstance(entry, Article)] == ["A."]
        assert [(entry.line, entry.reason) for entry in entries if isinstance(entry, Reject)] == expected


def test_a_source_error_raised_again_by_a_dataloader_worker_stays_a_source_error():
    """PyTorch's DataLoader raises a worker's error again from its text (`exc_type(message)`): a
    SourceError then became a RuntimeError, which `except newspairs.SourceError` missed."""
    import sys

    torch_utils = pytest.importorskip("torch._utils")
    try:
        raise SourceError("a.txt", "raw/a.txt", 2, "raw has 2 lines, its normalized twin b.txt has 1")
    except SourceError:
        wrapped = torch_utils.ExceptionWrapper(sys.exc_info(), where="in DataLoader worker process 0")
    with pytest.raises(SourceError, match=r"a\.txt, article raw/a\.txt, line 2: raw has 2 lines") as caught:
        wrapped.reraise()
    assert (caught.value.file, caught.value.line) == (None, None) and "DataLoader worker" in caught.value.reason


# (name, file content, read options, whether pyarrow's check holds, the kinds json finds)
ONLY_SIDES_CASES = [
    ("raw-only", "a.jsonl", b'{"raw": "One."}\n{"raw": "Two."}\n', ReadOptions(), True, {}),
    ("both-sides", "a.jsonl", b'{"raw": "One.", "normalized": "one ."}\n', ReadOptions(), True, {}),
    ("blank-lines", "a.jsonl", b'\n{"raw": "One."}\n\n  \n{"raw": "Two."}', ReadOptions(), True, {}),
    ("bom", "a.jsonl", b'\xef\xbb\xbf{"raw": "One."}\n', ReadOptions(), True, {}),
    ("own-columns", "a.jsonl", b'{"body": "One.", "gold": "one ."}\n', ReadOptions(raw_column="body", normalized_column="gold"), True, {}),
    ("null-normalized", "a.jsonl", b'{"raw": "One.", "normalized": null}\n', ReadOptions(), True, {}),
    ("key-in-last-record", "a.jsonl", b'{"raw": "One."}\n{"raw": "Two.", "desk": "x"}\n', ReadOptions(), False, {"desk": {"string"}}),
    ("escaped-key", "a.jsonl", b'{"raw": "One.", "\\u0064esk": 1}\n', ReadOptions(), False, {"desk": {"int"}}),
    ("normalized-not-a-side", "a.jsonl", b'{"body": "One.", "normalized": "one ."}\n',
     ReadOptions(raw_column="body", normalized_column=None), False, {}),  # a clash with the output's column: a reject
    ("key-after-carriage-return", "a.jsonl", b'{"raw": "One.",\r"desk": "x"}\n', ReadOptions(), False, {"desk": {"string"}}),
    ("key-of-a-rejected-record", "a.jsonl", b'{"raw": "One."}\n{"raw": "", "desk": "x"}\n', ReadOptions(), False, {}),
    ("repeated-key", "a.jsonl", b'{"raw": "One.", "raw": "Two."}\n', ReadOptions(), False, {}),
    ("raw-not-text", "a.jsonl", b'{"raw": 5}\n{"raw": "Two."}\n', ReadOptions(), False, {}),
    ("nan", "a.jsonl", b'{"raw": "One.", "n": NaN}\n', ReadOptions(), False, {"n": {"float"}}),
    ("array-document", "a.json", b'[{"raw": "One.", "desk": "x"}]', ReadOptions(), False, {"desk": {"string"}}),
    ("object-on-lines", "a.json", b'{\n"raw": "One.",\n"desk": "x"\n}\n', ReadOptions(), False, {"desk": {"string"}}),
    ("gzip", "a.jsonl.gz", b'{"raw": "One."}\n', ReadOptions(), True, {}),
    ("gzip-key", "a.jsonl.gz", b'{"raw": "One.", "desk": "x"}\n', ReadOptions(), False, {"desk": {"string"}}),
    ("gzip-two-members", "a.jsonl.gz", [b'{"raw": "One."}\n', b'{"raw": "Two.", "desk": "x"}\n'], ReadOptions(), False,
     {"desk": {"string"}}),
    ("bzip2", "a.jsonl.bz2", b'{"raw": "One."}\n', ReadOptions(), True, {}),
    ("bzip2-key", "a.jsonl.bz2", b'{"raw": "One.", "desk": "x"}\n', ReadOptions(), False, {"desk": {"string"}}),
    ("xz-read-by-json", "a.jsonl.xz", b'{"raw": "One."}\n', ReadOptions(), False, {}),
]


def _compressed_members(name: str, content: bytes | list[bytes]) -> bytes:
    """``content`` as its name's suffix says: a list is one compressed member each, concatenated."""
    import bz2
    import gzip
    import lzma

    compress = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}.get(Path(name).suffix)
    members = content if isinstance(content, list) else [content]
    return b"".join(compress(member) if compress else member for member in members)


@pytest.mark.parametrize(("name", "content", "options", "holds", "kinds"), [case[1:] for case in ONLY_SIDES_CASES],
                         ids=[case[0] for case in ONLY_SIDES_CASES])
def test_pyarrow_finds_a_json_file_of_sides_only_and_json_reads_the_rest(tmp_path, monkeypatch, name, content, options, holds, kinds):
    """A JSON file's kinds are taken as none without json only where pyarrow read every record and
    found no other key; whatever it says, the kinds are those json's reading finds."""
    path = tmp_path / name
    path.write_bytes(_compressed_members(name, content))
    (item,) = resolve_source(path)
    assert sources._holds_only_sides(item, options) is holds
    found = sources._kinds_read(item, options)
    monkeypatch.setattr(sources, "_holds_only_sides", lambda item, options: False)
    assert sources._kinds_read(item, options) == found
    assert {column: {kind for kind in values} for column, values in found.items()} == kinds


@pytest.mark.parametrize("name", ["a.jsonl", "a.jsonl.gz", "a.jsonl.bz2"])
def test_pyarrow_reads_the_json_file_itself_not_through_a_python_file(tmp_path, monkeypatch, name):
    """A Python file object's buffers stay with Arrow's threads after a read cut short, and releasing
    them as the interpreter exited aborted a SIGTERM'd export about once in a hundred (CI, a core
    dump: PyBuffer's destructor taking the GIL in Py_FinalizeEx)."""
    import pyarrow as pa
    import pyarrow.json as pa_json

    path = tmp_path / name
    path.write_bytes(_compressed_members(name, b'{"raw": "One."}\n'))
    given = []
    real = pa_json.open_json
    monkeypatch.setattr(pa_json, "open_json", lambda source, **kwargs: given.append(source) or real(source, **kwargs))
    (item,) = resolve_source(path)
    assert sources._holds_only_sides(item, ReadOptions()) is True
    assert len(given) == 1 and isinstance(given[0], pa.NativeFile) and not isinstance(given[0], pa.PythonFile)


def _read_summary(entries: list[Article | Reject]) -> list[tuple]:
    """What a read gave, article by article: its relative path (an article's source file, a reject's
    article), its line, and its normalized side or the reject's reason."""
    return [("article", entry.source_file, entry.line, entry.raw, entry.normalized) if isinstance(entry, Article)
            else ("reject", entry.article, entry.line, entry.reason) for entry in entries]


class TestLinkedFilesOfAPairedFolder:
    """Class: a side's file that is a link to another file of the folder is an input of its own unless
    both its pair's files are the ones already read: ``raw/b.txt -> a.txt`` beside its own
    ``normalized/b.txt`` is a second pair, checked against its own twin, as a hard link is (its pair
    was dropped unsaid, as one file read once)."""

    WITHOUT_TWIN = "a raw file without its normalized twin"
    WITHOUT_RAW = "a normalized file without its raw twin"

    @pytest.mark.parametrize(("files", "expected"), [
        ({"raw/b.txt": "-> a.txt", "normalized/b.txt": "totally wrong"},
         [("article", "raw/a.txt", None, "A.", "a ."), ("article", "raw/b.txt", None, "A.", "totally wrong")]),
        ({"raw/b.txt": "-> a.txt"},
         [("article", "raw/a.txt", None, "A.", "a ."), ("reject", "raw/b.txt", None, WITHOUT_TWIN)]),
        ({"normalized/a.txt": "-> c.txt", "normalized/c.txt": "a ."},
         [("reject", "normalized/c.txt", None, WITHOUT_RAW), ("article", "raw/a.txt", None, "A.", "a .")]),
    ], ids=["raw-linked-beside-its-own-twin", "raw-linked-without-a-twin", "twin-linked-to-a-file-without-its-raw"])
    @pytest.mark.parametrize("source", [["p"], ["p/**", "p"], ["p", "p/raw/*.txt", "p/normalized"]],
                             ids=["folder", "glob-and-folder", "folder-and-sides"])
    def test_each_input_of_a_linked_file_is_read_or_rejected(self, tmp_path, monkeypatch, files, expected, source):
        monkeypatch.chdir(tmp_path)
        write_pairs(tmp_path / "p", {"a.txt": "A."})
        for name, text in files.items():
            path = tmp_path / "p" / name
            path.unlink(missing_ok=True)
            if text.startswith("-> "):
                path.symlink_to(text[3:])
            else:
                path.write_text(text + "\n", encoding="utf-8")
        for entries in (source, list(reversed(source))):
            assert _read_summary(read_all(entries)) == expected


class TestAnUnreadableTwinIsNamed:
    """Class: a pair whose normalized twin cannot be read is one reject naming the twin, as a twin that
    is not UTF-8 is (it named the raw file, which reads well)."""

    @pytest.mark.parametrize(("make_twin", "problem"), [
        (lambda twin: twin.symlink_to("gone.txt"), "No such file or directory"),
        (lambda twin: twin.symlink_to(twin.name), "Too many levels of symbolic links"),
    ], ids=["link-to-nothing", "link-to-itself"])
    @pytest.mark.parametrize("entry", ["t", "t/raw/a.txt", "t/**"], ids=["folder", "raw-file", "glob"])
    def test_the_reject_names_the_twin(self, tmp_path, monkeypatch, make_twin, problem, entry):
        monkeypatch.chdir(tmp_path)
        (tmp_path / "t" / "raw").mkdir(parents=True)
        (tmp_path / "t" / "normalized").mkdir()
        (tmp_path / "t" / "raw" / "a.txt").write_text("A.\n", encoding="utf-8")
        make_twin(tmp_path / "t" / "normalized" / "a.txt")
        (reject,) = read_all(entry)
        assert isinstance(reject, Reject)
        assert str(reject.error()) == f"t/normalized/a.txt, article raw/a.txt: cannot read ({problem})"


class TestBlankLinesBeforeACsvHeader:
    """Class: blank lines before a CSV header are skipped, as those between rows are and as `datasets`'
    CSV loader skips them, and every row and reject keeps its line in the file (the first, empty,
    line was taken as the header: every row a reject, the real header one of them)."""

    @pytest.mark.parametrize(("name", "data", "expected"), [
        ("lead.csv", b"\nraw,normalized\nHello.,hello .\n", [("article", "lead.csv", 3, "Hello.", "hello .")]),
        ("lead.csv", b"\r\n\r\nraw,normalized\r\nHello.,hello .\r\n", [("article", "lead.csv", 4, "Hello.", "hello .")]),
        ("lead.csv", b"\xef\xbb\xbf\nraw\nHello.\n", [("article", "lead.csv", 3, "Hello.", None)]),
        ("lead.csv", b"\n\nraw,normalized\nHello.,hello .\n\nx\n",
         [("article", "lead.csv", 4, "Hello.", "hello ."), ("reject", "line 6", 6, "1 field where the header has 2")]),
        ("lead.csv", b'\n\n"raw,normalized\nHello.\n',
         [("reject", "line 3", 3, "not a CSV file (a quote opened in its header is never closed: lines 3-4 are one cell)")]),
        ("True-lead.csv", b"\ntitle,text,subject,date\nBridge,The town voted.,politicsNews,2021\n",
         [("article", "True-lead.csv", 3, "The town voted.", None)]),
    ], ids=["one-blank-line", "crlf-blank-lines", "byte-order-mark-then-blank", "a-later-row-s-reject",
            "a-header-quote-never-closed", "isot-header"])
    def test_the_header_is_the_first_line_not_blank(self, tmp_path, monkeypatch, name, data, expected):
        monkeypatch.chdir(tmp_path)
        (tmp_path / name).write_bytes(data)
        assert _read_summary(read_all(name)) == expected

    def test_a_build_holds_the_row(self, tmp_path):
        path = tmp_path / "lead.csv"
        path.write_bytes(b"\nraw,normalized\nHello.,hello .\n")
        built = newspairs.load(str(path), "articles", cache_dir=str(tmp_path / "cache"), split_ratios=(1, 0, 0))["train"]
        assert [(row["raw"], row["normalized"]) for row in built] == [("Hello.", "hello .")]
