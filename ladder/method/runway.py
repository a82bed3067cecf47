"""The AI frontier on the ladder, and how long each rung has before it arrives.

The frontier is a position on the same 1-5 ladder as a person's rung. It climbs a
fixed step for every doubling of the length of task that frontier AI models can
complete, so its speed in each scenario comes from a doubling time fitted to METR's
published time-horizon measurements. The runway of a rung is the time left until
the frontier reaches it.

Everything here is plain Python so the model can be explained, tested and reused
without a database.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# --- Assumptions: every page that shows a runway shows these next to it. ---

# Where we place the AI frontier on the ladder at the anchor date: roughly the
# middle of the document-centred rungs that current models already handle well.
FRONTIER_START = 1.5
# The anchor date for FRONTIER_START; the scenarios extrapolate from here.
FRONTIER_START_DATE = date(2026, 1, 1)
# Rungs the frontier climbs per doubling of the AI task horizon. With the baseline
# doubling time this puts the frontier past rung 2 around 2027-28, in line with the
# method's "rungs 1-2 within a few years".
STEP_PER_DOUBLING = 0.12
# The ladder's ends; the frontier is never shown outside them.
LADDER_TOP = 5.0
LADDER_BOTTOM = 1.0

DAYS_PER_YEAR = 365.25

# Release-date cut-offs for the scenarios; later cut-offs see only the recent,
# faster part of the trend.
BASELINE_SINCE = date(2023, 1, 1)
FAST_SINCE = date(2024, 1, 1)

ASSUMPTIONS: tuple[str, ...] = (
    f"On {FRONTIER_START_DATE.day} {FRONTIER_START_DATE:%B %Y} we place the AI frontier at rung "
    f"{FRONTIER_START:g} of 5: the most routine, document-centred work is already "
    "within reach of current models.",
    f"Each time the length of task that frontier AI can finish doubles, the frontier "
    f"moves up {STEP_PER_DOUBLING:g} of a rung. This step is our judgement, not a "
    "measurement.",
    "How fast the task length doubles comes from METR's measurements of frontier "
    "models. The slow, baseline and fast scenarios fit that trend over all years, "
    "from 2023 and from 2024.",
    "METR measures software and agentic tasks. Using the same pace for work built on "
    "trust, relationships and judgment is an assumption, and may well overstate it.",
    "We assume the trend continues at the scenario's pace; it may speed up, slow down or stall.",
    "Rungs are relative: a rung is a percentile position among occupations by "
    "human-interaction content, not a fixed measure of skill.",
)

_HORIZON_COLUMNS = ("suite", "model", "release_date", "is_sota", "p50_minutes")
_BOOLEANS = {"True": True, "False": False}


@dataclass(frozen=True)
class HorizonPoint:
    """One model's measured 50% task horizon in one METR suite."""

    suite: str
    model: str
    released: date
    is_sota: bool
    p50_minutes: float


@dataclass(frozen=True)
class Scenario:
    """A named pace for the frontier, with the data it was fitted on."""

    key: str
    label: str
    doubling_days: float
    basis: str

    def __post_init__(self) -> None:
        if not (math.isfinite(self.doubling_days) and self.doubling_days > 0):
            raise ValueError(
                f"Scenario {self.key!r} needs a positive doubling time, got {self.doubling_days!r}."
            )


def parse_horizons(lines: Iterable[str]) -> list[HorizonPoint]:
    """Read the rows of ``ai_time_horizons.csv`` (header included).

    Raises ValueError naming the line when the header lacks a needed column or a
    row has a missing field, a bad date, a flag other than True/False, or a
    horizon that is not a positive number.
    """
    reader = csv.DictReader(lines)
    missing = [column for column in _HORIZON_COLUMNS if column not in (reader.fieldnames or ())]
    if missing:
        raise ValueError(f"Time-horizon data lacks column(s): {', '.join(missing)}.")
    points = []
    for row in reader:
        where = f"Time-horizon data line {reader.line_num}"
        if None in row or any(row[column] in (None, "") for column in _HORIZON_COLUMNS):
            raise ValueError(f"{where}: wrong number of fields or an empty field.")
        try:
            released = date.fromisoformat(row["release_date"])
        except ValueError:
            raise ValueError(
                f"{where}: release_date {row['release_date']!r} is not YYYY-MM-DD."
            ) from None
        if row["is_sota"] not in _BOOLEANS:
            raise ValueError(f"{where}: is_sota must be True or False, got {row['is_sota']!r}.")
        try:
            p50 = float(row["p50_minutes"])
        except ValueError:
            p50 = math.nan
        # The fit takes a logarithm, so only positive finite horizons make sense.
        if not (math.isfinite(p50) and p50 > 0):
            raise ValueError(
                f"{where}: p50_minutes must be a positive number, got {row['p50_minutes']!r}."
            )
        points.append(
            HorizonPoint(
                suite=row["suite"],
                model=row["model"],
                released=released,
                is_sota=_BOOLEANS[row["is_sota"]],
                p50_minutes=p50,
            )
        )
    return points


