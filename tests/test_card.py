"""The dataset card: the template filled from the data, the Hub's sections, metadata matching the code."""

from __future__ import annotations

import json
import re

import pyarrow.parquet as pq
import pytest
import yaml
from tokenizers import Tokenizer

import newspairs
from newspairs.builder import CONFIG_NAMES, features_for
from newspairs.card import (
    CARD_TEMPLATE,
    FIELD_DESCRIPTIONS,
    METADATA_DESCRIPTION,
    PLACEHOLDER,
    CardOptions,
    fill_template,
    size_category,
    unfilled_parts,
)
from newspairs.export import export_summary
from newspairs.train import raw_texts_of

from conftest import REPO
from hub_repo import OPTIONS, build_offline

# The sections of the Hub's dataset card template (huggingface_hub/templates/datasetcard_template.md)
# that the issue asks for, in its order.
HUB_SECTIONS = [
    "# Dataset Card for ", "## Dataset Details", "### Dataset Description", "### Dataset Sources", "## Uses",
    "### Direct Use", "### Out-of-Scope Use", "## Dataset Structure", "## Dataset Creation", "### Curation Rationale",
    "### Source Data", "#### Data Collection and Processing", "#### Who are the source data producers?",
    "#### Personal and Sensitive Information", "## Bias, Risks, and Limitations", "### Recommendations", "## Citation",
]


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    return build_offline(tmp_path_factory.mktemp("repo") / "out", tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def card(repository) -> str:
    return (repository.folder / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def metadata(card) -> dict:
    return yaml.safe_load(card.split("---\n")[1])


def section(card: str, heading: str) -> str:
    """The text under a heading, up to the next heading of any level."""
    start = card.index(heading + "\n") + len(heading) + 1
    following = re.search(r"^#{1,4} ", card[start:], flags=re.MULTILINE)
    return card[start : start + following.start()] if following else card[start:]


class TestTemplate:
    def test_the_repo_root_template_is_the_packaged_one(self):
        assert (REPO / "dataset_card.md").resolve() == CARD_TEMPLATE

    def test_every_hub_section_is_in_the_template_in_order(self):
        text = CARD_TEMPLATE.read_text(encoding="utf-8")
        positions = [text.index("\n" + heading) for heading in HUB_SECTIONS]
        assert positions == sorted(positions)

    @pytest.mark.parametrize(
        ("values", "message"),
        [
            pytest.param({"a": "1"}, r"no value for \['b'\]", id="missing"),
            pytest.param({"a": "1", "b": "2", "c": "3"}, r"no placeholder for \['c'\]", id="unused"),
        ],
    )
    def test_fill_template_refuses_values_that_do_not_match(self, values, message):
        with pytest.raises(ValueError, match=message):
            fill_template("{{ a }} and {{b}}", values)

    def test_fill_template_replaces_every_placeholder_once(self):
        assert fill_template("{{ a }}-{{ a }} {{b}}", {"a": "{{ b }}", "b": "x"}) == "{{ b }}-{{ b }} x"

    @pytest.mark.parametrize(
        "line",
        ["{{ pretty_name }}", "[More Information Needed]", "- **Paper [optional]:** x", "TODO: fill", "{{ "],
    )
    def test_unfilled_parts_catches_template_leftovers(self, line):
        assert unfilled_parts(f"fine\n{line}\nfine") == [line]

    def test_unfilled_parts_lets_bibtex_braces_through(self):
        assert unfilled_parts("howpublished = {\\url{https://x}},\n}}") == []


class TestOptions:
    @pytest.mark.parametrize(
        ("settings", "message"),
        [
            pytest.param({"license": ""}, "a license is required", id="no-license"),
            pytest.param({"license": "CC BY 4.0"}, "not a Hub license identifier", id="license-words"),
            pytest.param({"repo_id": "news-pairs"}, "ORG/NAME", id="repo-without-org"),
            pytest.param({"repo_id": "a/b/c"}, "ORG/NAME", id="repo-too-deep"),
            pytest.param({"language": ()}, "at least one language", id="no-language"),
        ],
    )
    def test_bad_options_are_refused(self, settings, message):
        with pytest.raises(ValueError, match=message):
            CardOptions(**{"license": "mit", "repo_id": "acme/x", **settings})

    @pytest.mark.parametrize(
        ("settings", "message", "value"),
        [
            pytest.param({"repo_id": "acme/news pairs"}, "is not a Hub repository id", "acme/news pairs", id="repo-with-a-space"),
            pytest.param({"repo_id": "acme/x.git"}, "is not a Hub repository id", "acme/x.git", id="repo-ending-in-git"),
            pytest.param({"repo_id": "acme/news--pairs"}, "is not a Hub repository id", "acme/news--pairs", id="repo-with-double-dash"),
            pytest.param({"license": "foo"}, "is not a Hub license identifier; the list: https://", "foo", id="license-off-the-hub-list"),
            pytest.param({"license": "cc-by-4"}, "did you mean cc-by-4.0", "cc-by-4", id="license-near-one"),
            pytest.param({"language": ("",)}, "language codes must not be empty", "", id="empty-language"),
            pytest.param({"language": ("en", "  ")}, "language codes must not be empty", "  ", id="blank-language"),
        ],
    )
    def test_what_the_hub_would_refuse_is_refused_naming_it(self, settings, message, value):
        """Class: CardOptions checks what the upload would find out only at the end (the repository
        id, by huggingface_hub's own validator) and what the card would carry wrong (a license off
        the Hub's list, an empty language code), so the dry run and the Python API refuse it too."""
        with pytest.raises(ValueError, match=re.escape(message)) as raised:
            CardOptions(**{"license": "mit", "repo_id": "acme/x", **settings})
        assert repr(value) in str(raised.value) and "\n" not in str(raised.value)

    def test_title_defaults_to_the_repository_name(self):
        assert CardOptions(license="mit", repo_id="acme/news-pairs").title == "news-pairs"


# (CardOptions settings, what the one-line error says, the value it names): the Hub's license_name and
# license_link are for license "other", which needs a name
OTHER_LICENSE_MISTAKES = [
    pytest.param({"license": "other"}, "license other needs license_name naming the license", "", id="other-without-a-name"),
    pytest.param({"license": "other", "license_link": "LICENSE"}, "license other needs license_name", "",
                 id="other-with-a-link-only"),
    pytest.param({"license_name": "acme-1.0"}, "license_name 'acme-1.0' is for license other only", "acme-1.0",
                 id="name-with-a-listed-license"),
    pytest.param({"license_link": "https://acme.example/license"}, "license_link 'https://acme.example/license' is for license other only",
                 "https://acme.example/license", id="link-with-a-listed-license"),
    pytest.param({"license": "other", "license_name": "Acme License 1.0"}, "is not a license id", "Acme License 1.0",
                 id="name-in-words"),
    pytest.param({"license": "other", "license_name": ""}, "is not a license id", "", id="empty-name"),
    pytest.param({"license": "other", "license_name": "cc-by-4.0"}, "is on the Hub's list: pass license cc-by-4.0 instead of other",
                 "cc-by-4.0", id="name-on-the-hub-list"),
    # it said "'other' is on the Hub's list: pass license other instead of other"
    pytest.param({"license": "other", "license_name": "other"}, "license_name 'other' names no license: give the license's own id",
                 "other", id="name-other"),
    pytest.param({"license": "other", "license_name": "acme-1.0", "license_link": "../LICENSE"}, "a path inside it", "../LICENSE",
                 id="link-outside-the-repository"),
    pytest.param({"license": "other", "license_name": "acme-1.0", "license_link": "/etc/LICENSE"}, "a path inside it",
                 "/etc/LICENSE", id="link-absolute-path"),
    pytest.param({"license": "other", "license_name": "acme-1.0", "license_link": "ftp://acme.example/LICENSE"},
                 "a URL must be http(s)://HOST/", "ftp://acme.example/LICENSE", id="link-not-http"),
    pytest.param({"license": "other", "license_name": "acme-1.0", "license_link": "https://"}, "a URL must be http(s)://HOST/",
                 "https://", id="link-without-a-host"),
    pytest.param({"license": "other", "license_name": "acme-1.0", "license_link": "LICENSE\n# Injected"}, "holds a space, a line break",
                 "LICENSE\n# Injected", id="link-with-a-line-break"),
    pytest.param({"license": "other", "license_name": "acme-1.0", "license_link": ""}, "empty", "", id="empty-link"),
]


class TestOtherLicense:
    """Class: a license the Hub has no identifier for is named (and may be linked) in the card's
    metadata, as the Hub's card metadata asks; both fields are refused where the Hub ignores them."""

    @pytest.mark.parametrize(("settings", "message", "value"), OTHER_LICENSE_MISTAKES)
    def test_a_name_or_link_that_does_not_fit_is_refused_naming_it(self, settings, message, value):
        with pytest.raises(ValueError, match=re.escape(message)) as raised:
            CardOptions(**{"license": "mit", "repo_id": "acme/x", **settings})
        assert (repr(value) in str(raised.value) or not value) and "\n" not in str(raised.value)

    @pytest.mark.parametrize(
        ("link", "shown"),
        [
            pytest.param(None, "other: `acme-news-1.0`", id="no-link"),
            pytest.param("LICENSE", "other: `acme-news-1.0`, text: [LICENSE](<LICENSE>)", id="a-file-of-the-repository"),
            pytest.param("docs/LICENSE.md", "other: `acme-news-1.0`, text: [docs/LICENSE.md](<docs/LICENSE.md>)", id="a-file-in-a-folder"),
            pytest.param("https://acme.example/terms_(v1).html",
                         "other: `acme-news-1.0`, text: [https://acme.example/terms_(v1).html](<https://acme.example/terms_(v1).html>)",
                         id="a-url-with-parentheses"),
        ],
    )
    def test_the_card_names_and_links_it_in_its_metadata_and_license_line(self, repository, link, shown):
        from huggingface_hub import DatasetCard

        from newspairs.card import CardFacts, render_card

        options = CardOptions(license="other", repo_id="acme/news-pairs", license_name="acme-news-1.0", license_link=link)
        facts = CardFacts(report={}, input_kinds={"pair": 4}, split_ratios=(0.8, 0.1, 0.1), tokenizer_model="WordPiece", tokenizer_vocab_size=600)
        card = DatasetCard(render_card(repository.folder, options, facts))
        assert (card.data.license, card.data.license_name, card.data.get("license_link")) == ("other", "acme-news-1.0", link)
        assert f"- **License:** {shown}\n" in card.text

    def test_a_listed_license_adds_no_other_fields(self, metadata):
        assert "license_name" not in metadata and "license_link" not in metadata


@pytest.mark.parametrize(
    ("rows", "category"),
    [(0, "n<1K"), (999, "n<1K"), (1_000, "1K<n<10K"), (99_999, "10K<n<100K"), (10**6, "1M<n<10M"), (10**12, "n>1T")],
)
def test_size_category(rows, category):
    assert size_category(rows) == category


class TestRenderedCard:
    def test_no_placeholder_is_left(self, card):
        assert unfilled_parts(card) == []
        assert not PLACEHOLDER.search(card)

    def test_links_only_to_pages_that_exist(self, card):
        """Class: a card (the Hub's, or an export's default body) never links to a package index
        page newspairs does not have (it is not on PyPI)."""
        from newspairs.export import DEFAULT_CARD_BODY

        for text in (card, DEFAULT_CARD_BODY):
            assert "pypi.org" not in text

    def test_every_hub_section_is_there_and_filled(self, card):
        for heading in HUB_SECTIONS[1:]:
            assert heading + "\n" in card
            if heading.startswith(("## Dataset Details", "## Uses", "## Dataset Creation", "### Source Data")):
                continue  # parents whose text is in their subsections
            assert section(card, heading).strip(), f"{heading} is empty"

    def test_metadata_has_the_hub_fields(self, metadata, repository):
        articles = sum(repository.configs["articles"].values())
        assert metadata["pretty_name"] == OPTIONS.pretty_name
        assert metadata["license"] == "cc-by-4.0"
        assert metadata["language"] == ["en"]
        assert metadata["task_categories"] and metadata["tags"]
        assert metadata["size_categories"] == [size_category(articles)]
        assert metadata["newspairs_stamp"] == json.loads(repository.stamp.to_json())

    def test_configs_and_features_match_the_builder(self, metadata):
        assert [config["config_name"] for config in metadata["configs"]] == list(CONFIG_NAMES)
        for info in metadata["dataset_info"]:
            expected = features_for(info["config_name"], {})
            assert [feature["name"] for feature in info["features"]] == list(expected)

    def test_every_field_of_the_code_has_a_description(self):
        for config in CONFIG_NAMES:
            assert list(FIELD_DESCRIPTIONS[config]) == list(features_for(config, {})), config

    def test_field_tables_list_each_configs_features(self, card, repository):
        fields = section(card, "### Fields")
        for config, summary in export_summary(repository.folder).items():
            table = fields.split(f"`{config}`:\n")[1].split("\n\n`")[0]
            names = re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE)
            assert names == list(summary.features), config

    def test_split_table_is_filled_from_the_data(self, card, repository):
        table = section(card, "### Splits")
        for config, splits in repository.configs.items():
            row = next(line for line in table.split("\n") if line.startswith(f"| `{config}` |"))
            cells = [cell.strip() for cell in row.strip("|").split("|")][1:]
            expected = [splits.get(split, 0) for split in ("train", "validation", "test")]
            assert [int(cell.replace(",", "")) for cell in cells] == [*expected, sum(expected)]

    def test_json_example_is_the_first_row_of_the_data(self, card, repository):
        block = section(card, "## Dataset Structure").split("```json\n")[1].split("\n```")[0]
        shard = sorted((repository.folder / "articles").glob("*/train-*.parquet"))[0]
        first = pq.read_table(shard).slice(0, 1).to_pylist()[0]
        shown = json.loads(block)
        assert shown.keys() == first.keys()
        for key, value in shown.items():
            if isinstance(value, str) and value.endswith("…"):
                assert first[key].startswith(value[:-1])
            else:
                assert value == first[key]

    def test_the_cards_recipe_reproduces_the_normalization(self, card, repository):
        recipe = section(card, "### The normalization").split("```python\n")[1].split("\n```")[0]
        assert 'Tokenizer.from_file("tokenizer.json")' in recipe
        recipe = recipe.replace('"tokenizer.json"', repr(str(repository.folder / "tokenizer.json")))
        for line in "\n".join(raw_texts_of(None)).split("\n"):
            scope = {"line": line}
            exec(recipe, scope)
            assert scope["normalized"] == newspairs.normalize(line)

    def test_stamp_and_size_are_stated(self, card, repository):
        assert repository.stamp.signature() in card
        articles = sum(repository.configs["articles"].values())
        assert f"{articles:,} articles" in section(card, "### Dataset Description")

    def test_tokenizer_is_described_from_its_file(self, card, repository):
        tokenizer = Tokenizer.from_file(str(repository.folder / "tokenizer.json"))
        assert f"a WordPiece model of {tokenizer.get_vocab_size():,} tokens trained on this corpus's train split" in card

    def test_license_is_required_for_a_card(self):
        with pytest.raises(ValueError, match="license is required"):
            CardOptions(license="", repo_id="acme/x")


class TestIsotCard:
    """A source with metadata columns and a class label: the card describes them from the data."""

    @pytest.fixture(scope="class")
    @classmethod
    def isot(cls, tmp_path_factory):
        from pairs import isot_rows, write_csv

        source = tmp_path_factory.mktemp("isot")
        write_csv(source / "True-sample.csv", ["title", "text", "subject", "date"], isot_rows())
        write_csv(source / "Fake-sample.csv", ["title", "text", "subject", "date"], isot_rows()[:2])
        build = build_offline(tmp_path_factory.mktemp("repo") / "out", tmp_path_factory.mktemp("cache"),
                              source=source, configs=["articles"], split_ratios=(1.0, 0.0, 0.0))
        return build, (build.folder / "README.md").read_text(encoding="utf-8")

    def test_metadata_columns_and_the_label_are_in_the_fields_table(self, isot):
        _, card = isot
        fields = section(card, "### Fields")
        assert "| `label` | class label (0 = Fake, 1 = True) | metadata carried over from the source |" in fields
        for column in ("title", "subject", "date"):
            assert f"| `{column}` | string | metadata carried over from the source |" in fields

    def test_producers_and_input_files_name_the_isot_files(self, isot):
        _, card = isot
        assert "ISOT fake news dataset" in section(card, "#### Who are the source data producers?")
        assert "2 ISOT fake-news CSV files" in card and "read 2 input files (" in card

    def test_only_the_splits_the_data_has(self, isot):
        build, card = isot
        assert build.configs == {"articles": {"train": 5}}
        assert "| `articles` | 5 | 5 |" in section(card, "### Splits")
        assert unfilled_parts(card) == []


class TestFieldsTable:
    """Class: a metadata column's name is the source's: whatever it holds, the fields table keeps one
    row of three cells per column (the YAML, which quotes the name, is left as it is)."""

    @pytest.mark.parametrize(
        ("name", "shown"),
        [
            pytest.param("first\nsecond", "`first\\nsecond`", id="newline"),
            pytest.param("a\r\nb", "`a\\r\\nb`", id="crlf"),
            pytest.param("a\u2028b", "`a\\u2028b`", id="line-separator"),
            pytest.param("in|out", "`in\\|out`", id="pipe"),
            pytest.param("it`s", "``it`s``", id="backtick"),
        ],
    )
    def test_a_column_name_that_would_break_the_table_is_escaped(self, name, shown):
        from types import SimpleNamespace

        import datasets

        from newspairs.card import fields_tables

        features = {"id": datasets.Value("string"), name: datasets.Value("string"), "raw": datasets.Value("string")}
        table = fields_tables({"raw": SimpleNamespace(features=features)})
        rows = table.split("\n")[2:]
        assert len(rows) == 2 + len(features)
        assert all(len(re.split(r"(?<!\\)\|", row)) == 5 for row in rows)  # three cells between four pipes
        assert rows[3] == f"| {shown} | string | {METADATA_DESCRIPTION} |"


class TestUsersWords:
    """Class: the placeholder check is of the template's own fillers, never of what a user or the
    data says; a one-line option (the title) cannot carry line breaks into the card."""

    @pytest.mark.parametrize("field", ["description", "producers", "citation"])
    def test_todo_and_tbd_in_a_users_text_are_the_users(self, repository, field):
        from newspairs.card import CardFacts, render_card

        words = "TODO: add the 2025 articles; their dates are TBD."
        options = CardOptions(license="cc-by-4.0", repo_id="acme/news-pairs", **{field: words})
        facts = CardFacts(report={}, input_kinds={"pair": 4}, split_ratios=(0.8, 0.1, 0.1), tokenizer_model="WordPiece", tokenizer_vocab_size=600)
        assert words in render_card(repository.folder, options, facts)

    def test_a_template_filler_is_still_caught(self, repository):
        from newspairs.card import CardFacts, render_card

        facts = CardFacts(report={}, input_kinds={"pair": 4}, split_ratios=(0.8, 0.1, 0.1), tokenizer_model="WordPiece", tokenizer_vocab_size=600)
        template = CARD_TEMPLATE.read_text(encoding="utf-8").replace("## Uses", "## Uses\n\n[More Information Needed]")
        with pytest.raises(ValueError, match="template fillers"):
            render_card(repository.folder, OPTIONS, facts, template=template)

    @pytest.mark.parametrize("title", ["Acme\n# Injected heading", "Acme\r\nnews", "Acme\u2028news"], ids=["newline", "crlf", "line-separator"])
    def test_a_title_with_a_line_break_is_refused(self, title):
        with pytest.raises(ValueError, match="pretty_name must be one line"):
            CardOptions(license="mit", repo_id="acme/x", pretty_name=title)


class TestTheCardsUsage:
    def test_direct_use_loads_each_config_with_its_columns_the_default_first(self, card, repository):
        """Class: as the export's card, the Hub card's load lines are the repository's configs, the
        default loaded by no name, each commented with the columns it gives."""
        summaries = export_summary(repository.folder)
        calls = re.findall(r"^(\w+) = datasets\.load_dataset\((.*?)\)\s+# (.*)$", section(card, "### Direct Use"), re.M)
        assert [name for name, _, _ in calls] == list(repository.configs)
        for index, (name, args, comment) in enumerate(calls):
            assert args == f'"{OPTIONS.repo_id}"' + (f', "{name}"' if index else "")
            assert comment.removesuffix(" (the default config)").split(", ") == list(summaries[name].features)


@pytest.mark.parametrize(("files", "named"), [
    ({"a.json": '[{"raw": "One."}]', "b.jsonl": '{"raw": "Two."}\n'}, "1 JSON file (.json: one JSON document, or JSON lines), 1 JSON lines file"),
    ({"a.json": '{"raw": "One."}\n{"raw": "Two."}\n'}, "1 JSON file (.json: one JSON document, or JSON lines)"),
    ({"a.jsonl.gz": None}, "1 JSON lines file"),
    ({"a.jsonl": '{"raw": "One."}\n', "b.jsonl": '{"raw": "Two."}\n'}, "2 JSON lines files"),
    ({"raw/a.txt": "Hello.\n", "normalized/a.txt": "hello .\n", "raw/b.txt": "Alone.\n", "normalized/c.txt": "lonely .\n"},
     "1 normalized text file without a raw twin (rejected), 1 paired raw/normalized text file, "
     "1 raw text file without a normalized twin (rejected)"),
], ids=["document-and-json-lines", "json-lines-in-a-json-file", "compressed-json-lines", "two-json-lines", "paired-folder-with-orphans"])
def test_input_files_name_a_json_file_apart_from_json_lines(tmp_path, files, named):
    """A ``.json`` document was counted as a JSON lines file (the sources read both as one kind)."""
    import gzip
    from collections import Counter

    from newspairs.card import input_files, input_kind
    from newspairs.sources import resolve_source

    for name, text in files.items():
        if text is None:
            (tmp_path / name).write_bytes(gzip.compress(b'{"raw": "One."}\n'))
        else:
            (tmp_path / name).parent.mkdir(exist_ok=True)
            (tmp_path / name).write_text(text, encoding="utf-8")
    assert input_files(Counter(input_kind(item) for item in resolve_source(str(tmp_path)))) == named


@pytest.mark.parametrize(("value", "shown"), [
    pytest.param("a" * 201, "a" * 200 + "…", id="long-string"),
    pytest.param(["a" * 300] * 7, ["a" * 200 + "…"] * 5 + ["… 2 more"], id="list-of-long-strings"),
    pytest.param({"body": "b" * 300, "n": 1}, {"body": "b" * 200 + "…", "n": 1}, id="struct"),
    pytest.param([("k", "v" * 300)], [["k", "v" * 200 + "…"]], id="map-entries"),
    pytest.param(float("nan"), "nan", id="nan"),
    pytest.param(float("-inf"), "-inf", id="infinity"),
    pytest.param(b"\x00\x01\x02", "<3 bytes>", id="bytes"),
    pytest.param(b"\x00", "<1 byte>", id="one-byte"),
    pytest.param(__import__("datetime").datetime(2020, 1, 2, 3, 4, 5), "2020-01-02T03:04:05", id="timestamp"),
    pytest.param(__import__("datetime").date(2020, 1, 2), "2020-01-02", id="date"),
    pytest.param(__import__("datetime").time(3, 4), "03:04:00", id="time"),
    pytest.param(__import__("decimal").Decimal("1.50"), "1.50", id="decimal"),
    pytest.param(__import__("datetime").timedelta(days=1), "1 day, 0:00:00", id="duration"),
    pytest.param(None, None, id="null"),
    pytest.param(True, True, id="bool"),
])
def test_the_example_row_is_cut_and_shown_as_json(value, shown):
    """A list or struct column was not cut (a card of 612 KB for a column of paragraphs), and a date,
    decimal or bytes value stopped the card with a TypeError traceback; NaN made invalid JSON."""
    from newspairs.card import _cut

    assert json.loads(json.dumps(_cut(value), allow_nan=False)) == shown


def test_a_card_of_parquet_with_dates_bytes_and_long_lists(tmp_path):
    import datetime

    import pyarrow as pa

    rows = 20
    table = pa.table({
        "raw": [f"Article {i} about markets." for i in range(rows)],
        "published": pa.array([datetime.datetime(2020, 1, 1)] * rows, pa.timestamp("s")),
        "day": pa.array([datetime.date(2020, 1, 1)] * rows, pa.date32()),
        "blob": pa.array([b"\x00\x01"] * rows, pa.binary()),
        "paragraphs": [["p" * 10_000] * 50] * rows,
        "score": [float("nan")] * rows,
    })
    (tmp_path / "src").mkdir()
    pq.write_table(table, tmp_path / "src" / "x.parquet")
    build = build_offline(tmp_path / "repo", tmp_path / "cache", source=str(tmp_path / "src"))
    card = (build.folder / "README.md").read_text(encoding="utf-8")
    block = section(card, "## Dataset Structure").split("```json\n")[1].split("\n```")[0]
    shown = json.loads(block, parse_constant=lambda name: pytest.fail(f"{name} in the card's JSON"))  # strict JSON
    assert shown["published"] == "2020-01-01T00:00:00" and shown["day"] == "2020-01-01" and shown["blob"] == "<2 bytes>"
    assert shown["paragraphs"][-1] == "… 45 more" and shown["score"] == "nan"
    assert len(card) < 20_000


def test_a_card_of_one_article_counts_it_in_the_singular(tmp_path):
    """The card said "1 articles, 1 line pairs"."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "one.jsonl").write_text('{"raw": "One article."}\n', encoding="utf-8")
    build = build_offline(tmp_path / "repo", tmp_path / "cache", source=str(tmp_path / "src"), configs=["articles", "lines"])
    card = (build.folder / "README.md").read_text(encoding="utf-8")
    assert "holds 1 article, 1 line pair of news text" in card
    assert "1 articles" not in card and "1 line pairs" not in card
