"""Syllable counting and readability scores (Flesch reading ease, Flesch-Kincaid grade)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from textstats.tokenize import sentences, words

_VOWEL_GROUP = re.compile(r"[aeiouy]+")
# Bands of the Flesch reading-ease scale, from the easiest down: (lowest score, label).
_EASE_BANDS = (
    (90.0, "very easy"),
    (80.0, "easy"),
    (70.0, "fairly easy"),
    (60.0, "standard"),
    (50.0, "fairly difficult"),
    (30.0, "difficult"),
)


class EmptyTextError(ValueError):
    """Readability is undefined for a text without words."""


def count_syllables(word: str) -> int:
    """An estimate of the syllables in an English word; 0 only when it has no letters.

    Counts vowel groups, then drops a silent final "e" (but not "-le" after a consonant, as
    in "table", nor "-ee"), and a silent "-ed" / "-es" ending ("jumped", "makes").
    """
    letters = "".join(ch for ch in word.lower() if ch.isalpha())
    if not letters:
        return 0
    count = len(_VOWEL_GROUP.findall(letters))
    consonant_before = len(letters) > 2 and letters[-3] not in "aeiouy"
    silent_e = (
        letters.endswith("e")
        and not letters.endswith("ee")
        and not (letters.endswith("le") and consonant_before)
    )
    silent_ed = letters.endswith("ed") and len(letters) > 3 and letters[-3] not in "aeioutd"
    silent_es = (
        letters.endswith("es")
        and len(letters) > 3
        and letters[-3] not in "aeiouysxzgc"
        and not letters.endswith(("ches", "shes"))
    )
    if silent_e or silent_ed or silent_es:
        count -= 1
    # Every word is pronounced with at least one syllable ("the", "be", "she").
    return max(1, count)


@dataclass(frozen=True)
class ReadabilityScores:
    """The counts behind the scores, and the scores themselves."""

    words: int
    sentences: int
    syllables: int
    flesch_reading_ease: float
    flesch_kincaid_grade: float

    @property
    def ease_label(self) -> str:
        return ease_label(self.flesch_reading_ease)


def _counts(text: str) -> tuple[int, int, int]:
    all_words = words(text)
    if not all_words:
        raise EmptyTextError("the text has no words to score")
    return len(all_words), max(1, len(sentences(text))), sum(map(count_syllables, all_words))


def _ease(w: int, s: int, syl: int) -> float:
    return 206.835 - 1.015 * (w / s) - 84.6 * (syl / w)


def _grade(w: int, s: int, syl: int) -> float:
    return 0.39 * (w / s) + 11.8 * (syl / w) - 15.59


def flesch_reading_ease(text: str) -> float:
    """206.835 - 1.015 * words/sentence - 84.6 * syllables/word; higher is easier."""
    return _ease(*_counts(text))


def flesch_kincaid_grade(text: str) -> float:
    """0.39 * words/sentence + 11.8 * syllables/word - 15.59: a US school grade."""
    return _grade(*_counts(text))


def ease_label(score: float) -> str:
    """The plain-words band of a Flesch reading-ease score ("standard" for 60-70)."""
    for lowest, label in _EASE_BANDS:
        if score >= lowest:
            return label
    return "very difficult"


def readability(text: str) -> ReadabilityScores:
    """Every score of `text` at once. Raises EmptyTextError when it has no words."""
    w, s, syl = _counts(text)
    return ReadabilityScores(
        words=w,
        sentences=s,
        syllables=syl,
        flesch_reading_ease=_ease(w, s, syl),
        flesch_kincaid_grade=_grade(w, s, syl),
    )
