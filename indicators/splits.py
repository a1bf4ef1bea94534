"""Pure rules of a split target (DOMAIN.md "Cascading", method 2): no database.

The cascade page, the cascade service and the KPI import all judge a split
with `split_coverage`, so the sums a supervisor sees while typing are the
sums the server checks.
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

from indicators import targets

PERCENT_WORDS = ("ร้อยละ", "%", "เปอร์เซ็นต์", "เปอร์เซนต์", "percent")


def show(value: Decimal | None) -> str:
    """A number as a person writes it: 10, 2.5 (no exponent, no trailing zeros)."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


def number_or_none(value) -> Decimal | None:
    """A level as a Decimal; None when it is empty or not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return targets.as_decimal(value)
    except ValueError:
        return None


class Coverage(NamedTuple):
    """One level of a split: the children's sum against the parent's target."""

    level: int
    sum: Decimal | None
    parent_target: Decimal | None
    ok: bool

    @property
    def gap(self) -> Decimal | None:
        """How far the sum misses the target (positive), None when it does not."""
        if self.ok or self.parent_target is None:
            return None
        return abs(self.parent_target - (self.sum or Decimal(0)))


def is_percentage(unit: str | None) -> bool:
    """A unit of measure that is a share, not an amount (ร้อยละ, %, percent ...)."""
    folded = (unit or "").strip().casefold()
    return any(word in folded for word in PERCENT_WORDS)


def split_refusal(scale: str, unit: str | None) -> str | None:
    """Why a KPI with this scale and unit cannot be split, or None when it can."""
    if scale == targets.MILESTONE:
        return _("ตัวชี้วัดแบบระดับความสำเร็จ (ขั้นตอน) แบ่งค่าเป้าหมายไม่ได้ ใช้การถ่ายทอดโดยตรงหรือมอบบางส่วนแทน")
    if is_percentage(unit):
        return _(
            "ตัวชี้วัดที่มีหน่วยเป็นร้อยละแบ่งค่าเป้าหมายไม่ได้ เพราะร้อยละนำมารวมกันไม่ได้ "
            "ใช้การถ่ายทอดโดยตรงหรือมอบบางส่วนแทน"
        )
    return None


def split_coverage(
    scale: str, parent_levels: Sequence, child_levels_list: Iterable[Sequence]
) -> list[Coverage]:
    """Per level: the sum of the children's targets, the parent's target, and whether it covers.

    `higher`: the sum must be at least the parent's target; `lower`: at most.
    A level the parent leaves open (level 1) is always covered; a child level
    that is missing or not a number counts as nothing (for `higher`) and
    makes the level uncovered (for `lower`, where it would mean "no limit").
    Pure: the cascade page shows the same figures the service checks.
    """
    children = [tuple(levels) for levels in child_levels_list]
    coverage = []
    for index in range(5):
        target = number_or_none(parent_levels[index])
        values = [number_or_none(levels[index]) for levels in children]
        known = [value for value in values if value is not None]
        total = sum(known, Decimal(0)) if known else None
        if target is None:
            ok = True
        elif not children or (scale == targets.LOWER and len(known) < len(values)):
            ok = False
        elif scale == targets.LOWER:
            ok = total <= target
        else:
            ok = (total or Decimal(0)) >= target
        coverage.append(Coverage(index + 1, total, target, ok))
    return coverage


def coverage_messages(coverage: Sequence[Coverage], scale: str) -> list[str]:
    """Thai messages for every level the split does not cover."""
    messages = []
    for row in coverage:
        if row.ok:
            continue
        values = {
            "level": row.level,
            "sum": show(row.sum if row.sum is not None else Decimal(0)),
            "target": show(row.parent_target),
            "gap": show(row.gap or Decimal(0)),
        }
        if scale == targets.LOWER:
            message = _(
                "ระดับ %(level)s: ผลรวมของผู้รับ %(sum)s มากกว่าค่าเป้าหมายของต้นทาง "
                "%(target)s (เกินอยู่ %(gap)s)"
            )
        else:
            message = _(
                "ระดับ %(level)s: ผลรวมของผู้รับ %(sum)s ยังไม่ถึงค่าเป้าหมายของต้นทาง "
                "%(target)s (ขาดอีก %(gap)s)"
            )
        messages.append(message % values)
    return messages


def level_texts(levels: Sequence) -> list[str]:
    """Five levels as a person reads them: "10", "2.5", a milestone's words, "" when open."""
    texts = []
    for value in levels:
        if isinstance(value, Decimal | int | float):
            texts.append(show(targets.as_decimal(value)))
        else:
            texts.append((value or "").strip())
    return texts
