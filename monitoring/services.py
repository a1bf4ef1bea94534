"""Services of the monitoring app: check-ins, comments and the round's schedule.

Public services (the signatures the pages, the import and the API rely on):
    checkin_record(*, kpi, by, date, value=None, milestones_done=None,
                   status=None, note="") -> CheckIn
    checkin_comment_add(*, checkin, by, text) -> CheckInComment
    schedule_save(*, round, by, no_news_days, due_dates) -> RoundSchedule

Each runs in one transaction, writes the plan's history and raises
ValidationError with Thai messages, saving nothing, on bad input. Who may
call them is checked by the caller (monitoring.access), as for results.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisals.services import parse_actual, parse_milestones
from indicators.history import record
from indicators.models import KPI, Plan, Round
from indicators.plans import require_round_open
from monitoring import status as rules
from monitoring.models import CheckIn, CheckInComment, Progress, RoundSchedule, Status

STORED = {Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK}
COMMENT_LIMIT = 4000


def require_tracking(plan: Plan, the_round: Round, tree_id: int | None = None) -> None:
    """Check-ins are taken while the round is tracking, on approved plans only, and
    never once the round is closed for the plan's department (tree `tree_id`)."""
    if not the_round.is_closed:  # closed for all: "not tracking" says it below
        require_round_open(the_round, tree_id)
    if the_round.status != Round.Status.TRACKING:
        raise ValidationError(
            _("รายงานความก้าวหน้าได้เฉพาะช่วงติดตามผล (รอบ %(code)s อยู่ในช่วง%(status)s)")
            % {"code": the_round.code, "status": the_round.get_status_display()},
            code="not_tracking",
        )
    if plan.status != Plan.Status.APPROVED:
        raise ValidationError(
            _("แผนตัวชี้วัดนี้ยังไม่ได้รับอนุมัติ (สถานะ: %(status)s) จึงยังรายงานความก้าวหน้าไม่ได้")
            % {"status": plan.get_status_display()},
            code="not_approved",
        )


def check_date(date, the_round: Round, today: datetime.date) -> datetime.date:
    if not isinstance(date, datetime.date):
        raise ValidationError(_("กรุณาระบุวันที่รายงาน"), code="date")
    if date < the_round.start:
        raise ValidationError(_("วันที่รายงานต้องไม่ก่อนวันเริ่มต้นของรอบ"), code="date_before_round")
    if date > today:
        raise ValidationError(_("วันที่รายงานต้องไม่เป็นวันในอนาคต"), code="date_future")
    return date


def evaluate(kpi: KPI, the_round: Round, date, value, milestones_done, status):
    """Check the values of one check-in; (value, milestones, suggestion, status) or raise."""
    if kpi.scale == KPI.Scale.MILESTONE:
        milestones_done = parse_milestones(milestones_done)
        if milestones_done is None:
            raise ValidationError(_("กรุณาระบุจำนวนขั้นตอนที่สำเร็จแล้ว (0 ถึง 5)"), code="milestones")
        value = None
    else:
        value = parse_actual(value)
        if value is None:
            raise ValidationError(_("กรุณาระบุผลการดำเนินงานถึงวันที่รายงาน"), code="value")
        milestones_done = None
    share = rules.share_elapsed(the_round.start, the_round.end, date)
    try:
        suggestion = rules.suggest(
            scale=kpi.scale,
            levels=kpi.levels,
            share=share,
            value=value,
            milestones_done=milestones_done,
            additive=rules.is_additive(kpi.unit),
        )
    except ValueError:
        raise ValidationError(
            _("ค่าเป้าหมายของตัวชี้วัด %(code)s ไม่ครบหรือไม่ถูกต้อง จึงคำนวณสถานะไม่ได้") % {"code": kpi.code},
            code="levels",
        ) from None
    status = (status or "").strip()
    if not status:
        status = suggestion.status
    elif status not in STORED:
        raise ValidationError(
            _(
                "สถานะต้องเป็น on_track (ตามแผน), at_risk (เสี่ยง) หรือ off_track (ล่าช้า) "
                "(ได้รับ: %(value)s)"
            )
            % {"value": status},
            code="status",
        )
    return value, milestones_done, suggestion, status


