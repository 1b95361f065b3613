"""How newspairs/charclasses.py is derived from the reference engines (used by the script and its drift test).

Imported only by `scripts/derive_charclasses.py` and the tests: it needs `regex` (NLTK's engine),
which the runtime does not.
"""

from __future__ import annotations

import re
import sys
import unicodedata

ALL_CHARS = [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code < 0xE000]

# letters that occur in NLTK's case-insensitive contraction rules (stdlib `re`, `(?i)`)
CONTRACTION_LETTERS = "acdegilmnorstwy"


def _ranges(chars: list[str]) -> list[tuple[int, int]]:
    codes = sorted(ord(c) for c in chars)
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return ranges


def class_body(chars: list[str]) -> str:
    """The body of an Oniguruma character class (no brackets) holding exactly ``chars``."""
    parts = []
    for start, end in _ranges(chars):
        parts.append(f"\\x{{{start:x}}}" if start == end else f"\\x{{{start:x}}}-\\x{{{end:x}}}")
    return "".join(parts)


def derive() -> dict[str, list[str]]:
    import regex  # the engine of NLTK's redos-compiled rules
    from tokenizers import normalizers

    rx_space, rx_digit = regex.compile(r"\s"), regex.compile(r"\d")
    re_word, re_space = re.compile(r"\w"), re.compile(r"\s")
    tables: dict[str, list[str]] = {
        "PY_SPLIT_SPACE": [c for c in ALL_CHARS if ("a" + c + "b").split() == ["a", "b"]],
        "RX_INLINE_SPACE": [c for c in ALL_CHARS if rx_space.fullmatch(c) and c != "\n"],
        "RX_DIGIT": [c for c in ALL_CHARS if rx_digit.fullmatch(c)],
        "RE_WORD": [c for c in ALL_CHARS if re_word.fullmatch(c)],
        "RE_SPACE": [c for c in ALL_CHARS if re_space.fullmatch(c)],
    }
    for letter in CONTRACTION_LETTERS:
        pattern = re.compile("(?i)" + letter)
        tables[f"RE_NOCASE_{letter.upper()}"] = [c for c in ALL_CHARS if pattern.fullmatch(c)]
    # Python's final-sigma rule, read off str.lower itself: skip case-ignorables, look for a cased letter
    cased_stop = [c for c in ALL_CHARS if (c + "Σ").lower()[-1] == "ς"]
    cased_stop_set = set(cased_stop)
    tables["CASED"] = cased_stop
    tables["CASE_IGNORABLE"] = [
        c for c in ALL_CHARS if c not in cased_stop_set and ("A" + c + "Σ").lower()[-1] == "ς"
    ]
    lowercase = normalizers.Lowercase()
    probe = [c for c in ALL_CHARS if c != "\n"]
    lowered = lowercase.normalize_str("\n".join(probe)).split("\n")
    tables["LOWERCASE_SKEW"] = [c for c, low in zip(probe, lowered) if low != c.lower()]
    return tables


def derive_lowercase_skew_pairs() -> list[tuple[str, str, str]]:
    """``(character, tokenizers' Lowercase of it, str.lower of it)`` for each LOWERCASE_SKEW character.

    The rule table marks each such character before `Lowercase` and puts ``str.lower``'s result back
    after it, keyed on what `Lowercase` wrote: two characters written alike could not be told apart.
    """
    from tokenizers import normalizers

    lowercase = normalizers.Lowercase()
    probe = [c for c in ALL_CHARS if c != "\n"]
    lowered = lowercase.normalize_str("\n".join(probe)).split("\n")
    pairs = [(c, low, c.lower()) for c, low in zip(probe, lowered) if low != c.lower()]
    written = [low for _, low, _ in pairs]
    clashes = sorted({low for low in written if written.count(low) > 1})
    if clashes:
        raise ValueError(f"tokenizers' Lowercase writes several skewed characters alike: {clashes!r}")
    return pairs


def tables_part(module_text: str) -> str:
    """The module without its docstring: what the drift check compares.

    The docstring records the engine versions; a new `regex` release that derives the same tables
    must not fail the check, and one that changes a table must.
    """
    closing = module_text.find('"""', module_text.find('"""') + 3)
    if not module_text.startswith('"""') or closing < 0:
        raise ValueError(f"not a generated character-class module (no docstring): {module_text[:80]!r}")
    return module_text[closing + 3:]


def render_module() -> str:
    import regex
    import tokenizers

    tables = derive()
    lines = [
        '"""Character classes of the reference engines, as Oniguruma class bodies. GENERATED: do not edit.',
        "",
        "Made by scripts/derive_charclasses.py from the engines NLTK's Treebank tokenizer runs on;",
        "tests/test_rules.py fails when a table drifts (a new Python, `regex` or `tokenizers`);",
        "the versions below are a record, not part of the check.",
        f"Derived with Python {sys.version.split()[0]} (unicodedata {unicodedata.unidata_version}),",
        f"regex {regex.__version__}, tokenizers {tokenizers.__version__}.",
        '"""',
        "",
    ]
    notes = {
        "PY_SPLIT_SPACE": "str.split() separators: the reference's final split and our pre-tokenizer",
        "RX_INLINE_SPACE": "`regex` \\s but the line break: the final-period rule's trailing whitespace",
        "RX_DIGIT": "`regex` \\d: the comma/colon rule's [^\\d]",
        "RE_WORD": "stdlib `re` \\w: \\b in the contraction rules",
        "RE_SPACE": "stdlib `re` \\s: the (?=\\s) of the wanna rule",
        "CASED": "cased and not case-ignorable: what str.lower's final-sigma rule stops at",
        "CASE_IGNORABLE": "what str.lower's final-sigma rule skips",
        "LOWERCASE_SKEW": "characters tokenizers' Lowercase maps differently from str.lower",
    }
    lookalikes = sorted({c for name, chars in tables.items() if name.startswith("RE_NOCASE_") for c in chars if ord(c) > 0x7F})
    lines.append("# non-ASCII characters stdlib `re` (?i) matches against the contraction rules' ASCII letters")
    lines.append(f"CASE_LOOKALIKES = {''.join(lookalikes)!r}")
    lines.append("")
    for name, chars in tables.items():
        note = notes.get(name, f"what stdlib `re` (?i){name[-1].lower()} matches")
        lines.append(f"# {note} ({len(chars)} characters)")
        lines.append(f"{name} = {class_body(chars)!r}")
        lines.append("")
    pairs = derive_lowercase_skew_pairs()
    lines.append(
        "# (character, tokenizers' Lowercase of it, str.lower of it) for each LOWERCASE_SKEW character"
        f" ({len(pairs)} characters)"
    )
    lines.append("LOWERCASE_SKEW_PAIRS = (")
    lines.extend(f"    {ascii(pair)}," for pair in pairs)
    lines.append(")")
    lines.append("")
    return "\n".join(lines)
