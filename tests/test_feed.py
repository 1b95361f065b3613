"""Tests of newspairs.feed: encoding raw text, packing blocks, PyTorch batches and workers."""

from __future__ import annotations

import copy
import functools
import gzip
import json
import os
import pickle
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import datasets
import pytest
from datasets.distributed import split_dataset_by_node
from hypothesis import given, settings
from hypothesis import strategies as st
from tokenizers import AddedToken, Tokenizer, models, normalizers, pre_tokenizers

import newspairs
import strategies
from newspairs import feed, pieces
from newspairs.train import PAD_TOKEN, SEP_TOKEN

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"

# Written for these tests: quotes, clitics, brackets, dashes, numbers, an empty line.
SENTENCES = [
    'He said, "I can\'t go there."',
    "The U.S. dollar rose 5% on Monday -- traders said it wouldn't last.",
    "Prices (in dollars) fell; 'It's over,' she said.",
    "Shares of <ACME> closed at $12.50, up 0.25.",
    "They'll meet again in Geneva on March 3rd... or not?",
    "",
    "GOLD PRICES RISE AS DOLLAR WEAKENS",
    'Analysts said: "The quarter\'s results\'\' were \'\'strong\'\'."',
]
ARTICLES = ["\n".join(SENTENCES[i : i + 3]) for i in range(0, len(SENTENCES), 3)]


def seed_pair() -> tuple[list[str], list[str]]:
    raw_file = next((SHARED / "seed").glob("000_*.txt"))
    normalized_file = next((SHARED / "seed").glob("001_*.txt"))
    return raw_file.read_text().split("\n"), normalized_file.read_text().split("\n")


@functools.lru_cache(maxsize=1)
def trained_tokenizer():
    """A small WordPiece tokenizer trained the way newspairs trains its default one."""
    texts = SENTENCES * 3
    if (SHARED / "seed").is_dir():
        texts += seed_pair()[0]
    return newspairs.train_tokenizer(texts, model="wordpiece", vocab_size=400, min_frequency=1, show_progress=False)


@functools.lru_cache(maxsize=1)
def shipped_tokenizer():
    return newspairs.load_tokenizer()


@pytest.fixture()
def tokenizer():
    return trained_tokenizer()


def ids_of_normalized_side(tokenizer, normalized_texts):
    return [e.ids for e in feed.skip_normalization(tokenizer).encode_batch(normalized_texts)]


def assert_ids_are_the_normalizations(tokenizer, texts, **options):
    """Encoder's ids == the tokenizer's own encode_batch == its model on the normalized text."""
    got = feed.Encoder(tokenizer, **options)({"raw": texts})["input_ids"]
    assert got == [e.ids for e in tokenizer.encode_batch(texts)]
    assert got == ids_of_normalized_side(tokenizer, newspairs.normalize_batch(texts, tokenizer))


# the Encoder's three paths: pieces and kept ids, tokenizers' encode_batch, and encode_batch with offsets
PATHS = [{}, {"skip_passes": False}, {"offsets": True}]
PATH_IDS = ["skipping", "in-encode-batch", "offsets"]


