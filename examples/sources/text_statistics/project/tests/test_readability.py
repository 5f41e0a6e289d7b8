"""Tests for textstats.readability: syllables and the Flesch scores."""

import pytest

from textstats.readability import (
    EmptyTextError,
    ReadabilityScores,
    count_syllables,
    ease_label,
    flesch_kincaid_grade,
    flesch_reading_ease,
    readability,
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("cat", 1),
        ("water", 2),
        ("table", 2),
        ("make", 1),
        ("free", 1),
        ("jumped", 1),
        ("wanted", 2),
        ("makes", 1),
        ("boxes", 2),
        ("beautiful", 3),
        ("Rhythm", 1),
    ],
)
def test_count_syllables(word, expected):
    assert count_syllables(word) == expected


@pytest.mark.parametrize("word", ["the", "be", "she", "me", "we", "he"])
def test_short_words_have_one_syllable(word):
    assert count_syllables(word) == 1


def test_every_word_has_at_least_one_syllable():
    text = "The quick brown fox jumps over the lazy dog while she and he wave"
    assert all(count_syllables(w) >= 1 for w in text.split())


def test_no_letters_no_syllables():
    assert count_syllables("42") == 0
    assert count_syllables("") == 0


def test_flesch_scores_of_a_simple_sentence():
    # 6 words, 1 sentence, 6 syllables.
    text = "The cat sat on the mat."

    assert flesch_reading_ease(text) == pytest.approx(206.835 - 1.015 * 6 - 84.6 * 1)
    assert flesch_kincaid_grade(text) == pytest.approx(0.39 * 6 + 11.8 * 1 - 15.59)


def test_readability_bundles_counts_and_scores():
    text = "The cat sat on the mat. It was happy."

    scores = readability(text)

    assert isinstance(scores, ReadabilityScores)
    assert (scores.words, scores.sentences, scores.syllables) == (9, 2, 10)
    assert scores.flesch_reading_ease == pytest.approx(flesch_reading_ease(text))
    assert scores.flesch_kincaid_grade == pytest.approx(flesch_kincaid_grade(text))
    assert scores.ease_label == "very easy"


def test_harder_text_scores_lower():
    easy = "We went out. The sun was hot. We had fun."
    hard = (
        "Comprehensive institutional considerations necessitate extraordinarily "
        "sophisticated organisational methodologies."
    )
    assert flesch_reading_ease(hard) < flesch_reading_ease(easy)
    assert flesch_kincaid_grade(hard) > flesch_kincaid_grade(easy)


@pytest.mark.parametrize(
    ("score", "label"),
    [(95, "very easy"), (85, "easy"), (75, "fairly easy"), (65, "standard"),
     (55, "fairly difficult"), (40, "difficult"), (10, "very difficult")],
)  # fmt: skip
def test_ease_labels(score, label):
    assert ease_label(score) == label


@pytest.mark.parametrize("text", ["", "   ", "123 456."])
def test_text_without_words_raises(text):
    with pytest.raises(EmptyTextError):
        readability(text)
    with pytest.raises(ValueError):
        flesch_reading_ease(text)
