"""Scores: KPI scores, achievement, competencies, the appraisal total and bands.

Pure functions on plain values (no database). Everything is ``Decimal`` and
rounds half up, as the civil-service forms do: 4 decimals for a KPI score,
2 for percentages and totals. Inputs may be ints, Decimals, or numbers as text
(floats are accepted too, through ``str``).
"""

from collections.abc import Iterable, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from indicators.targets import (
    LEVEL_COUNT,
    MILESTONE,
    Number,
    as_decimal,
    level_for,
    numeric_levels,
)

DISCRETE = "discrete"
INTERPOLATED = "interpolated"
METHODS = (DISCRETE, INTERPOLATED)

MAX_SCORE = Decimal(LEVEL_COUNT)
BAR_MAX = 3

DEFAULT_WEIGHTS = (70, 30, 0)
DEFAULT_BANDS: tuple[tuple[str, Decimal], ...] = (
    ("ดีเด่น", Decimal(90)),
    ("ดีมาก", Decimal(80)),
    ("ดี", Decimal(70)),
    ("พอใช้", Decimal(60)),
    ("ต้องปรับปรุง", Decimal(0)),
)

_FOUR = Decimal("0.0001")
_TWO = Decimal("0.01")
_HUNDRED = Decimal(100)


def quantize4(value: Number) -> Decimal:
    """Round to 4 decimals, half up (KPI scores and weighted scores)."""
    return as_decimal(value).quantize(_FOUR, rounding=ROUND_HALF_UP)


def quantize2(value: Number) -> Decimal:
    """Round to 2 decimals, half up (percentages and totals)."""
    return as_decimal(value).quantize(_TWO, rounding=ROUND_HALF_UP)


def _interpolated(scale: str, levels: Sequence, actual: Number, floor: int) -> Decimal:
    values = numeric_levels(scale, levels)
    result = as_decimal(actual)
    level = level_for(scale, values, result)
    if level == LEVEL_COUNT:
        return quantize4(MAX_SCORE)
    if level == 0:
        return quantize4(floor)
    low = values[level - 1]
    if low is None:
        # Open level 1: there is no lower bound to measure progress from.
        return quantize4(1)
    high = values[level]
    fraction = (result - low) / (high - low)  # the same for lower: both signs flip
    score = quantize4(level + fraction)
    if score >= level + 1:
        # Rounding half up must not award the next level before its target is
        # reached (e.g. 3.99996 -> 4.0000 while the level is still 3).
        score = (level + fraction).quantize(_FOUR, rounding=ROUND_DOWN)
    return score


def kpi_score(
    scale: str,
    levels: Sequence,
    actual: Number,
    *,
    method: str = DISCRETE,
    floor: int = 0,
) -> Decimal:
    """Return a KPI's score 0..5 with 4 decimals.

    ``discrete`` is the achieved level. ``interpolated`` (numeric scales only)
    adds the share of the way to the next level: L + (actual - tL) /
    (tL+1 - tL), 5 at or past t5, ``floor`` below t1 and 1 short of t2 when t1
    is open. The round's ``floor`` (0 or 1) applies only to interpolated
    scoring: DOMAIN.md defines the discrete level below level 1 as 0, and a
    floor there would blur "did not reach the minimum". Milestones are never
    interpolated: the score is the number of steps done. Between levels the
    score never rounds up to the next whole level, so its integer part is
    always the discrete level.
    """
    if method not in METHODS:
        raise ValueError(f"unknown scoring method: {method!r}")
    if floor not in (0, 1):
        raise ValueError(f"floor must be 0 or 1, got {floor!r}")
    if method == DISCRETE or scale == MILESTONE:
        return quantize4(level_for(scale, levels, actual))
    return _interpolated(scale, levels, actual, floor)


def weighted_score(score: Number, weight: Number) -> Decimal:
    """Score x weight with 4 decimals (the form's column ก x ข)."""
    return quantize4(as_decimal(score) * as_decimal(weight))


def achievement(pairs: Iterable[tuple[Number, Number]]) -> Decimal:
    """Achievement 0..100 = sum(score x weight) / (sum(weight) x 5) x 100.

    ``pairs`` are ``(score, weight)``. Rounded once, at the end, so the
    percentage does not carry rounding from each row. No weight at all gives
    0.00 rather than a division error: an empty plan has achieved nothing.
    """
    total = Decimal(0)
    weights = Decimal(0)
    for score, weight in pairs:
        weight = as_decimal(weight)
        total += as_decimal(score) * weight
        weights += weight
    if weights == 0:
        return quantize2(0)
    return quantize2(total / (weights * MAX_SCORE) * _HUNDRED)


def competency_bar_score(expected: int, observed: int) -> int:
    """Bar-scale score: 3 at or above the expected level, one less per level short.

    Expected levels run 1..5; an observed 0 (behaviour not shown) is allowed.
    """
    if not 1 <= expected <= LEVEL_COUNT:
        raise ValueError(f"expected level must be 1 to 5, got {expected!r}")
    if not 0 <= observed <= LEVEL_COUNT:
        raise ValueError(f"observed level must be 0 to 5, got {observed!r}")
    short = expected - observed
    return max(BAR_MAX - max(short, 0), 0)


def competency_percent(pairs: Iterable[tuple[int, int]]) -> Decimal:
    """Competency 0..100 = sum of bar scores / (n x 3) x 100, from (expected, observed)."""
    scores = [competency_bar_score(expected, observed) for expected, observed in pairs]
    if not scores:
        return quantize2(0)
    return quantize2(Decimal(sum(scores)) / (len(scores) * BAR_MAX) * _HUNDRED)


def appraisal_total(
    achievement: Number,
    competency: Number,
    other: Number = 0,
    *,
    weights: Sequence[Number] = DEFAULT_WEIGHTS,
) -> Decimal:
    """The appraisal total 0..100: each part (0..100) times its weight in percent.

    ``weights`` are (achievement, competency, other) and must add up to 100,
    so the total stays a percentage; the round sets them (70/30/0 usually).
    """
    w_achievement, w_competency, w_other = (as_decimal(w) for w in weights)
    if w_achievement + w_competency + w_other != _HUNDRED:
        raise ValueError(f"component weights must add up to 100, got {tuple(weights)!r}")
    total = (
        as_decimal(achievement) * w_achievement
        + as_decimal(competency) * w_competency
        + as_decimal(other) * w_other
    ) / _HUNDRED
    return quantize2(total)


def rating_band(total: Number, bands: Sequence[tuple[str, Number]] = DEFAULT_BANDS) -> str | None:
    """Return the name of the band with the highest minimum at or below ``total``.

    ``bands`` are ``(name, minimum)`` in any order. None when the total is
    below every minimum (a round whose lowest band does not start at 0).
    """
    value = as_decimal(total)
    best: tuple[Decimal, str] | None = None
    for name, minimum in bands:
        minimum = as_decimal(minimum)
        if minimum <= value and (best is None or minimum > best[0]):
            best = (minimum, name)
    return best[1] if best else None
