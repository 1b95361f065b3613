"""The compilation of the rule table into passes: every fused scan gives its sequence's output.

`build_passes(fuse=False)` runs one pass per NLTK substitution (a rule, or the parts of one
``scan``), in table order; `PASSES` fuses them (docs/passes.md). The two normalizers must write
the same string, not only the same tokens, for every text: checked on hypothesis texts, the peer
suite, every string up to a few characters or pieces over the alphabets the fused rules react to,
and the shipped ``tokenizer.json``'s normalizer (tests/test_corpora.py runs it on the corpora).
"""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import product

import pytest
from hypothesis import example, given, settings
from tokenizers.normalizers import Lowercase

import newspairs.rules as rules
from newspairs.charclasses import LOWERCASE_SKEW_PAIRS
from newspairs.stamp import SAME_NORMALIZATION, Stamp, normalization_stamp
from newspairs.tokenizer import build_normalizer, build_tokenizer, load_tokenizer_file
from newspairs.train import DEFAULT_TOKENIZER_DIR
from reference import SHARED, reference_normalize_line
from strategies import RandomText, texts

FUSED = build_normalizer(rules.PASSES)
SEQUENCE = build_normalizer(rules.build_passes(fuse=False))

# Characters and pieces the fused rules react to, and what separates them
PUNCTUATION_ALPHABET = ("a", "1", " ", "\t", ".", ",", ":", ";", "'", '"', "`", "-", "(", ")", "!")
WORD_ALPHABET = (
    "cannot", "CANNOT", "n't", "'s", "'tis", "'Twas", "lemme", "gonna", "d'ye", "more'n", "wanna",
    "'", "''", " ", ".", "a", "-", "(", '"', "``", "/", "gİmme", "'tıſ", rules.CONTRACTION_MARK, "\x1f",
)
SKEW_ALPHABET = tuple(
    dict.fromkeys(c for character, rust, _ in LOWERCASE_SKEW_PAIRS[:3] + LOWERCASE_SKEW_PAIRS[-2:] for c in character + rust)
) + ("Σ", "σ", "ς", "a", " ", "'", "\u0301")


def recipe(tokenizer, line: str) -> str:
    normalized = tokenizer.normalizer.normalize_str(line)
    return " ".join(word for word, _ in tokenizer.pre_tokenizer.pre_tokenize_str(normalized))


def strings_over(alphabet: tuple[str, ...], longest: int) -> list[str]:
    return ["".join(parts) for size in range(1, longest + 1) for parts in product(alphabet, repeat=size)]


def assert_fused_is_the_sequence(cases: list[str]):
    # many lines per call: no rule reaches across a line break (the layout pads each line)
    for start in range(0, len(cases), 5000):
        chunk = cases[start : start + 5000]
        if FUSED.normalize_str("\n".join(chunk)) != SEQUENCE.normalize_str("\n".join(chunk)):
            wrong = [case for case in chunk if FUSED.normalize_str(case) != SEQUENCE.normalize_str(case)]
            raise AssertionError(f"{len(wrong)} cases differ, e.g. {wrong[:5]!r}")


class TestFusedIsTheSequence:
    def test_fewer_passes(self):
        assert len(rules.PASSES) < len(rules.build_passes(fuse=False)) <= len(rules.RULES)

    def test_every_rule_once_in_table_order(self):
        # the two scans of a choice both name its rules
        names = list(dict.fromkeys(name for step in rules.PASSES for name in step.rules))
        assert names == [rule.name for rule in rules.RULES]

    @settings(max_examples=100)  # drawing is the cost here; test_on_random_texts draws in bulk
    @given(texts())
    @example("I cannot go, 'tis late.\nGONNA x ΟΔΟΣ \"q\" \U00010d50\u1c89")
    @example(".......\na;b\nCANNOTn't lemme'tis")
    def test_on_texts(self, text):
        assert FUSED.normalize_str(text) == SEQUENCE.normalize_str(text)

    def test_on_random_texts(self):
        # the fuzzer's generator: tens of thousands of texts in a second, where hypothesis draws hundreds
        draw = RandomText(17)
        assert_fused_is_the_sequence([text for text in (draw.text() for _ in range(4000)) if text])

    def test_on_the_peer_suite(self):
        path = SHARED / "peer" / "treebank_cases.jsonl"
        if not path.is_file():
            pytest.skip("../shared/peer not found beside the clone")
        cases = [json.loads(line)["input"] for line in path.read_text(encoding="utf-8").split("\n") if line]
        assert_fused_is_the_sequence([case for case in cases if case])

    @pytest.mark.parametrize(
        "alphabet, longest",
        [(PUNCTUATION_ALPHABET, 4), (WORD_ALPHABET, 3), (SKEW_ALPHABET, 3)],
        ids=["punctuation-4", "words-3", "lowercase-skew-3"],
    )
    def test_on_every_short_string(self, alphabet, longest):
        assert_fused_is_the_sequence(strings_over(alphabet, longest))

    @pytest.mark.slow
    @pytest.mark.parametrize(
        "alphabet, longest", [(PUNCTUATION_ALPHABET, 5), (WORD_ALPHABET, 4)], ids=["punctuation-5", "words-4"]
    )
    def test_on_every_longer_string(self, alphabet, longest):
        assert_fused_is_the_sequence(strings_over(alphabet, longest))

    def test_the_shipped_tokenizer_has_the_compiled_passes(self):
        shipped = load_tokenizer_file(DEFAULT_TOKENIZER_DIR)
        assert len(json.loads(shipped.to_str())["normalizer"]["normalizers"]) == len(rules.PASSES)


