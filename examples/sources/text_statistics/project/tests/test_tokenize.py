"""Tests for textstats.tokenize: words and sentences."""

from textstats.tokenize import sentences, words


def test_words_are_lower_cased_without_punctuation_or_digits():
    assert words("Hello, World! 42 times: hello-world.") == [
        "hello", "world", "times", "hello", "world",
    ]  # fmt: skip


def test_inner_apostrophes_stay_and_curly_ones_are_normalised():
    assert words("Don’t stop; it's 5 o'clock 'quoted'") == [
        "don't", "stop", "it's", "o'clock", "quoted",
    ]  # fmt: skip


def test_words_of_other_scripts():
    assert words("Grüße aus Köln, ça va?") == ["grüße", "aus", "köln", "ça", "va"]


def test_no_words():
    assert words("") == []
    assert words("123 -- !!!") == []


def test_sentences_split_on_terminal_punctuation():
    text = "It rained. Did it stop?  No!\nWe stayed in."
    assert sentences(text) == ["It rained.", "Did it stop?", "No!", "We stayed in."]


def test_closing_quotes_stay_with_their_sentence():
    assert sentences('He said "go." Then he left.') == ['He said "go."', "Then he left."]


def test_text_without_final_punctuation_is_one_sentence():
    assert sentences("  just some words  ") == ["just some words"]


def test_pieces_without_words_are_not_sentences():
    assert sentences("... !!! 42.") == []
    assert sentences("") == []
