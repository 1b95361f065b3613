"""Tokenizer training: the model changes, the normalization does not; the folder works in transformers; stamps."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from tokenizers import Tokenizer

import newspairs
from newspairs.stamp import STAMP_FILENAME, normalization_stamp, rules_hash
from newspairs.train import (
    DEFAULT_TOKENIZER_DIR,
    DEFAULT_TRAINING,
    MODELS,
    SPECIAL_TOKENS,
    SPECIAL_TOKENS_MAP_FILENAME,
    TOKENIZER_CONFIG_FILENAME,
    TOKENIZER_FILES,
    TRAINING_RECORD_FILENAME,
    StampMismatchWarning,
    TrainingConfig,
    VocabSizeError,
    build_default_tokenizer,
    check_stamps,
    check_tokenizer_out,
    load_tokenizer,
    raw_texts_of,
    read_stamp,
    save_tokenizer_folder,
    stamp_mismatch,
    text_batches,
    train_tokenizer,
    training_record,
)
from newspairs.tokenizer import load_tokenizer_file

from conftest import FIXTURES, SHARED

UNK_ID = SPECIAL_TOKENS.index("[UNK]")
STALE = "the shipped tokenizer is stale: run python scripts/build_default_tokenizer.py and commit newspairs/data/tokenizer/"
PEER_CASES = SHARED / "peer" / "treebank_cases.jsonl"


def _seed_dir() -> Path:
    for folder in (FIXTURES / "seed", SHARED / "seed"):
        if folder.is_dir():
            return folder
    pytest.skip("the seed pair is neither in tests/fixtures/seed nor in ../shared/seed")


@pytest.fixture(scope="module")
def seed_pair() -> tuple[list[str], list[str]]:
    folder = _seed_dir()
    raw = next(folder.glob("000_*.txt")).read_text(encoding="utf-8").split("\n")
    normalized = next(folder.glob("001_*.txt")).read_text(encoding="utf-8").split("\n")
    return raw, normalized


@pytest.fixture(scope="module")
def trained(seed_pair) -> dict[str, Tokenizer]:
    raw, _ = seed_pair
    return {
        model: train_tokenizer(raw, model=model, vocab_size=400, min_frequency=1, show_progress=False)
        for model in MODELS
    }


@pytest.fixture(scope="module")
def trained_folder(trained, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wordpiece")
    save_tokenizer_folder(trained["wordpiece"], folder)
    return folder


def _recipe(tokenizer: Tokenizer, line: str) -> str:
    """The README's recipe: the normalization from a tokenizer file alone."""
    return " ".join(word for word, _ in tokenizer.pre_tokenizer.pre_tokenize_str(tokenizer.normalizer.normalize_str(line)))


