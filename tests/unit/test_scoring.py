"""The ladder's arithmetic (DESIGN §4): rung, shares, warnings, next rung, share totals."""

from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ladder.method.scoring import (
    Scored,
    concentration_warning,
    high_rung_share,
    low_rung_share,
    next_rung,
    round_half_up,
    rung,
    share_total_problem,
)


def week(*pairs: tuple[int, int]) -> list[Scored]:
    """Activities from (share, score) pairs."""
    return [Scored(f"activity {i}", share, score) for i, (share, score) in enumerate(pairs, 1)]


# --- Rounding -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("1.85", "1.9"),
        ("2.05", "2.1"),
        ("2.04", "2.0"),
        ("2.15", "2.2"),
        ("2.25", "2.3"),
        ("1.00", "1.0"),
        ("5.00", "5.0"),
    ],
)
def test_rung_is_shown_to_one_decimal_rounded_half_up(value, shown):
    assert str(round_half_up(Decimal(value))) == shown


@pytest.mark.parametrize(("value", "shown"), [(1.85, "1.9"), (2.05, "2.1"), (2.675, "2.68")])
def test_floats_round_as_written_not_as_stored_in_binary(value, shown):
    places = len(shown.split(".")[1])
    assert str(round_half_up(value, places)) == shown


def test_round_half_up_accepts_strings():
    assert round_half_up("3.45") == Decimal("3.5")


# --- Rung -----------------------------------------------------------------------------


def test_rung_of_70_percent_at_1_and_30_percent_at_4_is_exactly_1_90():
    value = rung(week((70, 1), (30, 4)))
    assert value == Decimal("1.90")
    assert str(value) == "1.90"


def test_rung_is_exact_to_two_decimals():
    value = rung(week((33, 1), (33, 2), (34, 5)))
    assert str(value) == "2.69"


def test_a_mix_that_lands_on_a_half_is_shown_rounded_up():
    value = rung(week((15, 1), (85, 2)))
    assert value == Decimal("1.85")
    assert str(round_half_up(value)) == "1.9"


def test_rung_of_the_developer_story_is_low():
    # 70% on boilerplate, debugging and unit tests (1–2), the rest with people (3–4).
    value = rung(week((30, 1), (25, 2), (15, 1), (20, 3), (10, 4)))
    assert value == Decimal("1.95")


# --- Shares ---------------------------------------------------------------------------


def test_low_rung_share_counts_time_at_scores_1_and_2_only():
    activities = week((20, 1), (25, 2), (15, 3), (30, 4), (10, 5))
    assert low_rung_share(activities) == 45


def test_high_rung_share_counts_time_at_scores_4_and_5_only():
    activities = week((20, 1), (25, 2), (15, 3), (30, 4), (10, 5))
    assert high_rung_share(activities) == 40


def test_a_week_all_at_rung_3_is_neither_low_nor_high():
    activities = week((40, 3), (60, 3))
    assert low_rung_share(activities) == 0
    assert high_rung_share(activities) == 0


# --- Concentration warning -------------------------------------------------------------


def test_no_concentration_warning_at_49_percent_low():
    assert concentration_warning(week((49, 1), (41, 3), (10, 5))) is None


def test_concentration_warning_at_exactly_50_percent_low():
    warning = concentration_warning(week((50, 2), (40, 3), (10, 5)))
    assert warning is not None
    assert [a.share for a in warning] == [10]


def test_concentration_warning_at_51_percent_low():
    assert concentration_warning(week((51, 1), (39, 3), (10, 4))) is not None


def test_concentration_warning_names_the_high_scoring_activities_that_take_little_time():
    activities = [
        Scored("Boilerplate code", 60, 1),
        Scored("Requirements workshops", 5, 4),
        Scored("Client dinners", 5, 5),
        Scored("Mentoring", 25, 4),
        Scored("Stand-ups", 5, 3),
    ]
    warning = concentration_warning(activities)
    assert warning is not None
    assert [a.description for a in warning] == ["Requirements workshops", "Client dinners"]


def test_concentration_warning_with_no_high_scoring_activity_is_an_empty_list():
    warning = concentration_warning(week((80, 1), (20, 3)))
    assert warning == []


# --- Next rung ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ("1.0", 2),
        ("1.00", 2),
        ("2.94", 3),
        ("2.95", 4),
        ("1.97", 3),
        ("3.00", 4),
        ("4.5", 5),
        ("4.99", 5),
        ("5.0", 5),
    ],
)
def test_next_rung_is_the_next_whole_rung_above_the_shown_rung_at_most_5(current, expected):
    assert next_rung(Decimal(current)) == expected


# --- Share totals -----------------------------------------------------------------------


def test_shares_summing_to_100_have_no_problem():
    assert share_total_problem([40, 30, 10, 10, 10]) is None


def test_shares_summing_to_99_are_1_point_short():
    message = share_total_problem([40, 30, 10, 10, 9])
    assert message is not None
    assert "99%" in message
    assert "1 point short of 100" in message


def test_shares_summing_to_101_are_1_point_over():
    message = share_total_problem([40, 30, 10, 10, 11])
    assert message is not None
    assert "101%" in message
    assert "1 point over 100" in message


def test_shares_summing_to_98_are_2_points_short():
    message = share_total_problem([40, 30, 10, 10, 8])
    assert message is not None
    assert "2 points short of 100" in message


# --- Properties -----------------------------------------------------------------------

scores = st.integers(min_value=1, max_value=5)


@st.composite
def weeks(draw: st.DrawFn) -> list[Scored]:
    """5–10 activities with whole-number shares (each at least 1) summing to 100."""
    count = draw(st.integers(min_value=5, max_value=10))
    cuts = sorted(
        draw(
            st.lists(
                st.integers(min_value=1, max_value=99),
                min_size=count - 1,
                max_size=count - 1,
                unique=True,
            )
        )
    )
    bounds = [0, *cuts, 100]
    shares = [b - a for a, b in pairwise(bounds)]
    return [Scored(f"activity {i}", share, draw(scores)) for i, share in enumerate(shares, start=1)]


@given(weeks())
def test_generated_weeks_sum_to_100(activities):
    assert sum(a.share for a in activities) == 100
    assert all(a.share >= 1 for a in activities)


@given(weeks())
def test_rung_is_always_within_1_and_5(activities):
    assert Decimal(1) <= rung(activities) <= Decimal(5)


@given(weeks(), scores)
def test_when_all_scores_are_equal_the_rung_is_that_score(activities, score):
    same = [Scored(a.description, a.share, score) for a in activities]
    assert rung(same) == Decimal(score)


@given(weeks(), st.data())
def test_raising_any_single_score_never_lowers_the_rung(activities, data):
    index = data.draw(st.integers(min_value=0, max_value=len(activities) - 1))
    before = activities[index]
    raised = data.draw(st.integers(min_value=before.score, max_value=5))
    changed = list(activities)
    changed[index] = Scored(before.description, before.share, raised)
    assert rung(changed) >= rung(activities)
    assert rung(changed) - rung(activities) == Decimal((raised - before.score) * before.share) / 100


@given(weeks(), st.data())
def test_rung_does_not_depend_on_the_order_of_activities(activities, data):
    shuffled = data.draw(st.permutations(activities))
    assert rung(shuffled) == rung(activities)
    assert low_rung_share(shuffled) == low_rung_share(activities)
    assert high_rung_share(shuffled) == high_rung_share(activities)


@given(weeks())
def test_low_and_high_shares_never_exceed_the_week(activities):
    assert 0 <= low_rung_share(activities) + high_rung_share(activities) <= 100
