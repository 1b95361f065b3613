"""newspairs on Ray Data: the export equals the local one, read/normalize/encode equal their local twins.

One local Ray (2 CPUs, no dashboard) serves the whole module; a one-CPU run has its own Ray in a
subprocess.
"""

from __future__ import annotations

import gc
import hashlib
import json
import time
import os
import re
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import datasets
import pytest
import yaml

ray = pytest.importorskip("ray")

import newspairs  # noqa: E402
import newspairs.ray as nray  # noqa: E402
from newspairs import onepass, sources  # noqa: E402
from newspairs.builder import CONFIG_NAMES, SPLIT_NAMES, load  # noqa: E402
from newspairs.export import REPORT_FILENAME, export  # noqa: E402
from newspairs.sources import Reject, read_input, resolve_source, split_of  # noqa: E402
from newspairs.stamp import STAMP_FILENAME  # noqa: E402
from pairs import (  # noqa: E402
    ARTICLES, BAD_INPUTS, export_stopped_by_sigterm, isot_rows, tabular_records, write_big_files, write_csv, write_jsonl,
    write_pairs, write_parquet,
)
from reference import reference_normalize  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PEER = REPO.parent / "shared" / "peer" / "treebank_cases.jsonl"


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"TOKENIZERS_PARALLELISM": "false"}})
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the fault test's actor runs in workers
    yield
    ray.shutdown()


@pytest.fixture(autouse=True)
def every_cpu_free():
    """Each test starts with a CPU of the local Ray free. A failed pipeline's exception keeps one actor
    of its pool alive while it lives (Ray's task callback, which names the actor, is in its traceback),
    and a pool that finds no CPU waits for ever: a hang in CI, now a failure that says so. (Actors a
    finished pipeline let go are freed in seconds: waiting for every CPU cost each test that wait.)"""
    def no_cpu_free() -> bool:
        return ray.available_resources().get("CPU", 0) < 1

    if not no_cpu_free():
        return
    gc.collect()  # an exception's traceback is a cycle: without this it outlives its test
    deadline = time.monotonic() + 120
    while no_cpu_free():
        if time.monotonic() > deadline:
            pytest.fail(f"no CPU of the local Ray is free 120 s after the last test: {ray.available_resources()}")
        time.sleep(0.2)


def card_yaml(folder: Path) -> dict:
    return yaml.safe_load((folder / "README.md").read_text(encoding="utf-8").split("---")[1])


def _without_digests(configs: list[dict]) -> list[dict]:
    return [{**config, "data_files": [{**files, "path": re.sub(r"/[0-9a-f]{16}/", "/<digest>/", files["path"])}
                                      for files in config["data_files"]]} for config in configs]


def assert_same_export(got: Path, want: Path) -> None:
    """Row for row through plain datasets.load_dataset, the same card counts, stamp and report."""
    for config in CONFIG_NAMES:
        loaded, expected = datasets.load_dataset(str(got), config), datasets.load_dataset(str(want), config)
        assert list(loaded) == list(expected), config
        for split in expected:
            assert loaded[split].features == expected[split].features, (config, split)
            assert loaded[split].to_list() == expected[split].to_list(), (config, split)
    got_card, want_card = card_yaml(got), card_yaml(want)
    # the shards' folder is named by their bytes, and Ray cuts shards per input file: only the digest differs
    assert _without_digests(got_card["configs"]) == _without_digests(want_card["configs"])
    assert got_card["newspairs_stamp"] == want_card["newspairs_stamp"]
    for got_info, want_info in zip(got_card["dataset_info"], want_card["dataset_info"], strict=True):
        assert got_info["config_name"] == want_info["config_name"]
        assert got_info["features"] == want_info["features"]
        assert [(s["name"], s["num_examples"]) for s in got_info["splits"]] == [
            (s["name"], s["num_examples"]) for s in want_info["splits"]
        ]
    for name in (STAMP_FILENAME, REPORT_FILENAME):
        assert (got / name).read_text() == (want / name).read_text(), name


# --- every source layout -------------------------------------------------------------------------

MANY = {f"story{i:02d}.txt": f"Story {i} said \"it's here\" (again).\nLine two of {i} -- done." for i in range(12)}


def _paired(tmp):
    write_pairs(tmp / "c", {**ARTICLES, **MANY})
    (tmp / "c" / "normalized" / "story03.txt").write_text("a stored side that disagrees\nwith raw", encoding="utf-8")
    return tmp / "c"


def _raw_only(tmp):
    return write_pairs(tmp / "c", {**ARTICLES, **MANY}, normalized=False)


def _jsonl(tmp):
    records = tabular_records()
    write_jsonl(tmp / "t" / "a.jsonl", records * 1 + [{"raw": f"Row {i}: it's \"{i}\".", "title": "x", "year": i, "score": 0.5} for i in range(30)])
    write_jsonl(tmp / "t" / "b.jsonl", [{"raw": raw, "title": name, "year": 1, "score": 1.0} for name, raw in MANY.items()])
    return tmp / "t"


def _csv(tmp):
    write_csv(tmp / "t" / "a.csv", ["raw", "title"], [[raw, name] for name, raw in {**ARTICLES, **MANY}.items()])
    write_csv(tmp / "t" / "b.csv", ["raw", "title"], [["Second file, it's short.", "b"]])
    return tmp / "t"


def _parquet(tmp):
    records = tabular_records()
    write_parquet(tmp / "t" / "a.parquet", {key: [r[key] for r in records] for key in records[0]})
    write_parquet(tmp / "t" / "b.parquet", {"raw": list(MANY.values()), "title": list(MANY), "year": [1] * 12,
                                            "score": [0.5] * 12, "normalized": [None] * 12})
    return tmp / "t"


def _isot(tmp):
    write_csv(tmp / "isot" / "True-mine.csv", ["title", "text", "subject", "date"], isot_rows())
    write_csv(tmp / "isot" / "Fake-mine.csv", ["title", "text", "subject", "date"], isot_rows()[:2] + [["t", raw, "s", "d"] for raw in MANY.values()])
    return tmp / "isot"


LAYOUTS = [
    pytest.param(_paired, id="paired-folders"),
    pytest.param(_raw_only, id="raw-only-folder"),
    pytest.param(_jsonl, id="jsonl"),
    pytest.param(_csv, id="csv"),
    pytest.param(_parquet, id="parquet"),
    pytest.param(_isot, id="isot-csv"),
]


