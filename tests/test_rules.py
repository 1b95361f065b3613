"""The rule table: every rule matters, passes build, skipping passes changes nothing, tables are current."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest
from hypothesis import example, given

import newspairs.rules as rules
from newspairs.charclasses_derive import tables_part
from newspairs.tokenizer import SkippingNormalizer, build_normalizer, build_tokenizer, lay_out
from reference import REPO, reference_normalize_line
from strategies import lines, texts


def recipe(tokenizer, line: str) -> str:
    """The documented three-line recipe: normalizer, pre-tokenizer, join."""
    normalized = tokenizer.normalizer.normalize_str(line)
    return " ".join(word for word, _ in tokenizer.pre_tokenizer.pre_tokenize_str(normalized))


FULL = build_tokenizer()


class TestEveryRuleMatters:
    @pytest.mark.parametrize("rule", rules.RULES, ids=[rule.name for rule in rules.RULES])
    def test_example_is_exact_with_the_rule(self, rule):
        assert recipe(FULL, rule.example) == reference_normalize_line(rule.example)

    @pytest.mark.parametrize("rule", rules.RULES, ids=[rule.name for rule in rules.RULES])
    def test_example_breaks_without_the_rule(self, rule):
        without = build_tokenizer(rules.build_passes(tuple(r for r in rules.RULES if r is not rule)))
        assert recipe(without, rule.example) != reference_normalize_line(rule.example)


class TestTable:
    def test_names_are_unique(self):
        names = [rule.name for rule in rules.RULES]
        assert len(names) == len(set(names))

    def test_each_rule_says_why_and_where_it_comes_from(self):
        for rule in rules.RULES:
            assert rule.why and rule.nltk and rule.example, rule.name

    def test_rules_of_one_scan_share_content(self):
        with pytest.raises(ValueError, match="one content"):
            rules.build_passes(
                (
                    rules.Rule("a", "x", " ", nltk="-", why="-", example="-", scan="p"),
                    rules.Rule("b", "y", "_", nltk="-", why="-", example="-", scan="p"),
                )
            )

    def test_passes_with_triggers_only_hold_rules_with_triggers(self):
        by_name = {rule.name: rule for rule in rules.RULES}
        for step in rules.PASSES:
            if step.triggers:
                assert all(by_name[name].triggers for name in step.rules), step.name

    @pytest.mark.parametrize("index", [0, len(rules.RULES) // 2, len(rules.RULES) - 2])
    def test_fingerprint_changes_with_any_rule(self, index):
        changed = list(rules.RULES)
        rule = changed[index]
        changed[index] = replace(rule, pattern=rule.pattern + "(?:)")
        assert rules.rule_table_fingerprint(tuple(changed)) != rules.rule_table_fingerprint()
        assert rules.rule_table_fingerprint(rules.RULES) == rules.rule_table_fingerprint()

    def test_fingerprint_changes_with_what_shares_one_scan(self):
        parted = tuple(replace(rule, scan="") for rule in rules.RULES)
        assert rules.rule_table_fingerprint(parted) != rules.rule_table_fingerprint()

    def test_fingerprint_is_not_that_of_the_fusion(self):
        # how build_passes fuses rules leaves the output alone (tests/test_passes.py): not the stamp
        fused_less = tuple(replace(rule, apart=rule.apart or "-") for rule in rules.RULES)
        assert rules.build_passes(fused_less) != rules.PASSES
        assert rules.rule_table_fingerprint(fused_less) == rules.rule_table_fingerprint()


class TestSkippingNormalizer:
    """Leaving out passes whose triggers a text lacks gives the full normalizer's output."""

    full = build_normalizer()
    skipping = SkippingNormalizer()

    @given(texts())
    @example("I cannot go, 'tis late.\nGONNA x ΟΔΟΣ \"q\"")
    @example("gİmme 'tİs 'twaſ")  # İ, ſ: Python's (?i) matches them, str.lower() does not map them
    @example("no trigger at all here")
    def test_same_output_as_the_full_normalizer(self, text):
        assert self.skipping.normalize_str(text) == self.full.normalize_str(text)

    @given(lines)
    def test_same_output_on_single_lines(self, line):
        assert self.skipping.normalize_str(line) == self.full.normalize_str(line)

    @given(texts())
    @example("I cannot go.\n\n 'tis\t")
    def test_laying_lines_out_replaces_the_layout_passes(self, text):
        lines = text.split("\n")
        if not text:
            return  # Prepend leaves an empty text alone; normalize handles it before the normalizer
        laid_out = SkippingNormalizer(skip_layout=True).normalize_str(lay_out(lines))
        assert laid_out == self.full.normalize_str(text)

    def test_skip_layout_needs_the_layout_passes_first(self):
        with pytest.raises(ValueError, match="layout passes"):
            SkippingNormalizer(rules.PASSES[1:], skip_layout=True)

    @given(texts())
    @example("ΟΔΟΣ ΣΑΣ Σ.\nΑΣ'Σ \u1c89x \U00010d50\u0301")  # final sigma, Lowercase's newer Unicode
    @example("I cannot go.\n\n 'tis\t")
    def test_str_lower_replaces_the_lowercasing_passes(self, text):
        if not text:
            return  # as above
        without = SkippingNormalizer(skip_layout=True, skip_lowercasing=True)
        assert without.normalize_str(lay_out(text.split("\n"))).lower() == self.full.normalize_str(text)

    def test_skip_lowercasing_needs_the_lowercasing_passes_last(self):
        with pytest.raises(ValueError, match="lowercasing passes"):
            SkippingNormalizer(rules.PASSES[:-1], skip_lowercasing=True)

    @pytest.mark.parametrize(
        "text",
        ["plain words only", "he said, yes", 'a "quote"', "it's", "cannot", "'Tis", "ΣΑΣ", "D'ye see", "more'n that", "'Twas so", "Gimme"],
        ids=["none", "comma", "double-quote", "apostrophe", "contraction", "tis", "sigma", "dye", "moren", "twas", "gimme"],
    )
    def test_triggered_passes_do_fire(self, text):
        assert self.skipping.normalize_str(text) == self.full.normalize_str(text)
        assert recipe(FULL, text) == reference_normalize_line(text)

    def test_each_trigger_turns_its_passes_on(self):
        for position, (_, triggers) in enumerate(self.skipping._gated):
            for trigger in triggers:
                for text in (trigger, f"x {trigger.upper()} y"):
                    assert self.skipping._passes_on(text)[position], (trigger, text)
        assert not any(self.skipping._passes_on("plain words only"))


@pytest.mark.slow
def test_character_classes_are_current():
    """newspairs/charclasses.py is what the reference engines give today (drift check)."""
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "derive_charclasses.py"), "--check"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr


class TestDriftCheckComparesTables:
    """The drift check compares the tables: a new engine release that derives the same ones passes."""

    committed = (REPO / "newspairs" / "charclasses.py").read_text(encoding="utf-8")

    def test_a_new_version_stamp_alone_is_not_drift(self):
        restamped = self.committed.replace("regex 20", "regex 19", 1)
        assert restamped != self.committed
        assert tables_part(restamped) == tables_part(self.committed)

    def test_a_changed_table_is_drift(self):
        changed = self.committed.replace("RE_NOCASE_A = '\\\\x{41}\\\\x{61}'", "RE_NOCASE_A = '\\\\x{41}'", 1)
        assert changed != self.committed
        assert tables_part(changed) != tables_part(self.committed)

    def test_a_text_without_the_docstring_is_refused(self):
        with pytest.raises(ValueError, match="no docstring"):
            tables_part("RE_NOCASE_A = 'a'\n")
