"""The individual development plan: suggestions, items, the assessee's acknowledgement.

After the assessor has scored, the assessor records development items with
the assessee (each addressing a competency below its expected level or a KPI
below level 3, or another topic); the assessee acknowledges the plan. Adding
or removing an item asks for a new acknowledgement. Once the round is closed
the plan is frozen with the rest of the appraisal. Each change is written to
the plan's history (indicators.history, labels in appraisals.history_labels).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisals.access import can_assess, is_assessee
from appraisals.models import Appraisal, CompetencyRating, DevelopmentItem, DevelopmentMethod
from indicators.history import record
from indicators.models import KPI, Plan

LOW_KPI_LEVEL = 3


@dataclass(frozen=True)
class Suggestion:
    """A gap the plan should address: `subject` is "competency:<pk>" or "kpi:<pk>"."""

    subject: str
    label: str


def development_suggestions(appraisal: Appraisal) -> list[Suggestion]:
    """Competencies below their expected level and KPIs below level 3 (two queries)."""
    found = []
    ratings = CompetencyRating.objects.filter(appraisal=appraisal).select_related("competency")
    for rating in ratings:
        if rating.observed < rating.expected:
            label = _("%(name)s (ระดับ %(observed)s จากที่คาดหวัง %(expected)s)") % {
                "name": rating.competency.name,
                "observed": rating.observed,
                "expected": rating.expected,
            }
            found.append(Suggestion(f"competency:{rating.competency_id}", label))
    kpis = KPI.objects.filter(plan_id=appraisal.plan_id).select_related("result").order_by("order")
    for kpi in kpis:
        result = getattr(kpi, "result", None)
        if result is None:
            continue
        level = result.assessed_level if result.assessed_level is not None else result.level
        if level is not None and level < LOW_KPI_LEVEL:
            label = _("%(name)s (ระดับ %(level)s)") % {"name": kpi.name, "level": level}
            found.append(Suggestion(f"kpi:{kpi.pk}", label))
    return found


def _open_plan(plan: Plan) -> Appraisal:
    appraisal = Appraisal.objects.select_for_update().filter(plan=plan).first()
    if appraisal is None or not appraisal.is_assessed:
        raise ValidationError(_("ผู้ประเมินต้องให้คะแนนก่อน จึงจัดทำแผนพัฒนารายบุคคลได้"))
    if plan.round_closed:
        raise ValidationError(_("รอบนี้ปิดแล้ว แผนพัฒนารายบุคคลถูกบันทึกไว้ถาวร"))
    return appraisal


def development_item_add(
    *,
    plan: Plan,
    subject: str,
    topic: str,
    method: str,
    period: str,
    outcome: str,
    planned_hours: int | None,
    by,
) -> DevelopmentItem:
    """The assessor adds an item; the assessee must acknowledge the plan again."""
    if by is not None and not can_assess(by, plan):
        raise PermissionDenied
    topic, period, outcome = (topic or "").strip(), (period or "").strip(), (outcome or "").strip()
    errors = []
    competency_id = kpi_id = None
    kind, _sep, pk = (subject or "").partition(":")
    suggestion = None
    with transaction.atomic():
        appraisal = _open_plan(plan)
        if subject:
            suggestion = next(
                (s for s in development_suggestions(appraisal) if s.subject == subject), None
            )
            if suggestion is None:
                errors.append(_("เรื่องที่เลือกไม่อยู่ในรายการที่ต่ำกว่าเป้าหมาย"))
            elif kind == "competency":
                competency_id = int(pk)
            else:
                kpi_id = int(pk)
        if not topic and suggestion is not None:
            topic = suggestion.label[:255]
        if not topic:
            errors.append(_("กรุณาระบุสิ่งที่ต้องพัฒนา"))
        if method not in DevelopmentMethod.values:
            errors.append(_("กรุณาเลือกวิธีการพัฒนา"))
        if not period:
            errors.append(_("กรุณาระบุช่วงเวลา"))
        if not outcome:
            errors.append(_("กรุณาระบุผลที่คาดว่าจะได้รับ"))
        if planned_hours is not None and not (0 < planned_hours <= 1000):
            errors.append(_("จำนวนชั่วโมงต้องอยู่ระหว่าง 1 ถึง 1000"))
        if errors:
            raise ValidationError(errors)
        item = DevelopmentItem.objects.create(
            appraisal=appraisal,
            competency_id=competency_id,
            kpi_id=kpi_id,
            topic=topic[:255],
            method=method,
            period=period[:100],
            outcome=outcome,
            planned_hours=planned_hours,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        appraisal.development_acknowledged_at = None
        appraisal.save(update_fields=["development_acknowledged_at"])
        record(
            plan=plan,
            by=by,
            action="development_add",
            obj=item,
            changes={"method": [None, method], "period": [None, item.period]},
        )
    return item


def development_item_delete(*, item: DevelopmentItem, by) -> None:
    """The assessor removes an item (recorded before it goes)."""
    plan = item.appraisal.plan
    if by is not None and not can_assess(by, plan):
        raise PermissionDenied
    with transaction.atomic():
        appraisal = _open_plan(plan)
        record(plan=plan, by=by, action="development_delete", obj=item)
        item.delete()
        appraisal.development_acknowledged_at = None
        appraisal.save(update_fields=["development_acknowledged_at"])


MAX_HOURS = 1000


def development_item_hours(*, item: DevelopmentItem, actual_hours: int | None, by) -> bool:
    """Record the hours actually spent on an item (None clears them); True if changed.

    The assessor or the assessee records them, while the round is open. The
    plan as agreed does not change, so the acknowledgement stands.
    """
    plan = item.appraisal.plan
    if by is not None and not (can_assess(by, plan) or is_assessee(by, plan)):
        raise PermissionDenied
    if actual_hours is not None and not (0 <= actual_hours <= MAX_HOURS):
        raise ValidationError(_("จำนวนชั่วโมงที่พัฒนาจริงต้องอยู่ระหว่าง 0 ถึง 1000"))
    with transaction.atomic():
        _open_plan(plan)
        item = DevelopmentItem.objects.select_for_update().get(pk=item.pk)
        before = item.actual_hours
        if before == actual_hours:
            return False
        item.actual_hours = actual_hours
        item.save(update_fields=["actual_hours"])
        record(
            plan=plan,
            by=by,
            action="development_hours",
            obj=item,
            changes={"actual_hours": [before, actual_hours]},
        )
    return True


def development_acknowledge(*, plan: Plan, by) -> Appraisal:
    """The assessee acknowledges the development plan as agreed."""
    if by is not None and not is_assessee(by, plan):
        raise PermissionDenied
    with transaction.atomic():
        appraisal = _open_plan(plan)
        if not DevelopmentItem.objects.filter(appraisal=appraisal).exists():
            raise ValidationError(_("ยังไม่มีรายการในแผนพัฒนา จึงยังรับทราบไม่ได้"))
        appraisal.development_acknowledged_at = timezone.now()
        appraisal.save(update_fields=["development_acknowledged_at"])
        record(plan=plan, by=by, action="development_acknowledge", obj=appraisal)
    return appraisal
