"""The command line: `newspairs normalize` (files, standard input, bad bytes, streaming), help and
--version, a user's mistake as one line (never a traceback), and what the commands print while they
build (no progress for a short run, one bar with a total for a long one, stdout for results only)."""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import newspairs
from newspairs.cli import main
from newspairs.sources import read_input, resolve_source
from newspairs.tokenizer import save_tokenizer
from reference import reference_normalize_line

RAW = 'He said, "I can\'t."\n\n(It\'s 1,000 U.S. dollars...)\tOK.'


def run(argv, capsys, monkeypatch=None, stdin: bytes | None = None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


COMMANDS = ("normalize", "demo", "export", "verify", "train-tokenizer", "publish")


def help_of(argv, capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


class TestHelp:
    def test_top_level_help_lists_every_command(self, capsys):
        out = help_of([], capsys)
        assert "usage: newspairs" in out
        listed = re.findall(r"^    ([a-z-]+)\b", out, flags=re.MULTILINE)
        assert listed == list(COMMANDS)

    @pytest.mark.parametrize("command", COMMANDS, ids=str)
    def test_each_command_has_an_example_and_no_leaked_indentation(self, command, capsys):
        out = help_of([command], capsys)
        description = out.split("\n\n", 1)[1].split("\npositional arguments:")[0].split("\noptions:")[0]
        example = description.split("Example:\n", 1)[1]
        assert example.startswith(f"  newspairs {command}") or f"\n  newspairs {command}" in example
        prose = description.split("Example:")[0]
        assert [line for line in prose.splitlines() if line.startswith(" ")] == []

    def test_version(self, capsys):
        with pytest.raises(SystemExit) as exit_info:
            main(["--version"])
        assert exit_info.value.code == 0
        assert capsys.readouterr().out.startswith(f"newspairs {newspairs.__version__} (tokenizers ")

    def test_normalize_help_is_its_docstring(self, capsys):
        with pytest.raises(SystemExit) as exit_info:
            main(["normalize", "--help"])
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        assert "Normalize raw text, line for line" in out
        assert "--tokenizer" in out and "FILE" in out

    def test_python_dash_m(self):
        done = subprocess.run([sys.executable, "-m", "newspairs", "normalize", "--help"], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "usage: newspairs normalize" in done.stdout

    def test_no_command_is_an_error(self, capsys):
        with pytest.raises(SystemExit) as exit_info:
            main([])
        assert exit_info.value.code == 2


class TestNormalize:
    @pytest.mark.parametrize("ending", ["", "\n"], ids=["no-final-newline", "final-newline"])
    def test_files_in_order(self, tmp_path, capsys, ending):
        first, second = tmp_path / "a.txt", tmp_path / "b.txt"
        first.write_text(RAW + ending, encoding="utf-8")
        second.write_text("Second file.", encoding="utf-8")
        code, out, err = run(["normalize", str(first), str(second)], capsys)
        assert (code, err) == (0, "")
        assert out == newspairs.normalize(RAW) + "\n" + "second file .\n"

    def test_standard_input(self, capsys, monkeypatch):
        code, out, _ = run(["normalize"], capsys, monkeypatch, stdin=RAW.encode("utf-8"))
        assert code == 0 and out == newspairs.normalize(RAW) + "\n"

    def test_dash_is_standard_input(self, tmp_path, capsys, monkeypatch):
        path = tmp_path / "a.txt"
        path.write_text("File.", encoding="utf-8")
        code, out, _ = run(["normalize", str(path), "-"], capsys, monkeypatch, stdin=b"Stdin!")
        assert code == 0 and out == "file .\nstdin !\n"

    def test_with_a_tokenizer_file(self, tmp_path, capsys):
        tokenizer = save_tokenizer(newspairs.build_tokenizer(), tmp_path / "tok")
        raw = tmp_path / "raw.txt"
        raw.write_text(RAW, encoding="utf-8")
        code, out, _ = run(["normalize", "--tokenizer", str(tokenizer), str(raw)], capsys)
        assert code == 0 and out == newspairs.normalize(RAW) + "\n"

    def test_a_tokenizer_edited_after_it_was_stamped_is_named_in_a_warning(self, tmp_path, capsys):
        import shutil

        from newspairs.train import DEFAULT_TOKENIZER_DIR

        shutil.copytree(DEFAULT_TOKENIZER_DIR, tmp_path / "tok")
        data = json.loads((tmp_path / "tok" / "tokenizer.json").read_text(encoding="utf-8"))
        data["normalizer"]["normalizers"] = [step for step in data["normalizer"]["normalizers"] if step["type"] != "Lowercase"]
        (tmp_path / "tok" / "tokenizer.json").write_text(json.dumps(data), encoding="utf-8")
        (tmp_path / "raw.txt").write_text("Hello World.", encoding="utf-8")
        code, out, err = run(["normalize", "--tokenizer", str(tmp_path / "tok"), str(tmp_path / "raw.txt")], capsys)
        assert code == 0 and out == "Hello World .\n"
        assert err.startswith(f"newspairs: warning: --tokenizer {tmp_path / 'tok'}: its stamp names the rule table ")
        assert err.endswith("tokenizer.json was changed after it was stamped\n") and err.count("\n") == 1

    @pytest.mark.parametrize("where", ["file", "stdin"])
    def test_a_crlf_file_is_normalized_as_the_source_readers_read_it(self, tmp_path, capsys, monkeypatch, where):
        """"\r\n" ends a line (a "\r" left on a line is not only whitespace to the reference: "it's\r"
        keeps its clitic), so the output stored as a normalized twin agrees with the loader; a lone
        "\r" stays in its line, as the loader keeps it."""
        data = b"He said it's\r\nThey don't\r\nA lone\rreturn isn't a break\r\nLast one's\r"
        path = tmp_path / "crlf.txt"
        path.write_bytes(data)
        if where == "file":
            code, out, _ = run(["normalize", str(path)], capsys)
        else:
            code, out, _ = run(["normalize"], capsys, monkeypatch, stdin=data)
        (article,) = read_input(resolve_source(str(path))[0])
        assert code == 0 and out == newspairs.normalize(article.raw) + "\n"
        assert out.split("\n")[:2] == ["he said it 's", "they do n't"]
        assert out.split("\n")[:-1] == [reference_normalize_line(line) for line in article.raw.split("\n")]
        assert article.raw.split("\n")[2:] == ["A lone\rreturn isn't a break", "Last one's\r"]

    @pytest.mark.parametrize("where", ["file", "stdin"])
    def test_a_byte_order_mark_is_dropped_as_every_source_reader_drops_it(self, tmp_path, capsys, monkeypatch, where):
        raw = '"Hi," he said.\nSecond line.'
        path = tmp_path / "bom.txt"
        path.write_bytes(codecs.BOM_UTF8 + raw.encode("utf-8"))
        if where == "file":
            code, out, _ = run(["normalize", str(path)], capsys)
        else:
            code, out, _ = run(["normalize"], capsys, monkeypatch, stdin=path.read_bytes())
        # kept, the mark would make the opening quote a closing one: "\ufeff '' hi , '' he said ."
        assert code == 0 and out == "`` hi , '' he said .\nsecond line .\n"
        (article,) = read_input(resolve_source(str(path))[0])
        assert out == newspairs.normalize(article.raw) + "\n"

    @pytest.mark.parametrize("name", ["a.txt", "feed", "news.log"], ids=str)  # docs: "a FILE named .gz"; feed.gz was read compressed
    @pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
    def test_a_compressed_file_is_normalized_as_the_file_itself(self, tmp_path, capsys, suffix, name):
        import bz2
        import gzip
        import lzma

        compress = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[suffix]
        plain = tmp_path / "a.txt"
        plain.write_text(RAW + "\nHe said it's here.\r\n", encoding="utf-8")
        packed = tmp_path / f"{name}{suffix}"
        packed.write_bytes(compress(plain.read_bytes()))
        assert run(["normalize", str(packed)], capsys)[:2] == run(["normalize", str(plain)], capsys)[:2]
        # cut short: every whole line before the break is written, then one line names where it broke
        packed.write_bytes(compress("".join(f"Line {i}, here.\n" for i in range(200000)).encode())[:-64])
        code, out, err = run(["normalize", str(packed)], capsys)
        written = out.splitlines()
        assert code == 1 and 0 < len(written) < 200000 and written == [f"line {i} , here ." for i in range(len(written))]
        assert err.startswith(f"newspairs: error: {packed}, line {len(written) + 1}: cannot read on (") and err.count("\n") == 1

    def test_undecodable_input_names_file_and_line(self, tmp_path, capsys):
        path = tmp_path / "latin1.txt"
        path.write_bytes(b"fine\nalso fine\ncaf\xe9 au lait\n")
        code, _, err = run(["normalize", str(path)], capsys)
        assert code == 1
        assert str(path) in err and "line 3" in err and "UTF-8" in err

    def test_undecodable_standard_input(self, capsys, monkeypatch):
        code, _, err = run(["normalize"], capsys, monkeypatch, stdin=b"ok\n\xff\n")
        assert code == 1 and "<stdin>" in err and "line 2" in err

    def test_a_pipe_is_normalized_as_its_lines_arrive(self):
        # a slow writer (tail -f): each line comes out while standard input is still open
        child = subprocess.Popen([sys.executable, "-m", "newspairs", "normalize"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            for raw, want in [("It's one.", "it 's one ."), ('He said "two".', "he said `` two '' .")]:
                child.stdin.write(raw.encode() + b"\n")
                child.stdin.flush()
                assert _line_within(child.stdout, 60) == want + "\n"
            child.stdin.write(b"Last, no line break")
            child.stdin.close()
            assert child.stdout.read().decode() == "last , no line break\n"
            assert child.wait(timeout=60) == 0
        finally:
            child.kill()

    @pytest.mark.parametrize("read_bytes", [1, 3, 16, 1 << 16], ids=lambda n: f"read-{n}")
    def test_lines_grouped_as_they_arrive_are_the_lines_of_the_stream(self, read_bytes, monkeypatch):
        import os

        from newspairs import cli

        data = b"One.\r\n\nTwo, three.\n" + b"long " * 40 + b"\n\xc3\xa9t\xc3\xa9\nno end"
        monkeypatch.setattr(cli, "READ_BYTES", read_bytes)
        reading, writing = os.pipe()
        os.write(writing, data)
        os.close(writing)
        try:
            groups = list(cli._arrived_line_groups(reading, "<stdin>"))
        finally:
            os.close(reading)
        assert [line for group in groups for line in group] == list(cli._lines_of(io.BytesIO(data), "<stdin>"))

    def test_an_undecodable_line_of_a_pipe_names_its_line(self):
        done = subprocess.run([sys.executable, "-m", "newspairs", "normalize"], input=b"ok\nfine\n\xff bad\n",
                              capture_output=True, timeout=120)
        assert done.returncode == 1 and b"<stdin>, line 3: not UTF-8" in done.stderr
        assert b"Traceback" not in done.stderr

    def test_missing_file(self, tmp_path, capsys):
        code, _, err = run(["normalize", str(tmp_path / "nope.txt")], capsys)
        assert code == 1 and "nope.txt" in err

    @pytest.mark.parametrize("good", [1, 3000], ids=["one-line", "more-than-a-batch"])
    @pytest.mark.parametrize("where", ["file", "gz-file", "stdin", "pipe"])
    def test_every_line_before_one_not_utf8_is_written_then_the_error(self, tmp_path, capsys, monkeypatch, where, good):
        """As for a compressed file cut short: the good lines before the bad one (more than one
        normalization batch of 1024, or a pipe's first line) are all written, then one line names it."""
        import gzip

        lines = [f"Line {i}, it's here." for i in range(good)]
        data = "".join(line + "\n" for line in lines).encode() + b"\xff bad\nafter\n"
        name = "<stdin>"
        if where == "pipe":  # a real file descriptor: the lines read as they arrive
            done = subprocess.run([sys.executable, "-m", "newspairs", "normalize"], input=data, capture_output=True, timeout=120)
            code, out, err = done.returncode, done.stdout.decode(), done.stderr.decode()
        elif where == "stdin":
            code, out, err = run(["normalize"], capsys, monkeypatch, stdin=data)
        else:
            path = tmp_path / ("bad.txt.gz" if where == "gz-file" else "bad.txt")
            path.write_bytes(gzip.compress(data) if where == "gz-file" else data)
            name = str(path)
            code, out, err = run(["normalize", name], capsys)
        assert code == 1 and out.splitlines() == [newspairs.normalize(line) for line in lines]
        assert err.startswith(f"newspairs: error: {name}, line {good + 1}: not UTF-8 (") and err.count("\n") == 1, err


# Peak RSS of a fresh interpreter that runs the CLI as a child: RUSAGE_CHILDREN in *this* process
# would report the largest child the test session ever waited for.
_PEAK_RSS_OF = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)
_ARTICLE_LINE = 'The U.S. company said it "cannot" sell 1,000 shares (about $5 mln) -- analysts\' view.\n'


def _peak_rss_kb(path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS_OF, sys.executable, "-m", "newspairs", "normalize", str(path)],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def test_normalize_streams(tmp_path):
    """Ten times the input must not cost ten times the memory (a whole-file read would add 3x the
    input or more); the margin absorbs allocator noise."""
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_text(_ARTICLE_LINE * (2_000_000 // len(_ARTICLE_LINE)), encoding="utf-8")
    big.write_text(_ARTICLE_LINE * (20_000_000 // len(_ARTICLE_LINE)), encoding="utf-8")
    small_kb, big_kb = _peak_rss_kb(small), _peak_rss_kb(big)
    assert big_kb < small_kb + 12_000, f"peak RSS {small_kb} kB for 2 MB of input, {big_kb} kB for 20 MB"


# --- a user's mistake: one line naming the thing at fault, a non-zero exit, nothing built ------------


def outcome(argv, capsys) -> tuple[int, str, str]:
    """Exit status, stdout, stderr of the command line, argparse's exits included."""
    try:
        code = main([str(arg) for arg in argv])
    except SystemExit as exit_info:
        code = exit_info.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _pairs(tmp):
    from pairs import write_pairs

    return write_pairs(tmp / "corpus")


def _isot(tmp):
    from pairs import isot_rows, write_csv

    return write_csv(tmp / "isot" / "True.csv", ["title", "text", "subject", "date"], isot_rows())


def _a_file(tmp):
    path = tmp / "a-file"
    path.write_text("not a folder", encoding="utf-8")
    return path


def _not_a_tokenizer(tmp):
    path = tmp / "README.md"
    path.write_text("# a readme, not a tokenizer\n", encoding="utf-8")
    return path


def _foreign_tokenizer(tmp, normalizer: str | None):
    """A valid tokenizer.json from elsewhere: no normalizer (as many BPE files), or ``normalizer`` alone."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    if normalizer is not None:
        tokenizer.normalizer = getattr(normalizers, normalizer)()
    path = tmp / "foreign.json"
    tokenizer.save(str(path))
    return path


def _jsonl(tmp):
    from pairs import write_jsonl

    return write_jsonl(tmp / "j" / "a.jsonl", [{"raw": "A JSON lines article."}])


def _columns_csv(tmp):
    """A CSV whose sides are 'text' and 'norm' (not the default names)."""
    from pairs import write_csv

    return write_csv(tmp / "typo" / "typo.csv", ["text", "norm"], [["Hello, x.", "hello , x ."]])


def _out_holding_a_folder(tmp, name: str):
    """A --out folder where the tokenizer file ``name`` is a folder."""
    (tmp / "tok" / name).mkdir(parents=True)
    return tmp / "tok"


def _tokenizer_folder(tmp, *, stamp: str | None = "ours", tokenizer_json: bool = True):
    """A trained tokenizer folder: its stamp this normalization's, another's, or none."""
    from newspairs.stamp import STAMP_FILENAME, normalization_stamp
    from newspairs.train import DEFAULT_TOKENIZER_DIR

    folder = tmp / "tok"
    folder.mkdir()
    (folder / "tokenizer.json").write_text(
        (DEFAULT_TOKENIZER_DIR / "tokenizer.json").read_text(encoding="utf-8") if tokenizer_json else "{not json",
        encoding="utf-8",
    )
    if stamp is not None:
        data = json.loads(normalization_stamp().to_json())
        if stamp == "theirs":
            data["rules"] = "0" * 16
        (folder / STAMP_FILENAME).write_text(json.dumps(data), encoding="utf-8")
    return folder


PUBLISH = ["publish", "--repo-id", "me/pairs"]

# (argv from tmp_path, exit status, what stderr names); ids say what the user got wrong
MISTAKES = [
    pytest.param(lambda t: ["normalize", "--tokenizer", _not_a_tokenizer(t)], 1,
                 "--tokenizer {t}/README.md: not a tokenizers tokenizer.json", id="normalize-tokenizer-not-a-tokenizer"),
    pytest.param(lambda t: ["normalize", "--tokenizer", t / "nope.json"], 1,
                 "--tokenizer {t}/nope.json: no such file", id="normalize-tokenizer-missing"),
    pytest.param(lambda t: ["normalize", "--tokenizer", t], 1,
                 "--tokenizer {t}: no tokenizer.json in the folder", id="normalize-tokenizer-folder-without-one"),
    pytest.param(lambda t: ["normalize", "--tokenizer", _foreign_tokenizer(t, None), _a_file(t)], 1,
                 "--tokenizer {t}/foreign.json: the tokenizer's normalizer is not a newspairs normalization: it has none",
                 id="normalize-tokenizer-without-normalizer"),
    pytest.param(lambda t: ["normalize", "--tokenizer", _foreign_tokenizer(t, "Lowercase"), _a_file(t)], 1,
                 "--tokenizer {t}/foreign.json: the tokenizer's normalizer is not a newspairs normalization: it does not keep",
                 id="normalize-tokenizer-lowercase-only"),
    pytest.param(lambda t: ["export", _pairs(t), _a_file(t) / "out"], 1,
                 "OUT {t}/a-file/out: cannot be created", id="export-out-cannot-be-created"),
    pytest.param(lambda t: ["export", _pairs(t), _a_file(t)], 1,
                 "OUT {t}/a-file: exists and is not a folder", id="export-out-is-a-file"),
    pytest.param(lambda t: ["export", _pairs(t), ""], 1, "OUT is empty: name a folder", id="export-out-empty"),
    pytest.param(lambda t: ["train-tokenizer", _pairs(t), "--out", t / "tok", "--model-max-length", str(1 << 63)], 2,
                 f"argument --model-max-length: must be {(1 << 63) - 1} or less, got {1 << 63}", id="train-tokenizer-model-max-length-too-large"),
    pytest.param(lambda t: ["export", "", t / "out"], 1, 'a source entry is empty: name a folder, a file or a glob ("." for the current folder)',
                 id="export-source-empty"),
    pytest.param(lambda t: ["verify", _pairs(t), ""], 1, "a source entry is empty", id="verify-source-empty"),
    pytest.param(lambda t: ["normalize", "--tokenizer", "", _a_file(t)], 1,
                 "--tokenizer is empty: name a tokenizer.json or the folder holding one", id="normalize-tokenizer-empty"),
    pytest.param(lambda t: [*PUBLISH, "--license", "mit", _pairs(t), "--tokenizer", "", "--dry-run", t / "repo"], 1,
                 "--tokenizer is empty: name a tokenizer.json or the folder holding one", id="publish-tokenizer-empty"),
    pytest.param(lambda t: ["demo", _pairs(t), "--out", ""], 1, "--out is empty: name a folder", id="demo-out-empty"),
    pytest.param(lambda t: ["train-tokenizer", _pairs(t), "--out", ""], 1, "--out is empty: name a folder",
                 id="train-tokenizer-out-empty"),
    pytest.param(lambda t: [*PUBLISH, "--license", "mit", _pairs(t), "--dry-run", ""], 1, "--dry-run is empty: name a folder",
                 id="publish-dry-run-empty"),
    pytest.param(lambda t: ["export", t / "nowhere", t / "out"], 1, "{t}/nowhere: no such file or folder",
                 id="export-source-missing"),
    pytest.param(lambda t: ["export", _pairs(t), t / "out", "--num-proc", "0"], 2,
                 "argument --num-proc: must be 1 or more, got 0", id="export-num-proc-0"),
    pytest.param(lambda t: ["export", _pairs(t), t / "out", "--num-proc", "two"], 2,
                 "argument --num-proc: not a whole number: 'two'", id="export-num-proc-not-a-number"),
    pytest.param(lambda t: ["export", _pairs(t), t / "out", "--max-shard-size", "12"], 2,
                 "argument --max-shard-size: not a size such as 500MB", id="export-shard-size-without-unit"),
    pytest.param(lambda t: ["export", _pairs(t), t / "out", "--max-shard-size=-5MB"], 2,
                 "argument --max-shard-size: must be more than 0 bytes", id="export-shard-size-negative"),
    pytest.param(lambda t: ["export", _pairs(t), t / "out", "--num-cpus", "2"], 1, "--num-cpus needs --engine ray",
                 id="export-num-cpus-without-engine-ray"),
    pytest.param(lambda t: ["export", _pairs(t), t / "out", "--engine", "ray", "--num-proc", "2"], 1,
                 "--num-proc is for --engine local: with --engine ray, --num-cpus sets a local Ray's CPUs",
                 id="export-num-proc-with-engine-ray"),
    pytest.param(lambda t: ["export", _pairs(t), t / "out", "--part-size", "1MB"], 1,
                 "--part-size needs --num-proc 2 or more, or --engine ray", id="export-part-size-alone"),
    pytest.param(lambda t: ["export", _pairs(t), t / "out", "--part-size", "1MB", "--num-proc", "1"], 1,
                 "--part-size needs --num-proc 2 or more, or --engine ray", id="export-part-size-with-one-process"),
    pytest.param(lambda t: ["export", _pairs(t), t / "out", "--engine", "local", "--address", "somewhere:6379"], 1,
                 "--address needs --engine ray", id="export-address-with-engine-local"),
    pytest.param(lambda t: ["export", _pairs(t), t / "out[1]"], 1,
                 "{t}/out[1]: datasets.load_dataset could not read an export there", id="export-out-load-dataset-reads-as-a-glob"),
    pytest.param(lambda t: ["export", _pairs(t), t / "run*1"], 1,
                 "{t}/run*1: datasets.load_dataset could not read an export there", id="export-out-with-a-star"),
    pytest.param(lambda t: ["export", _pairs(t), t / "v?" / "out"], 1,
                 "{t}/v?/out: datasets.load_dataset could not read an export there", id="export-out-under-a-question-mark"),
    pytest.param(lambda t: ["export", _isot(t), t / "out", "--raw-column", "body"], 1,
                 "--raw-column 'body' applies to no file of the source (True.csv: an ISOT CSV reads its raw side from 'text'",
                 id="export-raw-column-on-isot"),
    pytest.param(lambda t: ["export", _pairs(t), t / "out", "--normalized-column", "norm"], 1,
                 "--normalized-column 'norm' applies to no file of the source (the source's files are text files",
                 id="export-normalized-column-on-text"),
    pytest.param(lambda t: ["verify", _columns_csv(t), "--raw-column", "text", "--normalized-column", "normalised"], 1,
                 "--normalized-column 'normalised': no file of the source has that column (typo.csv)",
                 id="verify-normalized-column-no-file-has"),
    pytest.param(lambda t: ["export", _columns_csv(t).parent, _jsonl(t), t / "out", "--normalized-column", "normalised"], 1,
                 "--normalized-column 'normalised': no file of the source has that column (typo.csv, a.jsonl)",
                 id="export-normalized-column-no-file-has"),
    pytest.param(lambda t: ["normalize", _a_file(t), ""], 1, "a FILE is empty: name a file ('-' or none for standard input)",
                 id="normalize-file-empty"),
    pytest.param(lambda t: ["export", _pairs(t), t / "out", "--bogus"], 2,
                 "newspairs export: error: unrecognized arguments: --bogus (see newspairs export --help)",
                 id="export-unknown-option-names-the-command"),
    # every required argument named at once (a parse of the options first named the options only)
    pytest.param(lambda t: ["publish"], 2, "the following arguments are required: SOURCE, --repo-id, --license",
                 id="publish-names-every-required-argument"),
    pytest.param(lambda t: ["export", _jsonl(t), t / "out", "--text-articles", "blank-line"], 1,
                 "--text-articles 'blank-line' applies to no file of the source (a.jsonl: only .txt files, also compressed, hold text articles)",
                 id="export-text-articles-on-jsonl"),
    pytest.param(lambda t: ["verify", _isot(t), "--text-articles", "file"], 1,
                 "--text-articles 'file' applies to no file of the source (True.csv: only .txt files",
                 id="verify-text-articles-on-isot"),
    pytest.param(lambda t: ["train-tokenizer", _pairs(t), "--out", _pairs(t)], 1,
                 "--out {t}/corpus: the folder is not empty and was not written by newspairs train-tokenizer",
                 id="train-tokenizer-out-is-the-source"),
    pytest.param(lambda t: [*PUBLISH, _pairs(t), "--license", "mit", "--tokenizer", _tokenizer_folder(t), "--model", "bpe",
                            "--dry-run", t / "repo"], 1,
                 "--model sets how a tokenizer is trained, and --tokenizer {t}/tok gives a trained one", id="publish-model-with-tokenizer"),
    pytest.param(lambda t: [*PUBLISH, _pairs(t), "--license", "mit", "--tokenizer", _tokenizer_folder(t), "--vocab-size", "600",
                            "--model", "wordpiece", "--dry-run", t / "repo"], 1,
                 "--model and --vocab-size set how a tokenizer is trained, and --tokenizer {t}/tok gives a trained one",
                 id="publish-model-and-vocab-size-with-tokenizer"),
    pytest.param(lambda t: [*PUBLISH, _pairs(t), "--license", "other", "--dry-run", t / "repo"], 1,
                 "--license other needs --license-name naming the license", id="publish-license-other-without-its-name"),
    pytest.param(lambda t: [*PUBLISH, _pairs(t), "--license", "mit", "--license-name", "acme-1.0", "--dry-run", t / "repo"], 1,
                 "--license-name 'acme-1.0' is for --license other only", id="publish-license-name-without-other"),
    pytest.param(lambda t: [*PUBLISH, _pairs(t), "--license", "mit", "--license-link", "LICENSE", "--dry-run", t / "repo"], 1,
                 "--license-link 'LICENSE' is for --license other only", id="publish-license-link-without-other"),
    pytest.param(lambda t: [*PUBLISH, _pairs(t), "--license", "other", "--license-name", "Acme License", "--dry-run", t / "repo"], 1,
                 "--license-name 'Acme License' is not a license id", id="publish-license-name-not-an-id"),
    pytest.param(lambda t: ["demo", "--out", _a_file(t)], 1, "--out {t}/a-file: exists and is not a folder",
                 id="demo-out-is-a-file"),
    pytest.param(lambda t: ["verify", "--show", "-1"], 2, "argument --show: must be 0 or more, got -1",
                 id="verify-show-negative"),
    pytest.param(lambda t: ["verify", _isot(t), "--raw-column", "body"], 1, "--raw-column 'body' applies to no file",
                 id="verify-raw-column-on-isot"),
    pytest.param(lambda t: ["train-tokenizer", "--out", _a_file(t)], 1, "--out {t}/a-file: exists and is not a folder",
                 id="train-tokenizer-out-is-a-file"),
    pytest.param(lambda t: ["train-tokenizer", "--out", t / "tok", "--vocab-size", "3"], 2,
                 "argument --vocab-size: must be 6 or more, got 3", id="train-tokenizer-vocab-too-small"),
    pytest.param(lambda t: ["train-tokenizer", "--out", t / "tok", "--vocab-size", "1000000000"], 2,
                 "argument --vocab-size: must be 2097152 or less, got 1000000000", id="train-tokenizer-vocab-size-huge"),
    pytest.param(lambda t: ["train-tokenizer", "--out", t / "tok", "--vocab-size", str(1 << 64)], 2,
                 "argument --vocab-size: must be 2097152 or less", id="train-tokenizer-vocab-size-beyond-64-bits"),
    pytest.param(lambda t: ["train-tokenizer", "--out", t / "tok", "--min-frequency", str(1 << 64)], 2,
                 "argument --min-frequency: must be 18446744073709551615 or less", id="train-tokenizer-min-frequency-beyond-64-bits"),
    pytest.param(lambda t: ["train-tokenizer", "--out", _out_holding_a_folder(t, "tokenizer.json")], 1,
                 "--out {t}/tok/tokenizer.json: exists and is not a file", id="train-tokenizer-out-holds-tokenizer-json-folder"),
    pytest.param(lambda t: ["train-tokenizer", "--out", _out_holding_a_folder(t, "tokenizer_config.json")], 1,
                 "--out {t}/tok/tokenizer_config.json: exists and is not a file", id="train-tokenizer-out-holds-config-folder"),
    pytest.param(lambda t: [*PUBLISH, _pairs(t), "--license", "mit", "--vocab-size", "1000000000", "--dry-run", t / "repo"], 2,
                 "argument --vocab-size: must be 2097152 or less", id="publish-vocab-size-huge"),
    pytest.param(lambda t: ["train-tokenizer", "--out", t / "tok", "--min-frequency", "-1"], 2,
                 "argument --min-frequency: must be 0 or more, got -1", id="train-tokenizer-min-frequency-negative"),
    # the unigram trainer has no min_frequency: it was ignored, silently
    pytest.param(lambda t: ["train-tokenizer", _pairs(t), "--out", t / "tok", "--model", "unigram", "--min-frequency", "5"], 2,
                 "newspairs train-tokenizer: error: argument --min-frequency: not allowed with --model unigram, whose trainer "
                 "has no such setting (see newspairs train-tokenizer --help)", id="train-tokenizer-min-frequency-with-unigram"),
    pytest.param(lambda t: ["train-tokenizer", _pairs(t), "--min-frequency", "2", "--out", t / "tok", "--model", "unigram"], 2,
                 "argument --min-frequency: not allowed with --model unigram", id="train-tokenizer-unigram-after-min-frequency"),
    pytest.param(lambda t: ["train-tokenizer", "--out", t / "tok", "--model-max-length", "0"], 2,
                 "argument --model-max-length: must be 1 or more, got 0", id="train-tokenizer-max-length-0"),
    pytest.param(lambda t: [*PUBLISH, _pairs(t), "--license", "cc-by-4", "--dry-run", t / "repo"], 1,
                 "--license 'cc-by-4' is not a Hub license identifier; did you mean cc-by-4.0", id="publish-license-not-on-the-list"),
    pytest.param(lambda t: [*PUBLISH, _pairs(t), "--license", "CC-BY-4.0", "--dry-run", t / "repo"], 1,
                 "--license 'CC-BY-4.0' is not a Hub license identifier; did you mean cc-by-4.0", id="publish-license-uppercase"),
    pytest.param(lambda t: [*PUBLISH, _pairs(t), "--license", "mit", "--tokenizer", _tokenizer_folder(t, stamp=None),
                            "--dry-run", t / "repo"], 1, "--tokenizer {t}/tok: no newspairs_stamp.json", id="publish-tokenizer-without-stamp"),
    pytest.param(lambda t: [*PUBLISH, _pairs(t), "--license", "mit", "--tokenizer", _tokenizer_folder(t, stamp="theirs"),
                            "--dry-run", t / "repo"], 1, "--tokenizer {t}/tok: the tokenizer was made by another normalization",
                 id="publish-tokenizer-of-another-normalization"),
    pytest.param(lambda t: [*PUBLISH, _pairs(t), "--license", "mit", "--tokenizer", _tokenizer_folder(t, tokenizer_json=False),
                            "--dry-run", t / "repo"], 1, "--tokenizer {t}/tok: not a tokenizers tokenizer.json",
                 id="publish-tokenizer-not-a-tokenizer"),
    pytest.param(lambda t: [*PUBLISH, _pairs(t), "--license", "mit", "--dry-run", _a_file(t)], 1,
                 "--dry-run {t}/a-file: exists and is not a folder", id="publish-dry-run-is-a-file"),
    pytest.param(lambda t: ["publish", _pairs(t), "--repo-id", "pairs", "--license", "mit", "--dry-run", t / "repo"], 1,
                 "repo_id must be ORG/NAME, got 'pairs'", id="publish-repo-id-without-org"),
    pytest.param(lambda t: [*PUBLISH, _pairs(t), "--license", "mit", "--max-commit-files", "0", "--dry-run", t / "repo"], 2,
                 "argument --max-commit-files: must be 1 or more, got 0", id="publish-max-commit-files-0"),
    pytest.param(lambda t: [*PUBLISH, _pairs(t), "--license", "mit", "--max-commit-size", "lots", "--dry-run", t / "repo"], 2,
                 "argument --max-commit-size: not a size such as 500MB", id="publish-max-commit-size-not-a-size"),
    pytest.param(lambda t: ["train-tokenizer", "--out", t / "tok", "--split", "dev"], 2,
                 "argument --split: invalid choice: 'dev'", id="train-tokenizer-unknown-split"),
    pytest.param(lambda t: ["tokenize"], 2, "argument COMMAND: invalid choice: 'tokenize'", id="unknown-command"),
]


def built_in(cache: Path) -> list[str]:
    """The newspairs builds in the test's own datasets cache."""
    return sorted(path.name for path in (cache / "datasets").glob("newspairs*"))


@pytest.fixture
def one_pass_exports(monkeypatch) -> list:
    """The one-process exports started (`newspairs.onepass` leaves no datasets cache to find)."""
    from newspairs import onepass

    started = []
    real = onepass.export_configs
    monkeypatch.setattr(onepass, "export_configs", lambda source, *args, **kwargs: started.append(source) or real(source, *args, **kwargs))
    return started


@pytest.mark.parametrize("command", ["export", "train-tokenizer"])
def test_a_build_leaves_its_mark(tmp_path, capsys, offline_hf_cache, one_pass_exports, command):
    """What the table below checks for "nothing was built" does see a build: an export starts the
    one pass, `train-tokenizer` builds in the datasets cache."""
    argv = {"export": ["export", _pairs(tmp_path), tmp_path / "out"],
            "train-tokenizer": ["train-tokenizer", _pairs(tmp_path), "--out", tmp_path / "tok", "--vocab-size", "300"]}[command]
    code, _, err = outcome(argv, capsys)
    assert (code, err) == (0, "")
    assert (one_pass_exports != []) == (command == "export") and (built_in(offline_hf_cache) != []) == (command == "train-tokenizer")


@pytest.mark.parametrize(("argv", "status", "names"), MISTAKES)
def test_a_mistake_is_one_line_naming_what_is_at_fault(argv, status, names, tmp_path, capsys, offline_hf_cache, one_pass_exports):
    code, out, err = outcome(argv(tmp_path), capsys)
    assert code == status
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert names.format(t=tmp_path) in err
    assert err.startswith("newspairs")
    assert built_in(offline_hf_cache) == [] and one_pass_exports == []  # checked before anything is built
    assert not (tmp_path / "out").exists() and not (tmp_path / "repo").exists() and not (tmp_path / "tok.partial").exists()


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["normalize", "--tokenizer", "README.md", "README.md"], id="normalize-tokenizer-readme"),
        pytest.param(["export", "newspairs/data/default", "{tmp}/a-file/out"], id="export-out-under-a-file"),
        pytest.param(["train-tokenizer", "--out", "{tmp}/a-file"], id="train-tokenizer-out-existing-file"),
    ],
)
def test_the_mistakes_the_issue_met_show_no_traceback(argv, tmp_path):
    """As a user runs them, in a process of their own (the three that gave tracebacks)."""
    _a_file(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "newspairs", *(arg.format(tmp=tmp_path) for arg in argv)],
        capture_output=True, text=True, timeout=300, cwd=Path(newspairs.__file__).parent.parent,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("script", "message"),
    [
        pytest.param('"$1" -m newspairs normalize "$2" >&-', "newspairs: error: standard output is closed", id="stdout-closed"),
        pytest.param('"$1" -m newspairs normalize <&-', "newspairs: error: <stdin>: standard input is closed", id="stdin-closed"),
    ],
)
def test_a_closed_standard_stream_is_one_line(script, message, tmp_path):
    """Started with a standard stream closed by the shell (Python then has None for it)."""
    path = tmp_path / "a.txt"
    path.write_text("Hello, world.\n", encoding="utf-8")
    done = subprocess.run(["sh", "-c", script, "sh", sys.executable, str(path)], capture_output=True, text=True,
                          timeout=120, cwd=Path(newspairs.__file__).parent.parent)
    assert done.returncode == 1
    assert done.stderr.startswith(message) and len(done.stderr.splitlines()) == 1, done.stderr


def test_a_bug_keeps_its_traceback(monkeypatch):
    import newspairs.verify

    def broken(*args, **kwargs):
        raise KeyError("a bug, not a user's mistake")

    monkeypatch.setattr(newspairs.verify, "verify", broken)
    with pytest.raises(KeyError, match="a bug"):
        main(["verify"])


def test_a_file_system_error_names_its_file(monkeypatch, capsys, tmp_path):
    import newspairs.export

    def denied(source, out, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "out" / "README.md"))

    monkeypatch.setattr(newspairs.export, "export", denied)
    code, out, err = outcome(["export", "newspairs/data/default", tmp_path / "out"], capsys)
    assert (code, out) == (1, "")
    assert err == f"newspairs: error: {tmp_path / 'out' / 'README.md'}: Permission denied\n"


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["export", "{a}", "--errors", "report", "{b}", "{out}"], id="export-option-between-sources"),
        pytest.param(["export", "{a}", "{b}", "--errors", "report", "{out}"], id="export-option-before-out"),
        pytest.param(["verify", "{a}", "--show", "1", "{b}"], id="verify-option-between-sources"),
        pytest.param(["normalize", "{a}", "--tokenizer", "{tok}", "{b}"], id="normalize-option-between-files"),
    ],
)
def test_options_may_stand_between_paths(argv, tmp_path, capsys):
    """As they may before or after them: the same paths are read, whatever the order."""
    from newspairs.train import DEFAULT_TOKENIZER_DIR

    names = {"a": tmp_path / "a.txt", "b": tmp_path / "b.txt", "out": tmp_path / "out", "tok": DEFAULT_TOKENIZER_DIR}
    names["a"].write_text("First article.\n", encoding="utf-8")
    names["b"].write_text("Second article.\n", encoding="utf-8")
    code, out, err = outcome([arg.format(**names) for arg in argv], capsys)
    assert (code, err) == (1 if argv[0] == "verify" else 0, "")  # verify checked nothing: no stored side
    expected = {"export": "articles: 2 articles read", "verify": "2 articles without a normalized side",
                "normalize": "first article .\nsecond article .\n"}[argv[0]]
    assert expected in out


