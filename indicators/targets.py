"""Five-level target rules: validation, SMART warnings and the achieved level.

Pure functions on plain values (no database), so they can be checked by the
thousand with hypothesis. Numbers are handled as ``Decimal``; anything else
(ints, numeric strings, floats) is converted through ``Decimal(str(x))`` so a
float never leaks its binary noise into a target.

Levels are always given as a sequence of five entries, level 1 first. For a
numeric scale an entry of ``None`` (or a blank string) means "not set"; only
level 1 may be left open, meaning any result reaches level 1.
"""

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from django.utils.translation import gettext as _

HIGHER = "higher"
LOWER = "lower"
MILESTONE = "milestone"

SCALES = (HIGHER, LOWER, MILESTONE)
NUMERIC_SCALES = (HIGHER, LOWER)
LEVEL_COUNT = 5

# A level-5 target closer than this share of |t3| to level 3 is not a stretch.
BARELY_ABOVE_SHARE = Decimal("0.05")

Number = Decimal | int | float | str


def as_decimal(value: Number) -> Decimal:
    """Convert a number (or numeric text) to a finite ``Decimal``.

    Floats go through ``str`` so ``0.1`` becomes ``Decimal("0.1")``, not the
    binary approximation. Raises ``ValueError`` for text that is not a number
    and for NaN or infinity, which no target or result can be.
    """
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _check_scale(scale: str) -> None:
    if scale not in SCALES:
        raise ValueError(f"unknown scale: {scale!r}")


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _in_order(scale: str, earlier: Decimal, later: Decimal) -> bool:
    """True when ``later`` is a harder target than ``earlier`` on ``scale``."""
    return later > earlier if scale == HIGHER else later < earlier


def _validate_numeric(scale: str, levels: Sequence) -> list[tuple[int | None, str]]:
    errors: list[tuple[int | None, str]] = []
    values: list[Decimal | None] = []
    for level, raw in enumerate(levels, start=1):
        if _is_blank(raw):
            if level > 1:
                errors.append((level, _("กรุณาระบุค่าเป้าหมายระดับ %(level)s") % {"level": level}))
            values.append(None)
            continue
        try:
            values.append(as_decimal(raw))
        except ValueError:
            errors.append((level, _("ค่าเป้าหมายระดับ %(level)s ต้องเป็นตัวเลข") % {"level": level}))
            values.append(None)

    # Compare each level with the nearest lower level that has a value, so one
    # missing level does not hide an ordering mistake around it.
    prev_level, prev_value = None, None
    for level, value in enumerate(values, start=1):
        if value is None:
            continue
        if prev_value is not None and not _in_order(scale, prev_value, value):
            if scale == HIGHER:
                message = _("ระดับ %(level)s ต้องมากกว่าระดับ %(prev)s")
            else:
                message = _("ระดับ %(level)s ต้องน้อยกว่าระดับ %(prev)s")
            errors.append((level, message % {"level": level, "prev": prev_level}))
        prev_level, prev_value = level, value
    return errors


def _validate_milestone(levels: Sequence) -> list[tuple[int | None, str]]:
    errors: list[tuple[int | None, str]] = []
    for level, raw in enumerate(levels, start=1):
        if _is_blank(raw) or not isinstance(raw, str):
            errors.append((level, _("กรุณาระบุคำอธิบายขั้นความสำเร็จระดับ %(level)s") % {"level": level}))
    return errors


def validate_levels(
    scale: str, levels: Sequence[Decimal | None] | Sequence[str]
) -> list[tuple[int | None, str]]:
    """Return the errors in a KPI's five levels, as ``(level or None, message)``.

    An empty list means the levels are valid. ``None`` as the level marks an
    error about the levels as a whole (the wrong number of them). Numeric
    scales must be strictly ordered (increasing for ``higher``, decreasing for
    ``lower``); equal neighbours are refused because they would make a level
    impossible to land on. Level 1 may be open on numeric scales only: a
    milestone needs words for every step.
    """
    _check_scale(scale)
    if len(levels) != LEVEL_COUNT:
        message = _("ต้องมีค่าเป้าหมาย 5 ระดับ (ได้รับ %(count)s ระดับ)") % {"count": len(levels)}
        return [(None, message)]
    if scale == MILESTONE:
        return _validate_milestone(levels)
    return _validate_numeric(scale, levels)