class TestEncoder:
    @pytest.mark.skipif(not (SHARED / "seed").is_dir(), reason="needs ../shared/seed")
    @pytest.mark.parametrize("skip_passes", [True, False], ids=["skipping", "in-encode-batch"])
    @pytest.mark.parametrize("which", ["trained-here", "shipped"])
    def test_raw_ids_equal_the_stored_normalized_sides_ids(self, which, skip_passes):
        tokenizer = trained_tokenizer() if which == "trained-here" else shipped_tokenizer()
        raw, normalized = seed_pair()
        got = feed.Encoder(tokenizer, skip_passes=skip_passes)({"raw": raw})["input_ids"]
        assert got == ids_of_normalized_side(tokenizer, normalized)
        assert all(row[0] == tokenizer.token_to_id("[CLS]") and row[-1] == tokenizer.token_to_id(SEP_TOKEN) for row in got)

    def test_a_tokenizer_trained_now_takes_the_skipping_path(self, tokenizer):
        assert feed.normalizes_like_this_installation(tokenizer)
        assert feed.Encoder(tokenizer)._skipping and feed.Encoder(tokenizer)._word_ids is not None
        assert not feed.Encoder(tokenizer, offsets=True)._skipping

    def test_a_tokenizer_trained_with_an_earlier_compilation_takes_it_too(self, tokenizer):
        # the normalizer newspairs compiled before the contraction mark (rules 357c17e89128e83f)
        earlier = Path(__file__).parent / "fixtures" / "normalizer_357c17e89128e83f.json.gz"
        document = json.loads(tokenizer.to_str())
        document["normalizer"] = json.loads(gzip.decompress(earlier.read_bytes()))
        older = Tokenizer.from_str(json.dumps(document))
        assert older.normalizer.__getstate__() != tokenizer.normalizer.__getstate__()
        assert feed.normalizes_like_this_installation(older) and feed.Encoder(older)._skipping
        assert feed.Encoder(older)({"raw": SENTENCES})["input_ids"] == [e.ids for e in older.encode_batch(SENTENCES)]
        # one of its passes changed: another normalizer, however close
        document["normalizer"]["normalizers"].pop(3)
        assert not feed.normalizes_like_this_installation(Tokenizer.from_str(json.dumps(document)))

    def test_another_normalization_is_left_to_the_tokenizer(self, tokenizer):
        other = Tokenizer.from_str(tokenizer.to_str())
        other.normalizer = normalizers.Lowercase()
        assert not feed.normalizes_like_this_installation(other)
        got = feed.Encoder(other)({"raw": SENTENCES})["input_ids"]
        assert got == [e.ids for e in other.encode_batch(SENTENCES)]
        assert got != feed.Encoder(tokenizer)({"raw": SENTENCES})["input_ids"]

    @pytest.mark.parametrize("skip_passes", [True, False], ids=["skipping", "in-encode-batch"])
    @pytest.mark.parametrize("texts", [SENTENCES, ARTICLES], ids=["lines", "articles"])
    def test_raw_ids_equal_ids_of_the_normalized_text(self, tokenizer, texts, skip_passes):
        assert_ids_are_the_normalizations(tokenizer, texts, skip_passes=skip_passes)

    @settings(max_examples=150, deadline=None)
    @given(texts=st.lists(st.text(alphabet=st.sampled_from("ab'\"`.,:;()-$% \nN'T"), max_size=30), min_size=1, max_size=5))
    def test_raw_ids_equal_ids_of_the_normalized_text_for_any_text(self, texts):
        # not a fixture argument: hypothesis would print the tokenizer's whole repr
        assert_ids_are_the_normalizations(trained_tokenizer(), texts)

    @settings(max_examples=100, deadline=None)
    @given(texts=st.lists(st.one_of(strategies.lines, strategies.texts()), min_size=1, max_size=4))
    def test_raw_ids_equal_ids_of_the_normalized_text_for_adversarial_text(self, texts):
        # quotes, clitics, brackets, every engine's whitespace, Unicode look-alikes (tests/strategies.py)
        assert_ids_are_the_normalizations(trained_tokenizer(), texts)

    @pytest.mark.parametrize(
        "options", [{}, {"skip_passes": False}, {"offsets": True}], ids=["skipping", "in-encode-batch", "offsets"]
    )
    @pytest.mark.parametrize("loaded_by", ["newspairs", "tokenizers"])
    def test_text_that_spells_a_special_token_is_text(self, tokenizer, options, loaded_by):
        # the normalized side of "[SEP]" is "[ sep ]": no path may cut it out as the separator's id
        if loaded_by == "tokenizers":  # Tokenizer.from_str/from_file cut special tokens out of text
            tokenizer = Tokenizer.from_str(tokenizer.to_str())
            assert not tokenizer.encode_special_tokens
        texts = ["Oil [SEP] fell.", "[CLS][PAD] x [MASK]", "a [UNK] b"]
        got = feed.Encoder(tokenizer, **options)({"raw": texts})["input_ids"]
        assert got == ids_of_normalized_side(tokenizer, newspairs.normalize_batch(texts))
        assert loaded_by == "newspairs" or not tokenizer.encode_special_tokens  # the caller's is left alone

    @pytest.mark.parametrize("normalized", [True, False], ids=["normalized", "raw"])
    def test_added_tokens_are_found_as_normalized_words(self, tokenizer, normalized):
        # the default path gives the normalized side's ids, wherever and however cased the word is
        with_added = Tokenizer.from_str(tokenizer.to_str())
        with_added.add_tokens([AddedToken("covid", normalized=normalized)])
        texts = ["Covid cases rose.", 'He said "covid" is bad', "New COVID cases"]
        got = feed.Encoder(with_added)({"raw": texts})["input_ids"]
        assert got == ids_of_normalized_side(with_added, newspairs.normalize_batch(texts))
        covid = with_added.get_vocab_size(with_added_tokens=True) - 1
        assert all(covid in ids for ids in got)
        # what docs/training.md says of the two: a plain one shows its content normalized as a line
        assert with_added.id_to_token(covid) == ("covid" if not normalized else " \n covid ")
        assert ("\n" in with_added.decode(got[0])) == normalized

    @pytest.mark.parametrize("options", [{"skip_passes": False}, {"offsets": True}], ids=["in-encode-batch", "offsets"])
    def test_added_tokens_warn_on_the_paths_of_tokenizers_own_encode_batch(self, tokenizer, options):
        with_added = Tokenizer.from_str(tokenizer.to_str())
        with_added.add_tokens(["covid"])
        with pytest.warns(feed.AddedTokensWarning, match=r"added tokens \['covid'\].*normalized side") as caught:
            encoder = feed.Encoder(with_added, **options)
        assert caught[0].filename == __file__  # points at the caller
        # what it warns of: tokenizers finds the word only at a text's start
        texts = ["Covid cases rose.", "New covid cases"]
        got = encoder({"raw": texts})["input_ids"]
        expected = ids_of_normalized_side(with_added, newspairs.normalize_batch(texts))
        assert got[0] == expected[0] and got[1] != expected[1]

    @pytest.mark.parametrize("options", [{}, {"skip_passes": False}, {"offsets": True}], ids=["skipping", "in-encode-batch", "offsets"])
    def test_no_warning_without_added_tokens_nor_on_the_default_path(self, tokenizer, options, recwarn):
        feed.Encoder(tokenizer, **options)
        with_added = Tokenizer.from_str(tokenizer.to_str())
        with_added.add_tokens(["covid"])
        feed.Encoder(with_added)  # the default path finds them
        assert not [w for w in recwarn if issubclass(w.category, feed.AddedTokensWarning)]

    def test_newspairs_tokenizers_encode_special_tokens_as_text(self, tokenizer):
        assert tokenizer.encode_special_tokens and shipped_tokenizer().encode_special_tokens
        assert tokenizer.encode("a [SEP] b").ids == ids_of_normalized_side(tokenizer, ["a [ sep ] b"])[0]

    def test_encode_is_the_encoder(self, tokenizer):
        assert feed.encode({"raw": SENTENCES}, tokenizer, max_length=6) == feed.Encoder(tokenizer, max_length=6)({"raw": SENTENCES})

    def test_encode_keeps_its_encoder_and_the_words_from_batch_to_batch(self, tokenizer, monkeypatch):
        monkeypatch.setattr(feed, "_encoders", type(feed._encoders)())
        first = feed.encode({"raw": SENTENCES}, tokenizer, max_length=6)
        (encoder,) = feed._encoders.values()

        def learn(words):
            raise AssertionError(f"asked the model again for {words}")

        monkeypatch.setattr(encoder._word_ids, "_learn", learn)
        assert feed.encode({"raw": SENTENCES}, tokenizer, max_length=6) == first
        assert list(feed._encoders.values()) == [encoder]

    def test_encode_follows_a_tokenizer_changed_in_place(self, tokenizer, monkeypatch):
        monkeypatch.setattr(feed, "_encoders", type(feed._encoders)())
        changing = Tokenizer.from_str(tokenizer.to_str())
        batch = {"raw": ["Shares of Zqxj rose."]}
        before = feed.encode(batch, changing)["input_ids"]
        assert changing.add_tokens(["zqxj"]) == 1
        after = feed.encode(batch, changing)["input_ids"]
        assert after != before and changing.token_to_id("zqxj") in after[0]
        assert after == ids_of_normalized_side(changing, newspairs.normalize_batch(batch["raw"]))
        changing.post_processor = None
        assert feed.encode(batch, changing)["input_ids"] == [after[0][1:-1]]  # no [CLS] ... [SEP]
        assert len(feed._encoders) == feed.ENCODERS_KEPT  # the oldest was let go
        spelled = {"raw": ["Oil [SEP] fell."]}
        changing.encode_special_tokens = True  # as newspairs sets it: the Encoder shares the tokenizer
        with pytest.warns(feed.AddedTokensWarning):  # zqxj, on the path of tokenizers' encode_batch
            assert feed.encode(spelled, changing, offsets=True)["input_ids"] == ids_of_normalized_side(changing, ["oil [ sep ] fell ."])
            changing.encode_special_tokens = False  # a setting to_str() leaves out
            assert feed.encode(spelled, changing, offsets=True)["input_ids"] == ids_of_normalized_side(changing, ["oil [ sep ] fell ."])

    def test_encode_keeps_the_map_fingerprint(self, tokenizer):
        from datasets.fingerprint import Hasher

        before = Hasher.hash(feed.encode)
        feed.encode({"raw": SENTENCES}, tokenizer)
        assert Hasher.hash(feed.encode) == before

    def test_normalized_text_must_skip_the_normalization(self, tokenizer):
        # Why skip_normalization exists: normalizing again turns the closing '' into an opening ``.
        normalized = newspairs.normalize('"Yes," he said.')
        twice = tokenizer.encode(normalized).ids
        once = feed.skip_normalization(tokenizer).encode(normalized).ids
        assert twice != once

    def test_offsets_point_into_the_raw_text(self, tokenizer):
        text = "Shares of ACME ROSE 5%, traders said."
        out = feed.Encoder(tokenizer, offsets=True)({"raw": [text]})
        tokens = [tokenizer.id_to_token(i) for i in out["input_ids"][0]]
        spans = out["offset_mapping"][0]
        assert spans[0] == spans[-1] == (0, 0)  # [CLS], [SEP]
        pieces = [(token, text[start:end]) for token, (start, end) in zip(tokens[1:-1], spans[1:-1])]
        assert "".join(raw for _, raw in pieces).lower() == "".join(text.split()).lower()
        assert all(raw.lower() == token.removeprefix("##") for token, raw in pieces if token != "[UNK]")

    def test_max_length_truncates_and_keeps_the_closing_separator(self, tokenizer):
        out = feed.Encoder(tokenizer, max_length=5)({"raw": SENTENCES[:2]})
        assert [len(row) for row in out["input_ids"]] == [5, 5]
        assert all(row[-1] == tokenizer.token_to_id(SEP_TOKEN) for row in out["input_ids"])
        assert tokenizer.truncation is None  # the caller's tokenizer is left as it was

    def test_padding_pads_to_the_longest_of_the_batch(self, tokenizer):
        out = feed.Encoder(tokenizer, padding=True)({"raw": ["Short.", SENTENCES[1]]})
        short, long = out["input_ids"]
        assert len(short) == len(long)
        assert short[-1] == tokenizer.token_to_id(PAD_TOKEN)
        assert out["attention_mask"][0].count(0) == short.count(tokenizer.token_to_id(PAD_TOKEN)) > 0

    @pytest.mark.parametrize("offsets", [False, True], ids=["ids", "offsets"])
    @pytest.mark.parametrize(
        "padding",
        [{}, {"direction": "left", "pad_to_multiple_of": 8}, {"length": 40}, {"length": 3}],
        ids=["longest", "left-multiple-of-8", "fixed-length", "fixed-shorter-than-some"],
    )
    def test_padding_is_the_tokenizers_own(self, tokenizer, padding, offsets):
        padded = Tokenizer.from_str(tokenizer.to_str())
        padded.enable_padding(pad_id=tokenizer.token_to_id(PAD_TOKEN), pad_token=PAD_TOKEN, **padding)
        texts = ["Short.", *SENTENCES]
        out = feed.Encoder(padded, padding=True, offsets=offsets)({"raw": texts})
        encodings = padded.encode_batch(texts)
        assert out["input_ids"] == [e.ids for e in encodings]
        assert out["attention_mask"] == [e.attention_mask for e in encodings]
        if offsets:
            assert out["offset_mapping"] == [e.offsets for e in encodings]
        assert padded.padding is not None  # left as it was

    def test_without_special_tokens(self, tokenizer):
        with_specials = feed.encode({"raw": SENTENCES[:1]}, tokenizer)["input_ids"][0]
        without = feed.encode({"raw": SENTENCES[:1]}, tokenizer, special_tokens=False)["input_ids"][0]
        assert with_specials[1:-1] == without

    def test_map_set_transform_and_streaming_map_agree(self, tokenizer):
        ds = datasets.Dataset.from_dict({"raw": SENTENCES, "label": list(range(len(SENTENCES)))})
        encoder = feed.Encoder(tokenizer, keep=("label",))
        mapped = ds.map(encoder, batched=True, batch_size=3)
        transformed = ds.with_transform(encoder)
        streamed = list(ds.to_iterable_dataset(num_shards=2).map(encoder, batched=True, batch_size=2))
        assert mapped["input_ids"] == transformed[:]["input_ids"] == [row["input_ids"] for row in streamed]
        assert transformed[2:4] == {
            "input_ids": mapped["input_ids"][2:4],
            "attention_mask": mapped["attention_mask"][2:4],
            "label": [2, 3],
        }

    def test_map_fingerprint_depends_on_tokenizer_and_options_only(self):
        # what lets datasets reuse a cached map() in a later session
        from datasets.fingerprint import Hasher

        loaded = [newspairs.load_tokenizer(), newspairs.load_tokenizer()]
        assert Hasher.hash(feed.Encoder(loaded[0])) == Hasher.hash(feed.Encoder(loaded[1]))
        assert Hasher.hash(feed.Encoder(loaded[0])) != Hasher.hash(feed.Encoder(loaded[0], max_length=8))
        assert Hasher.hash(feed.Encoder(loaded[0])) != Hasher.hash(feed.Encoder(trained_tokenizer()))

    @pytest.mark.parametrize(
        ("make", "message"),
        [
            (lambda tok: feed.Encoder(tok)({"text": ["x"]}), "no text column 'raw'"),
            (lambda tok: feed.Encoder(tok)({"raw": ["x", None]}), "column 'raw': row 1 of the batch is not text"),
            (lambda tok: feed.Encoder(tok, keep=("label",))({"raw": ["x"]}), "cannot keep column 'label'"),
            (lambda tok: feed.Encoder(tok, max_length=0), "max_length must be a positive"),
            (lambda tok: feed.Encoder(newspairs.build_tokenizer(), padding=True), "no padding token '\\[PAD\\]'"),
            (lambda tok: feed.Encoder(tok)({"raw": "One row."}), "column 'raw' is one str, not a batch of texts"),
            (lambda tok: feed.Encoder(tok)({"raw": ["x", "a \ud800"]}), r"column 'raw': row 1 of the batch is not UTF-8 text \(the lone surrogate"),
            (lambda tok: feed.Encoder(tok, skip_passes=False)({"raw": ["a \ud800"]}), r"column 'raw': row 0 of the batch is not UTF-8 text"),
            (lambda tok: feed.Encoder(tok, offsets=True)({"raw": ["a \ud800"]}), r"column 'raw': row 0 of the batch is not UTF-8 text"),
            (lambda tok: feed.Encoder(str(Path(newspairs.__file__).parent / "data" / "tokenizer")), "expected a tokenizers.Tokenizer, got str"),
            (lambda tok: feed.encode({"raw": ["a."]}, "my-tokenizer"), r"expected a tokenizers.Tokenizer, got str 'my-tokenizer' \(a folder"),
            (lambda tok: feed.pack(["a text"], 8, tok), r"pack\(\) takes a datasets.Dataset or IterableDataset, got list"),
            (lambda tok: feed.dataloader(["a text"], tok), r"dataloader\(\) takes a datasets.Dataset or IterableDataset, got list"),
            (lambda tok: feed.special_token_id(tok, None, "separator"), r"^the separator token is a str, such as '\[SEP\]', got None$"),
        ],
        ids=["missing-column", "not-text", "missing-kept-column", "bad-max-length", "no-pad-token", "one-row-not-batched",
             "surrogate-skipping", "surrogate-in-encode-batch", "surrogate-offsets", "a-path-for-a-tokenizer",
             "encode-a-path-for-a-tokenizer", "pack-a-list", "dataloader-a-list", "special-token-id-none"],
    )
    def test_errors_name_the_offending_value(self, tokenizer, make, message):
        with pytest.raises(ValueError, match=message):
            make(tokenizer)

    @pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
    @pytest.mark.parametrize(
        "as_given", [iter, lambda texts: map(str, texts), tuple, lambda texts: __import__("numpy").array(texts)],
        ids=["iterator", "map", "tuple", "numpy"],
    )
    def test_any_sequence_or_iterator_of_texts_gives_the_ids_of_the_list(self, tokenizer, options, as_given):
        # an iterator was used up by the check of its rows: no ids, and kept columns out of line
        expected = feed.Encoder(tokenizer, **options)({"raw": SENTENCES, "n": list(range(len(SENTENCES)))}, )
        got = feed.Encoder(tokenizer, keep=("n",), **options)({"raw": as_given(SENTENCES), "n": list(range(len(SENTENCES)))})
        assert got["input_ids"] == expected["input_ids"] and len(got["input_ids"]) == len(SENTENCES)
        assert got["n"] == list(range(len(SENTENCES)))

    @pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
    @pytest.mark.parametrize("copy_of", [lambda e: pickle.loads(pickle.dumps(e)), copy.deepcopy], ids=["pickled", "deep-copied"])
    def test_a_copied_encoder_still_reads_special_tokens_as_text(self, tokenizer, options, copy_of):
        # what a DataLoader worker or map(num_proc=...) gets: a Tokenizer's pickle drops encode_special_tokens
        texts = ["Oil [SEP] fell.", "[PAD]"]
        got = copy_of(feed.Encoder(tokenizer, **options))({"raw": texts})["input_ids"]
        assert got == ids_of_normalized_side(tokenizer, newspairs.normalize_batch(texts))

    @pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
    def test_every_path_truncates_the_end_whatever_the_callers_truncation(self, tokenizer, options):
        callers = Tokenizer.from_str(tokenizer.to_str())
        callers.encode_special_tokens = True  # as newspairs sets it: set up as asked, but for the direction
        callers.enable_truncation(max_length=6, direction="left")
        texts = ["One two three four five six seven eight.", "Short."]
        expected = feed.Encoder(tokenizer, max_length=6, **options)({"raw": texts})["input_ids"]
        assert feed.Encoder(callers, max_length=6, **options)({"raw": texts})["input_ids"] == expected
        full = ids_of_normalized_side(tokenizer, newspairs.normalize_batch(texts))
        assert expected == [row[:5] + row[-1:] if len(row) > 6 else row for row in full]  # the start kept, then [SEP]
        assert len(full[0]) > 6

    @pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
    def test_the_encoder_is_not_changed_by_what_the_caller_does_to_the_tokenizer_later(self, tokenizer, options):
        callers = newspairs.load_tokenizer()
        texts = ["Oil [SEP] fell on Monday.", "It's five."]
        encoder = feed.Encoder(callers, **options)
        before = encoder({"raw": texts})["input_ids"]
        assert before == ids_of_normalized_side(callers, newspairs.normalize_batch(texts))
        callers.enable_truncation(4)
        callers.encode_special_tokens = False
        assert encoder({"raw": texts})["input_ids"] == before


    @pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
    @pytest.mark.parametrize(
        ("truncation", "max_length", "expected_length"),
        [(8, None, 8), (8, 6, 6), (None, None, None)],
        ids=["tokenizers-own", "max-length-wins", "none"],
    )
    def test_the_tokenizers_own_truncation_applies_without_max_length(self, truncation, max_length, expected_length, options):
        # load_tokenizer(max_length=8) was ignored: rows ran to their full length
        texts = ["The harbour reopened on Monday after a week of storms and more.", "Hi."]
        full = feed.Encoder(shipped_tokenizer(), **options)({"raw": texts})["input_ids"]
        assert len(full[0]) > 8
        got = feed.Encoder(newspairs.load_tokenizer(max_length=truncation), max_length=max_length, **options)({"raw": texts})
        if expected_length is None:
            assert got["input_ids"] == full
        else:
            assert got["input_ids"] == feed.Encoder(shipped_tokenizer(), max_length=expected_length, **options)({"raw": texts})["input_ids"]
            assert [len(row) for row in got["input_ids"]] == [expected_length, len(full[1])]

    @pytest.mark.parametrize(
        ("truncation", "message"),
        [({"direction": "left"}, "truncates on the left"), ({"stride": 2}, "truncates with stride=2")],
        ids=["left", "stride"],
    )
    def test_a_truncation_it_cannot_honour_is_refused(self, tokenizer, truncation, message):
        callers = Tokenizer.from_str(tokenizer.to_str())
        callers.enable_truncation(max_length=8, **truncation)
        with pytest.raises(ValueError, match=f"{message}.*pass max_length= to truncate the end"):
            feed.Encoder(callers)
        assert feed.Encoder(callers, max_length=8).max_length == 8  # an explicit max_length is the caller's choice


