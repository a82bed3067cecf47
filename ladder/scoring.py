"""The ladder's arithmetic (DESIGN §4), exact and framework-free."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: Decimal | float | str, places: int = 1) -> Decimal:
    """Round the way people expect: 1.85 → 1.9, 2.05 → 2.1 (never banker's rounding).

    Floats go through ``str`` first so 1.85 stays 1.85 rather than 1.8499999….
    """
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
