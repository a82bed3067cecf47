"""The arithmetic of the next rung (DESIGN §4, steps S4–S5), exact and framework-free.

A plan gives every activity a planned share of next quarter's week: current
activities (some growing, some shrinking) and new higher-rung ones (current share 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ladder.method import scoring

MIN_MOVED = 20  # percentage points the 90-day sprint must move upward
ABRUPT_CUT = Decimal("0.5")  # cutting an activity below half its share is abrupt


@dataclass(frozen=True)
class PlannedShare:
    """One row of a plan: an activity, its score, its share now and its planned share."""

    description: str
    score: int
    current: int
    planned: int

    @property
    def is_new(self) -> bool:
        return self.current == 0


def moved_effort(rows: Sequence[PlannedShare], current_rung: Decimal) -> int:
    """Percentage points leaving activities at or below the current rung, as the
    person sees it (1.97 shows as 2.0, so activities scored 2 count)."""
    shown = scoring.round_half_up(current_rung, 1)
    return sum(max(0, r.current - r.planned) for r in rows if r.score <= shown)


def projected_rung(rows: Sequence[PlannedShare]) -> Decimal:
    """The rung the planned week would have (the same formula as the audit)."""
    return scoring.rung(
        [scoring.Scored(r.description, r.planned, r.score) for r in rows if r.planned]
    )


def moved_effort_problem(moved: int) -> str | None:
    """A plain message when the plan moves fewer than 20 points."""
    if moved >= MIN_MOVED:
        return None
    gap = MIN_MOVED - moved
    points = "point" if gap == 1 else "points"
    return (
        f"This plan moves {moved} points of your week upward; a sprint needs at least "
        f"{MIN_MOVED}. Move {gap} more {points} from activities at or below your rung."
    )


def abrupt_cuts(rows: Sequence[PlannedShare]) -> list[PlannedShare]:
    """Current activities the plan cuts by more than half: the method warns against
    dropping current responsibilities abruptly."""
    return [r for r in rows if r.current > 0 and r.planned < r.current * ABRUPT_CUT]
