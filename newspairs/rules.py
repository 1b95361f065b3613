"""The rule table of the normalization (data only): NLTK's Treebank rules as `tokenizers` passes.

The reference is `nltk.tokenize.TreebankWordTokenizer` (nltk 3.10.4, `nltk/tokenize/treebank.py`):
a sequence of regex substitutions over one line, a split on whitespace, and `str.lower()` of the
joined tokens. Its output depends only on *where spaces are inserted* and on three substitutions of
quotes, so the table here is a list of rules that each insert a space (or replace a quote) at the
places the reference would, written for Oniguruma, the regex engine of `tokenizers`' `Replace`:

* The normalizer sees many lines at once (joined by ``"\\n"``), each padded as ``"\\n " + line + " "``
  by the first rules, as NLTK pads ``" " + text + " "``. So every line starts after ``"\\n "`` and
  ends before ``" \\n"`` or the end; ``[^\\n]``-style classes keep rules inside their line.
* `Replace` inserts its content literally, so an insertion is a match that consumes the characters
  before the insertion point and ends at it with ``\\K``. Where NLTK's scan consumes characters
  (``,,``, ``...``, ``--``, backtick and quote pairs) a rule consumes the same run from its start, so
  the parity of every run is the reference's.
* Rules with the same content that can share one scan form one *pass* (one `Replace` with an
  alternation, tried in table order): the number of passes is the cost (each pass rebuilds the
  normalized string's alignments).
* Character classes of the reference's engines (`regex`'s ``\\s``/``\\d``, `re`'s ``\\w`` and
  ``(?i)``, `str.split`, `str.lower`'s final sigma) come from `newspairs.charclasses`, derived by
  `scripts/derive_charclasses.py`, never written by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from newspairs import charclasses as cc

# ---------------------------------------------------------------------------------------------
# Vocabulary of the patterns


def _escaped(text: str) -> str:
    """``text`` as an Oniguruma pattern matching it literally."""
    return re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", text)


def _nocase(word: str) -> str:
    """A word as stdlib `re` matches it under ``(?i)``: each letter's derived case class."""
    return "".join(f"[{getattr(cc, f'RE_NOCASE_{ch.upper()}')}]" if ch.isalpha() else ch for ch in word)


def _class_characters(body: str) -> set[str] | None:
    r"""The characters of a class body as the rules write them (``\x{h}``, ranges, escapes, plain)."""
    if body.startswith("^"):
        return None
    tokens = re.findall(r"\\x\{([0-9a-fA-F]+)\}|\\(.)|(-)|([^\\])", body)
    chars: list[str] = []
    ranges = False
    for hexa, escaped, dash, plain in tokens:
        if dash and chars and not ranges:
            ranges = True
            continue
        if escaped and escaped.isalnum():  # \s, \d, \w ...: not written out here
            return None
        character = chr(int(hexa, 16)) if hexa else escaped or dash or plain
        if ranges:
            chars.extend(chr(c) for c in range(ord(chars.pop()), ord(character) + 1))
            ranges = False
        else:
            chars.append(character)
    return set(chars) if not ranges else None


# a class's body to its closing "]": escaped characters, or any other but "]" (the rules nest no classes)
_CLASS_BODY = re.compile(r"(?:\\.|[^\]\\])*\]", re.DOTALL)


def _class_end(pattern: str, start: int) -> int:
    """Index just after the class opening at ``pattern[start]`` (the rules nest no classes)."""
    # a match, not a loop over characters: the rules' Unicode classes are thousands of characters
    # long, and compiling the table (at import) walked each of them several times
    found = _CLASS_BODY.match(pattern, start + 1)
    if found is None:
        raise ValueError(f"unclosed class at {start} in {pattern[start:start + 80]!r}...")
    return found.end()


def _structure(pattern: str, start: int = 0):
    """``(index, character, depth)`` of each ``(``, ``)`` and ``|`` from ``start``, outside classes and
    escapes; ``depth`` is the nesting of groups after the character."""
    depth, index = 0, start
    while index < len(pattern):
        character = pattern[index]
        if character == "\\":
            index += 2
            continue
        if character == "[":
            index = _class_end(pattern, index)
            continue
        if character in "()|":
            depth += {"(": 1, ")": -1, "|": 0}[character]
            yield index, character, depth
        index += 1


def _group_end(pattern: str, start: int) -> int:
    """Index just after the group opening at ``pattern[start]``."""
    for index, character, depth in _structure(pattern, start):
        if character == ")" and depth == 0:
            return index + 1
    raise ValueError(f"unbalanced group in {pattern!r}")


def _alternatives(pattern: str) -> list[str]:
    """``pattern`` split at its top-level ``|``."""
    cuts = [index for index, character, depth in _structure(pattern) if character == "|" and depth == 0]
    return [pattern[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(pattern)])]