class TestWordIds:
    """The ids of each normalized word, kept: the same ids as the tokenizer's own encode_batch."""

    @pytest.mark.parametrize("special_tokens", [True, False], ids=["specials", "no-specials"])
    @pytest.mark.parametrize("max_length", [None, 2, 3, 9], ids=["whole", "specials-only", "one-word-id", "nine"])
    def test_same_ids_as_encode_batch(self, tokenizer, max_length, special_tokens):
        options = dict(max_length=max_length, special_tokens=special_tokens)
        fast, plain = feed.Encoder(tokenizer, **options), feed.Encoder(tokenizer, skip_passes=False, **options)
        assert fast._word_ids is not None and plain._word_ids is None
        texts = [*SENTENCES, *ARTICLES, "", "word word word"]
        assert fast.ids(texts) == plain.ids(texts)
        assert fast.ids(texts[::-1]) == plain.ids(texts[::-1])  # now from what was kept

    @pytest.mark.parametrize(
        ("make", "random"),
        [
            (lambda: models.BPE(), False),
            (lambda: models.BPE(dropout=0.0), False),
            (lambda: models.BPE(dropout=0.1), True),
            (lambda: models.BPE(dropout=1.0), True),
            (lambda: models.Unigram([("[UNK]", 0.0), ("a", -1.0)], 0, False), False),
            (lambda: _unigram_sampling(0.0), False),
            (lambda: _unigram_sampling(0.3), True),
            (lambda: models.WordPiece({"[UNK]": 0, "a": 1}, unk_token="[UNK]"), False),
            (lambda: models.WordLevel({"[UNK]": 0, "a": 1}, unk_token="[UNK]"), False),
        ],
        ids=["bpe", "bpe-dropout-0", "bpe-dropout", "bpe-dropout-1", "unigram", "unigram-alpha-0", "unigram-alpha",
             "wordpiece", "wordlevel"],
    )
    def test_a_model_that_cuts_at_random_gets_no_word_ids(self, make, random):
        tok = Tokenizer(make())
        tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
        assert pieces.segments_at_random(tok) is random
        if random:
            assert pieces.WordIds.for_tokenizer(tok, special_tokens=False) is None

    @pytest.mark.parametrize("copy_of", [lambda w: pickle.loads(pickle.dumps(w)), copy.deepcopy], ids=["pickled", "deep-copied"])
    def test_a_copy_keeps_the_call_time_set_up(self, tokenizer, copy_of):
        plain = feed.skip_normalization(tokenizer)
        plain.add_special_tokens(["eos"])
        assert plain.encode_special_tokens
        copied = copy_of(pieces.WordIds(plain))
        assert copied(["the eos test"]) == [plain.encode("the eos test").ids]
        assert plain.token_to_id("eos") not in copied(["the eos test"])[0]

    def test_new_words_asked_in_several_texts(self, tokenizer, monkeypatch):
        monkeypatch.setattr(pieces, "WORDS_PER_TEXT", 3)
        texts = [*SENTENCES, *ARTICLES]
        assert feed.Encoder(tokenizer).ids(texts) == [e.ids for e in tokenizer.encode_batch(texts)]

    def test_a_tokenizer_it_cannot_follow_is_encoded_by_the_tokenizer(self, tokenizer):
        spanning = Tokenizer.from_str(tokenizer.to_str())
        spanning.add_tokens(["new york"])  # an added token across two words
        assert feed.WordIds.for_tokenizer(feed.skip_normalization(spanning)) is None
        encoder = feed.Encoder(spanning)
        assert encoder._word_ids is None
        assert encoder.ids(["New York rose."]) == [e.ids for e in spanning.encode_batch(["New York rose."])]

    def test_an_added_token_inside_a_word_is_asked_word_by_word(self, tokenizer):
        inside = Tokenizer.from_str(tokenizer.to_str())
        inside.add_tokens(["ork"])
        encoder = feed.Encoder(inside)
        assert encoder._word_ids is not None
        texts = ["New York's pork rose.", "york york"]
        # (the full tokenizer matches such a token on its own terms: compare with the normalized side)
        assert encoder.ids(texts) == ids_of_normalized_side(inside, newspairs.normalize_batch(texts))

    @pytest.mark.parametrize(
        ("added", "texts", "cut_wrong"),
        [
            (["[X]"], ["a b c", "a d"], None),
            (["x"], ["a x b", "c d"], "x"),
            (["ork"], ["york a", "b c"], "york"),
        ],
        ids=["separator", "a-word-is-the-separator", "separator-inside-a-word"],
    )
    def test_new_words_go_to_the_model_joined_around_an_added_token(self, monkeypatch, added, texts, cut_wrong):
        monkeypatch.setattr(pieces, "WORDS_PER_TEXT", 3)
        model, asked = recorded_word_level(added)
        got = feed.WordIds(model, special_tokens=False)(texts)
        assert got == [model.encode(text).ids for text in texts]
        new_words = set(" ".join(texts).split())
        # first one call with every new word, joined in texts of at most 3 words
        assert len(asked[0]) == -(-len(new_words) // 3)
        assert sorted(w for text in asked[0] for w in text.split(f" {added[0]} ")) == sorted(new_words)
        if cut_wrong is None:
            assert len(asked) == 1
        else:  # then the words of the text that could not be cut, one by one
            assert len(asked) == 2 and cut_wrong in asked[1] and len(asked[1]) <= 3

    def test_without_added_tokens_new_words_go_to_the_model_one_by_one(self):
        model, asked = recorded_word_level([])
        texts = ["a b c", "a d"]
        assert feed.WordIds(model, special_tokens=False)(texts) == [model.encode(text).ids for text in texts]
        assert len(asked) == 1 and sorted(asked[0]) == ["a", "b", "c", "d"]

    def test_a_piece_is_normalized_once(self, tokenizer, monkeypatch):
        normalized = []
        normalize_pieces = pieces.normalized_words_of_pieces

        def recorded(pieces):
            normalized.append(list(pieces))
            return normalize_pieces(pieces)

        monkeypatch.setattr(pieces, "normalized_words_of_pieces", recorded)
        encoder = feed.Encoder(tokenizer)
        texts = [*SENTENCES, *ARTICLES]
        first = encoder.ids(texts)
        assert len(normalized) == 1 and len(normalized[0]) == len(set(normalized[0]))
        assert "\nHe" in normalized[0] and "said," in normalized[0] and 'there."\nThe' in normalized[0]
        assert encoder.ids(texts[::-1]) == first[::-1]  # a later epoch: every piece kept
        assert len(normalized) == 1

    def test_text_with_other_whitespace_at_a_line_end_is_normalized_whole(self, tokenizer, monkeypatch):
        whole = []
        words_batch = pieces.normalized_words_batch
        monkeypatch.setattr(pieces, "normalized_words_batch", lambda texts: whole.append(list(texts)) or words_batch(texts))
        # whitespace other than spaces at a line's end keeps a text whole; anywhere else it does not
        texts = ["It ended.\t", "a b.", "x\xa0y\u2028z.", 'He said, "go." \xa0 \nNo.', "Σ\rΣ.  \nnext"]
        got = feed.Encoder(tokenizer).ids(texts)
        # (the pieces are normalized by the same function, joined in texts of their own)
        assert [text for call in whole for text in call if text in texts] == [texts[0], texts[3]]
        assert got == ids_of_normalized_side(tokenizer, newspairs.normalize_batch(texts))

    def test_memory_stays_bounded_for_pieces_too(self, tokenizer):
        words = feed.WordIds(feed.skip_normalization(tokenizer), max_words=6)
        largest_batch = 0
        for text in SENTENCES:
            assert words.of_raw_texts([text]) == ids_of_normalized_side(tokenizer, [newspairs.normalize(text)])
            largest_batch = max(largest_batch, len(set(text.split(" "))))
            assert len(words._pieces) <= max(6, largest_batch)
        assert largest_batch > 6  # the bound was hit

    def test_memory_stays_bounded_for_long_words_too(self, tokenizer):
        """Kept words and pieces are forgotten once their characters and ids reach max_units: long
        words new in every text filled memory up to max_words of them (the feed checker's 3)."""
        words = feed.WordIds(feed.skip_normalization(tokenizer), max_units=4_000)
        raw_pieces = words_of = largest_batch = 0
        for number in range(40):
            text = f"{'Word' * 60}{number} and {'Other' * 50}{number}x ."  # two words of 200-300 characters, new each time
            assert words.of_raw_texts([text]) == ids_of_normalized_side(tokenizer, [newspairs.normalize(text)])
            batch = sum(len(piece) + 400 for piece in text.split(" "))  # (a piece's ids: fewer than its characters here)
            largest_batch = max(largest_batch, batch)
            raw_pieces = sum(len(piece) + len(ids) for piece, ids in words._pieces.items())
            words_of = sum(len(word) + len(ids) for word, ids in words._ids.items())
            assert raw_pieces <= 4_000 + largest_batch and words_of <= 4_000 + largest_batch, number
        assert len(words._pieces) < 40  # cleared along the way

    def test_a_pickle_without_the_size_bound_loads_with_the_default(self, tokenizer):
        # an Encoder pickled before max_units existed: AttributeError '_units' at its first encoding
        state = feed.WordIds(feed.skip_normalization(tokenizer)).__getstate__()
        del state["_units"], state["_max_units"]
        words = feed.WordIds.__new__(feed.WordIds)
        words.__setstate__(state)
        text = newspairs.normalize(SENTENCES[0])
        assert words([text]) == [feed.skip_normalization(tokenizer).encode(text).ids] and words._max_units == pieces.MAX_UNITS

    def test_memory_stays_bounded(self, tokenizer):
        words = feed.WordIds(feed.skip_normalization(tokenizer), max_words=6)
        normalized = newspairs.normalize_batch(SENTENCES)
        largest_batch = 0
        for text in normalized:
            got = words([text])
            assert got == [feed.skip_normalization(tokenizer).encode(text).ids]
            largest_batch = max(largest_batch, len(set(text.split())))
            assert len(words._ids) <= max(6, largest_batch)
        assert largest_batch > 6  # the bound was hit

    def test_max_length_shorter_than_the_special_ids_is_refused(self, tokenizer):
        with pytest.raises(ValueError, match="max_length 1 is shorter than the 2 special ids"):
            feed.Encoder(tokenizer, max_length=1)

    def test_what_it_learned_stays_out_of_the_map_fingerprint(self, tokenizer):
        from datasets.fingerprint import Hasher

        encoder = feed.Encoder(tokenizer)
        before = Hasher.hash(encoder)
        encoder.ids(SENTENCES)
        encoder.encodings(SENTENCES)
        assert encoder._word_ids._ids
        assert Hasher.hash(encoder) == before


def recorded_word_level(added: list[str]):
    """A word-level tokenizer with ``added`` tokens, recording the texts it is asked to encode in batches."""
    vocab = {"[UNK]": 0, **{w: i for i, w in enumerate(["a", "b", "c", "d", "x", "york", "ork"], 1)}}
    model = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    model.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    model.add_tokens(added)
    asked: list[list[str]] = []

    class Recorded:
        def __getattr__(self, name):
            return getattr(model, name)

        def encode_batch_fast(self, batch, **kwargs):
            asked.append(list(batch))
            return model.encode_batch_fast(batch, **kwargs)

    return Recorded(), asked


def expected_stream(tokenizer, texts):
    """The concatenation pack() cuts: each non-empty document's ids, then the separator."""
    sep = tokenizer.token_to_id(SEP_TOKEN)
    ids = []
    for encoding in tokenizer.encode_batch(texts, add_special_tokens=False):
        if encoding.ids:
            ids += [*encoding.ids, sep]
    return ids


class TestPack:
    @pytest.mark.parametrize(
        ("documents", "block_size", "blocks"),
        [
            ([[1, 2], [], [3]], 2, [[1, 2], [9, 3]]),  # the final [9] is the dropped remainder
            ([[1, 2, 3, 4, 5]], 3, [[1, 2, 3], [4, 5, 9]]),
            ([[1], [2], [3]], 4, [[1, 9, 2, 9]]),
            ([[1, 2]], 4, []),
            ([], 2, []),
        ],
        ids=["empty-document", "one-long-document", "short-documents", "under-one-block", "nothing"],
    )
    def test_pack_ids(self, documents, block_size, blocks):
        assert list(feed.pack_ids(documents, block_size, separator_id=9)) == blocks

    @pytest.mark.parametrize("block_size", [2, 7, 16, 64])
    def test_dataset_blocks_are_the_stream_minus_the_final_remainder(self, tokenizer, block_size):
        texts = SENTENCES * 40  # several encode_batch calls, so blocks straddle calls
        packed = feed.pack(datasets.Dataset.from_dict({"raw": texts}), block_size, tokenizer)
        stream = expected_stream(tokenizer, texts)
        assert packed.column_names == ["input_ids"]
        assert len(packed) == len(stream) // block_size
        assert [i for block in packed["input_ids"] for i in block] == stream[: len(packed) * block_size]

    def test_too_little_text_for_one_block_gives_no_rows(self, tokenizer):
        packed = feed.pack(datasets.Dataset.from_dict({"raw": SENTENCES[:2]}), 1000, tokenizer)
        assert len(packed) == 0 and packed.column_names == ["input_ids"]

    @staticmethod
    def three_shard_stream():
        shards = [SENTENCES * 5, ARTICLES * 7, SENTENCES[::-1] * 3]
        source = datasets.IterableDataset.from_generator(
            lambda texts: ({"raw": text} for shard in texts for text in shard), gen_kwargs={"texts": shards}
        )
        return source, shards

    @staticmethod
    def blocks_of(stream, block_size):
        return [stream[i : i + block_size] for i in range(0, len(stream) - block_size + 1, block_size)]

    def test_streaming_drops_only_the_final_remainder(self, tokenizer):
        source, shards = self.three_shard_stream()
        packed = feed.pack(source, 8, tokenizer)
        assert packed.num_shards == 1
        expected = self.blocks_of(expected_stream(tokenizer, [text for shard in shards for text in shard]), 8)
        assert [row["input_ids"] for row in packed] == expected

    def test_streaming_shards_are_packed_on_their_own(self, tokenizer):
        source, shards = self.three_shard_stream()
        packed = feed.pack(source, 8, tokenizer, num_shards=3)
        assert packed.num_shards == 3
        expected = [block for shard in shards for block in self.blocks_of(expected_stream(tokenizer, shard), 8)]
        assert [row["input_ids"] for row in packed] == expected

    @staticmethod
    def shuffled_stream(num_shards):
        texts = [f"{sentence} ({number})" for number, sentence in enumerate(SENTENCES * 30)]
        return datasets.Dataset.from_dict({"raw": texts}).to_iterable_dataset(num_shards=num_shards).shuffle(seed=3, buffer_size=16)

    @pytest.mark.parametrize("num_shards", [1, 4], ids=["one-shard", "four-shards"])
    def test_a_shuffled_stream_is_packed_in_its_order_of_each_epoch(self, tokenizer, num_shards):
        """At epoch e the packed stream packs the documents in the order the source gives at epoch e
        (each epoch a new order, as datasets reshuffles); it gave epoch 0's order at every epoch."""
        packed = feed.pack(self.shuffled_stream(num_shards), 8, tokenizer)
        orders = []
        for epoch in range(3):
            source = self.shuffled_stream(num_shards)  # the same stream, read at this epoch on its own
            source.set_epoch(epoch)
            texts = [row["raw"] for row in source]
            orders.append(texts)
            packed.set_epoch(epoch)
            assert [row["input_ids"] for row in packed] == self.blocks_of(expected_stream(tokenizer, texts), 8), epoch
        assert orders[0] != orders[1] != orders[2] != orders[0]

    @pytest.mark.parametrize(("num_workers", "persistent"), [(0, False), (2, False), (2, True)],
                             ids=["in-process", "workers", "persistent-workers"])
    def test_a_dataloader_of_packed_blocks_is_reshuffled_at_each_epoch(self, tokenizer, num_workers, persistent):
        # as scripts/train_demo.py and transformers' Trainer set it: on the loader's dataset
        packed = feed.pack(self.shuffled_stream(4), 8, tokenizer)
        loader = feed.dataloader(packed, tokenizer, batch_size=4, num_workers=num_workers,
                                 **({"persistent_workers": True} if persistent else {}))
        epochs = []
        for epoch in range(3):
            loader.dataset.set_epoch(epoch)
            epochs.append([tuple(row) for batch in loader for row in batch["input_ids"].tolist()])
        assert epochs[0] != epochs[1] != epochs[2] != epochs[0]
        assert len(set(map(len, epochs))) == 1 and len(epochs[0]) > 10

    def test_take_and_skip_of_packed_blocks_keep_their_order_at_every_epoch(self, tokenizer):
        # datasets keeps a stream's order under take/skip; the source read inside pack keeps it too
        # (46c0651 set the source's epoch, which reorders its shards: held-out blocks went to training)
        texts = [f"{sentence} ({number})" for number, sentence in enumerate(SENTENCES * 30)]
        packed = feed.pack(datasets.Dataset.from_dict({"raw": texts}).to_iterable_dataset(num_shards=12), 8, tokenizer)
        held_out, train = packed.take(20), packed.skip(20)
        first = [row["input_ids"] for row in held_out], [row["input_ids"] for row in train]
        for epoch in (1, 2):
            held_out.set_epoch(epoch)
            train.set_epoch(epoch)
            assert ([row["input_ids"] for row in held_out], [row["input_ids"] for row in train]) == first, epoch

    def test_dataloader_workers_pack_an_unshuffled_source_in_its_order_at_epoch_0(self, tokenizer):
        # (46c0651 read each worker's sources at epoch "e + worker id": reordered from the first epoch)
        texts = [f"{sentence} ({number})" for number, sentence in enumerate(SENTENCES * 30)]
        source = datasets.Dataset.from_dict({"raw": texts}).to_iterable_dataset(num_shards=12)
        packed = feed.pack(source, 8, tokenizer, num_shards=2)
        loader = feed.dataloader(packed, tokenizer, batch_size=1, num_workers=2)
        loader.dataset.set_epoch(0)
        by_workers = [batch["input_ids"][0].tolist() for batch in loader]
        groups = [[row["input_ids"] for row in feed.pack(source.shard(2, index), 8, tokenizer)] for index in range(2)]
        assert by_workers[:2] == [groups[0][0], groups[1][0]]  # each worker starts its group where it starts
        assert sorted(by_workers) == sorted(groups[0] + groups[1])

    @pytest.mark.parametrize(("world_size", "num_shards"), [(2, 1), (3, 1), (2, 6), (3, 3)])
    def test_split_by_node_shares_out_the_blocks(self, tokenizer, world_size, num_shards):
        source = datasets.Dataset.from_dict({"raw": SENTENCES * 12}).to_iterable_dataset(num_shards=6)
        packed = feed.pack(source, 8, tokenizer, num_shards=num_shards)
        everything = sorted(tuple(row["input_ids"]) for row in packed)
        per_node = [[tuple(row["input_ids"]) for row in split_dataset_by_node(packed, rank, world_size)] for rank in range(world_size)]
        assert all(per_node)
        assert sorted(block for node in per_node for block in node) == everything

    @pytest.mark.parametrize(
        "make",
        [
            lambda rows: datasets.Dataset.from_dict({"raw": rows}),
            lambda rows: datasets.Dataset.from_dict({"raw": rows}).to_iterable_dataset(),
            lambda rows: datasets.IterableDataset.from_generator(lambda: ({"raw": row} for row in rows)),
        ],
        ids=["dataset", "iterable", "from-generator"],
    )
    def test_a_row_that_is_not_text_is_named(self, tokenizer, make):
        # a Dataset raised datasets' DatasetGenerationError, and no path said which row; row 300 is
        # in the second batch handed to the tokenizer
        rows = ["Fine."] * 300 + [None, "b"]
        with pytest.raises(ValueError, match=r"column 'raw': row 300 is not text \(NoneType\): None"):
            list(feed.pack(make(rows), 4, tokenizer))

    def test_documents_are_not_truncated_to_the_tokenizers_max_length(self):
        ds = datasets.Dataset.from_dict({"raw": SENTENCES * 2})
        expected = feed.pack(ds, 8, shipped_tokenizer())["input_ids"]
        assert feed.pack(ds, 8, newspairs.load_tokenizer(max_length=4))["input_ids"] == expected

    @pytest.mark.parametrize("num_shards", [0, 7, 2.0, True])
    def test_streaming_num_shards_must_fit_the_source(self, tokenizer, num_shards):
        source = datasets.Dataset.from_dict({"raw": SENTENCES}).to_iterable_dataset(num_shards=6)
        with pytest.raises(ValueError, match="num_shards must be an int from 1 to the source's 6 shards"):
            feed.pack(source, 8, tokenizer, num_shards=num_shards)

    @pytest.mark.parametrize("streaming", [False, True], ids=["dataset", "iterable"])
    def test_labels_are_a_copy_of_the_input_ids(self, tokenizer, streaming):
        source = datasets.Dataset.from_dict({"raw": SENTENCES * 4})
        plain = feed.pack(source, 8, tokenizer)
        if streaming:
            source = source.to_iterable_dataset(num_shards=2)
        packed = feed.pack(source, 8, tokenizer, labels=True)
        rows = list(packed)
        assert rows and all(list(row) == ["input_ids", "labels"] for row in rows)
        assert [row["labels"] for row in rows] == [row["input_ids"] for row in rows] == plain["input_ids"]
        if not streaming:
            assert packed.features["labels"] == packed.features["input_ids"]
            assert packed._fingerprint != plain._fingerprint  # not served from the cache of a pack without labels

    def test_labels_of_too_little_text(self, tokenizer):
        packed = feed.pack(datasets.Dataset.from_dict({"raw": SENTENCES[:2]}), 1000, tokenizer, labels=True)
        assert len(packed) == 0 and packed.column_names == ["input_ids", "labels"]

    @pytest.mark.parametrize("keep", [(), ("labels",)], ids=["by-default", "kept-by-name"])
    def test_labels_reach_a_torch_batch(self, tokenizer, keep):
        # dataloader kept only input_ids and keep=: a packed dataset's labels were dropped
        torch = pytest.importorskip("torch")
        packed = feed.pack(datasets.Dataset.from_dict({"raw": SENTENCES * 4}), 8, tokenizer, labels=True)
        batch = next(iter(feed.dataloader(packed, tokenizer, batch_size=2, keep=keep)))
        assert set(batch) == {"input_ids", "attention_mask", "labels"}
        assert torch.equal(batch["labels"], batch["input_ids"])

    def test_with_format_torch_gives_a_block_tensor(self, tokenizer):
        torch = pytest.importorskip("torch")
        packed = feed.pack(datasets.Dataset.from_dict({"raw": SENTENCES * 4}), 16, tokenizer).with_format("torch")
        batch = packed[:3]["input_ids"]
        assert isinstance(batch, torch.Tensor) and batch.shape == (3, 16)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"block_size": 1}, "block_size must be an int >= 2"),
            ({"block_size": 8, "separator": "</s>"}, "no separator token '</s>'"),
            ({"block_size": 8, "column": "text"}, "no text column 'text'"),
            ({"block_size": 8, "num_shards": 2}, "num_shards is for an IterableDataset"),
            ({"block_size": 8, "labels": "yes"}, "labels must be True or False, got 'yes'"),
        ],
        ids=["block-too-small", "unknown-separator", "missing-column", "shards-of-a-dataset", "labels-not-a-bool"],
    )
    def test_errors(self, tokenizer, kwargs, message):
        ds = datasets.Dataset.from_dict({"raw": SENTENCES})
        with pytest.raises(ValueError, match=message):
            feed.pack(ds, tokenizer=tokenizer, **kwargs)


