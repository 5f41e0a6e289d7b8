"""What a run's status means for the person watching it: is it live, can it resume, what next."""

from __future__ import annotations

from graph.runner import AWAITING_APPROVAL

ACTIVE = frozenset({"pending", "running"})
RESUMABLE = frozenset({"failed", "cancelled", "budget_exceeded"})
# A run still marked active with no sign of life for this long was most likely killed. Longer
# than one slow LLM call with its retries, so a live run is never resumed twice.
STALE_AFTER_S = 600.0

BADGE = {
    "pending": ":orange-badge[pending]",
    "running": ":orange-badge[running]",
    "done": ":green-badge[done]",
    "failed": ":red-badge[failed]",
    "rejected": ":red-badge[rejected]",
    "budget_exceeded": ":violet-badge[budget exceeded]",
    "cancelled": ":gray-badge[cancelled]",
    AWAITING_APPROVAL: ":blue-badge[awaiting plan approval]",
}

NEXT_STEP = {
    "failed": (
        "Every generated file is kept. Fix the cause above (for example a provider setting in "
        "the sidebar, or more iterations), then press Resume: finished nodes are not redone."
    ),
    "rejected": (
        "Describe a piece of software to build (what it does, its inputs and outputs) and "
        "press Run again."
    ),
    "budget_exceeded": (
        "Raise the budget in the sidebar and press Resume: the money already spent counts "
        "towards it, and finished nodes are not redone."
    ),
    "cancelled": "Press Resume to continue from where the run stopped.",
}


def badge(status: str) -> str:
    return BADGE.get(status, f":gray-badge[{status}]")


def is_active(status: str) -> bool:
    return status in ACTIVE


def next_step(status: str) -> str | None:
    return NEXT_STEP.get(status)


def can_resume(status: str, last_activity: float, now: float) -> bool:
    """Failed, cancelled and over-budget runs resume; so does an active one that went silent."""
    if status in RESUMABLE:
        return True
    return status in ACTIVE and now - last_activity > STALE_AFTER_S
