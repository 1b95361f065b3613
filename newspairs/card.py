"""The dataset card of a published repository: the template ``dataset_card.md`` filled with the data's facts.

Owns the card's YAML metadata beyond what `newspairs.export` writes (``pretty_name``, ``license``,
with ``license_name`` and ``license_link`` for ``other``, ``language``, ``task_categories``,
``tags``, ``size_categories``) and its body, which follows the Hub's dataset card template
section by section. Every value comes from the exported folder (its
card YAML, Parquet shards, stamp, tokenizer) or from an explicit option; nothing is left as a
placeholder, and the license is never guessed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

from newspairs.licenses import LICENSES_PAGE, check_license, hub_licenses

CARD_TEMPLATE = Path(__file__).resolve().parent / "data" / "dataset_card.md"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
# What a reader must never see in a published card: template syntax or the Hub template's fillers.
UNFILLED = re.compile(r"\{\{\s*\w*\s*\}\}|\{\{ |More Information Needed|\[optional\]|TODO|TBD")
LICENSE_ID = re.compile(r"^[a-z0-9][a-z0-9.+-]*$")
# The license the Hub has no identifier for: the card names it (license_name) and may link its text (license_link).
OTHER_LICENSE = "other"

TASK_CATEGORIES = ("text-generation", "fill-mask")
TAGS = ("news", "normalization", "tokenization", "penn-treebank", "newspairs")
EXAMPLE_CHARS = 200
EXAMPLE_ITEMS = 5  # of a list in the example row
# The Hub's size categories: (upper bound exclusive, name)
SIZE_CATEGORIES = (
    (1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B"),
    (10_000_000_000, "1B<n<10B"), (100_000_000_000, "10B<n<100B"), (1_000_000_000_000, "100B<n<1T"),
)

FIELD_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "articles": {
        "id": "the article's stable id: sha256 of its file's relative path and its raw text, 16 hex digits",
        "raw": "the raw article, one sentence or paragraph per line",
        "normalized": "the normalized side stored in the source, line for line; null when the source has none",
        "agrees": "whether the stored normalized side equals the normalization of `raw` (null without a stored side)",
        "source_file": "the file the article came from, relative to the source folder",
    },
    "lines": {
        "article_id": "the `id` of the article the line belongs to",
        "line": "the line's number in its article, from 1 (blank lines are kept)",
        "raw": "the raw line",
        "normalized": "the normalized line: the stored one, or computed by `tokenizer.json` when the source has none",
    },
    "raw": {
        "id": "the article's stable id: sha256 of its file's relative path and its raw text, 16 hex digits",
        "raw": "the raw article, one sentence or paragraph per line",
        "normalized": "the normalization of `raw`, computed by `tokenizer.json`",
        "source_file": "the file the article came from, relative to the source folder",
    },
}
METADATA_DESCRIPTION = "metadata carried over from the source"
JSON_TEXT_DESCRIPTION = (METADATA_DESCRIPTION + ", as JSON text: its values are of several kinds (or nested), "
                         "each stored as `json.dumps` writes it, a string too; `json.loads` gives it back")
# `newspairs.sources.InputFile.kind` -> what one such file is, and what several are, for the card
KIND_LABELS = {
    "pair": ("paired raw/normalized text file", "paired raw/normalized text files"),
    "text": ("raw text file", "raw text files"),
    "orphan": ("normalized text file without a raw twin (rejected)", "normalized text files without a raw twin (rejected)"),
    "raw-orphan": ("raw text file without a normalized twin (rejected)", "raw text files without a normalized twin (rejected)"),
    "foreign": ("file of a paired folder that is not .txt (rejected)", "files of a paired folder that are not .txt (rejected)"),
    "unlisted": ("folder that cannot be listed (rejected, its files unread)", "folders that cannot be listed (rejected, their files unread)"),
    "special": ("named pipe, socket or device with an input suffix (rejected, never opened)",
                "named pipes, sockets or devices with an input suffix (rejected, never opened)"),
    "json": ("JSON file (.json: one JSON document, or JSON lines)", "JSON files (.json: one JSON document, or JSON lines)"),
    "jsonl": ("JSON lines file", "JSON lines files"),
    "csv": ("CSV file", "CSV files"),
    "parquet": ("Parquet file", "Parquet files"),
    "isot": ("ISOT fake-news CSV file", "ISOT fake-news CSV files"),
}


@dataclass(frozen=True)
class CardOptions:
    """What the card says that the data cannot: who publishes it, under which license, about what.

    Args:
        license (`str`): the Hub license identifier (``cc-by-4.0``, ``apache-2.0``, ``other``...);
            required, never guessed.
        repo_id (`str`): ``ORG/NAME`` on the Hub.
        pretty_name (`str`, *optional*): the title; defaults to ``NAME`` of ``repo_id``.
        language (`tuple[str]`, defaults to ``("en",)``): the text's languages (the Treebank rules are English).
        description (`str`, *optional*): what the corpus is; defaults to a statement of its size.
        producers (`str`, *optional*): who wrote the source texts; defaults to what the files say.
        citation (`str`, *optional*): BibTeX; defaults to a ``@misc`` entry for the repository.
        license_name (`str`, *optional*): with ``license="other"``, required: an id for the license
            (``my-license-1.0``), as the Hub's card metadata asks; refused with any other license.
        license_link (`str`, *optional*): with ``license="other"``, where its text is: a file of the
            repository (``LICENSE``, which newspairs neither writes nor deletes) or an http(s) URL.
    """

    license: str
    repo_id: str
    pretty_name: str | None = None
    language: tuple[str, ...] = ("en",)
    description: str | None = None
    producers: str | None = None
    citation: str | None = None
    license_name: str | None = None
    license_link: str | None = None

    def __post_init__(self) -> None:
        from huggingface_hub.errors import HFValidationError
        from huggingface_hub.utils import validate_repo_id

        if not self.license:
            raise ValueError("a license is required: pass the Hub license identifier (e.g. cc-by-4.0, or 'other')")
        if not LICENSE_ID.match(self.license):
            raise ValueError(f"license {self.license!r} is not a Hub license identifier (lowercase, e.g. cc-by-4.0, mit, other)")
        check_license(self.license)  # as the command line does: the Hub shows no license outside its list
        check_other_license(self.license, self.license_name, self.license_link)
        if self.repo_id.count("/") != 1 or not all(self.repo_id.split("/")):
            raise ValueError(f"repo_id must be ORG/NAME, got {self.repo_id!r}")
        try:
            validate_repo_id(self.repo_id)  # else the upload, not the dry run, finds out
        except HFValidationError as error:
            raise ValueError(f"repo_id {self.repo_id!r} is not a Hub repository id: {error}") from None
        if not self.language:
            raise ValueError("language needs at least one language code")
        if any(not code.strip() for code in self.language):
            raise ValueError(f"language codes must not be empty, got {list(self.language)!r}")
        for name, value in (("pretty_name", self.pretty_name), *(("language", code) for code in self.language)):
            if value is not None and len(value.splitlines()) > 1:
                raise ValueError(f"{name} must be one line (it is a title or a code in the card), got {value!r}")

    @property
    def title(self) -> str:
        return self.pretty_name or self.repo_id.split("/")[1]

    @property
    def license_text(self) -> str:
        """The card's license line: the identifier, and for ``other`` its name and link."""
        if self.license != OTHER_LICENSE:
            return self.license
        link = f", text: [{self.license_link}](<{self.license_link}>)" if self.license_link else ""
        return f"other: `{self.license_name}`{link}"