class TestTraining:
    @pytest.mark.parametrize("model", MODELS)
    def test_special_tokens_take_ids_0_to_4(self, trained, model):
        assert [trained[model].token_to_id(token) for token in SPECIAL_TOKENS] == list(range(len(SPECIAL_TOKENS)))

    @pytest.mark.parametrize("model", MODELS)
    def test_normalizer_and_pre_tokenizer_are_the_normalizations(self, trained, model):
        built = json.loads(newspairs.build_tokenizer().to_str())
        mine = json.loads(trained[model].to_str())
        assert mine["normalizer"] == built["normalizer"]
        assert mine["pre_tokenizer"] == built["pre_tokenizer"]
        assert mine["model"]["type"].lower() == model

    @pytest.mark.parametrize("model", MODELS)
    def test_saved_file_reproduces_the_normalized_side(self, trained, seed_pair, model, tmp_path):
        raw, normalized = seed_pair
        path = save_tokenizer_folder(trained[model], tmp_path)[0]
        from_file = Tokenizer.from_file(str(path))
        assert newspairs.normalize("\n".join(raw), from_file).split("\n") == normalized
        assert [_recipe(from_file, line) for line in raw] == normalized

    @pytest.mark.skipif(not PEER_CASES.is_file(), reason="../shared/peer/treebank_cases.jsonl is absent")
    @pytest.mark.parametrize("model", MODELS)
    def test_trained_file_passes_the_peer_fidelity_cases(self, trained, tmp_path, model):
        path = save_tokenizer_folder(trained[model], tmp_path)[0]
        from_file = Tokenizer.from_file(str(path))
        cases = [json.loads(row) for row in PEER_CASES.read_text(encoding="utf-8").split("\n") if row]
        assert len(cases) > 300
        inputs, expected = [case["input"] for case in cases], [case["expected"] for case in cases]
        assert newspairs.normalize_batch(inputs, from_file) == expected  # NLTK's output, recorded in the cases

    @pytest.mark.parametrize("model", ["wordpiece", "bpe", "wordlevel"])
    def test_decoding_gives_back_the_normalized_line(self, trained, seed_pair, model):
        raw, normalized = seed_pair
        tokenizer = trained[model]
        assert [tokenizer.decode(encoding.ids) for encoding in tokenizer.encode_batch(raw)] == normalized

    @pytest.mark.parametrize("model", ["wordpiece", "bpe", "wordlevel"])
    def test_decoding_with_the_special_tokens_kept_spaces_them_as_words(self, trained, seed_pair, model):
        # BPE's decoder glued the next word to a special token, which has no end-of-word mark
        raw, normalized = seed_pair
        tokenizer = trained[model]
        pair = tokenizer.encode(raw[0], raw[1])
        assert tokenizer.decode(pair.ids, skip_special_tokens=False) == f"[CLS] {normalized[0]} [SEP] {normalized[1]} [SEP]"

    @pytest.mark.parametrize("word", ["entmark", "u.s.", "c++"])
    def test_a_bpe_decoder_told_of_an_added_word_decodes_it_as_a_word(self, word):
        """The BPE decoder re-marked the special tokens only: an added word (no </w>) was glued to the next
        (`the entmarkharbour reopened .`)."""
        from tokenizers import AddedToken

        from newspairs.train import decoder_for

        tokenizer = train_tokenizer(["The harbour reopened on Monday.", "Ferries can't sail before 6 a.m."] * 5, model="bpe",
                                    vocab_size=200, min_frequency=1, show_progress=False)
        tokenizer.add_tokens([AddedToken(word, normalized=False, single_word=True)])
        tokenizer.decoder = decoder_for("bpe", words=[word])
        ids = newspairs.Encoder(tokenizer)({"raw": [f"The {word} harbour reopened {word} on Monday"]})["input_ids"][0]
        assert tokenizer.id_to_token(ids[2]) == word
        assert tokenizer.decode(ids) == f"the {word} harbour reopened {word} on monday"
        assert tokenizer.decode(tokenizer.encode("Ferries sail on Monday.").ids) == "ferries sail on monday ."

    @pytest.mark.parametrize(("model", "words", "message"), [
        pytest.param("bpe", "entmark", r"^words is a list of tokens, not one str: 'entmark'$", id="one-str"),
        pytest.param("bpe", ["entmark", ""], r"^words holds tokens \(non-empty str\), got \['entmark', ''\]$", id="empty-word"),
        pytest.param("bpe", [None], r"^words holds tokens \(non-empty str\), got \[None\]$", id="not-a-str"),
        pytest.param("wordpiece", ["entmark"], r"^words= is for the bpe decoder only \(the wordpiece tokens need no word-end mark\)",
                     id="wordpiece"),
    ])
    def test_words_the_decoder_cannot_take_are_refused(self, model, words, message):
        from newspairs.train import decoder_for

        with pytest.raises(ValueError, match=message):
            decoder_for(model, words=words)

    def test_unigram_pieces_regroup_into_the_normalized_words(self, trained, seed_pair):
        raw, normalized = seed_pair
        tokenizer = trained["unigram"]
        for line, expected in zip(raw, normalized):
            encoding = tokenizer.encode(line, add_special_tokens=False)
            words: dict[int, str] = {}
            for token, word in zip(encoding.tokens, encoding.word_ids):
                words[word] = words.get(word, "") + token
            assert " ".join(words[index] for index in sorted(words)) == expected

    def test_post_processor_frames_single_and_pair(self, trained):
        tokenizer = trained["wordpiece"]
        single = tokenizer.encode("Markets rose.")
        assert single.tokens[0] == "[CLS]" and single.tokens[-1] == "[SEP]"
        pair = tokenizer.encode("Markets rose.", "Oil fell.")
        assert pair.tokens.count("[SEP]") == 2
        assert pair.type_ids[-1] == 1 and pair.type_ids[0] == 0

    def test_bpe_exceeds_vocab_size_only_by_completing_its_alphabet(self, seed_pair):
        raw, _ = seed_pair
        tokenizer = train_tokenizer(raw, model="bpe", vocab_size=120, min_frequency=1, show_progress=False)
        characters = {token.removesuffix("</w>") for token in tokenizer.get_vocab() if len(token.removesuffix("</w>")) == 1}
        assert 120 < tokenizer.get_vocab_size() <= 120 + len(characters)

    def test_bpe_alphabet_both_continues_and_ends_words(self, trained):
        """The trainer made "c</w>" only for a character it saw end a word: the seed's "1", "j", "/", "u",
        "w" end no word, and "2010/j" was [UNK] at its end. initial_alphabet added "~" alone."""
        vocab = trained["bpe"].get_vocab()
        inside = {token for token in vocab if len(token) == 1}
        ending = {token[:-4] for token in vocab if token.endswith("</w>") and len(token) == 5}
        assert inside == ending and {"1", "j", "/", "u", "w"} <= inside
        encoding = trained["bpe"].encode("2010/j j/1 zu vw")
        assert (UNK_ID not in encoding.ids, trained["bpe"].decode(encoding.ids)) == (True, "2010/j j/1 zu vw")
        tokenizer = train_tokenizer(["A few words here.", "And a few more."], model="bpe", vocab_size=100, min_frequency=1,
                                    initial_alphabet="~^", show_progress=False)
        encoding = tokenizer.encode("a ~ few^ ^^ ~more")
        assert (UNK_ID not in encoding.ids, tokenizer.decode(encoding.ids)) == (True, "a ~ few^ ^^ ~more")

    def test_bpe_ids_are_canonical_and_its_words_cut_as_the_trainer_cut_them(self, seed_pair, monkeypatch):
        import newspairs.train

        raw, _ = seed_pair
        as_trained = []
        completed = newspairs.train.canonical_bpe
        monkeypatch.setattr(newspairs.train, "canonical_bpe", lambda tok: as_trained.append(Tokenizer.from_str(tok.to_str())) or completed(tok))
        tokenizer = train_tokenizer(raw, model="bpe", vocab_size=400, min_frequency=1, show_progress=False)
        vocab = tokenizer.get_vocab(with_added_tokens=False)
        by_id = [token for token, _ in sorted(vocab.items(), key=lambda item: item[1])]
        assert by_id[: len(SPECIAL_TOKENS)] == list(SPECIAL_TOKENS)
        assert by_id[len(SPECIAL_TOKENS) :] == sorted(by_id[len(SPECIAL_TOKENS) :])
        assert by_id != [token for token, _ in sorted(as_trained[0].get_vocab().items(), key=lambda item: item[1])]
        cut = [encoding.tokens for encoding in tokenizer.encode_batch(raw, add_special_tokens=False)]
        assert cut == [encoding.tokens for encoding in as_trained[0].encode_batch(raw, add_special_tokens=False)]

    def test_wordpiece_exceeds_vocab_size_only_by_completing_its_alphabet(self, seed_pair):
        raw, _ = seed_pair
        tokenizer = train_tokenizer(raw, model="wordpiece", vocab_size=120, min_frequency=1, show_progress=False)
        characters = {token.removeprefix("##") for token in tokenizer.get_vocab() if len(token.removeprefix("##")) == 1}
        assert 120 < tokenizer.get_vocab_size() <= 120 + len(characters)

    def test_wordlevel_training_is_reproducible(self, seed_pair, trained):
        raw, _ = seed_pair
        again = train_tokenizer(raw, model="wordlevel", vocab_size=400, min_frequency=1, show_progress=False)
        assert again.to_str() == trained["wordlevel"].to_str()

    def test_wordpiece_ids_are_canonical(self, trained):
        vocab = trained["wordpiece"].get_vocab(with_added_tokens=False)
        by_id = [token for token, _ in sorted(vocab.items(), key=lambda item: item[1])]
        assert by_id[: len(SPECIAL_TOKENS)] == list(SPECIAL_TOKENS)
        assert by_id[len(SPECIAL_TOKENS) :] == sorted(by_id[len(SPECIAL_TOKENS) :])

    def test_wordpiece_alphabet_both_starts_and_continues_words(self, trained):
        vocab = trained["wordpiece"].get_vocab()
        starts = {token for token in vocab if len(token) == 1}
        continues = {token[2:] for token in vocab if token.startswith("##") and len(token) == 3}
        assert starts == continues
        letters = "".join(sorted((character for character in starts if character.isalpha()), reverse=True))
        assert len(letters) > 10
        assert UNK_ID not in trained["wordpiece"].encode(f"{letters} {letters[::2]}").ids

    def test_batches_do_not_change_the_result(self, seed_pair, trained):
        raw, _ = seed_pair
        config = TrainingConfig(model="wordlevel", vocab_size=400, min_frequency=1, batch_size=3, show_progress=False)
        assert train_tokenizer(iter(raw), config).to_str() == trained["wordlevel"].to_str()

    def test_trains_on_a_dataset_column(self, seed_pair, trained):
        datasets = pytest.importorskip("datasets")
        raw, _ = seed_pair
        dataset = datasets.Dataset.from_dict({"id": list(range(len(raw))), "raw": raw})
        settings = dict(model="wordlevel", vocab_size=400, min_frequency=1, show_progress=False)
        assert train_tokenizer(dataset, **settings).to_str() == trained["wordlevel"].to_str()
        assert train_tokenizer(dataset.to_iterable_dataset(), **settings).to_str() == trained["wordlevel"].to_str()

    @pytest.mark.parametrize(
        ("texts", "message"),
        [
            pytest.param("one article", "not on one str", id="a-string"),
            pytest.param(["fine", 3], "text 1 is a int", id="not-a-str"),
            pytest.param([], "no text to learn from", id="empty"),
            pytest.param({"train": ["a"]}, "not on a dict of splits", id="dict-of-splits"),
            pytest.param({str(n): ["a"] for n in range(9)}, r"^train on one split, not on a dict of splits \(0, 1, 2, 3, 4 \.\.\.\): pick one$",
                         id="many-splits-named-five"),
            pytest.param(pd.DataFrame({"raw": ["a b", "c"]}), r"^train on an iterable of texts, not on a DataFrame \(of 'raw'\): pass its column",
                         id="a-dataframe"),
            pytest.param(Path("corpus"), r"^train on an iterable of texts, not on the path 'corpus': train_on_source\(path\)",
                         id="a-path"),
            pytest.param(None, r"^train on an iterable of texts, got NoneType: None$", id="none"),
        ],
    )
    def test_bad_texts_are_refused(self, texts, message):
        with pytest.raises(ValueError, match=message):
            train_tokenizer(texts, show_progress=False)

    @pytest.mark.parametrize(
        ("settings", "message"),
        [
            pytest.param({"vocab": 100}, r"^unknown training setting 'vocab': the settings are model, vocab_size, ", id="one"),
            pytest.param({"vocab": 100, "epochs": 2}, r"^unknown training settings 'epochs', 'vocab': ", id="two"),
            # a wrong type: Python's TypeError from a comparison, or tokenizers' own, at training
            pytest.param({"vocab_size": None}, r"^vocab_size must be a whole number, got NoneType None$", id="vocab-size-none"),
            pytest.param({"vocab_size": "600"}, r"^vocab_size must be a whole number, got str '600'$", id="vocab-size-str"),
            pytest.param({"vocab_size": 600.0}, r"^vocab_size must be a whole number, got float 600.0$", id="vocab-size-float"),
            pytest.param({"min_frequency": None}, r"^min_frequency must be a whole number, got NoneType None$", id="min-frequency-none"),
            pytest.param({"min_frequency": 1.5}, r"^min_frequency must be a whole number, got float 1.5$", id="min-frequency-float"),
            pytest.param({"batch_size": True}, r"^batch_size must be a whole number, got bool True$", id="batch-size-bool"),
            pytest.param({"initial_alphabet": 5}, r"^initial_alphabet is single characters \(a tuple, or a str\), got int 5$", id="alphabet-int"),
            pytest.param({"initial_alphabet": ("a", 1)}, r"^initial_alphabet holds single characters, got ", id="alphabet-not-str"),
        ],
    )
    def test_an_unknown_setting_is_a_value_error_naming_it(self, settings, message):
        with pytest.raises(ValueError, match=message):
            train_tokenizer(["A few words here."], show_progress=False, **settings)

    def test_numpy_numbers_and_flags_are_taken_as_python_ones(self):
        """A sweep's or a config's values are often numpy's: f8fb8ea's checks refused np.int64(60) as
        "not a whole number" where bcc6649 took it."""
        import numpy as np

        settings = dict(model="wordlevel", min_frequency=np.int32(1), show_progress=np.False_)
        tokenizer = train_tokenizer(["A few words here.", "And a few more words."], vocab_size=np.int64(400), **settings)
        assert {"few", "words"} <= set(tokenizer.get_vocab())
        config = TrainingConfig(vocab_size=np.int64(400), batch_size=np.int16(10), show_progress=np.True_)
        assert (type(config.vocab_size), type(config.batch_size), type(config.show_progress)) == (int, int, bool)
        loaded = load_tokenizer(max_length=np.int64(16), padding=np.True_, pad_to_multiple_of=np.int8(8))
        assert loaded.truncation["max_length"] == 16 and loaded.padding["pad_to_multiple_of"] == 8

    def test_a_pandas_series_of_texts_trains_on_its_texts(self):
        """It was refused as "a dict of splits (0, 1)", naming every index."""
        texts = ["A few words here.", "And a few more words."]
        settings = dict(model="wordlevel", vocab_size=400, min_frequency=1, show_progress=False)
        assert (set(train_tokenizer(pd.Series(texts), **settings).get_vocab())
                == set(train_tokenizer(texts, **settings).get_vocab()) >= {"few", "words", "."})

    @pytest.mark.parametrize("texts", [["A few words here.", "And a few more."], iter(["A few words.", "More."])],
                             ids=["list", "generator"])
    def test_a_frequency_cut_that_keeps_nothing_says_so_not_no_text(self, texts):
        with pytest.raises(ValueError, match=r"^training kept no token: none is as frequent as min_frequency=1000000 in 2 texts "
                                             r"\(vocabulary of 5 tokens\); give a lower min_frequency$"):
            train_tokenizer(texts, model="wordlevel", min_frequency=1000000, show_progress=False)
        with pytest.raises(ValueError, match="no text to learn from"):
            train_tokenizer(["", "  "], model="wordlevel", min_frequency=1000000, show_progress=False)

    def test_a_unigram_vocab_size_below_the_alphabet_is_a_vocab_size_error(self, seed_pair):
        raw, _ = seed_pair
        with pytest.raises(VocabSizeError, match=r"^vocab_size 20 is too small for a unigram model of this corpus") as error:
            train_tokenizer(raw, model="unigram", vocab_size=20, show_progress=False)
        assert (error.value.value, isinstance(error.value, ValueError)) == (20, True)

    def test_a_missing_column_is_named(self):
        datasets = pytest.importorskip("datasets")
        dataset = datasets.Dataset.from_dict({"text": ["a b"]})
        with pytest.raises(ValueError, match=r"no column 'raw'.*\['text'\]"):
            train_tokenizer(dataset, show_progress=False)

    @pytest.mark.parametrize(
        ("settings", "message"),
        [
            pytest.param({"model": "sentencepiece"}, "unknown tokenizer model 'sentencepiece'", id="model"),
            pytest.param({"vocab_size": 5}, "vocab_size must leave room", id="vocab-size"),
            # beyond these, tokenizers aborts the process (allocation failure) or raises OverflowError
            pytest.param({"vocab_size": 10**9}, r"vocab_size must be 2097152 or less, got 1000000000", id="vocab-size-huge"),
            pytest.param({"vocab_size": 1 << 64}, r"vocab_size must be 2097152 or less", id="vocab-size-beyond-64-bits"),
            pytest.param({"min_frequency": -1}, "min_frequency", id="min-frequency"),
            pytest.param({"min_frequency": 1 << 64}, r"min_frequency must be from 0 to 18446744073709551615",
                         id="min-frequency-beyond-64-bits"),
            pytest.param({"batch_size": 0}, "batch_size", id="batch-size"),
        ],
    )
    def test_bad_settings_are_refused(self, settings, message):
        with pytest.raises(ValueError, match=message):
            TrainingConfig(**settings)