@pytest.mark.parametrize("argv", [
    pytest.param(["normalize", "--", "-f.txt"], id="normalize-a-file-named-like-an-option"),
    pytest.param(["normalize", "--", "--tokenizer", "b.txt"], id="normalize-files-named-like-an-option-and-its-value"),
    pytest.param(["export", "--", "-f.txt", "-out"], id="export-an-out-named-like-an-option"),
])
def test_double_dash_ends_the_options(argv, tmp_path, capsys, monkeypatch):
    """After ``--`` every argument is a path, whatever it looks like (intermixed parsing dropped the ``--``)."""
    monkeypatch.chdir(tmp_path)
    for name in ("-f.txt", "b.txt", "--tokenizer"):
        (tmp_path / name).write_text("It's one article.\n", encoding="utf-8")
    code, out, err = outcome(argv, capsys)
    assert (code, err) == (0, "")
    if argv[0] == "normalize":
        assert out == "it 's one article .\n" * (len(argv) - 2)
    else:
        assert (tmp_path / "-out" / "README.md").is_file()


@pytest.mark.parametrize(
    ("option", "header"),
    [
        pytest.param("--raw-column", ["", "normalized"], id="raw-column-unnamed"),
        pytest.param("--normalized-column", ["raw", ""], id="normalized-column-unnamed"),
    ],
)
def test_an_empty_column_name_is_the_unnamed_column_as_in_the_api(option, header, tmp_path, capsys):
    """'' names a header's unnamed column, as `newspairs.load(..., raw_column="")` takes it: never the default."""
    from newspairs.verify import verify
    from pairs import write_csv

    path = write_csv(tmp_path / "e.csv", header, [["It's here.", "it 's here ."]])
    code, out, err = outcome(["verify", path, option, ""], capsys)
    assert (code, err) == (0, "")
    assert out.startswith("1 pair checked: 1 agree")
    assert verify(str(path), **{option[2:].replace("-", "_"): ""}).summary() == out.strip()


