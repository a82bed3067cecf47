"""Formatting shared by every page, export and email, so they all agree."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from assessments.library.services import second_opinion
from ladder.method.scoring import RUBRIC, round_half_up

register = template.Library()


@register.filter
def rung(value: Decimal | float | None) -> str:
    """A rung to one decimal, rounded half up; an en dash when unknown."""
    if value is None or value == "":
        return "–"
    return str(round_half_up(value, 1))


@register.filter
def percent(value: float | None) -> str:
    """A 0–1 share as a whole percentage."""
    if value is None:
        return "–"
    return f"{round_half_up(value * 100, 0)}%"


@register.filter
def signed(value: Decimal | int | None) -> str:
    """A change with its sign: "+0.3", "−2", "0"."""
    if value is None:
        return "–"
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"−{abs(value)}"
    return str(value)


@register.filter
def rubric_words(value: Decimal | float | None) -> str:
    """A 1–5 score (a task's suggested 2.33, say) in the rubric's words: "Judgment"."""
    if value is None:
        return ""
    return RUBRIC[min(5, max(1, int(round_half_up(value, 0))))][0]


@register.filter
def against_data(row: dict[str, Any]) -> str:
    """For a snapshot's activity row: "above" or "below" when its score is two or more
    points from its linked task's suggested score, else ""."""
    task = row.get("task") or {}
    return second_opinion(row.get("score"), task.get("suggested_score"))


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """``mapping[key]`` in a template, or None."""
    return mapping.get(key) if mapping else None