class TestFolder:
    def test_writes_the_tokenizer_files_and_the_stamp(self, trained_folder):
        assert sorted(path.name for path in trained_folder.iterdir()) == sorted(TOKENIZER_FILES)
        stamp = newspairs.Stamp.from_json((trained_folder / STAMP_FILENAME).read_text(encoding="utf-8"))
        assert stamp == normalization_stamp()
        config = json.loads((trained_folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        assert [config[f"{role}_token"] for role in ("pad", "unk", "cls", "sep", "mask")] == list(SPECIAL_TOKENS)
        # written under temporary names and renamed: still the permissions a new file gets
        (trained_folder.parent / "new-file").touch()
        modes = {(path.stat().st_mode & 0o777) for path in [*trained_folder.iterdir(), trained_folder.parent / "new-file"]}
        assert len(modes) == 1, modes

    def test_a_file_saved_again_keeps_its_permissions(self, tmp_path, trained_folder):
        # the review of 716b6fb: renamed into place, a 0644 tokenizer.json saved again under umask 077 became 0600
        folder = tmp_path / "tok"
        shutil.copytree(trained_folder, folder)
        (folder / "tokenizer.json").chmod(0o604)
        before = os.umask(0o077)
        try:
            save_tokenizer_folder(load_tokenizer(folder), folder)
        finally:
            os.umask(before)
        assert (folder / "tokenizer.json").stat().st_mode & 0o777 == 0o604

    def test_padding_pads_with_pad_to_the_longest(self, trained_folder):
        tokenizer = load_tokenizer(trained_folder, padding=True)
        encodings = tokenizer.encode_batch(["Short.", "A much longer line of news text here."])
        assert len(encodings[0].ids) == len(encodings[1].ids)
        assert encodings[0].ids[-1] == 0 and encodings[0].attention_mask[-1] == 0

    def test_padding_to_a_multiple(self, trained_folder):
        tokenizer = load_tokenizer(trained_folder, padding=True, pad_to_multiple_of=8)
        assert len(tokenizer.encode_batch(["Short."])[0].ids) == 8

    def test_max_length_truncates(self, trained_folder):
        tokenizer = load_tokenizer(trained_folder, max_length=4)
        encoding = tokenizer.encode("A much longer line of news text here.")
        assert len(encoding.ids) == 4 and encoding.tokens[-1] == "[SEP]"

    @pytest.mark.parametrize("padding", ["max_length", "do_not_pad", "longest", 1])
    def test_padding_is_true_or_false_only(self, trained_folder, padding):
        """A string was taken as True: "max_length" padded to the longest row, "do_not_pad" padded."""
        with pytest.raises(ValueError, match=f"padding must be True or False, got {padding!r}"):
            load_tokenizer(trained_folder, padding=padding, max_length=8)

    @pytest.mark.parametrize("text", ["{", "", "[1, 2]"], ids=["cut-short", "empty", "not-an-object"])
    def test_a_file_tokenizers_cannot_read_is_a_value_error_naming_it(self, trained_folder, tmp_path, text):
        """It was a bare Exception naming no file (the CLI's own check wrapped it, the API did not)."""
        folder = tmp_path / "broken"
        folder.mkdir()
        for source in trained_folder.iterdir():
            (folder / source.name).write_bytes(source.read_bytes())
        (folder / "tokenizer.json").write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match=rf"^{re.escape(str(folder))}: not a tokenizers tokenizer\.json \(.+\)$"):
            load_tokenizer(folder)

    def test_a_padding_or_truncation_saved_in_the_file_is_not_kept(self, tmp_path):
        """As AutoTokenizer of the same folder has it: transformers' save_pretrained after a call that
        padded and truncated writes them into tokenizer.json, and every encoding was cut unasked."""
        from transformers import AutoTokenizer

        save_tokenizer_folder(load_tokenizer(padding=True, max_length=8), tmp_path / "tok")
        line = "The harbour reopened on Monday after a week of storms."
        again = load_tokenizer(tmp_path / "tok")
        assert again.padding is None and again.truncation is None
        assert len(again.encode(line).ids) == len(AutoTokenizer.from_pretrained(str(tmp_path / "tok"))(line)["input_ids"]) > 8
        asked = load_tokenizer(tmp_path / "tok", max_length=12)
        assert asked.truncation["max_length"] == 12 and asked.padding is None

    def test_no_padding_by_default(self, trained_folder):
        encodings = load_tokenizer(trained_folder).encode_batch(["Short.", "A much longer line."])
        assert len(encodings[0].ids) < len(encodings[1].ids)

    @pytest.mark.parametrize(
        ("settings", "message"),
        [
            pytest.param({"pad_to_multiple_of": 8}, "needs padding=True", id="multiple-without-padding"),
            pytest.param({"max_length": 0}, r"^max_length must be a whole number from 1 to 2147483647, or None, got 0$", id="max-length"),
            pytest.param({"max_length": 128.0}, r"^max_length must be a whole number .* got 128\.0$", id="max-length-float"),
            pytest.param({"max_length": "128"}, r"^max_length must be a whole number .* got '128'$", id="max-length-str"),
            pytest.param({"max_length": 2**64}, r"^max_length must be a whole number .* got 18446744073709551616$", id="max-length-huge"),
            pytest.param({"padding": True, "pad_to_multiple_of": 8.0}, r"^pad_to_multiple_of must be a whole number .* got 8\.0$",
                         id="multiple-float"),
            pytest.param({"padding": True, "pad_to_multiple_of": 0}, r"^pad_to_multiple_of must be a whole number .* got 0$",
                         id="multiple-zero"),
        ],
    )
    def test_bad_load_settings_are_refused(self, trained_folder, settings, message):
        with pytest.raises(ValueError, match=message):
            load_tokenizer(trained_folder, **settings)

    def test_a_missing_file_is_named(self, tmp_path):
        with pytest.raises(ValueError, match="no tokenizer file"):
            load_tokenizer(tmp_path / "nowhere")

    @pytest.mark.parametrize("name", TOKENIZER_FILES, ids=str)
    def test_a_folder_in_place_of_a_file_is_refused_before_any_is_written(self, trained, tmp_path, name):
        (tmp_path / "tok" / name).mkdir(parents=True)
        with pytest.raises(ValueError, match=f"^{tmp_path / 'tok' / name}: exists and is not a file"):
            save_tokenizer_folder(trained["wordlevel"], tmp_path / "tok")
        assert [path.name for path in (tmp_path / "tok").iterdir()] == [name]  # no half-written folder


def _limit_file_size(limit: int):
    """A subprocess's preexec_fn: a write past ``limit`` bytes fails with EFBIG, as a write to a full
    disk fails with ENOSPC (the kernel's SIGXFSZ, which would kill the process, ignored)."""
    import resource
    import signal

    def limit_it() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_it


def _contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


# (what runs in a process whose files cannot grow past 64 kB, over an earlier tokenizer folder {out}
# or an earlier tokenizer.json {out}/tokenizer.json; the one line it ends with)
FAILING_SAVES = [
    pytest.param([sys.executable, "-c", "import sys, newspairs.train as t; t.save_tokenizer_folder(t.load_tokenizer(), sys.argv[1])", "{out}"],
                 "OSError: [Errno 27] cannot be written (File too large); no file was replaced: '{out}/tokenizer.json'", id="save_tokenizer_folder"),
    pytest.param([sys.executable, "-c", "import sys, newspairs.train as t, newspairs.tokenizer as k; "
                  "k.save_tokenizer(t.load_tokenizer(), sys.argv[1] + '/tokenizer.json')", "{out}"],
                 "OSError: [Errno 27] cannot be written (File too large); no file was replaced: '{out}/tokenizer.json'", id="save_tokenizer"),
    pytest.param([sys.executable, "-m", "newspairs", "train-tokenizer", "{source}", "--split", "all", "--vocab-size", "100", "--out", "{out}",
                  "--quiet"], "newspairs: error: {out}/tokenizer.json: cannot be written (File too large); no file was replaced",
                 id="train-tokenizer"),
]


@pytest.mark.skipif(sys.platform == "win32", reason="no RLIMIT_FSIZE")
@pytest.mark.parametrize(("argv", "last_line"), FAILING_SAVES)
def test_a_save_that_fails_midway_replaces_no_file(argv, last_line, trained, tmp_path):
    """Writing on a full disk, tokenizers' save left a truncated tokenizer.json beside the earlier
    stamp (a folder check_tokenizer_out accepts, that does not load) and raised a bare Exception:
    train-tokenizer ended with a traceback after the whole training."""
    out, source = tmp_path / "tok", tmp_path / "a.jsonl"
    source.write_text('{"raw": "The harbour reopened on Monday."}\n{"raw": "Ferries sail at 6 a.m."}\n', encoding="utf-8")
    save_tokenizer_folder(trained["wordlevel"], out)
    before = _contents(out)
    assert len(before["tokenizer.json"]) > 65536  # what the limit stops
    done = subprocess.run([arg.format(out=out, source=source) for arg in argv], capture_output=True, text=True, timeout=300,
                          preexec_fn=_limit_file_size(65536))
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].endswith(last_line.format(out=out)), done.stderr
    if "newspairs" in argv:
        assert len(done.stderr.splitlines()) == 1, done.stderr
    assert _contents(out) == before  # no file replaced, none cut short, no temporary file left


