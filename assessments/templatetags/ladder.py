"""Formatting shared by every page, export and email, so they all agree."""

from __future__ import annotations

from decimal import Decimal

from django import template

from ladder.method.scoring import round_half_up

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
