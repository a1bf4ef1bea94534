"""Checks shared by the services: is the round open, may results change."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from appraisals.models import Appraisal
from indicators.models import Plan, Round
from indicators.plans import require_round_open


def lock_open_round(round_id: int, tree_id: int | None = None) -> Round:
    """The round, locked until the transaction ends; ValidationError when it is closed
    (for everyone, or for the department of tree `tree_id`).

    Every write of this app takes this lock, so `round_close` (which takes it
    too, for one department or all) never interleaves with a change: after
    close, everything is refused.
    """
    the_round = Round.objects.select_for_update().get(pk=round_id)
    if the_round.is_closed:
        raise ValidationError(
            _("รอบการประเมิน %(code)s ปิดแล้ว ไม่สามารถแก้ไขได้") % {"code": the_round.code},
            code="closed",
        )
    require_round_open(the_round, tree_id)
    return the_round


def require_results_open(plan: Plan, the_round: Round) -> None:
    """Results are recorded for approved plans while the round is tracking or assessment."""
    if not the_round.accepts_results:
        raise ValidationError(
            _("บันทึกผลได้เฉพาะช่วงติดตามผลและช่วงประเมินผล (รอบ %(code)s อยู่ในช่วง%(status)s)")
            % {"code": the_round.code, "status": the_round.get_status_display()},
            code="not_tracking",
        )
    if plan.status != Plan.Status.APPROVED:
        raise ValidationError(
            _("แผนตัวชี้วัดนี้ยังไม่ได้รับอนุมัติ (สถานะ: %(status)s) จึงยังบันทึกผลไม่ได้")
            % {"status": plan.get_status_display()},
            code="not_approved",
        )


def appraisal_for(plan: Plan) -> Appraisal:
    """The plan's appraisal, created (status open) on first use."""
    appraisal, _created = Appraisal.objects.get_or_create(plan=plan)
    return appraisal