@pytest.fixture
def read_only_folder(tmp_path):
    """An empty folder that this user cannot write in (root can: then the test is skipped)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").touch()
    except PermissionError:
        yield folder
    else:
        (folder / "probe").unlink()
        pytest.skip("this user writes into a read-only folder (root)")
    finally:
        folder.chmod(0o755)


class TestAReadOnlyFolder:
    """`train-tokenizer --out` a folder it cannot write: one line before the training, where it was a
    traceback after it (tokenizers' save raised a bare Exception); the API names the file."""

    def test_check_tokenizer_out_refuses_it(self, read_only_folder):
        with pytest.raises(ValueError, match=rf"^{re.escape(str(read_only_folder))}: no file can be written in the folder "
                                             r"\(Permission denied\); choose another$"):
            check_tokenizer_out(read_only_folder)
        assert list(read_only_folder.iterdir()) == []

    def test_train_tokenizer_refuses_it_before_training(self, read_only_folder, monkeypatch, capsys):
        import newspairs.train
        from newspairs.cli import main

        def trained(*args, **kwargs):
            raise AssertionError("trained before --out was checked")

        monkeypatch.setattr(newspairs.train, "train_on_source", trained)
        assert main(["train-tokenizer", "--out", str(read_only_folder), "--quiet"]) == 1
        captured = capsys.readouterr()
        assert captured.err == (f"newspairs: error: --out {read_only_folder}: no file can be written in the folder "
                                "(Permission denied); choose another\n")

    def test_save_tokenizer_folder_names_the_file(self, read_only_folder, trained):
        with pytest.raises(PermissionError) as error:
            save_tokenizer_folder(trained["wordlevel"], read_only_folder)
        assert (error.value.filename, error.value.strerror) == (
            str(read_only_folder / "tokenizer.json"), "cannot be written (Permission denied); no file was replaced")
        assert list(read_only_folder.iterdir()) == []


def _folder_holding(tmp: Path, *names: str) -> Path:
    folder = tmp / "out"
    folder.mkdir()
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("{}", encoding="utf-8")
    return folder


class TestWhereTheCommandWrites:
    """Class: `check_tokenizer_out` (train-tokenizer --out) lets a tokenizer be written only into an
    absent or empty folder or one an earlier train-tokenizer wrote; `save_tokenizer_folder` itself
    writes into any folder, as save_pretrained does (the repository build writes it into an export)."""

    @pytest.mark.parametrize(
        ("names", "refused"),
        [
            pytest.param(None, None, id="absent"),
            pytest.param((), None, id="empty"),
            pytest.param(("tokenizer.json", STAMP_FILENAME), None, id="an-earlier-tokenizer-folder"),
            pytest.param(("tokenizer.json", STAMP_FILENAME, "README.md", "config.json"), None, id="an-earlier-one-beside-the-users-files"),
            pytest.param(("raw/a.txt", "normalized/a.txt"), "not empty and was not written by newspairs train-tokenizer", id="a-source"),
            pytest.param((".git/HEAD",), "not empty and was not written by newspairs train-tokenizer", id="only-hidden-files"),
            pytest.param((TOKENIZER_CONFIG_FILENAME, "notes.txt"), "it holds tokenizer_config.json, which would be replaced",
                         id="the-users-tokenizer-config"),
            pytest.param(("tokenizer.json",), "it holds tokenizer.json, which would be replaced", id="a-tokenizer-without-stamp"),
            pytest.param((STAMP_FILENAME, "README.md", "newspairs_export.json"), "a newspairs export or Hub repository",
                         id="an-export"),
            pytest.param((*TOKENIZER_FILES, "README.md", "newspairs_export.json"), "a newspairs export or Hub repository",
                         id="a-dry-run-repository"),
        ],
    )
    def test_only_an_empty_folder_or_an_earlier_tokenizer_folder(self, tmp_path, names, refused):
        folder = tmp_path / "out" if names is None else _folder_holding(tmp_path, *names)
        if refused is None:
            check_tokenizer_out(folder)
        else:
            with pytest.raises(ValueError, match=f"^{re.escape(str(folder))}: .*{re.escape(refused)}"):
                check_tokenizer_out(folder)

    def test_save_tokenizer_folder_writes_into_any_folder_leaving_the_other_files(self, tmp_path):
        folder = _folder_holding(tmp_path, "config.json", "model.safetensors")
        written = save_tokenizer_folder(load_tokenizer(), folder)
        assert [path.name for path in written] == list(TOKENIZER_FILES)
        assert (folder / "config.json").read_text() == "{}" and (folder / "model.safetensors").read_text() == "{}"


def _edited_copy(folder: Path, to: Path, edit: str) -> Path:
    """A copy of a trained tokenizer folder whose tokenizer.json was edited (its stamp kept)."""
    import shutil

    shutil.copytree(folder, to)
    data = json.loads((to / "tokenizer.json").read_text(encoding="utf-8"))
    passes = data["normalizer"]["normalizers"]
    if edit == "no-lowercase":
        data["normalizer"]["normalizers"] = [step for step in passes if step["type"] != "Lowercase"]
    elif edit == "no-contractions":  # the three scans of the contraction rules
        data["normalizer"]["normalizers"] = [step for step in passes
                                             if not step.get("pattern", {}).get("Regex", "").startswith("(?=[\\x{")]
        assert len(data["normalizer"]["normalizers"]) < len(passes)
    elif edit == "no-pre-tokenizer-split":
        data["pre_tokenizer"]["pattern"] = {"String": " "}
    elif edit == "replace-reuters-first":  # changes 282 of 3,000 lines of news, and no probe
        passes.insert(0, {"type": "Replace", "pattern": {"String": "(Reuters)"}, "content": ""})
    else:  # a step appended to the normalizer
        added = {"NFKC": [{"type": "NFKC"}], "NFD": [{"type": "NFD"}],
                 "NFD-StripAccents": [{"type": "NFD"}, {"type": "StripAccents"}],
                 "replace-a-digit": [{"type": "Replace", "pattern": {"String": "0"}, "content": "o"}],
                 "replace-e-acute": [{"type": "Replace", "pattern": {"String": "é"}, "content": "e"}]}[edit]
        passes.extend(added)
    (to / "tokenizer.json").write_text(json.dumps(data), encoding="utf-8")
    return to


@pytest.mark.parametrize("length", [0, 1 << 63, 2.5, True, "512"])
def test_a_model_max_length_transformers_cannot_use_is_refused_before_anything_is_written(tmp_path, length):
    with pytest.raises(ValueError, match=r"^model_max_length must be a whole number from 1 to 9223372036854775807, got "):
        save_tokenizer_folder(load_tokenizer(), tmp_path / "tok", model_max_length=length)
    assert not (tmp_path / "tok").exists()


def test_an_empty_tokenizer_folder_is_refused_not_taken_for_the_current_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=r'^the tokenizer folder is empty: name a folder \("\." for the current one\)$'):
        save_tokenizer_folder(load_tokenizer(), "")
    assert not list(tmp_path.iterdir())