class TestExport:
    @pytest.mark.parametrize("make", LAYOUTS)
    def test_ray_export_equals_the_local_export(self, tmp_path, make):
        source = make(tmp_path)
        export(source, tmp_path / "local")
        result = export(source, tmp_path / "ray", engine="ray")
        assert_same_export(tmp_path / "ray", tmp_path / "local")
        assert sorted(p.name for p in (tmp_path / "ray").iterdir()) == sorted(p.name for p in (tmp_path / "local").iterdir())
        assert all(path.is_file() for path in result.files)

    @pytest.mark.parametrize("options", [
        pytest.param({"text_articles": "blank-line"}, id="blank-line-articles"),
        pytest.param({"sentences": "punkt"}, id="sentences"),
    ])
    def test_read_options_reach_the_workers(self, tmp_path, options):
        """Class: every read option a local build takes shapes the Ray build alike."""
        path = tmp_path / "wire.txt"
        path.write_text("\n\n".join(f"Dr. Lee spoke on day {n}. Markets fell. It's over." for n in range(30)) + "\n")
        export(str(path), tmp_path / "local", **options)
        export(str(path), tmp_path / "ray", engine="ray", **options)
        assert_same_export(tmp_path / "ray", tmp_path / "local")
        export(str(path), tmp_path / "plain", engine="ray")
        rows = {name: sum(split.num_rows for split in datasets.load_dataset(str(tmp_path / name), "articles").values())
                for name in ("plain", "ray")}
        lines = {name: sum(split.num_rows for split in datasets.load_dataset(str(tmp_path / name), "lines").values())
                 for name in ("plain", "ray")}
        if "text_articles" in options:  # the option did something: 30 articles, not the file as one
            assert (rows["plain"], rows["ray"]) == (1, 30)
        else:  # three sentences a paragraph: each line became three
            assert lines["ray"] == lines["plain"] + 2 * 30

    def test_shards_are_named_as_push_to_hub_names_them_and_respect_the_size(self, tmp_path):
        source = write_pairs(tmp_path / "c", {f"a{i}.txt": f"Article {i} is here, it's long enough. " * 20 for i in range(40)})
        export(source, tmp_path / "local", configs=["articles"], max_shard_size=2000)
        result = export(source, tmp_path / "ray", configs=["articles"], max_shard_size=2000, engine="ray")
        (shards,) = (tmp_path / "ray" / "articles").iterdir()  # <config>/<digest>/
        names = sorted(path.name for path in shards.iterdir())
        splits = {name.split("-")[0] for name in names}
        for split in splits:
            mine = [name for name in names if name.startswith(split + "-")]
            assert mine == [f"{split}-{i:05d}-of-{len(mine):05d}.parquet" for i in range(len(mine))]
        assert len(names) > 3 and {path.name for path in result.files} == set(names)
        for split, rows in datasets.load_dataset(str(tmp_path / "local")).items():
            assert datasets.load_dataset(str(tmp_path / "ray"))[split].to_list() == rows.to_list()
        for engine in ("local", "ray"):  # the folder is named by its shards' bytes (hashed by the actors on Ray)
            (folder,) = (tmp_path / engine / "articles").iterdir()
            assert folder.name == _shards_digest(folder), engine


    def test_a_folder_of_small_files_is_a_few_shards_not_one_a_file(self, tmp_path):
        """Class: consecutive small files share their part files (a few groups per worker), so a
        pair folder of one article a file is not written as a Parquet file per article."""
        source = write_pairs(tmp_path / "c", {f"a{i:02d}.txt": f"Article {i} is here, it's short." for i in range(60)})
        export(source, tmp_path / "local")
        export(source, tmp_path / "ray", engine="ray")
        assert_same_export(tmp_path / "ray", tmp_path / "local")
        for config in CONFIG_NAMES:
            (shards,) = (tmp_path / "ray" / config).iterdir()
            per_split = {split: len(list(shards.glob(f"{split}-*.parquet"))) for split in SPLIT_NAMES}
            assert 1 <= max(per_split.values()) <= 2 * onepass.ITEMS_PER_WORKER, (config, per_split)  # 2 CPUs here

    def test_the_cli_exports_on_ray_with_relative_paths(self, tmp_path, capsys, monkeypatch):
        from newspairs.cli import main

        source = write_pairs(tmp_path / "c")
        monkeypatch.chdir(tmp_path)  # the workers find "c" where the driver does
        assert main(["export", "c", "ray", "--engine", "ray", "--num-cpus", "2"]) == 0
        assert "4 articles read = 4 written + 0 rejected" in capsys.readouterr().out
        export(source, tmp_path / "local")
        assert_same_export(tmp_path / "ray", tmp_path / "local")

    def test_num_proc_is_for_the_local_engine(self, tmp_path):
        with pytest.raises(ValueError, match=r"^num_proc is for engine='local', got num_proc=2 with engine='ray' \(num_cpus sets"):
            export(None, tmp_path / "out", engine="ray", num_proc=2)
        with pytest.raises(ValueError, match="engine must be"):
            export(None, tmp_path / "out", engine="spark")


def _input(kind: str, size: int, part: bool = False) -> sources.InputFile:
    return sources.InputFile(kind, f"/n/{size}", f"{size}", None, 0, 10 if part else None)


@pytest.mark.parametrize(
    "items, part_bytes, workers, groups",
    [
        ([("text", 10)] * 16, 1000, 1, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]),
        ([("text", 10)] * 16, 1000, 2, [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [10, 11], [12, 13], [14, 15]]),
        ([("text", 10)] * 6, 1000, 1, [[0, 1], [2, 3], [4, 5]]),
        ([("text", 10)] * 40, 25, 1, [[i, i + 1] for i in range(0, 40, 2)]),
        ([("text", 100)] * 6, 150, 1, [[0], [1], [2], [3], [4], [5]]),
        ([("text", 10), ("text", 500), ("text", 10), ("text", 10)], 100, 1, [[0], [1], [2, 3]]),
        ([("text", 10), ("jsonl", 50, True), ("jsonl", 50, True), ("text", 10)], 1000, 1, [[0], [1], [2], [3]]),
        ([("text", 0), ("text", 0)], 1000, 4, [[0, 1]]),
    ],
    ids=["four-per-worker", "four-per-worker-of-two", "a-quarter-share", "part-bytes", "part-bytes-before-share",
         "large-file-alone", "parts-alone", "empty-files"],
)
def test_consecutive_small_inputs_are_grouped(monkeypatch, items, part_bytes, workers, groups):
    monkeypatch.setattr(onepass, "_file_bytes", lambda item: int(item.relpath))
    inputs = [_input(*item) for item in items]
    assert onepass._groups(inputs, part_bytes, workers) == groups