def _first_characters(pattern: str) -> set[str] | None:
    """The characters at which a match of ``pattern`` can start (None: not known from its text).

    Look-behinds and ``\\K`` at the start match no character and are stepped over; a look-ahead at
    the start constrains the first character to what its body starts with; a group or alternation
    contributes the union of its alternatives'. Anything else that can match the empty string, or a
    class this does not write out, gives None.
    """
    alternatives = _alternatives(pattern)
    if len(alternatives) > 1:
        found = [_first_characters(alternative) for alternative in alternatives]
        return None if any(f is None for f in found) else set().union(*found)
    index = 0
    while pattern.startswith(("(?<=", "(?<!", r"\K"), index):
        index = index + 2 if pattern.startswith(r"\K", index) else _group_end(pattern, index)
    if index == len(pattern):
        return None
    if pattern.startswith(("(?=", "(?:"), index):
        end = _group_end(pattern, index)
        if pattern.startswith("(?:", index) and pattern[end : end + 1] in ("?", "*", "{"):
            return None
        return _first_characters(pattern[index + 3 : end - 1])
    if pattern[index] == "[":
        end = _class_end(pattern, index)
        found = _class_characters(pattern[index + 1 : end - 1])
    elif pattern.startswith(r"\x{", index):
        end = pattern.index("}", index) + 1
        found = {chr(int(pattern[index + 3 : end - 1], 16))}
    elif pattern[index] == "\\":
        end = index + 2
        found = None if pattern[index + 1].isalnum() else {pattern[index + 1]}
    else:
        end = index + 1
        found = None if pattern[index] in "().^$|?*+{" else {pattern[index]}
    if pattern[end : end + 1] in ("?", "*", "{"):
        return None
    return found


WORD = f"[{cc.RE_WORD}]"  # stdlib re \w: what \b looks at in the contraction rules
NOT_WORD = f"[^{cc.RE_WORD}]"
END_OF_WORD = f"(?!{WORD})"  # \b after a word character
# a \b that matters: a non-word character that is not whitespace (whitespace already separates)
PUNCTUATION_NEXT = f"(?=[^{cc.RE_WORD}{cc.PY_SPLIT_SPACE}])"
DIGIT = cc.RX_DIGIT  # regex \d: the comma/colon rule pads unless a digit follows
LINE_SPACE = f"[{cc.RX_INLINE_SPACE}]"  # regex \s, without the line break that ends our lines
SYMBOLS = r";@#$%&?!\[\](){}<>"  # padded on both sides wherever they are
CLOSERS = r"[\])}>\"']"  # may follow the final period and stay attached to it


@dataclass(frozen=True)
class Rule:
    """One rule: where it inserts (or what it replaces), why, and its counterpart in NLTK.

    Args:
        name: what the rule does.
        pattern: Oniguruma regex (or a plain string when ``literal``); the match is replaced by ``content``.
        content: the text put in place of the match (``" "`` for an insertion).
        nltk: the counterpart in ``nltk/tokenize/treebank.py``.
        why: one line on why the rule is written the way it is.
        example: a line whose normalization changes when the rule is removed (tested).
        literal: ``pattern`` is a plain string.
        kind: ``"replace"``, ``"prepend"`` or ``"lowercase"``.
        triggers: strings one of which the lowercased line must hold for the rule to match at all
            (empty: no such guarantee); lets `newspairs.normalize` skip passes that cannot fire.
        scan: the NLTK substitution the rule is a part of, where its parts must share one scan
            (consecutive rules of one ``scan`` see the text as it was before any of them: in
            sequence, a part's space would hide another's match; tested); empty: a rule of its own.
        apart: why the rule cannot share one scan with the rules before it (empty: it can, and
            `build_passes` fuses it with them where they have the same content).
        apart_example: a line whose normalization changes when the rule does share that scan (tested);
            empty where the reason is the cost of the shared scan, not its output.
        lead: the characters a match can start at (where the engine starts consuming, before any
            ``\\K``), as an Oniguruma class body; `build_passes` checks it against the pattern and puts
            a look-ahead for the union of a fused scan's leads in front of the scan, which lets
            Oniguruma skip to them (docs/passes.md, "What the passes cost"). Empty: no such guard.
    """

    name: str
    pattern: str
    content: str
    nltk: str
    why: str
    example: str
    literal: bool = False
    kind: str = "replace"
    triggers: tuple[str, ...] = ()
    scan: str = ""
    apart: str = ""
    apart_example: str = ""
    lead: str = ""


# ---------------------------------------------------------------------------------------------
# The table, in the order the passes run

LAYOUT = [
    Rule(
        "mark_text_start", "", "\n", kind="prepend",
        nltk="text = ' ' + text + ' '",
        why="the first line then starts after a line break like every other, so one pattern serves all",
        example="\"Hi\" he said.",
    ),
    Rule(
        "pad_line_breaks", "\n", " \n ", literal=True,
        nltk="text = ' ' + text + ' '",
        why="NLTK pads each line with a space; done first, later rules are written for padded lines",
        example="\"Hi\" he said.",
    ),
    Rule(
        "pad_text_end", r"\z", " ",
        nltk="text = ' ' + text + ' '",
        why="the last line has no line break after it to pad",
        example="I'm",
    ),
]