class TestStampCheck:
    def test_matching_stamps_are_silent(self, trained_folder):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            load_tokenizer(trained_folder, dataset=normalization_stamp())

    def test_a_dataset_folder_with_another_rule_table_warns(self, trained_folder, tmp_path):
        other = replace(normalization_stamp(), rules="0000000000000000")
        (tmp_path / STAMP_FILENAME).write_text(other.to_json(), encoding="utf-8")
        with pytest.warns(StampMismatchWarning, match=r"rules: tokenizer '[0-9a-f]+', dataset '0000000000000000'"):
            load_tokenizer(trained_folder, dataset=tmp_path)

    def test_a_tokenizer_without_stamp_warns(self, trained_folder, tmp_path):
        (tmp_path / "tokenizer.json").write_bytes((trained_folder / "tokenizer.json").read_bytes())
        with pytest.warns(StampMismatchWarning, match="carries no normalization stamp"):
            load_tokenizer(tmp_path, dataset=normalization_stamp())

    def test_a_dataset_object_carrying_a_stamp(self, trained_folder):
        class Carrier:
            stamp = replace(normalization_stamp(), normalization="other")

        with pytest.warns(StampMismatchWarning, match="normalization: tokenizer 'treebank-lower', dataset 'other'"):
            load_tokenizer(trained_folder, dataset=Carrier())

    @pytest.mark.parametrize("edit", ["no-lowercase", "no-contractions", "no-pre-tokenizer-split", "NFKC", "NFD",
                                      "NFD-StripAccents", "replace-a-digit", "replace-e-acute", "replace-reuters-first"])
    def test_a_tokenizer_json_edited_after_it_was_stamped_warns_with_or_without_a_dataset(self, trained_folder, tmp_path, edit):
        edited = _edited_copy(trained_folder, tmp_path / "tok", edit)
        for dataset in (None, normalization_stamp()):
            with pytest.warns(StampMismatchWarning, match=r"its stamp names the rule table [0-9a-f]{16}, but .*"
                                                          r"tokenizer\.json was changed after it was stamped"):
                load_tokenizer(edited, dataset=dataset)

    def test_an_edit_no_probe_shows_is_caught_where_this_and_earlier_compilations_pass(self, trained, trained_folder, tmp_path):
        """The probes alone passed a Replace("(Reuters)", "") put first: the stamp check now compares the
        components exactly (`normalizes_like_this_installation`) before it looks for a probe to name."""
        import gzip

        stamp = normalization_stamp()
        edited = load_tokenizer_file(_edited_copy(trained_folder, tmp_path / "tok", "replace-reuters-first"))
        assert _recipe(edited, "WASHINGTON (Reuters) - Oil fell.") == "washington - oil fell ."
        assert stamp_mismatch(edited, stamp) == (
            f"its stamp names the rule table {stamp.rules}, but its normalizer or pre-tokenizer is not that table's as newspairs "
            "compiles it (the probes pass, other text may normalize otherwise): tokenizer.json was changed after it was stamped")
        # an earlier compilation of the same normalization (newspairs.stamp.EARLIER_NORMALIZERS), this one, the shipped one
        document = json.loads(trained["bpe"].to_str())
        document["normalizer"] = json.loads(gzip.decompress((FIXTURES / "normalizer_357c17e89128e83f.json.gz").read_bytes()))
        earlier = Tokenizer.from_str(json.dumps(document))
        for tokenizer in (earlier, *trained.values(), load_tokenizer_file(trained_folder), load_tokenizer_file(DEFAULT_TOKENIZER_DIR)):
            assert stamp_mismatch(tokenizer, stamp) is None
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            load_tokenizer(DEFAULT_TOKENIZER_DIR, dataset=stamp)

    def test_the_stamp_of_another_rule_table_is_not_checked_against_the_tokenizer(self, trained_folder, tmp_path):
        edited = _edited_copy(trained_folder, tmp_path / "tok", "no-lowercase")
        other = replace(normalization_stamp(), rules="0" * 16)
        (edited / STAMP_FILENAME).write_text(other.to_json(), encoding="utf-8")
        assert stamp_mismatch(load_tokenizer_file(edited), other) is None
        assert stamp_mismatch(load_tokenizer_file(trained_folder), normalization_stamp()) is None

    @pytest.mark.parametrize(("text", "message"), [
        pytest.param('{"rules": "x"}', r"the stamp \{'rules': 'x'\} lacks the field 'normalization'", id="a-field-missing"),
        pytest.param("{}", r"the stamp \{\} lacks the field 'normalization'", id="empty-object"),
        pytest.param("[1]", r"a stamp must be a JSON object, got \[1\]", id="not-an-object"),
        pytest.param("{rules", r"not a JSON stamp", id="not-json"),
        pytest.param(b"\xff\xfe{}", r"not a JSON stamp \(not UTF-8: invalid start byte at byte 0\)", id="not-utf8"),
    ])
    def test_a_malformed_stamp_is_named_by_its_file(self, trained_folder, tmp_path, text, message):
        """A stamp missing a field was named by its content only, not by the file that holds it."""
        (tmp_path / "tokenizer.json").write_bytes((trained_folder / "tokenizer.json").read_bytes())
        if isinstance(text, bytes):
            (tmp_path / STAMP_FILENAME).write_bytes(text)
        else:
            (tmp_path / STAMP_FILENAME).write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match=re.escape(str(tmp_path / STAMP_FILENAME)) + ": " + message):
            load_tokenizer(tmp_path)

    def test_check_stamps_returns_whether_they_agree(self):
        stamp = normalization_stamp()
        assert check_stamps(stamp, stamp, tokenizer_where="t", dataset_where="d") is True
        with pytest.warns(StampMismatchWarning):
            assert check_stamps(stamp, replace(stamp, rules="x"), tokenizer_where="t", dataset_where="d") is False


