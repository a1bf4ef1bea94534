"""The assessment at the end of a round and its sign-offs (DOMAIN.md: Sign-offs and forms).

open -> self_assessed (the assessee) -> assessed (the assessor: levels and
competencies) -> acknowledged (the assessee signs, or the assessor records
the refusal with the date shown and a witness) -> reviewed (the next-level
supervisor agrees or records a different opinion).

These services check the workflow's rules; who may call them (the holder, the
supervisor, the next-level supervisor) is checked by the views through
appraisals.access. Each writes the plan's history and rescores the plan.
"""

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisals.competencies import core_competencies, expected_level, expected_table
from appraisals.guards import appraisal_for, lock_open_round, require_results_open
from appraisals.models import Appraisal, CompetencyRating, Result
from appraisals.policy import rules_for
from appraisals.scores import computed_level, kpi_result, plan_kpis, plan_rescore
from appraisals.signals import (
    appraisal_acknowledgement_due,
    appraisal_assessment_due,
    appraisal_review_due,
    send_on_commit,
)
from indicators.history import record
from indicators.models import Plan
from orgchart.models import Kind

Status = Appraisal.Status


def _open_appraisal(plan: Plan) -> tuple[Plan, Appraisal]:
    """Fresh plan and its locked appraisal, when the round still takes sign-offs."""
    the_round = lock_open_round(plan.round_id, plan.owner.tree_id)
    plan = Plan.objects.select_related("owner").get(pk=plan.pk)
    plan.round = the_round
    require_results_open(plan, the_round)
    appraisal_for(plan)
    appraisal = Appraisal.objects.select_for_update().get(plan=plan)
    return plan, appraisal


def _require_status(appraisal: Appraisal, allowed, message: str) -> None:
    if appraisal.status not in allowed:
        raise ValidationError(
            message % {"status": appraisal.get_status_display()}, code="wrong_status"
        )


def _require_published(plan: Plan) -> None:
    if not rules_for(plan.round).published:
        raise ValidationError(
            _("ฝ่ายบุคคลยังไม่เผยแพร่ผลคะแนนของรอบนี้ จึงยังรับทราบผลการประเมินไม่ได้"),
            code="unpublished",
        )


def appraisal_self_assess(*, plan: Plan, comment: str = "", by) -> Appraisal:
    """The assessee submits the results for assessment (status self_assessed).

    Every KPI must have a result; may be sent again until the assessor scores.
    """
    with transaction.atomic():
        plan, appraisal = _open_appraisal(plan)
        _require_status(
            appraisal,
            (Status.OPEN, Status.SELF_ASSESSED),
            _("ส่งประเมินตนเองไม่ได้ เพราะการประเมินอยู่ในสถานะ%(status)s"),
        )
        missing = [
            kpi.code for kpi in plan_kpis(plan) if computed_level(kpi, kpi_result(kpi)) is None
        ]
        if missing:
            raise ValidationError(
                _("กรุณาบันทึกผลการดำเนินงานให้ครบทุกตัวชี้วัดก่อนส่งประเมินตนเอง (ยังขาด: %(codes)s)")
                % {"codes": ", ".join(missing)},
                code="missing_results",
            )
        appraisal.status = Status.SELF_ASSESSED
        appraisal.self_assessed_at = timezone.now()
        appraisal.self_comment = (comment or "").strip()
        appraisal.save()
        record(
            plan=plan, by=by, action="self_assess", obj=appraisal, comment=appraisal.self_comment
        )
        send_on_commit(appraisal_assessment_due, plan=plan, by=by)
    return appraisal


