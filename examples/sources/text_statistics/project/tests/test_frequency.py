"""Tests for textstats.frequency: counts, top words and diversity."""

import pytest

from textstats.frequency import STOPWORDS, lexical_diversity, top_words, word_frequencies

TEXT = "The cat and the hat. The cat sat. A bat, a cat!"


def test_frequencies_count_every_word():
    counts = word_frequencies(TEXT)

    assert counts["the"] == 3
    assert counts["cat"] == 3
    assert counts["a"] == 2
    assert sum(counts.values()) == 12


def test_stopwords_can_be_left_out():
    counts = word_frequencies(TEXT, ignore_stopwords=True)

    assert "the" not in counts and "a" not in counts and "and" not in counts
    assert counts == {"cat": 3, "hat": 1, "sat": 1, "bat": 1}


def test_top_words_order_by_count_then_alphabet():
    assert top_words(TEXT, 3) == [("cat", 3), ("bat", 1), ("hat", 1)]


def test_top_words_with_stopwords():
    assert top_words(TEXT, 2, ignore_stopwords=False) == [("cat", 3), ("the", 3)]


def test_top_words_with_more_requested_than_exist():
    assert len(top_words("one two", 10)) == 2


def test_top_words_rejects_n_below_one():
    with pytest.raises(ValueError):
        top_words(TEXT, 0)


def test_lexical_diversity():
    assert lexical_diversity("a b c d") == 1.0
    assert lexical_diversity("echo echo echo echo") == 0.25
    assert lexical_diversity("") == 0.0


def test_stopwords_are_lower_case_words():
    assert {"the", "and", "of", "it's"} <= STOPWORDS
    assert all(w == w.lower() and " " not in w for w in STOPWORDS)
