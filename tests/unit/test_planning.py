from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ladder.method.planning import (
    PlannedShare,
    abrupt_cuts,
    moved_effort,
    moved_effort_problem,
    projected_rung,
)

MAYA = [
    PlannedShare("Writing boilerplate", 1, 40, 25),
    PlannedShare("Debugging builds", 1, 20, 15),
    PlannedShare("Unit tests", 2, 10, 10),
    PlannedShare("Requirements with the product owner", 4, 15, 25),
    PlannedShare("Explaining architecture to clients", 4, 10, 10),
    PlannedShare("Mentoring", 5, 5, 5),
    PlannedShare("Running discovery workshops", 4, 0, 10),
]


def test_moved_effort_counts_points_leaving_activities_at_or_below_the_rung():
    # rung 2.05: scores 1 and 2 are at or below it; 15 + 5 points leave them.
    assert moved_effort(MAYA, Decimal("2.05")) == 20


def test_growing_low_activities_does_not_count_as_moving_and_is_not_negative():
    rows = [PlannedShare("a", 1, 50, 60), PlannedShare("b", 4, 50, 40)]
    assert moved_effort(rows, Decimal("2.5")) == 0


def test_points_leaving_high_activities_do_not_count():
    rows = [
        PlannedShare("a", 1, 50, 50),
        PlannedShare("b", 4, 30, 10),
        PlannedShare("c", 5, 20, 40),
    ]
    assert moved_effort(rows, Decimal("2.5")) == 0


def test_projected_rung_uses_the_audit_formula_on_planned_shares():
    # 25+15 at 1, 10 at 2, 25+10+10 at 4, 5 at 5 → (40 + 20 + 180 + 25) / 100
    assert projected_rung(MAYA) == Decimal("2.65")


@pytest.mark.parametrize(("moved", "ok"), [(19, False), (20, True), (21, True)])
def test_the_20_point_rule(moved, ok):
    rows = [PlannedShare("low", 1, 60, 60 - moved), PlannedShare("high", 4, 40, 40 + moved)]
    assert moved_effort(rows, Decimal("2.2")) == moved
    assert (moved_effort_problem(moved) is None) is ok


def test_the_message_says_how_far_off_it_is():
    assert moved_effort_problem(19) == (
        "This plan moves 19 points of your week upward; a sprint needs at least 20. "
        "Move 1 more point from activities at or below your rung."
    )
    assert "Move 12 more points" in moved_effort_problem(8)


def test_cutting_an_activity_by_more_than_half_is_abrupt():
    rows = [
        PlannedShare("halved exactly", 1, 40, 20),
        PlannedShare("cut hard", 1, 30, 14),
        PlannedShare("new", 4, 0, 36),
        PlannedShare("kept", 2, 30, 30),
    ]
    assert [r.description for r in abrupt_cuts(rows)] == ["cut hard"]


@st.composite
def plans(draw):
    """A week of 2–8 activities (shares summing to 100) and a move of k points from
    one activity to another that scores at least as high."""
    n = draw(st.integers(min_value=2, max_value=8))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=n - 1, max_size=n - 1, unique=True)))
    shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    scores = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    rows = [
        PlannedShare(f"a{i}", s, c, c) for i, (s, c) in enumerate(zip(scores, shares, strict=True))
    ]
    source = draw(st.integers(0, n - 1))
    target = draw(st.integers(0, n - 1))
    assume(source != target and scores[target] >= scores[source])
    points = draw(st.integers(1, shares[source]))
    return rows, source, target, points


@settings(max_examples=300, deadline=None)
@given(plans())
def test_moving_effort_upward_never_lowers_the_projected_rung(plan):
    rows, source, target, points = plan
    before = projected_rung(rows)
    moved = list(rows)
    moved[source] = PlannedShare(
        rows[source].description,
        rows[source].score,
        rows[source].current,
        rows[source].planned - points,
    )
    moved[target] = PlannedShare(
        rows[target].description,
        rows[target].score,
        rows[target].current,
        rows[target].planned + points,
    )
    assert projected_rung(moved) >= before


@settings(max_examples=200, deadline=None)
@given(plans(), st.decimals(min_value=1, max_value=5, places=2))
def test_moved_effort_stays_within_0_and_100(plan, rung):
    rows, source, _target, points = plan
    moved = list(rows)
    moved[source] = PlannedShare(
        rows[source].description,
        rows[source].score,
        rows[source].current,
        rows[source].planned - points,
    )
    assert 0 <= moved_effort(moved, rung) <= 100