class TestTorch:
    @pytest.fixture(autouse=True)
    def _torch(self):
        pytest.importorskip("torch")

    def test_collator_pads_and_stacks(self):
        import torch

        collate = feed.PadCollator(pad_id=0, pad_to_multiple_of=4)
        batch = collate([{"input_ids": [5, 6, 7], "label": 1}, {"input_ids": torch.tensor([8]), "label": 0}])
        assert batch["input_ids"].tolist() == [[5, 6, 7, 0], [8, 0, 0, 0]]
        assert batch["attention_mask"].tolist() == [[1, 1, 1, 0], [1, 0, 0, 0]]
        assert batch["label"].tolist() == [1, 0]

    @pytest.mark.parametrize(
        ("options", "examples", "expected"),
        [
            (
                {"direction": "left"},
                [{"input_ids": [5, 6, 7]}, {"input_ids": [8]}],
                {"input_ids": [[5, 6, 7], [0, 0, 8]], "attention_mask": [[1, 1, 1], [0, 0, 1]]},
            ),
            (
                {"length": 4},
                [{"input_ids": [5, 6]}, {"input_ids": [8]}],
                {"input_ids": [[5, 6, 0, 0], [8, 0, 0, 0]], "attention_mask": [[1, 1, 0, 0], [1, 0, 0, 0]]},
            ),
            (
                {"length": 2},
                [{"input_ids": [5, 6, 7]}, {"input_ids": [8]}],
                {"input_ids": [[5, 6, 7], [8, 0, 0]], "attention_mask": [[1, 1, 1], [1, 0, 0]]},
            ),
            (
                {},
                [{"input_ids": [5, 6, 0], "attention_mask": [1, 1, 0]}, {"input_ids": [8, 9, 7, 6], "attention_mask": [1, 1, 1, 1]}],
                {"input_ids": [[5, 6, 0, 0], [8, 9, 7, 6]], "attention_mask": [[1, 1, 0, 0], [1, 1, 1, 1]]},
            ),
            (
                {},
                [{"input_ids": [5, 6], "labels": [5, 6], "token_type_ids": [0, 1]}, {"input_ids": [8], "labels": [8], "token_type_ids": [1]}],
                {"input_ids": [[5, 6], [8, 0]], "attention_mask": [[1, 1], [1, 0]], "labels": [[5, 6], [8, -100]],
                 "token_type_ids": [[0, 1], [1, 0]]},
            ),
            (
                {},
                [{"input_ids": [5, 6], "labels": 1}, {"input_ids": [8], "labels": 0}],
                {"input_ids": [[5, 6], [8, 0]], "attention_mask": [[1, 1], [1, 0]], "labels": [1, 0]},
            ),
            (
                {"pad_to_multiple_of": 4},
                [{"input_ids": [5, 6, 7], "labels": [0, 1]}, {"input_ids": [8], "labels": [1, 1]}],
                {"input_ids": [[5, 6, 7, 0], [8, 0, 0, 0]], "attention_mask": [[1, 1, 1, 0], [1, 0, 0, 0]],
                 "labels": [[0, 1], [1, 1]]},
            ),
            (
                {},
                [{"input_ids": [5, 6, 7], "labels": [0.0, 1.0]}, {"input_ids": [8], "labels": [0.5, 0.25]}],
                {"input_ids": [[5, 6, 7], [8, 0, 0]], "attention_mask": [[1, 1, 1], [1, 0, 0]], "labels": [[0.0, 1.0], [0.5, 0.25]]},
            ),
            (
                {},
                [{"input_ids": [5, 6], "labels": [0.25, 0.75]}, {"input_ids": [8], "labels": [0.5]}],
                {"input_ids": [[5, 6], [8, 0]], "attention_mask": [[1, 1], [1, 0]], "labels": [[0.25, 0.75], [0.5, -100.0]]},
            ),
            (
                {"pad_type_id": 1},
                [{"input_ids": [5, 6], "token_type_ids": [0, 0], "special_tokens_mask": [1, 0]},
                 {"input_ids": [8], "token_type_ids": [0], "special_tokens_mask": [1]}],
                {"input_ids": [[5, 6], [8, 0]], "attention_mask": [[1, 1], [1, 0]], "token_type_ids": [[0, 0], [0, 1]],
                 "special_tokens_mask": [[1, 0], [1, 1]]},
            ),
            (
                {},
                [{"input_ids": [5, 0, 6]}, {"input_ids": [8]}],
                {"input_ids": [[5, 0, 6], [8, 0, 0]], "attention_mask": [[1, 1, 1], [1, 0, 0]]},
            ),
            (
                {"check_padding": False},
                [{"input_ids": [5, 0]}, {"input_ids": [8]}],
                {"input_ids": [[5, 0], [8, 0]], "attention_mask": [[1, 1], [1, 0]]},
            ),
        ],
        ids=["left", "fixed-length", "fixed-length-shorter-than-a-row", "stored-mask-kept", "per-id-labels-and-types",
             "class-labels-stacked", "a-label-vector-per-example-is-not-padded", "fractions-stay-fractions",
             "fractions-per-id-padded", "type-ids-as-set-up-special-mask-with-1", "a-pad-id-inside-a-row-is-a-token",
             "padding-not-checked"],
    )
    def test_collator_pads_every_per_id_column(self, options, examples, expected):
        batch = feed.PadCollator(0, **options)(examples)
        assert {name: value.tolist() for name, value in batch.items()} == expected

    @pytest.mark.parametrize(
        ("make", "message"),
        [
            (lambda: feed.PadCollator(0)([{"input_ids": [5, 0]}, {"input_ids": [6, 7]}]),
             r"example 0 of this batch ends with the padding id 0 but has no attention_mask"),
            (lambda: feed.PadCollator(0, direction="left")([{"input_ids": [0, 5]}, {"input_ids": [6, 7]}]),
             r"example 0 of this batch starts with the padding id 0 but has no attention_mask"),
            (lambda: feed.PadCollator(0)([{"input_ids": [5, 6], "attention_mask": [1, 1]}, {"input_ids": [8]}]),
             r"example 1 of this batch lacks an attention_mask that example 0 has: give every example one or none"),
            (lambda: feed.PadCollator(0)([{"input_ids": [8]}, {"input_ids": [5, 6], "attention_mask": [1, 1]}]),
             r"example 1 of this batch has an attention_mask that example 0 lacks"),
            (lambda: feed.PadCollator(0)([{"input_ids": [5, 6], "attention_mask": [1]}]),
             r"example 0 of this batch has 1 values of 'attention_mask' for its 2 input_ids"),
            (lambda: feed.PadCollator(0, direction="middle"), "direction must be 'right' or 'left', got 'middle'"),
            (lambda: feed.PadCollator(0, pad_to_multiple_of=0), "pad_to_multiple_of must be a positive int or None, got 0"),
            # these padded with 1 (1.5, True) or were torch's TypeError at the first batch (None, "x")
            (lambda: feed.PadCollator(1.5), r"^pad_id must be an int >= 0, got 1\.5$"),
            (lambda: feed.PadCollator(True), "^pad_id must be an int >= 0, got True$"),
            (lambda: feed.PadCollator(None), "^pad_id must be an int >= 0, got None$"),
            (lambda: feed.PadCollator("x"), "^pad_id must be an int >= 0, got 'x'$"),
            (lambda: feed.PadCollator(2**32), r"^pad_id must be at most 4294967295 \(a tokenizers id is a 32-bit unsigned int\), got 4294967296$"),
            (lambda: feed.PadCollator(0, pad_type_id=1.5), r"^pad_type_id must be an int >= 0, got 1\.5$"),
            (lambda: feed.PadCollator(0, pad_to_multiple_of=10**30), f"^pad_to_multiple_of must be at most {2**31 - 1} .*, got {10**30}$"),
            (lambda: feed.PadCollator(0, check_padding="no"), "^check_padding must be True or False, got 'no'$"),
            (lambda: feed.PadCollator(0)(None), r"^PadCollator takes a list of examples \(dicts\), got NoneType: None$"),
            (lambda: feed.PadCollator(0)({"input_ids": [5]}), r"^PadCollator takes a list of examples \(dicts\), got dict: \{'input_ids'"),
        ],
        ids=["padding-without-a-mask", "left-padding-without-a-mask", "a-mask-missing", "a-mask-only-later",
             "mask-of-another-length", "bad-direction", "bad-multiple", "pad-id-fraction", "pad-id-bool", "pad-id-none",
             "pad-id-str", "pad-id-too-large", "pad-type-id-fraction", "multiple-too-large", "check-padding-str", "collate-none", "collate-one-example"],
    )
    def test_collator_errors(self, make, message):
        with pytest.raises(ValueError, match=message):
            make()

    @staticmethod
    def _stored_by_tokenizers(ds, tokenizer):
        # as a transformers tokenizer's map(padding="max_length") stores them: fixed-length rows and their mask
        padded = Tokenizer.from_str(tokenizer.to_str())
        padded.enable_padding(pad_id=tokenizer.token_to_id(PAD_TOKEN), pad_token=PAD_TOKEN, length=40)
        encodings = padded.encode_batch(ds["raw"])
        return ds.add_column("input_ids", [e.ids for e in encodings]).add_column("attention_mask", [e.attention_mask for e in encodings])

    @pytest.mark.parametrize("keep", [(), ("attention_mask",)], ids=["by-default", "kept-by-name"])
    @pytest.mark.parametrize(
        "store",
        [
            lambda ds, tok: ds.map(feed.Encoder(tok, padding=True), batched=True, batch_size=3),
            lambda ds, tok: TestTorch._stored_by_tokenizers(ds, tok),
        ],
        ids=["encoder-padding", "fixed-length-by-tokenizers"],
    )
    def test_dataloader_keeps_the_stored_attention_mask(self, tokenizer, store, keep):
        # the mask was rebuilt from the row lengths: all ones over the stored [PAD] ids
        stored = store(datasets.Dataset.from_dict({"raw": ["Short.", *SENTENCES]}), tokenizer)
        batches = list(feed.dataloader(stored, tokenizer, batch_size=4, keep=keep))
        pad_id = tokenizer.token_to_id(PAD_TOKEN)
        ids = [row for batch in batches for row in batch["input_ids"].tolist()]
        masks = [row for batch in batches for row in batch["attention_mask"].tolist()]
        assert any(0 in mask[: len(stored_mask)] for mask, stored_mask in zip(masks, stored["attention_mask"]))
        for row, mask, stored_mask in zip(ids, masks, stored["attention_mask"]):
            assert mask == stored_mask + [0] * (len(mask) - len(stored_mask))
            assert [i for i, m in zip(row, mask) if m] == [i for i in row if i != pad_id]
        expected = feed.Encoder(tokenizer)({"raw": stored["raw"]})["input_ids"]
        assert [[i for i, m in zip(row, mask) if m] for row, mask in zip(ids, masks)] == expected

    def test_a_stream_of_unknown_features_with_stored_ids_is_only_collated(self, tokenizer):
        # its columns were guessed as the text column: the ids were encoded again and the labels dropped,
        # and without the text column the stream failed with a KeyError
        source = datasets.Dataset.from_dict({"raw": SENTENCES[:4]}).to_iterable_dataset()
        stream = source.map(feed.Encoder(tokenizer), batched=True, remove_columns=["raw"])
        stream = stream.map(lambda row: {"labels": [7] * len(row["input_ids"])})
        assert stream.column_names is None
        (batch,) = list(feed.dataloader(stream, tokenizer, batch_size=4))
        expected = feed.Encoder(tokenizer)({"raw": SENTENCES[:4]})["input_ids"]
        assert sorted(batch) == ["attention_mask", "input_ids", "labels"]
        assert [[i for i, m in zip(row, mask) if m] for row, mask in zip(batch["input_ids"].tolist(), batch["attention_mask"].tolist())] == expected
        assert [[label for label in row if label != -100] for row in batch["labels"].tolist()] == [[7] * len(ids) for ids in expected]

    def test_blocks_padded_with_their_separator_are_not_refused(self, tokenizer):
        # pad = [SEP] (pad = eos): a packed block ends with a separator, which is no sign of padding
        separator_padded = Tokenizer.from_str(tokenizer.to_str())
        separator_padded.enable_padding(pad_id=separator_padded.token_to_id(SEP_TOKEN), pad_token=SEP_TOKEN)
        blocks = feed.pack(datasets.Dataset.from_dict({"raw": SENTENCES * 3}), 16, separator_padded, labels=True)
        batches = list(feed.dataloader(blocks, separator_padded, batch_size=4))
        assert [row for batch in batches for row in batch["input_ids"].tolist()] == blocks["input_ids"]

    def test_dataloader_refuses_padded_ids_without_their_mask(self, tokenizer):
        stored = self._stored_by_tokenizers(datasets.Dataset.from_dict({"raw": SENTENCES}), tokenizer).remove_columns("attention_mask")
        with pytest.raises(ValueError, match=r"ends with the padding id 0 but has no attention_mask"):
            next(iter(feed.dataloader(stored, tokenizer, batch_size=2)))

    @pytest.mark.parametrize(
        ("padding", "dataloader_options"),
        [
            ({"pad_to_multiple_of": 8}, {}),
            ({}, {"pad_to_multiple_of": 8}),
            ({"pad_to_multiple_of": 16}, {"pad_to_multiple_of": 8}),
            ({"direction": "left"}, {}),
            ({"length": 24}, {}),
            (None, {}),
        ],
        ids=["tokenizers-multiple", "dataloader-multiple", "dataloader-multiple-wins", "tokenizers-left", "tokenizers-length",
             "no-padding-set-up"],
    )
    def test_dataloader_pads_as_the_encoder_does(self, tokenizer, padding, dataloader_options):
        # dataloader(pad_to_multiple_of=8) was a TypeError, and the tokenizer's padding set-up was ignored
        padded = Tokenizer.from_str(tokenizer.to_str())
        as_encoder = Tokenizer.from_str(tokenizer.to_str())
        if padding is not None:
            padded.enable_padding(pad_id=tokenizer.token_to_id(PAD_TOKEN), pad_token=PAD_TOKEN, **padding)
        as_encoder.enable_padding(pad_id=tokenizer.token_to_id(PAD_TOKEN), pad_token=PAD_TOKEN, **{**(padding or {}), **dataloader_options})
        texts = ["Hi there.", "He can't go.", SENTENCES[1]]
        batch = next(iter(feed.dataloader(datasets.Dataset.from_dict({"raw": texts}), padded, batch_size=3, **dataloader_options)))
        expected = feed.Encoder(as_encoder, padding=True)({"raw": texts})
        assert batch["input_ids"].tolist() == expected["input_ids"]
        assert batch["attention_mask"].tolist() == expected["attention_mask"]

    @pytest.mark.parametrize("max_length", [None, 6], ids=["tokenizers-own", "given"])
    def test_dataloader_truncates_as_the_tokenizer_says(self, max_length):
        texts = ["The harbour reopened on Monday after a week of storms and more.", "Hi."]
        loader = feed.dataloader(datasets.Dataset.from_dict({"raw": texts}), newspairs.load_tokenizer(max_length=8), max_length=max_length)
        batch = next(iter(loader))
        expected = feed.Encoder(shipped_tokenizer(), max_length=max_length or 8)({"raw": texts})["input_ids"]
        assert [row[mask.bool()].tolist() for row, mask in zip(batch["input_ids"], batch["attention_mask"])] == expected
        assert batch["input_ids"].shape[1] == (max_length or 8)

    def test_collator_pads_offsets(self, tokenizer):
        encoder = feed.Encoder(tokenizer, offsets=True)
        rows = encoder({"raw": ["A b.", "A b c d."]})
        examples = [{name: rows[name][i] for name in rows} for i in range(2)]
        batch = feed.PadCollator(pad_id=0)(examples)
        assert batch["offset_mapping"].shape == (*batch["input_ids"].shape, 2)
        assert batch["offset_mapping"][0, -1].tolist() == [0, 0]

    def test_dataloader_encodes_raw_text_and_keeps_labels(self, tokenizer):
        ds = datasets.Dataset.from_dict({"raw": SENTENCES, "label": [i % 2 for i in range(len(SENTENCES))]})
        batches = list(feed.dataloader(ds, tokenizer, batch_size=3, keep=("label",)))
        assert [b["input_ids"].shape[0] for b in batches] == [3, 3, 2]
        expected = feed.Encoder(tokenizer)({"raw": SENTENCES[:3]})["input_ids"]
        first = batches[0]
        assert [row[mask.bool()].tolist() for row, mask in zip(first["input_ids"], first["attention_mask"])] == expected
        assert first["label"].tolist() == [0, 1, 0]

    @pytest.mark.parametrize(
        "make_stream",
        [
            lambda rows: datasets.IterableDataset.from_generator(lambda: iter(rows)),
            lambda rows: datasets.Dataset.from_list(rows).to_iterable_dataset().map(lambda row: {"raw": row["raw"].strip()}),
        ],
        ids=["from-generator", "after-a-map"],
    )
    def test_dataloader_of_a_stream_of_unknown_features(self, tokenizer, make_stream):
        # column_names is None: the raw text was left in each row and torch failed on strings
        rows = [{"raw": text, "label": i % 2, "note": "x"} for i, text in enumerate(SENTENCES[:4])]
        stream = make_stream(rows)
        assert stream.column_names is None
        batches = list(feed.dataloader(stream, tokenizer, batch_size=2, keep=("label",)))
        assert [sorted(batch) for batch in batches] == [["attention_mask", "input_ids", "label"]] * 2
        expected = feed.Encoder(tokenizer)({"raw": SENTENCES[:4]})["input_ids"]
        got = [row[mask.bool()].tolist() for batch in batches for row, mask in zip(batch["input_ids"], batch["attention_mask"])]
        assert got == expected
        assert [label for batch in batches for label in batch["label"].tolist()] == [0, 1, 0, 1]

    def test_collator_names_a_column_it_cannot_stack(self):
        with pytest.raises(ValueError, match=r"column 'spans' cannot be stacked into a tensor .*its first value: \[1, 2\]"):
            feed.PadCollator(0)([{"input_ids": [5], "spans": [1, 2]}, {"input_ids": [6, 7], "spans": [3]}])

    def test_collator_keeps_a_column_of_strings_as_a_list(self):
        # the lines config's own key: torch's default_collate keeps strings as a list too
        batch = feed.PadCollator(0)([{"input_ids": [5], "article_id": "a1"}, {"input_ids": [6, 7], "article_id": "b2"}])
        assert batch["article_id"] == ["a1", "b2"]
        assert batch["input_ids"].tolist() == [[5, 0], [6, 7]]

    @pytest.mark.parametrize("values", [[None, "b2"], ["a1", None], [None, None]], ids=["first-null", "last-null", "all-null"])
    def test_collator_keeps_a_text_column_with_nulls_as_a_list(self, values):
        # a JSON key absent from some records is null there: a batch holding one failed, blaming the strings
        batch = feed.PadCollator(0)([{"input_ids": [5], "title": values[0]}, {"input_ids": [6], "title": values[1]}])
        assert batch["title"] == values

    def test_collator_names_a_null_it_cannot_stack(self):
        with pytest.raises(ValueError, match=r"column 'score' holds null in this batch \(example 1\)"):
            feed.PadCollator(0)([{"input_ids": [5], "score": 1.5}, {"input_ids": [6], "score": None}])

    def test_dataloader_keeps_string_ids_of_a_stream(self, tokenizer):
        rows = [{"raw": text, "article_id": f"id{i}"} for i, text in enumerate(SENTENCES[:4])]
        stream = datasets.Dataset.from_list(rows).to_iterable_dataset()
        batches = list(feed.dataloader(stream, tokenizer, batch_size=2, keep=("article_id",)))
        assert [batch["article_id"] for batch in batches] == [["id0", "id1"], ["id2", "id3"]]

    def test_dataloader_refuses_to_shuffle_a_stream(self, tokenizer):
        # it kept the stream's order without a word; torch's own DataLoader refuses shuffle=True here
        stream = datasets.Dataset.from_dict({"raw": SENTENCES}).to_iterable_dataset()
        with pytest.raises(ValueError, match=r"cannot shuffle an IterableDataset: .*dataset\.shuffle\(seed="):
            feed.dataloader(stream, tokenizer, shuffle=True)
        assert len(list(feed.dataloader(stream.shuffle(seed=0, buffer_size=4), tokenizer, batch_size=4))) == 2

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"max_length": "128"}, "^max_length must be a positive int or None, got '128'$"),
            ({"max_length": 2**64}, f"^max_length must be at most {2**31 - 1} .*, got {2**64}$"),
            ({"column": ["raw"]}, r"^column takes one column name \(a str\), got \['raw'\]$"),
            ({"pad_to_multiple_of": 10**30}, f"^pad_to_multiple_of must be at most {2**31 - 1} .*, got {10**30}$"),
            ({"batch_size": None}, r"^dataloader\(batch_size=None\): dataloader makes padded batches, so batch_size must be a positive int"),
            ({"batch_size": 2.0}, r"^batch_size must be a positive int, got 2\.0$"),
            ({"collate_fn": list}, r"^dataloader sets its own collate_fn \(a PadCollator.*for your own, make torch's DataLoader"),
            ({"batch_size": 4, "batch_sampler": [[0, 1]]}, r"^dataloader\(batch_size=4\) beside a batch_sampler, which makes the batches: leave batch_size out$"),
            ({"num_workers": 1.5}, r"^num_workers must be an int >= 0, got 1\.5$"),
            ({"num_workers": None}, "^num_workers must be an int >= 0, got None$"),
            ({"shuffle": "no"}, "^shuffle must be True or False, got 'no'$"),
        ],
        ids=["max-length-str", "max-length-too-large", "column-list", "multiple-too-large", "no-automatic-batching",
             "batch-size-float", "own-collate-fn", "batch-size-beside-a-batch-sampler", "workers-fraction", "workers-none",
             "shuffle-str"],
    )
    def test_dataloader_refuses_arguments_it_cannot_use_when_called(self, tokenizer, options, message):
        # each was torch's or tokenizers' TypeError or OverflowError, most of them only at the first batch
        with pytest.raises(ValueError, match=message):
            feed.dataloader(datasets.Dataset.from_dict({"raw": SENTENCES}), tokenizer, **options)

    @pytest.mark.parametrize(
        "batch_sampler",
        [
            lambda: [[3, 0], [5], [1, 2, 4]],
            lambda: __import__("torch").utils.data.BatchSampler(range(len(SENTENCES)), batch_size=3, drop_last=False),
        ],
        ids=["lists-of-rows", "torch-batch-sampler"],
    )
    def test_dataloader_takes_a_batch_sampler(self, tokenizer, batch_sampler):
        # torch refused it: dataloader always passed batch_size=32 beside it
        batches = list(feed.dataloader(datasets.Dataset.from_dict({"raw": SENTENCES}), tokenizer, batch_sampler=batch_sampler()))
        expected = [feed.Encoder(tokenizer)({"raw": [SENTENCES[i] for i in rows]})["input_ids"] for rows in batch_sampler()]
        got = [[row[mask.bool()].tolist() for row, mask in zip(b["input_ids"], b["attention_mask"])] for b in batches]
        assert got == expected and len(got) > 1

    def test_dataloader_of_packed_streaming_blocks(self, tokenizer):
        source = datasets.Dataset.from_dict({"raw": SENTENCES * 6}).to_iterable_dataset(num_shards=2)
        packed = feed.pack(source, 8, tokenizer, num_shards=2)
        batches = list(feed.dataloader(packed, tokenizer, batch_size=4))
        assert sum(b["input_ids"].shape[0] for b in batches) == len(list(packed))
        assert all(b["attention_mask"].all() for b in batches)