# What the LAYOUT passes make of lines joined by "\n" (no line holding a "\n"): a caller that lays
# lines out so itself may run the passes after them, with the same result (tested).
LAID_OUT_START, LAID_OUT_BREAK, LAID_OUT_END = " \n ", " \n ", " "

# An opening '' becomes `` through a mark, so that each backtick keeps its own apostrophe's span
# (tokenizers aligns every character a match writes with the match's last character): the first
# apostrophe becomes " `" and the mark, and the mark with the second apostrophe becomes "` ". Laid
# out, a line break follows only a space, so "\n'" is always the mark.
OPENING_MARK = "\n"

OPENING_QUOTES = [
    Rule(
        "open_apostrophe_pair",
        r"'(?<=[(\[{<]'|[^\n] '|\n \"')(?=')|`(?<!``)`(?:``)*\K'(?=')", " `" + OPENING_MARK,
        nltk=r"STARTING_QUOTES: ([ \(\[{<])(\"|\'{2}) -> \1 `` ",
        why="an opening '' after a space, an opening bracket, a padded `` pair (even backtick run) or a "
        "quote opened at the line start (whose `` NLTK pads first); runs before the double-quote rules, "
        "whose look-behinds must see the text as NLTK's one scan does",
        example="He said ''no'' twice.",
        triggers=("''",),
    ),
    Rule(
        "open_quote_at_line_start", r"\"(?<=\n \")", " `` ",
        nltk=r'STARTING_QUOTES: ^\" -> ``',
        why="a double quote that starts the line opens a quotation",
        example='"Hi" he said.',
        triggers=("\"",),
    ),
    Rule(
        "open_quote_after_opener",
        r"\"(?<=[(\[{<]\"|[^\n] \"|\n \"\")|`(?<!``)`(?:``)*\K\"", " `` ",
        nltk=r"STARTING_QUOTES: ([ \(\[{<])(\"|\'{2}) -> \1 `` ",
        why="after a space, an opening bracket, a padded `` pair (even backtick run), or right after "
        "a quote opened at the line start (whose `` NLTK pads first); the padding space of the line does not count",
        example="He said (\"no\").",
        triggers=("\"",),
    ),
    Rule(
        "finish_opening_apostrophe_pair", OPENING_MARK + "'", "` ", literal=True,
        nltk=r"STARTING_QUOTES: ([ \(\[{<])(\"|\'{2}) -> \1 `` ",
        why="the second apostrophe of an opening '' becomes the second backtick (after the double-quote "
        "rules: a quote after it must still see an apostrophe before it)",
        example="He said ''no'' twice.",
        triggers=("''",),
    ),
]

# Rules that must see the line before any padding of brackets, quotes or commas.
BEFORE_PADDING = [
    Rule(
        "collapse_space_after_final_period",
        rf"(?:\.(?<=[^\n][^.\n]\.)|\.(?<!\.\.)\.\.(?:\.\.\.)*\.){CLOSERS}*'\K{LINE_SPACE}+$", "  ",
        nltk=r"PUNCTUATION: ([^\.])(\.)([\]\)}>\"\']*)\s*$ -> \1 \2\3 (the \s* becomes one space)",
        why="the final-period rule rewrites trailing whitespace to one space, which the apostrophe rules "
        "then see (.'<tab> splits the apostrophe); only where that rule fires (run of periods ≡ 1 mod 3); "
        "two spaces: the one NLTK writes and the line's padding; only before an apostrophe, the one "
        "closer whose split depends on it",
        example="It ended.'\t",
        triggers=("'",),
    ),
    Rule(
        "split_final_period",
        rf"(?=\.)(?<!\.)(?:\.\.\.)*\K(?=\.{CLOSERS}*{LINE_SPACE}*$)", " ",
        nltk=r"PUNCTUATION: ([^\.])(\.)([\]\)}>\"\']*)\s*$ -> \1 \2\3 ",
        why="the last period of a line splits off, with only closers and regex-\\s spaces after it; "
        "in a run of periods only the one left after the ... triples does",
        example="It ended.",
        triggers=(".",),
    ),
    Rule(
        "pad_after_odd_comma_run",
        rf"[:,](?<![:,][:,])(?:[:,][:,])*\K(?=[:,][{DIGIT}]|[^:,{DIGIT} ])", " ",
        nltk=r"PUNCTUATION: ([:,])([^\d]) -> ' \1 \2' (consumes the next character)",
        why="NLTK's scan pairs each comma or colon with the next character, so whether the run's end "
        "splits depends on the run's parity; counted from the run's start",
        example="a,,5",
        triggers=(",", ":"),
    ),
    Rule(
        "split_apostrophe_before_space",
        rf"(?='(?: (?=.)|``|[:,][^{DIGIT}]|\.\.\.|[;@#$%&?!]|\.{CLOSERS}*{LINE_SPACE}*$))(?<![' \n])", " ",
        nltk=r"PUNCTUATION: ([^'])' -> \1 ' ",
        why="an apostrophe followed by a space splits off; the spaces it sees are those of the rules "
        "before it (``, comma/colon, ..., ;@#$%&?!, the final period), not the line's padding "
        "(the space before a line break) nor those of brackets or quotes",
        example="x'm'?",
        triggers=("'",),
    ),
]