# a line the unit's rules one after the other get wrong, where its last rule's example does not show it
UNIT_EXAMPLES = {"clitics": "xn't's'"}  # the 's rule's space would make n't's' look like n't before 's


def _units_with_one_scan() -> list[list[rules.Rule]]:
    return [unit for unit in rules.scan_units() if len(unit) > 1]


class TestWhatKeepsRulesApart:
    """Each ``scan`` and each ``apart`` with an example is needed: without it, output changes."""

    @pytest.mark.parametrize("unit", _units_with_one_scan(), ids=[unit[0].scan for unit in _units_with_one_scan()])
    def test_parts_of_one_substitution_need_their_one_scan(self, unit):
        names = {rule.name for rule in unit}
        parted = tuple(replace(rule, scan="", apart=rule.apart or "-") if rule.name in names else rule for rule in rules.RULES)
        example = UNIT_EXAMPLES.get(unit[0].scan, unit[-1].example)
        assert recipe(build_tokenizer(), example) == reference_normalize_line(example)
        assert recipe(build_tokenizer(rules.build_passes(parted)), example) != reference_normalize_line(example)

    @pytest.mark.parametrize(
        "rule", [r for r in rules.RULES if r.apart_example], ids=[r.name for r in rules.RULES if r.apart_example]
    )
    def test_a_rule_kept_apart_changes_the_output_when_fused(self, rule):
        fused_in = tuple(replace(r, apart="") if r is rule else r for r in rules.RULES)
        assert rules.build_passes(fused_in) != rules.PASSES
        assert recipe(build_tokenizer(), rule.apart_example) == reference_normalize_line(rule.apart_example)
        assert recipe(build_tokenizer(rules.build_passes(fused_in)), rule.apart_example) != reference_normalize_line(
            rule.apart_example
        )

    def test_a_rule_kept_apart_without_an_example_says_it_is_the_cost(self):
        for rule in rules.RULES:
            if rule.apart and not rule.apart_example:
                assert rule.apart.startswith("cost, not output"), rule.name


