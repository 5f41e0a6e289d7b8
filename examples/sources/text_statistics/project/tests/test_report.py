"""Tests for textstats.report: the report, its JSON form and its text form."""

import json

import pytest

from textstats.readability import EmptyTextError, readability
from textstats.report import TextReport, build_report, format_report, report_to_dict

TEXT = "Call me Ishmael. Some years ago, never mind how long, I went to sea. The sea was calm."


@pytest.fixture
def report():
    return build_report(TEXT, top=3)


def test_counts(report):
    assert isinstance(report, TextReport)
    assert report.characters == len(TEXT)
    assert report.words == 18
    assert report.unique_words == 17
    assert report.sentences == 3
    assert report.average_sentence_length == pytest.approx(6.0)
    assert report.average_word_length == pytest.approx(sum(map(len, TEXT.split())) / 18, abs=0.5)
    assert report.lexical_diversity == pytest.approx(17 / 18)


def test_top_words_leave_out_stopwords_by_default(report):
    assert report.top_words == [("sea", 2), ("ago", 1), ("call", 1)]
    assert build_report(TEXT, top=1, ignore_stopwords=False).top_words == [("sea", 2)]


def test_readability_is_the_readability_module_result(report):
    assert report.readability == readability(TEXT)


def test_dict_is_json_ready_and_rounded(report):
    data = report_to_dict(report)

    assert json.loads(json.dumps(data)) == data
    assert data["words"] == 18
    assert data["top_words"][0] == {"word": "sea", "count": 2}
    assert data["lexical_diversity"] == round(17 / 18, 2)
    assert set(data["readability"]) == {
        "syllables", "flesch_reading_ease", "flesch_kincaid_grade", "ease",
    }  # fmt: skip


def test_text_form(report):
    text = format_report(report, title="moby.txt")
    lines = text.splitlines()

    assert lines[0] == "Text statistics: moby.txt"
    assert "  Words:                   18" in lines
    assert "  Sentences:               3" in lines
    assert any(line.startswith("  Flesch reading ease:     ") for line in lines)
    assert lines[-4:] == ["Top words", "   1. sea   2", "   2. ago   1", "   3. call  1"]


def test_large_counts_have_thousands_separators():
    text = format_report(build_report("word " * 1500))
    assert "  Words:                   1,500" in text.splitlines()


def test_empty_text_raises():
    with pytest.raises(EmptyTextError):
        build_report("  12 34  ")
