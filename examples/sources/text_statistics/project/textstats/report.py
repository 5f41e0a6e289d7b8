"""The full statistics report of a text: counts, frequencies, readability; text and JSON forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textstats.frequency import lexical_diversity, top_words
from textstats.readability import EmptyTextError, ReadabilityScores, readability
from textstats.tokenize import sentences, words


@dataclass(frozen=True)
class TextReport:
    """Everything the toolkit measures about one text."""

    characters: int
    words: int
    unique_words: int
    sentences: int
    average_word_length: float
    average_sentence_length: float
    lexical_diversity: float
    top_words: list[tuple[str, int]]
    readability: ReadabilityScores


def build_report(text: str, *, top: int = 10, ignore_stopwords: bool = True) -> TextReport:
    """Measure `text`. Raises EmptyTextError when it has no words, ValueError if top < 1."""
    all_words = words(text)
    if not all_words:
        raise EmptyTextError("the text has no words to report on")
    sentence_count = max(1, len(sentences(text)))
    return TextReport(
        characters=len(text),
        words=len(all_words),
        unique_words=len(set(all_words)),
        sentences=sentence_count,
        average_word_length=sum(len(w.replace("'", "")) for w in all_words) / len(all_words),
        average_sentence_length=len(all_words) / sentence_count,
        lexical_diversity=lexical_diversity(text),
        top_words=top_words(text, top, ignore_stopwords=ignore_stopwords),
        readability=readability(text),
    )


def report_to_dict(report: TextReport) -> dict[str, Any]:
    """A JSON-ready dict; floats rounded to 2 places, top words as {"word", "count"} objects."""
    r = report.readability
    return {
        "characters": report.characters,
        "words": report.words,
        "unique_words": report.unique_words,
        "sentences": report.sentences,
        "average_word_length": round(report.average_word_length, 2),
        "average_sentence_length": round(report.average_sentence_length, 2),
        "lexical_diversity": round(report.lexical_diversity, 2),
        "top_words": [{"word": w, "count": c} for w, c in report.top_words],
        "readability": {
            "syllables": r.syllables,
            "flesch_reading_ease": round(r.flesch_reading_ease, 2),
            "flesch_kincaid_grade": round(r.flesch_kincaid_grade, 2),
            "ease": r.ease_label,
        },
    }


def format_report(report: TextReport, *, title: str | None = None) -> str:
    """The report as aligned plain text, under an optional title line."""
    r = report.readability
    rows = [
        ("Characters", f"{report.characters:,}"),
        ("Words", f"{report.words:,}"),
        ("Unique words", f"{report.unique_words:,}"),
        ("Sentences", f"{report.sentences:,}"),
        ("Average word length", f"{report.average_word_length:.1f} letters"),
        ("Average sentence length", f"{report.average_sentence_length:.1f} words"),
        ("Lexical diversity", f"{report.lexical_diversity:.2f}"),
        ("Flesch reading ease", f"{r.flesch_reading_ease:.1f} ({r.ease_label})"),
        ("Flesch-Kincaid grade", f"{r.flesch_kincaid_grade:.1f}"),
    ]
    lines = [f"Text statistics: {title}" if title else "Text statistics"]
    lines += [f"  {label + ':':<25}{value}" for label, value in rows]
    lines.append("Top words")
    if not report.top_words:
        lines.append("  (none)")
    width = max((len(w) for w, _ in report.top_words), default=0)
    lines += [
        f"  {rank:>2}. {word:<{width}}  {count}"
        for rank, (word, count) in enumerate(report.top_words, start=1)
    ]
    return "\n".join(lines)