def test_a_normalized_column_some_files_hold_is_accepted(tmp_path, capsys):
    """A table without the column has no normalized side (docs/sources.md): only a column no file holds is refused."""
    from pairs import write_csv, write_jsonl

    write_csv(tmp_path / "c" / "a.csv", ["text", "norm"], [["It's here.", "it 's here ."]])
    write_jsonl(tmp_path / "c" / "b.jsonl", [{"text": "Raw only."}])
    code, out, err = outcome(["verify", tmp_path / "c", "--raw-column", "text", "--normalized-column", "norm"], capsys)
    assert (code, err) == (0, "")
    assert out.startswith("1 pair checked: 1 agree, 0 disagree")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["export", "{src}", "{out}"], "OUT {out}: the name is not UTF-8", id="export"),
        pytest.param(["demo", "{src}", "--out", "{out}"], "--out {out}: the name is not UTF-8", id="demo"),
        pytest.param(["train-tokenizer", "{src}", "--out", "{out}"], "--out {out}: the name is not UTF-8", id="train-tokenizer"),
        pytest.param([*PUBLISH, "{src}", "--license", "mit", "--dry-run", "{out}"], "--dry-run {out}: the name is not UTF-8",
                     id="publish-dry-run"),
    ],
)
def test_an_output_name_not_utf8_is_refused_before_anything_is_made(argv, message, tmp_path, capsys, one_pass_exports):
    """Arrow and tokenizers write to UTF-8 paths only: they failed after the build, naming nothing."""
    import os

    source = tmp_path / "one.txt"
    source.write_text("One line.\n", encoding="utf-8")
    out = str(tmp_path / os.fsdecode(b"out\xff"))
    code, stdout, err = outcome([arg.format(src=source, out=out) for arg in argv], capsys)
    assert (code, stdout) == (1, "")
    assert err.startswith("newspairs: error: ") and len(err.splitlines()) == 1
    assert message.format(out=f"{tmp_path}/out\\xff") in err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["one.txt"] and one_pass_exports == []