def numeric_levels(scale: str, levels: Sequence) -> list[Decimal | None]:
    """Parse valid numeric levels into Decimals (level 1 may be ``None``).

    For callers that compute with levels: raises ``ValueError`` when the levels
    are not valid for ``scale``, so a bad target never yields a quiet score.
    """
    _check_scale(scale)
    if scale == MILESTONE:
        raise ValueError("milestone levels are words, not numbers")
    if len(levels) != LEVEL_COUNT:
        raise ValueError(f"expected {LEVEL_COUNT} levels, got {len(levels)}")
    values = [None if _is_blank(raw) else as_decimal(raw) for raw in levels]
    if any(value is None for value in values[1:]):
        raise ValueError("levels 2 to 5 must be set")
    present = [value for value in values if value is not None]
    if not all(_in_order(scale, a, b) for a, b in pairwise(present)):
        raise ValueError(f"levels are not strictly ordered for scale {scale!r}: {levels!r}")
    return values


def smart_warnings(scale: str, levels: Sequence, unit: str) -> list[str]:
    """Return advice (not errors) that helps make a KPI SMART.

    - No unit of measure.
    - Level 5 barely above level 3, on numeric scales: level 5 should be a
      stretch (under half a chance), so we warn when the gap |t5 - t3| is less
      than 5% of |t3|; when t3 is 0 the share is meaningless, so we warn only
      when t5 equals t3. Levels that are not valid are skipped here; the
      errors from ``validate_levels`` speak for them.
    """
    _check_scale(scale)
    warnings: list[str] = []
    if not (unit or "").strip():
        warnings.append(_("ยังไม่ได้ระบุหน่วยนับของตัวชี้วัด"))
    if scale in NUMERIC_SCALES:
        try:
            values = numeric_levels(scale, levels)
        except ValueError:
            return warnings
        t3, t5 = values[2], values[4]
        gap = abs(t5 - t3)
        barely = gap == 0 if t3 == 0 else gap < abs(t3) * BARELY_ABOVE_SHARE
        if barely:
            warnings.append(_("ค่าเป้าหมายระดับ 5 ใกล้เคียงระดับ 3 มากเกินไป ระดับ 5 ควรเป็นเป้าหมายที่ท้าทาย"))
    return warnings


def milestones_done(actual: Number) -> int:
    """Return the number of milestone steps done, refusing anything but 0..5."""
    number = as_decimal(actual)
    if number != number.to_integral_value() or not 0 <= number <= LEVEL_COUNT:
        raise ValueError(f"milestones done must be a whole number from 0 to 5, got {actual!r}")
    return int(number)


def level_for(scale: str, levels: Sequence, actual: Number) -> int:
    """Return the achieved level 0..5 for an actual result (discrete scoring).

    ``higher``: the highest L with actual >= tL; ``lower``: the highest L with
    actual <= tL; an open level 1 is reached by any result. ``milestone``:
    ``actual`` is the number of steps done (0..5), which is the level.
    Raises ``ValueError`` for invalid levels or an impossible milestone count.
    """
    _check_scale(scale)
    if scale == MILESTONE:
        return milestones_done(actual)
    values = numeric_levels(scale, levels)
    result = as_decimal(actual)
    achieved = 0
    for level, target in enumerate(values, start=1):
        if target is None or not _in_order(scale, result, target):
            achieved = level
        else:
            break
    return achieved


def easier_than(scale: str, child_levels: Sequence, parent_levels: Sequence) -> bool:
    """True when any of the child's levels is easier to reach than the parent's.

    Used to warn on direct cascades, where the child should carry the same
    targets: ``higher`` child tL < parent tL, ``lower`` child tL > parent tL,
    at any level. An open level 1 is the easiest of all, so an open child t1
    under a set parent t1 counts as easier. Milestones are words and cannot be
    compared, so they are never reported as easier. Invalid levels give False;
    validation reports them.
    """
    _check_scale(scale)
    if scale == MILESTONE:
        return False
    try:
        child = numeric_levels(scale, child_levels)
        parent = numeric_levels(scale, parent_levels)
    except ValueError:
        return False
    for child_target, parent_target in zip(child, parent, strict=True):
        if parent_target is None:
            continue
        if child_target is None or _in_order(scale, child_target, parent_target):
            return True
    return False
