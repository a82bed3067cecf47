"""The ladder's arithmetic (DESIGN §4), exact and framework-free."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: Decimal | float | str, places: int = 1) -> Decimal:
    """Round the way people expect: 1.85 → 1.9, 2.05 → 2.1 (never banker's rounding).

    Floats go through ``str`` first so 1.85 stays 1.85 rather than 1.8499999….
    """
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


RUBRIC_VERSION = "2026-11"
MIN_ACTIVITIES = 5
MAX_ACTIVITIES = 10
LOW_RUNGS = (1, 2)
HIGH_RUNGS = (4, 5)
CONCENTRATION_THRESHOLD = 50  # percent of time at rungs 1–2 that triggers the warning
LITTLE_TIME = 15  # a high-scoring activity below this share "takes little time"

# The 1–5 scale in words (DESIGN §1, S2), shown next to every score.
RUBRIC: dict[int, tuple[str, str]] = {
    1: ("Technical execution", "Following rules or producing output; no human judgment needed."),
    2: (
        "Technical with judgment",
        "Mostly technical, with some judgment about data, rules or quality.",
    ),
    3: (
        "Working with people",
        "Coordinating and communicating with colleagues matters as much as the output.",
    ),
    4: (
        "Mostly human",
        "Explaining, teaching, persuading or dealing with people outside the team.",
    ),
    5: (
        "The relationship is the product",
        "Trust, care or the relationship itself is what someone pays for.",
    ),
}


@dataclass(frozen=True)
class Scored:
    """One activity as the arithmetic sees it: its share of the week and its score."""

    description: str
    share: int
    score: int


def rung(activities: Sequence[Scored]) -> Decimal:
    """Σ(score × share) / 100, exact to two decimals (shares sum to 100)."""
    total = sum(a.score * a.share for a in activities)
    return (Decimal(total) / 100).quantize(Decimal("0.01"))


def low_rung_share(activities: Sequence[Scored]) -> int:
    """Percent of the week on activities scored 1–2."""
    return sum(a.share for a in activities if a.score in LOW_RUNGS)


def high_rung_share(activities: Sequence[Scored]) -> int:
    """Percent of the week on activities scored 4–5."""
    return sum(a.share for a in activities if a.score in HIGH_RUNGS)


def concentration_warning(activities: Sequence[Scored]) -> list[Scored] | None:
    """When half or more of the week sits at rungs 1–2, the high-scoring activities that
    take little time (the ones that don't protect you); ``None`` when there is no warning."""
    if low_rung_share(activities) < CONCENTRATION_THRESHOLD:
        return None
    return [a for a in activities if a.score in HIGH_RUNGS and a.share < LITTLE_TIME]


def next_rung(current: Decimal) -> int:
    """The next whole rung above the current one as the person sees it (one decimal,
    rounded half up: 1.97 shows as 2.0, so the next rung is 3), at most 5."""
    return min(5, int(round_half_up(current, 1)) + 1)


def share_total_problem(shares: Sequence[int]) -> str | None:
    """A plain message when whole-number shares don't add up to exactly 100."""
    total = sum(shares)
    if total == 100:
        return None
    gap = abs(100 - total)
    direction = "short of" if total < 100 else "over"
    points = "point" if gap == 1 else "points"
    return f"Your shares add up to {total}%: {gap} {points} {direction} 100."


# The rubric's tiers of O*NET's generalized work activities (GWAs), the judgement behind
# a task's suggested score (reference/PROVENANCE.md, "Work-activity tiers"): every GWA
# not listed is tier 1 (getting and processing information, working with computers,
# documenting, physical and repair work).
GWA_TIERS: dict[str, int] = {
    **dict.fromkeys(
        ("4.A.4.a.4", "4.A.4.a.5", "4.A.4.a.6", "4.A.4.a.7", "4.A.4.b.5", "4.A.4.b.6"), 5
    ),
    **dict.fromkeys(("4.A.4.a.1", "4.A.4.a.3", "4.A.4.a.8", "4.A.4.b.3", "4.A.4.b.4"), 4),
    **dict.fromkeys(("4.A.4.a.2", "4.A.4.b.1", "4.A.4.b.2", "4.A.4.c.2"), 3),
    **dict.fromkeys(("4.A.2.a.1", "4.A.4.c.1", "4.A.4.c.3"), 2),
}


def gwa_tier(gwa_id: str) -> int:
    """The rubric tier (1–5) of one generalized work activity."""
    tier = GWA_TIERS.get(gwa_id)
    if tier is not None:
        return tier
    return 2 if gwa_id.startswith("4.A.2.b.") else 1  # decisions, strategy, scheduling


def suggested_score(dwa_ids: Sequence[str]) -> Decimal | None:
    """A task's suggested score: the mean tier over the detailed work activities (DWAs)
    it is linked to, each counting as its GWA ("4.A.4.a.2.I03.D14" is "4.A.4.a.2"), to
    one decimal; None without links. It reproduces the reference file's scores."""
    ids = [d.split(".I", 1)[0] for d in dwa_ids if d]
    if not ids:
        return None
    return round_half_up(Decimal(sum(gwa_tier(g) for g in ids)) / len(ids), 1)
