"""The one place that decides whether a generated file path is safe to write."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

MAX_PATH_LENGTH = 200
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UnsafePathError(ValueError):
    """A generated path that must never be written."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"unsafe file path {path!r}: {reason}")


def check_path(path: str) -> str:
    """Return `path` in normal form (POSIX, relative, no `./`) or raise UnsafePathError."""
    if not isinstance(path, str) or not path.strip():
        raise UnsafePathError(str(path), "empty path")
    if _CONTROL.search(path):
        raise UnsafePathError(path, "contains a NUL or control character")
    if "\\" in path:
        raise UnsafePathError(path, "contains a backslash")
    if _DRIVE.match(path):
        raise UnsafePathError(path, "starts with a drive letter")
    if path.startswith("/") or path.startswith("~"):
        raise UnsafePathError(path, "is absolute")
    if len(path) > MAX_PATH_LENGTH:
        raise UnsafePathError(path[:60] + "...", f"longer than {MAX_PATH_LENGTH} characters")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if not parts:
        raise UnsafePathError(path, "names no file")
    for part in parts:
        if part == "..":
            raise UnsafePathError(path, "contains '..'")
        if part.lower() == ".git":
            raise UnsafePathError(path, "writes inside a .git directory")
        if part != part.strip():
            raise UnsafePathError(path, "has a component with leading or trailing spaces")
    return str(PurePosixPath(*parts))


def is_safe_path(path: str) -> bool:
    try:
        check_path(path)
    except UnsafePathError:
        return False
    return True