def check_other_license(license: str, name: str | None, link: str | None,
                        options: tuple[str, str, str] = ("license", "license_name", "license_link")) -> None:
    """A `ValueError` unless ``name`` and ``link`` fit ``license``: given only with ``other``, which
    needs a name (the Hub's licenses page asks for one in ``license_name``, and newspairs never
    guesses a license), an id such as ``my-license-1.0`` that is not on the Hub's list; a link is a
    file of the repository or an http(s) URL. ``options`` name the three in messages (the command
    line's ``--license`` ...)."""
    from urllib.parse import urlsplit

    license_option, name_option, link_option = options
    if license != OTHER_LICENSE:
        given = [(option, value) for option, value in ((name_option, name), (link_option, link)) if value is not None]
        if given:
            option, value = given[0]
            raise ValueError(f"{option} {value!r} is for {license_option} other only (a license the Hub has no "
                             f"identifier for), got {license_option} {license!r}")
        return
    if name is None:
        raise ValueError(f"{license_option} other needs {name_option} naming the license (an id such as my-license-1.0): "
                         f"the Hub asks for one ({LICENSES_PAGE})")
    if name == OTHER_LICENSE:
        raise ValueError(f"{name_option} 'other' names no license: give the license's own id (such as my-license-1.0)")
    if not LICENSE_ID.match(name):
        raise ValueError(f"{name_option} {name!r} is not a license id (lowercase letters, digits, '.', '+', '-': "
                         "e.g. my-license-1.0)")
    if name in hub_licenses():
        raise ValueError(f"{name_option} {name!r} is on the Hub's list: pass {license_option} {name} instead of other")
    if link is None:
        return
    parts = urlsplit(link)
    if not link or any(character.isspace() or character in "<>\\" for character in link):
        why = "empty" if not link else "it holds a space, a line break, '<', '>' or a backslash"
    elif parts.scheme:
        why = None if parts.scheme in ("http", "https") and parts.netloc else "a URL must be http(s)://HOST/..."
    elif link.startswith("/") or ".." in link.split("/") or "" in link.split("/"):
        why = "a file of the repository is a path inside it, such as LICENSE or docs/LICENSE.md"
    else:
        why = None
    if why is not None:
        raise ValueError(f"{link_option} {link!r} is neither a file of the repository (LICENSE) nor an http(s) URL: {why}")


