"""The NewsPairs builder: configs and features, splits, errors and the report, cache keys, scale paths."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from contextlib import nullcontext
from importlib import import_module
from pathlib import Path

import datasets
import pyarrow as pa
import pytest

import newspairs
import newspairs.builder as builder_module
from newspairs import sources
from newspairs.builder import CODE_IN_CACHE_KEY, CONFIG_NAMES, BuildReport, NewsPairs, builder_hash, load, prepare
from newspairs.sources import SourceError, resolve_source
from pairs import (
    ARTICLES, BAD_INPUTS, isot_rows, tabular_records, write_csv, write_big_files, write_jsonl, write_pairs, write_parquet,
)

ALL = ("train", "validation", "test")


def rows(dataset_dict) -> list[dict]:
    return [row for split in ALL if split in dataset_dict for row in dataset_dict[split]]


class TestConfigs:
    def test_articles_config_of_the_default_data(self):
        dataset = load()
        assert isinstance(dataset, datasets.DatasetDict) and set(dataset) <= set(ALL)
        assert list(dataset["train"].features) == ["id", "raw", "normalized", "agrees", "source_file"]
        every = rows(dataset)
        assert len(every) == len(resolve_source(None))
        for row in every:
            assert row["agrees"] == (row["normalized"] == newspairs.normalize(row["raw"]))

    def test_articles_in_pairs_the_test_wrote_all_agree(self, tmp_path):
        every = rows(load(write_pairs(tmp_path / "c")))
        assert sorted(row["source_file"] for row in every) == sorted(f"raw/{name}" for name in ARTICLES)
        assert all(row["agrees"] is True for row in every)

    def test_lines_config_is_the_articles_line_by_line(self, tmp_path):
        source = write_pairs(tmp_path / "c")
        articles = {row["id"]: row for row in rows(load(source))}
        lines = rows(load(source, "lines"))
        assert list(lines[0]) == ["article_id", "line", "raw", "normalized"]
        rebuilt: dict[str, list[dict]] = {}
        for row in lines:
            rebuilt.setdefault(row["article_id"], []).append(row)
        assert set(rebuilt) == set(articles)
        for article_id, article_lines in rebuilt.items():
            assert [row["line"] for row in article_lines] == list(range(1, len(article_lines) + 1))
            assert "\n".join(row["raw"] for row in article_lines) == articles[article_id]["raw"]
            assert "\n".join(row["normalized"] for row in article_lines) == articles[article_id]["normalized"]

    def test_a_line_row_is_in_its_articles_split(self, tmp_path):
        source = write_pairs(tmp_path / "c", {f"a{i}.txt": f"Line {i}.\nNext {i}." for i in range(40)})
        article_split = {row["id"]: split for split, ds in load(source).items() for row in ds}
        for split, dataset in load(source, "lines").items():
            assert {article_split[row["article_id"]] for row in dataset} == {split}

    @pytest.mark.parametrize("run_chars", [None, 1, 12], ids=["whole-articles", "runs-of-a-line", "runs-of-12-chars"])
    @pytest.mark.parametrize("rows_per_table", [None, 1, 2, 4], ids=["default", "1", "2", "4"])
    def test_lines_of_one_file_mixing_stored_and_missing_normalized_sides(self, tmp_path, monkeypatch, rows_per_table, run_chars):
        """Class: rows built per batch, cut into tables of a few rows, and articles cut into runs of
        whole lines, keep each article's own lines (stored or computed) in place, numbered, in order."""
        if rows_per_table is not None:
            monkeypatch.setattr(builder_module, "LINE_ROWS_PER_TABLE", rows_per_table)
        if run_chars is not None:
            monkeypatch.setattr(builder_module, "LINE_RUN_CHARS", run_chars)
        records = [
            {"raw": f"First {i}, it's one.\n\nThird (line) {i}.", **({"normalized": f"stored {i}\n\nkept {i}"} if i % 3 else {})}
            for i in range(10)
        ]
        write_jsonl(tmp_path / "t" / "mixed.jsonl", records)
        dataset = load(tmp_path / "t", "lines", cache_dir=str(tmp_path / "cache"))
        by_article: dict[str, list[str]] = {}
        for split in dataset.values():
            previous = None
            for row in split.to_list():  # in order: each article's lines together, numbered from 1
                assert row["line"] == 1 or (row["article_id"], row["line"] - 1) == previous, (row, previous)
                previous = (row["article_id"], row["line"])
                by_article.setdefault(row["article_id"], []).append(row["normalized"])
        expected = sorted(
            record.get("normalized", newspairs.normalize(record["raw"])).split("\n") for record in records
        )
        assert sorted(by_article.values()) == expected

    @pytest.mark.parametrize("run_chars", [1, 7, 30, 1 << 20], ids=lambda chars: f"runs-{chars}")
    def test_line_rows_cut_in_runs_are_the_rows_of_whole_articles(self, run_chars, monkeypatch):
        """`_line_tables` with an article cut into runs of whole lines: the same rows as the article
        whole, whether its normalization is stored, given by the caller (the one-pass export) or made."""
        from newspairs.sources import Article

        raws = ["One.\n\nIt's \"two\".\nThree, four.\n", "Short.", "\n\nA (b) c.\nd..\n\n", "x" * 40 + "\ny."]
        batch = [Article(f"id{i}", raw, newspairs.normalize(raw) if i % 2 else None, "f", {}, 1) for i, raw in enumerate(raws)]
        string = datasets.Value("string")
        features = datasets.Features({"article_id": string, "line": datasets.Value("int32"), "raw": string, "normalized": string})
        expected = [{"article_id": f"id{i}", "line": n + 1, "raw": raw_line, "normalized": newspairs.normalize(raw_line)}
                    for i, raw in enumerate(raws) for n, raw_line in enumerate(raw.split("\n"))]
        monkeypatch.setattr(builder_module, "LINE_RUN_CHARS", run_chars)
        for computed in (None, newspairs.normalize_batch(raws)):
            tables = list(builder_module._line_tables(batch, features, features.arrow_schema, computed))
            assert [row for table in tables for row in table.to_pylist()] == expected

    def test_raw_config_computes_the_normalized_side_of_a_raw_only_source(self, tmp_path):
        source = write_pairs(tmp_path / "c", normalized=False)
        dataset = load(source, "raw")
        assert list(dataset["train"].features) == ["id", "raw", "normalized", "source_file"]
        assert all(row["normalized"] == newspairs.normalize(row["raw"]) for row in rows(dataset))
        lines = rows(load(source, "lines"))
        assert all(row["normalized"] == newspairs.normalize(row["raw"]) for row in lines)

    def test_raw_only_source_in_the_articles_config_has_null_normalized_and_agrees(self, tmp_path):
        every = rows(load(write_pairs(tmp_path / "c", normalized=False)))
        assert {(row["normalized"], row["agrees"]) for row in every} == {(None, None)}

    def test_tabular_metadata_is_typed_and_absent_columns_are_absent(self, tmp_path):
        write_jsonl(tmp_path / "t" / "a.jsonl", tabular_records())
        features = load(tmp_path / "t", split="train").features
        assert features["year"] == datasets.Value("int64") and features["score"] == datasets.Value("float64")
        assert "title" not in load(write_pairs(tmp_path / "c"), split="train").features

    def test_isot_label_is_a_class_label(self, tmp_path):
        write_csv(tmp_path / "i" / "True-mine.csv", ["title", "text", "subject", "date"], isot_rows())
        dataset = load(tmp_path / "i", split_ratios=(1, 0, 0))
        assert list(dataset) == ["train"]
        assert dataset["train"].features["label"] == datasets.ClassLabel(names=["Fake", "True"])
        assert set(dataset["train"]["label"]) == {1}
        assert dataset["train"]["normalized"] == [None] * 3

    def test_unknown_config_and_bad_options_are_value_errors(self):
        with pytest.raises(ValueError, match="config must be one of"):
            load(config="sentences")
        with pytest.raises(ValueError, match="errors must be one of"):
            load(errors="ignore")
        with pytest.raises(ValueError, match="split_ratios"):
            load(split_ratios=(1, 1))

    @pytest.mark.parametrize("streaming", [False, True], ids=["prepared", "streaming"])
    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"split_ratios": (float("nan"), 1, 1)}, "split_ratios must be three finite weights"),
            ({"split_ratios": (float("inf"), 1, 1)}, "split_ratios must be three finite weights"),
            ({"split_ratios": (1e308, 1e308, 1e308)}, "split_ratios must be three finite weights"),
            ({"split_ratios": ("0.8", "0.1", "0.1")}, "split_ratios must be three finite weights"),
            ({"split_ratios": (True, 0, 0)}, "split_ratios must be three finite weights"),
            ({"split_ratios": None}, r"split_ratios=None: give a value, or leave split_ratios out for its default \(0.8, 0.1, 0.1\)"),
            ({"raw_column": None}, "raw_column=None: give a value"),
            ({"text_articles": None}, "text_articles=None: give a value"),
            ({"errors": None}, "errors must be one of"),
            ({"num_proc": "2"}, "num_proc must be a whole number of processes"),
            ({"num_proc": 1.5}, "num_proc must be a whole number of processes"),
            ({"name": "lines"}, r"unknown option 'name': .*\(the config is named by config=\)"),
            ({"raw_colum": "text"}, "unknown option 'raw_colum': the options are raw_column, normalized_column"),
        ],
        ids=["ratio-nan", "ratio-infinite", "ratios-sum-overflows", "ratios-strings", "ratio-bool", "ratios-none",
             "raw-column-none", "text-articles-none", "errors-none", "num-proc-str", "num-proc-float", "name", "misspelt"],
    )
    def test_an_option_load_cannot_take_is_named_before_anything_is_read(self, tmp_path, streaming, options, message):
        # NaN and infinite weights were taken (a split silently empty or everything in test), None
        # meant the default under another cache name, the others were TypeErrors or KeyErrors
        if streaming and "num_proc" in options:
            message = "does not apply to streaming=True"  # refused for its own reason first
        with pytest.raises(ValueError, match=message):
            load(None, "raw", streaming=streaming, cache_dir=str(tmp_path), **options)
        assert not any(tmp_path.iterdir())  # nothing read, nothing cached

    @pytest.mark.parametrize("streaming", [False, True], ids=["built", "streamed"])
    @pytest.mark.parametrize("cache_dir", [True, float("nan"), [1, 2], b"abc", 0, [], ""],
                             ids=["true", "nan", "list", "bytes", "zero", "empty-list", "empty-str"])
    def test_a_cache_dir_that_is_no_path_is_a_value_error_and_makes_no_folder(self, tmp_path, monkeypatch, streaming, cache_dir):
        # datasets made a folder named after it in the working folder (True/, nan/, [1, 2]/); 0 and [] meant the default
        monkeypatch.chdir(tmp_path)
        with pytest.raises(ValueError, match=rf"^cache_dir must be a folder's path \(a str or os.PathLike\) or None, got {type(cache_dir).__name__} "):
            load(None, "raw", streaming=streaming, cache_dir=cache_dir)
        assert not any(tmp_path.iterdir())

    def test_a_numpy_num_proc_is_a_whole_number(self, tmp_path):
        import numpy as np

        built = load(None, "raw", num_proc=np.int64(2), cache_dir=str(tmp_path))
        assert {name: split.num_rows for name, split in built.items()} == {name: split.num_rows for name, split in load(None, "raw", cache_dir=str(tmp_path / "one")).items()}

    @pytest.mark.parametrize("source", [5, object(), [1, 2]], ids=["int", "object", "list-of-ints"])
    def test_a_source_that_is_no_path_is_a_value_error(self, source):
        with pytest.raises(ValueError, match="a source is a path, a glob, or a list of them"):
            load(source)


