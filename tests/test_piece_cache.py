"""The default path's kept pieces (`newspairs.pieces.PieceCache`): exact cold and warm, bounded,
only for the default normalizer; plain pieces lowercased without a pass; where it cannot cut.

The reference (NLTK) decides every expected output.
"""

from __future__ import annotations

import importlib
import random
import string
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tokenizers import Regex, Tokenizer, normalizers

import newspairs
from newspairs import pieces
from newspairs.rules import LAID_OUT_BREAK, LAID_OUT_END, LAID_OUT_START, RULES
from reference import reference_normalize, reference_normalize_line
from paths import cut_mode
from strategies import lines, texts
from test_line_edges import EDGE_CASES
from test_normalize_properties import PIECE_TRAPS, TRAPS

normalize_module = importlib.import_module("newspairs.normalize")  # (the package's `normalize` is the function)

CASES = {**{f"edge-{k}": v for k, v in EDGE_CASES.items()}, **{f"piece-{k}": v for k, v in PIECE_TRAPS.items()},
         **{f"trap-{k}": v for k, v in TRAPS.items()}}


@pytest.fixture(autouse=True)
def cold(monkeypatch):
    # every test starts from an empty cache, every slice cut into pieces (the way under test here,
    # whatever the adaptive choice would take; TestChoice tests the choice)
    monkeypatch.setattr(normalize_module, "cut_mode", "pieces")
    normalize_module.clear_piece_cache()
    yield
    normalize_module.clear_piece_cache()  # and leaves none behind (some plant faults in it)


def kept() -> pieces.PieceCache:
    return normalize_module._PIECES


def test_other_whitespace_is_every_whitespace_character_but_space_and_line_break():
    # pieces scans code points up to LAST_WHITESPACE only: a Python whose Unicode adds one above it fails here
    every = tuple(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c not in " \n")
    assert pieces.OTHER_WHITESPACE == every
    assert max(every) == pieces.LAST_WHITESPACE


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_cold_then_warm_give_the_reference(text):
    expected = reference_normalize(text)
    assert newspairs.normalize(text) == expected  # cold: every piece learned here
    assert newspairs.normalize(text) == expected  # warm: every piece looked up
    assert newspairs.normalize_batch([text, text]) == [expected, expected]


def test_the_second_time_is_look_ups_only(monkeypatch):
    text = 'He said, "it\'s over."  \n\n  The U.S. dollar fell 1,000 points.'
    newspairs.normalize(text)
    size = len(kept())
    monkeypatch.setattr(pieces, "piece_values", lambda unseen: pytest.fail(f"normalized again: {unseen}"))
    assert newspairs.normalize(text) == reference_normalize(text)
    assert list(newspairs.normalize_lines(text.split("\n"))) == reference_normalize(text).split("\n")
    assert len(kept()) == size


def test_a_batch_mixing_texts_that_cannot_be_cut():
    # whitespace other than spaces at a line's end, the mark, the separator: those lines go whole
    texts = ["It ended.\t", "a b.", "x\xa0y\u2028z.", 'He said, "go." \xa0 \nNo.', "Σ\rΣ.  \nnext", "it's'\x02  \nx",
             "a\x01it's'  ", "", "\n\n", "  \n\t\n"]
    expected = [reference_normalize(text) for text in texts]
    assert newspairs.normalize_batch(texts) == expected
    assert newspairs.normalize_batch(texts[::-1]) == expected[::-1]
    assert [newspairs.normalize(text) for text in texts] == expected
    lines = [line for text in texts for line in text.split("\n")]
    assert list(newspairs.normalize_lines(lines)) == [reference_normalize_line(line) for line in lines]
    assert normalize_module.normalized_words_batch(texts) == [e.split() for e in expected]


def test_more_lines_and_characters_than_one_cut(monkeypatch):
    monkeypatch.setattr(normalize_module, "LINES_PER_CUT", 3)
    monkeypatch.setattr(normalize_module, "CHARACTERS_PER_CUT", 20)
    lines = ["Shares rose 2.5%, traders said.", "", "  \"It's over,\" he said.  ", "x\t", "The U.S. dollar fell."] * 5
    assert list(newspairs.normalize_lines(iter(lines))) == [reference_normalize_line(line) for line in lines]
    texts = ["\n".join(lines[i : i + 4]) for i in range(0, len(lines), 4)]
    assert newspairs.normalize_batch(texts) == [reference_normalize(text) for text in texts]