@dataclass(frozen=True)
class CardFacts:
    """What the data says about itself, gathered by `newspairs.hub` while it builds the repository.

    Args:
        report (`dict`): `newspairs.export`'s build report per config.
        input_kinds (`dict[str, int]`): input files per kind (``pair``, ``json``, ``jsonl``, ``isot``...: `input_kind`).
        split_ratios (`tuple[float, float, float]`): the train/validation/test weights of the build.
        tokenizer_model (`str`): the trained tokenizer's model type (``WordPiece``...).
        tokenizer_vocab_size (`int`): its vocabulary size.
        special_tokens (`tuple[str]`): its special tokens.
        tokenizer_given (`bool`): the tokenizer was given to the build (what it was trained on, the
            build cannot tell), not trained by it on the train split.
    """

    report: Mapping[str, Mapping[str, Any]]
    input_kinds: Mapping[str, int]
    split_ratios: tuple[float, float, float]
    tokenizer_model: str
    tokenizer_vocab_size: int
    special_tokens: tuple[str, ...] = field(default=())
    tokenizer_given: bool = False


def size_category(rows: int) -> str:
    """The Hub's ``size_categories`` value for a number of rows."""
    for bound, name in SIZE_CATEGORIES:
        if rows < bound:
            return name
    return "n>1T"