# One scan of insertions: each alternative consumes exactly the characters before its insertion
# point (one, or a whole pair/triple of a run), so the alternatives cannot hide one another.
PADDING = [
    Rule(
        "pad_backtick_pairs", r"``\K(?! )", " ",
        nltk="STARTING_QUOTES: (``) -> ' \\1 '",
        why="pairs are taken from the start of a backtick run, as NLTK's scan takes them",
        example="a```b",
    ),
    Rule(
        "pad_ellipses", r"\.\.\.\K(?! )", " ",
        nltk=r"PUNCTUATION: \.\.\. -> ' ... '",
        why="triples are taken from the start of a run of periods",
        example="wait....for it",
        apart="the final-period rule consumes the triples before a line's last period: they must be padded after it",
        apart_example=".......",
    ),
    Rule(
        "pad_double_dashes", r"--\K(?! )", " ",
        nltk="DOUBLE_DASHES: -- -> ' -- '",
        why="pairs are taken from the start of a run of dashes",
        example="a---b",
    ),
    Rule(
        "pad_double_single_quotes", r"''\K(?! )", " ",
        nltk="ENDING_QUOTES: '' -> \" '' \"",
        why="pairs are taken from the start of a run of apostrophes",
        example="a'''b",
    ),
    Rule(
        "pad_after_symbols", rf"[{SYMBOLS}]\K(?! )", " ",
        nltk="PUNCTUATION: [;@#$%&] and [?!]; PARENS_BRACKETS",
        why="these split off wherever they are",
        example="a;b",
    ),
    Rule(
        "pad_before_symbols_and_runs",
        rf"(?=[{SYMBOLS}]|[:,][^{DIGIT}])(?<! )|(?=``)(?<![` ])|(?=\.\.\.)(?<![. ])|(?=--)(?<![- ])|(?='')(?<![' ])", " ",
        nltk="the leading ' ' of the same rules; PUNCTUATION: ([:,])([^\\d])",
        why="zero-width, so a pass of its own (after the pass that consumes runs); runs pad only at their "
        "start; a comma or colon splits from what precedes it unless a digit follows it",
        example="a(b",
        apart="zero-width: in one scan with the rules that consume a symbol or run, the insertion before it "
        "would come after the scan had consumed it",
        apart_example="a;b",
    ),
]

CLOSING_QUOTES = [
    Rule(
        "close_double_quotes", '"', " '' ", literal=True,
        nltk="ENDING_QUOTES: \" -> \" '' \"",
        why="every double quote not opened above closes",
        example='say "hi"',
        triggers=("\"",),
    ),
]

CLITICS = [
    Rule(
        "split_clitics_s_m_d",
        r"(?='[sSmMdD] |' )(?<![' \n])", " ",
        nltk=r"ENDING_QUOTES: ([^' ])('[sS]|'[mM]|'[dD]|') -> \1 \2 ; PUNCTUATION: ([^'])' -> \1 ' ",
        why="before 's 'm 'd or a lone apostrophe followed by a space (case as NLTK writes it), "
        "including spaces inserted after the apostrophe rule ran (brackets, dashes, quotes, line end)",
        example="John's car",
        scan="clitics",
        triggers=("'",),
    ),
    Rule(
        "split_clitics_ll_re_ve_nt",
        r"(?=(?:'ll|'LL|'re|'RE|'ve|'VE|n't|N'T)(?: |'[sSmMdD] |' ))(?<![' \n])", " ",
        nltk=r"ENDING_QUOTES: ([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) -> \1 \2 ",
        why="runs after the 's rule in NLTK, so a space that rule inserts after the clitic counts: "
        "its look-ahead reads that space where the 's rule would write it, so the two share one scan",
        example="they'll go",
        scan="clitics",
        triggers=("'",),
    ),
]

# NLTK's CONTRACTIONS2 as (first part, second part, what must follow), matched case-insensitively
# with stdlib re's \b and \s. NLTK substitutes " \1 \2 " for each contraction in turn: a space before
# the word, between its parts and after it. Here those are three rules a contraction, in three rows
# of rules: every contraction's split before the word, which writes `CONTRACTION_MARK` there, then
# every split after it, then every split between its parts. The later two rows start at the mark,
# so their scans search for one string instead of stopping at every letter a contraction can start
# with. A split before or after a word leaves the matches of the others as they were (the mark, a
# space and the punctuation a split parts are all non-word characters), while the split between
# the parts breaks the word the split after it looks at, so it runs last. Each row compiles into
# one scan (docs/passes.md).
_TWO_PART = [
    ("can", "not", "word_end"), ("d", "'ye", "word_end"), ("gim", "me", "word_end"),
    ("gon", "na", "word_end"), ("got", "ta", "word_end"), ("lem", "me", "word_end"),
    ("more", "'n", "word_end"), ("wan", "na", "space"),
]


