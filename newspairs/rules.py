"""The rule table of the normalization (data only): NLTK's Treebank rules as `tokenizers` passes.

PROVISIONAL first cut: one pass per NLTK rule, not yet exact. Being replaced by the exact table.
"""

from __future__ import annotations

from dataclasses import dataclass

WHITESPACE_CLASS = "[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"


@dataclass(frozen=True)
class Pass:
    name: str
    kind: str  # "replace" | "lowercase" | "prepend"
    pattern: str = ""
    content: str = ""
    literal: bool = False
    nltk: str = ""
    why: str = ""


PASSES: tuple[Pass, ...] = (
    Pass("pad_text_start", "prepend", content=" ", nltk="text = ' ' + text + ' '", why="later rules need a space before the first token"),
    Pass("pad_line_start", "replace", "\n", "\n ", literal=True, nltk="text = ' ' + text + ' '", why="the same for every line of a chunk"),
    Pass("open_quote_at_line_start", "replace", r"(?<=^ )\"", "``", nltk="STARTING_QUOTES[0]"),
    Pass("pad_double_backticks", "replace", r"``\K|(?=``)", " ", nltk="STARTING_QUOTES[1]"),
    Pass("open_quote_after_opener", "replace", r"(?<=[ \(\[{<])(?:\"|'')", " `` ", nltk="STARTING_QUOTES[2]"),
    Pass("pad_comma_colon", "replace", r"(?=[:,][^\d\n])|(?<=[:,])(?=[^\d\n])|(?=[:,]$)|(?<=[:,])$", " ", nltk="PUNCTUATION[0:2]"),
    Pass("pad_ellipsis", "replace", r"\.\.\.", " ... ", literal=False, nltk="PUNCTUATION[2]"),
    Pass("pad_symbols", "replace", r"(?=[;@#$%&?!\[\](){}<>])|(?<=[;@#$%&?!\[\](){}<>])", " ", nltk="PUNCTUATION[3,5], PARENS_BRACKETS"),
    Pass("split_final_period", "replace", r"(?<=[^.\n])(?=\.[\]\)}>\"']*[ \t]*$)", " ", nltk="PUNCTUATION[4]"),
    Pass("pad_double_dash", "replace", "--", " -- ", literal=True, nltk="DOUBLE_DASHES"),
    Pass("pad_line_end", "replace", r"$", " ", nltk="text = ' ' + text + ' '"),
    Pass("pad_quote_before_space", "replace", r"(?<=[^'\n])(?=' )", " ", nltk="PUNCTUATION[6]"),
    Pass("close_double_single_quotes", "replace", "''", " '' ", literal=True, nltk="ENDING_QUOTES[0]"),
    Pass("close_double_quote", "replace", '"', " '' ", literal=True, nltk="ENDING_QUOTES[1]"),
    Pass("split_clitics", "replace", r"(?<=[^' \n])(?=(?:'[sSmMdD]|'|'ll|'LL|'re|'RE|'ve|'VE|n't|N'T) )", " ", nltk="ENDING_QUOTES[2:4]"),
    Pass("split_contractions", "replace", r"(?i)\b(?:can\Knot|d\K'ye|gim\Kme|gon\Kna|got\Kta|lem\Kme|more\K'n)\b|(?i)\bwan\Kna(?=\s)", " ", nltk="CONTRACTIONS2"),
    Pass("split_tis_twas", "replace", r"(?i)(?<= )'t\K(?:is|was)\b", " ", nltk="CONTRACTIONS3"),
    Pass("lowercase", "lowercase", nltk=".lower()"),
)


def rule_table_fingerprint() -> str:
    return repr(PASSES)
