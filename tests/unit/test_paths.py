"""The one gate for generated file paths: what it refuses, and the normal form it returns."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.paths import MAX_PATH_LENGTH, UnsafePathError, check_path, is_safe_path


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/etc/passwd", "is absolute"),
        ("~/.bashrc", "is absolute"),
        ("../secrets.py", "contains '..'"),
        ("pkg/../../x.py", "contains '..'"),
        ("pkg\\mod.py", "backslash"),
        ("C:/Windows/x.py", "drive letter"),
        ("c:x.py", "drive letter"),
        ("a\x00b.py", "NUL or control character"),
        ("a\nb.py", "NUL or control character"),
        ("a\x7f.py", "NUL or control character"),
        (".git/config", ".git directory"),
        (".GIT/x", ".git directory"),
        ("a/.git/hooks/pre-commit", ".git directory"),
        ("", "empty path"),
        ("   ", "empty path"),
        ("./", "names no file"),
        ("pkg/ mod.py", "leading or trailing spaces"),
        ("a" * (MAX_PATH_LENGTH + 1), "longer than"),
    ],
)
def test_unsafe_paths_are_refused_with_a_reason(path: str, reason: str) -> None:
    with pytest.raises(UnsafePathError, match=re.escape(reason)):
        check_path(path)
    assert not is_safe_path(path)


def test_the_error_message_names_the_path() -> None:
    with pytest.raises(UnsafePathError) as info:
        check_path("../../etc/shadow")
    assert "'../../etc/shadow'" in str(info.value)
    assert info.value.path == "../../etc/shadow"


@pytest.mark.parametrize(
    ("path", "normal"),
    [
        ("./a//b.py", "a/b.py"),
        ("a/./b.py", "a/b.py"),
        ("pkg/", "pkg"),
        ("tests/test_x.py", "tests/test_x.py"),
        (".gitignore", ".gitignore"),
        ("a/.github/workflows/ci.yml", "a/.github/workflows/ci.yml"),
        ("..foo/x.py", "..foo/x.py"),
    ],
)
def test_safe_paths_come_back_in_normal_form(path: str, normal: str) -> None:
    assert check_path(path) == normal
    assert is_safe_path(path)


def test_a_non_string_is_refused() -> None:
    with pytest.raises(UnsafePathError, match="empty path"):
        check_path(None)  # type: ignore[arg-type]


@given(st.text(alphabet=st.sampled_from(list("ab./\\:~ \x00gitGIT")), max_size=30))
def test_check_path_never_returns_an_escaping_path(path: str) -> None:
    try:
        normal = check_path(path)
    except UnsafePathError:
        return
    parts = normal.split("/")
    assert not normal.startswith(("/", "~"))
    assert ".." not in parts
    assert all(part and part.lower() != ".git" for part in parts)
    assert "\\" not in normal and "\x00" not in normal
    assert check_path(normal) == normal  # the normal form is a fixed point
