"""The rules a plan must meet to be submitted (DOMAIN.md), in one place.

`review_plan` works on model instances that need not be saved yet, so the
plan page, the submit service and the KPI import all check a plan the same
way: the import builds unsaved KRA and KPI objects and reviews them before
writing anything.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from indicators import targets
from indicators.models import KPI, KRA, Round

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Problem:
    message: str
    kpi: KPI | None = None
    kra: KRA | None = None
    field: str | None = None


@dataclass
class Review:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def for_kpi(self, kpi: KPI) -> tuple[list[Problem], list[Problem]]:
        return (
            [p for p in self.errors if p.kpi is kpi],
            [p for p in self.warnings if p.kpi is kpi],
        )


def total_weight(kpis: Sequence[KPI]) -> Decimal:
    return sum((kpi.weight or Decimal(0) for kpi in kpis), Decimal(0))


def parent_of(kpi: KPI) -> KPI | None:
    """The KPI `kpi` is cascaded from, also when both are unsaved (an import)."""
    field_ = KPI._meta.get_field("parent")
    if field_.is_cached(kpi):
        return field_.get_cached_value(kpi)
    return kpi.parent if kpi.parent_id else None


def _belongs(kpi: KPI, kra: KRA) -> bool:
    """`kpi` is in `kra`, by pk, or by identity when both are unsaved (never a query)."""
    if kra.pk is not None and kpi.kra_id == kra.pk:
        return True
    field_ = KPI._meta.get_field("kra")
    return field_.is_cached(kpi) and field_.get_cached_value(kpi) is kra


def review_kpi(kpi: KPI) -> Review:
    """Errors and SMART warnings of one KPI on its own."""
    review = Review()
    label = kpi.code or kpi.name
    if kpi.scale not in targets.SCALES:
        review.errors.append(
            Problem(_("%(kpi)s: กรุณาเลือกเกณฑ์") % {"kpi": label}, kpi=kpi, field="scale")
        )
    else:
        # The form shows numbers in level_N and a milestone's words in milestone_N.
        prefix = "milestone" if kpi.scale == targets.MILESTONE else "level"
        for level, message in targets.validate_levels(kpi.scale, kpi.levels):
            field_name = f"{prefix}_{level}" if level else None
            review.errors.append(Problem(f"{label}: {message}", kpi=kpi, field=field_name))
    if kpi.weight is None or kpi.weight <= 0:
        review.errors.append(
            Problem(_("%(kpi)s: น้ำหนักต้องมากกว่า 0") % {"kpi": label}, kpi=kpi, field="weight")
        )
    if not review.errors:
        for message in targets.smart_warnings(kpi.scale, kpi.levels, kpi.unit):
            review.warnings.append(Problem(f"{label}: {message}", kpi=kpi))
        parent = parent_of(kpi)
        if (
            parent is not None
            and kpi.cascade == KPI.Cascade.DIRECT
            and targets.easier_than(kpi.scale, kpi.levels, parent.levels)
        ):
            review.warnings.append(
                Problem(
                    _("%(kpi)s: ค่าเป้าหมายง่ายกว่าของผู้บังคับบัญชา (%(parent)s)")
                    % {"kpi": label, "parent": parent.code},
                    kpi=kpi,
                )
            )
    return review


def review_plan(*, round: Round, kras: Sequence[KRA], kpis: Sequence[KPI]) -> Review:
    """Everything that stops a plan from being submitted, and the warnings.

    `kpis[i].kra` must be one of `kras` (by identity or by pk).
    """
    review = Review()
    if not kpis:
        review.errors.append(Problem(_("แผนต้องมีตัวชี้วัดอย่างน้อย 1 ตัว")))
    for kra in kras:
        if not any(_belongs(kpi, kra) for kpi in kpis):
            review.errors.append(
                Problem(_("ผลสัมฤทธิ์หลัก “%(kra)s” ยังไม่มีตัวชี้วัด") % {"kra": kra.name}, kra=kra)
            )
    for kpi in kpis:
        single = review_kpi(kpi)
        review.errors += single.errors
        review.warnings += single.warnings
    weight = total_weight(kpis)
    if kpis and weight != HUNDRED:
        review.errors.append(
            Problem(
                _("น้ำหนักรวมต้องเท่ากับ 100 พอดี (ขณะนี้ %(total)s)")
                % {"total": format(weight.normalize(), "f")},
                field="weight",
            )
        )
    count = len(kpis)
    if kpis and count < round.min_kpis:
        review.errors.append(
            Problem(
                _("ต้องมีตัวชี้วัดอย่างน้อย %(min)s ตัว (ขณะนี้ %(count)s ตัว)")
                % {"min": round.min_kpis, "count": count}
            )
        )
    if count > round.max_kpis:
        review.errors.append(
            Problem(
                _("มีตัวชี้วัดได้ไม่เกิน %(max)s ตัว (ขณะนี้ %(count)s ตัว)")
                % {"max": round.max_kpis, "count": count}
            )
        )
    elif count > round.recommended_kpis:
        review.warnings.append(
            Problem(
                _("มีตัวชี้วัด %(count)s ตัว มากกว่าที่แนะนำ (%(recommended)s ตัว)")
                % {"count": count, "recommended": round.recommended_kpis}
            )
        )
    return review
