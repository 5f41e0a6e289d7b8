"""Tests for the textstats package: the public API works end to end."""

import textstats


def test_public_names_are_exported():
    for name in textstats.__all__:
        assert hasattr(textstats, name), name
    assert textstats.__version__ == "0.1.0"


def test_report_through_the_package():
    text = "Rain fell. Rain stopped. Birds sang in the rain."

    report = textstats.build_report(text, top=1)

    assert report.words == len(textstats.words(text)) == 9
    assert report.sentences == len(textstats.sentences(text)) == 3
    assert report.top_words == textstats.top_words(text, 1) == [("rain", 3)]
    assert report.readability == textstats.readability(text)
    assert "Text statistics" in textstats.format_report(report)


def test_empty_text_error_is_a_value_error():
    assert issubclass(textstats.EmptyTextError, ValueError)
