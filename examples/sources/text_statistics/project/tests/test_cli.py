"""Tests for textstats.cli: files, stdin, JSON output and exit codes."""

import io
import json

import pytest

from textstats.cli import main


@pytest.fixture
def essay(tmp_path):
    path = tmp_path / "essay.txt"
    path.write_text("Whales sing. Whales swim far. The ocean is wide.", encoding="utf-8")
    return str(path)


def test_text_report_for_a_file(essay, capsys):
    assert main([essay, "--top", "2"]) == 0
    out = capsys.readouterr().out.splitlines()

    assert out[0] == f"Text statistics: {essay}"
    assert "  Words:                   9" in out
    assert "  Sentences:               3" in out
    assert out[-3:] == ["Top words", "   1. whales  2", "   2. far     1"]


def test_json_report(essay, capsys):
    assert main([essay, "--json"]) == 0
    (data,) = json.loads(capsys.readouterr().out)

    assert data["source"] == essay
    assert data["words"] == 9 and data["sentences"] == 3
    assert data["top_words"][0] == {"word": "whales", "count": 2}
    assert isinstance(data["readability"]["flesch_reading_ease"], float)


def test_reads_standard_input(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("To be or not to be."))

    assert main(["--json", "--all-words", "-n", "1"]) == 0
    (data,) = json.loads(capsys.readouterr().out)

    assert data["source"] == "<stdin>"
    assert data["top_words"] == [{"word": "be", "count": 2}]


def test_several_files_and_a_missing_one(essay, tmp_path, capsys):
    missing = str(tmp_path / "missing.txt")

    assert main([essay, missing, essay]) == 1
    captured = capsys.readouterr()

    assert captured.out.count("Text statistics:") == 2
    assert f"error: cannot read {missing}" in captured.err


def test_text_without_words_is_an_error(tmp_path, capsys):
    empty = tmp_path / "numbers.txt"
    empty.write_text("1 2 3", encoding="utf-8")

    assert main([str(empty)]) == 1
    assert "has no words" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys):
    assert main(["--top", "0"]) == 2
    assert main(["--top", "many"]) == 2
    assert main(["--bogus"]) == 2
    capsys.readouterr()