@pytest.mark.parametrize(
    ("present", "chosen"),
    [
        pytest.param(None, "newspairs-demo", id="absent"),
        pytest.param("empty-folder", "newspairs-demo", id="an-empty-folder"),
        pytest.param("users-folder", "newspairs-demo-2", id="a-folder-of-the-users"),
        pytest.param("file", "newspairs-demo-2", id="a-file"),
    ],
)
def test_the_demo_folder_is_never_one_of_the_users(present, chosen, tmp_path, monkeypatch):
    from newspairs.cli import _fresh_demo_folder

    monkeypatch.chdir(tmp_path)
    if present == "file":
        Path("newspairs-demo").write_text("the user's file", encoding="utf-8")
    elif present is not None:
        Path("newspairs-demo").mkdir()
        if present == "users-folder":
            Path("newspairs-demo", "notes.txt").write_text("the user's", encoding="utf-8")
    assert _fresh_demo_folder() == chosen


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["train-tokenizer", "{src}", "--out", "{t}/tok"],
                     "--split train: the source has no 'train' split (it has test); pick one, or every split (--split all)",
                     id="train-tokenizer"),
        pytest.param([*PUBLISH, "{src}", "--license", "mit", "--dry-run", "{t}/repo"],
                     "the articles config has no train split to train the tokenizer on; pass a trained tokenizer (--tokenizer DIR)",
                     id="publish"),
    ],
)
def test_a_source_without_a_train_split_names_the_option(argv, message, tmp_path, capsys):
    source = tmp_path / "one.txt"
    source.write_text("Single article 30.\n", encoding="utf-8")  # its one article falls in test
    code, out, err = outcome([arg.format(src=source, t=tmp_path) for arg in argv], capsys)
    assert (code, out) == (1, "")
    assert err == f"newspairs: error: {message}\n"