def _refresh_progress(kpi_ids) -> None:
    """Point each KPI's Progress at its latest check-in (by date, then id)."""
    for kpi_id in kpi_ids:
        latest = CheckIn.objects.filter(kpi_id=kpi_id).order_by("-date", "-pk").first()
        if latest is None:
            Progress.objects.filter(kpi_id=kpi_id).delete()
            continue
        Progress.objects.update_or_create(
            kpi_id=kpi_id,
            defaults={
                "checkin": latest,
                "date": latest.date,
                "status": latest.status,
                "projected_level": latest.projected_level,
            },
        )


def checkin_record(
    *,
    kpi: KPI,
    by,
    date: datetime.date,
    value: Decimal | str | None = None,
    milestones_done: int | str | None = None,
    status: str | None = None,
    note: str = "",
) -> CheckIn:
    """Record (or, for the same KPI and date, update) a KPI's progress check-in.

    `value` for numeric scales, `milestones_done` (0..5) for milestones;
    `status` None or "" takes the suggested one (monitoring.status).
    Refused, with nothing saved, outside a tracking round, on a plan not
    approved, for a date before the round or in the future, or a bad value.
    """
    with transaction.atomic():
        fresh = KPI.objects.select_related("plan__owner").filter(pk=kpi.pk).first()
        if fresh is None:
            raise ValidationError(_("ไม่พบตัวชี้วัดนี้แล้ว อาจถูกลบไปก่อนหน้า"), code="missing")
        the_round = Round.objects.select_for_update().get(pk=fresh.plan.round_id)
        require_tracking(fresh.plan, the_round, fresh.plan.owner.tree_id)
        date = check_date(date, the_round, timezone.localdate())
        value, milestones_done, suggestion, status = evaluate(
            fresh, the_round, date, value, milestones_done, status
        )
        fields = {
            "value": value,
            "milestones_done": milestones_done,
            "status": status,
            "suggested_status": suggestion.status,
            "projected_level": suggestion.projected_level,
            "note": (note or "").strip(),
            "by": by if getattr(by, "is_authenticated", False) else None,
            "at": timezone.now(),
        }
        checkin, _created = CheckIn.objects.update_or_create(kpi=fresh, date=date, defaults=fields)
        _refresh_progress([fresh.pk])
        record(
            plan=fresh.plan,
            by=by,
            action="checkin_record",
            obj=fresh,
            changes={
                "date": [None, date.isoformat()],
                "value": [None, str(checkin.shown_value)],
                "status": [None, status],
            },
            comment=fields["note"],
        )
    return checkin


def checkin_comment_add(*, checkin: CheckIn, by, text: str) -> CheckInComment:
    """The supervisor's comment on a check-in; refused when empty or too long, or once
    the round is closed for the plan's department."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("กรุณาพิมพ์ความเห็น"), code="empty")
    if len(text) > COMMENT_LIMIT:
        raise ValidationError(
            _("ความเห็นยาวเกิน %(limit)s ตัวอักษร") % {"limit": COMMENT_LIMIT}, code="long"
        )
    plan = checkin.kpi.plan
    require_round_open(plan.round, plan.owner.tree_id)
    with transaction.atomic():
        comment = CheckInComment.objects.create(checkin=checkin, by=by, text=text)
        record(
            plan=checkin.kpi.plan,
            by=by,
            action="checkin_comment",
            obj=checkin.kpi,
            changes={"date": [None, checkin.date.isoformat()]},
            comment=text,
        )
    return comment


def schedule_for(the_round: Round) -> RoundSchedule:
    """The round's schedule, unsaved defaults when HR has set none."""
    schedule = RoundSchedule.objects.filter(round=the_round).first()
    return schedule or RoundSchedule(round=the_round)


def schedule_save(
    *, round: Round, by, no_news_days: int, due_dates: list[datetime.date]
) -> RoundSchedule:
    """Set the round's "no news" days and its fixed check-in dates (within the round)."""
    if not no_news_days or no_news_days < 1:
        raise ValidationError(_("จำนวนวันต้องเป็นจำนวนเต็มตั้งแต่ 1 ขึ้นไป"), code="days")
    outside = [d for d in due_dates if not round.start <= d <= round.end]
    if outside:
        raise ValidationError(
            _("กำหนดวันรายงานต้องอยู่ในช่วงของรอบ (%(dates)s)")
            % {"dates": ", ".join(d.isoformat() for d in outside)},
            code="outside",
        )
    with transaction.atomic():
        schedule, _created = RoundSchedule.objects.update_or_create(
            round=round,
            defaults={
                "no_news_days": no_news_days,
                "due_dates": sorted({d.isoformat() for d in due_dates}),
                "updated_by": by if getattr(by, "is_authenticated", False) else None,
            },
        )
    return schedule