def doubling_time_days(points: Sequence[HorizonPoint]) -> float:
    """Days for the 50% task horizon to double, by least squares on log2(minutes).

    Raises ValueError with fewer than two points, when all share one release date,
    or when the fitted trend is flat or falling (no doubling time exists).
    """
    if len(points) < 2:
        raise ValueError("A doubling time needs at least two models.")
    xs = [point.released.toordinal() for point in points]
    ys = [math.log2(point.p50_minutes) for point in points]
    mean_x = sum(xs) / len(xs)
    mean_y = sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        raise ValueError("A doubling time needs models released on different dates.")
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    if slope <= 0:
        raise ValueError("These models show no growth in task horizon, so no doubling time.")
    return 1 / slope


def _basis(suite: str, points: Sequence[HorizonPoint], since: date | None) -> str:
    first = min(point.released.year for point in points)
    last = max(point.released.year for point in points)
    if since is None:
        return (
            f"all frontier models in METR suite {suite}, released {first}\N{EN DASH}{last} "
            f"({len(points)} models)"
        )
    return (
        f"frontier models in METR suite {suite} released from {since.year} on "
        f"({len(points)} models)"
    )


def scenarios_from_horizons(
    points: Sequence[HorizonPoint],
) -> tuple[Scenario, Scenario, Scenario]:
    """Fit the slow, baseline and fast scenarios to the frontier models of the newest suite.

    Slow uses every year, baseline models released from 2023, fast from 2024; the
    recent trend is steeper, which is the acceleration the method warns about.
    Raises ValueError when the data cannot support three ordered scenarios.
    """
    frontier = [point for point in points if point.is_sota]
    if not frontier:
        raise ValueError("The time-horizon data has no frontier (is_sota) models.")
    # Later suites re-measure the same models on harder tasks, so fit within one suite.
    suite = max(point.suite for point in frontier)
    in_suite = [point for point in frontier if point.suite == suite]

    def fitted(key: str, label: str, since: date | None) -> Scenario:
        chosen = [point for point in in_suite if since is None or point.released >= since]
        return Scenario(
            key=key,
            label=label,
            doubling_days=doubling_time_days(chosen),
            basis=_basis(suite, chosen, since),
        )

    slow = fitted("slow", "Slow", None)
    baseline = fitted("baseline", "Baseline", BASELINE_SINCE)
    fast = fitted("fast", "Fast", FAST_SINCE)
    if not slow.doubling_days >= baseline.doubling_days >= fast.doubling_days:
        raise ValueError(
            "Expected doubling times slow >= baseline >= fast, got "
            f"{slow.doubling_days:.0f} / {baseline.doubling_days:.0f} / "
            f"{fast.doubling_days:.0f} days."
        )
    return slow, baseline, fast


def _line(days_from_start: int, scenario: Scenario) -> float:
    # The uncapped trend; frontier_at and reaches_on both go through this one
    # expression so that dates and positions agree to the last bit.
    return FRONTIER_START + STEP_PER_DOUBLING * days_from_start / scenario.doubling_days


def frontier_at(when: date, scenario: Scenario) -> float:
    """The frontier's rung on a date: the scenario's line from the anchor date, capped at 5.

    Before the anchor date the frontier stays at its anchor position in every
    scenario: the scenarios disagree about the future, not the past, and a line
    extrapolated backwards would put a faster scenario lower than a slower one and
    give it the longer runway. Non-decreasing in time.
    """
    position = _line(max(0, (when - FRONTIER_START_DATE).days), scenario)
    return min(LADDER_TOP, max(LADDER_BOTTOM, position))