def _lead(letter: str) -> str:
    """The class body of what stdlib re's ``(?i)`` matches for an ASCII letter (all ASCII here)."""
    return getattr(cc, f"RE_NOCASE_{letter.upper()}")


def _after(follows: str) -> str:
    return END_OF_WORD if follows == "word_end" else f"(?=[{cc.RE_SPACE}])"


def _nltk_of(first: str, second: str, follows: str) -> str:
    return rf"CONTRACTIONS2: (?i)\b({first})(?#X)({second})" + (r"\b" if follows == "word_end" else r"(?=\s)")


def _word_name(first: str, second: str) -> str:
    return (first + second).replace("'", "")


def _contraction_row(name, pattern, why: str, example, apart: str = "", apart_example: str = "", *,
                     word_end=False, content=" ", lead=None) -> list[Rule]:
    """One rule a contraction (``name`` and ``pattern`` of first part, second part and what follows,
    ``example`` of the word), each starting at ``lead`` (by default its word's first letter); the
    first rule says why the row is a scan of its own, if it must say."""
    row = [
        Rule(
            name(first, second), pattern(first, second, follows), content,
            nltk=_nltk_of(first, second, follows), why=why, example=example(first + second),
            triggers=(first + second,), lead=lead or _lead(first[0]),
        )
        for first, second, follows in _TWO_PART if follows == "word_end" or not word_end
    ]
    row[0] = replace(row[0], apart=apart, apart_example=apart_example)
    return row


# Whitespace to the final split (str.split, the pre-tokenizer) that nothing after the split before a
# contraction changes, and a string the scans after it search for fast (Oniguruma searches for a
# string of several bytes; it stops at every one of the letters that start the contractions, 15% of
# English text). Marks in the text itself are harmless: a rule that starts at a mark checks the word
# after it, and a mark is a non-word character, as the split before a word asks.
CONTRACTION_MARK = "\x1f\u3000"
_AT_MARK = _escaped(CONTRACTION_MARK)

SPLITS_BEFORE_CONTRACTIONS = _contraction_row(
    lambda first, second: f"split_before_{_word_name(first, second)}",
    lambda first, second, follows: rf"(?<={NOT_WORD})(?={_nocase(first + second)}{_after(follows)})",
    "the word splits from what precedes it (re's \\b: not a re \\w character), by a mark: whitespace to the "
    "final split, and what the splits after and inside the word start at",
    lambda word: f"'{word} it",
    content=CONTRACTION_MARK,
)
SPLITS_AFTER_CONTRACTIONS = _contraction_row(
    lambda first, second: f"split_after_{_word_name(first, second)}",
    lambda first, second, follows: rf"{_AT_MARK}{_nocase(first + second)}\K{PUNCTUATION_NEXT}",
    "the word splits from punctuation right after it (where whitespace follows, it is split)",
    lambda word: f"{word}.x",
    word_end=True,
    lead=CONTRACTION_MARK[0],
)
SPLITS_INSIDE_CONTRACTIONS = _contraction_row(
    lambda first, second: f"split_{first}_{second.strip(chr(39))}",
    lambda first, second, follows: rf"{_AT_MARK}{_nocase(first)}\K(?={_nocase(second)}{_after(follows)})",
    "between the parts, for the whole word only; (?i) as stdlib re folds case (İ ı for i, ſ for s)",
    lambda word: f"I {word} do it",
    "the splits after the words consume the mark and the word: in one scan, a word followed by punctuation "
    "is not split inside",
    "/cannot/x",
    lead=CONTRACTION_MARK[0],
)
CONTRACTIONS = [*SPLITS_BEFORE_CONTRACTIONS, *SPLITS_AFTER_CONTRACTIONS, *SPLITS_INSIDE_CONTRACTIONS]


def _nocase_first(letter: str) -> str:
    """`_nocase` of one letter, its non-ASCII members as alternatives: a class holding a multibyte
    character gives Oniguruma no first byte to skip to, an alternation of its characters does."""
    characters = _class_characters(_lead(letter))
    ascii_part = "".join(sorted(c for c in characters if c.isascii()))
    return "(?:" + "|".join([f"[{ascii_part}]", *(_escaped(c) for c in sorted(characters - set(ascii_part)))]) + ")"