# Runs in a fresh interpreter so that a deadlock fails the test through the timeout instead of
# hanging the suite. The parent encodes in parallel first (the situation that deadlocks forked
# workers), then forked DataLoader workers encode raw text (through newspairs.dataloader, then
# through a hand-made DataLoader), others pack a stream, and map(num_proc=2) encodes in two forked
# processes. Without encode_sequentially_in_forked_children, the first DataLoader hangs.
FORKED_WORKERS_SCRIPT = textwrap.dedent(
    """
    import sys
    import datasets
    import torch
    from tokenizers import Tokenizer
    from newspairs import feed, pieces

    tokenizer = Tokenizer.from_file(sys.argv[1])
    texts = [line for line in open(sys.argv[2], encoding="utf-8").read().split("\\n")]
    tokenizer.encode_batch(texts * 50)  # the parent's thread pool is now in use
    ds = datasets.Dataset.from_dict({"raw": texts * 8})
    loader = feed.dataloader(ds, tokenizer, batch_size=4, num_workers=2, multiprocessing_context="fork")
    rows = sum(batch["input_ids"].shape[0] for batch in loader)
    assert rows == len(ds), rows
    # a hand-made DataLoader: nothing newspairs-specific but the Encoder and the collator
    plain = torch.utils.data.DataLoader(
        ds.with_transform(feed.Encoder(tokenizer)), batch_size=4, num_workers=2,
        collate_fn=feed.PadCollator(0), multiprocessing_context="fork",
    )
    rows = sum(batch["input_ids"].shape[0] for batch in plain)
    assert rows == len(ds), rows
    stream = ds.to_iterable_dataset(num_shards=4)
    loader = feed.dataloader(stream, tokenizer, batch_size=4, num_workers=2, multiprocessing_context="fork")
    rows = sum(batch["input_ids"].shape[0] for batch in loader)
    assert rows == len(ds), rows
    blocks = feed.pack(stream, 8, tokenizer, num_shards=2)  # the packing generator encodes in the workers
    loader = feed.dataloader(blocks, tokenizer, batch_size=4, num_workers=2, multiprocessing_context="fork")
    assert sum(batch["input_ids"].shape[0] for batch in loader) == len(list(blocks))
    # last: datasets sets TOKENIZERS_PARALLELISM=false in this process before forking for num_proc
    mapped = ds.map(feed.Encoder(tokenizer), batched=True, batch_size=4, num_proc=2)
    assert mapped["input_ids"] == feed.Encoder(tokenizer)(ds[:])["input_ids"]
    print("ok", rows)
    """
)