@pytest.mark.parametrize("count", [1, 255, 256, 257, 513], ids=lambda n: f"{n}-pieces")
def test_pieces_normalized_together_across_lines_of_pieces(count):
    # PIECES_PER_LINE pieces share a line of the text normalized: a full line, one more, several
    words = [f"w{i}," if i % 3 else f"\"q{i}'s" for i in range(count)]
    text = " ".join(words)
    assert newspairs.normalize(text) == reference_normalize(text)


class TestPlainPieces:
    def test_the_exceptions_are_the_alphanumeric_contractions(self):
        # drift: derived from the rule table's triggers; a new alphanumeric trigger lands here
        assert pieces.PLAIN_EXCEPTIONS == ("cannot", "gimme", "gonna", "gotta", "lemme", "wanna")

    def test_no_rule_without_triggers_matches_letters_and_digits(self):
        # the rules that always run (a trigger-less rule may match anywhere) leave ASCII letters and
        # digits, spaces and line breaks alone, laid out as the normalizer sees them; the others
        # need a trigger, and no trigger but the exceptions is made of letters and digits
        rng = random.Random(17)
        alphabet = string.ascii_letters + string.digits
        lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))) for _ in range(400)]
        lines = [" ".join(lines[i : i + rng.randint(1, 6)]) for i in range(0, 400, 3)] + ["", alphabet]
        text = LAID_OUT_START + LAID_OUT_BREAK.join(lines) + LAID_OUT_END
        checked = 0
        for rule in RULES:
            if rule.triggers or rule.kind != "replace" or rule.name.startswith("pad_line") or rule.name == "pad_text_end":
                continue
            replace = normalizers.Replace(rule.pattern if rule.literal else Regex(rule.pattern), rule.content)
            assert replace.normalize_str(text) == text, rule.name
            checked += 1
        assert checked >= 5
        assert all(not (t.isascii() and t.isalnum()) or t in pieces.PLAIN_EXCEPTIONS for r in RULES for t in r.triggers)

    @pytest.mark.parametrize(
        ("piece", "value"),
        [("\nBahia", "bahia "), ("review\n", "review\n"), ("said\nThe", "said\nthe "), ("\nA\n\nB", "a\n\nb "),
         ("x2Y", "x2y "), ("Cannot", "can not "), ("\nGONNA\n", "gon na\n"), ("xcannotx", "xcannotx "),
         ("", ""), ("\n", ""), ("\n\n", "\n"), ("said.\nThe", "said .\nthe "), ("it's\x02\n", "it 's\n")],
    )
    def test_values(self, piece, value):
        assert pieces.piece_values([piece]) == [value]
        assert pieces.piece_values(["x,", piece, "\"y"]) == ["x , ", value, "`` y "]

    @given(st.lists(st.sampled_from(["", " ", "  ", "\n", " \n", "\n ", "  \n  "]) | st.text(string.ascii_letters + string.digits, min_size=1, max_size=8), max_size=30))
    def test_lines_of_letters_and_digits(self, parts):
        text = "".join(f"{p} " if p.strip() else p for p in parts)
        assert newspairs.normalize(text) == reference_normalize(text)
        assert newspairs.normalize(text) == reference_normalize(text)


class TestBounded:
    def test_at_most_max_pieces_kept_and_still_exact(self):
        cache = pieces.PieceCache(max_pieces=12)
        texts = [f"Text {i}: it's {i * 7}, \"quoted\" and (bracketed) n't." for i in range(40)]
        largest = 0
        for text in texts + texts[::-1]:
            assert cache.normalize(text) == reference_normalize(text)
            assert len(cache) <= 12
            largest = max(largest, len(cache))
        assert largest > 6  # the bound was reached, then cleared

    def test_a_text_with_more_new_pieces_than_the_bound_is_not_kept(self):
        cache = pieces.PieceCache(max_pieces=5)
        text = " ".join(f"w{i}." for i in range(50))
        assert cache.normalize(text) == reference_normalize(text)
        assert len(cache) == 0
        assert cache.normalize("a b.") == "a b ." and len(cache) == 2

    def test_characters_are_bounded_too(self):
        cache = pieces.PieceCache(max_characters=100)
        giant = "x" * 500 + "."
        assert cache.normalize(f"one {giant} two") == f"one {'x' * 500}. two"
        assert len(cache) == 0  # one piece longer than the whole bound: nothing kept
        cache.normalize("a b c.")
        assert 0 < cache._characters <= 100

    def test_the_default_cache_has_a_bound(self):
        assert kept().max_pieces == 1 << 18 and kept().max_characters == 1 << 24