_T, _IS, _WAS = _nocase("t"), _nocase("is"), _nocase("was")
# NLTK's CONTRACTIONS3, after CONTRACTIONS2: one scan (after the contractions' splits inside the words,
# with which it shares it), as the splits after 'tis and 'twas look back at the whole word
TIS_TWAS = [
    Rule(
        "split_t_is", rf"'(?<= '){_T}\K(?={_IS}{END_OF_WORD})", " ",
        nltk=r"CONTRACTIONS3: (?i) ('t)(?#X)(is)\b",
        why="needs a space before the apostrophe",
        example="'Tis the season",
        scan="tis_twas",
        triggers=("'tis",),
        lead="'",
    ),
    Rule(
        "split_after_t_is", rf"{_nocase_first('i')}(?<= '{_T}.){_nocase('s')}\K{PUNCTUATION_NEXT}", " ",
        nltk=r"CONTRACTIONS3: (?i) ('t)(?#X)(is)\b -> ' \1 \2 ' (the trailing space)",
        why="'tis splits from a non-word character that follows it; it starts after the 't the split "
        "inside the word consumes",
        example="'tis.x",
        scan="tis_twas",
        triggers=("'tis",),
        lead=_lead("i"),
    ),
    Rule(
        "split_t_was", rf"'(?<= '| '{_T}{_IS}'){_T}\K(?={_WAS}{END_OF_WORD})", " ",
        nltk=r"CONTRACTIONS3: (?i) ('t)(?#X)(was)\b",
        why="runs after the 'tis rule in NLTK, so a split 'tis before it provides the space it needs",
        example="'Twas the night",
        scan="tis_twas",
        triggers=("'twas",),
        lead="'",
    ),
    Rule(
        "split_after_t_was", rf"{_WAS}(?<= '{_T}{_WAS}| '{_T}{_IS}'{_T}{_WAS})\K{PUNCTUATION_NEXT}", " ",
        nltk=r"CONTRACTIONS3: (?i) ('t)(?#X)(was)\b -> ' \1 \2 ' (the trailing space)",
        why="'twas splits from a non-word character that follows it",
        example="'twas.x",
        scan="tis_twas",
        triggers=("'twas",),
        lead=_lead("w"),
    ),
]

# Where tokenizers' Lowercase (a newer Unicode: 55 characters unassigned in Python 3.11's) maps a
# character otherwise than str.lower, a mark follows the character from just before Lowercase to
# just after it. Laid out, every "\n" follows a space, so "<Lowercase of it>\n" is always ours.
SKEW_MARK = "\n"

MARK_LOWERCASE_SKEW = [
    Rule(
        "mark_lowercase_skew",
        "(?:" + "|".join(_escaped(character) for character, _, _ in cc.LOWERCASE_SKEW_PAIRS) + r")\K", SKEW_MARK,
        nltk="str.lower() of the joined tokens",
        why="Replace cannot tell Lowercase's output from the same character in the text: mark it first",
        example=cc.LOWERCASE_SKEW_PAIRS[0][0],
        triggers=tuple(dict.fromkeys(python for _, _, python in cc.LOWERCASE_SKEW_PAIRS)),
    ),
] if cc.LOWERCASE_SKEW_PAIRS else []

KEEP_STR_LOWER = [
    Rule(
        f"keep_str_lower_of_U+{ord(character):04X}", rust + SKEW_MARK, python, literal=True,
        nltk="str.lower() of the joined tokens",
        why="puts str.lower's result back in place of Lowercase's and the mark (one literal per Replace)",
        example=character,
        triggers=(python,),
    )
    for character, rust, python in cc.LOWERCASE_SKEW_PAIRS
]

LOWERCASING = [
    Rule(
        "mark_final_sigma",
        rf"(?<=[{cc.CASED}])[{cc.CASE_IGNORABLE}]*Σ\K(?![{cc.CASE_IGNORABLE}]*[{cc.CASED}])", SKEW_MARK,
        nltk="str.lower() of the joined tokens",
        why="str.lower writes a word-final capital sigma as ς, tokenizers' Lowercase always σ: marked as the "
        "skew characters are (which, unassigned in Python's Unicode, are never cased to it), and put back with "
        "them; the cased letter before it is looked behind at, so the scan stops at sigmas, not at every letter",
        example="ΟΔΟΣ",
        triggers=("σ", "ς"),
    ),
    *MARK_LOWERCASE_SKEW,
    Rule(
        "lowercase", "", "", kind="lowercase",
        nltk="str.lower() of the joined tokens",
        why="the normalized side is lowercase",
        example="Hello",
    ),
    *KEEP_STR_LOWER,
    Rule(
        "keep_final_sigma", "σ" + SKEW_MARK, "ς", literal=True,
        nltk="str.lower() of the joined tokens",
        why="puts str.lower's final sigma in place of Lowercase's σ and the mark; last of the run, as its "
        "content is one Lowercase leaves alone (see _choice_of)",
        example="ΟΔΟΣ",
        triggers=("σ", "ς"),
    ),
]