def fill_template(template: str, values: Mapping[str, str]) -> str:
    """Replace every ``{{ name }}`` of ``template``; a name without a value, or a value without a name, is an error."""
    names = set(PLACEHOLDER.findall(template))
    missing, unused = sorted(names - set(values)), sorted(set(values) - names)
    if missing or unused:
        raise ValueError(f"card template and values disagree: no value for {missing}, no placeholder for {unused}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def unfilled_parts(card: str) -> list[str]:
    """The lines of a rendered card that still hold template syntax or a Hub template filler."""
    return [line for line in card.split("\n") if UNFILLED.search(line)]


def _cut(value: Any) -> Any:
    """``value`` as the card's JSON example shows it: strings cut at `EXAMPLE_CHARS`, lists at
    `EXAMPLE_ITEMS` items, inside lists and structs too (a column of paragraphs would otherwise put
    whole articles in the card); what JSON has no type for (a date, time, decimal, duration, bytes,
    a float that is not a number) as text."""
    if isinstance(value, str):
        return value[:EXAMPLE_CHARS] + "…" if len(value) > EXAMPLE_CHARS else value
    if isinstance(value, dict):
        return {key: _cut(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        shown = [_cut(item) for item in value[:EXAMPLE_ITEMS]]
        return shown + [f"… {len(value) - EXAMPLE_ITEMS} more"] if len(value) > EXAMPLE_ITEMS else shown
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN or infinity
    if isinstance(value, (bytes, bytearray)):
        return f"<{_counted(len(value), 'byte')}>"
    if isinstance(value, (date, time)):  # a datetime is a date
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)  # a Decimal, a timedelta


def example_row(folder: Path, config: str, split: str) -> dict[str, Any]:
    """The first row of a config's split, read from its first Parquet shard."""
    import pyarrow.parquet as pq

    from newspairs.export import shard_files

    shards = shard_files(folder, config, split)
    if not shards:
        raise ValueError(f"{folder / config}: no Parquet shard for the split {split!r}")
    rows = pq.read_table(shards[0]).slice(0, 1).to_pylist()
    if not rows:
        raise ValueError(f"{shards[0]}: the first shard of {config}/{split} is empty")
    return {key: _cut(value) for key, value in rows[0].items()}


def _feature_type(feature: Any) -> str:
    names = getattr(feature, "names", None)  # a ClassLabel (its dtype is int64: say what the ints mean)
    if names is not None:
        return "class label (" + ", ".join(f"{index} = {name}" for index, name in enumerate(names)) + ")"
    return getattr(feature, "dtype", None) or type(feature).__name__


# A line break in a cell would end the table's row: shown as an escape (as the YAML shows it) instead.
CELL_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
CELL_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _table_text(text: str) -> str:
    """``text`` for a Markdown table cell: one line, its ``|`` escaped (GitHub and the Hub unescape
    it, in a code span too)."""
    text = CELL_BREAKS.sub(lambda match: CELL_ESCAPES.get(match.group(), f"\\u{ord(match.group()):04x}"), text)
    return text.replace("|", "\\|")


def _table_code(text: str) -> str:
    """``text`` as a code span in a Markdown table cell (`_table_text`), fenced by more backticks than it holds."""
    text = _table_text(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fields_tables(summaries: Mapping[str, Any], json_text: Sequence[str] = ()) -> str:
    """One Markdown table per config: field, type, meaning (``json_text``: the metadata columns of JSON text)."""
    parts = []
    for config, summary in summaries.items():
        descriptions = {**{name: JSON_TEXT_DESCRIPTION for name in json_text}, **FIELD_DESCRIPTIONS.get(config, {})}
        rows = [f"`{config}`:", "", "| field | type | description |", "|---|---|---|"]
        for name, feature in summary.features.items():
            rows.append(f"| {_table_code(name)} | {_table_text(_feature_type(feature))} | {descriptions.get(name, METADATA_DESCRIPTION)} |")
        parts.append("\n".join(rows))
    return "\n\n".join(parts)


def split_table(summaries: Mapping[str, Any]) -> str:
    """Rows per config (lines) and split (columns), with totals."""
    splits = [name for name in ("train", "validation", "test") if any(name in s.splits for s in summaries.values())]
    splits += sorted({name for s in summaries.values() for name in s.splits} - set(splits))
    rows = ["| config | " + " | ".join(splits) + " | total |", "|---" * (len(splits) + 2) + "|"]
    for config, summary in summaries.items():
        counts = [summary.splits.get(split, 0) for split in splits]
        rows.append(f"| `{config}` | " + " | ".join(f"{count:,}" for count in counts) + f" | {sum(counts):,} |")
    return "\n".join(rows)


def _branch_usage(repo_id: str, columns: Mapping[str, Sequence[str]], revision: str) -> list[str]:
    """`newspairs.export.load_usage`'s lines, each call loading ``revision``: a card committed on a
    branch describes that branch's data, not main's."""
    quoted, branch = json.dumps(repo_id, ensure_ascii=False), f", revision={json.dumps(revision, ensure_ascii=False)}"
    calls = [f"{name} = datasets.load_dataset({quoted}" + (f', "{name}"' if index else "") + branch + ")"
             for index, name in enumerate(columns)]
    width = max(len(call) for call in calls) + 2
    return [f"{call:<{width}}# " + ", ".join(names) + (" (the default config)" if index == 0 else "")
            for index, (call, names) in enumerate(zip(calls, columns.values()))]


def _load_examples(repo_id: str, summaries: Mapping[str, Any], revision: str | None = None) -> str:
    """How to load each config of ``summaries`` (the default first), as the export's own card says it;
    with ``revision`` (a branch other than main), from that branch."""
    from newspairs.export import load_usage

    columns = {config: list(summary.features) for config, summary in summaries.items()}
    lines = ["```python", "import datasets", ""]
    lines += load_usage(repo_id, columns) if revision is None else _branch_usage(repo_id, columns, revision)
    branch = "" if revision is None else f", revision={json.dumps(revision, ensure_ascii=False)}"
    lines += [
        "",
        "from huggingface_hub import snapshot_download",
        "from tokenizers import Tokenizer",
        f'folder = snapshot_download("{repo_id}", repo_type="dataset"{branch}, allow_patterns=["*.json"])',
        'tok = Tokenizer.from_file(f"{folder}/tokenizer.json")  # or transformers.AutoTokenizer.from_pretrained(folder)',
        'tok.encode_special_tokens = True  # "[SEP]" in an article is text, as on its normalized side',
        "```",
    ]
    return "\n".join(lines)


# What each config's normalized side is, said only of the configs a repository holds
CONFIG_SIDES = {
    "articles": "`articles` keeps the normalized side the source stored, as it was (null where it stored "
                "none), and its `agrees` field says whether it matches this normalization",
    "lines": "`lines` pairs each raw line with its normalized line (the stored one, or the one computed "
             "here where the source stored none)",
    "raw": "`raw` holds the normalization computed here",
}


def _config_sides(configs: Sequence[str]) -> str:
    """The card's sentence on what the normalized side of each config of ``configs`` is."""
    said = [CONFIG_SIDES[name] for name in configs if name in CONFIG_SIDES]
    return "; ".join(said)[:1].upper() + "; ".join(said)[1:] + "." if said else ""


def input_kind(item: Any) -> str:
    """The kind of an input file (`newspairs.sources.InputFile`) as the card counts it: a ``.json``
    file (read as one JSON document where it is one) is ``json``, apart from ``.jsonl`` files,
    though the sources read both as the ``jsonl`` kind; a raw file of a paired folder without its
    normalized twin (a ``pair`` of no twin, rejected) is ``raw-orphan``."""
    from newspairs.sources import kind_suffix

    if item.kind == "pair" and item.twin is None:
        return "raw-orphan"
    return "json" if item.kind == "jsonl" and kind_suffix(item.path) == ".json" else item.kind


def input_files(kinds: Mapping[str, int]) -> str:
    """``"12 paired raw/normalized text files, 1 CSV file"``: the input files by kind."""
    return ", ".join(
        f"{count:,} {KIND_LABELS.get(kind, (kind + ' file', kind + ' files'))[count != 1]}" for kind, count in sorted(kinds.items())
    )


def _files(count: int) -> str:
    return _counted(count, "input file")


def _counted(count: int, noun: str) -> str:
    """``"1 article"``, ``"21,004 articles"``: a card's count with its noun."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _processing(facts: CardFacts, summaries: Mapping[str, Any], version: str) -> str:
    from newspairs.export import REPORT_FILENAME

    lines = [
        f"newspairs {version} read {_files(sum(facts.input_kinds.values()))} ({input_files(facts.input_kinds)}). "
        f"Each article got a stable id and a split from the hash of that id. {_config_sides(list(summaries))} "
        "The normalization computed here is what `tokenizer.json`'s normalizer and pre-tokenizer give. "
        "Configs were written as Parquet shards.",
        "",
        "What the build read, wrote and set aside:",
        "",
        "| config | articles read | written | rejected |",
        "|---|---|---|---|",
    ]
    for config in summaries:
        part = facts.report.get(config, {})
        lines.append(f"| `{config}` | {part.get('read', 0):,} | {part.get('written', 0):,} | {part.get('rejected', 0):,} |")
    rejected = sum(part.get("rejected", 0) for part in facts.report.values())
    if rejected:
        lines += ["", "Articles left out (unreadable, misaligned, empty or duplicated in the source) are not in the data; "
                      f"`{REPORT_FILENAME}` lists each with its file, line and reason."]
    return "\n".join(lines)


def _limitations(facts: CardFacts) -> str:
    articles = facts.report.get("articles")
    lines = [
        "- The normalization follows the Penn Treebank conventions of NLTK 3.10's `TreebankWordTokenizer`: it "
        "splits `can't` into `ca n't`, turns straight double quotes into ` `` ` and `''` by position, and splits "
        "a period only at the end of a line, so abbreviations and periods inside a line stay attached.",
        "- Lowercasing loses the case distinctions names and acronyms carry (`US` and `us` become one token).",
        "- The corpus has the coverage and the slant of its sources: their outlets, regions, periods and "
        "topics; models trained on it inherit them.",
    ]
    if articles and articles.get("disagree") is not None:
        lines.append(
            f"- {articles['disagree']:,} of {articles.get('stored', 0):,} stored normalized sides differ from the "
            "normalization of their raw side (the `agrees` field of the `articles` config marks them)."
        )
    return "\n".join(lines)


def _producers(facts: CardFacts) -> str:
    if facts.input_kinds.get("isot"):
        return (
            "The raw texts come from the ISOT fake news dataset's CSV files; `label` says which file (Fake or "
            "True) an article came from, and `subject` and `date` are the dataset's own columns."
        )
    return (
        "The raw texts are those of the publisher's source files; `source_file` names each article's file. "
        "The authors and outlets of the articles are those the texts themselves name; newspairs records no "
        "other provenance."
    )


def _citation(options: CardOptions) -> str:
    if options.citation:
        return options.citation.strip()
    key = re.sub(r"[^a-z0-9]+", "_", options.repo_id.lower()).strip("_")
    return (
        f"@misc{{{key},\n"
        f"  title = {{{options.title}}},\n"
        f"  author = {{{options.repo_id.split('/')[0]}}},\n"
        f"  year = {{{date.today().year}}},\n"
        f"  howpublished = {{\\url{{https://huggingface.co/datasets/{options.repo_id}}}}},\n"
        f"  note = {{Raw/normalized news article pairs built with newspairs}}\n"
        "}"
    )


def card_yaml(base: Mapping[str, Any], options: CardOptions, total_rows: int) -> str:
    """The card's YAML: `newspairs.export`'s (``configs``, ``dataset_info``, ``newspairs_stamp``) plus the Hub metadata."""
    from huggingface_hub import DatasetCardData

    other = {key: value for key, value in (("license_name", options.license_name), ("license_link", options.license_link))
             if value is not None}
    data = DatasetCardData(
        pretty_name=options.title,
        license=options.license,
        **other,  # the Hub's fields for a license: other
        language=list(options.language),
        task_categories=list(TASK_CATEGORIES),
        tags=list(TAGS),
        size_categories=[size_category(total_rows)],
    )
    for key, value in base.items():
        if key not in data:
            data[key] = value
    return data.to_yaml()


def published_revision(revision: str | None) -> str | None:
    """The branch a card's snippets and link name: None for main (the Hub's default, named by nothing)."""
    return None if revision in (None, "", "main") else revision


def repository_url(repo_id: str, revision: str | None = None) -> str:
    """The repository's page on the Hub; of its branch ``revision`` when that is not main."""
    from urllib.parse import quote

    revision = published_revision(revision)
    page = f"https://huggingface.co/datasets/{repo_id}"
    return page if revision is None else f"{page}/tree/{quote(revision, safe='')}"  # quoted as huggingface_hub's URLs do


def render_card(folder: str | Path, options: CardOptions, facts: CardFacts, *, template: str | None = None,
                revision: str | None = None) -> str:
    """The full ``README.md`` of an exported folder (whose card YAML `newspairs.export` wrote).

    ``revision``: the branch the card is committed on; other than main, its snippets load that
    branch and its repository link opens it."""
    from huggingface_hub import DatasetCard

    from newspairs import __version__
    from newspairs.export import CARD_FILENAME, JSON_TEXT_KEY, export_summary
    from newspairs.sentences import card_sentence, read_record
    from newspairs.stamp import STAMP_FILENAME, Stamp

    folder = Path(folder)
    base = DatasetCard.load(folder / CARD_FILENAME).data.to_dict()
    summaries = export_summary(folder)
    configs = [entry["config_name"] for entry in base.get("configs", [])]
    if sorted(configs) != sorted(summaries):
        raise ValueError(f"{folder / CARD_FILENAME}: configs {configs} and dataset_info {sorted(summaries)} disagree")
    default = next((entry["config_name"] for entry in base["configs"] if entry.get("default")), configs[0])
    configs = [default, *[name for name in configs if name != default]]
    summaries = {name: summaries[name] for name in configs}
    stamp = Stamp.from_json((folder / STAMP_FILENAME).read_text(encoding="utf-8"), where=str(folder / STAMP_FILENAME))
    default_splits = summaries[default].splits
    example_split = "train" if "train" in default_splits else next(iter(default_splits))
    total_rows = sum(default_splits.values())
    articles = sum(summaries["articles"].splits.values()) if "articles" in summaries else None
    lines = sum(summaries["lines"].splits.values()) if "lines" in summaries else None
    size_parts = [_counted(articles, "article") if articles is not None else None, _counted(lines, "line pair") if lines is not None else None]
    size_sentence = ", ".join(part for part in size_parts if part) or f"{_counted(total_rows, 'row')} in `{default}`"
    description = options.description or (
        f"{options.title} holds {size_sentence} of news text as raw/normalized pairs, in the config{'s' if len(configs) > 1 else ''} "
        + ", ".join(f"`{name}`" for name in configs)
        + "."
    )
    ratios = ", ".join(f"{ratio:g}" for ratio in facts.split_ratios)
    values = {
        "yaml": card_yaml(base, options, total_rows).strip(),
        "pretty_name": options.title,
        "summary": f"Raw news articles and their Penn Treebank normalization, line for line, with the `tokenizers` "
        f"tokenizer that reproduces the normalization ({size_sentence}).",
        "description": description.strip(),
        "shared_by": options.repo_id.split("/")[0],
        "languages": ", ".join(options.language),
        "license": options.license_text,
        "size_sentence": size_sentence,
        "repository": repository_url(options.repo_id, revision),
        "newspairs_version": __version__,
        "input_files": input_files(facts.input_kinds),
        "stamp_signature": stamp.signature(),
        "tokenizer_sentence": f"a {facts.tokenizer_model} model of {facts.tokenizer_vocab_size:,} tokens "
        + ("given to the build, not trained by it" if facts.tokenizer_given else "trained on this corpus's train split"),
        "special_tokens": ", ".join(f"`{token}`" for token in facts.special_tokens),
        "load_examples": _load_examples(options.repo_id, summaries, published_revision(revision)),
        "config_sides": _config_sides(list(configs)),
        "lines_use": (" (the `lines` config pairs each raw line with its normalized line, the shape a "
                      "sequence-to-sequence model trains on)") if "lines" in configs else "",
        "config_list": ", ".join(f"`{name}`" + (" (default)" if name == default else "") for name in configs),
        "example_config": default,
        "example_split": example_split,
        "example_chars": str(EXAMPLE_CHARS),
        "example_items": str(EXAMPLE_ITEMS),
        "example_json": json.dumps(example_row(folder, default, example_split), indent=2, ensure_ascii=False),
        "fields_tables": fields_tables(summaries, base.get(JSON_TEXT_KEY) or ()),
        "split_table": split_table(summaries),
        "split_weights": ratios,
        "processing": _processing(facts, summaries, __version__) + "\n\n" + card_sentence(read_record(folder)),
        "producers": (options.producers or _producers(facts)).strip(),
        "limitations": _limitations(facts),
        "citation": _citation(options),
    }
    text = template if template is not None else CARD_TEMPLATE.read_text(encoding="utf-8")
    # the template's own text is checked, not the values: a user's words and the data's text may hold
    # anything, "TODO" included (fill_template already refuses a placeholder left without a value)
    left = unfilled_parts(PLACEHOLDER.sub("", text))
    if left:
        raise ValueError(f"the rendered card still holds template fillers: {left[:3]}")
    return fill_template(text, values)