class TestSplits:
    def test_splits_do_not_change_when_articles_are_added(self, tmp_path):
        first = {f"a{i}.txt": f"Article number {i}." for i in range(30)}
        source = write_pairs(tmp_path / "c", first)
        before = {row["id"]: split for split, ds in load(source).items() for row in ds}
        write_pairs(source, {f"b{i}.txt": f"Another article {i}." for i in range(30)})
        after = {row["id"]: split for split, ds in load(source).items() for row in ds}
        assert len(after) == 60
        assert all(after[article_id] == split for article_id, split in before.items())

    def test_split_ratios_are_configurable(self, tmp_path):
        source = write_pairs(tmp_path / "c", {f"a{i}.txt": f"Article {i}." for i in range(20)})
        assert list(load(source, split_ratios=(0, 0, 1))) == ["test"]

    def test_ids_are_the_same_across_runs_and_caches(self, tmp_path):
        source = write_pairs(tmp_path / "c")
        one = sorted(row["id"] for row in rows(load(source, cache_dir=str(tmp_path / "cache1"))))
        two = sorted(row["id"] for row in rows(load(source, cache_dir=str(tmp_path / "cache2"))))
        assert one == two


def _bad_pairs(tmp_path):
    source = write_pairs(tmp_path / "c")
    (source / "normalized" / "ferry.txt").write_text("only one line", encoding="utf-8")
    (source / "raw" / "weather.txt").write_bytes(b"ok\n\xff")
    (source / "normalized" / "market.txt").write_text("shares rose 2.5 percent .", encoding="utf-8")  # disagrees
    (source / "normalized" / "orphan.txt").write_text("alone", encoding="utf-8")
    return source