RULES: tuple[Rule, ...] = (
    *LAYOUT, *OPENING_QUOTES, *BEFORE_PADDING, *PADDING, *CLOSING_QUOTES,
    *CLITICS, *CONTRACTIONS, *TIS_TWAS, *LOWERCASING,
)

# Python's (?i) matches these against the ASCII letters of the contraction rules (İ, ı against i;
# ſ against s), which str.lower() does not map to them: a text holding one runs every pass.
CASE_LOOKALIKES = cc.CASE_LOOKALIKES

# What the reference's final str.split() splits on; the pre-tokenizer splits on exactly this.
WHITESPACE_CLASS = f"[{cc.PY_SPLIT_SPACE}]"


@dataclass(frozen=True)
class Pass:
    """One normalizer component: one rule, or several compiled into one scan (see `build_passes`)."""

    name: str
    kind: str
    pattern: str
    content: str
    literal: bool
    rules: tuple[str, ...]
    triggers: tuple[str, ...] = ()  # empty: the pass always runs


def _guarded(run: list[Rule]) -> str | None:
    """The alternation of ``run``'s patterns behind a look-ahead for where their matches start.

    Oniguruma skips ahead fast only to what a pattern must start with; an alternation of rules that
    start with a look-behind or at different letters gives it nothing, and it then tries every
    alternative at every character. ``(?=[leads])`` in front holds at every start of every rule's
    match (each rule's lead is checked against its pattern here), so the scan finds the same matches.
    Consecutive rules that start with the same look-behind share it: ``P(?:a|b)`` tries what ``Pa|Pb``
    does, in the same order, as a look-behind matches in one way only. None: a rule has no lead.
    """
    leads: set[str] = set()
    for rule in run:
        lead = _class_characters(rule.lead) if rule.lead else None
        starts = {rule.pattern[0]} if rule.literal and rule.pattern else None if rule.literal else _first_characters(rule.pattern)
        if lead is None:
            return None
        if starts is None or not starts <= lead:
            raise ValueError(f"rule {rule.name}: its matches can start at {starts!r}, not only at its lead {rule.lead!r}")
        leads |= lead
    groups: list[tuple[str, list[str]]] = []
    for rule in run:
        pattern = _escaped(rule.pattern) if rule.literal else rule.pattern
        behind = pattern[: _group_end(pattern, 0)] if pattern.startswith("(?<=") and len(_alternatives(pattern)) == 1 else ""
        if groups and behind and groups[-1][0] == behind:
            groups[-1][1].append(pattern[len(behind) :])
        else:
            groups.append((behind, [pattern[len(behind) :]]))
    alternation = "|".join(
        f"{behind}(?:" + "|".join(f"(?:{rest})" for rest in rests) + ")" if len(rests) > 1 else f"(?:{behind}{rests[0]})"
        for behind, rests in groups
    )
    # a class holding a multibyte character gives Oniguruma no first byte: those go as alternatives
    ascii_leads = "".join(f"\\x{{{ord(c):x}}}" for c in sorted(leads) if c.isascii())
    others = [_escaped(c) for c in sorted(leads) if not c.isascii()]
    guard = "|".join(([f"[{ascii_leads}]"] if ascii_leads else []) + others)
    return f"(?={guard})(?:{alternation})"


def _union_of_triggers(rules: list[Rule]) -> tuple[str, ...]:
    """A pass may be skipped only where every one of its rules may be (empty: it always runs)."""
    if any(not rule.triggers for rule in rules):
        return ()
    return tuple(dict.fromkeys(t for rule in rules for t in rule.triggers))


def _fused(run: list[Rule]) -> Pass:
    """Rules of one content as one scan: an alternation in table order (literals escaped)."""
    first = run[0]
    if len({rule.content for rule in run}) != 1 or any(rule.kind != "replace" for rule in run[1:]):
        raise ValueError(f"rules {[rule.name for rule in run]} share a scan: they must be Replace rules of one content")
    if len(run) == 1:
        return Pass(first.name, first.kind, first.pattern, first.content, first.literal, (first.name,), first.triggers)
    pattern = _guarded(run) or "|".join(f"(?:{_escaped(r.pattern) if r.literal else r.pattern})" for r in run)
    return Pass(f"{first.name}..{run[-1].name}", "replace", pattern, first.content, False,
                tuple(r.name for r in run), _union_of_triggers(run))