class TestChoice:
    """The literal rules after Lowercase, one content each, compile into offer + choose."""

    def test_the_contents_are_never_written_by_lowercase(self):
        # what makes an offer recognisable: Lowercase writes none of its characters, whatever the text
        # (surrogates cannot be in a str tokenizers takes)
        everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
        lowered = set(Lowercase().normalize_str(everything))
        assert not lowered & {python for _, _, python in LOWERCASE_SKEW_PAIRS}

    def test_the_skew_rules_compile_into_two_scans(self):
        offer, choose = rules.PASSES[-2:]
        assert offer.name.startswith("offer:") and choose.name.startswith("choose:")
        assert offer.rules == choose.rules == (*(rule.name for rule in rules.KEEP_STR_LOWER), "keep_final_sigma")

    @pytest.mark.parametrize(
        "line",
        ["ΟΔΟΣ", "ΟΔΟΣ.", "ΟΔΟΣ'", "ΣΣ", "aΣΣ b", "ΑΣ\u0301", "Α\u0301Σ x", "Α.Σ", "Α'Σ:", "ΑΣΑ", "Σ", " Σ", "ΑΣ\u0301Α",
         "\u1c89Σ", "Σ\u1c89", "\u1c89\u0301Σ", "ΑΣ\U00010d50", "Ασ", "ας Σ", "'ΑΣ'", "ΑΣ-\nΒΣ"],
        ids=repr,
    )
    def test_the_final_sigma_is_put_back_with_the_skew_characters(self, line):
        # beside skew characters (never cased to Python), case-ignorable runs, other sigmas, line ends
        assert FUSED.normalize_str(line) == SEQUENCE.normalize_str(line)
        assert recipe(build_tokenizer(), line) == reference_normalize_line(line)

    def test_only_the_last_content_may_be_one_lowercase_leaves_alone(self):
        # an offer is recognised by the contents before the last, which Lowercase never writes
        changed = [r for r in rules.RULES if r.name != "keep_final_sigma"]
        changed.insert(changed.index(rules.KEEP_STR_LOWER[0]), next(r for r in rules.RULES if r.name == "keep_final_sigma"))
        compiled = rules.build_passes(tuple(changed))
        assert not any(step.name.startswith(("offer:", "choose:")) for step in compiled)

    @pytest.mark.parametrize("character, rust, python", LOWERCASE_SKEW_PAIRS[:4] + LOWERCASE_SKEW_PAIRS[-4:])
    def test_each_character_comes_back(self, character, rust, python):
        for line in (character, f"x{character}{character}y", f"{LOWERCASE_SKEW_PAIRS[0][0]}{character} {rust}"):
            assert FUSED.normalize_str(line) == SEQUENCE.normalize_str(line)
            assert recipe(build_tokenizer(), line) == reference_normalize_line(line)

    def test_offsets_are_those_of_the_passes_one_by_one(self):
        # a token holding a character put back keeps the span of the raw text it came from
        fused, sequence = build_tokenizer(rules.PASSES), build_tokenizer(rules.build_passes(fuse=False))
        skew = [character for character, _, _ in LOWERCASE_SKEW_PAIRS]
        lines = [f"{a}x {b}{b}. ({c} d{a}" for a, b, c in zip(skew, skew[1:] + skew[:1], skew[2:] + skew[:2])]
        lines += [f"ΟΔΟΣ {a}Σ. (Σ{a} ΑΣ\u0301x" for a in skew] + ["ΟΔΟΣ", "ΟΔΟΣ. ΑΣ'", "x ΑΣ"]
        for got, want in zip(fused.encode_batch(lines), sequence.encode_batch(lines)):
            assert (got.tokens, got.offsets) == (want.tokens, want.offsets)

    @pytest.mark.parametrize(
        "change",
        [
            {"content": "a"},  # Lowercase leaves it alone: it may be in the text
            {"content": "\u1c89\u1c89"},  # more than one character
            {"pattern": "\u1c8a"},  # no mark at the end
        ],
        ids=["content-in-text", "long-content", "no-mark"],
    )
    def test_no_choice_without_its_conditions(self, change):
        changed = list(rules.RULES)
        index = changed.index(rules.KEEP_STR_LOWER[0])
        changed[index] = replace(changed[index], **change)
        compiled = rules.build_passes(tuple(changed))
        assert not any(step.name.startswith(("offer:", "choose:")) for step in compiled)
        assert len(compiled) == len(rules.PASSES) - 2 + len(rules.KEEP_STR_LOWER) + 1  # and keep_final_sigma


class TestStamp:
    """The stamp hashes the rules, not their passes; the hash of the hand-grouped passes it replaced
    stands for the same normalization."""

    def stamp(self, rules_hash: str) -> Stamp:
        return replace(normalization_stamp(), rules=rules_hash)

    @pytest.mark.parametrize("earlier, current", sorted(SAME_NORMALIZATION.items()))
    def test_an_earlier_hash_of_the_same_normalization_is_no_difference(self, earlier, current):
        assert self.stamp(earlier).differences(self.stamp(current)) == {}
        assert self.stamp(current).differences(self.stamp(earlier)) == {}

    @pytest.mark.parametrize("earlier", sorted(SAME_NORMALIZATION))
    def test_another_normalization_is_a_difference(self, earlier):
        assert set(self.stamp(earlier).differences(self.stamp("0123456789abcdef"))) == {"rules"}
        assert set(self.stamp("0123456789abcdef").differences(self.stamp("fedcba9876543210"))) == {"rules"}