class TestGivenTokenizer:
    def test_a_given_tokenizer_uses_its_own_normalizer_never_the_kept_pieces(self):
        text = 'He said, "it\'s over."'
        assert newspairs.normalize(text) == reference_normalize(text)  # the default path keeps its pieces
        size = len(kept())
        other = Tokenizer.from_str(newspairs.build_tokenizer().to_str())
        # laid out as the rule table lays lines out (a line break first), then its own two passes
        other.normalizer = normalizers.Sequence([normalizers.Prepend("\n"), normalizers.Replace(",", ""), normalizers.Lowercase()])
        assert newspairs.normalize(text, other) == 'he said "it\'s over."'
        assert newspairs.normalize_batch([text], other) == ['he said "it\'s over."']
        assert list(newspairs.normalize_lines([text], other)) == ['he said "it\'s over."']
        assert len(kept()) == size  # nothing kept for it, nothing taken from the default's

    def test_the_shipped_tokenizer_json_still_runs_its_passes(self, monkeypatch):
        monkeypatch.setattr(pieces.PieceCache, "normalize", lambda self, text: pytest.fail("cache used"))
        tokenizer = newspairs.load_tokenizer()
        assert newspairs.normalize("It's 1,000.", tokenizer) == "it 's 1,000 ."


class TestChoice:
    """The default path's choice per slice between pieces and the whole-text way (``cut_mode``)."""

    @pytest.mark.parametrize("mode", ["adaptive", "whole"])
    @pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
    def test_every_way_gives_the_reference(self, monkeypatch, mode, text):
        monkeypatch.setattr(normalize_module, "cut_mode", mode)
        expected = reference_normalize(text)
        assert newspairs.normalize(text) == expected
        assert newspairs.normalize_batch([text, text]) == [expected, expected]

    def test_the_whole_way_keeps_nothing(self, monkeypatch):
        monkeypatch.setattr(normalize_module, "cut_mode", "whole")
        monkeypatch.setattr(pieces.PieceCache, "normalize", lambda self, text: pytest.fail("cut"))
        assert newspairs.normalize('He said, "it\'s over."') == 'he said , `` it \'s over . \'\''
        assert len(kept()) == 0

    def test_a_first_text_goes_whole_and_a_known_one_by_pieces(self, monkeypatch):
        monkeypatch.setattr(normalize_module, "cut_mode", "adaptive")
        # two lines: a short line alone is looked up whole (TestOneAtATime)
        text = " ".join(f"w{i}, it's" for i in range(20)) + "\n" + " ".join(f"v{i}, it's" for i in range(20))
        cut = []
        normalize_of = pieces.PieceCache.normalize
        monkeypatch.setattr(pieces.PieceCache, "normalize", lambda self, t: cut.append(t) or normalize_of(self, t))
        assert newspairs.normalize(text) == reference_normalize(text)
        assert cut == [] and len(kept()) == 0  # all new: normalized whole, nothing learned
        with cut_mode("pieces"):
            newspairs.normalize(text)  # learned
        assert newspairs.normalize(text) == reference_normalize(text)
        assert cut == [text, text]  # known: cut, every piece looked up

    def test_a_cold_cache_still_learns_part_of_the_text(self, monkeypatch):
        monkeypatch.setattr(normalize_module, "cut_mode", "adaptive")
        # two lines each: a short line alone would be looked up whole (TestOneAtATime)
        texts = [" ".join(f"t{j}w{i}." for i in range(20)) + "\n" + " ".join(f"t{j}v{i}." for i in range(20))
                 for j in range(3 * int(pieces.LEARNING_CREDIT) + 3)]
        assert newspairs.normalize_batch(texts) == [reference_normalize(t) for t in texts]
        assert [newspairs.normalize(t) for t in texts] == [reference_normalize(t) for t in texts]
        assert len(kept()) > 0  # the credit of the texts normalized whole let some be learned

    def test_the_share_is_guessed_from_words_inside_lines(self):
        cache = pieces.PieceCache()
        line = " ".join(f"w{i}" for i in range(20))
        assert not cache.worth_cutting(line)
        cache.normalize(line)
        assert cache.worth_cutting(line)  # every word inside the line is kept
        lines = line.replace(" ", "\n")  # no word inside a line: no guess, the credit decides
        cache._credit = 0.0
        assert not cache.worth_cutting(lines) and cache._credit == len(lines)
        cache._credit = pieces.LEARNING_CREDIT * len(lines)
        assert cache.worth_cutting(lines) and cache._credit == 0
        cache.clear()
        assert not cache.worth_cutting(line) and cache._credit == len(line)

    def test_an_unknown_mode_is_refused(self, monkeypatch):
        monkeypatch.setattr(normalize_module, "cut_mode", "sometimes")
        with pytest.raises(ValueError, match="sometimes"):
            newspairs.normalize("a b.")