def _choice_of(run: list[Rule], lowercase) -> tuple[Pass, Pass] | None:
    """Literal rules of distinct one-character contents as two scans, if provably the same.

    Replace writes one content for every match, so rules ``L_i -> c_i`` cannot share one scan.
    Two can do their work: *offer* writes every content ``c_1 ... c_n`` in place of the mark ending
    each ``L_i``; *choose* deletes, around each offer, ``L_i``'s head and every content but ``c_i``.
    That is exact when (checked here) the run follows ``Lowercase`` directly and every content but
    the last is a character ``Lowercase`` changes (so none is in the text: ``Lowercase`` is
    idempotent, tested), every pattern ends with one mark found nowhere else in patterns or
    contents, no pattern ends another (one ``L_i`` at most ends at a mark) and no content occurs in
    a pattern. Then each ``L_i`` occurs where it did alone, nothing the rules write can make or
    break another's match, and every part of *choose* holds one of the contents found nowhere but
    in offers (the last content, which may be in the text, is only ever looked at after ``c_1`` or
    deleted after ``c_(n-1)``). Returns None otherwise.
    """
    contents = [rule.content for rule in run]
    patterns = [rule.pattern for rule in run]
    mark = patterns[0][-1:]
    heads = [pattern[:-1] for pattern in patterns]
    if not (
        all(rule.literal and rule.kind == "replace" for rule in run)
        and all(len(c) == 1 for c in contents)
        and all(lowercase(c) != c for c in contents[:-1])
        and len(set(contents)) == len(contents)
        and all(p.endswith(mark) and mark not in h for p, h in zip(patterns, heads))
        and mark not in contents
        and not any(a != b and b.endswith(a) for a in patterns for b in patterns)
        and not any(c in p for c in contents for p in patterns)
        and all(heads)
    ):
        return None
    offered = "".join(contents)
    names = tuple(rule.name for rule in run)
    triggers = _union_of_triggers(run)
    offer = Pass(
        f"offer:{names[0]}..{names[-1]}", "replace",
        # the mark as a class: written as a string, Oniguruma searches for it (a line break, at every
        # line) instead of skipping to the heads' first bytes (0.11 s against 0.02 s per 5 MB of Reuters)
        "(?:" + "|".join(map(_escaped, heads)) + r")\K[" + _escaped(mark) + "]", offered, False, names, triggers,
    )
    choices = []
    for i, (head, content) in enumerate(zip(heads, contents)):
        choices.append(_escaped(head + offered[:i]) + f"(?={_escaped(content)})")
        if i + 1 < len(offered):
            choices.append(_escaped(content) + r"\K" + _escaped(offered[i + 1 :]))
    choose = Pass(f"choose:{names[0]}..{names[-1]}", "replace", "|".join(choices), "", False, names, triggers)
    return offer, choose


def scan_units(rules: tuple[Rule, ...] = RULES) -> list[list[Rule]]:
    """The rules in table order, those of one NLTK substitution (same ``scan``) together."""
    units: list[list[Rule]] = []
    for rule in rules:
        if units and rule.scan and units[-1][0].scan == rule.scan:
            units[-1].append(rule)
        else:
            units.append([rule])
    return units


def _joins(run: list[Rule], unit: list[Rule]) -> bool:
    """Whether ``unit`` may share the scan of ``run`` (see `build_passes`)."""
    first = unit[0]
    return first.kind == "replace" == run[0].kind and first.content == run[0].content and not first.apart


def build_passes(rules: tuple[Rule, ...] = RULES, *, fuse: bool = True) -> tuple[Pass, ...]:
    """Compile the rules, in table order, into normalizer components.

    Without ``fuse``: one component per NLTK substitution (a rule, or the parts of one ``scan``),
    the sequence the compiled passes are checked against. With ``fuse`` (the default): every run of
    consecutive `Replace` substitutions with the same content becomes one scan (an alternation in
    table order), but for a rule that says why it must start a scan of its own (``apart``); and a
    run of literal rules right after the lowercasing becomes the two scans of `_choice_of`. The
    compiled normalizer's output is the sequence's (docs/passes.md says why; tests/test_passes.py
    checks it).
    """
    from tokenizers.normalizers import Lowercase

    lowercase = Lowercase().normalize_str
    units = scan_units(rules)
    passes: list[Pass] = []
    index = 0
    while index < len(units):
        run = list(units[index])
        end = index + 1
        if fuse:
            while end < len(units) and _joins(run, units[end]):
                run += units[end]
                end += 1
            if end == index + 1 and run[0].literal and index and units[index - 1][0].kind == "lowercase":
                while end < len(units) and len(units[end]) == 1 and units[end][0].literal:
                    end += 1
                literals = [unit[0] for unit in units[index:end]]
                choice = _choice_of(literals, lowercase) if len(literals) > 1 else None
                if choice:
                    passes.extend(choice)
                    index = end
                    continue
                end = index + 1
        passes.append(_fused(run))
        index = end
    return tuple(passes)


PASSES: tuple[Pass, ...] = build_passes()


def rule_table_fingerprint(rules: tuple[Rule, ...] = RULES) -> str:
    """Everything that determines the normalization, as text (hashed into the stamp): the rules in
    order, which of them share one scan (``scan``), and the whitespace the pre-tokenizer splits on.
    Not how `build_passes` fuses them, which leaves the output as it is (tested), so a new
    compilation leaves the stamp alone."""
    return "\n".join(
        f"{r.kind}\t{r.literal}\t{r.pattern!r}\t{r.content!r}\t{r.scan!r}" for r in rules
    ) + "\n" + WHITESPACE_CLASS