def _shards_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(f"{path.name}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()[: len(folder.name)]


class TestErrors:
    @pytest.mark.parametrize("make", [BAD_INPUTS[3], BAD_INPUTS[7]])
    def test_raise_gives_the_local_source_error_and_leaves_out_as_it_was(self, tmp_path, make):
        source, *_ = make(tmp_path)
        with pytest.raises(ValueError) as local:
            export(source, tmp_path / "local")
        export(None, tmp_path / "out", configs=["lines"])  # a previous export, which must survive
        before = {p.relative_to(tmp_path / "out"): p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
        with pytest.raises(newspairs.SourceError) as remote:
            export(source, tmp_path / "out", engine="ray")
        assert str(remote.value) == str(local.value)
        after = {p.relative_to(tmp_path / "out"): p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
        # the staging folder beside OUT (.out.<hex>.newspairs-partial) is gone (this looked for "out.partial")
        assert after == before and sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".out.")) == []

    def test_a_bad_article_met_while_another_actor_works_leaves_no_staging_folder(self, tmp_path, monkeypatch):
        # on a Ray the caller started (this module's), the first bad article stopped the export while
        # another actor still worked: it wrote its part files after the staging folder was removed,
        # leaving a folder beside OUT (or the removal failed: "Directory not empty")
        stories = {f"s{n:02d}.txt": f"Story number {n} about the harbour.\n" for n in range(8)}
        source = write_pairs(tmp_path / "c", stories)
        (source / "raw" / "s00.txt").write_bytes(b"Not \xff UTF-8.\n")
        slow = _bind(_SlowOnGoodFiles, {"bad": "raw/s00.txt"})
        real = nray.export_configs
        monkeypatch.setattr(nray, "export_configs", lambda *args, **kwargs: real(*args, _actor=slow, **kwargs))
        with pytest.raises(newspairs.SourceError, match="s00.txt"):
            export(str(source), tmp_path / "out", engine="ray")
        time.sleep(3)  # past the slow actor's work: what it would write, it has written
        assert sorted(path.name for path in tmp_path.iterdir()) == ["c"]

    @pytest.mark.parametrize("make", [BAD_INPUTS[1], BAD_INPUTS[4]])
    def test_report_gathers_the_same_rejects_and_the_counts_reconcile(self, tmp_path, make):
        source, *_ = make(tmp_path)
        export(source, tmp_path / "local", errors="report")
        result = export(source, tmp_path / "ray", errors="report", engine="ray")
        report = json.loads((tmp_path / "ray" / REPORT_FILENAME).read_text())
        for name in CONFIG_NAMES:
            assert report[name]["rejected"] >= 1 and report[name]["reconciles"] and result.reports[name].reconciles
        assert_same_export(tmp_path / "ray", tmp_path / "local")

    def test_the_cli_error_is_one_line(self, tmp_path, capsys):
        from newspairs.cli import main

        source = write_pairs(tmp_path / "c")
        (source / "raw" / "ferry.txt").write_bytes(b"first\nsecond \xff")
        assert main(["export", str(source), str(tmp_path / "out"), "--engine", "ray"]) == 1
        # Ray Data's own INFO lines (an execution finished) may come too, by timing: they are Ray's, not the error
        err = [line for line in capsys.readouterr().err.strip().splitlines() if not re.search(r"\bINFO\b", line)]
        assert err == [f"newspairs: error: {source}/raw/ferry.txt, article raw/ferry.txt, line 2: not UTF-8 (undecodable bytes)"]


class _DiesOnce(nray._ExportFiles):
    """Kills its own worker process on the marked file, once (the marker file remembers)."""

    def __init__(self, marker: str, victim: str, **kwargs):
        super().__init__(**kwargs)
        self.marker, self.victim = Path(marker), victim

    def read_file(self, row):
        if row["relpath"] == self.victim and not self.marker.exists():
            self.marker.write_text("died once")
            os._exit(1)
        return super().read_file(row)


class _SlowOnGoodFiles(nray._ExportFiles):
    """Works 2 s before it meets the bad file, 3 s before it writes a group without it: the other
    actor is still at work when the bad article stops the export."""

    def __init__(self, bad: str, **kwargs):
        super().__init__(**kwargs)
        self.bad = bad

    def export_group(self, row):
        time.sleep(2 if self.bad in [entry["relpath"] for entry in json.loads(row["files"])] else 3)
        return super().export_group(row)


class TestFaults:
    def test_a_worker_killed_mid_run_is_retried_and_the_export_is_the_local_one(self, tmp_path, monkeypatch):
        source = _paired(tmp_path)
        export(source, tmp_path / "local")
        marker = tmp_path / "died"
        dies_once = _bind(_DiesOnce, {"marker": str(marker), "victim": "raw/story05.txt"})
        real = nray.export_configs
        monkeypatch.setattr(nray, "export_configs", lambda *args, **kwargs: real(*args, _actor=dies_once, **kwargs))
        export(source, tmp_path / "ray", engine="ray")
        assert marker.read_text() == "died once"
        assert_same_export(tmp_path / "ray", tmp_path / "local")
        assert not list((tmp_path / "ray").rglob("*.tmp")) and not (tmp_path / "ray" / nray.PARTS_FOLDER).exists()


class _FailsOn(nray._ExportFiles):
    """Fails on the marked file as a full disk would fail it."""

    def __init__(self, victim: str, **kwargs):
        super().__init__(**kwargs)
        self.victim = victim

    def read_file(self, row):
        if row["relpath"] == self.victim:
            raise OSError(28, "No space left on device")
        return super().read_file(row)


def test_an_export_that_ray_finished_without_a_work_item_is_refused(tmp_path, monkeypatch):
    """With Ray Data's max_errored_blocks set, a failed item is skipped: the export returned with its
    files in neither the output nor the report, and a summary that reconciled (the stop-38 Ray checker)."""
    source = _paired(tmp_path)
    failing = _bind(_FailsOn, {"victim": "raw/story05.txt"})
    real = nray.export_configs
    monkeypatch.setattr(nray, "export_configs", lambda *args, **kwargs: real(*args, _actor=failing, **kwargs))
    monkeypatch.setattr(ray.data.DataContext.get_current(), "max_errored_blocks", 10)
    with pytest.raises(ValueError, match=r"Ray finished the export without 1 work item of \d+, whose files are unread: .*story05"):
        export(source, tmp_path / "ray", engine="ray", part_bytes=1)
    assert not (tmp_path / "ray").exists()


def _bind(cls, extra):
    class Bound(cls):
        def __init__(self, **kwargs):
            super().__init__(**extra, **kwargs)

    return Bound


# --- the Python API ------------------------------------------------------------------------------


class TestRead:
    def test_rows_are_the_local_rows_split_by_split_in_order(self, tmp_path):
        source = _jsonl(tmp_path)
        ratios = tuple(zip(SPLIT_NAMES, (0.8, 0.1, 0.1)))
        for config in CONFIG_NAMES:
            local = load(source, config)
            rows = nray.read(source, config).take_all()
            key = "article_id" if config == "lines" else "id"
            for split in local:
                assert [row for row in rows if split_of(row[key], ratios) == split] == local[split].to_list(), config
            assert len(rows) == sum(len(split) for split in local.values())

    def test_one_split_and_class_labels(self, tmp_path):
        source = _isot(tmp_path)
        local = load(source, "articles")
        split = list(local)[-1]
        assert nray.read(source, split=split).take_all() == local[split].to_list()
        assert {row["label"] for row in local["train"]} == {0, 1}  # a ClassLabel as its integer, as datasets stores it

    def test_a_bad_article_fails_the_pipeline_naming_file_article_and_line(self, tmp_path):
        source, *_ = BAD_INPUTS[3].values[0](tmp_path)
        with pytest.raises(Exception, match=r"raw/ferry.txt, article raw/ferry.txt, line 2: not UTF-8"):
            nray.read(source).take_all()

    def test_a_bad_split_name_is_a_value_error(self):
        with pytest.raises(ValueError, match="split must be one of"):
            nray.read(None, split="dev")


def _edge_texts() -> list[str]:
    texts = [case["input"] for case in map(json.loads, PEER.read_text(encoding="utf-8").strip("\n").split("\n"))] if PEER.is_file() else []
    return texts + [
        "", " ", "\n", "\t lead and trail \u00a0", '"Quoted" first', "last 'clitic's", "can't\n\nwon't\r\n",
        "\u2028line sep\u3000ideo", " \" ' `` '' ", "(a) [b] {c} -- d...",
    ]


@pytest.mark.parametrize("config", CONFIG_NAMES)
def test_a_read_without_a_row_still_has_the_configs_columns(tmp_path, config):
    """A split with no row (or a source whose every article is rejected) was a dataset with no
    columns and no schema, where the streaming twin keeps the config's features (the stop-38 Ray checker)."""
    write_jsonl(tmp_path / "one.jsonl", [{"raw": "One line.", "normalized": "one line ."}])
    local = load(str(tmp_path / "one.jsonl"), config)
    (full,) = local
    empty = next(split for split in SPLIT_NAMES if split not in local)
    want = nray.read(str(tmp_path / "one.jsonl"), config, split=full).materialize()
    got = nray.read(str(tmp_path / "one.jsonl"), config, split=empty).materialize()
    assert got.count() == 0
    assert got.columns() == list(local[full].features) == want.columns()
    assert got.schema().base_schema.remove_metadata() == want.schema().base_schema.remove_metadata()


@pytest.mark.parametrize(("options", "message"), [
    ({"num_cpus": 5}, "num_cpus=5: the Ray has 2 CPUs"),
    ({"num_cpus": 0}, "num_cpus must be a number of CPUs above 0"),
    ({"num_cpus": float("nan")}, "num_cpus must be a number of CPUs above 0"),
    ({"num_cpus": True}, "num_cpus must be a number of CPUs above 0"),
    ({"concurrency": 0}, "concurrency must be a whole number of actors, at least 1"),
    ({"concurrency": 1.5}, "concurrency must be a whole number of actors, at least 1"),
], ids=["above-the-cluster", "zero", "nan", "bool", "no-actor", "half-an-actor"])
@pytest.mark.parametrize("call", ["normalize", "encode"])
def test_actor_options_out_of_range_are_refused_at_the_call(call, options, message):
    """num_cpus above the cluster's waited for ever (Ray warns only), 0 ran with half a CPU and
    concurrency=0 with the default pool, silently (the stop-38 Ray checker)."""
    ds = ray.data.from_items([{"raw": "A line."}])
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(nray, call)(ds, **options)


def test_numpy_numbers_are_actor_options_too():
    """A pool size worked out with numpy ran before the checks came, and must still (the stop-38 reviewer)."""
    np = pytest.importorskip("numpy")
    ds = ray.data.from_items([{"raw": "Hi, you."}])
    rows = nray.normalize(ds, concurrency=np.int64(1), num_cpus=np.float64(0.5)).take_all()
    assert rows == [{"raw": "Hi, you.", "normalized": reference_normalize("Hi, you.")}]


class TestNormalize:
    def test_every_row_is_the_reference_normalization(self):
        texts = _edge_texts()
        ds = nray.normalize(ray.data.from_items([{"raw": t, "n": i} for i, t in enumerate(texts)]), batch_size=16)
        rows = sorted(ds.take_all(), key=lambda row: row["n"])
        assert [row["raw"] for row in rows] == texts
        assert [row["normalized"] for row in rows] == [reference_normalize(t) for t in texts]

    def test_a_tokenizer_file_and_column_names(self, tmp_path):
        path = tmp_path / "tokenizer.json"
        newspairs.build_tokenizer().save(str(path))
        ds = nray.normalize(ray.data.from_items([{"text": t} for t in ARTICLES.values()]), "text", "out", tokenizer=path)
        assert sorted(r["out"] for r in ds.take_all()) == sorted(map(newspairs.normalize, ARTICLES.values()))

    @pytest.mark.parametrize("rows, kind", [
        pytest.param([{"raw": "fine"}, {"raw": None}], "NoneType", id="none"),
        pytest.param([{"raw": 5}], "int", id="int"),
    ])
    def test_a_row_that_is_not_text_names_the_column_and_the_type(self, rows, kind):
        ds = nray.normalize(ray.data.from_items(rows))
        with pytest.raises(ray.exceptions.RayTaskError) as raised:
            ds.take_all()
        cause = [line for line in str(raised.value).splitlines() if line.startswith("ValueError: ")]
        # a batch does not know its place in the dataset: the message claims no row number
        assert cause == [f"ValueError: column 'raw' holds a value of type {kind}, not text: {rows[-1]['raw']!r}"]

    @pytest.mark.parametrize("make", [
        pytest.param(lambda tokenizer, tmp: tokenizer, id="tokenizer-object"),
        pytest.param(lambda tokenizer, tmp: tokenizer.save(str(tmp / "bare.json")) or tmp / "bare.json", id="tokenizer-json-path"),
    ])
    def test_a_tokenizer_that_is_no_newspairs_normalization_is_refused_at_the_call(self, tmp_path, make):
        from tokenizers import Tokenizer, models

        bare = Tokenizer(models.WordLevel({"a": 0, "[UNK]": 1}, unk_token="[UNK]"))
        ds = ray.data.from_items([{"raw": "Hello, world."}])
        with pytest.raises(ValueError, match=r"^tokenizer=.*: the tokenizer's normalizer is not a newspairs normalization"):
            nray.normalize(ds, tokenizer=make(bare, tmp_path))


def _refusing_call(name):
    if name == "normalize":
        return lambda ds, column: nray.normalize(ds, column)
    from test_feed import trained_tokenizer

    return lambda ds, column: nray.encode(ds, trained_tokenizer(), column)


@pytest.mark.parametrize("name", ["normalize", "encode"])
def test_a_missing_column_is_refused_at_the_call_when_the_schema_is_known(name):
    call = _refusing_call(name)
    with pytest.raises(ValueError, match=r"^column='raw': the dataset has no such column \(its columns: \['text'\]\)$"):
        call(ray.data.from_items([{"text": "a"}]), "raw")  # from_items knows its schema without running


class TestEncode:
    @pytest.mark.parametrize("options", [{}, {"max_length": 12, "offsets": True, "special_tokens": False}],
                             ids=["default", "max_length-offsets-no-special-tokens"])
    def test_ids_are_the_encoders(self, options):
        from test_feed import ARTICLES as FEED_ARTICLES, trained_tokenizer

        tokenizer = trained_tokenizer()
        texts = FEED_ARTICLES + _edge_texts()[:40]
        rows = nray.encode(ray.data.from_items([{"raw": t, "n": i} for i, t in enumerate(texts)]), tokenizer,
                           batch_size=8, **options).take_all()
        rows.sort(key=lambda row: row["n"])
        want = newspairs.Encoder(tokenizer, **options)({"raw": texts})
        assert [list(row["input_ids"]) for row in rows] == want["input_ids"]
        assert [list(row["attention_mask"]) for row in rows] == want["attention_mask"]
        if options.get("offsets"):
            assert [[tuple(pair) for pair in row["offset_mapping"]] for row in rows] == want["offset_mapping"]

    def test_an_unknown_option_is_a_value_error_naming_it(self):
        # it was Python's TypeError from Encoder's constructor, as encode()'s was
        from test_feed import trained_tokenizer

        with pytest.raises(ValueError, match=r"^encode\(\) has no option 'max_len' \(its options: max_length, offsets, padding, "):
            nray.encode(ray.data.from_items([{"raw": "a"}]), trained_tokenizer(), max_len=12)

    def test_padded_fixed_width_batches_reach_torch(self):
        pytest.importorskip("torch")
        from test_feed import trained_tokenizer

        tokenizer = trained_tokenizer()
        fixed = tokenizer.from_str(tokenizer.to_str())
        fixed.enable_padding(pad_id=fixed.token_to_id("[PAD]"), pad_token="[PAD]", length=16)
        ds = nray.encode(ray.data.from_items([{"raw": t} for t in ARTICLES.values()]), fixed, max_length=16, padding=True)
        batch = next(iter(ds.select_columns(["input_ids", "attention_mask"]).iter_torch_batches(batch_size=4)))
        assert tuple(batch["input_ids"].shape) == (4, 16) and tuple(batch["attention_mask"].shape) == (4, 16)


def test_one_cpu_ray_completes_an_export_and_a_normalization_after_a_read(tmp_path):
    """On a one-CPU Ray, an actor holding the CPU must not starve the tasks it waits for: the export
    reads in its actors; `normalize`'s actors take half a CPU, so a read of half a CPU runs beside them."""
    source = write_pairs(tmp_path / "c")
    write_jsonl(tmp_path / "j" / "a.jsonl", [{"raw": raw} for raw in ARTICLES.values()])
    script = textwrap.dedent(f"""
        import ray, ray.data, newspairs.ray as nray
        from newspairs.export import export
        ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
        export({str(source)!r}, {str(tmp_path / "out")!r}, engine="ray")
        ds = nray.normalize(ray.data.read_json({str(tmp_path / "j")!r}, lines=True, num_cpus=0.5))
        print(sorted(row["normalized"] for row in ds.take_all()))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == str(sorted(map(newspairs.normalize, ARTICLES.values())))
    assert datasets.load_dataset(str(tmp_path / "out"))["train"].num_rows > 0


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free once closed: nothing listens there


class TestWhichRay:
    @pytest.mark.parametrize("call, wanted", [
        pytest.param(lambda src, out: nray.read(src, num_cpus=3), r"^num_cpus=3: Ray is already running in this process with 2 CPUs", id="read-more-cpus"),
        pytest.param(lambda src, out: export(src, out, engine="ray", num_cpus=3), r"^num_cpus=3: Ray is already running", id="export-more-cpus"),
        pytest.param(lambda src, out: nray.read(src, address=f"127.0.0.1:{_closed_port()}"),
                     r"^address '127\.0\.0\.1:\d+': Ray is already running in this process at .*ray\.shutdown\(\)", id="read-other-address"),
    ])
    def test_a_running_ray_that_disagrees_with_the_call_is_refused(self, tmp_path, call, wanted):
        (tmp_path / "a.txt").write_text("Hello.\n", encoding="utf-8")
        with pytest.raises(ValueError, match=wanted):
            call(str(tmp_path / "a.txt"), tmp_path / "out")

    def test_an_export_shuts_down_only_a_ray_it_started(self, tmp_path):
        (tmp_path / "a.txt").write_text("Hello.\n", encoding="utf-8")
        export(str(tmp_path / "a.txt"), tmp_path / "mine", engine="ray")
        assert ray.is_initialized()  # the module's Ray, the user's own
        script = textwrap.dedent("""
            import ray
            from newspairs.export import export
            export("a.txt", "o1", engine="ray", num_cpus=1)
            print(ray.is_initialized())
        """)
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240, cwd=tmp_path,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.split() == ["False"]

    @pytest.mark.parametrize("form, where", [
        pytest.param("--address 127.0.0.1:{port}", "address '127.0.0.1:{port}'", id="host-port"),
        pytest.param("--address ray://127.0.0.1:{port}", "address 'ray://127.0.0.1:{port}'", id="ray-client"),
        pytest.param("RAY_ADDRESS=127.0.0.1:{port}", "RAY_ADDRESS '127.0.0.1:{port}'", id="RAY_ADDRESS"),
        # the port "1 " was no port to the probe, which let Ray retry for minutes (and strip the space itself)
        pytest.param("RAY_ADDRESS= 127.0.0.1:{port}\n", "RAY_ADDRESS '127.0.0.1:{port}'", id="RAY_ADDRESS-with-spaces"),
    ])
    def test_an_address_where_no_ray_answers_fails_at_once_in_one_line(self, tmp_path, form, where):
        port = _closed_port()
        (tmp_path / "a.txt").write_text("Hello.\n", encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        env.pop("RAY_ADDRESS", None)
        argv = [sys.executable, "-m", "newspairs", "export", "a.txt", "out", "--engine", "ray", "--quiet"]
        if form.startswith("RAY_ADDRESS="):
            env["RAY_ADDRESS"] = form.split("=", 1)[1].format(port=port)
        else:
            argv += form.format(port=port).split()
        # Ray itself retries an unreachable GCS for many minutes
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env)
        assert done.returncode == 1
        assert done.stderr.splitlines() == [
            f"newspairs: error: {where.format(port=port)}: no Ray answers at 127.0.0.1:{port} (Connection refused); "
            "start one there (ray start --head) or give the address of a running cluster"
        ]


class TestConnect:
    """`newspairs.ray.connect` where no Ray runs in the process (Ray's own calls recorded, none made)."""

    @pytest.fixture
    def recorded(self, monkeypatch):
        calls = []
        monkeypatch.delenv("RAY_ADDRESS", raising=False)
        monkeypatch.setattr(nray.ray, "is_initialized", lambda: False)
        monkeypatch.setattr(nray.ray, "init", lambda **kwargs: calls.append(("init", kwargs)))
        monkeypatch.setattr(nray.ray, "shutdown", lambda: calls.append(("shutdown", {})))
        monkeypatch.setattr(nray.ray, "cluster_resources", lambda: {"CPU": 2.0})
        monkeypatch.setattr(nray, "_probe", lambda address, where: None)
        return calls

    def test_without_an_address_a_new_local_ray_is_started(self, recorded):
        # ray.init() alone joins a Ray that `ray start` left on the machine, where num_cpus is refused
        assert nray.connect(None, 2) is True
        assert [(name, kwargs["address"], kwargs["num_cpus"]) for name, kwargs in recorded] == [("init", "local", 2)]

    def test_a_cluster_of_one_cpu_says_so(self, recorded, monkeypatch):
        monkeypatch.setattr(nray.ray, "cluster_resources", lambda: {"CPU": 1.0})
        with pytest.raises(ValueError, match=r"has 1 CPU; ask for at most 1$"):
            nray.connect("auto", 2)

    def test_a_cluster_with_fewer_cpus_than_asked_is_refused_and_left(self, recorded):
        with pytest.raises(ValueError, match=r"^num_cpus=4: the Ray at address '10\.0\.0\.1:6379' has 2 CPUs; ask for at most 2$"):
            nray.connect("10.0.0.1:6379", 4)
        assert [name for name, _ in recorded] == ["init", "shutdown"]

    @pytest.mark.parametrize(("address", "environment", "where"), [
        ("", None, "address ''"), (" ", None, "address ' '"), ("\t\n", "10.0.0.1:6379", "address '\\t\\n'"),
        (None, " ", "RAY_ADDRESS ' '"),
    ], ids=["empty", "space", "blank-beside-RAY_ADDRESS", "RAY_ADDRESS-blank"])
    def test_a_blank_address_is_refused_not_a_local_ray(self, recorded, monkeypatch, address, environment, where):
        """Stripped for the probe (04adeba), a blank address quietly started a local Ray ("Invalid
        address format" from Ray before)."""
        if environment is not None:
            monkeypatch.setenv("RAY_ADDRESS", environment)
        with pytest.raises(ValueError, match=rf"^{re.escape(where)} is blank: give the address of a running Ray"):
            nray.connect(address, None)
        assert recorded == []

    def test_an_empty_ray_address_variable_is_unset(self, recorded, monkeypatch):
        monkeypatch.setenv("RAY_ADDRESS", "")
        assert nray.connect(None, 2) is True
        assert [(name, kwargs["address"]) for name, kwargs in recorded] == [("init", "local")]

    def test_spaces_about_an_address_are_dropped(self, recorded, monkeypatch):
        monkeypatch.setenv("RAY_ADDRESS", " 10.0.0.1:6379\n")
        nray.connect(None, None)
        assert [(name, kwargs["address"]) for name, kwargs in recorded] == [("init", "10.0.0.1:6379")]

    @pytest.mark.parametrize("num_cpus", [0, -1, 1.5, True, "2"], ids=repr)
    def test_num_cpus_is_a_whole_number_of_at_least_one(self, recorded, num_cpus):
        # 0 started a Ray whose one-CPU actors never start: the export waited for ever
        with pytest.raises(ValueError, match="num_cpus must be a whole number of at least 1"):
            nray.connect(None, num_cpus)
        assert recorded == []


def test_without_ray_installed_the_ray_engine_is_one_line(tmp_path):
    (tmp_path / "a.txt").write_text("Hello.\n", encoding="utf-8")
    script = ("import sys; sys.modules['ray'] = None\n"  # import ray fails as where it is not installed
              "from newspairs.cli import main\n"
              "sys.exit(main(['export', 'a.txt', 'out', '--engine', 'ray', '--quiet']))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "newspairs: error: engine='ray' needs Ray, which is not installed: pip install 'newspairs[ray]'"
    ]
    assert not (tmp_path / "out").exists()


class TestBenchScale:
    """The benchmark's own parts (its three timed exports are not run here)."""

    def bench(self):
        import importlib.util

        spec = importlib.util.spec_from_file_location("bench_scale", REPO / "scripts" / "bench_scale.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def test_the_corpus_reaches_its_size_and_no_file_holds_an_article_twice(self, tmp_path):
        articles = [f"Article {i}: it's here." for i in range(50)] + ["Article 0: it's here."]
        raw_bytes = self.bench().make_corpus(tmp_path / "c", 0.003, 3, articles)
        assert raw_bytes >= 3000
        for path in sorted((tmp_path / "c").iterdir()):
            raws = [json.loads(line)["raw"] for line in path.read_text().splitlines()]
            assert len(raws) == len(set(raws)) > 0

    def test_one_file_holds_every_article_then_marked_copies_each_id_distinct(self, tmp_path):
        articles = [f"Article {i}: it's here." for i in range(50)] + ["Article 0: it's here."]
        assert self.bench().make_corpus(tmp_path / "c", 0.003, 1, articles) >= 3000
        (path,) = (tmp_path / "c").iterdir()
        raws = [json.loads(line)["raw"] for line in path.read_text().splitlines()]
        assert len(raws) == len(set(raws)) > 100 and raws[50] == "Article 0: it's here.\n(copy 1)"
        assert not [entry for entry in read_input(resolve_source(path)[0]) if isinstance(entry, Reject)]

    def test_the_peak_rss_of_forked_workers_is_polled(self):
        """The local ``num_proc`` export's workers are this process's forked children: their peak RSS
        is the worker column of its row (Ray's workers are found by name instead)."""
        import multiprocessing
        import threading

        ready, done = multiprocessing.get_context("fork").Event(), multiprocessing.get_context("fork").Event()

        def hold_memory():
            block = bytearray(64 << 20)  # 64 MiB, touched
            ready.set()
            done.wait(30)
            return block

        child = multiprocessing.get_context("fork").Process(target=hold_memory)
        child.start()
        try:
            assert ready.wait(30)
            peaks: dict[int, int] = {}
            stop = threading.Event()
            poller = threading.Thread(target=self.bench()._peak_worker_rss, args=(stop, peaks, True), daemon=True)
            poller.start()
            stop.wait(1.0)
            stop.set()
            poller.join()
        finally:
            done.set()
            child.join(30)
        assert peaks.get(child.pid, 0) > 64 << 10  # kB

    def test_each_work_item_is_timed_inside_its_actor(self, tmp_path):
        articles = [f"Article {i}: it's here, or \"there\"." for i in range(60)]
        self.bench().make_corpus(tmp_path / "c", 0.004, 3, articles)
        done = subprocess.run(
            [sys.executable, str(REPO / "scripts" / "bench_scale.py"), "--run", "actor-times", "1", str(tmp_path / "c"), str(tmp_path)],
            capture_output=True, text=True, timeout=240, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert done.returncode == 0, done.stderr[-2000:]
        times = json.loads(done.stdout.strip().splitlines()[-1])
        assert times["items"] == 3  # one record per work item, written by the actor: each file is over a
        # quarter of the one actor's share of the corpus, so an item alone
        assert 0 < times["first_item"] < times["seconds"] and 0 < times["item_seconds"] <= times["items_span"] + 1e-6
        assert times["first_item"] + times["items_span"] <= times["seconds"]

    def test_the_machine_busy_seconds_count_this_process_work(self):
        import time

        bench = self.bench()
        before, began = bench.machine_busy_seconds(), time.process_time()
        while time.process_time() - began < 0.3:
            pass
        assert bench.machine_busy_seconds() - before >= 0.25

    def test_same_exports_names_what_differs(self, tmp_path):
        bench = self.bench()
        export(write_pairs(tmp_path / "a"), tmp_path / "one")
        export(write_pairs(tmp_path / "a"), tmp_path / "two")
        assert bench.same_exports(tmp_path / "one", tmp_path / "two") == []
        assert list((tmp_path / "one" / "articles").glob("*/train-*.parquet"))  # it compared shards, not nothing
        export(write_pairs(tmp_path / "b", {**ARTICLES, "market.txt": "Shares fell."}), tmp_path / "three")
        assert "articles/" in " ".join(bench.same_exports(tmp_path / "one", tmp_path / "three"))


# --- a large file read in parts ----------------------------------------------------------------------


class TestLargeFilesInParts:
    def test_each_part_of_a_big_file_is_a_task_and_the_export_is_the_local_one(self, tmp_path, monkeypatch):
        source = write_big_files(tmp_path / "c")
        export(source, tmp_path / "local", errors="report")  # one process: nothing is cut
        items = []
        real = nray._parts
        monkeypatch.setattr(nray, "_parts", lambda *args: items.append(real(*args)) or items[-1])
        sources.clear_read_memos()  # as in a fresh driver
        on_driver = []  # the reading before the build (types, ids of the parts) runs as tasks, not here
        for name in ("_rows_jsonl", "_rows_parquet"):
            rows = getattr(sources, name)
            monkeypatch.setattr(sources, name, lambda item, rows=rows: on_driver.append(item) or rows(item))
        export(source, tmp_path / "ray", engine="ray", errors="report", part_bytes=300)
        assert on_driver == []
        (parts,) = items
        assert len(parts) > 8 and {item.path for item in parts if item.is_part} >= {str(source / "big.jsonl"), str(source / "rows.parquet")}
        assert_same_export(tmp_path / "ray", tmp_path / "local")
        report = json.loads((tmp_path / "ray" / REPORT_FILENAME).read_text())["articles"]
        assert sum(r["reason"].startswith("duplicate id") for r in report["rejects"]) == 4  # across parts too
        # the shards are cut per part: a split's rows come from many parts
        assert len(list((tmp_path / "ray" / "articles").glob("*/train-*.parquet"))) > 4
        train = nray.read(source, "lines", split="train", errors="report", part_bytes=300).take_all()
        assert train == load(source, "lines", split="train", errors="report").to_list()

    def test_a_bad_line_in_a_later_part_raises_the_local_error(self, tmp_path):
        path = write_jsonl(tmp_path / "c" / "big.jsonl", [{"raw": f"Article {i} is fine."} for i in range(40)])
        path.write_bytes(path.read_bytes() + b'{"raw": "broken\n' + b'{"raw": "after it."}\n')
        with pytest.raises(ValueError) as local:
            export(path, tmp_path / "local")
        with pytest.raises(newspairs.SourceError) as remote:
            export(path, tmp_path / "ray", engine="ray", part_bytes=200)
        assert str(remote.value) == str(local.value) and "line 41" in str(local.value)


def test_a_read_actor_logs_each_reject_once(tmp_path, caplog):
    """An actor of `newspairs.ray.read` with errors="report" logs a reject as a streaming load does: once
    (the builder's reading logs it; the actor logged it a second time). Run in this process: a Ray
    worker's log goes to its own files."""
    import pyarrow as pa

    source = write_pairs(tmp_path / "c")
    (source / "normalized" / "market.txt").write_text("a\nb", encoding="utf-8")
    inputs, options, ratios, part_bytes = onepass.settings(source, ["articles"], "report", {})
    features, json_types = onepass.features_and_types(inputs, options, ["articles"])
    actor = nray._ReadRows(cwd=os.getcwd(), config="articles", features=features["articles"], json_types=json_types,
                           options=options, errors="report", ratios=ratios)
    with caplog.at_level("WARNING"):
        tables = list(actor(pa.Table.from_pylist(onepass._items(inputs, part_bytes, 1))))
    assert sum(table.num_rows for table in tables) == len(inputs) - 1
    rejected = [record.getMessage() for record in caplog.records if record.getMessage().startswith("newspairs: rejected")]
    assert len(rejected) == 1 and rejected[0].startswith(f"newspairs: rejected {source / 'raw' / 'market.txt'}, article raw/market.txt")


def test_a_read_actor_tells_a_bad_article_as_rays_user_code_error(tmp_path, caplog):
    """`newspairs.ray.read` with errors="raise": its actor is a generator, whose error Ray does not
    wrap as it wraps a function's, and dumped it as a bug of Ray's own ("please open an issue on the
    Ray project", about 150 lines). It is now Ray's error of user code, as `normalize`'s and
    `encode`'s are, holding newspairs' line (with Ray's own switch, newspairs' error itself: below)."""
    (tmp_path / "good.txt").write_text("Fine.\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"Fine.\nNot \xff UTF-8.\n")
    line = f"{tmp_path / 'bad.txt'}, article bad.txt, line 2: not UTF-8 (undecodable bytes)"
    with caplog.at_level("ERROR"), pytest.raises(ray.exceptions.UserCodeException) as raised:
        nray.read(str(tmp_path), "lines").take_all()
    assert line in str(raised.value)
    assert not [record for record in caplog.records if "internal code" in record.getMessage()]


def test_a_read_actor_tells_a_bad_article_as_newspairs_error_with_rays_switch(tmp_path):
    """With Ray's raise_original_map_exception, newspairs' SourceError itself. A test of its own: the
    first read's error, which pytest's log capture holds to the end of the test (Ray logs it with the
    exception), kept the pool's actors and both CPUs, and this read waited for ever (CI, 1 run in 6)."""
    (tmp_path / "good.txt").write_text("Fine.\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"Fine.\nNot \xff UTF-8.\n")
    line = f"{tmp_path / 'bad.txt'}, article bad.txt, line 2: not UTF-8 (undecodable bytes)"
    context = ray.data.DataContext.get_current()
    context.raise_original_map_exception = True
    try:
        with pytest.raises(newspairs.SourceError, match=re.escape(line)):
            nray.read(str(tmp_path), "lines").take_all()
    finally:
        context.raise_original_map_exception = False


def test_ctrl_c_while_ray_starts_is_held_until_it_has_started():
    """An interrupt inside ray.init left a driver that crashed as it exited (SIGSEGV, status 139,
    after "newspairs: interrupted", 0.5-1 s after Ray started): held, it is raised once init returns."""
    import signal

    reached = []
    # Python's own Ctrl-C handler, whatever this process got (a background job ignores SIGINT)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            with nray._sigterm_kept():
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.2)  # an interrupt not held is raised here
                reached.append("the end of the block")
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, before)
    assert reached == ["the end of the block"]


def test_read_names_an_unknown_option_as_load_does(tmp_path):
    """It was a TypeError of an internal class ("NewsPairsConfig.__init__() got an unexpected keyword")."""
    (tmp_path / "a.txt").write_text("Fine.\n", encoding="utf-8")
    with pytest.raises(ValueError) as local:
        load(str(tmp_path), sentence="punkt")
    with pytest.raises(ValueError) as remote:
        nray.read(str(tmp_path), sentence="punkt")
    assert str(remote.value) == str(local.value) and str(local.value).startswith("unknown option 'sentence': the options are")


def test_sigterm_stops_a_ray_export_as_it_stops_a_local_one(tmp_path):
    """ray.init put in Ray's own SIGTERM handler (sys.exit) in place of the command line's: a Ray
    export stopped by timeout or a scheduler died of SIGABRT with a C-level dump (status 134), or
    with status 15 while Ray started, never "newspairs: terminated", 143."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("RAY_ADDRESS", None)
    status, err = export_stopped_by_sigterm(tmp_path, 40000, "--engine", "ray", "--num-cpus", "1",
                                            ready=".out.*/.export-parts", env=env, timeout=180)
    assert status == 143, err[-3000:]
    assert err.splitlines()[-1] == "newspairs: terminated"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["big.jsonl"]


def test_an_encode_actor_keeps_a_unigram_models_sampling():
    """tokenizer.json leaves out a unigram model's sampling (alpha, nbest_size): an actor built from it
    cut every word the same way, every call, and kept the ids, where the tokenizer samples anew."""
    from tokenizers import models

    tokenizer = newspairs.train_tokenizer(newspairs.load(split="train"), model="unigram", vocab_size=300, show_progress=False)
    tokenizer.model.alpha, tokenizer.model.nbest_size = 0.5, 4
    captured = {}

    class FakeDataset:
        def columns(self, fetch_if_missing=False):
            return ["raw"]

        def map_batches(self, actor, **kwargs):
            captured.update(kwargs["fn_constructor_kwargs"])
            return self

    nray.encode(FakeDataset(), tokenizer)
    actor = nray._Encode(**captured)
    model = actor.encoder._configured.model
    assert isinstance(model, models.Unigram) and (model.alpha, model.nbest_size) == (0.5, 4)
    assert actor.encoder._word_ids is None  # no ids kept: each call asks the model
