"""The suggested status of a check-in: pure functions on plain values (no database).

DOMAIN.md "Monitoring during the round". The share of the round elapsed on
the check-in's date is (date - start + 1) / (end - start + 1), counted in
days, start and end included, clamped to (0, 1].

- Numeric scales. An additive measure (a count or an amount: any unit that
  is not a percentage, the notion the split targets use,
  `indicators.splits.is_percentage`) is projected to the end of the round as
  value / share; a rate or a percentage is projected as the value itself. The
  projected level is the discrete level of the projection on the KPI's five
  targets (`indicators.targets.level_for`).
- Milestones. Steps are done in order over the round, so the projection is
  steps done / share, at most 5, and the projected level is its whole part.
  "Would need": the steps of the standard (level 3) that the share elapsed
  calls for, rounded down: floor(3 x share). Fewer steps done than that is
  off track whatever the projection.
- Projected level 3 or more: on track; 2: at risk; below 2: off track.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from indicators.splits import is_percentage
from indicators.targets import LEVEL_COUNT, MILESTONE, as_decimal, level_for

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NO_NEWS = "no_news"

STANDARD_LEVEL = 3
_ONE = Decimal(1)


@dataclass(frozen=True)
class Suggestion:
    status: str
    projected_level: int
    projection: Decimal


def share_elapsed(start: datetime.date, end: datetime.date, on: datetime.date) -> Decimal:
    """The share of the round elapsed on `on`, in days with both ends counted, in (0, 1]."""
    total = (end - start).days + 1
    done = (on - start).days + 1
    if total <= 0:
        return _ONE
    done = min(max(done, 1), total)
    return Decimal(done) / Decimal(total)


def is_additive(unit: str | None) -> bool:
    """A count or an amount adds up over the round; a percentage or rate does not."""
    return not is_percentage(unit)


def status_for_level(level: int) -> str:
    if level >= STANDARD_LEVEL:
        return ON_TRACK
    if level == STANDARD_LEVEL - 1:
        return AT_RISK
    return OFF_TRACK


def milestones_needed(share: Decimal) -> int:
    """Steps the share elapsed calls for: floor(3 x share) (level 3 pro rata)."""
    return int((Decimal(STANDARD_LEVEL) * share).to_integral_value(rounding=ROUND_FLOOR))


def suggest(
    *,
    scale: str,
    levels,
    share: Decimal,
    value=None,
    milestones_done: int | None = None,
    additive: bool = True,
) -> Suggestion:
    """The suggested status and projected level of a check-in (see the module docstring).

    `share` is in (0, 1]; `levels` are the KPI's five targets. Raises
    ValueError for invalid levels or a value that is not a number.
    """
    share = min(max(as_decimal(share), Decimal("0.0001")), _ONE)
    if scale == MILESTONE:
        done = int(milestones_done or 0)
        projection = min(Decimal(done) / share, Decimal(LEVEL_COUNT))
        level = int(projection.to_integral_value(rounding=ROUND_FLOOR))
        status = status_for_level(level)
        if done < milestones_needed(share):
            status = OFF_TRACK
        return Suggestion(status, level, projection)
    number = as_decimal(value)
    projection = number / share if additive else number
    level = level_for(scale, levels, projection)
    return Suggestion(status_for_level(level), level, projection)


def is_no_news(latest: datetime.date | None, today: datetime.date, no_news_days: int) -> bool:
    """No check-in at all, or the latest is more than `no_news_days` days old."""
    return latest is None or (today - latest).days > no_news_days
