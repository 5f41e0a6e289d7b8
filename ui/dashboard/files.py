"""The generated files: a tree of paths and a code viewer highlighted by file type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath

import streamlit as st

LANGUAGES = {
    ".py": "python",
    ".pyi": "python",
    ".md": "markdown",
    ".toml": "toml",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".cfg": "ini",
    ".ini": "ini",
    ".js": "javascript",
    ".ts": "typescript",
    ".html": "html",
    ".css": "css",
    ".sh": "bash",
    ".sql": "sql",
    ".rs": "rust",
    ".go": "go",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    "Dockerfile": "docker",
}


def language_for(path: str) -> str | None:
    """The highlighter language of a file, or None for plain text."""
    p = PurePosixPath(path)
    return LANGUAGES.get(p.name) or LANGUAGES.get(p.suffix.lower())


def tree_text(paths: Iterable[str]) -> str:
    """An indented tree of the paths: files of a folder first, then its subfolders."""
    root: dict[str, dict] = {}
    for path in paths:
        node = root
        for part in path.split("/"):
            node = node.setdefault(part, {})
    lines: list[str] = []

    def walk(node: dict[str, dict], prefix: str) -> None:
        entries = sorted(node.items(), key=lambda kv: (bool(kv[1]), kv[0]))
        for i, (name, children) in enumerate(entries):
            last = i == len(entries) - 1
            lines.append(prefix + ("└── " if last else "├── ") + name + ("/" if children else ""))
            if children:
                walk(children, prefix + ("    " if last else "│   "))

    walk(root, "")
    return "\n".join(lines)


def render(files: Mapping[str, str], key: str) -> None:
    if not files:
        st.caption("No files were written.")
        return
    tree, viewer = st.columns([1, 3])
    with tree:
        st.code(tree_text(files), language=None)
    with viewer:
        path = st.selectbox("Open file", list(files), key=f"file-{key}")
        if path is not None:
            st.code(files[path], language=language_for(path), line_numbers=True)