class TestErrors:
    def test_raise_names_file_article_and_line(self, tmp_path):
        source = _bad_pairs(tmp_path)
        with pytest.raises(SourceError) as caught:
            load(source)
        assert isinstance(caught.value, ValueError)
        assert caught.value.file.startswith(str(source)) and caught.value.reason

    @pytest.mark.parametrize("make", BAD_INPUTS)
    def test_each_bad_input_raises_through_load_naming_file_article_and_line(self, tmp_path, make):
        source, article, line, reason = make(tmp_path)
        with pytest.raises(SourceError) as caught:
            load(source, split_ratios=(1, 0, 0))
        error = caught.value
        assert re.search(reason, error.reason), error.reason
        assert error.line == line
        if article is not None:
            assert error.article == article
        assert str(error).startswith(error.file) and (f"line {line}" in str(error)) == (line is not None)

    @pytest.mark.parametrize("make", BAD_INPUTS)
    def test_each_bad_input_is_reported_and_counts_reconcile(self, tmp_path, make):
        source, *_ = make(tmp_path)
        report = prepare(source, errors="report").report()
        assert report.rejected == len(report.rejects) == 1
        assert report.read == report.written + 1 and report.reconciles

    def test_raise_from_a_worker_process_is_the_same_error(self, tmp_path):
        source = write_pairs(tmp_path / "c", {f"a{i}.txt": f"Article {i}." for i in range(6)})
        (source / "normalized" / "a3.txt").write_text("x\ny", encoding="utf-8")
        with pytest.raises(SourceError) as caught:
            load(source, num_proc=2)
        assert (caught.value.article, caught.value.line) == ("raw/a3.txt", 2)
        assert "raw has 1 line," in caught.value.reason
        assert not list(tmp_path.rglob("*.newspairs-error.json"))

    @pytest.mark.parametrize("num_proc", [None, 2], ids=["one-process", "two-processes"])
    def test_a_builder_used_directly_raises_the_same_error_and_leaves_no_record(self, tmp_path, num_proc):
        # docs/builder.md: raised as itself, not wrapped in DatasetGenerationError; the builder checker found the
        # wrapper and a <build>.incomplete.newspairs-error.json left in the cache without num_proc
        source = write_pairs(tmp_path / "c", {f"a{i}.txt": f"Article {i}." for i in range(6)})
        (source / "normalized" / "a3.txt").write_text("x\ny", encoding="utf-8")
        builder = NewsPairs(config_name="lines", source=str(source), cache_dir=str(tmp_path / "cache"))
        with pytest.raises(SourceError) as caught:
            builder.download_and_prepare(num_proc=num_proc)
        assert (caught.value.article, caught.value.line) == ("raw/a3.txt", 2)
        assert not list(tmp_path.rglob("*newspairs-error*"))

    @pytest.mark.parametrize("read, rows, summary", [
        (1, 1, "lines: 1 article read = 1 written + 0 rejected; 1 line row"),
        (2, 3, "lines: 2 articles read = 2 written + 0 rejected; 3 line rows"),
    ], ids=["one", "more"])
    def test_the_summary_counts_in_words(self, read, rows, summary):
        assert BuildReport("lines", read=read, written=read, rows=rows).summary() == summary

    @pytest.mark.parametrize("config", CONFIG_NAMES)
    def test_report_sets_bad_articles_aside_and_counts_reconcile(self, tmp_path, config):
        source = _bad_pairs(tmp_path)
        builder = prepare(source, config, errors="report")
        report = builder.report()
        assert report.read == len(ARTICLES) + 1  # the orphan counts as one article read
        assert report.rejected == 3 and report.written == len(ARTICLES) - 2
        assert report.reconciles and "= 2 written + 3 rejected" in report.summary()
        reasons = sorted(reject["reason"].split(" ")[0] for reject in report.rejects)
        assert reasons == ["a", "not", "raw"]
        assert all(reject["file"].startswith(str(source)) for reject in report.rejects)
        if config == "articles":
            assert report.disagree == 1 and report.stored == 2
            (disagreeing,) = [row for row in rows(builder.as_dataset()) if row["agrees"] is False]
            assert disagreeing["source_file"] == "raw/market.txt"
        if config == "lines":
            assert report.rows == sum(len(builder.as_dataset()[s]) for s in builder.info.splits)

    def test_report_rejects_are_in_the_split_of_their_article_only(self, tmp_path):
        source = _bad_pairs(tmp_path)
        report = prepare(source, "articles", errors="report", split_ratios=(0.3, 0.3, 0.4)).report()
        assert len(report.rejects) == len({(r["file"], r["line"]) for r in report.rejects}) == 3


@pytest.mark.parametrize("inside", [True, False], ids=["in-a-build", "outside-control"])
def test_workers_forked_in_a_build_leave_ctrl_c_to_the_parent(inside):
    """Ctrl-C reaches every process of the terminal's group: a datasets pool worker that died of its
    own KeyboardInterrupt left the pool's queue locked, and load(num_proc=2) hung in Pool.terminate()
    (7 of 11 runs). A SIGINT sent at once after the fork is held until the child ignores it."""
    import signal

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # .ci/run's background job ignores it
    try:
        with builder_module.ctrl_c_to_the_parent() if inside else contextlib.nullcontext():
            children = []
            for _ in range(20):
                pid = os.fork()
                if pid == 0:  # the child: interrupted, it dies of KeyboardInterrupt with status 1
                    try:
                        os.kill(os.getpid(), signal.SIGINT)
                        time.sleep(0.2)
                        os._exit(0 if signal.getsignal(signal.SIGINT) is signal.SIG_IGN else 2)
                    except KeyboardInterrupt:
                        os._exit(1)
                children.append(pid)
        statuses = {os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children}
    finally:
        signal.signal(signal.SIGINT, previous)
    assert statuses == ({0} if inside else {1})


