"""Export: Parquet + card that plain `datasets.load_dataset` reads row for row; the demo/export/verify commands."""

from __future__ import annotations

import io
import json
import os
import re
import stat
from collections import Counter
from pathlib import Path

import datasets
import pytest
import yaml

import newspairs
from newspairs.builder import CONFIG_NAMES, NothingToError, load
from newspairs.cli import main
from newspairs.export import CARD_FILENAME, MANIFEST_FILENAME, REPORT_FILENAME, export, export_summary, read_manifest
from newspairs.stamp import STAMP_FILENAME, Stamp, normalization_stamp
from pairs import ARTICLES, isot_rows, write_big_files, write_csv, write_jsonl, write_pairs


def card_yaml(folder) -> dict:
    text = (folder / "README.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---")[1])


def assert_same_rows(exported: datasets.DatasetDict, built: datasets.DatasetDict) -> None:
    assert set(exported) == set(built)
    for split in built:
        assert exported[split].features == built[split].features
        assert exported[split].to_list() == built[split].to_list()


class TestExport:
    def test_load_dataset_of_the_export_gives_the_builders_rows(self, tmp_path):
        out = tmp_path / "out"
        result = export(None, out)
        assert_same_rows(datasets.load_dataset(str(out)), load(None, "articles"))
        assert_same_rows(datasets.load_dataset(str(out), "lines"), load(None, "lines"))
        assert_same_rows(datasets.load_dataset(str(out), "raw"), load(None, "raw"))
        assert set(result.configs) == set(CONFIG_NAMES)

    def test_class_labels_and_metadata_survive_the_round_trip(self, tmp_path):
        write_csv(tmp_path / "isot" / "True-mine.csv", ["title", "text", "subject", "date"], isot_rows())
        write_csv(tmp_path / "isot" / "Fake-mine.csv", ["title", "text", "subject", "date"], isot_rows()[:2])
        export(tmp_path / "isot", tmp_path / "out", configs=["articles"])
        exported = datasets.load_dataset(str(tmp_path / "out"))
        assert_same_rows(exported, load(tmp_path / "isot"))
        assert exported["train"].features["label"] == datasets.ClassLabel(names=["Fake", "True"])

    def test_card_yaml_has_configs_default_dataset_info_and_stamp(self, tmp_path):
        export(None, tmp_path / "out")
        card = card_yaml(tmp_path / "out")
        configs = {config["config_name"]: config for config in card["configs"]}
        assert list(configs) == list(CONFIG_NAMES)
        assert configs["articles"].get("default") is True and "default" not in configs["lines"]
        for name, config in configs.items():
            for entry in config["data_files"]:
                assert re.fullmatch(rf"{name}/[0-9a-f]{{16}}/{entry['split']}-\*", entry["path"])
        infos = {info["config_name"]: info for info in card["dataset_info"]}
        built = load(None)
        assert {s["name"]: s["num_examples"] for s in infos["articles"]["splits"]} == {k: len(v) for k, v in built.items()}
        stamp = normalization_stamp()
        assert Stamp.from_dict(card["newspairs_stamp"]) == stamp
        assert Stamp.from_json((tmp_path / "out" / STAMP_FILENAME).read_text()) == stamp

    def test_shards_follow_the_push_to_hub_layout(self, tmp_path):
        source = write_pairs(tmp_path / "c", {f"a{i}.txt": f"Article {i} is here, it's long enough. " * 20 for i in range(40)})
        result = export(source, tmp_path / "out", configs=["articles"], max_shard_size=2000)
        names = sorted(path.name for path in (tmp_path / "out" / "articles").glob("*/*"))
        assert len(names) > 3 and all(re.fullmatch(r"(train|validation|test)-\d{5}-of-\d{5}\.parquet", n) for n in names)
        assert {path.name for path in result.files} == set(names)
        assert_same_rows(datasets.load_dataset(str(tmp_path / "out")), load(source))

    def test_shards_are_written_as_push_to_hub_writes_parquet(self, tmp_path):
        """Content-defined pages and a page index, as `datasets` writes Parquet for the Hub: a
        republished export shares its unchanged pages with the last upload. A table written by the
        export's writer is the file `Dataset.to_parquet` writes, byte for byte."""
        import json

        import pyarrow.parquet as pq
        from datasets import config

        from newspairs.onepass import _parquet_writer

        result = export(None, tmp_path / "out")
        for path in result.files:
            metadata = pq.ParquetFile(path).metadata
            assert json.loads(metadata.metadata[b"content_defined_chunking"]) == config.DEFAULT_CDC_OPTIONS
            assert all(metadata.row_group(group).column(column).has_offset_index
                       for group in range(metadata.num_row_groups) for column in range(metadata.num_columns))
        shard = datasets.Dataset(pq.read_table(result.files[0]))
        shard.to_parquet(tmp_path / "theirs.parquet")
        writer = _parquet_writer(str(tmp_path / "ours.parquet"), shard.features.arrow_schema)
        writer.write_table(shard.data.table)
        writer.close()
        assert (tmp_path / "ours.parquet").read_bytes() == (tmp_path / "theirs.parquet").read_bytes()

    def test_one_pass_reads_once_and_leaves_no_datasets_cache(self, tmp_path, monkeypatch):
        """Every config comes from one pass over the source (each file read once), written as it
        goes, in one process or several: no datasets cache, and the same rows."""
        from newspairs import sources

        source = write_pairs(tmp_path / "c")
        reads = []
        real = sources.read_input
        monkeypatch.setattr(sources, "read_input", lambda item, *a, **k: reads.append(item.relpath) or real(item, *a, **k))
        monkeypatch.setattr("newspairs.onepass.read_input", sources.read_input)
        monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
        export(source, tmp_path / "one")
        assert sorted(reads) == sorted(set(reads)) and len(reads) == len(ARTICLES)
        export(source, tmp_path / "two", num_proc=2)
        assert not list((tmp_path / "cache").rglob("newspairs*"))
        for config in CONFIG_NAMES:
            assert_same_rows(datasets.load_dataset(str(tmp_path / "one"), config), datasets.load_dataset(str(tmp_path / "two"), config))

    def test_export_summary_reads_back_features_and_split_sizes(self, tmp_path):
        result = export(None, tmp_path / "out")
        assert export_summary(tmp_path / "out") == result.configs
        with pytest.raises(ValueError, match="not a newspairs export"):
            export_summary(tmp_path)

    def test_report_file_reconciles_with_rejects(self, tmp_path):
        source = write_pairs(tmp_path / "c")
        (source / "normalized" / "ferry.txt").unlink()
        result = export(source, tmp_path / "out", errors="report")
        report = json.loads((tmp_path / "out" / REPORT_FILENAME).read_text())
        for name in CONFIG_NAMES:
            assert report[name]["read"] == len(ARTICLES) and report[name]["rejected"] == 1
            assert report[name]["reconciles"] and result.reports[name].reconciles
            assert report[name]["rejects"][0]["reason"] == "a raw file without its normalized twin"

    def test_out_must_be_new_empty_or_a_previous_export(self, tmp_path):
        (tmp_path / "busy").mkdir()
        (tmp_path / "busy" / "keep.txt").write_text("mine")
        with pytest.raises(ValueError, match="not empty and was not written by a newspairs export"):
            export(None, tmp_path / "busy")
        assert (tmp_path / "busy" / "keep.txt").read_text() == "mine"
        export(None, tmp_path / "out", configs=["articles", "lines"])
        export(None, tmp_path / "out", configs=["lines"])  # replaces the previous export
        assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == ["lines"]

    def test_a_failed_build_leaves_no_export(self, tmp_path):
        source = write_pairs(tmp_path / "c")
        (source / "raw" / "ferry.txt").write_bytes(b"\xff")
        with pytest.raises(ValueError, match="not UTF-8"):
            export(source, tmp_path / "out")
        assert not (tmp_path / "out").exists() and not (tmp_path / "out.partial").exists()