def _parse_level(value, label: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = -1
    if not 0 <= level <= 5:
        raise ValidationError(
            _("%(label)s: ระดับต้องเป็น 0 ถึง 5 (ได้รับ: %(value)s)") % {"label": label, "value": value}
        )
    return level


def _parse_other(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        number = Decimal(-1)
    if not number.is_finite() or not 0 <= number <= 100:
        raise ValidationError(_("คะแนนองค์ประกอบอื่นต้องอยู่ระหว่าง 0 ถึง 100"))
    return number.quantize(Decimal("0.01"))


def appraisal_assess(
    *,
    plan: Plan,
    levels: Mapping[int, int | None],
    reasons: Mapping[int, str] | None = None,
    ratings: Mapping[int, int | None] | None = None,
    other=None,
    comment: str = "",
    by,
) -> Appraisal:
    """The assessor confirms or changes each KPI's level and rates the competencies.

    `levels` {kpi id: level 0..5}: the level computed from the result (or no
    entry) confirms it; another level needs a reason in `reasons` {kpi id:
    text}. `ratings` {competency id: observed 0..5} is required for every
    core competency of an individual's plan. `other` is the optional "other"
    part (0..100). May be done again until the assessee acknowledges.
    """
    reasons = reasons or {}
    ratings = ratings or {}
    with transaction.atomic():
        plan, appraisal = _open_appraisal(plan)
        _require_status(
            appraisal,
            (Status.OPEN, Status.SELF_ASSESSED, Status.ASSESSED),
            _("แก้ไขการประเมินไม่ได้ เพราะการประเมินอยู่ในสถานะ%(status)s"),
        )
        errors, decided = [], []
        for kpi in plan_kpis(plan):
            result = kpi_result(kpi)
            computed = computed_level(kpi, result)
            try:
                level = _parse_level(levels.get(kpi.pk), kpi.code)
            except ValidationError as error:
                errors.extend(error.messages)
                continue
            reason = (reasons.get(kpi.pk) or "").strip()
            if level is None or level == computed:
                decided.append((kpi, result, None, ""))
            elif not reason:
                errors.append(
                    _("ตัวชี้วัด %(code)s: กรุณาระบุเหตุผลเมื่อให้ระดับ %(level)s ต่างจากระดับที่คำนวณได้")
                    % {"code": kpi.code, "level": level}
                )
            else:
                decided.append((kpi, result, level, reason))
        individual = plan.owner.kind == Kind.INDIVIDUAL
        observed = {}
        if individual:
            for competency in core_competencies():
                try:
                    value = _parse_level(ratings.get(competency.pk), competency.name)
                except ValidationError as error:
                    errors.extend(error.messages)
                    continue
                if value is None:
                    errors.append(
                        _("กรุณาระบุระดับสมรรถนะที่แสดงออก: %(name)s") % {"name": competency.name}
                    )
                observed[competency] = value
        try:
            other_value = _parse_other(other)
        except ValidationError as error:
            errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)

        changes = _store_levels(decided, by)
        if individual:
            changes.update(_store_ratings(appraisal, plan.owner, observed))
        appraisal.status = Status.ASSESSED
        appraisal.assessed_at = timezone.now()
        appraisal.assessed_by = by if getattr(by, "is_authenticated", False) else None
        appraisal.assessor_comment = (comment or "").strip()
        appraisal.other = other_value
        appraisal.save()
        record(
            plan=plan,
            by=by,
            action="assess",
            obj=appraisal,
            changes=changes,
            comment=appraisal.assessor_comment,
        )
        plan_rescore(plan, rules_for(plan.round))
        send_on_commit(appraisal_acknowledgement_due, plan=plan, by=by)
    appraisal.refresh_from_db()
    return appraisal


def _store_levels(decided, by) -> dict:
    changes = {}
    for kpi, result, level, reason in decided:
        if result is None:
            if level is None:
                continue
            result = Result(kpi=kpi)
        old = result.assessed_level
        if (old, result.assessed_reason) == (level, reason) and result.pk:
            continue
        result.assessed_level, result.assessed_reason = level, reason
        result.updated_by = by if getattr(by, "is_authenticated", False) else None
        result.save()
        if old != level:
            changes[f"{kpi.code}.assessed_level"] = [old, level]
    return changes


def _store_ratings(appraisal: Appraisal, owner, observed: Mapping) -> dict:
    table = expected_table([owner.position_level])
    current = {rating.competency_id: rating for rating in appraisal.ratings.all()}
    changes = {}
    for competency, value in observed.items():
        expected = expected_level(table, competency.pk, owner.position_level)
        rating = current.get(competency.pk)
        old = rating.observed if rating is not None else None
        if rating is None:
            CompetencyRating.objects.create(
                appraisal=appraisal, competency=competency, expected=expected, observed=value
            )
        elif (rating.expected, rating.observed) != (expected, value):
            rating.expected, rating.observed = expected, value
            rating.save(update_fields=["expected", "observed"])
        if old != value:
            changes[f"competency.{competency.code}"] = [old, value]
    return changes


def appraisal_acknowledge(*, plan: Plan, by) -> Appraisal:
    """The assessee signs that they have seen the assessment."""
    with transaction.atomic():
        plan, appraisal = _open_appraisal(plan)
        _require_status(
            appraisal, (Status.ASSESSED,), _("ยังรับทราบไม่ได้ เพราะการประเมินอยู่ในสถานะ%(status)s")
        )
        _require_published(plan)
        appraisal.status = Status.ACKNOWLEDGED
        appraisal.acknowledged_at = timezone.now()
        appraisal.refused, appraisal.shown_on, appraisal.witness = False, None, ""
        appraisal.save()
        record(plan=plan, by=by, action="acknowledge", obj=appraisal)
        send_on_commit(appraisal_review_due, plan=plan, by=by)
    return appraisal


def appraisal_refusal_record(
    *, plan: Plan, shown_on: datetime.date | None, witness: str, by
) -> Appraisal:
    """The assessor records that the assessee refused to sign: the date shown and a witness."""
    witness = (witness or "").strip()
    errors = []
    if shown_on is None:
        errors.append(_("กรุณาระบุวันที่แจ้งผลการประเมินให้ผู้รับการประเมินทราบ"))
    elif shown_on > timezone.localdate():
        errors.append(_("วันที่แจ้งผลการประเมินต้องไม่เป็นวันในอนาคต"))
    if not witness:
        errors.append(_("กรุณาระบุชื่อพยาน"))
    with transaction.atomic():
        plan, appraisal = _open_appraisal(plan)
        _require_status(
            appraisal,
            (Status.ASSESSED,),
            _("บันทึกการไม่ลงนามรับทราบไม่ได้ เพราะการประเมินอยู่ในสถานะ%(status)s"),
        )
        _require_published(plan)
        if errors:
            raise ValidationError(errors)
        appraisal.status = Status.ACKNOWLEDGED
        appraisal.acknowledged_at = None
        appraisal.refused, appraisal.shown_on, appraisal.witness = True, shown_on, witness
        appraisal.save()
        record(
            plan=plan,
            by=by,
            action="refusal",
            obj=appraisal,
            changes={"shown_on": [None, shown_on.isoformat()], "witness": [None, witness]},
        )
        send_on_commit(appraisal_review_due, plan=plan, by=by)
    return appraisal


def appraisal_review(*, plan: Plan, opinion: str, comment: str = "", by) -> Appraisal:
    """The next-level supervisor agrees, or records a different opinion with a comment."""
    comment = (comment or "").strip()
    with transaction.atomic():
        plan, appraisal = _open_appraisal(plan)
        _require_status(
            appraisal,
            (Status.ACKNOWLEDGED, Status.REVIEWED),
            _("ยังให้ความเห็นไม่ได้ เพราะการประเมินอยู่ในสถานะ%(status)s"),
        )
        if opinion not in Appraisal.Opinion.values:
            raise ValidationError(_("กรุณาเลือกความเห็น: เห็นด้วย หรือมีความเห็นต่าง"))
        if opinion == Appraisal.Opinion.DIFFERENT and not comment:
            raise ValidationError(_("กรุณาระบุความเห็นเมื่อมีความเห็นต่างจากผู้ประเมิน"))
        old = appraisal.opinion
        appraisal.status = Status.REVIEWED
        appraisal.opinion, appraisal.opinion_comment = opinion, comment
        appraisal.reviewed_at = timezone.now()
        appraisal.reviewed_by = by if getattr(by, "is_authenticated", False) else None
        appraisal.save()
        record(
            plan=plan,
            by=by,
            action="review",
            obj=appraisal,
            changes={"opinion": [old or None, opinion]},
            comment=comment,
        )
    return appraisal
