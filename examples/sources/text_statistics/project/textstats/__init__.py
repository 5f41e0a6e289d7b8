"""textstats: word frequencies, readability scores and a command-line report for texts."""

from textstats.frequency import STOPWORDS, lexical_diversity, top_words, word_frequencies
from textstats.readability import (
    EmptyTextError,
    ReadabilityScores,
    count_syllables,
    flesch_kincaid_grade,
    flesch_reading_ease,
    readability,
)
from textstats.report import TextReport, build_report, format_report, report_to_dict
from textstats.tokenize import sentences, words

__version__ = "0.1.0"

__all__ = [
    "STOPWORDS",
    "EmptyTextError",
    "ReadabilityScores",
    "TextReport",
    "__version__",
    "build_report",
    "count_syllables",
    "flesch_kincaid_grade",
    "flesch_reading_ease",
    "format_report",
    "lexical_diversity",
    "readability",
    "report_to_dict",
    "sentences",
    "top_words",
    "word_frequencies",
    "words",
]