class TestTransformers:
    @pytest.fixture(scope="class")
    @classmethod
    def transformers(cls):
        return pytest.importorskip("transformers")

    def test_auto_tokenizer_loads_the_folder_with_special_tokens(self, transformers, trained_folder, seed_pair):
        raw, normalized = seed_pair
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(trained_folder))
        assert [tokenizer.pad_token, tokenizer.unk_token, tokenizer.cls_token, tokenizer.sep_token, tokenizer.mask_token] == list(SPECIAL_TOKENS)
        assert tokenizer.pad_token_id == 0
        assert tokenizer.decode(tokenizer(raw[0])["input_ids"], skip_special_tokens=True) == normalized[0]

    def test_text_that_spells_a_special_token_is_text(self, transformers, trained_folder):
        # split_special_tokens in tokenizer_config.json: the ids of the normalized side, "[ sep ]"
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(trained_folder))
        text = "Oil [SEP] fell [PAD]."
        ids = tokenizer(text)["input_ids"]
        assert ids == newspairs.load_tokenizer(trained_folder).encode(text).ids
        assert ids.count(tokenizer.sep_token_id) == 1 and tokenizer.pad_token_id not in ids

    def test_padding_and_truncation_work(self, transformers, trained_folder, seed_pair):
        raw, _ = seed_pair
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(trained_folder))
        batch = tokenizer(raw[:4], padding=True, truncation=True, max_length=12)
        assert {len(ids) for ids in batch["input_ids"]} == {12}
        short = tokenizer(["Oil fell.", raw[0]], padding="longest")
        assert short["input_ids"][0][-1] == 0 and short["attention_mask"][0][-1] == 0

    def test_pretrained_tokenizer_fast_from_the_file(self, transformers, trained_folder, seed_pair):
        raw, _ = seed_pair
        tokenizer = transformers.PreTrainedTokenizerFast(
            tokenizer_file=str(trained_folder / "tokenizer.json"), **json.loads((trained_folder / "special_tokens_map.json").read_text())
        )
        assert tokenizer(raw[0])["input_ids"] == Tokenizer.from_file(str(trained_folder / "tokenizer.json")).encode(raw[0]).ids