def test_a_pool_whose_workers_were_killed_holding_its_queue_stops():
    """A SIGTERM to the whole process group (a scheduler, `kill -- -PGID`) killed export --num-proc 2's
    workers too, one of them holding the input queue's read lock as it waited for a task; the
    pool's terminate() took that lock first and waited for ever (4 of 6 runs of the sixth checker's)."""
    code = """
import os, signal, time
from newspairs.builder import forked_pool
try:
    with forked_pool(2) as pool:
        time.sleep(0.5)  # both idle: one waits for a task holding the input queue's read lock
        for worker in pool._pool:
            os.kill(worker.pid, signal.SIGKILL)
        time.sleep(0.3)
        raise RuntimeError("stopped")
except RuntimeError as error:
    print(error)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "stopped", done.stderr


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM"])
def test_a_signal_that_comes_during_a_fork_is_not_lost(signum):
    """Held blocked over a fork, a Ctrl-C (or the command line's SIGTERM) that came meanwhile was
    taken by its handler inside the at-fork hook that unblocked it, whose exceptions Python drops:
    the interrupt was lost and the build went on (2 of about 150 runs of the sixth checker's)."""
    code = f"""
import os, signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
armed = False
# registered before newspairs registers its own, it runs after them (`before` hooks run newest first): a signal mid-fork
os.register_at_fork(before=lambda: armed and os.kill(os.getpid(), signal.{signum}))
import newspairs.builder as builder, newspairs.cli as cli
holding = builder.ctrl_c_to_the_parent() if signal.{signum} == signal.SIGINT else cli._sigterm_unwinds()
try:
    with holding:
        armed = True
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        armed = False
        os.waitpid(pid, 0)
        time.sleep(1)
    print("lost")
except KeyboardInterrupt as interrupt:
    print(type(interrupt).__name__)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == ("KeyboardInterrupt" if signum == "SIGINT" else "Terminated"), done.stdout + done.stderr
    assert "Exception ignored" not in done.stderr


@pytest.mark.parametrize("replaced_by", [TimeoutError, RuntimeError], ids=["the-pool-s-timeout", "another-error"])
def test_a_ctrl_c_that_another_error_replaced_on_the_way_out_is_raised_as_itself(monkeypatch, tmp_path, replaced_by):
    """datasets' pool, leaving on a Ctrl-C, waits for its workers' results with a timeout: its
    TimeoutError took the interrupt's place, and a caller's `except KeyboardInterrupt` never ran."""
    def interrupted(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        finally:
            raise replaced_by("waiting for the workers' results")

    monkeypatch.setattr(NewsPairs, "download_and_prepare", interrupted)
    with pytest.raises(KeyboardInterrupt) as caught:
        prepare(None, "raw", cache_dir=str(tmp_path))
    assert caught.value.__suppress_context__


def test_an_error_without_a_ctrl_c_behind_it_stays_itself(monkeypatch, tmp_path):
    def failing(*args, **kwargs):
        raise TimeoutError("a timeout of its own")

    monkeypatch.setattr(NewsPairs, "download_and_prepare", failing)
    with pytest.raises(TimeoutError, match="a timeout of its own"):
        prepare(None, "raw", cache_dir=str(tmp_path))


class TestCache:
    def test_a_build_killed_outright_leaves_nothing_the_next_build_counts(self, tmp_path):
        """`datasets` reuses the `.incomplete` folder a killed build left: its reports, named by the
        workers that wrote them (another num_proc names them otherwise), were summed with the next
        build's for good (counts that never reconcile, every reject twice), its shards kept."""
        source = _bad_pairs(tmp_path)
        cache = tmp_path / "cache"
        first = prepare(source, "raw", errors="report", cache_dir=str(cache))
        folder = Path(first._output_dir)
        killed = Path(f"{folder}.incomplete")
        shutil.copytree(folder, killed)
        for report in killed.glob("newspairs-report-*.json"):  # as another partition of the inputs names it
            shutil.copy(report, report.with_name(report.name.replace(".json", "-killed.json")))
        (killed / "newspairs-train-00001-00000-of-00002.arrow").write_bytes(b"a shard of the killed build")
        shutil.rmtree(folder)
        again = prepare(source, "raw", errors="report", cache_dir=str(cache))
        assert again.report().to_dict() == first.report().to_dict() and again.report().reconciles
        assert not list(folder.glob("*killed*")) and not (folder / "newspairs-train-00001-00000-of-00002.arrow").exists()
        assert not killed.exists()

    @pytest.mark.parametrize(
        ("entry", "cache_dir", "later_cache_dir"),
        [("{s}", "{s}/hf_cache", None), ("{s}/**/*.json*", "{s}/hf_cache", None), ("{s}", "{s}", None),
         ("{s}/*", "{s}/hf_cache", None), ("{s}", "~/data/hf_cache", None), ("{s}", "{s}/more", None),
         ("{s}", "{s}/hf_cache", "{t}/elsewhere"), ("{s}", "{s}", "{t}/elsewhere")],
        ids=["inside", "recursive-glob", "the-source-itself", "a-glob-matching-the-cache", "under-home",
             "a-folder-of-articles", "then-another-cache", "the-source-then-another-cache"],
    )
    def test_a_cache_inside_the_source_folder_is_not_read_as_input(self, tmp_path, monkeypatch, entry, cache_dir, later_cache_dir):
        # the second load read the cache's dataset_info.json and reports as JSON articles: an error,
        # or with errors="report" a rebuild under a new name each time, 4 more rejects each (also a
        # later load into another cache); articles of the user's own in the cache folder, even in a
        # folder named newspairs/, are read (only what datasets keeps of the builds is skipped)
        monkeypatch.setenv("HOME", str(tmp_path))
        source = tmp_path / "data"
        write_jsonl(source / "a.jsonl", [{"raw": f"Article {i}."} for i in range(6)])
        write_jsonl(source / "more" / "b.jsonl", [{"raw": f"More {i}."} for i in range(2)])
        write_jsonl(source / "newspairs" / "c.jsonl", [{"raw": "One of the user's own."}])
        reads = []
        for number in range(3):
            given = (cache_dir if number == 0 or later_cache_dir is None else later_cache_dir).format(s=source, t=tmp_path)
            if number == 0 and later_cache_dir is not None:  # the first build by another process, as a user's earlier run
                code = ("import json, sys, newspairs.builder as b; "
                        "print(json.dumps(b.prepare(sys.argv[1], 'raw', errors='report', cache_dir=sys.argv[2]).report().to_dict()))")
                done = subprocess.run([sys.executable, "-c", code, entry.format(s=source), given], capture_output=True, text=True, check=True)
                reads.append(json.loads(done.stdout))
                continue
            built = prepare(entry.format(s=source), "raw", errors="report", cache_dir=given)
            reads.append(built.report().to_dict())
        assert reads[0] == reads[1] == reads[2] and reads[0]["read"] == 9 and not reads[0]["rejects"]

    def test_articles_in_folders_named_as_a_cache_s_are_read(self, tmp_path):
        # 8fff6a5 took any newspairs/articles/<x.y.z>/ for a cached build: a corpus kept so lost it silently
        source = tmp_path / "corpus"
        write_jsonl(source / "newspairs" / "articles" / "0.1.2" / "x.jsonl", [{"raw": "Hello, world."}])
        write_jsonl(source / "other" / "y.jsonl", [{"raw": "Another line."}])
        assert prepare(source, "raw", errors="report", cache_dir=str(tmp_path / "cache")).report().read == 2

    def test_a_build_of_another_dataset_name_is_not_read_as_input(self, tmp_path):
        source = tmp_path / "data"
        write_jsonl(source / "a.jsonl", [{"raw": f"Article {i}."} for i in range(6)])
        builder = NewsPairs(config_name="raw", source=str(source), cache_dir=str(source / "cache"), dataset_name="mynews",
                            errors="report")
        builder.download_and_prepare()
        report = prepare(source, "raw", errors="report", cache_dir=str(tmp_path / "elsewhere")).report()
        assert report.read == 6 and not report.rejects

    def test_one_source_and_its_options_however_spelled_share_one_build(self, tmp_path, monkeypatch):
        # datasets names the cache folder after the options as given: each spelling built the data
        # again (33 MB a copy on the Reuters text), the command line's always
        monkeypatch.chdir(tmp_path)
        write_jsonl(tmp_path / "data" / "a.jsonl", [{"raw": f"Article {i}."} for i in range(6)])
        cache = str(tmp_path / "cache")
        spellings = [("data", {}), ("data/", {}), ("./data", {}), (Path("data"), {}), (["data/"], {}),
                     ("data", {"errors": "raise", "split_ratios": [0.8, 0.1, 0.1], "raw_column": "raw", "text_articles": "file",
                               "sentences": None})]
        folders = {prepare(source, "raw", cache_dir=cache, **options)._output_dir for source, options in spellings}
        builder = NewsPairs(config_name="raw", source="data", cache_dir=cache)
        assert folders == {builder._output_dir}, folders
        assert len(list((tmp_path / "cache" / "newspairs").iterdir())) == 1
        # an option that differs is another build
        assert prepare("data", "raw", cache_dir=cache, split_ratios=(0.5, 0.5, 0))._output_dir not in folders

    def test_hash_changes_with_an_input_file(self, tmp_path):
        source = write_pairs(tmp_path / "c")
        before = builder_hash(resolve_source(source))
        (source / "raw" / "market.txt").write_text("Shares fell.", encoding="utf-8")
        (source / "normalized" / "market.txt").write_text("shares fell .", encoding="utf-8")
        assert builder_hash(resolve_source(source)) != before

    def test_hash_changes_with_the_rule_table(self, tmp_path, monkeypatch):
        inputs = resolve_source(write_pairs(tmp_path / "c"))
        before = builder_hash(inputs)
        monkeypatch.setattr("newspairs.stamp.rules_hash", lambda: "another-table")
        assert builder_hash(inputs) != before

    @pytest.mark.parametrize("module", CODE_IN_CACHE_KEY)
    def test_hash_changes_with_the_code_that_shapes_rows(self, tmp_path, monkeypatch, module):
        inputs = resolve_source(write_pairs(tmp_path / "c"))
        before = builder_hash(inputs)
        path = import_module(module).__file__
        code = Path(path).read_bytes()
        monkeypatch.setattr(builder_module, "_file_bytes", lambda p: code + b"# edited" if p == path else Path(p).read_bytes())
        assert builder_hash(inputs) != before

    def test_the_normalization_modules_are_in_the_cache_key(self):
        assert {"newspairs.normalize", "newspairs.pieces", "newspairs.tokenizer"} <= set(CODE_IN_CACHE_KEY)

    def test_an_edited_source_is_rebuilt_not_served_from_cache(self, tmp_path):
        source = write_pairs(tmp_path / "c")
        assert len(rows(load(source))) == len(ARTICLES)
        write_pairs(source, {"new.txt": "A new article."})
        assert len(rows(load(source))) == len(ARTICLES) + 1

    @staticmethod
    def _mixed_json(tmp_path):
        """A JSON lines file whose metadata types take every record to know: ints then a float, text then an object."""
        records = [{"raw": raw, "score": i, "extra": "text"} for i, raw in enumerate(ARTICLES.values())]
        records[-1].update(score=2.5, extra={"a": 1})
        return write_jsonl(tmp_path / "c" / "news.jsonl", records)

    def test_a_cached_build_reads_no_record_again(self, tmp_path, monkeypatch):
        """Its info (the metadata types) is the one the build stored: reloading a large JSON corpus costs no read of it."""
        source, cache = self._mixed_json(tmp_path), str(tmp_path / "cache")
        built = load(source, "raw", cache_dir=cache)
        monkeypatch.setattr(sources, "_JSON_TYPES", {})  # as in a fresh process
        read, real = [], sources._rows_jsonl
        monkeypatch.setattr(sources, "_rows_jsonl", lambda item: read.append(item.path) or real(item))
        again = load(source, "raw", cache_dir=cache)
        assert read == []
        assert again["train"].features == built["train"].features and rows(again) == rows(built)
        assert {row["extra"] for row in rows(again)} == {'"text"', '{"a": 1}'}

    @pytest.mark.parametrize("streaming", [False, True], ids=["rebuilt", "streamed"])
    def test_a_builder_on_a_cached_build_still_reads_with_the_types(self, tmp_path, monkeypatch, streaming):
        source, cache = self._mixed_json(tmp_path), str(tmp_path / "cache")
        built = load(source, "raw", cache_dir=cache)
        monkeypatch.setattr(sources, "_JSON_TYPES", {})
        if streaming:
            again = load(source, "raw", streaming=True, cache_dir=cache)
            assert [row for split in ALL if split in again for row in again[split]] == rows(built)
        else:
            builder = prepare(source, "raw", cache_dir=cache)  # served from the cache: no types read
            builder.download_and_prepare(download_mode="force_redownload")
            assert rows(builder.as_dataset()) == rows(built)

    def test_a_builder_made_directly_gets_the_hash(self, tmp_path):
        source = write_pairs(tmp_path / "c")
        builder = NewsPairs(config_name="lines", source=str(source))
        assert builder.hash == builder_hash(resolve_source(str(source)))


class TestScale:
    def test_streaming_gives_the_prepared_rows_without_preparing(self, tmp_path):
        source = write_pairs(tmp_path / "c", {f"a{i}.txt": f"Article {i}, it's here." for i in range(12)})
        streamed = load(source, "raw", streaming=True)
        assert isinstance(streamed, datasets.IterableDatasetDict)
        prepared = load(source, "raw")
        for split in prepared:
            assert list(streamed[split]) == prepared[split].to_list()

    def test_a_stream_left_open_at_exit_closes_without_a_word(self, tmp_path, config="lines"):
        """A stream iterator still open when the interpreter exits printed "Exception ignored in ...
        TypeError: catching classes that do not inherit from BaseException" (the reader's
        `except SourceError` met the module's names torn down)."""
        import subprocess
        import sys

        from conftest import REPO

        source = write_pairs(tmp_path / "c", {f"a{i}.txt": f"Article {i}, it's here." for i in range(12)})
        script = (f"import newspairs\nstream = newspairs.load({str(source)!r}, {config!r}, split='train', streaming=True)\n"
                  "rows = iter(stream)\nprint(sorted(next(rows)))\n")
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0 and done.stdout.startswith("["), done.stderr
        assert done.stderr == ""

    def test_num_proc_shards_over_files_and_gives_the_same_rows(self, tmp_path):
        source = write_pairs(tmp_path / "c", {f"a{i}.txt": f"Article {i}.\nIt's line two." for i in range(8)})
        one = load(source, "lines", cache_dir=str(tmp_path / "one"))
        two = load(source, "lines", num_proc=2, cache_dir=str(tmp_path / "two"))
        for split in one:
            key = lambda row: (row["article_id"], row["line"])  # noqa: E731
            assert sorted(two[split].to_list(), key=key) == sorted(one[split].to_list(), key=key)

    def test_streaming_with_num_proc_is_a_value_error_naming_what_to_do(self, tmp_path):
        """Class: an option that cannot apply is an error, never silently ignored."""
        source = write_pairs(tmp_path / "c")
        with pytest.raises(ValueError, match=r"num_proc=2 does not apply to streaming=True.*DataLoader\(num_workers=N\)"):
            load(source, streaming=True, num_proc=2)
        assert isinstance(load(source, streaming=True, num_proc=1), datasets.IterableDatasetDict)
        # what the error offers instead: a DataLoader's workers share out the input files, its shards
        assert load(source, split="train", streaming=True).num_shards == len(resolve_source(source))

    @pytest.mark.parametrize("config", CONFIG_NAMES)
    def test_each_input_file_is_read_once_per_build(self, tmp_path, monkeypatch, config):
        """Class: work proportional to the corpus is done once per build, not once per split."""
        source = write_pairs(tmp_path / "c", {f"a{i}.txt": f"Article {i}.\nIt's line two." for i in range(30)})
        write_jsonl(tmp_path / "c" / "more" / "t.jsonl", tabular_records())
        reads: dict[str, int] = {}
        read_input = builder_module.read_input

        def counting(item, *args):
            reads[item.path] = reads.get(item.path, 0) + 1
            return read_input(item, *args)

        monkeypatch.setattr(builder_module, "read_input", counting)
        built = prepare(source, config)
        assert len(built.info.splits) == 3  # all three splits were generated
        assert sorted(reads) == sorted(item.path for item in resolve_source(source))
        assert set(reads.values()) == {1}
        assert not list(tmp_path.rglob(f"{builder_module.SPILL_PREFIX}*"))  # spills are gone with the build

    def test_num_proc_builds_leave_no_spill_and_reconcile(self, tmp_path):
        source = write_pairs(tmp_path / "c", {f"a{i}.txt": f"Article {i}." for i in range(9)})
        (source / "normalized" / "a3.txt").write_text("x\ny", encoding="utf-8")
        built = prepare(source, "raw", num_proc=2, errors="report", cache_dir=str(tmp_path / "cache"))
        report = built.report()
        assert (report.read, report.written, report.rejected) == (9, 8, 1) and report.reconciles
        assert not list(tmp_path.rglob(f"{builder_module.SPILL_PREFIX}*"))

    def test_mixed_layouts_in_one_source(self, tmp_path):
        write_pairs(tmp_path / "mix" / "pairs")
        write_parquet(tmp_path / "mix" / "t.parquet", {"raw": ["Parquet text."], "normalized": ["parquet text ."]})
        every = rows(load(tmp_path / "mix"))
        assert len(every) == len(ARTICLES) + 1
        assert all(row["agrees"] for row in every)


CSV_DEFAULT_LIMIT = 128 * 1024  # the csv module's own default field size limit


@pytest.fixture
def default_csv_limit():
    before = csv.field_size_limit(CSV_DEFAULT_LIMIT)
    yield CSV_DEFAULT_LIMIT
    csv.field_size_limit(before)


def _long_csv(tmp_path):
    """A CSV whose one article exceeds the csv module's default field size."""
    long_raw = "Shares rose, traders said. " * 6000  # 162 KB in one field
    return write_csv(tmp_path / "t" / "long.csv", ["raw", "desk"], [[long_raw, "markets"], ["Short one.", "city"]]), long_raw


class TestProcessSettings:
    """Class: settings that are process-wide (environment, csv module) are changed only while the
    work that needs them runs, and given back as they were."""

    @pytest.mark.parametrize("before", ["true", None], ids=["set", "unset"])
    def test_tokenizers_parallelism_is_restored_after_a_multiprocess_build(self, tmp_path, monkeypatch, before):
        if before is None:
            monkeypatch.delenv("TOKENIZERS_PARALLELISM")
        else:
            monkeypatch.setenv("TOKENIZERS_PARALLELISM", before)
        source = write_pairs(tmp_path / "c", {f"a{i}.txt": f"Article {i}." for i in range(4)})
        prepare(source, num_proc=2)
        assert os.environ.get("TOKENIZERS_PARALLELISM") == before

    def test_csv_field_size_limit_is_raised_for_the_build_only(self, tmp_path, default_csv_limit):
        source, long_raw = _long_csv(tmp_path)
        every = rows(load(source, "raw", split_ratios=(1, 0, 0)))
        assert sorted(row["raw"] for row in every) == sorted([long_raw, "Short one."])
        assert csv.field_size_limit() == default_csv_limit

    def test_csv_field_size_limit_is_the_users_between_streamed_rows(self, tmp_path, default_csv_limit):
        source, long_raw = _long_csv(tmp_path)
        rows_seen = []
        for row in load(source, "articles", split="train", streaming=True, split_ratios=(1, 0, 0)):
            assert csv.field_size_limit() == default_csv_limit
            rows_seen.append(row["raw"])
        assert rows_seen == [long_raw, "Short one."]


class TestLargeFilesInParts:
    """num_proc cuts a large .jsonl or Parquet file into parts; the build is the one-process build exactly."""

    @pytest.mark.parametrize("config", ["articles", "lines"])
    def test_a_split_build_is_the_one_process_build(self, tmp_path, monkeypatch, config):
        source = write_big_files(tmp_path / "c")
        cut = []
        split_inputs = sources.split_inputs
        monkeypatch.setattr(sources, "split_inputs", lambda *a, **k: cut.append(split_inputs(*a, **k)) or cut[-1])
        one = prepare(source, config, errors="report", part_bytes=300, cache_dir=str(tmp_path / "one"))
        two = prepare(source, config, errors="report", part_bytes=300, num_proc=2, cache_dir=str(tmp_path / "two"))
        assert not cut[:-1] and len(cut) == 1  # num_proc=1 cuts nothing
        parts = Counter(item.path for item in cut[0])
        assert parts[str(source / "big.jsonl")] > 2 and parts[str(source / "rows.parquet")] > 2
        # two jobs ran (datasets did not fall back to one process): each wrote its report per split
        assert len(list(Path(two._output_dir).glob(f"{builder_module.REPORT_PREFIX}train-*.json"))) == 2
        assert list(two.as_dataset()) == list(one.as_dataset())
        for split in one.as_dataset():
            assert two.as_dataset(split).to_list() == one.as_dataset(split).to_list(), split
        assert two.report() == one.report()
        duplicates = [r for r in one.report().rejects if r["reason"].startswith("duplicate id")]
        assert len(duplicates) == 4 and one.report().reconciles
        assert not list(tmp_path.rglob(f"{builder_module.SPILL_PREFIX}*"))

    def test_the_reading_before_the_build_runs_in_the_workers_not_here(self, tmp_path, monkeypatch):
        """The metadata types and the ids of the parts are read by num_proc processes: this one reads no file's rows."""
        source = write_big_files(tmp_path / "c")
        one = prepare(source, "raw", errors="report", part_bytes=300, cache_dir=str(tmp_path / "one"))
        sources.clear_read_memos()  # as in a fresh process
        here, me = [], os.getpid()
        for name in ("_rows_jsonl", "_rows_parquet"):
            real = getattr(sources, name)
            monkeypatch.setattr(sources, name, lambda item, real=real: (os.getpid() == me and here.append(item)) or real(item))
        two = prepare(source, "raw", errors="report", part_bytes=300, num_proc=2, cache_dir=str(tmp_path / "two"))
        assert here == []
        for split in one.as_dataset():
            assert two.as_dataset(split).to_list() == one.as_dataset(split).to_list(), split
        assert two.report() == one.report()

    def test_a_bad_line_in_a_later_part_raises_the_same_error_naming_its_line(self, tmp_path):
        records = [{"raw": f"Article {i} is fine."} for i in range(40)]
        path = write_jsonl(tmp_path / "c" / "big.jsonl", records)
        path.write_bytes(path.read_bytes() + b'{"raw": "broken\n' + b'{"raw": "after it."}\n')
        errors = []
        for num_proc in (None, 2):
            with pytest.raises(SourceError) as raised:
                load(path, num_proc=num_proc, part_bytes=200, cache_dir=str(tmp_path / f"cache-{num_proc}"))
            errors.append(str(raised.value))
        assert errors[0] == errors[1] and re.fullmatch(r".*big\.jsonl, article line 41, line 41: not a JSON line .*", errors[0])

    def test_num_proc_raises_the_first_bad_article_in_source_order(self, tmp_path):
        """The second worker's bad article comes first in time (its first line), the first worker's
        first in the source (the last line of a long first file): the build raises that one, as one
        process does, and no record of either is left beside the cache."""
        folder = tmp_path / "c"
        early = write_jsonl(folder / "a.jsonl", [{"raw": f"Article {i} is fine."} for i in range(20000)])
        early.write_bytes(early.read_bytes() + b'{"raw": "broken in a\n')
        late = folder / "b.jsonl"
        late.write_bytes(b'{"raw": "broken in b\n' + b'{"raw": "After it."}\n')
        errors = []
        for num_proc in (None, 2):
            with pytest.raises(SourceError) as raised:
                load(folder, "raw", num_proc=num_proc, cache_dir=str(tmp_path / f"cache-{num_proc}"))
            errors.append((raised.value.file, raised.value.line))
            left = [p.name for p in (tmp_path / f"cache-{num_proc}").rglob("*newspairs-error*")]
            assert not left
        assert errors == [(str(early), 20001)] * 2

    def test_a_worker_that_starts_after_a_later_one_recorded_its_error_still_reads_its_inputs(self, tmp_path, monkeypatch):
        """The first worker starts late (a busy machine): a later worker's bad article is already
        recorded, and the first must still read its own inputs, whose bad article comes first."""
        import time

        folder = tmp_path / "c"
        for number in range(4):
            lines = [json.dumps({"raw": f"Article {number} {i} is fine."}) for i in range(50)]
            if number in (1, 3):
                lines[40 if number == 1 else 2] = '{"raw": broken'
            (folder / f"f{number}.jsonl").parent.mkdir(exist_ok=True)
            (folder / f"f{number}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        generate = NewsPairs._generate_tables

        def late_first_worker(self, inputs, split, ratios, report_dir, error_path=None, orders=None):
            if orders is not None and orders[0] == 0 and split == "train":
                time.sleep(1.5)
            return (yield from generate(self, inputs, split, ratios, report_dir, error_path, orders))

        monkeypatch.setattr(NewsPairs, "_generate_tables", late_first_worker)
        with pytest.raises(SourceError) as raised:
            load(folder, "articles", num_proc=2, cache_dir=str(tmp_path / "cache"))
        assert (Path(raised.value.file).name, raised.value.line) == ("f1.jsonl", 41)

    def test_the_part_size_is_a_checked_option(self, tmp_path):
        with pytest.raises(ValueError, match="part_bytes must be a whole number of bytes >= 1, got 0"):
            load(write_jsonl(tmp_path / "t.jsonl", tabular_records()), part_bytes=0)


def _parquet(path: Path, table) -> None:
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, row_group_size=1)  # a row group a row: num_proc cuts it in parts


def _struct_with_a_null(tmp: Path) -> Path:
    _parquet(tmp / "c" / "s.parquet", pa.table({"raw": ["First.", "Second.", "Third."], "meta": [{"a": 1}, None, {"a": 3}]}))
    return tmp / "c"


def _struct_in_one_file_only(tmp: Path) -> Path:
    _parquet(tmp / "c" / "s.parquet", pa.table({"raw": ["First.", "Second."], "meta": [{"a": 1}, {"a": 2}]}))
    write_jsonl(tmp / "c" / "other.jsonl", [{"raw": "Third."}])
    return tmp / "c"


def _csv_header_not_utf8(tmp: Path) -> Path:
    write_jsonl(tmp / "c" / "ok.jsonl", [{"raw": "Fine."}])
    (tmp / "c" / "latin1.csv").write_bytes(b"raw,t\xedtulo\nFirst.,a\nSecond.,b\n")
    return tmp / "c"


def _parquet_not_utf8(tmp: Path) -> Path:
    raw = pa.array([b"Good.", b"Bad \xff byte.", b"Also good."], pa.binary()).view(pa.string())
    _parquet(tmp / "c" / "bad.parquet", pa.table({"raw": raw}))
    return tmp / "c"


def _parquet_column_twice(tmp: Path) -> Path:
    write_jsonl(tmp / "c" / "ok.jsonl", [{"raw": "Fine."}])
    _parquet(tmp / "c" / "twice.parquet", pa.Table.from_arrays([pa.array(["A.", "B."]), pa.array(["C.", "D."])], names=["raw", "raw"]))
    return tmp / "c"


def _json_object_never_closed(tmp: Path) -> Path:
    write_jsonl(tmp / "c" / "ok.jsonl", [{"raw": "Fine."}])
    (tmp / "c" / "pretty.json").write_text('{\n  "raw": "Pretty object.",\n  "title": "T"\n', encoding="utf-8")
    return tmp / "c"


def _cannot_open(name: str):
    def make(tmp: Path) -> Path:
        write_jsonl(tmp / "c" / "ok.jsonl", [{"raw": "Fine."}])
        (tmp / "c" / name).symlink_to(tmp / "gone" / name)  # opens as a file without read permission does: not at all
        return tmp / "c"
    return make


def _null_only_column(tmp: Path) -> Path:
    write_jsonl(tmp / "c" / "part-0.jsonl", [{"raw": "First.", "views": None}])
    write_jsonl(tmp / "c" / "part-1.jsonl", [{"raw": "Second.", "views": 12}])
    _parquet(tmp / "c" / "part-2.parquet", pa.table({"raw": ["Third."], "views": pa.nulls(1, pa.null())}))
    return tmp / "c"


def _named_pipe(tmp: Path) -> Path:
    write_jsonl(tmp / "c" / "ok.jsonl", [{"raw": "Fine."}])
    os.mkfifo(tmp / "c" / "pipe.jsonl")
    return tmp / "c"


SOURCES_THAT_CRASHED = [
    pytest.param(_struct_with_a_null, (3, 3, 0), None, id="parquet-struct-with-a-null"),
    pytest.param(_struct_in_one_file_only, (3, 3, 0), None, id="parquet-struct-in-one-file-only"),
    pytest.param(_csv_header_not_utf8, (3, 1, 2), "not UTF-8", id="csv-header-not-utf8"),
    pytest.param(_parquet_not_utf8, (3, 2, 1), "not UTF-8", id="parquet-row-not-utf8"),
    pytest.param(_parquet_column_twice, (3, 1, 2), "column 'raw' appears twice", id="parquet-column-twice"),
    pytest.param(_json_object_never_closed, (2, 1, 1), "not a JSON document", id="json-object-never-closed"),
    pytest.param(_cannot_open("gone.csv"), (2, 1, 1), "cannot read", id="csv-cannot-open"),
    pytest.param(_cannot_open("gone.jsonl"), (2, 1, 1), "cannot read", id="jsonl-cannot-open"),
    pytest.param(_cannot_open("gone.json"), (2, 1, 1), "cannot read", id="json-cannot-open"),
    pytest.param(_null_only_column, (3, 3, 0), None, id="column-null-in-some-files"),
    pytest.param(_named_pipe, (2, 1, 1), "not a regular file", id="named-pipe"),
]


class TestSourcesThatCrashedTheBuild:
    """Class: a source with a file that cannot be read as it is builds alike in one process, in two
    (large files cut in parts) and streamed: its bad rows are rejects, the rest is read."""

    @pytest.mark.parametrize(("make", "counts", "reason"), SOURCES_THAT_CRASHED)
    def test_one_process_two_processes_and_streaming_agree(self, tmp_path, make, counts, reason):
        from test_sources import _opened_by_a_reader

        source = make(tmp_path)
        built, reports = [], []
        pipe = source / "pipe.jsonl"
        with _opened_by_a_reader(pipe) if pipe.exists() else nullcontext([]) as opened:  # else a hang, not a failure
            for num_proc in (None, 2):
                builder = prepare(source, errors="report", num_proc=num_proc, part_bytes=1, cache_dir=str(tmp_path / f"np{num_proc}"))
                reports.append(builder.report())
                built.append(sorted(rows(builder.as_dataset()), key=lambda row: row["id"]))
            streamed = sorted(rows(load(source, streaming=True, errors="report")), key=lambda row: row["id"])
        assert not opened
        one, two = reports
        assert (one.read, one.written, one.rejected) == counts and one.reconciles
        assert (two.read, two.written, two.rejected) == counts and two.rejects == one.rejects
        assert built[1] == built[0] == streamed
        assert all(re.search(reason, reject["reason"]) for reject in one.rejects) if reason else not one.rejects

    @pytest.mark.parametrize("num_proc", [None, 2], ids=["one-process", "two-processes"])
    @pytest.mark.parametrize(("make", "name"), [
        (_cannot_open("gone.csv"), "gone.csv"), (_cannot_open("gone.json"), "gone.json"),
        (_csv_header_not_utf8, "latin1.csv"), (_parquet_not_utf8, "bad.parquet"),
    ], ids=["csv-cannot-open", "json-cannot-open", "csv-header-not-utf8", "parquet-row-not-utf8"])
    def test_raise_names_the_file(self, tmp_path, make, name, num_proc):
        source = make(tmp_path)
        with pytest.raises(SourceError) as caught:
            load(source, num_proc=num_proc, cache_dir=str(tmp_path / "cache"))
        assert caught.value.file == str(source / name) and str(caught.value).startswith(str(source / name))


LATIN1 = os.fsdecode(b"caf\xe9")  # a Latin-1 file name, as `os` gives it: its byte surrogate-escaped


def _walked_not_utf8(tmp: Path) -> Path:
    write_jsonl(tmp / "c" / "ok.jsonl", [{"raw": "Fine."}])
    (tmp / "c" / f"{LATIN1}.txt").write_text("Latin-1 named.", encoding="utf-8")
    write_jsonl(tmp / "c" / f"{LATIN1}.jsonl", [{"raw": "Latin-1 table."}])
    (tmp / "c" / f"{LATIN1}-bad.txt").write_bytes(b"Bad \xff byte.")
    return tmp / "c"


def _paired_not_utf8(tmp: Path) -> Path:
    write_pairs(tmp / "c", {f"{LATIN1}.txt": "Latin-1 named.", "ok.txt": "Fine."})
    (tmp / "c" / "raw" / f"{LATIN1}-bad.txt").write_text("No twin.", encoding="utf-8")
    return tmp / "c"


class TestFileNamesNotUtf8:
    """Class: a source whose file names are not UTF-8 builds, streams and exports: each such file's
    articles are read with ``source_file`` escaped (``caf\\xe9.txt``), its rejects name it so, and
    `errors="raise"` stops on one line naming it."""

    @pytest.mark.parametrize(("make", "source_files", "bad"), [
        (_walked_not_utf8, ["caf\\xe9.jsonl", "caf\\xe9.txt", "ok.jsonl"], "caf\\xe9-bad.txt"),
        (_paired_not_utf8, ["raw/caf\\xe9.txt", "raw/ok.txt"], "raw/caf\\xe9-bad.txt"),
    ], ids=["walked", "paired"])
    def test_prepared_two_processes_streamed_and_exported_alike(self, tmp_path, make, source_files, bad):
        from newspairs.export import export

        source = make(tmp_path)
        built = []
        for num_proc in (None, 2):
            builder = prepare(source, errors="report", num_proc=num_proc, part_bytes=1, cache_dir=str(tmp_path / f"np{num_proc}"))
            report = builder.report()
            assert (report.read, report.written, report.rejected) == (len(source_files) + 1, len(source_files), 1)
            assert [(r["file"], r["article"]) for r in report.rejects] == [(f"{source}/{bad}", bad)]
            built.append(sorted(rows(builder.as_dataset()), key=lambda row: row["source_file"]))
        streamed = sorted(rows(load(source, streaming=True, errors="report")), key=lambda row: row["source_file"])
        assert built[0] == built[1] == streamed
        assert [row["source_file"] for row in streamed] == source_files
        assert all(row["id"] == sources.article_id(row["source_file"], row["raw"]) for row in streamed)
        out = tmp_path / "out"
        export(source, out, configs=["articles"], errors="report")
        exported = json.loads((out / "newspairs_report.json").read_text(encoding="utf-8"))
        assert [reject["file"] for reject in exported["articles"]["rejects"]] == [bad]
        assert sorted(row["source_file"] for row in rows(datasets.load_dataset(str(out), "articles"))) == source_files

    @pytest.mark.parametrize("streaming", [False, True], ids=["prepared", "streaming"])
    def test_a_source_entry_named_not_utf8_loads(self, tmp_path, streaming):
        # `datasets` wrote a str source into the config's id as UTF-8 (UnicodeEncodeError)
        folder = tmp_path / f"plain{LATIN1[3:]}"
        write_jsonl(folder / "a.jsonl", [{"raw": "Plain."}])
        got = list(load(str(folder), split="all", streaming=streaming, cache_dir=str(tmp_path / "cache")))
        assert [(row["raw"], row["source_file"]) for row in got] == [("Plain.", "a.jsonl")]

    def test_a_rejected_pair_not_utf8_is_reported_escaped(self, tmp_path):
        """Its twin's name went into the export's report (and verify's diff) unescaped."""
        from newspairs.export import export
        from newspairs.verify import verify

        write_pairs(tmp_path / "c", {"ok.txt": "Fine."})
        (tmp_path / "c" / "raw" / f"{LATIN1}.txt").write_text("Two.\nLines.\n", encoding="utf-8")
        (tmp_path / "c" / "normalized" / f"{LATIN1}.txt").write_text("one line .\n", encoding="utf-8")
        export(tmp_path / "c", tmp_path / "out", configs=["articles"], errors="report")
        report = (tmp_path / "out" / "newspairs_report.json").read_text(encoding="utf-8")
        assert "normalized/caf\\\\xe9.txt" in report  # JSON writes the backslash of the escape doubled
        (tmp_path / "c" / "normalized" / f"{LATIN1}.txt").write_text("two .\nlines\n", encoding="utf-8")
        (disagreement,) = verify(tmp_path / "c").first
        disagreement.diff.encode("utf-8")
        assert "--- normalized/caf\\xe9.txt (stored)" in disagreement.diff

    @pytest.mark.parametrize("streaming", [False, True], ids=["prepared", "streaming"])
    @pytest.mark.parametrize("make", [_walked_not_utf8, _paired_not_utf8], ids=["walked", "paired"])
    def test_raise_names_the_file_escaped_on_one_line(self, tmp_path, make, streaming):
        source = make(tmp_path)
        with pytest.raises(SourceError) as caught:
            rows(load(source, streaming=streaming, cache_dir=str(tmp_path / "cache")))
        message = str(caught.value)
        assert message.startswith(f"{source}/") and "caf\\xe9-bad.txt" in message and "\n" not in message
        message.encode("utf-8")  # no surrogate left: a log or a terminal takes it as it is