class TestOneAtATime:
    """A short line normalized alone (``normalize(line)``, adaptive): looked up whole in the kept
    pieces, else normalized whole, its new pieces left to wait and learned together
    (`PieceCache.normalize_kept`, `PENDING_PIECES`)."""

    @pytest.fixture(autouse=True)
    def adaptive(self, monkeypatch):
        monkeypatch.setattr(normalize_module, "cut_mode", "adaptive")

    @pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
    def test_new_then_waiting_then_learned_give_the_reference(self, text):
        expected = reference_normalize(text)
        assert newspairs.normalize(text) == expected  # new: whole
        assert newspairs.normalize(text) == expected  # its pieces waiting: whole again
        kept().learn_pending()
        assert newspairs.normalize(text) == expected  # learned: looked up

    def test_new_pieces_wait_and_are_learned_together(self, monkeypatch):
        monkeypatch.setattr(pieces, "PENDING_PIECES", 8)
        learned = []
        values_of = pieces.piece_values
        monkeypatch.setattr(pieces, "piece_values", lambda unseen: learned.append(list(unseen)) or values_of(unseen))
        first, second = "Prices rose, it's said.", "Prices fell; it's \"true\"."
        assert newspairs.normalize(first) == reference_normalize(first)
        assert learned == [] and len(kept()) == 0  # 4 pieces waiting: not yet
        assert newspairs.normalize(second) == reference_normalize(second)
        assert len(learned) == 1  # 8 waiting: learned at once, each distinct piece once
        assert sorted(learned[0]) == sorted(set(pieces.line_pieces(first)) | set(pieces.line_pieces(second)))
        monkeypatch.setattr(pieces, "piece_values", lambda unseen: pytest.fail(f"normalized again: {unseen}"))
        monkeypatch.setattr(normalize_module, "_normalized_line_whole", lambda line: pytest.fail("normalized whole"))
        assert newspairs.normalize(first) == reference_normalize(first)  # every piece looked up
        assert newspairs.normalize(second) == reference_normalize(second)

    def test_a_text_that_fails_leaves_no_waiting_piece_to_fail_the_next(self, monkeypatch):
        # its lone surrogate waited among the pieces, and the next text to learn them failed on it
        monkeypatch.setattr(pieces, "PENDING_PIECES", 4)
        with pytest.raises(ValueError, match="not UTF-8 text"):
            newspairs.normalize("ok \ud800 x")
        after = "Prices rose, it's said."
        assert newspairs.normalize(after) == reference_normalize(after)
        assert not kept()._pending and {"rose,", "x\n"} <= set(kept()._values)  # learned, with their neighbours
        assert not any("\ud800" in piece for piece in kept()._values)

    def test_a_clear_forgets_the_waiting_pieces(self):
        newspairs.normalize("A new line, not kept.")
        assert kept()._pending
        normalize_module.clear_piece_cache()
        assert not kept()._pending

    @pytest.mark.parametrize("text", ["one\ntwo, it's", "x" * (normalize_module.SHORT_LINE + 1) + ", it's", "tab at the end,\t"],
                             ids=["two-lines", "long", "not-cut"])
    def test_what_is_not_a_short_line_that_can_be_cut_waits_for_nothing(self, text):
        assert newspairs.normalize(text) == reference_normalize(text)
        assert not kept()._pending

    @given(lines)
    def test_line(self, line):
        normalize_module.clear_piece_cache()
        expected = reference_normalize_line(line)
        assert newspairs.normalize(line) == expected
        kept().learn_pending()
        assert newspairs.normalize(line) == expected


