from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ladder.method.planning import (
    NextStep,
    PlannedShare,
    abrupt_cuts,
    moved_effort,
    moved_effort_problem,
    next_step,
    projected_rung,
)
from ladder.method.scoring import next_rung

MAYA = [
    PlannedShare("Writing boilerplate", 1, 40, 25),
    PlannedShare("Debugging builds", 1, 20, 15),
    PlannedShare("Unit tests", 2, 10, 10),
    PlannedShare("Requirements with the product owner", 4, 15, 25),
    PlannedShare("Explaining architecture to clients", 4, 10, 10),
    PlannedShare("Mentoring", 5, 5, 5),
    PlannedShare("Running discovery workshops", 4, 0, 10),
]


def test_moved_effort_counts_points_gained_at_or_above_the_next_rung():
    # rung 2.05 shows as 2.1: the next rung is 3. The requirements work gains 10 and the
    # new workshops 10; the points come from the boilerplate and the builds.
    assert moved_effort(MAYA, Decimal("2.05")) == 20


def test_points_gained_below_the_next_rung_do_not_count_and_nothing_is_negative():
    rows = [PlannedShare("a", 1, 50, 60), PlannedShare("b", 4, 50, 40)]
    assert moved_effort(rows, Decimal("2.5")) == 0


def test_points_gained_at_the_next_rung_count_wherever_they_come_from():
    """From a rung-4 activity to a rung-5 one still counts (the method says "wherever
    the points come from"); the rule against shuffling is that the rung must rise."""
    rows = [
        PlannedShare("a", 1, 50, 50),
        PlannedShare("b", 4, 30, 10),
        PlannedShare("c", 5, 20, 40),
    ]
    assert moved_effort(rows, Decimal("2.5")) == 20
    assert moved_effort_problem(rows, Decimal("2.5")) is None  # 2.5 → 2.7: it rises


def test_projected_rung_uses_the_audit_formula_on_planned_shares():
    # 25+15 at 1, 10 at 2, 25+10+10 at 4, 5 at 5 → (40 + 20 + 180 + 25) / 100
    assert projected_rung(MAYA) == Decimal("2.65")


@pytest.mark.parametrize(("moved", "ok"), [(19, False), (20, True), (21, True)])
def test_the_20_point_rule(moved, ok):
    rows = [PlannedShare("low", 1, 60, 60 - moved), PlannedShare("high", 4, 40, 40 + moved)]
    assert moved_effort(rows, Decimal("2.2")) == moved
    assert (moved_effort_problem(rows, Decimal("2.2")) is None) is ok


def test_the_message_says_how_far_off_it_is():
    rows = [PlannedShare("low", 1, 60, 41), PlannedShare("high", 4, 40, 59)]
    assert moved_effort_problem(rows, Decimal("2.2")) == (
        "This plan moves 19 points of your week upward; a sprint needs at least 20. "
        "Give 1 more point to activities scored 3 or higher (new ones count), taken from "
        "wherever you can: less of the lower-rung work, or part of it handed to AI."
    )
    few = [PlannedShare("low", 1, 60, 52), PlannedShare("high", 4, 40, 48)]
    assert "Give 12 more points" in moved_effort_problem(few, Decimal("2.2"))


def test_a_plan_whose_rung_does_not_rise_is_refused_even_with_20_points():
    rows = [
        PlannedShare("low", 1, 40, 40),
        PlannedShare("four", 4, 20, 40),  # +20 at the next rung…
        PlannedShare("five", 5, 40, 20),  # …all of it from the top
    ]
    rung = Decimal("3.2")
    assert moved_effort(rows, rung) == 20
    assert "doesn't raise your rung" in moved_effort_problem(rows, rung)


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


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(plans())
def test_a_move_to_identified_higher_rung_work_always_counts(plan):
    """k points moved onto an activity at or above the next rung from one below it
    count as exactly k moved, and the projected rung rises."""
    rows, source, target, points = plan
    rung = projected_rung(rows)  # the person's rung is their week's
    nxt = next_rung(rung)
    assume(rows[target].score >= nxt > rows[source].score)
    moved = list(rows)
    moved[source] = PlannedShare(
        "s", rows[source].score, rows[source].current, rows[source].planned - points
    )
    moved[target] = PlannedShare(
        "t", rows[target].score, rows[target].current, rows[target].planned + points
    )
    assert moved_effort(moved, rung) == points
    assert projected_rung(moved) > projected_rung(rows)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(plans())
def test_a_move_between_two_low_activities_never_counts(plan):
    rows, source, target, points = plan
    rung = projected_rung(rows)  # the person's rung is their week's
    nxt = next_rung(rung)
    assume(rows[target].score < nxt and rows[source].score < nxt)
    moved = list(rows)
    moved[source] = PlannedShare(
        "s", rows[source].score, rows[source].current, rows[source].planned - points
    )
    moved[target] = PlannedShare(
        "t", rows[target].score, rows[target].current, rows[target].planned + points
    )
    assert moved_effort(moved, rung) == 0
    assert moved_effort_problem(moved, rung) is not None


@settings(max_examples=300, deadline=None)
@given(plans())
def test_a_plan_that_passes_raises_the_projected_rung(plan):
    rows, source, target, points = plan
    rung = projected_rung(rows)  # the person's rung is their week's
    moved = list(rows)
    moved[source] = PlannedShare(
        "s", rows[source].score, rows[source].current, rows[source].planned - points
    )
    moved[target] = PlannedShare(
        "t", rows[target].score, rows[target].current, rows[target].planned + points
    )
    if moved_effort_problem(moved, rung) is None:
        assert moved_effort(moved, rung) >= 20
        assert projected_rung(moved) > rung


# --- What to do next -----------------------------------------------------------------

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("state", "step"),
    [
        ({"planned": False, "reassessment": False}, NextStep.PLAN_FIRST),
        ({"planned": False, "reassessment": True}, NextStep.PLAN_NEXT),
        ({"planned": True, "sprint_end": TODAY}, NextStep.SPRINT),  # its last day
        ({"planned": True, "sprint_end": TODAY - timedelta(days=1)}, NextStep.CHECKIN),
        ({"planned": True, "checkin_on": TODAY + timedelta(days=7)}, NextStep.CHECKIN),
        ({"planned": True, "checkin_on": TODAY + timedelta(days=8)}, NextStep.SPRINT),
        ({"planned": False, "checkin_on": TODAY}, NextStep.CHECKIN),  # due beats planning
    ],
)
def test_the_next_step_follows_the_state(state, step):
    base = {"reassessment": False, "sprint_end": TODAY + timedelta(days=30), "checkin_on": None}
    assert next_step(today=TODAY, **{**base, **state}) is step