def _users_folder(tmp):
    """A folder of the user's own: a tokenizer_config.json of theirs and notes."""
    folder = tmp / "mine"
    folder.mkdir()
    (folder / "tokenizer_config.json").write_text('{"mine": true}\n', encoding="utf-8")
    (folder / "notes.txt").write_text("my notes\n", encoding="utf-8")
    return folder


def _an_export(tmp):
    from newspairs.export import export

    return export(_pairs(tmp), tmp / "exported", configs=["raw"]).out


def _an_earlier_tokenizer(tmp):
    """What an earlier train-tokenizer wrote, and a file the user put beside it."""
    from newspairs.train import load_tokenizer, save_tokenizer_folder

    save_tokenizer_folder(load_tokenizer(), tmp / "tok")
    (tmp / "tok" / "README.md").write_text("my tokenizer\n", encoding="utf-8")
    return tmp / "tok"


def _an_empty_folder(tmp):
    (tmp / "empty").mkdir()
    return tmp / "empty"


def _files_of(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.parametrize(
    ("folder", "refused"),
    [
        pytest.param(_pairs, "the folder is not empty and was not written by newspairs train-tokenizer "
                     "(no newspairs_stamp.json beside a tokenizer.json); choose another", id="the-source-corpus"),
        pytest.param(_users_folder, "the folder is not empty and was not written by newspairs train-tokenizer "
                     "(no newspairs_stamp.json beside a tokenizer.json); it holds tokenizer_config.json, which would be "
                     "replaced; choose another", id="a-folder-of-the-users-files"),
        pytest.param(_an_export, "a newspairs export or Hub repository (it holds newspairs_export.json), not a tokenizer "
                     "folder; write the tokenizer to another folder", id="an-export"),
        pytest.param(_an_earlier_tokenizer, None, id="an-earlier-train-tokenizer-folder"),
        pytest.param(_an_empty_folder, None, id="an-empty-folder"),
    ],
)
def test_train_tokenizer_writes_only_a_folder_of_its_own(folder, refused, tmp_path, capsys):
    """Class: --out is refused, before training and untouched, unless it is empty or a tokenizer folder
    train-tokenizer wrote (whose four files alone are replaced): never the source, an export or a
    folder of the user's files."""
    from newspairs.stamp import STAMP_FILENAME, normalization_stamp
    from newspairs.train import TOKENIZER_FILES

    source, out = _pairs(tmp_path), folder(tmp_path)
    before = _files_of(out)
    code, stdout, err = outcome(["train-tokenizer", source, "--out", out, "--vocab-size", "300", "--quiet"], capsys)
    if refused is not None:
        assert (code, stdout, err) == (1, "", f"newspairs: error: --out {out}: {refused}\n")
        assert _files_of(out) == before
        return
    assert (code, err) == (0, "")
    after = _files_of(out)
    assert set(TOKENIZER_FILES) <= set(after)
    assert {name: data for name, data in after.items() if name not in TOKENIZER_FILES} == \
        {name: data for name, data in before.items() if name not in TOKENIZER_FILES}  # the user's files stay
    assert newspairs.Stamp.from_json(after[STAMP_FILENAME].decode()) == normalization_stamp()


def test_a_column_option_that_some_file_reads_is_accepted(tmp_path, capsys):
    """Mixed sources: --raw-column names the column of the CSV; the ISOT file keeps its 'text'."""
    from pairs import write_csv

    _isot(tmp_path)
    write_csv(tmp_path / "isot" / "other.csv", ["body"], [["A plain CSV article."]])
    code, out, err = outcome(["export", tmp_path / "isot", tmp_path / "out", "--raw-column", "body"], capsys)
    assert (code, err) == (0, "")
    assert "4 articles read = 4 written + 0 rejected" in out


# --- what the commands print while they build --------------------------------------------------------


class Terminal(io.StringIO):
    """Standard error as a terminal."""

    def isatty(self) -> bool:
        return True



def as_terminal(monkeypatch) -> Terminal:
    """Make standard error a terminal; called in the test's body, after capsys took sys.stderr."""
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    return stream


def bar_states(text: str) -> list[str]:
    return [state for state in re.split(r"[\r\n]+", text) if state.strip()]


def test_a_short_run_shows_no_progress(tmp_path, capsys, monkeypatch):
    """The 12-article demo, built afresh (the test's own cache), with standard error a terminal."""
    terminal = as_terminal(monkeypatch)
    code = main(["demo", "--out", str(tmp_path / "demo")])
    assert code == 0
    assert terminal.getvalue() == ""
    assert "agreement: 12 of 12" in capsys.readouterr().out


def test_a_long_build_shows_one_bar_with_a_total(tmp_path, capsys, monkeypatch):
    import newspairs.cli

    terminal = as_terminal(monkeypatch)
    monkeypatch.setattr(newspairs.cli, "LONG_BUILD_BYTES", 0)  # the embedded data counts as long
    code = main(["export", "newspairs/data/default", str(tmp_path / "out")])
    assert code == 0
    printed = terminal.getvalue()
    states = bar_states(printed)
    assert "Generating" not in printed and "Creating parquet" not in printed
    rows = sum(len(split) for config in ("articles", "lines", "raw") for split in newspairs.load(config=config).values())
    assert states and all(state.startswith("building articles, lines, raw: ") for state in states)
    assert all(f"/{rows} [" in state for state in states)
    assert f" {rows}/{rows} [" in states[-1] and "100%" in states[-1]
    assert capsys.readouterr().out.startswith(f"exported to {tmp_path / 'out'}")


@pytest.mark.parametrize("command", ["export", "demo", "train-tokenizer"], ids=str)
def test_quiet_shows_no_bar_even_for_a_long_build_on_a_terminal(command, tmp_path, capsys, monkeypatch):
    import newspairs.cli

    monkeypatch.setattr(newspairs.cli, "LONG_BUILD_BYTES", 0)
    terminal = as_terminal(monkeypatch)
    argv = {"export": ["export", "newspairs/data/default", tmp_path / "out"], "demo": ["demo", "--out", tmp_path / "out"],
            "train-tokenizer": ["train-tokenizer", "--out", tmp_path / "out", "--vocab-size", "300"]}[command]
    assert main([str(arg) for arg in argv] + ["--quiet"]) == 0
    assert terminal.getvalue() == ""


def test_no_bar_when_standard_error_is_not_a_terminal(tmp_path, capsys, monkeypatch):
    import newspairs.cli

    monkeypatch.setattr(newspairs.cli, "LONG_BUILD_BYTES", 0)
    code, out, err = outcome(["export", "newspairs/data/default", tmp_path / "out"], capsys)
    assert (code, err) == (0, "")
    assert out.startswith("exported to")


def test_each_reject_is_listed_once_and_nothing_else_on_stderr(tmp_path, capsys):
    from pairs import write_pairs

    source = write_pairs(tmp_path / "c")
    (source / "normalized" / "market.txt").write_text("a\nb", encoding="utf-8")
    code, out, err = outcome(["export", source, tmp_path / "out", "--errors", "report"], capsys)
    assert (code, err) == (0, "")
    rejected = [line for line in out.splitlines() if line.startswith("rejected")]
    assert len(rejected) == 1
    assert rejected[0].startswith("rejected (articles, lines, raw): raw/market.txt, article raw/market.txt, line 2: ")  # the report names files relative to the source
    assert out.count("1 rejected") == 3  # the summary still reconciles each config


def test_train_tokenizer_writes_only_results_to_stdout(tmp_path, capfd, monkeypatch):
    """With the trainer's progress on (a long build on a terminal), its blank lines go to stderr."""
    import newspairs.cli

    monkeypatch.setattr(newspairs.cli, "LONG_BUILD_BYTES", 0)
    as_terminal(monkeypatch)
    code = main(["train-tokenizer", "--out", str(tmp_path / "tok"), "--vocab-size", "300"])
    assert code == 0
    lines = capfd.readouterr().out.splitlines()
    assert lines[:4] == [f"wrote {tmp_path / 'tok' / name}" for name in
                         ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "newspairs_stamp.json")]
    assert re.fullmatch(r"WordPiece model, \d+ tokens", lines[4])
    assert lines[5:] == ["trained on 8 articles (the train split); 12 articles read = 12 built + 0 rejected"]