@pytest.mark.parametrize("mode", ["pieces", "whole"])
class TestPropertiesEachWay:
    """tests/test_normalize_properties.py's differential properties through each way forced: the
    adaptive default would send most generated text (new pieces) whole, so the pieces are checked
    here with every slice cut, cold (cache cleared) and warm (the same again)."""

    @given(lines)
    def test_line(self, mode, line):
        with cut_mode(mode):
            normalize_module.clear_piece_cache()
            expected = reference_normalize_line(line)
            assert newspairs.normalize(line) == expected
            assert newspairs.normalize(line) == expected

    @given(st.lists(texts(max_lines=3), max_size=6))
    def test_batch(self, mode, batch):
        with cut_mode(mode):
            normalize_module.clear_piece_cache()
            expected = [reference_normalize(text) for text in batch]
            assert newspairs.normalize_batch(batch) == expected
            assert newspairs.normalize_batch(batch[::-1]) == expected[::-1]

    @given(st.lists(lines, max_size=12))
    def test_lines_lazily(self, mode, many):
        with cut_mode(mode):
            normalize_module.clear_piece_cache()
            assert list(newspairs.normalize_lines(iter(many))) == [reference_normalize_line(line) for line in many]


def test_normalized_words_of_pieces_out_of_order():
    text = 'A "b\n\'\'c d.  \n  e\'s\'  '
    cut = pieces.text_pieces(text)
    words = dict(zip(cut[::-1], pieces.normalized_words_of_pieces(cut[::-1])))
    assert [w for p in cut for w in words[p]] == reference_normalize(text).split()


def test_lines_cut_one_by_one_are_cut_together():
    lines = ["a", "a ", "a\t", "a\t ", "a\xa0  ", "\u2028", "x\x02", "", " ", "a\x1c b", "a \x85", "it's'  "]
    cut = [line for line in lines if pieces.text_pieces(line) is not None]
    assert len(cut) == 6 and pieces.line_pieces("\n".join(cut)) is not None
    assert newspairs.normalize("\n".join(lines)) == reference_normalize("\n".join(lines))


class TestFuzzerPaths:
    """scripts/fuzz_normalize.py checks the cold and the warm path (tests/paths.py): a planted fault
    in either is found, in the path it is planted in."""

    @staticmethod
    def fuzzer():
        from test_scripts import load_script

        return load_script("fuzz_normalize")

    def test_a_wrong_kept_value_is_found_by_the_warm_path_only(self, monkeypatch):
        fill = pieces.PieceCache.fill

        def keeping_wrong_values(self, cut, values):  # this text's values right, the kept ones without commas
            out = fill(self, cut, values)
            for piece, value in list(self._values.items()):
                self._values[piece] = value.replace(",", "")
            return out

        monkeypatch.setattr(pieces.PieceCache, "fill", keeping_wrong_values)
        texts = ["Shares rose, traders said.", "a, b"]
        got = self.fuzzer().check_paths(texts, [reference_normalize(t) for t in texts], ("normalize", "normalize-warm"))
        assert got["normalize"] == [None, None]
        assert all(result is not None for result in got["normalize-warm"]), got  # (each text holds a comma)
        assert self.fuzzer().run_task((7, 0, 300, ("normalize-warm",)))[3]["normalize-warm"] > 0

    def test_a_plain_piece_made_wrongly_is_found_by_the_cold_path(self, monkeypatch):
        monkeypatch.setattr(pieces, "PLAIN_EXCEPTIONS", ())  # "cannot" would stay whole
        texts = ["I cannot go.", "We gonna win"]
        got = self.fuzzer().check_paths(texts, [reference_normalize(t) for t in texts], ("normalize", "normalize-warm"))
        assert got == {"normalize": ["'i cannot go .'", "'we gonna win'"], "normalize-warm": ["'i cannot go .'", "'we gonna win'"]}
        assert self.fuzzer().run_task((7, 0, 300, ("normalize",)))[3]["normalize"] > 0
