"""Split text into words and sentences."""

from __future__ import annotations

import re

# Letters (any script), optionally joined by inner apostrophes: "don't", "o'clock".
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
# A sentence ends at a run of . ! ? (optionally followed by closing quotes or brackets).
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def words(text: str) -> list[str]:
    """The words of `text` in order, lower-cased; digits and punctuation are not words.

    Typographic apostrophes count as "'", so "Don’t" and "don't" are the same word.
    """
    return [w.lower() for w in _WORD.findall(text.translate(_APOSTROPHES))]


def sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped; pieces without any word are dropped.

    Text without final punctuation still forms a sentence. Abbreviations such as "Dr." end
    a sentence: a known limit of punctuation-based splitting.
    """
    pieces = _SENTENCE_END.split(text.strip())
    return [p.strip() for p in pieces if words(p)]