@pytest.mark.slow
def test_forked_dataloader_workers_finish_after_the_parent_encoded(tokenizer, tmp_path):
    pytest.importorskip("torch")
    tokenizer_file = tmp_path / "tokenizer.json"
    tokenizer.save(str(tokenizer_file))
    texts_file = tmp_path / "texts.txt"
    texts_file.write_text("\n".join(SENTENCES), encoding="utf-8")
    stdout = _run_with_parallelism_on(tmp_path / "forked_workers.py", FORKED_WORKERS_SCRIPT,
                                      [str(tokenizer_file), str(texts_file)], 90, "the DataLoader workers hung")
    assert stdout.split() == ["ok", str(len(SENTENCES) * 8)]


def _run_with_parallelism_on(script: Path, text: str, arguments: list[str], timeout: int, hung: str) -> str:
    """Run ``text`` as a script with TOKENIZERS_PARALLELISM=true (conftest turns it off; the parent
    must use it), in a process group of its own so that hung children are killed with it; its stdout."""
    script.write_text(text, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script), *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TOKENIZERS_PARALLELISM": "true"}, start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"{hung} (the tokenizers fork deadlock)")
    assert process.returncode == 0, stderr
    return stdout


# A tokenizer got after `import newspairs` alone (no newspairs.feed, no torch), a parallel encode
# in the parent, then a forked child's encode_batch: what a hand-made DataLoader's worker does.
FORKED_CHILD_SCRIPT = textwrap.dedent(
    """
    import os, sys
    import newspairs
    from tokenizers import Tokenizer

    tokenizer = eval(sys.argv[2])
    texts = open(sys.argv[1], encoding="utf-8").read().split("\\n")
    tokenizer.encode_batch(texts * 50)  # the parent's thread pool is now in use
    assert "newspairs.feed" not in sys.modules and "torch" not in sys.modules, sorted(sys.modules)
    child = os.fork()
    if child == 0:
        os._exit(0 if len(tokenizer.encode_batch(texts * 4)) == len(texts) * 4 else 1)
    _, status = os.waitpid(child, 0)
    print("ok", os.waitstatus_to_exitcode(status))
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("how", [
    "newspairs.load_tokenizer()",
    "newspairs.build_tokenizer()",
    "Tokenizer.from_file(os.path.join(os.path.dirname(newspairs.__file__), 'data', 'tokenizer', 'tokenizer.json'))",
], ids=["load_tokenizer", "build_tokenizer", "from_file"])
def test_a_forked_child_of_a_newspairs_user_finishes(tmp_path, how):
    # the guard was registered only by importing newspairs.feed, then newspairs.train: these children hung
    texts_file = tmp_path / "texts.txt"
    texts_file.write_text("\n".join(SENTENCES), encoding="utf-8")
    stdout = _run_with_parallelism_on(tmp_path / "forked_child.py", FORKED_CHILD_SCRIPT, [str(texts_file), how], 60,
                                      "the forked child hung")
    assert stdout.split() == ["ok", "0"]


def test_the_pieces_names_stay_importable_where_documented():
    from newspairs.normalize import normalized_words_of_pieces, text_pieces

    assert feed.WordIds is pieces.WordIds
    assert (text_pieces, normalized_words_of_pieces) == (pieces.text_pieces, pieces.normalized_words_of_pieces)
    with pytest.raises(ImportError, match="no_such_name"):
        from newspairs.normalize import no_such_name  # noqa: F401


# --- random models, call-time set-up, rows, options, encodings ----------------------------------------


@functools.lru_cache(maxsize=2)
def _trained(model):
    texts = SENTENCES * 3 + (seed_pair()[0] if (SHARED / "seed").is_dir() else [])
    return newspairs.train_tokenizer(texts, model=model, vocab_size=300, min_frequency=1, show_progress=False)


def sampling(model, rate):
    """A trained tokenizer whose model cuts words at random at every call (rate > 0): BPE-dropout or unigram sampling."""
    tok = Tokenizer.from_str(_trained(model).to_str())
    tok.encode_special_tokens = True
    if model == "bpe":
        tok.model.dropout = rate
    else:
        tok.model.alpha = rate
    return tok


def encode_with(path):
    """Each way of encoding raw text with the Encoder, as a function of (tokenizer, texts) -> rows of ids."""
    return {
        "skipping": lambda tok, texts: feed.Encoder(tok)({"raw": texts})["input_ids"],
        "in-encode-batch": lambda tok, texts: feed.Encoder(tok, skip_passes=False)({"raw": texts})["input_ids"],
        "offsets": lambda tok, texts: feed.Encoder(tok, offsets=True)({"raw": texts})["input_ids"],
        "encodings": lambda tok, texts: [e.ids for e in feed.Encoder(tok).encodings(texts)],
        "pickled": lambda tok, texts: pickle.loads(pickle.dumps(feed.Encoder(tok)))({"raw": texts})["input_ids"],
        "deep-copied": lambda tok, texts: copy.deepcopy(feed.Encoder(tok))({"raw": texts})["input_ids"],
        "encode": lambda tok, texts: feed.encode({"raw": texts}, tok)["input_ids"],
    }[path]


def _unigram_sampling(alpha):
    model = models.Unigram([("[UNK]", 0.0), ("a", -1.0)], 0, False)
    model.alpha = alpha
    return model


def _segmentation_of(tok, row):
    # a row's pieces joined, without their word marks: the normalized words joined, whatever the cut
    tokens = [tok.id_to_token(i) for i in row if i not in (tok.token_to_id("[CLS]"), tok.token_to_id(SEP_TOKEN))]
    return "".join(tokens).replace("</w>", "").replace("##", "")


class TestModelsThatCutAtRandom:
    @pytest.mark.parametrize(("model", "rate"), [("bpe", 1e-6), ("bpe", 1.0), ("unigram", 1e-6), ("unigram", 0.5)],
                             ids=["bpe-dropout-tiny", "bpe-dropout-all", "unigram-sampling-tiny", "unigram-sampling"])
    def test_keep_no_ids(self, model, rate):
        # a probe that passed by chance (or a copy that lost the sampling) froze each word's first cut for good
        assert feed.Encoder(sampling(model, rate))._word_ids is None
        assert feed.Encoder(sampling(model, 0.0))._word_ids is not None  # no randomness: the fast path stays

    @pytest.mark.parametrize("path", ["skipping", "in-encode-batch", "offsets", "encodings", "pickled", "deep-copied", "encode"])
    def test_unigram_sampling_cuts_anew_at_every_call_on_every_path(self, path):
        # Tokenizer.from_str (the Encoder's copy) and a pickle drop alpha: the copy encoded deterministically
        tok = sampling("unigram", 0.5)
        texts = ["The government announced new sanctions against the country on Thursday."] * 4
        rows = [tuple(row) for _ in range(5) for row in encode_with(path)(tok, texts)]
        reference = {tuple(e.ids) for _ in range(5) for e in tok.encode_batch(texts)}
        assert len(reference) > 1 and len(set(rows)) > 1
        normalized = newspairs.normalize(texts[0]).replace(" ", "")
        assert {_segmentation_of(tok, row) for row in rows} == {normalized}

    def test_encode_follows_a_change_of_the_sampling(self):
        tok = sampling("unigram", 0.0)
        texts = ["The government announced new sanctions against the country on Thursday."] * 4
        assert len({tuple(row) for row in feed.encode({"raw": texts}, tok)["input_ids"]}) == 1
        tok.model.alpha = 0.5  # not in to_str(): the kept Encoder was reused
        assert len({tuple(row) for _ in range(3) for row in feed.encode({"raw": texts}, tok)["input_ids"]}) > 1


class TestCallTimeSetUp:
    @pytest.mark.parametrize("model", ["wordpiece", "bpe"])
    @pytest.mark.parametrize("path", ["skipping", "pickled", "deep-copied", "encode"])
    def test_an_added_special_token_that_is_a_plain_word_is_text_on_the_default_path(self, model, path):
        # the default path encoded with a from_str copy that had lost encode_special_tokens: "eos" was cut out
        tok = Tokenizer.from_str(_trained(model).to_str())
        tok.encode_special_tokens = True
        tok.add_special_tokens(["eos"])
        texts = ["the eos test", "EOS. eos"]
        assert encode_with(path)(tok, texts) == [e.ids for e in tok.encode_batch(texts)]
        assert tok.token_to_id("eos") not in encode_with(path)(tok, texts)[0]

    def test_skip_normalization_keeps_encode_special_tokens(self, tokenizer):
        assert tokenizer.encode_special_tokens and feed.skip_normalization(tokenizer).encode_special_tokens


class TestRowsOfErrors:
    @pytest.mark.parametrize(
        ("run", "message"),
        [
            (lambda ds, tok: ds.map(feed.Encoder(tok), batched=True, batch_size=100), "row 50 of the batch is not text"),
            (lambda ds, tok: list(feed.dataloader(ds, tok, batch_size=32)), r"row 150 is not text"),
            (lambda ds, tok: list(feed.dataloader(ds, tok, batch_size=32, shuffle=True)), r"row 150 is not text"),
            (lambda ds, tok: list(feed.dataloader(ds.to_iterable_dataset(), tok, batch_size=32)), "row 22 of the batch is not text"),
            (lambda ds, tok: ds.map(feed.Encoder(tok).encode_rows, batched=True, batch_size=100, with_indices=True),
             r"row 150 is not text"),
        ],
        ids=["map", "dataloader", "dataloader-shuffled", "dataloader-stream", "map-with-indices"],
    )
    def test_the_row_named_is_the_datasets_or_said_to_be_the_batchs(self, tokenizer, run, message):
        texts = ["fine text"] * 300
        texts[150] = None
        with pytest.raises(ValueError, match=f"^column 'raw': {message} \\(NoneType\\): None$"):
            run(datasets.Dataset.from_dict({"raw": texts}), tokenizer)


class TestOptions:
    @pytest.mark.parametrize("padding", ["do_not_pad", "longest", "max_length", 1, None], ids=str)
    def test_padding_is_true_or_false(self, tokenizer, padding):
        with pytest.raises(ValueError, match=f"^padding must be True or False, got {re.escape(repr(padding))}$"):
            feed.Encoder(tokenizer, padding=padding, max_length=32)

    @pytest.mark.parametrize(
        "run",
        [
            lambda ds, tok: feed.Encoder(tok, keep="label")(ds[:]),
            lambda ds, tok: next(iter(feed.dataloader(ds, tok, batch_size=2, keep="label"))),
            lambda ds, tok: next(iter(feed.dataloader(ds.to_iterable_dataset(), tok, batch_size=2, keep="label"))),
        ],
        ids=["encoder-str", "dataloader-str", "dataloader-stream-str"],
    )
    def test_keep_as_one_str_is_that_column(self, tokenizer, run):
        out = run(datasets.Dataset.from_dict({"raw": ["Hi there.", "He can't go."], "label": [0, 1]}), tokenizer)
        assert list(out["label"]) == [0, 1] and "input_ids" in out

    def test_keep_takes_column_names(self, tokenizer):
        with pytest.raises(ValueError, match=r"^keep takes column names \(a str or a sequence of str\), got 3 in \('label', 3\)$"):
            feed.Encoder(tokenizer, keep=("label", 3))
        with pytest.raises(ValueError, match=r"^keep takes column names \(a str or a sequence of str\), got 5$"):
            feed.Encoder(tokenizer, keep=5)  # a TypeError, "'int' object is not iterable"

    @pytest.mark.parametrize(
        "store",
        [
            lambda ds, tok: ds.map(feed.Encoder(tok), batched=True),
            lambda ds, tok: feed.pack(ds, 16, tok),
            lambda ds, tok: ds.map(feed.Encoder(tok), batched=True, remove_columns=["raw"]).to_iterable_dataset(),
        ],
        ids=["stored-by-map", "packed", "stored-stream"],
    )
    def test_dataloader_refuses_max_length_for_stored_ids(self, tokenizer, store):
        # it was ignored: rows ran to their stored length
        stored = store(datasets.Dataset.from_dict({"raw": SENTENCES * 2}), tokenizer)
        with pytest.raises(ValueError, match=r"^dataloader\(max_length=8\) cannot apply to a dataset that holds input_ids already.*"
                                             r"Encoder\(max_length=8\)"):
            feed.dataloader(stored, tokenizer, batch_size=4, max_length=8)

    @pytest.mark.parametrize(
        ("make", "message"),
        [
            *[(lambda tok, v=value: feed.Encoder(tok, max_length=v), f"^max_length must be a positive int or None, got {re.escape(repr(value))}$")
              for value in ["128", [], 100.0, float("nan"), 1.5, True]],
            (lambda tok: feed.Encoder(tok, max_length=2**64), f"^max_length must be at most {2**31 - 1} .*, got {2**64}$"),
            (lambda tok: feed.encode({"raw": ["a."]}, tok, max_length="128"), "^max_length must be a positive int or None, got '128'$"),
            (lambda tok: feed.Encoder(tok, special_tokens=0), "^special_tokens must be True or False, got 0$"),
            (lambda tok: feed.Encoder(tok, special_tokens=None), "^special_tokens must be True or False, got None$"),
            (lambda tok: feed.Encoder(tok, offsets="no"), "^offsets must be True or False, got 'no'$"),
            (lambda tok: feed.Encoder(tok, skip_passes="no"), "^skip_passes must be True or False, got 'no'$"),
            (lambda tok: feed.Encoder(tok, column=["raw"]), r"^column takes one column name \(a str\), got \['raw'\]$"),
            (lambda tok: feed.pack(datasets.Dataset.from_dict({"raw": SENTENCES}), 4, tok, separator=None),
             r"^separator must be a token \(a str, such as '\[SEP\]'\), got None$"),
            (lambda tok: feed.pack(datasets.Dataset.from_dict({"raw": SENTENCES}), 4, tok, separator=0), r"^separator must be a token .*, got 0$"),
            (lambda tok: feed.pack(datasets.Dataset.from_dict({"raw": SENTENCES}), 4, tok, column=["raw"]),
             r"^column takes one column name \(a str\), got \['raw'\]$"),
            (lambda tok: feed.pack(datasets.Dataset.from_dict({"raw": SENTENCES}), 2**31, tok),
             f"^block_size must be at most {2**31 - 1} \\(the most ids an Arrow list holds\\), got {2**31}$"),
            (lambda tok: feed.pack_ids([[5, 6]], 0, 3), "^block_size must be a positive int, got 0$"),
            (lambda tok: feed.pack_ids([[5, 6]], 2, None), "^separator_id must be an int >= 0, got None$"),
            (lambda tok: feed.encode({"raw": ["a."]}, tok, max_len=8),
             r"^encode\(\) has no option 'max_len' \(its options: column, keep, max_length, offsets, padding, skip_passes, special_tokens\)$"),
            (lambda tok: feed.Encoder(tok).encode_rows({"raw": ["a.", None]}, [5]),
             r"^encode_rows\(\) got 1 row numbers \(rows\) for the batch's 2 texts: \[5\]$"),
        ],
        ids=[*(f"max-length-{name}" for name in ["str", "list", "float", "nan", "fraction", "bool"]), "max-length-too-large",
             "encode-max-length-str", "special-tokens-0", "special-tokens-none", "offsets-str", "skip-passes-str", "column-list",
             "separator-none", "separator-an-id", "pack-column-list", "block-size-too-large",
             "pack-ids-block-size-0", "pack-ids-separator-none", "encode-unknown-option", "rows-of-another-length"],
    )
    def test_arguments_of_the_wrong_kind_are_refused_where_given(self, tokenizer, make, message):
        # they were TypeErrors and OverflowErrors naming nothing, some only at the first batch; a
        # truthy "no" turned offsets on, and max_length=1.5 was "shorter than the 2 special ids"
        with pytest.raises(ValueError, match=message):
            make(tokenizer)

    def test_numpy_flags_and_numbers_are_taken(self, tokenizer):
        import numpy as np

        encoder = feed.Encoder(tokenizer, offsets=np.True_, max_length=np.int64(8), padding=np.False_)
        assert (encoder.offsets, encoder.padding, encoder.max_length) == (True, False, 8)
        assert type(encoder.offsets) is bool and type(encoder.max_length) is int
        assert feed.PadCollator(np.int64(0), check_padding=np.True_).check_padding is True
        stream = datasets.Dataset.from_dict({"raw": SENTENCES}).to_iterable_dataset(num_shards=2)
        assert list(feed.pack(stream, 4, tokenizer, num_shards=np.int64(2))) == list(feed.pack(stream, 4, tokenizer, num_shards=2))


class TestEncodings:
    @pytest.mark.parametrize("options", [{}, {"skip_passes": False}, {"max_length": 6}, {"special_tokens": False}],
                             ids=["skipping", "in-encode-batch", "truncated", "no-specials"])
    def test_encodings_are_whole(self, tokenizer, options):
        # they were encode_batch_fast's: tokens '', offsets (0, 0), word_ids None
        texts = ['He said, "no."', SENTENCES[1]]
        got = feed.Encoder(tokenizer, **options).encodings(texts)
        callers = Tokenizer.from_str(tokenizer.to_str())
        callers.encode_special_tokens = True
        if "max_length" in options:
            callers.enable_truncation(options["max_length"])
        expected = callers.encode_batch(texts, add_special_tokens=options.get("special_tokens", True))
        for mine, theirs in zip(got, expected, strict=True):
            assert (mine.ids, mine.tokens, mine.offsets, mine.word_ids) == (theirs.ids, theirs.tokens, theirs.offsets, theirs.word_ids)
            assert all(mine.tokens) and any(end for _, end in mine.offsets)
        assert [e.ids for e in got] == feed.Encoder(tokenizer, **options)({"raw": texts})["input_ids"]

    @pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
    @pytest.mark.parametrize("method", ["encodings", "ids"])
    @pytest.mark.parametrize(
        ("texts", "message"),
        [
            ("He said.", r" takes a batch of texts \(a list\), got one str: 'He said.'"),
            ({"raw": ["He said."]}, r" takes a batch of texts \(a list\), got a dict \(of 'raw'\)"),
            (["fine", None], r": row 1 is not text \(NoneType\): None$"),
            ([1], r": row 0 is not text \(int\): 1$"),
            (["fine", "ok\ud800x"], r": row 1 is not UTF-8 text \(the lone surrogate '\\ud800' at character 2\)"),
        ],
        ids=["one-str", "a-batch-dict", "none", "a-number", "lone-surrogate"],
    )
    def test_texts_are_checked_as_in_a_batch(self, tokenizer, options, method, texts, message):
        # one str was encoded a character per text, a dict by its keys; a row that is not text was
        # tokenizers' TypeError naming no row
        with pytest.raises(ValueError, match=f"^Encoder\\.{method}\\(\\){message}"):
            getattr(feed.Encoder(tokenizer, **options), method)(texts)


class TestBatches:
    @pytest.mark.parametrize("options", [*PATHS, {"padding": True}], ids=[*PATH_IDS, "padded"])
    @pytest.mark.parametrize("streaming", [False, True], ids=["dataset", "stream"])
    @pytest.mark.parametrize("keep", [(), ("label",)], ids=["keeping-none", "keeping-label"])
    def test_a_pyarrow_table_batch_gives_a_table_of_the_same_rows(self, tokenizer, options, streaming, keep):
        # `column in table` was false for a pa.Table: "no text column 'raw'", its columns listed as
        # ChunkedArrays; then the Table given back held the encoded columns only, and datasets takes
        # a Table as the whole batch: every other column (labels) was dropped, silently
        ds = datasets.Dataset.from_dict({"raw": SENTENCES, "label": list(range(len(SENTENCES)))})
        encoder = feed.Encoder(tokenizer, keep=keep, **options)
        expected = ds.map(encoder, batched=True, batch_size=3)  # the python format: raw, label, then the ids
        if streaming:  # a stream's arrow-format map takes only a pa.Table back
            got = ds.to_iterable_dataset(num_shards=2).with_format("arrow").map(encoder, batched=True, batch_size=3)
            assert list(got.with_format(None)) == list(expected)
        else:
            got = ds.with_format("arrow").map(encoder, batched=True, batch_size=3)
            assert got.with_format(None)[:] == expected[:] and got.features == expected.features
        assert list(expected.features)[:2] == ["raw", "label"]

    def test_a_pyarrow_record_batch_is_a_batch_too(self, tokenizer):
        import pyarrow as pa

        got = feed.Encoder(tokenizer)(pa.record_batch({"raw": SENTENCES[:2], "n": [1, 2]}))
        want = feed.Encoder(tokenizer)({"raw": SENTENCES[:2]})
        assert got.column_names == ["raw", "n", "input_ids", "attention_mask"]
        assert got.column("input_ids").to_pylist() == want["input_ids"]

    @pytest.mark.parametrize(
        ("batch", "message"),
        [
            (lambda ds: ds, r"takes a batch .*, got a whole Dataset of columns \['raw'\]: use dataset\.map\(encoder, batched=True\)"),
            (lambda ds: ds.to_iterable_dataset(), r"takes a batch .*, got a whole IterableDataset of columns \['raw'\]: use dataset\.map"),
            (lambda ds: datasets.DatasetDict({"train": ds}), r"takes a batch, got a DatasetDict of splits \['train'\]: use dataset\.map"),
            (lambda ds: ["a", "b"], r"takes a batch \(a dict of columns, as map\(batched=True\) hands it\), got list: \['a', 'b'\]"),
        ],
        ids=["a-dataset", "an-iterable-dataset", "a-dataset-dict", "a-list-of-texts"],
    )
    def test_what_is_no_batch_is_refused(self, tokenizer, batch, message):
        # a Dataset was "'<' not supported between instances of 'dict' and 'dict'" (its rows sorted as columns)
        with pytest.raises(ValueError, match=f"^the Encoder {message}"):
            feed.Encoder(tokenizer)(batch(datasets.Dataset.from_dict({"raw": ["a", "b"]})))