class TestShippedDefault:
    """The default tokenizer in newspairs/data/tokenizer/ is current: rebuild it with
    ``python scripts/build_default_tokenizer.py`` when one of these fails."""

    def test_loads_offline_with_the_special_tokens(self):
        tokenizer = load_tokenizer()
        assert [tokenizer.token_to_id(token) for token in SPECIAL_TOKENS] == list(range(len(SPECIAL_TOKENS)))
        assert type(tokenizer.model).__name__ == "WordPiece"

    def test_normalization_is_the_current_rule_table(self):
        shipped = json.loads(load_tokenizer().to_str())
        built = json.loads(newspairs.build_tokenizer().to_str())
        assert (shipped["normalizer"], shipped["pre_tokenizer"]) == (built["normalizer"], built["pre_tokenizer"]), STALE

    def test_stamp_is_the_current_rule_table(self):
        stamp = newspairs.Stamp.from_json((DEFAULT_TOKENIZER_DIR / STAMP_FILENAME).read_text(encoding="utf-8"))
        assert (stamp.normalization, stamp.rules) == (normalization_stamp().normalization, rules_hash()), STALE

    def test_trained_on_the_current_default_data_and_settings(self):
        record = json.loads((DEFAULT_TOKENIZER_DIR / TRAINING_RECORD_FILENAME).read_text(encoding="utf-8"))
        assert record == training_record(DEFAULT_TRAINING, raw_texts_of(None)), STALE

    def test_a_rebuild_differs_at_most_in_learned_pieces(self, tmp_path):
        # the trainer's tie-breaking varies between runs on a corpus this small: compare the rest
        build_default_tokenizer(tmp_path)
        for name in (TOKENIZER_CONFIG_FILENAME, SPECIAL_TOKENS_MAP_FILENAME, TRAINING_RECORD_FILENAME):
            assert (tmp_path / name).read_text(encoding="utf-8") == (DEFAULT_TOKENIZER_DIR / name).read_text(encoding="utf-8"), STALE
        # the stamp's library versions may differ where the tests run; its normalization may not
        rebuilt_stamp, shipped_stamp = (read_stamp(folder) for folder in (tmp_path, DEFAULT_TOKENIZER_DIR))
        assert (rebuilt_stamp.normalization, rebuilt_stamp.rules) == (shipped_stamp.normalization, shipped_stamp.rules), STALE
        rebuilt, shipped = (json.loads((folder / "tokenizer.json").read_text(encoding="utf-8")) for folder in (tmp_path, DEFAULT_TOKENIZER_DIR))
        for part in (rebuilt, shipped):
            part["model"].pop("vocab")
        assert rebuilt == shipped, STALE

    def test_a_rebuild_stamps_the_package_version_also_from_an_uninstalled_checkout(self, tmp_path, monkeypatch):
        # not installed, the installation's stamp says "absent"; --normalizer-only writes the version too
        import newspairs.train

        monkeypatch.setattr(newspairs.train, "normalization_stamp", lambda: replace(normalization_stamp(), newspairs="absent"))
        build_default_tokenizer(tmp_path)
        assert read_stamp(tmp_path).newspairs == newspairs.__version__

    def test_encodes_the_default_data_without_unknowns_and_decodes_its_normalized_side(self):
        tokenizer = load_tokenizer()
        raw_lines = [line for text in raw_texts_of(None) for line in text.split("\n")]
        encodings = tokenizer.encode_batch(raw_lines)
        assert not any(UNK_ID in encoding.ids for encoding in encodings)
        assert [tokenizer.decode(encoding.ids) for encoding in encodings] == list(newspairs.normalize_lines(raw_lines))

    def test_any_ascii_word_encodes_without_unknowns(self):
        tokenizer = load_tokenizer()
        line = "".join(map(chr, range(0x21, 0x7F))) + " Zygote qi 1987 x-ray"
        assert UNK_ID not in tokenizer.encode(line).ids


class TestDefaultDataScript:
    """scripts/make_default_data.py: it writes the package's data, so only on purpose."""

    @pytest.fixture()
    def script(self, tmp_path, monkeypatch):
        from test_scripts import load_script

        module = load_script("make_default_data")
        monkeypatch.setattr(module, "DEFAULT_DATA", tmp_path / "data")  # the package's data stays out of reach
        monkeypatch.setattr(module, "SHARED_SEED", tmp_path / "shared" / "seed")  # as in a clone without ../shared
        return module

    def test_help_prints_and_writes_nothing(self, script, tmp_path, capsys):
        with pytest.raises(SystemExit) as exit_:
            script.main(["--help"])
        assert exit_.value.code == 0 and capsys.readouterr().out.startswith("usage: ")
        assert not (tmp_path / "data").exists()

    def test_a_missing_seed_is_a_one_line_error_and_writes_nothing(self, script, tmp_path, capsys):
        with pytest.raises(SystemExit) as exit_:
            script.main([])
        err = capsys.readouterr().err
        assert exit_.value.code == 2 and "Traceback" not in err
        assert err.splitlines()[-1].endswith(f"error: no seed pair in {tmp_path / 'shared' / 'seed'} "
                                             "(one 000_*.txt raw and one 001_*.txt normalized file): give its folder with --seed")
        assert not (tmp_path / "data").exists()

    def test_writes_the_embedded_data_as_shipped(self, script, tmp_path, capsys):
        from newspairs.sources import DEFAULT_DATA

        script.main(["--seed", str(FIXTURES / "seed"), "--out", str(tmp_path / "out")])
        written = sorted(path.relative_to(tmp_path / "out") for path in (tmp_path / "out").rglob("*.txt"))
        assert written == sorted(path.relative_to(DEFAULT_DATA) for path in DEFAULT_DATA.rglob("*.txt"))
        assert all((tmp_path / "out" / name).read_bytes() == (DEFAULT_DATA / name).read_bytes() for name in written)
        assert not (tmp_path / "data").exists()


