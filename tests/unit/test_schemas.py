"""The LLM protocol: field names replay files depend on, and the validation they carry."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from models.paths import UnsafePathError
from models.schemas import (
    FileBundle,
    GeneratedFile,
    Plan,
    PlannedFile,
    RequestAnalysis,
    Review,
    ReviewIssue,
)

# (schema, every protocol field, the ones a reply must contain) as the design lists them.
PROTOCOL: list[tuple[type[BaseModel], set[str], set[str]]] = [
    (
        RequestAnalysis,
        {"is_valid", "reason", "project_name", "summary"},
        {"is_valid", "reason", "project_name", "summary"},
    ),
    (Plan, {"objective", "files", "requirements", "test_strategy"}, {"objective", "files"}),
    (
        PlannedFile,
        {"path", "purpose", "interface", "imports"},
        {"path", "purpose", "interface"},
    ),
    (FileBundle, {"files"}, set()),
    (GeneratedFile, {"path", "content"}, {"path", "content"}),
    (Review, {"score", "approved", "summary", "issues"}, {"score", "approved", "summary"}),
    (ReviewIssue, {"path", "severity", "message"}, {"path", "severity", "message"}),
]


@pytest.mark.parametrize(("schema", "fields", "required"), PROTOCOL)
def test_protocol_field_names(
    schema: type[BaseModel], fields: set[str], required: set[str]
) -> None:
    # Fields may be added, never renamed; a new required field would break recorded replies.
    assert fields <= set(schema.model_fields)
    assert set(schema.model_json_schema().get("required", [])) == required


def test_a_plan_round_trips_from_json() -> None:
    text = """{"objective": "a calculator",
      "files": [{"path": "calc/core.py", "purpose": "maths", "interface": "def add(a, b)"},
                {"path": "./calc//cli.py", "purpose": "cli", "interface": "main()",
                 "imports": ["calc/core.py"]}],
      "requirements": ["click"], "test_strategy": "pytest"}"""
    plan = Plan.model_validate_json(text)
    assert plan.paths == ["calc/core.py", "calc/cli.py"]  # paths come back normalised
    cli = plan.file("calc/cli.py")
    assert cli is not None and cli.imports == ["calc/core.py"]
    assert plan.file("nope.py") is None
    assert Plan.model_validate_json(plan.model_dump_json()) == plan


@pytest.mark.parametrize("bad", ["../escape.py", "/abs.py", ".git/hooks/post-checkout", "a\\b.py"])
def test_unsafe_paths_are_rejected_in_plans_and_bundles(bad: str) -> None:
    with pytest.raises(ValidationError, match="unsafe file path") as info:
        Plan(objective="o", files=[PlannedFile(path=bad, purpose="p", interface="i")])
    assert isinstance(info.value.errors()[0]["ctx"]["error"], UnsafePathError)
    with pytest.raises(ValidationError, match="unsafe file path"):
        FileBundle.model_validate(
            {"files": [{"path": "ok.py", "content": ""}, {"path": bad, "content": "x"}]}
        )


def test_a_plan_needs_at_least_one_file() -> None:
    with pytest.raises(ValidationError, match="files"):
        Plan(objective="nothing", files=[])


@pytest.mark.parametrize("score", [-1, 11])
def test_review_score_bounds(score: int) -> None:
    with pytest.raises(ValidationError, match="score"):
        Review(score=score, approved=False, summary="s")


def test_review_blocking_paths_and_severities() -> None:
    review = Review(
        score=4,
        approved=False,
        summary="needs work",
        issues=[
            ReviewIssue(path="a.py", severity="blocker", message="crash"),
            ReviewIssue(path="b.py", severity="minor", message="naming"),
            ReviewIssue(path="c.py", severity="major", message="wrong result"),
        ],
    )
    assert review.blocking_paths() == {"a.py", "c.py"}
    assert Review(score=0, approved=False, summary="").issues == []
    assert Review(score=10, approved=True, summary="").score == 10
    with pytest.raises(ValidationError, match="severity"):
        ReviewIssue(path="a.py", severity="critical", message="x")  # type: ignore[arg-type]