def test_train_tokenizer_reports_bad_articles_and_trains_on_the_rest(tmp_path, capsys):
    from pairs import write_pairs

    source = write_pairs(tmp_path / "c")
    (source / "normalized" / "market.txt").write_text("a\nb", encoding="utf-8")
    code, out, err = outcome(["train-tokenizer", source, "--out", tmp_path / "stops", "--vocab-size", "300"], capsys)
    assert (code, out) == (1, "")
    assert err.startswith(f"newspairs: error: {source / 'raw' / 'market.txt'}, article raw/market.txt, line 2: ")
    assert not (tmp_path / "stops").exists()

    code, out, err = outcome(["train-tokenizer", source, "--out", tmp_path / "tok", "--vocab-size", "300", "--split", "all",
                              "--errors", "report"], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert (tmp_path / "tok" / "tokenizer.json").is_file()
    assert len(list((source / "raw").iterdir())) == 4
    assert lines[-2:-1] == ["trained on 3 articles (every split); 4 articles read = 3 built + 1 rejected"]
    assert lines[-1].startswith(f"rejected (articles): {source / 'raw' / 'market.txt'}, article raw/market.txt, line 2: ")  # as the error names it


def test_train_tokenizer_in_a_pipe_prints_results_only(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "newspairs", "train-tokenizer", "--out", str(tmp_path / "tok"), "--vocab-size", "300"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "" not in done.stdout.splitlines() and done.stdout.startswith("wrote ")
    assert done.stderr == ""


def test_an_interrupt_is_one_line_and_status_130(monkeypatch, capsys):
    import newspairs.verify

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(newspairs.verify, "verify", interrupted)
    assert outcome(["verify"], capsys) == (130, "", "newspairs: interrupted\n")


def test_a_config_given_twice_is_exported_once(tmp_path, capsys):
    code, out, err = outcome(["export", _pairs(tmp_path), tmp_path / "out", "--config", "lines", "--config", "lines"], capsys)
    assert (code, err) == (0, "")
    assert out.count("lines: ") == 2  # the split sizes and the build summary, once each
    assert sorted(path.name for path in (tmp_path / "out").iterdir() if path.is_dir()) == ["lines"]


@pytest.mark.parametrize(
    ("parts", "creatable"),
    [
        pytest.param(["new"], True, id="a-new-folder"),
        pytest.param(["a", "b", "new"], True, id="new-parents-too"),
        pytest.param(["a-file", "new"], False, id="under-a-file"),
        pytest.param(["a", "a-file", "new"], False, id="under-a-file-in-a-folder"),
    ],
)
def test_the_output_probe_leaves_nothing_behind(parts, creatable, tmp_path):
    from newspairs.cli import _check_creatable

    (tmp_path / "a").mkdir()
    _a_file(tmp_path)
    _a_file(tmp_path / "a")
    before = sorted(tmp_path.rglob("*"))
    target = tmp_path.joinpath(*parts)
    if creatable:
        _check_creatable(str(target), "OUT")
    else:
        with pytest.raises(ValueError, match=rf"OUT {re.escape(str(target))}: cannot be created \(Not a directory\)"):
            _check_creatable(str(target), "OUT")
    assert sorted(tmp_path.rglob("*")) == before


def _line_within(stream, seconds: float) -> str:
    """One line read from a child's pipe, or a failure after ``seconds`` (not a hang)."""
    import threading

    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(seconds)
    assert got, f"no line within {seconds} s"
    return got[0].decode()


@pytest.mark.parametrize("num_proc", [[], ["--num-proc", "2"]], ids=["one-process", "num-proc-2"])
def test_sigterm_stops_an_export_as_ctrl_c_does(tmp_path, num_proc):
    """SIGTERM (timeout, docker stop) killed an export outright, leaving its staging folder beside OUT for
    good; it now unwinds as Ctrl-C does: one line, status 143, nothing left behind."""
    from pairs import export_stopped_by_sigterm

    assert export_stopped_by_sigterm(tmp_path, 60000, *num_proc) == (143, "newspairs: terminated\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["big.jsonl"]


def _sigterm_is_default() -> bool:
    import signal

    return signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_worker_forked_while_sigterm_unwinds_has_the_default_sigterm():
    """A forked --num-proc worker inherited the unwinding handler, which let the worker die only once
    the handler ran: a SIGTERM (the pool's own terminate()) landing just before the worker blocked on
    the pool's lock was never acted on, and the export hung in Pool.__exit__ for good (seen in the
    test run of 2026-12-07, a worker of test_an_export_with_large_files_read_in_parts_...)."""
    import multiprocessing
    import signal

    from newspairs.cli import _sigterm_unwinds

    with _sigterm_unwinds():
        assert getattr(signal.getsignal(signal.SIGTERM), "newspairs_unwinds", False)
        with multiprocessing.get_context("fork").Pool(2) as pool:
            assert pool.starmap(_sigterm_is_default, [(), ()]) == [True, True]
        # a SIGTERM sent as soon as the child exists, before it runs any code of its own, kills it
        for _ in range(50):
            child = os.fork()
            if child == 0:
                time.sleep(30)
                os._exit(0)
            os.kill(child, signal.SIGTERM)
            _, status = os.waitpid(child, 0)
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM
        assert signal.pthread_sigmask(signal.SIG_BLOCK, set()) == set()  # nothing left blocked here
    assert _sigterm_is_default()


@pytest.mark.parametrize("encoding", ["latin-1", "ascii", "cp1252"])
def test_normalize_writes_utf8_whatever_the_locale(tmp_path, encoding):
    """Under a Latin-1 locale (PYTHONIOENCODING, a Windows code page), normalize wrote its output in
    that encoding (a twin newspairs then refused as not UTF-8), or stopped at a character it lacks."""
    import os

    from reference import reference_normalize

    text = "It's İstanbul's café, “naïve” Σ.\n"
    (tmp_path / "raw.txt").write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "newspairs", "normalize", str(tmp_path / "raw.txt")],
                          capture_output=True, timeout=120, env={**os.environ, "PYTHONIOENCODING": encoding})
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.decode("utf-8") == reference_normalize(text.rstrip("\n")) + "\n"


# --- outside checks of stop 38 -----------------------------------------------------------------------


def test_a_link_to_nothing_is_reported_on_a_terminal_as_off_one(tmp_path, capsys, monkeypatch):
    """On a terminal the bar's size check stat'ed every input first: a dangling link stopped the
    export with "No such file or directory", --errors report or not, where off a terminal it is a reject."""
    source = tmp_path / "d"
    source.mkdir()
    (source / "a.jsonl").write_text('{"raw": "A."}\n', encoding="utf-8")
    (source / "b.jsonl").symlink_to(tmp_path / "nowhere.jsonl")
    results = {}
    for where in ("terminal", "pipe"):
        terminal = as_terminal(monkeypatch) if where == "terminal" else None
        code, out, _ = outcome(["export", source, tmp_path / where, "--errors", "report", "--config", "articles"], capsys)
        results[where] = (code, out.replace(str(tmp_path / where), "OUT"))
        assert terminal is None or "error" not in terminal.getvalue()
        monkeypatch.undo()
    assert results["terminal"] == results["pipe"]
    assert results["pipe"][0] == 0 and "2 articles read = 1 written + 1 rejected" in results["pipe"][1]


@pytest.mark.parametrize(("records", "summary"), [
    ([{"raw": "One."}], "no pair checked: the source has no stored normalized side; 1 article without a normalized side"),
    ([], "no pair checked: no article was read"),
], ids=["raw-side-only", "empty-file"])
def test_verify_that_checked_nothing_fails(tmp_path, capsys, records, summary):
    """It exited 0, as if every pair agreed (a --normalized-column forgotten on a CSV of other names)."""
    (tmp_path / "p.jsonl").write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    code, out, err = outcome(["verify", tmp_path / "p.jsonl"], capsys)
    assert (code, out, err) == (1, summary + "\n", "")


def test_verify_names_each_article_it_sets_aside(tmp_path, capsys):
    records = [{"raw": "One.", "normalized": "one ."}, {"raw": " ", "normalized": ""}, {"raw": "One.", "normalized": "one ."}]
    (tmp_path / "p.jsonl").write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    code, out, _ = outcome(["verify", tmp_path / "p.jsonl"], capsys)
    set_aside = [line for line in out.splitlines() if line.startswith("set aside: ")]
    assert code == 0
    assert "2 articles set aside" in out.splitlines()[0]
    assert [re.search(r"line \d+", line).group() for line in set_aside] == ["line 2", "line 3"]


def test_verify_cut_short_by_its_reader_keeps_its_verdict(tmp_path):
    """`except BrokenPipeError: return 0` served every command: `verify ... | head` passed a corpus
    whose every article is unreadable (a CI step with pipefail)."""
    (tmp_path / "u.jsonl").write_text("".join(f"not json {i}\n" for i in range(3000)), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    reader = subprocess.Popen([sys.executable, "-m", "newspairs", "verify", str(tmp_path / "u.jsonl")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    first = reader.stdout.readline()
    reader.stdout.close()  # as head does, long before the 3,000 lines are written
    status = reader.wait(timeout=240)
    assert first.startswith(b"no pair checked")
    assert (status, reader.stderr.read()) == (1, b"")


def test_verify_keeps_its_verdict_when_the_reader_leaves_before_the_last_flush(tmp_path):
    """d68b353's flush in main met the broken pipe of '| true' and returned 0: a failing verify passed
    (the final review); before it, the flush at exit failed with a traceback and 120."""
    from pairs import write_pairs

    source = write_pairs(tmp_path / "c", {"a.txt": "Hello, world."})
    (source / "normalized" / "a.txt").write_text("wrong side", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    run = subprocess.Popen([sys.executable, "-m", "newspairs", "verify", str(source)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env)
    run.stdout.close()  # as '| true' does, long before the verdict is written
    assert (run.wait(timeout=240), run.stderr.read()) == (1, b"")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_the_rejects_of_a_build_that_left_nothing_are_written_through_the_named_standard_output(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.csv").write_text("raw,x\none\ntwo\n", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    with open("/dev/full", "w") as full:
        run = subprocess.run([sys.executable, "-m", "newspairs", "export", "d", "out", "--errors", "report"], cwd=tmp_path,
                             stdout=full, stderr=subprocess.PIPE, text=True, env=env, timeout=240)
    assert run.returncode == 1 and run.stderr.startswith("newspairs: error: d: no article to export") and run.stderr.count("\n") == 1


@pytest.mark.parametrize("module", ["newspairs"])
def test_help_read_by_a_reader_that_leaves_is_no_error(module):
    """'--help | true' failed at exit with 'Exception ignored' and 120 (the final review)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    run = subprocess.Popen([sys.executable, "-m", module, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    run.stdout.close()
    assert (run.wait(timeout=240), run.stderr.read()) == (0, b"")
    shown = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, env=env, timeout=240)
    assert shown.returncode == 0 and shown.stdout.startswith("usage: newspairs")


@pytest.fixture
def immutable_folder(tmp_path):
    """An empty folder no file can be made in, root too (chattr +i); skipped where chattr cannot."""
    folder = tmp_path / "immutable"
    folder.mkdir()
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True)


@pytest.mark.parametrize("command", [["export", "SRC", "OUT"], ["train-tokenizer", "SRC", "--out", "OUT", "--quiet"],
                                     ["publish", "SRC", "--repo-id", "a/b", "--license", "mit", "--dry-run", "OUT"]],
                         ids=["export", "train-tokenizer", "publish-dry-run"])
def test_an_output_folder_no_file_can_be_made_in_is_refused_before_the_build(tmp_path, capsys, monkeypatch, immutable_folder, command):
    # the review of 716b6fb: export built everything, then failed writing newspairs_export.json
    import newspairs.builder

    def built(*args, **kwargs):
        raise AssertionError("built before OUT was checked")

    monkeypatch.setattr(newspairs.builder, "load", built)
    monkeypatch.setattr(newspairs.builder, "prepare", built)
    source = tmp_path / "a.txt"
    source.write_text("Hello, world.\n", encoding="utf-8")
    argv = [str(source) if part == "SRC" else str(immutable_folder) if part == "OUT" else part for part in command]
    code, out, err = outcome(argv, capsys)
    flag = "OUT" if command[0] == "export" else "--dry-run" if command[0] == "publish" else "--out"
    assert (code, err) == (1, f"newspairs: error: {flag} {immutable_folder}: no file can be written in the folder "
                              "(Operation not permitted); choose another\n")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("command", [["normalize", "a.txt"], ["export", "a.txt", "out"]], ids=["normalize", "export"])
def test_standard_output_that_cannot_be_written_is_named(tmp_path, command):
    """'> /dev/full' (a full disk) said 'newspairs: error: [Errno 28] No space left on device', naming nothing."""
    (tmp_path / "a.txt").write_text("Hello, world.\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    with open("/dev/full", "w") as full:
        run = subprocess.run([sys.executable, "-m", "newspairs", *command], cwd=tmp_path, stdout=full,
                             stderr=subprocess.PIPE, text=True, env=env, timeout=240)
    assert (run.returncode, run.stderr) == (1, "newspairs: error: standard output: No space left on device\n")


def test_an_interrupt_while_the_command_line_is_parsed_is_one_line(capsys, monkeypatch):
    """Parsing imports datasets (seconds on a loaded machine), outside the handler: a Ctrl-C then was a traceback."""
    import newspairs.cli

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(newspairs.cli, "_parsed_args", interrupted)
    assert outcome(["verify"], capsys) == (130, "", "newspairs: interrupted\n")