def run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


class TestCommands:
    def test_demo_exports_loads_back_and_prints_rows_agreement_and_an_example(self, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        code, text = run("demo")
        assert code == 0
        built = {name: load(None, name) for name in ("articles", "lines")}
        for name, dataset in built.items():
            row = re.search(rf"^  {name}\s+(.*)$", text, re.M).group(1).split()
            assert [int(n) for n in row if n != "0"] == [dataset[s].num_rows for s in dataset]
        agrees = [row["agrees"] for split in built["articles"].values() for row in split]
        assert f"{sum(agrees)} of {len(agrees)} stored normalized sides" in text
        assert "example (articles" in text and "example (lines" in text
        assert (tmp_path / "newspairs-demo" / "README.md").is_file()
        # issue 20: the seed article as one ISOT paragraph comes back as the seed pair, split by Punkt
        assert "16 sentence lines; raw and normalized equal to the embedded seed-reuters-2017.txt pair: yes" in text
        assert "demo" not in " ".join(path.name for path in tmp_path.iterdir() if path.name != "newspairs-demo")

    def test_demo_without_the_sentences_extra_says_how_to_get_it(self, tmp_path, monkeypatch):
        import newspairs.sentences

        def missing(name=None):
            raise ValueError("sentences='punkt' needs pip install 'newspairs[sentences]'")

        monkeypatch.setattr(newspairs.sentences, "check", missing)
        code, text = run("demo", "--out", str(tmp_path / "d"))
        assert code == 0 and "pip install -e '.[sentences]' to see a paragraph article" in text

    def test_demo_takes_a_source_and_an_out_folder(self, tmp_path):
        source = write_pairs(tmp_path / "c", {f"a{i}.txt": f"Article {i}." for i in range(10)})
        code, text = run("demo", str(source), "--out", str(tmp_path / "d"))
        assert code == 0 and "10 of 10 stored normalized sides" in text
        assert datasets.load_dataset(str(tmp_path / "d"), "lines")

    def test_export_command_prints_the_summary_and_rejects(self, tmp_path):
        source = write_pairs(tmp_path / "c")
        (source / "normalized" / "market.txt").write_text("a\nb", encoding="utf-8")
        code, text = run("export", str(source), str(tmp_path / "out"), "--config", "articles", "--errors", "report")
        assert code == 0
        assert f"{len(ARTICLES)} articles read = {len(ARTICLES) - 1} written + 1 rejected" in text
        assert re.search(r"rejected \(articles\): .*market.txt, article raw/market.txt, line 2: raw has 1 line,", text)

    def test_export_command_error_is_one_line_and_exit_1(self, tmp_path, capsys):
        source = write_pairs(tmp_path / "c")
        (source / "normalized" / "market.txt").unlink()
        assert main(["export", str(source), str(tmp_path / "out")]) == 1
        last = capsys.readouterr().err.strip().splitlines()[-1]
        assert re.match(r"newspairs: error: .*market.txt, article raw/market.txt: a raw file without", last)

    def test_verify_prints_the_count_and_a_diff_per_disagreement(self, tmp_path):
        source = write_pairs(tmp_path / "c")
        (source / "normalized" / "ferry.txt").write_text(
            newspairs.normalize(ARTICLES["ferry.txt"]).replace("did n't", "didn't"), encoding="utf-8"
        )
        code, text = run("verify", str(source))
        assert code == 1
        assert f"{len(ARTICLES)} pairs checked: {len(ARTICLES) - 1} agree, 1 disagree" in text
        assert "--- normalized/ferry.txt (stored)" in text and "+++ raw/ferry.txt (newspairs.normalize)" in text
        assert "-the ferry didn't sail on tuesday ." in text and "+the ferry did n't sail on tuesday ." in text

    def test_verify_counts_articles_set_aside_without_failing(self, tmp_path):
        # ISOT's title-only rows are empty articles: verify failed on them as unreadable
        source = write_pairs(tmp_path / "c")
        (source / "raw" / "blank.txt").write_text(" \n", encoding="utf-8")
        (source / "normalized" / "blank.txt").write_text("\n", encoding="utf-8")
        code, text = run("verify", str(source))
        assert code == 0, text
        assert f"{len(ARTICLES)} pairs checked: {len(ARTICLES)} agree, 0 disagree" in text
        assert "1 article set aside (empty, or a duplicate of one read)" in text and "unreadable" not in text
        (source / "normalized" / "ferry.txt").unlink()  # a mistake still fails
        code, text = run("verify", str(source))
        assert code == 1 and "unreadable: " in text and "raw/ferry.txt" in text

    @pytest.mark.parametrize(("records", "summary"), [
        ([{"raw": "a\nb", "normalized": "a"}], "no pair checked: no article was read; 1 article could not be read"),
        ([{"raw": "One."}, {"raw": "a\nb", "normalized": "a"}],
         "no pair checked: no article read has a stored normalized side; 1 article without a normalized side; "
         "1 article could not be read"),
    ], ids=["every-pair-unreadable", "raw-only-read-and-a-pair-unreadable"])
    def test_verify_with_no_pair_checked_says_why(self, tmp_path, records, summary):
        # it said "the source has no stored normalized side" also when the pairs were there, unreadable
        code, text = run("verify", str(write_jsonl(tmp_path / "p.jsonl", records)))
        assert text.splitlines()[0] == summary
        assert code == 1

    def test_verify_of_the_default_data_counts_what_normalize_says(self):
        code, text = run("verify")
        pairs = [row for split in load(None).values() for row in split]
        disagree = sum(not row["agrees"] for row in pairs)
        assert f"{len(pairs)} pairs checked: {len(pairs) - disagree} agree, {disagree} disagree" in text
        assert code == (1 if disagree else 0)

    @pytest.mark.parametrize("command", ["demo", "export", "verify"])
    def test_every_loader_command_has_help_and_is_in_the_readme(self, command, capsys):
        from conftest import REPO

        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert len(capsys.readouterr().out) > 200
        assert f"newspairs {command}" in (REPO / "README.md").read_text(encoding="utf-8")


class TestWhatAnExportMayReplace:
    """Class: an export replaces only what an earlier export wrote (its manifest), never anything else,
    and removes only the temporary folders it made itself."""

    def test_a_model_folder_with_a_newspairs_tokenizer_is_refused_and_left_whole(self, tmp_path):
        from newspairs.train import raw_texts_of, save_tokenizer_folder, train_tokenizer, TrainingConfig

        model = tmp_path / "model"
        save_tokenizer_folder(train_tokenizer(raw_texts_of(None), TrainingConfig(model="wordlevel", vocab_size=200, show_progress=False)), model)
        (model / "model.safetensors").write_bytes(b"weights")
        before = {path.name: path.read_bytes() for path in model.iterdir()}
        with pytest.raises(ValueError, match="not written by a newspairs export"):
            export(None, model, configs=["articles"])
        assert {path.name: path.read_bytes() for path in model.iterdir()} == before

    def test_re_exporting_into_a_clone_keeps_what_the_export_did_not_write(self, tmp_path):
        out = tmp_path / "clone"
        export(None, out, configs=["articles", "lines"])
        (out / ".git").mkdir()
        (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
        (out / "LICENSE").write_text("CC-BY-4.0")
        export(None, out, configs=["lines"])
        assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
        assert (out / "LICENSE").read_text() == "CC-BY-4.0"
        assert not (out / "articles").exists()  # the earlier export's shards of a config no longer exported
        assert_same_rows(datasets.load_dataset(str(out), "lines"), load(None, "lines"))

    def test_a_file_of_the_user_where_the_export_would_write_is_refused(self, tmp_path):
        out = tmp_path / "out"
        export(None, out, configs=["lines"])
        manifest = json.loads((out / MANIFEST_FILENAME).read_text())
        manifest["files"].remove("README.md")  # as if the user had put README.md there
        (out / MANIFEST_FILENAME).write_text(json.dumps(manifest))
        (out / "README.md").write_text("my own readme")
        with pytest.raises(ValueError, match="README.md"):
            export(None, out, configs=["lines"])
        assert (out / "README.md").read_text() == "my own readme"

    def test_a_sibling_partial_folder_of_the_user_is_left_alone(self, tmp_path):
        (tmp_path / "out.partial").mkdir()
        (tmp_path / "out.partial" / "notes.txt").write_text("mine")
        export(None, tmp_path / "out", configs=["lines"])
        assert (tmp_path / "out.partial" / "notes.txt").read_text() == "mine"
        assert sorted(path.name for path in tmp_path.iterdir()) == ["out", "out.partial"]


def test_the_report_names_files_relative_to_the_source_not_by_local_paths(tmp_path):
    """Class: what an export writes names input files as the ids do, relative to the source entry,
    never by this machine's absolute paths."""
    source = write_pairs(tmp_path / "c")
    (source / "normalized" / "ferry.txt").write_text("one line only", encoding="utf-8")
    (source / "normalized" / "gone.txt").write_text("orphan", encoding="utf-8")
    export(source, tmp_path / "out", configs=["articles"], errors="report")
    text = (tmp_path / "out" / REPORT_FILENAME).read_text()
    assert str(tmp_path) not in text
    rejects = json.loads(text)["articles"]["rejects"]
    assert sorted(reject["file"] for reject in rejects) == ["normalized/gone.txt", "raw/ferry.txt"]


@pytest.mark.parametrize(
    "make",
    [
        lambda tmp: write_csv(tmp / "empty.csv", ["raw", "desk"], []),
        lambda tmp: (tmp / "empty.jsonl").write_text("") and None or tmp / "empty.jsonl",
        lambda tmp: write_csv(tmp / "t.csv", ["raw"], [[""], ["  "]]),
    ],
    ids=["header-only-csv", "empty-jsonl", "only-empty-articles"],
)
def test_a_source_with_no_article_is_an_error_and_writes_nothing(tmp_path, make, capsys):
    """Class: an export of no article (an empty file, every article empty or rejected) is a clear
    error, exit 1 from the CLI, and nothing is written (datasets.load_dataset could not read it)."""
    source = make(tmp_path)
    with pytest.raises(ValueError, match="no article to export"):
        export(source, tmp_path / "out", errors="report")
    assert not (tmp_path / "out").exists()
    assert main(["export", str(source), str(tmp_path / "out2"), "--errors", "report"]) == 1
    assert "no article to export" in capsys.readouterr().err and not (tmp_path / "out2").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == [source.name]


def test_an_export_of_every_article_rejected_lists_each_reject_and_names_the_first_fully(tmp_path, capsys):
    """With --errors report and every article rejected, the one error named the first reject's file
    and reason only (no article, no line), the sources as a Python list, and the other reasons nowhere."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x"}\n{"text": "y"}\n', encoding="utf-8")
    pairs = write_pairs(tmp_path / "p", {"a.txt": "A.\nB."})
    (pairs / "normalized" / "a.txt").write_text("a .\n", encoding="utf-8")
    with pytest.raises(NothingToError) as raised:
        export([str(bad), str(pairs)], tmp_path / "out", errors="report")
    assert str(raised.value).startswith(f"{bad}, {pairs}: no article to export (3 read, 3 rejected; the first: "
                                        f"{bad}, article line 1, line 1: no raw key 'raw' (keys: text)): nothing written")
    assert [len(report.rejects) for report in raised.value.reports] == [3, 3, 3]
    assert main(["export", str(bad), str(pairs), str(tmp_path / "out"), "--errors", "report", "--quiet"]) == 1
    captured = capsys.readouterr()
    # named as an export that writes lists them (and its report file holds them): within the source
    assert captured.out.splitlines() == [
        "rejected (articles, lines, raw): bad.jsonl, article line 1, line 1: no raw key 'raw' (keys: text)",
        "rejected (articles, lines, raw): bad.jsonl, article line 2, line 2: no raw key 'raw' (keys: text)",
        "rejected (articles, lines, raw): raw/a.txt, article raw/a.txt, line 2: raw has 2 lines, its normalized twin normalized/a.txt has 1",
    ]
    assert len(captured.err.splitlines()) == 1 and not (tmp_path / "out").exists()


def assert_same_export(got, want) -> None:
    """Row for row through plain datasets.load_dataset, the same card counts and stamp, the same report."""
    for config in CONFIG_NAMES:
        assert_same_rows(datasets.load_dataset(str(got), config), datasets.load_dataset(str(want), config))
    counts = lambda card: [(info["config_name"], [(s["name"], s["num_examples"]) for s in info["splits"]])  # noqa: E731
                           for info in card["dataset_info"]]
    assert counts(card_yaml(got)) == counts(card_yaml(want))
    assert card_yaml(got)["newspairs_stamp"] == card_yaml(want)["newspairs_stamp"]
    for name in (STAMP_FILENAME, REPORT_FILENAME):
        assert (got / name).read_text() == (want / name).read_text(), name


def test_an_export_with_large_files_read_in_parts_is_the_one_process_export(tmp_path, monkeypatch):
    from newspairs import sources

    source = write_big_files(tmp_path / "c")
    export(source, tmp_path / "one", errors="report")
    cut = []
    split_inputs = sources.split_inputs
    monkeypatch.setattr(sources, "split_inputs", lambda *a, **k: cut.append(split_inputs(*a, **k)) or cut[-1])
    export(source, tmp_path / "two", errors="report", num_proc=2, part_bytes=300)
    assert_same_export(tmp_path / "two", tmp_path / "one")
    assert len(cut) == 1 and all(sum(item.is_part for item in parts) > 8 for parts in cut)  # one pass, all configs
    cut.clear()  # the command's option: 1KB parts (at least two a file)
    code, _ = run("export", str(source), str(tmp_path / "cli"), "--num-proc", "2", "--part-size", "1KB", "--errors", "report")
    assert code == 0 and len(cut) == 1
    for parts in cut:  # each file over 1KB in at least two parts (one per worker), the small one whole
        assert sorted(Counter(Path(item.path).name for item in parts if item.is_part).items())[0] == ("big.jsonl", 2)
        assert Counter(Path(item.path).name for item in parts)["rows.parquet"] >= 2 and len(parts) >= 5
    assert_same_export(tmp_path / "cli", tmp_path / "one")


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, relative to it, with its bytes (links not followed)."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def assert_lone_export(parent: Path, *names: str) -> None:
    """``parent`` holds ``names`` alone: no staging folder was made inside OUT or left beside it."""
    assert sorted(path.name for path in parent.iterdir()) == sorted(names)


class TestWhereTheExportLands:
    """Class: OUT is the folder the user named, however spelled (``.``, ``..``, a link to a folder),
    readable by whoever may read a folder the user makes, and readable back by `datasets.load_dataset`."""

    @pytest.mark.parametrize(
        ("umask", "existing", "mode"),
        [(0o022, None, 0o755), (0o027, None, 0o750), (0o022, 0o750, 0o750), (0o077, 0o755, 0o755)],
        ids=["absent-umask-022", "absent-umask-027", "existing-0750-kept", "existing-0755-kept-under-umask-077"],
    )
    def test_out_has_the_mode_a_plain_mkdir_gives_or_keeps_its_own(self, tmp_path, umask, existing, mode):
        out = tmp_path / "out"
        if existing is not None:
            out.mkdir()
            out.chmod(existing)
        old = os.umask(umask)
        try:
            export(None, out, configs=["lines"])
        finally:
            os.umask(old)
        assert stat.S_IMODE(out.stat().st_mode) == mode

    @pytest.mark.parametrize(("cwd", "spelled"), [("out", "."), ("out", "./"), ("out/sub", "..")],
                             ids=["dot", "dot-slash", "dot-dot-from-a-subfolder"])
    def test_out_spelled_relative_to_the_current_folder(self, tmp_path, monkeypatch, cwd, spelled):
        (tmp_path / cwd).mkdir(parents=True)
        monkeypatch.chdir(tmp_path / cwd)
        export(None, spelled, configs=["lines"])
        export(None, spelled, configs=["lines"])  # again: the current folder is still the export's
        assert_same_rows(datasets.load_dataset(str(tmp_path / "out"), "lines"), load(None, "lines"))
        assert_lone_export(tmp_path, "out")

    @pytest.mark.parametrize("dry_run", [False, True], ids=["export", "publish-dry-run"])
    def test_an_empty_out_is_refused_even_where_the_current_folder_is_empty(self, tmp_path, monkeypatch, dry_run):
        from newspairs.card import CardOptions
        from newspairs.hub import publish

        monkeypatch.chdir(tmp_path)
        with pytest.raises(ValueError, match=r'^out is empty: name a folder \("\." for the current one\)$'):
            if dry_run:
                publish(None, CardOptions(license="mit", repo_id="me/pairs"), dry_run="")
            else:
                export(None, "")
        assert not list(tmp_path.iterdir())

    @pytest.mark.parametrize("before", ["empty", "an-earlier-export"])
    def test_a_link_to_a_folder_is_followed_and_kept(self, tmp_path, before):
        target = tmp_path / "disk" / "target"
        target.mkdir(parents=True)
        if before == "an-earlier-export":
            export(None, target, configs=["raw"])
        (tmp_path / "out").symlink_to(target)
        result = export(None, tmp_path / "out", configs=["lines"])
        assert (tmp_path / "out").is_symlink() and os.readlink(tmp_path / "out") == str(target)
        assert result.out == tmp_path / "out" and all(path.is_file() for path in result.files)
        assert sorted(path.name for path in target.iterdir() if path.is_dir()) == ["lines"]
        assert_same_rows(datasets.load_dataset(str(tmp_path / "out"), "lines"), load(None, "lines"))
        assert_lone_export(tmp_path, "disk", "out")
        assert_lone_export(tmp_path / "disk", "target")

    @pytest.mark.parametrize(("parent", "name"), [("", "run[1]"), ("b[1]", "out")], ids=["in-its-name", "in-a-parent-folder"])
    def test_a_path_load_dataset_would_read_as_a_glob_is_refused_up_front(self, tmp_path, monkeypatch, parent, name):
        """datasets globs the card's data_files under the folder's absolute path, where [1] is a set
        of characters: nothing would load. Refused before the build, naming the path."""
        (tmp_path / parent).mkdir(exist_ok=True)
        monkeypatch.chdir(tmp_path / parent)
        with pytest.raises(ValueError, match=re.escape(f"{name}: datasets.load_dataset could not read an export there")):
            export(None, name, configs=["lines"])
        assert list((tmp_path / parent).iterdir()) == []

    @pytest.mark.parametrize("configs", [["lines", "lines"], ["raw", "articles", "raw"]], ids=["twice", "first-again-last"])
    def test_a_config_given_twice_is_exported_once(self, tmp_path, configs):
        result = export(None, tmp_path / "out", configs=configs)
        assert list(result.configs) == list(dict.fromkeys(configs))
        entries = card_yaml(tmp_path / "out")["configs"]
        assert sorted(entry["config_name"] for entry in entries) == sorted(set(configs))
        assert [entry["config_name"] for entry in entries if entry.get("default")] == configs[:1]


def _digest_folder(tmp_path: Path, config: str) -> str:
    """The <config>/<digest> folder an export of the default data writes."""
    (folder,) = (export(None, tmp_path / "probe", configs=[config]).out / config).iterdir()
    return f"{config}/{folder.name}"


class TestAnInstallThatStops:
    """Class: OUT holding files of the user's (a git clone) gets the export file by file; what stands in
    the way is refused before anything moves, and an install that stops leaves OUT as it was, or (a
    crash) with every newspairs file listed in the manifest, so that a re-run repairs it."""

    @pytest.mark.parametrize(
        "blocker",
        [
            pytest.param(lambda out, tmp: (out / "lines").write_text("notes") and "lines", id="file-where-a-config-folder-goes"),
            pytest.param(lambda out, tmp: (out / "lines").mkdir() or (out / _digest_folder(tmp, "lines")).write_text("notes")
                         and _digest_folder(tmp, "lines"), id="file-where-a-shard-folder-goes"),
            pytest.param(lambda out, tmp: (tmp / "elsewhere").mkdir() or (out / "lines").symlink_to(tmp / "elsewhere") or "lines",
                         id="link-where-a-config-folder-goes"),
        ],
    )
    def test_what_of_the_user_stands_where_a_folder_goes_is_refused_before_anything_moves(self, tmp_path, blocker):
        out = tmp_path / "out"
        export(None, out, configs=["articles"])
        (out / "LICENSE").write_text("mine")
        name = blocker(out, tmp_path)
        before = files_of(out)
        with pytest.raises(ValueError, match=re.escape(f"would replace {name}, which no newspairs export wrote")):
            export(None, out, configs=["articles", "lines"])
        assert files_of(out) == before
        assert_lone_export(tmp_path, *{"out", "probe", "elsewhere"} & {p.name for p in tmp_path.iterdir()})

    @staticmethod
    def _stopping(monkeypatch, at: int, error: BaseException) -> None:
        """The install's ``at``-th move raises ``error`` (Ctrl-C, a full disk)."""
        import newspairs.export as module

        real_install, real_replace, calls = module.install, os.replace, [0]

        def replace(a, b):
            calls[0] += 1
            if calls[0] == at:
                raise error
            return real_replace(a, b)

        def install(*args):
            monkeypatch.setattr(module.os, "replace", replace)
            try:
                return real_install(*args)
            finally:
                monkeypatch.setattr(module.os, "replace", real_replace)

        monkeypatch.setattr(module, "install", install)

    @pytest.mark.parametrize("at", [2, 3, 6], ids=lambda at: f"move-{at}")
    @pytest.mark.parametrize("error", [KeyboardInterrupt(), OSError(28, "No space left on device")], ids=["ctrl-c", "disk-full"])
    def test_an_install_that_stops_leaves_out_as_it_was(self, tmp_path, monkeypatch, at, error):
        out = tmp_path / "out"
        export(write_pairs(tmp_path / "old", {"a.txt": "Old."}), out, configs=["articles", "raw"])
        (out / "LICENSE").write_text("mine")
        before = files_of(out)
        self._stopping(monkeypatch, at, error)
        with pytest.raises(type(error)):
            export(None, out, configs=["articles", "lines"])
        assert files_of(out) == before
        assert_lone_export(tmp_path, "old", "out")
        monkeypatch.undo()
        export(None, out, configs=["articles", "lines"])
        assert_same_rows(datasets.load_dataset(str(out), "lines"), load(None, "lines"))
        assert (out / "LICENSE").read_text() == "mine" and not (out / "raw").exists()

    @pytest.mark.parametrize("at", [3, 6, 9], ids=lambda at: f"move-{at}")
    def test_a_crash_mid_install_leaves_every_newspairs_file_listed_and_a_re_run_repairs_it(self, tmp_path, monkeypatch, at):
        """A crash (no undo) mid-install: the old card still reads; a re-run replaces the rest."""
        import newspairs.export as module

        out = tmp_path / "out"
        export(write_pairs(tmp_path / "old", {"a.txt": "Old."}), out, configs=["articles", "raw"])
        (out / "LICENSE").write_text("mine")
        self._stopping(monkeypatch, at, KeyboardInterrupt())
        monkeypatch.setattr(module, "_undo_moves", lambda *args: None, raising=False)
        with pytest.raises(KeyboardInterrupt):
            export(None, out, configs=["articles", "lines"])
        listed = set(json.loads((out / MANIFEST_FILENAME).read_text())["files"]) | {MANIFEST_FILENAME, "LICENSE"}
        assert set(files_of(out)) <= listed
        monkeypatch.undo()
        export(None, out, configs=["articles", "lines"])
        assert_same_rows(datasets.load_dataset(str(out), "lines"), load(None, "lines"))
        assert (out / "LICENSE").read_text() == "mine" and not (out / "raw").exists()


class TestOutOnAnotherFileSystem:
    """OUT a mount point (a volume, NFS, a bucket mounted as a folder): its staging folder is beside
    it, on the parent's file system, where a rename into OUT fails with EXDEV."""

    @staticmethod
    def _two_file_systems(monkeypatch, out: Path) -> list[str]:
        """``os.replace`` in newspairs.export refuses any move into or out of ``out`` from outside it."""
        import errno

        import newspairs.export as module

        real_replace, refused = os.replace, []

        def replace(source, target):
            inside = [Path(os.path.abspath(path)).is_relative_to(out) for path in (source, target)]
            if inside[0] != inside[1]:
                refused.append(str(target))
                raise OSError(errno.EXDEV, "Invalid cross-device link")
            return real_replace(source, target)

        monkeypatch.setattr(module.os, "replace", replace)
        monkeypatch.setattr(module.os, "link", lambda *args: (_ for _ in ()).throw(OSError(errno.EXDEV, "Invalid cross-device link")))
        return refused

    @pytest.mark.parametrize("before", ["empty", "an-earlier-export"])
    def test_an_export_into_a_mount_point(self, tmp_path, monkeypatch, before):
        out = tmp_path / "vol"
        out.mkdir()
        mine = set()
        if before == "an-earlier-export":
            export(write_pairs(tmp_path / "old", {"a.txt": "Old."}), out, configs=["articles", "raw"])
            (out / "LICENSE").write_text("mine")
            mine = {"LICENSE"}
        refused = self._two_file_systems(monkeypatch, out.resolve())
        export(None, out, configs=["articles", "lines"])
        assert refused  # the moves did cross
        assert_same_rows(datasets.load_dataset(str(out), "lines"), load(None, "lines"))
        assert not (out / "raw").exists() and all((out / name).read_text() == "mine" for name in mine)
        assert set(files_of(out)) == set(read_manifest(out)) | {MANIFEST_FILENAME} | mine
        assert_lone_export(tmp_path, *{"vol", "old"} & {p.name for p in tmp_path.iterdir()})

    def test_an_install_stopped_on_another_file_system_is_undone(self, tmp_path, monkeypatch):
        out = tmp_path / "vol"
        export(write_pairs(tmp_path / "old", {"a.txt": "Old."}), out, configs=["articles", "raw"])
        before = files_of(out)
        self._two_file_systems(monkeypatch, out.resolve())
        import newspairs.export as module

        real_copy, calls = module.shutil.copy2, [0]

        def copy2(source, target):
            calls[0] += 1
            if calls[0] == 4:
                raise KeyboardInterrupt
            return real_copy(source, target)

        monkeypatch.setattr(module.shutil, "copy2", copy2)
        with pytest.raises(KeyboardInterrupt):
            export(None, out, configs=["articles", "lines"])
        assert files_of(out) == before
        assert_lone_export(tmp_path, "old", "vol")


def test_a_crash_at_any_move_leaves_a_card_that_reads(tmp_path, monkeypatch):
    """A file that replaces one of the earlier export's was set aside, then moved in: a crash between
    the two left OUT without its card (or a shard). Each move now replaces in one step."""
    import newspairs.export as module

    old = write_pairs(tmp_path / "old", {"a.txt": "Old."})
    real_replace, calls, crash_at = os.replace, [0], [0]

    def replace(source, target):
        calls[0] += 1
        if calls[0] == crash_at[0]:
            raise SystemExit("crash")  # no undo: as a killed process
        return real_replace(source, target)

    monkeypatch.setattr(module, "_undo_moves", lambda *args: None)
    monkeypatch.setattr(module.os, "replace", replace)
    out = tmp_path / "out"
    export(old, out, configs=["articles"])
    calls[0] = 0
    export(old, out, configs=["articles"])  # counts the moves of a re-export into an earlier one
    moves = calls[0]
    assert moves >= 4
    for at in range(1, moves + 1):
        calls[0], crash_at[0] = 0, at
        with pytest.raises(SystemExit):
            export(old, out, configs=["articles"])
        crash_at[0] = 0
        assert (out / CARD_FILENAME).is_file(), f"no card after a crash at move {at} of {moves}"
        assert_same_rows(datasets.load_dataset(str(out), "articles"), load(old, "articles"))


def test_a_link_to_a_folder_datasets_reads_as_a_glob_is_refused_up_front(tmp_path):
    (tmp_path / "batch[1]").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "batch[1]")
    with pytest.raises(ValueError, match=r"batch\[1\]: datasets.load_dataset could not read an export there"):
        export(None, tmp_path / "out", configs=["lines"])
    assert list((tmp_path / "batch[1]").iterdir()) == []


def test_a_failed_export_leaves_no_folder_it_made(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"raw": "ok."}\n{"text": "no raw"}\n')
    with pytest.raises(ValueError, match="bad.jsonl"):
        export(bad, tmp_path / "new" / "deeper" / "out", configs=["lines"])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.jsonl"]


def _left_staging(out: Path, owner: dict | None) -> Path:
    """A staging folder beside ``out`` as a run killed outright leaves it, with its owner file."""
    from newspairs.export import STAGING_OWNER_SUFFIX, STAGING_SUFFIX

    folder = out.parent / f".{out.name}.0badc0de{STAGING_SUFFIX}"
    (folder / "articles").mkdir(parents=True)
    (folder / "articles" / "part-0.parquet").write_bytes(b"x" * 1000)
    if owner is not None:
        Path(f"{folder}{STAGING_OWNER_SUFFIX}").write_text(json.dumps(owner), encoding="utf-8")
    return folder


def _gone_process() -> dict:
    import socket
    import subprocess
    import sys

    from newspairs.export import _process_started

    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    started = _process_started(child.pid)
    child.communicate(b"")
    return {"host": socket.gethostname(), "pid": child.pid, "started": started}


@pytest.mark.parametrize(
    ("owner", "removed"),
    [
        (_gone_process, True),
        (lambda: {**_gone_process(), "started": "1"}, True),  # its pid since reused: not the process that made it
        (lambda: json.loads(__import__("newspairs.export").export._owner_of_this_process()), False),  # alive (this one)
        (lambda: {**_gone_process(), "host": "another-machine"}, False),  # a shared file system: not ours to judge
        (lambda: None, False),  # no owner file: not known to be newspairs'
    ],
    ids=["killed", "pid-reused", "alive", "other-host", "no-owner"],
)
def test_a_staging_folder_a_killed_export_left_is_removed_by_the_next(tmp_path, caplog, owner, removed):
    """kill -9 (the OOM killer) left .OUT.*.newspairs-partial beside OUT for ever, hidden; the next
    export to OUT removes it when its process is gone, and says so."""
    out = tmp_path / "out"
    given = owner()
    left = _left_staging(out, given)
    with caplog.at_level("WARNING", logger="newspairs"):
        export(None, out, configs=["raw"])
    assert (f"removed {left}, the staging folder of an earlier run that was killed" in caplog.text) == removed
    kept = [] if removed else [left.name] + ([f"{left.name}.newspairs-owner"] if given is not None else [])
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == sorted(kept)
    assert (out / "raw").is_dir()  # the export itself, and its own staging folder and owner file gone


def test_an_out_name_as_long_as_a_folder_may_have(tmp_path):
    # the staging folder's name is longer than OUT's: it failed past 227 characters
    out = tmp_path / ("o" * 240)
    first = export(None, out, configs=["lines"])
    export(None, out, configs=["lines"])  # again, into the earlier export
    assert all(path.is_file() for path in first.files) and read_manifest(out)
    assert_lone_export(tmp_path, out.name)


def test_the_card_names_the_metadata_columns_of_json_text(tmp_path):
    """A column mixing kinds is stored as JSON text, which a plain reader takes for strings: the card's
    YAML lists such columns (nothing said which strings json.loads was for)."""
    source = write_jsonl(tmp_path / "a.jsonl", [{"raw": "One here.", "mix": 5, "title": "a"},
                                                 {"raw": "Two here.", "mix": "5", "title": "b"},
                                                 {"raw": "Three here.", "mix": [1], "title": "c"}])
    export(str(source), tmp_path / "out", configs=["articles"], split_ratios=(1, 0, 0))
    assert card_yaml(tmp_path / "out")["newspairs_json_text"] == ["mix"]
    rows = datasets.load_dataset(str(tmp_path / "out"), "articles")["train"]
    assert sorted(map(json.loads, rows["mix"]), key=repr) == sorted([5, "5", [1]], key=repr)
    assert sorted(rows["title"]) == ["a", "b", "c"]
    plain = write_jsonl(tmp_path / "b.jsonl", [{"raw": "One here.", "title": "a"}])
    export(str(plain), tmp_path / "plain", configs=["articles"], split_ratios=(1, 0, 0))
    assert "newspairs_json_text" not in card_yaml(tmp_path / "plain")


class TestTheCardsUsage:
    """Class: the default card's Python block loads exactly the configs exported, the default one
    first and by no name, each commented with the columns it gives (it was a fixed text naming all three)."""

    @pytest.mark.parametrize("configs", [["raw"], ["lines", "articles"], ["raw", "lines", "articles"], "lines"],
                             ids=["raw-only", "lines-default", "raw-default-all", "a-str-is-one-config"])
    def test_the_usage_block_runs_and_gives_the_columns_it_names(self, tmp_path, monkeypatch, configs):
        export(None, tmp_path / "out", configs=configs)
        exported = [configs] if isinstance(configs, str) else configs
        text = (tmp_path / "out" / CARD_FILENAME).read_text(encoding="utf-8")
        block = re.search(r"```python\n(.*?)```", text, re.S).group(1)
        calls = re.findall(r"^(\w+) = datasets\.load_dataset\((.*?)\)\s+# (.*)$", block, re.M)
        assert [(name, args) for name, args, _ in calls] == [
            (name, '"out"' + (f', "{name}"' if index else "")) for index, name in enumerate(exported)
        ]
        monkeypatch.chdir(tmp_path)  # the block names the folder as its user would, from beside it
        scope: dict = {}
        exec(block, scope)
        for name, _, comment in calls:
            columns = comment.removesuffix(" (the default config)").split(", ")
            assert scope[name]["train"].column_names == columns
        assert calls[0][2].endswith("(the default config)")

    def test_a_given_card_body_is_written_as_given(self, tmp_path):
        export(None, tmp_path / "out", configs=["raw"], card="# Mine\n")
        assert (tmp_path / "out" / CARD_FILENAME).read_text(encoding="utf-8").endswith("---\n\n# Mine\n")


class TestExportOptions:
    """Class: `export` checks its options before it reads or writes anything, as `load` and the
    command do (a bad max_shard_size wrote one shard per row; num_proc=0 ran; a str config was split)."""

    @pytest.mark.parametrize(("options", "message"), [
        ({"max_shard_size": -1}, "max_shard_size must be a size such as 500MB or 1GiB, or a number of bytes >= 1, got -1"),
        ({"max_shard_size": 0}, "max_shard_size must be .* got 0$"),
        ({"max_shard_size": "0MB"}, "max_shard_size must be .* got '0MB'"),
        ({"max_shard_size": "big"}, "max_shard_size must be .* got 'big'"),
        ({"max_shard_size": None}, "max_shard_size must be .* got None"),
        ({"num_proc": 0}, r"num_proc must be a whole number of processes >= 1 \(or None\), got 0"),
        ({"num_proc": -3}, "num_proc must be .* got -3"),
        ({"errors": "ignore"}, "errors must be one of .* got 'ignore'"),
        ({"raw_colum": "text"}, "unknown option 'raw_colum': the options are raw_column, "),
        ({"configs": "line"}, r"configs must be among .* got \['line'\]"),
        ({"configs": []}, r"configs must be among .* got \[\]"),
        ({"name": "raw"}, r"unknown option 'name': .* \(the config is named by configs=\)"),
        ({"address": "10.0.0.1:6379"}, r"^address is for engine='ray', got address='10.0.0.1:6379' with engine='local'$"),
        ({"num_cpus": 2}, r"^num_cpus is for engine='ray', got num_cpus=2 with engine='local'$"),
        ({"card": Path("mycard.md")}, r"^card is the card's markdown body \(a str\) or None, got PosixPath .*: pass its text, Path\('mycard.md'\)\.read_text\(\)$"),
        ({"card": True}, r"^card is the card's markdown body \(a str\) or None, got bool True$"),
        ({"card": b"# Mine"}, r"^card is the card's markdown body \(a str\) or None, got bytes"),
    ], ids=["negative-size", "zero-size", "zero-megabytes", "not-a-size", "no-size", "no-processes",
            "negative-processes", "unknown-errors", "unknown-option", "unknown-config", "no-config", "name-is-configs",
            "address-without-ray", "num-cpus-without-ray", "card-a-path", "card-true", "card-bytes"])
    def test_a_bad_option_is_refused_before_anything_is_written(self, tmp_path, options, message):
        with pytest.raises(ValueError, match=message):
            export(None, tmp_path / "out", **options)
        assert list(tmp_path.iterdir()) == []

    @pytest.mark.parametrize("options", [{"num_proc": 0}, {"bogus": 1}], ids=["num-proc", "unknown-option"])
    def test_the_message_is_the_one_load_gives(self, tmp_path, options):
        with pytest.raises(ValueError) as loaded:
            load(None, "articles", cache_dir=str(tmp_path / "cache"), **options)
        with pytest.raises(ValueError) as exported:
            export(None, tmp_path / "out", **options)
        assert str(exported.value) == str(loaded.value)


def diff_of(text: str) -> tuple[list[str], list[str], list[str]]:
    """The header lines, hunk headers, and -/+ lines of a verify output's diffs."""
    lines = text.splitlines()
    return ([line for line in lines if line.startswith(("--- ", "+++ "))], [line for line in lines if line.startswith("@@")],
            [line for line in lines if line.startswith(("-", "+")) and not line.startswith(("--- ", "+++ "))])


class TestVerifyDiffs:
    @pytest.mark.parametrize(("stored", "shown"), [
        ("the ferry sailed . ", r"-the ferry sailed .\x20"),
        ("the ferry\tsailed .", r"-the ferry\tsailed ."),
        ("the ferry\u00a0sailed .", r"-the ferry\xa0sailed ."),
        ("the ferry\u200bsailed .", r"-the ferry\u200bsailed ."),
        ("the ferry\\tsailed .", r"-the ferry\\tsailed ."),
        ("the cafe\u0301 sailed .", r"-the cafe\u0301 sailed ."),
    ], ids=["trailing-space", "tab", "no-break-space", "zero-width-space", "a-backslash-is-not-an-escape", "combining-mark"])
    def test_an_invisible_difference_is_shown(self, tmp_path, stored, shown):
        source = write_pairs(tmp_path / "c", {"a.txt": "The ferry sailed."})
        (source / "normalized" / "a.txt").write_text(stored, encoding="utf-8")
        code, text = run("verify", str(source))
        _, _, changed = diff_of(text)
        assert code == 1 and changed == [shown, "+the ferry sailed ."]

    def test_a_pairs_stored_side_is_named_by_its_normalized_file(self, tmp_path):
        source = write_pairs(tmp_path / "c", {"a.txt": "The ferry sailed."})
        (source / "normalized" / "a.txt").write_text("the ferry sailed", encoding="utf-8")
        headers, _, _ = diff_of(run("verify", str(source))[1])
        assert headers == ["--- normalized/a.txt (stored)", "+++ raw/a.txt (newspairs.normalize)"]

    def test_hunks_of_a_blank_line_article_count_the_files_lines(self, tmp_path):
        source = write_pairs(tmp_path / "c", {"a.txt": "One.\n\nThe ferry sailed.\nIt rained."})
        (source / "normalized" / "a.txt").write_text("one .\n\nthe ferry sailed .\nit rained", encoding="utf-8")
        code, text = run("verify", str(source), "--text-articles", "blank-line")
        _, hunks, _ = diff_of(text)
        assert code == 1 and hunks == ["@@ -4 +4 @@"]  # the article starts on line 3; its line 2 is the file's 4

    @pytest.mark.parametrize(("write", "where"), [
        (lambda path: write_jsonl(path / "p.jsonl", [{"raw": "One."}, {"raw": "A.\nB.", "normalized": "a .\nb. "}]),
         "p.jsonl line 2"),
        (lambda path: write_csv(path / "p.csv", ["raw", "normalized"], [["One.", "one ."], ["A.\nB.", "a .\nb. "]]),
         "p.csv line 3"),
        (lambda path: (path / "p.json").write_text(json.dumps([{"raw": "One."}, {"raw": "A.\nB.", "normalized": "a .\nb. "}]),
                                                   encoding="utf-8") and path / "p.json",
         "p.json record 2 (line 1)"),
    ], ids=["json-lines", "csv", "json-array-on-one-line"])
    def test_a_record_is_named_by_its_line_and_columns_and_its_hunks_say_what_they_count(self, tmp_path, write, where):
        code, text = run("verify", str(write(tmp_path)))
        headers, hunks, changed = diff_of(text)
        note = "; @@ counts the lines of its text, from 1)"
        assert headers == [f"--- {where}, column 'normalized' (stored{note}", f"+++ {where}, column 'raw' (newspairs.normalize{note}"]
        assert code == 1 and hunks == ["@@ -2 +2 @@"] and changed == [r"-b.\x20", "+b ."]