def _check_rung(rung: float) -> None:
    if not LADDER_BOTTOM <= rung <= LADDER_TOP:
        raise ValueError(f"A rung lies between {LADDER_BOTTOM:g} and {LADDER_TOP:g}, got {rung!r}.")


def reaches_on(rung: float, scenario: Scenario) -> date:
    """The date from which the frontier stands at or above ``rung``.

    For a rung above the anchor position this is the first such date; a rung at or
    below it was reached by the anchor date, which is returned (the model says
    nothing about earlier dates). Raises ValueError for a rung off the ladder or a
    date beyond the calendar.
    """
    _check_rung(rung)
    estimate = max(
        0, math.ceil((rung - FRONTIER_START) * scenario.doubling_days / STEP_PER_DOUBLING)
    )
    # Floating-point rounding can leave the estimate one day out either way;
    # settle it against the exact expression frontier_at uses.
    while _line(estimate, scenario) < rung:
        estimate += 1
    while estimate > 0 and _line(estimate - 1, scenario) >= rung:
        estimate -= 1
    try:
        return FRONTIER_START_DATE + timedelta(days=estimate)
    except OverflowError:
        raise ValueError(
            f"At this pace the frontier reaches rung {rung:g} beyond the year 9999."
        ) from None


def runway_days(rung: float, today: date, scenario: Scenario) -> int:
    """Whole days from ``today`` until the frontier reaches ``rung``; 0 if it already has.

    When the result ``n`` is positive, the frontier is below the rung on day
    ``today + n - 1`` and at or above it on ``today + n``.
    """
    _check_rung(rung)
    if frontier_at(today, scenario) >= rung:
        return 0
    return (reaches_on(rung, scenario) - today).days


def _round_years(years: float) -> float:
    # Half years carry meaning for short runways; beyond three years that
    # precision would be false.
    if years < 3:
        return math.floor(years * 2 + 0.5) / 2
    return float(math.floor(years + 0.5))


def _years_text(years: float) -> str:
    return f"{years:g} year" if years == 1 else f"{years:g} years"


@dataclass(frozen=True)
class RunwayRange:
    """The runway of one rung under each scenario, as of one day."""

    rung: float
    today: date
    by_scenario: tuple[tuple[Scenario, int], ...]

    def __post_init__(self) -> None:
        if not self.by_scenario:
            raise ValueError("A runway range needs at least one scenario.")

    @property
    def shortest_days(self) -> int:
        """The runway in the fastest scenario."""
        return min(days for _, days in self.by_scenario)

    @property
    def longest_days(self) -> int:
        """The runway in the slowest scenario."""
        return max(days for _, days in self.by_scenario)

    @property
    def shortest_years(self) -> float:
        """``shortest_days`` in years."""
        return self.shortest_days / DAYS_PER_YEAR

    @property
    def longest_years(self) -> float:
        """``longest_days`` in years."""
        return self.longest_days / DAYS_PER_YEAR

    def describe(self) -> str:
        """A short, deliberately approximate phrase for the range, never a date."""
        if self.longest_days == 0:
            return "already within reach"
        if self.longest_years < 1:
            return "under a year"
        longest = _round_years(self.longest_years)
        if self.shortest_days == 0:
            return f"from now to about {_years_text(longest)}"
        if self.shortest_years < 1:
            return f"under a year to about {_years_text(longest)}"
        shortest = _round_years(self.shortest_years)
        if shortest == longest:
            return f"about {_years_text(longest)}"
        return f"about {shortest:g}\N{EN DASH}{_years_text(longest)}"


def runway_range(rung: float, today: date, scenarios: Sequence[Scenario]) -> RunwayRange:
    """The runway of ``rung`` from ``today`` under each of ``scenarios``, in their order."""
    _check_rung(rung)
    return RunwayRange(
        rung=rung,
        today=today,
        by_scenario=tuple((scenario, runway_days(rung, today, scenario)) for scenario in scenarios),
    )
