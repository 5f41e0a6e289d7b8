"""File bundles restricted to the paths a call was asked for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import model_validator

from models.schemas import FileBundle


@lru_cache(maxsize=4096)
def bundle_for(paths: tuple[str, ...]) -> type[FileBundle]:
    """A FileBundle schema whose validation fails when an assigned file is missing.

    A missing file therefore gets the repair turn with a message naming it.
    """
    assigned = paths

    class AssignedFiles(FileBundle):
        @model_validator(mode="after")
        def _all_assigned_present(self) -> AssignedFiles:
            got = {f.path for f in self.files}
            missing = [p for p in assigned if p not in got]
            if missing:
                raise ValueError(
                    "the reply is missing assigned file(s): "
                    + ", ".join(missing)
                    + f"; return exactly these files: {', '.join(assigned)}"
                )
            return self

    AssignedFiles.__name__ = AssignedFiles.__qualname__ = "FileBundle"
    return AssignedFiles


@dataclass
class Accepted:
    files: dict[str, str]
    notes: list[str] = field(default_factory=list)


def accept_files(bundle: FileBundle, assigned: Sequence[str], owner: str) -> Accepted:
    """Keep the assigned files; files that belong elsewhere are dropped with a note."""
    out = Accepted(files={})
    for f in bundle.files:
        if f.path in assigned:
            out.files[f.path] = f.content
        else:
            out.notes.append(f"{owner} returned {f.path!r}, which is not assigned to it: ignored")
    return out
