"""`newspairs normalize` and the command line's help: files, standard input, bad bytes, streaming."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

import newspairs
from newspairs.cli import main
from newspairs.tokenizer import save_tokenizer

RAW = 'He said, "I can\'t."\n\n(It\'s 1,000 U.S. dollars...)\tOK.'


def run(argv, capsys, monkeypatch=None, stdin: bytes | None = None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


class TestHelp:
    def test_top_level_help_lists_normalize(self, capsys):
        with pytest.raises(SystemExit) as exit_info:
            main(["--help"])
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        assert "usage: newspairs" in out and "normalize" in out

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

    def test_carriage_returns_are_whitespace_not_line_breaks(self, tmp_path, capsys):
        path = tmp_path / "crlf.txt"
        path.write_bytes(b"One.\r\nTwo, three.\r\n")
        code, out, _ = run(["normalize", str(path)], capsys)
        assert code == 0 and out == "one .\ntwo , three .\n"

    def test_undecodable_input_names_file_and_line(self, tmp_path, capsys):
        path = tmp_path / "latin1.txt"
        path.write_bytes(b"fine\nalso fine\ncaf\xe9 au lait\n")
        code, _, err = run(["normalize", str(path)], capsys)
        assert code == 1
        assert str(path) in err and "line 3" in err and "UTF-8" in err

    def test_undecodable_standard_input(self, capsys, monkeypatch):
        code, _, err = run(["normalize"], capsys, monkeypatch, stdin=b"ok\n\xff\n")
        assert code == 1 and "<stdin>" in err and "line 2" in err

    def test_missing_file(self, tmp_path, capsys):
        code, _, err = run(["normalize", str(tmp_path / "nope.txt")], capsys)
        assert code == 1 and "nope.txt" in err


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
