"""The frontier model and runway scenarios: fitted from the real data, and its promises."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ladder.method.runway import (
    ASSUMPTIONS,
    FRONTIER_START,
    FRONTIER_START_DATE,
    LADDER_BOTTOM,
    LADDER_TOP,
    HorizonPoint,
    RunwayRange,
    Scenario,
    doubling_time_days,
    frontier_at,
    parse_horizons,
    reaches_on,
    runway_days,
    runway_range,
    scenarios_from_horizons,
)

REPO = Path(__file__).resolve().parents[2]
HORIZONS_CSV = next(
    (
        path
        for path in (
            REPO / "reference" / "ai_time_horizons.csv",
            Path("/work/shared/data/ai_time_horizons.csv"),
        )
        if path.exists()
    ),
    None,
)
HEADER = "suite,model,release_date,is_sota,p50_minutes,p50_ci_low,p50_ci_high,p80_minutes\n"

PROPERTY_SETTINGS = settings(max_examples=100, deadline=None)
rungs = st.floats(min_value=LADDER_BOTTOM, max_value=LADDER_TOP)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
doubling_times = st.floats(min_value=20.0, max_value=1000.0)


def scenario(doubling_days: float, key: str = "baseline") -> Scenario:
    return Scenario(key=key, label=key.title(), doubling_days=doubling_days, basis="made up")


def point(released: str, minutes: float, *, suite: str = "S", sota: bool = True) -> HorizonPoint:
    return HorizonPoint(
        suite=suite,
        model=f"m-{released}",
        released=date.fromisoformat(released),
        is_sota=sota,
        p50_minutes=minutes,
    )


def accelerating(suite: str = "S") -> list[HorizonPoint]:
    """Frontier models whose doublings per year rise 1, 2, 3, as in the real data."""
    return [
        point(released, minutes, suite=suite)
        for released, minutes in [
            ("2022-01-01", 1),
            ("2023-01-01", 2),
            ("2024-01-01", 8),
            ("2025-01-01", 64),
        ]
    ]


# --- Reading and fitting the data ---


@pytest.fixture(scope="module")
def real_points() -> list[HorizonPoint]:
    if HORIZONS_CSV is None:
        pytest.skip("ai_time_horizons.csv is in neither reference/ nor /work/shared/data/")
    with HORIZONS_CSV.open(encoding="utf-8") as lines:
        return parse_horizons(lines)


def test_real_file_parses_every_row(real_points):
    assert len(real_points) == 50
    assert {p.suite for p in real_points} == {"METR-Horizon-v1", "METR-Horizon-v1.1"}


@pytest.mark.parametrize(
    ("index", "key", "expected_days", "models"),
    [(0, "slow", 197, 14), (1, "baseline", 131, 11), (2, "fast", 97, 9)],
)
def test_scenarios_from_real_file_match_published_doubling_times(
    real_points, index, key, expected_days, models
):
    chosen = scenarios_from_horizons(real_points)[index]
    assert chosen.key == key
    assert chosen.doubling_days == pytest.approx(expected_days, rel=0.10)
    assert chosen.basis.startswith(
        (
            "all frontier models in METR suite METR-Horizon-v1.1",
            "frontier models in METR suite METR-Horizon-v1.1",
        )
    )
    assert f"({models} models)" in chosen.basis


def test_scenarios_run_slow_to_fast(real_points):
    slow, baseline, fast = scenarios_from_horizons(real_points)
    assert slow.doubling_days >= baseline.doubling_days >= fast.doubling_days


def test_scenarios_ignore_models_that_were_not_frontier():
    points = accelerating()
    # A laggard far below the trend must not slow the fitted pace.
    laggard = point("2025-06-01", 0.01, sota=False)
    with_laggard = scenarios_from_horizons([*points, laggard])
    assert with_laggard == scenarios_from_horizons(points)


def test_scenarios_fit_only_the_newest_suite():
    old_suite = [point(d, m, suite="A") for d, m in [("2023-06-01", 100), ("2024-06-01", 101)]]
    new_suite = accelerating(suite="B")
    slow, _, _ = scenarios_from_horizons(old_suite + new_suite)
    assert slow.doubling_days == pytest.approx(doubling_time_days(new_suite))
    assert "suite B" in slow.basis


def test_scenarios_refuse_data_where_the_recent_trend_is_slower():
    # Fast early growth that then flattens would make "fast" the slowest scenario.
    points = [
        point("2019-01-01", 1),
        point("2021-01-01", 1000),
        point("2023-01-01", 1500),
        point("2024-01-01", 1600),
        point("2025-01-01", 1700),
    ]
    with pytest.raises(ValueError, match="slow >= baseline >= fast"):
        scenarios_from_horizons(points)


def test_scenarios_need_frontier_models():
    with pytest.raises(ValueError, match="no frontier"):
        scenarios_from_horizons([point("2024-01-01", 1, sota=False)])


def test_doubling_time_of_exact_doubling_every_hundred_days():
    start = date(2024, 1, 1)
    points = [
        HorizonPoint("S", f"m{i}", start + timedelta(days=100 * i), True, 3 * 2.0**i)
        for i in range(5)
    ]
    assert doubling_time_days(points) == pytest.approx(100)


def test_doubling_time_needs_two_points():
    with pytest.raises(ValueError, match="at least two"):
        doubling_time_days([point("2024-01-01", 1)])


def test_doubling_time_needs_distinct_dates():
    with pytest.raises(ValueError, match="different dates"):
        doubling_time_days([point("2024-01-01", 1), point("2024-01-01", 2)])


def test_doubling_time_refuses_a_shrinking_horizon():
    with pytest.raises(ValueError, match="no growth"):
        doubling_time_days([point("2024-01-01", 4), point("2025-01-01", 2)])


def test_parse_reads_fields_and_flags():
    rows = parse_horizons(io.StringIO(HEADER + "S,m,2024-05-13,False,9.5,1,2,3\n"))
    assert rows == [HorizonPoint("S", "m", date(2024, 5, 13), False, 9.5)]


@pytest.mark.parametrize(
    ("row", "complaint"),
    [
        ("S,m,13/05/2024,True,9.5,1,2,3", "release_date"),
        ("S,m,2024-05-13,yes,9.5,1,2,3", "is_sota must be True or False"),
        ("S,m,2024-05-13,True,lots,1,2,3", "p50_minutes must be a positive number"),
        ("S,m,2024-05-13,True,0,1,2,3", "p50_minutes must be a positive number"),
        ("S,m,2024-05-13,True,-1,1,2,3", "p50_minutes must be a positive number"),
        ("S,m,2024-05-13,True,nan,1,2,3", "p50_minutes must be a positive number"),
        ("S,m,2024-05-13", "wrong number of fields"),
        ("S,m,2024-05-13,True,9.5,1,2,3,extra", "wrong number of fields"),
        (",m,2024-05-13,True,9.5,1,2,3", "empty field"),
    ],
)
def test_parse_names_the_line_of_a_malformed_row(row, complaint):
    good = "S,m,2024-01-01,True,1,1,2,3\n"
    with pytest.raises(ValueError, match=complaint) as error:
        parse_horizons(io.StringIO(HEADER + good + row + "\n"))
    assert "line 3" in str(error.value)


def test_parse_names_missing_columns():
    with pytest.raises(ValueError, match="p50_minutes"):
        parse_horizons(io.StringIO("suite,model,release_date,is_sota\nS,m,2024-01-01,True\n"))


# --- The frontier and runway, by hand ---


def test_frontier_starts_at_the_stated_position():
    assert frontier_at(FRONTIER_START_DATE, scenario(100)) == FRONTIER_START


def test_frontier_climbs_one_step_per_doubling():
    assert frontier_at(date(2026, 4, 11), scenario(100)) == pytest.approx(1.62)  # day 100
    assert frontier_at(date(2028, 9, 27), scenario(100)) == pytest.approx(2.7)  # day 1000


def test_frontier_before_the_anchor_date_is_the_same_in_every_scenario():
    # A line extrapolated backwards would put the fast scenario lower than the slow
    # one in the past, and so give it the longer runway for low rungs.
    for past in (date(2025, 9, 23), date(2020, 1, 1)):
        assert frontier_at(past, scenario(100)) == FRONTIER_START
        assert frontier_at(past, scenario(1000)) == FRONTIER_START
    assert runway_days(1.2, date(2017, 10, 1), scenario(100)) == 0
    assert runway_days(1.2, date(2017, 10, 1), scenario(1000)) == 0


def test_rungs_reached_by_the_anchor_date_are_reached_on_it():
    assert reaches_on(1.2, scenario(100)) == FRONTIER_START_DATE
    assert reaches_on(FRONTIER_START, scenario(100)) == FRONTIER_START_DATE


def test_frontier_stops_at_the_top_rung():
    assert frontier_at(date(2080, 1, 1), scenario(100)) == LADDER_TOP


def test_runway_to_rung_two_rounds_up_to_the_first_day_at_or_above_it():
    # 0.5 rung at 0.12 per 100 days is 416.7 days, so day 417 is the first.
    baseline = scenario(100)
    assert runway_days(2.0, FRONTIER_START_DATE, baseline) == 417
    assert frontier_at(FRONTIER_START_DATE + timedelta(days=417), baseline) >= 2.0
    assert frontier_at(FRONTIER_START_DATE + timedelta(days=416), baseline) < 2.0
    assert reaches_on(2.0, baseline) == date(2027, 2, 22)


def test_runway_that_lands_exactly_on_a_day_is_not_rounded_up():
    assert runway_days(2.0, FRONTIER_START_DATE, scenario(120)) == 500


@pytest.mark.parametrize(
    ("rung", "doubling_days", "expected"),
    [
        # The naive day count comes out a hair above a whole number (140.00000000000014),
        # yet the frontier already stands on the rung that day.
        (1.57, 240.0, 140),
        (2.04, 504.0, 2268),
        # The naive count is exactly whole (17030.0), yet that day falls a hair short.
        (4.12, 780.0, 17031),
        (2.77, 792.0, 8383),
    ],
)
def test_runway_agrees_with_frontier_at_despite_rounding(rung, doubling_days, expected):
    chosen = scenario(doubling_days)
    runway = runway_days(rung, FRONTIER_START_DATE, chosen)
    assert runway == expected
    assert frontier_at(FRONTIER_START_DATE + timedelta(days=runway), chosen) >= rung
    assert frontier_at(FRONTIER_START_DATE + timedelta(days=runway - 1), chosen) < rung


def test_runway_counts_from_today():
    assert runway_days(2.0, FRONTIER_START_DATE + timedelta(days=17), scenario(100)) == 400
    assert runway_days(2.0, FRONTIER_START_DATE - timedelta(days=10), scenario(100)) == 427


def test_runway_is_zero_once_the_frontier_has_passed():
    assert runway_days(1.5, FRONTIER_START_DATE, scenario(100)) == 0
    assert runway_days(2.0, date(2030, 1, 1), scenario(100)) == 0


def test_bottom_rung_is_always_reached():
    assert runway_days(LADDER_BOTTOM, date(2000, 1, 1), scenario(100)) == 0


def test_top_rung_runway():
    # 3.5 rungs at 0.12 per 100 days: 2916.7 days.
    assert runway_days(LADDER_TOP, FRONTIER_START_DATE, scenario(100)) == 2917


@pytest.mark.parametrize("rung", [0.99, 5.01, 0, -1, float("nan"), float("inf")])
def test_runway_refuses_rungs_off_the_ladder(rung):
    with pytest.raises(ValueError, match="between 1 and 5"):
        runway_days(rung, FRONTIER_START_DATE, scenario(100))


@pytest.mark.parametrize("doubling_days", [0, -5, float("nan"), float("inf")])
def test_scenario_needs_a_positive_doubling_time(doubling_days):
    with pytest.raises(ValueError, match="positive doubling time"):
        scenario(doubling_days)


def test_assumptions_state_the_parameters():
    text = " ".join(ASSUMPTIONS)
    assert "rung 1.5" in text
    assert "1 January 2026" in text
    assert "0.12" in text
    assert "software" in text
    assert "percentile" in text


# --- Properties the design promises for every input ---


@PROPERTY_SETTINGS
@given(rungs, rungs, days, doubling_times)
def test_lower_rung_never_has_a_longer_runway(a, b, today, doubling_days):
    lower, higher = sorted((a, b))
    chosen = scenario(doubling_days)
    assert runway_days(lower, today, chosen) <= runway_days(higher, today, chosen)


@PROPERTY_SETTINGS
@given(rungs, days, doubling_times, doubling_times)
def test_faster_scenario_never_has_a_longer_runway(rung, today, a, b):
    fast, slow = sorted((a, b))
    assert runway_days(rung, today, scenario(fast)) <= runway_days(rung, today, scenario(slow))


@PROPERTY_SETTINGS
@given(days, days, doubling_times)
def test_frontier_never_moves_down(a, b, doubling_days):
    earlier, later = sorted((a, b))
    chosen = scenario(doubling_days)
    assert frontier_at(earlier, chosen) <= frontier_at(later, chosen)


@PROPERTY_SETTINGS
@given(days, doubling_times)
def test_frontier_stays_on_the_ladder(when, doubling_days):
    assert LADDER_BOTTOM <= frontier_at(when, scenario(doubling_days)) <= LADDER_TOP


@PROPERTY_SETTINGS
@given(st.floats(min_value=0, max_value=1), days, doubling_times)
def test_rungs_the_frontier_has_reached_have_no_runway(fraction, today, doubling_days):
    chosen = scenario(doubling_days)
    reached = frontier_at(today, chosen)
    rung = LADDER_BOTTOM + fraction * (reached - LADDER_BOTTOM)
    assert runway_days(rung, today, chosen) == 0


@PROPERTY_SETTINGS
@given(rungs, days, doubling_times)
def test_runway_ends_on_the_first_day_the_frontier_reaches_the_rung(rung, today, doubling_days):
    chosen = scenario(doubling_days)
    runway = runway_days(rung, today, chosen)
    assert runway >= 0
    assert frontier_at(today + timedelta(days=runway), chosen) >= rung
    if runway > 0:
        assert frontier_at(today + timedelta(days=runway - 1), chosen) < rung


@PROPERTY_SETTINGS
@given(st.floats(min_value=FRONTIER_START, max_value=LADDER_TOP, exclude_min=True), doubling_times)
def test_reaches_on_is_the_first_day_at_or_above_the_rung(rung, doubling_days):
    chosen = scenario(doubling_days)
    reached = reaches_on(rung, chosen)
    assert frontier_at(reached, chosen) >= rung
    assert frontier_at(reached - timedelta(days=1), chosen) < rung


# --- Runway ranges ---


def a_range(*runways: int) -> RunwayRange:
    return RunwayRange(
        rung=2.0,
        today=FRONTIER_START_DATE,
        by_scenario=tuple((scenario(100 + i), d) for i, d in enumerate(runways)),
    )


@pytest.mark.parametrize(
    ("runways", "phrase"),
    [
        ((0, 0, 0), "already within reach"),
        ((100, 200, 300), "under a year"),
        ((0, 200, 500), "from now to about 1.5 years"),
        ((200, 400, 800), "under a year to about 2 years"),
        ((380, 700, 1100), "about 1\N{EN DASH}3 years"),
        ((550, 700, 900), "about 1.5\N{EN DASH}2.5 years"),
        ((1200, 1400, 2100), "about 3\N{EN DASH}6 years"),
        ((2500, 2600, 2700), "about 7 years"),
        ((370, 380, 400), "about 1 year"),
    ],
)
def test_range_is_described_in_rounded_years_never_a_date(runways, phrase):
    assert a_range(*runways).describe() == phrase


def test_range_reports_its_extremes_in_days_and_years():
    spread = a_range(730, 1461, 365)
    assert (spread.shortest_days, spread.longest_days) == (365, 1461)
    assert spread.shortest_years == pytest.approx(0.9993, abs=1e-4)
    assert spread.longest_years == pytest.approx(4.0)


def test_range_needs_a_scenario():
    with pytest.raises(ValueError, match="at least one scenario"):
        a_range()


def test_runway_range_keeps_the_scenarios_in_order():
    slow, baseline, fast = scenario(200, "slow"), scenario(130, "baseline"), scenario(100, "fast")
    result = runway_range(2.0, FRONTIER_START_DATE, [slow, baseline, fast])
    assert [s.key for s, _ in result.by_scenario] == ["slow", "baseline", "fast"]
    assert [d for _, d in result.by_scenario] == [834, 542, 417]
    assert result.describe() == "about 1\N{EN DASH}2.5 years"


def test_runway_range_refuses_rungs_off_the_ladder():
    with pytest.raises(ValueError, match="between 1 and 5"):
        runway_range(6, FRONTIER_START_DATE, [scenario(100)])