class TestCommand:
    def test_train_tokenizer_writes_a_folder_transformers_can_load(self, tmp_path, capsys):
        from newspairs.cli import main

        source = Path(newspairs.__file__).parent / "data" / "default"
        code = main(["train-tokenizer", str(source), "--model", "bpe", "--vocab-size", "700", "--split", "all",
                     "--out", str(tmp_path / "tok"), "--quiet", "--model-max-length", "128"])
        assert code == 0
        assert "BPE model" in capsys.readouterr().out
        assert sorted(path.name for path in (tmp_path / "tok").iterdir()) == sorted(TOKENIZER_FILES)
        config = json.loads((tmp_path / "tok" / "tokenizer_config.json").read_text(encoding="utf-8"))
        assert config["model_max_length"] == 128
        tokenizer = load_tokenizer(tmp_path / "tok")
        lines = "\n".join(raw_texts_of(None)).split("\n")
        assert [tokenizer.decode(encoding.ids) for encoding in tokenizer.encode_batch(lines)] == list(newspairs.normalize_lines(lines))

    def test_an_unknown_split_is_named(self, tmp_path, capsys):
        from newspairs.cli import main

        with pytest.raises(SystemExit) as exit_info:
            main(["train-tokenizer", "--split", "dev", "--out", str(tmp_path), "--quiet"])
        assert exit_info.value.code == 2
        assert "argument --split: invalid choice: 'dev'" in capsys.readouterr().err

    def test_a_split_the_source_lacks_is_named(self, tmp_path, capsys):
        from newspairs.cli import main

        source = tmp_path / "one.jsonl"
        source.write_text('{"raw": "A single article."}\n', encoding="utf-8")
        assert main(["train-tokenizer", str(source), "--split", "test", "--out", str(tmp_path / "tok"), "--quiet"]) == 1
        assert "no 'test' split" in capsys.readouterr().err


EMPTY_SOURCES = {  # file name -> content: no article to train on
    "blank.txt": "\n\n\n",
    "empty.jsonl": "",
}


def _empty_source(tmp_path, name):
    path = tmp_path / name
    path.write_text(EMPTY_SOURCES[name], encoding="utf-8")
    return path


# (argv from tmp_path, what the one line on stderr holds): mistakes seen only once the source is built
TRAINING_MISTAKES = [
    pytest.param(lambda t: ["train-tokenizer", _empty_source(t, "blank.txt"), "--out", t / "tok"],
                 "{t}/blank.txt: no article to train on (1 read, 1 rejected; the first: {t}/blank.txt, article blank.txt, line 1: empty article",
                 id="blank-lines-only-txt"),
    pytest.param(lambda t: ["train-tokenizer", _empty_source(t, "blank.txt"), "--out", t / "tok", "--split", "all"],
                 "{t}/blank.txt: no article to train on (1 read, 1 rejected; the first:", id="blank-lines-only-txt-split-all"),
    pytest.param(lambda t: ["train-tokenizer", _empty_source(t, "empty.jsonl"), "--out", t / "tok"],
                 "{t}/empty.jsonl: no article to train on (0 read, 0 rejected)", id="empty-jsonl"),
    pytest.param(lambda t: ["train-tokenizer", _empty_source(t, "empty.jsonl"), "--out", t / "tok", "--split", "all"],
                 "{t}/empty.jsonl: no article to train on (0 read, 0 rejected)", id="empty-jsonl-split-all"),
    pytest.param(lambda t: ["train-tokenizer", "--out", t / "tok", "--model", "unigram", "--vocab-size", "20", "--split", "all"],
                 "--vocab-size 20 is too small for a unigram model of this corpus", id="unigram-vocab-size-below-the-alphabet"),
    pytest.param(lambda t: ["publish", Path(newspairs.__file__).parent / "data" / "default", "--repo-id", "me/pairs",
                            "--license", "mit", "--model", "unigram", "--vocab-size", "20", "--dry-run", t / "repo"],
                 "--vocab-size 20 is too small for a unigram model of this corpus", id="publish-unigram-vocab-size-below-the-alphabet"),
]


@pytest.mark.parametrize(("argv", "names"), TRAINING_MISTAKES)
def test_a_training_mistake_is_one_line_and_writes_nothing(argv, names, tmp_path, capsys):
    from newspairs.cli import main

    code = main([str(arg) for arg in argv(tmp_path)] + ["--quiet"])
    captured = capsys.readouterr()
    assert code == 1
    # a build that left nothing lists its rejects, as a report would
    assert all(line.startswith("rejected (articles): ") for line in captured.out.splitlines()), captured.out
    assert captured.err.startswith("newspairs: error: ") and len(captured.err.splitlines()) == 1, captured.err
    assert names.format(t=tmp_path) in captured.err
    assert not (tmp_path / "tok").exists() and not (tmp_path / "repo").exists()


class TestBatches:
    @pytest.mark.parametrize(
        ("texts", "count"),
        [
            pytest.param(["a", "b", "c", "d", "e"], 5, id="list"),
            pytest.param(iter(["a", "b", "c"]), None, id="iterator"),
        ],
    )
    def test_batches_and_the_count_of_texts_for_the_progress_bar(self, texts, count):
        batches, length = text_batches(texts, batch_size=2)
        assert length == count
        assert [len(batch) for batch in batches] == ([2, 2, 1] if count else [2, 1])

    def test_a_dataset_counts_its_rows(self):
        datasets = pytest.importorskip("datasets")
        batches, length = text_batches(datasets.Dataset.from_dict({"raw": ["a"] * 7}), batch_size=3)
        assert length == 7 and [len(batch) for batch in batches] == [3, 3, 1]

    @pytest.mark.parametrize(
        ("make", "message"),
        [
            (lambda ds: ds.Dataset.from_dict({"raw": ["a b", None]}), r"column 'raw': row 1 is not text \(NoneType\): None"),
            (lambda ds: ds.Dataset.from_dict({"raw": ["a b", "c", "d", None]}), r"column 'raw': row 3 is not text \(NoneType\)"),
            (lambda ds: ["a b", "ok\ud800"], r"texts: text 1 is not UTF-8 text \(the lone surrogate '\\ud800' at character 2\)"),
            (lambda ds: ["a", "b", "c", "ok\ud800"], r"texts: text 3 is not UTF-8 text"),
            (lambda ds: ds.IterableDataset.from_generator(_surrogate_rows), r"column 'raw': row 1 is not UTF-8 text \(the lone surrogate"),
        ],
        ids=["dataset-null", "dataset-null-in-a-later-batch", "list-surrogate", "list-surrogate-in-a-later-batch", "stream-surrogate"],
    )
    def test_a_text_it_cannot_train_on_is_named(self, make, message):
        # a null of a Dataset was an AttributeError ('NoneType' object has no attribute 'isspace'), a lone
        # surrogate a bare UnicodeEncodeError from tokenizers naming no text
        datasets = pytest.importorskip("datasets")
        with pytest.raises(ValueError, match=f"^{message}"):
            train_tokenizer(make(datasets), model="bpe", vocab_size=50, batch_size=2, show_progress=False)


def _surrogate_rows():
    # a stream's rows are Python strings, never Arrow's: a lone surrogate can reach the trainer
    yield {"raw": "a b"}
    yield {"raw": "ok\ud800"}
