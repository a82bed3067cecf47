"""The arithmetic of the next rung (DESIGN §4, steps S4–S5), exact and framework-free.

A plan gives every activity a planned share of next quarter's week: current
activities (some growing, some shrinking) and new higher-rung ones (current share 0).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ladder.method import scoring

MIN_MOVED = 20  # percentage points the 90-day sprint must move upward
ABRUPT_CUT = Decimal("0.5")  # cutting an activity below half its share is abrupt
# Which definition of moved effort a saved figure follows. 1 (before 2026-12): points
# leaving activities at or below the current rung. 2: points gained by activities at or
# above the next rung. Plans keep the figure, and the version, they were saved with.
MOVED_EFFORT_VERSION = 2


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
    """The effort reallocated toward the higher-rung work the person identified: the
    percentage points gained by activities scored at or above the next rung (existing
    or new), wherever those points come from. The next rung is the one above the rung
    as the person sees it (1.97 shows as 2.0, so the next rung is 3).

    Time shuffled between two low activities, or between two high ones, gains nothing
    at the next rung and moves nothing."""
    target = scoring.next_rung(current_rung)
    return sum(max(0, r.planned - r.current) for r in rows if r.score >= target)


def projected_rung(rows: Sequence[PlannedShare]) -> Decimal:
    """The rung the planned week would have (the same formula as the audit)."""
    return scoring.rung(
        [scoring.Scored(r.description, r.planned, r.score) for r in rows if r.planned]
    )


def moved_effort_problem(
    rows: Sequence[PlannedShare], current_rung: Decimal, moved: int | None = None
) -> str | None:
    """A plain message when the plan moves fewer than 20 points toward the next rung,
    or when it doesn't raise the projected rung; None when it's a sprint."""
    moved = moved_effort(rows, current_rung) if moved is None else moved
    target = scoring.next_rung(current_rung)
    if moved < MIN_MOVED:
        gap = MIN_MOVED - moved
        points = "point" if gap == 1 else "points"
        return (
            f"This plan moves {moved} points of your week upward; a sprint needs at least "
            f"{MIN_MOVED}. Give {gap} more {points} to activities scored {target} or higher "
            "(new ones count), taken from wherever you can: less of the lower-rung work, "
            "or part of it handed to AI."
        )
    planned = [r for r in rows if r.planned]
    if sum(r.planned for r in planned) == 100 and projected_rung(planned) <= current_rung:
        return (
            "This plan doesn't raise your rung: the points going to higher-rung work "
            "come from other higher-rung work. Take some from the lower-rung activities."
        )
    return None


def abrupt_cuts(rows: Sequence[PlannedShare]) -> list[PlannedShare]:
    """Current activities the plan cuts by more than half: the method warns against
    dropping current responsibilities abruptly."""
    return [r for r in rows if r.current > 0 and r.planned < r.current * ABRUPT_CUT]


# --- The loop: what to do next (DESIGN §4, S4–S6) ---------------------------------------

CHECKIN_SOON = timedelta(days=7)  # a check-in is the next step from a week before its date


class NextStep(enum.StrEnum):
    CHECKIN = "checkin"  # reassess: the quarter's check-in is due, or the sprint is over
    SPRINT = "sprint"  # a sprint is running (or about to start): work it
    PLAN_FIRST = "plan-first"  # a first result without a plan
    PLAN_NEXT = "plan-next"  # a check-in just done, not planned yet


def next_step(
    *,
    today: date,
    planned: bool,
    reassessment: bool,
    sprint_end: date | None,
    checkin_on: date | None,
) -> NextStep:
    """The one main action for a person with a result. ``planned``: their latest
    result has a plan; ``reassessment``: that result was a check-in; ``sprint_end``:
    the end of their latest sprint, if any; ``checkin_on``: the day their next check-in
    email is due (None while paused)."""
    if checkin_on is not None and today >= checkin_on - CHECKIN_SOON:
        return NextStep.CHECKIN
    if not planned:
        return NextStep.PLAN_NEXT if reassessment else NextStep.PLAN_FIRST
    if sprint_end is not None and today > sprint_end:
        return NextStep.CHECKIN
    return NextStep.SPRINT
