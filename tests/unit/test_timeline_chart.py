"""The timeline chart: a person's rung per completed audit against the AI frontier."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

from django.template.loader import render_to_string
from hypothesis import given, settings
from hypothesis import strategies as st

from ladder.method import chart

TODAY = date(2026, 6, 15)
BEND = date(2026, 1, 1)


def rising_frontier(day: date) -> float:
    """Flat at 1.5 until the bend, then a rung a year (like runway.frontier_at, capped)."""
    return min(5.0, 1.5 + max(0, (day - BEND).days) / 365)


def flat_frontier(day: date) -> float:
    return 2.0


def coordinates(points: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (pair.split(",") for pair in points.split())]


def test_points_are_sorted_by_date():
    drawn = chart.timeline_chart(
        [(date(2026, 5, 1), 2.4), (date(2025, 11, 3), 1.8), (date(2026, 2, 9), 2.1)],
        rising_frontier,
        TODAY,
    )
    assert [p.taken for p in drawn.points] == [
        date(2025, 11, 3),
        date(2026, 2, 9),
        date(2026, 5, 1),
    ]
    xs = [p.x for p in drawn.points]
    assert xs == sorted(xs)
    assert len(set(xs)) == 3
    assert coordinates(drawn.you_line) == [(p.x, p.y) for p in drawn.points]


def test_a_higher_rung_is_drawn_higher_up():
    drawn = chart.timeline_chart(
        [(date(2026, 3, 1), 2.0), (date(2026, 6, 1), 3.5)], rising_frontier, TODAY
    )
    low, high = drawn.points
    assert high.y < low.y
    assert drawn.plot_top <= high.y < low.y <= drawn.plot_bottom


def test_rung_1_sits_on_the_bottom_of_the_plot_and_5_on_the_top():
    assert chart.timeline_y_for(1) == chart.TIMELINE_BOTTOM
    assert chart.timeline_y_for(5) == chart.TIMELINE_TOP
    drawn = chart.timeline_chart([], flat_frontier, TODAY)
    assert [g.rung for g in drawn.gridlines] == [1, 2, 3, 4, 5]
    assert [g.label for g in drawn.gridlines] == [f"Rung {r}" for r in range(1, 6)]
    ys = [g.y for g in drawn.gridlines]
    assert ys == sorted(ys, reverse=True)


def test_a_rising_frontier_never_goes_down_the_chart_and_shows_its_bend():
    drawn = chart.timeline_chart([(date(2025, 9, 1), 2.0)], rising_frontier, TODAY)
    line = coordinates(drawn.frontier_line)
    xs = [x for x, _ in line]
    ys = [y for _, y in line]
    assert xs == sorted(xs)
    assert all(later <= earlier for earlier, later in itertools.pairwise(ys))
    # Flat before the bend, climbing after it: both parts are on the line.
    bend_x = next(t.x for t in drawn.ticks if t.day == BEND)
    assert len({y for x, y in line if x <= bend_x}) == 1
    assert ys[-1] < ys[0]
    assert len(line) >= (drawn.end - drawn.start).days // 15


def test_the_range_runs_from_before_the_first_audit_to_a_quarter_past_today():
    drawn = chart.timeline_chart([(date(2026, 4, 2), 2.0)], flat_frontier, TODAY)
    assert drawn.start < date(2026, 4, 2)
    assert drawn.end >= TODAY + timedelta(days=90)
    assert drawn.plot_left < drawn.today_x < drawn.plot_right
    assert drawn.points[0].x < drawn.today_x


def test_an_audit_after_today_extends_the_range():
    later = TODAY + timedelta(days=200)
    drawn = chart.timeline_chart([(later, 3.0)], flat_frontier, TODAY)
    assert drawn.end > later
    assert drawn.plot_left < drawn.today_x < drawn.points[0].x < drawn.plot_right


def test_today_before_every_audit_is_still_on_the_chart():
    drawn = chart.timeline_chart([(TODAY + timedelta(days=10), 2.0)], flat_frontier, TODAY)
    assert drawn.start < TODAY
    assert drawn.plot_left < drawn.today_x < drawn.points[0].x


def test_quarter_ticks_fall_on_the_first_day_of_a_quarter():
    drawn = chart.timeline_chart(
        [(date(2025, 2, 20), 1.5), (date(2026, 5, 1), 2.5)], rising_frontier, TODAY
    )
    assert drawn.ticks
    for tick in drawn.ticks:
        assert tick.day.day == 1
        assert tick.day.month in (1, 4, 7, 10)
        assert drawn.start <= tick.day <= drawn.end
        assert drawn.plot_left <= tick.x <= drawn.plot_right
        assert tick.label == f"{tick.day:%b %Y}"
    assert date(2025, 4, 1) in [t.day for t in drawn.ticks]


def test_quarter_starts_include_an_exact_quarter_start_and_skip_a_later_day():
    assert chart.quarter_starts(date(2026, 4, 1), date(2026, 10, 1)) == [
        date(2026, 4, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
    ]
    assert chart.quarter_starts(date(2025, 11, 2), date(2026, 4, 30)) == [
        date(2026, 1, 1),
        date(2026, 4, 1),
    ]


def test_a_long_history_thins_its_ticks():
    audits = [(date(2019, 1, 1) + timedelta(days=91 * i), 2.0) for i in range(30)]
    drawn = chart.timeline_chart(audits, flat_frontier, TODAY)
    assert len(chart.quarter_starts(drawn.start, drawn.end)) > chart.TIMELINE_MAX_TICKS
    assert 1 < len(drawn.ticks) <= chart.TIMELINE_MAX_TICKS


def test_no_audits_draws_the_frontier_and_today_only():
    drawn = chart.timeline_chart([], rising_frontier, TODAY)
    assert drawn.points == ()
    assert not drawn.draws_you_line
    assert drawn.start == TODAY - timedelta(days=chart.TIMELINE_LEAD_DAYS)
    assert drawn.end == TODAY + timedelta(days=chart.TIMELINE_LOOKAHEAD_DAYS)
    assert drawn.plot_left < drawn.today_x < drawn.plot_right
    assert len(coordinates(drawn.frontier_line)) > 2
    assert "No completed audits yet" in drawn.description
    assert drawn.in_words == ["Today, 15 Jun 2026: the AI frontier at 2.0."]


def test_one_audit_is_a_dot_without_a_line():
    drawn = chart.timeline_chart([(date(2026, 3, 3), 2.4)], rising_frontier, TODAY)
    (point,) = drawn.points
    assert not drawn.draws_you_line
    assert point.label == "Rung 2.4 on 3 Mar 2026"
    assert "One completed audit: rung 2.4 on 3 Mar 2026" in drawn.description
    assert drawn.in_words[0] == "3 Mar 2026: you at rung 2.4; the AI frontier at 1.7."


def test_rungs_and_frontier_off_the_ladder_are_drawn_at_its_ends():
    drawn = chart.timeline_chart(
        [(date(2026, 3, 1), 0.2), (date(2026, 5, 1), 7.5)], lambda day: 9.0, TODAY
    )
    low, high = drawn.points
    assert low.y == chart.TIMELINE_BOTTOM
    assert high.y == chart.TIMELINE_TOP
    assert {y for _, y in coordinates(drawn.frontier_line)} == {chart.TIMELINE_TOP}
    below = chart.timeline_chart([], lambda day: -3.0, TODAY)
    assert {y for _, y in coordinates(below.frontier_line)} == {chart.TIMELINE_BOTTOM}


def test_in_words_gives_every_audit_with_the_frontier_on_that_day():
    audits = [(date(2026, 5, 20), 3.25), (date(2025, 12, 1), 1.85), (date(2026, 2, 14), 2.0)]
    drawn = chart.timeline_chart(audits, rising_frontier, TODAY)
    assert drawn.in_words[:3] == [
        "1 Dec 2025: you at rung 1.9; the AI frontier at 1.5.",
        "14 Feb 2026: you at rung 2.0; the AI frontier at 1.6.",
        "20 May 2026: you at rung 3.3; the AI frontier at 1.9.",
    ]
    assert "3 completed audits" in drawn.description
    assert "latest rung 3.3 on 20 May 2026" in drawn.description


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
            st.floats(min_value=-2, max_value=8, allow_nan=False),
        ),
        max_size=12,
    ),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
)
def test_everything_drawn_stays_inside_the_plot(audits, today):
    drawn = chart.timeline_chart(audits, rising_frontier, today)
    drawn_points = [(p.x, p.y) for p in drawn.points] + coordinates(drawn.frontier_line)
    drawn_points.append((drawn.today_x, drawn.plot_top))
    for x, y in drawn_points:
        assert drawn.plot_left <= x <= drawn.plot_right
        assert drawn.plot_top <= y <= drawn.plot_bottom
        assert round(x, 1) == x
        assert round(y, 1) == y
    assert len(drawn.in_words) == len(audits) + 1


def test_the_template_draws_the_chart_without_inline_styles():
    drawn = chart.timeline_chart(
        [(date(2026, 3, 3), 2.4), (date(2026, 5, 1), 2.6)], rising_frontier, TODAY
    )
    html = render_to_string(
        "includes/timeline_chart.html", {"chart": drawn, "chart_id": "my-timeline"}
    )
    assert 'aria-labelledby="my-timeline-title my-timeline-desc"' in html
    assert 'id="my-timeline-title"' in html
    assert 'id="my-timeline-desc"' in html
    assert "style" not in html
    assert html.count("<polyline") == 2
    assert html.count("<circle") == 2 + 1  # the audits and the legend's dot
    for sentence in drawn.in_words:
        assert f"<li>{sentence}</li>" in html
    assert re.search(r"<line [^>]*class=\"timeline-today\"", html)
