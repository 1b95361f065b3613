"""`tokenizer.json` stands alone: built-in components only, and the same normalization after a
save and load with plain `tokenizers`."""

from __future__ import annotations

import json

import pytest
from tokenizers import Tokenizer

import newspairs
from newspairs.tokenizer import load_tokenizer_file, save_tokenizer

SAMPLES = {
    "quotes-and-clitics": 'He said, "I can\'t -- won\'t." \'Tis done.',
    "brackets-and-digits": "(IBM) rose 1,000 to $5.50; <X> [y] {z} 12:30, a:b",
    "multi-line": "First line.\n\n  Third line ...  \nLast 'line'",
    "unicode": "ΟΔΟΣ İstanbul Straße ſ café\u3000a\xa0b\x85c end.\x1c",
    "empty": "",
}


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    return save_tokenizer(newspairs.build_tokenizer(), tmp_path_factory.mktemp("tokenizer"))


def _components(node):
    """Every {"type": ...} object in the serialized tokenizer, depth first."""
    if isinstance(node, dict):
        if "type" in node:
            yield node
        for value in node.values():
            yield from _components(value)
    elif isinstance(node, list):
        for value in node:
            yield from _components(value)


class TestFile:
    def test_saved_as_tokenizer_json(self, saved):
        assert saved.name == "tokenizer.json" and saved.is_file()

    def test_only_builtin_components(self, saved):
        data = json.loads(saved.read_text(encoding="utf-8"))
        types = {component["type"] for component in _components(data)}
        assert "Custom" not in types and not any("custom" in kind.lower() for kind in types), types
        assert data["normalizer"] is not None and data["pre_tokenizer"] is not None
        # from_file must rebuild every component: a custom one would fail to deserialize
        Tokenizer.from_file(str(saved))

    def test_round_trip_is_identical(self, saved, tmp_path):
        again = save_tokenizer(Tokenizer.from_file(str(saved)), tmp_path / "again.json")
        assert json.loads(again.read_text(encoding="utf-8")) == json.loads(saved.read_text(encoding="utf-8"))

    def test_load_by_folder_or_file(self, saved):
        assert load_tokenizer_file(saved.parent).to_str() == load_tokenizer_file(saved).to_str()

    def test_missing_file_is_a_value_error(self, tmp_path):
        with pytest.raises(ValueError, match="no tokenizer file"):
            load_tokenizer_file(tmp_path / "nowhere")

    @pytest.mark.parametrize("given", ["file", "folder"], ids=["the-file-given", "its-folder-given"])
    def test_a_folder_where_the_file_goes_is_a_value_error_naming_it(self, tmp_path, given):
        # tokenizers' own error is a bare Exception, "Is a directory (os error 21)", naming no file
        (tmp_path / "tokenizer.json").mkdir()
        with pytest.raises(ValueError, match=f"^{tmp_path / 'tokenizer.json'}: exists and is not a file"):
            save_tokenizer(newspairs.build_tokenizer(), tmp_path / "tokenizer.json" if given == "file" else tmp_path)


@pytest.mark.parametrize("text", SAMPLES.values(), ids=SAMPLES.keys())
def test_same_normalization_after_loading(saved, text):
    loaded = Tokenizer.from_file(str(saved))
    assert newspairs.normalize(text, tokenizer=loaded) == newspairs.normalize(text)
    recipe = [
        " ".join(word for word, _ in loaded.pre_tokenizer.pre_tokenize_str(loaded.normalizer.normalize_str(line)))
        for line in text.split("\n")
    ]
    assert "\n".join(recipe) == newspairs.normalize(text)
