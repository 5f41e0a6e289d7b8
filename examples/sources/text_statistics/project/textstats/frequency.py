"""Word frequencies, the most common words and lexical diversity."""

from __future__ import annotations

from collections import Counter

from textstats.tokenize import words

# Common English function words, left out of "top words" by default.
_STOPWORD_TEXT = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it it's
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())


def word_frequencies(text: str, *, ignore_stopwords: bool = False) -> Counter[str]:
    """How often each (lower-cased) word occurs, optionally leaving out STOPWORDS."""
    return Counter(w for w in words(text) if not (ignore_stopwords and w in STOPWORDS))


def top_words(text: str, n: int = 10, *, ignore_stopwords: bool = True) -> list[tuple[str, int]]:
    """The `n` most frequent words as (word, count): highest count first, ties alphabetical.

    Raises ValueError when `n` is less than 1.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    counts = word_frequencies(text, ignore_stopwords=ignore_stopwords)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]


def lexical_diversity(text: str) -> float:
    """Distinct words / all words (type-token ratio), between 0 and 1; 0.0 without words."""
    all_words = words(text)
    return len(set(all_words)) / len(all_words) if all_words else 0.0