class TestContractionMark:
    """The split before a contraction writes `CONTRACTION_MARK`, at which the splits after and inside
    the word start: whitespace to the final split, never a line break, and harmless in the text."""

    def test_the_mark_is_whitespace_to_the_split_and_no_line_break(self):
        mark = rules.CONTRACTION_MARK
        assert f"a{mark}b".split() == ["a", "b"]
        assert [word for word, _ in build_tokenizer().pre_tokenizer.pre_tokenize_str(f"a{mark}b")] == ["a", "b"]
        assert len(f"a{mark}b".splitlines()) == 1 and "\n" not in mark
        assert len(mark.encode()) >= 4  # what makes Oniguruma search for it as a string (docs/passes.md)

    def test_the_rows_after_the_mark_start_at_it(self):
        after_and_inside = [r for r in rules.RULES if r.name.startswith(("split_after_", "split_")) and r.lead == rules.CONTRACTION_MARK[0]]
        assert len(after_and_inside) == len(rules.SPLITS_AFTER_CONTRACTIONS) + len(rules.SPLITS_INSIDE_CONTRACTIONS)
        assert all(rule.pattern.startswith(rules.CONTRACTION_MARK) for rule in after_and_inside)
        assert {rule.content for rule in rules.SPLITS_BEFORE_CONTRACTIONS} == {rules.CONTRACTION_MARK}

    @pytest.mark.parametrize(
        "line",
        [
            "\x1f\u3000cannot/x", "x\x1f\u3000cannot", "can\x1f\u3000not.", "\x1f\u3000\x1f\u3000gonna:",
            "\x1fcannot,", "\u3000wanna go", "wan\x1f\u3000na ", "d\x1f\u3000'ye?", "'t\x1f\u3000is", "\x1f\u3000'tis.",
            "cannot\x1f\u3000", "\x1f\u3000", "\x1f", "cannot\x1f\u3000/x", "/cannot\x1f\u3000.",
        ],
        ids=repr,
    )
    def test_a_mark_in_the_text_is_read_as_the_reference_reads_it(self, line):
        assert recipe(build_tokenizer(), line) == reference_normalize_line(line)
        assert recipe(build_tokenizer(rules.build_passes(fuse=False)), line) == reference_normalize_line(line)


class TestGuard:
    """A fused scan of rules with a ``lead`` runs behind a look-ahead for where their matches start."""

    def test_the_contraction_scans_are_guarded(self):
        lead = {rule.name: rule.lead for rule in rules.RULES}
        guarded = [step for step in rules.PASSES if len(step.rules) > 1 and all(lead[name] for name in step.rules)]
        assert [step.rules[0] for step in guarded] == ["split_before_cannot", "split_after_cannot", "split_can_not"]
        assert all(step.pattern.startswith("(?=[") for step in guarded)
        # a multibyte lead (İ ı for the i of 'tis) is an alternative: a class holding one gives no first byte
        assert guarded[-1].pattern.startswith("(?=[") and "|İ|ı)" in guarded[-1].pattern.split("(?:", 1)[0]

    @pytest.mark.parametrize(
        "pattern, starts",
        [
            ("abc", {"a"}),
            (r"[\x{43}\x{63}]x", {"C", "c"}),
            (r"(?<=[^a])[a-c]\Kx", {"a", "b", "c"}),
            (r"(?<=x)(?=[cC]ab)", {"c", "C"}),
            (r"(?:[iI]|\x{130}|ı)s", {"i", "I", "\u0130", "ı"}),
            (r"'(?<= ')t|\.\.", {"'", "."}),
            (r"a?b", None),
            (r"[^a]b", None),
            (r"\sb", None),
            (r"(?<=a)", None),
            (r"(?:ab)*c", None),
        ],
        ids=["literal", "class", "look-behind", "look-ahead", "alternatives", "top-level-or", "optional",
             "negated", "class-escape", "zero-width", "optional-group"],
    )
    def test_where_matches_start(self, pattern, starts):
        assert rules._first_characters(pattern) == starts

    def test_a_lead_that_misses_a_start_is_refused(self):
        changed = tuple(replace(r, lead="x") if r.name == "split_can_not" else r for r in rules.RULES)
        with pytest.raises(ValueError, match="split_can_not"):
            rules.build_passes(changed)

    def test_without_leads_the_output_is_the_same(self):
        unguarded = build_normalizer(rules.build_passes(tuple(replace(r, lead="") for r in rules.RULES)))
        cases = strings_over(WORD_ALPHABET, 2) + ["I cannot go, 'tis late.", "/gonna/ d'ye:'twas."]
        assert unguarded.normalize_str("\n".join(cases)) == FUSED.normalize_str("\n".join(cases))
