"""Round services: create and update rounds, move them through their statuses."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import Round

MIN_FISCAL_YEAR, MAX_FISCAL_YEAR = 2500, 2800
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# A round moves forward only; closing is appraisals.services.round_close's job,
# which also freezes the scores.
NEXT_STATUS = {
    Round.Status.PLANNING: {Round.Status.TRACKING},
    Round.Status.TRACKING: {Round.Status.ASSESSMENT, Round.Status.PLANNING},
    Round.Status.ASSESSMENT: {Round.Status.TRACKING},
}


def parse_round_code(code: str) -> tuple[int, int]:
    """'2569/1' -> (2569, 1), or a ValidationError in the user's language."""
    try:
        fiscal_year, number = Round.parse_code((code or "").translate(THAI_DIGITS))
    except ValueError:
        raise ValidationError(
            _("รหัสรอบต้องอยู่ในรูป ปปปป/ร เช่น 2569/1 (ได้รับ: %(code)s)") % {"code": code}
        ) from None
    # A year typed in C.E. (2026/1) would silently make a round five centuries
    # ago, and a year below 544 cannot be turned into a date at all.
    if not MIN_FISCAL_YEAR <= fiscal_year <= MAX_FISCAL_YEAR:
        raise ValidationError(
            _("ปีงบประมาณต้องเป็นปีพุทธศักราช เช่น 2569 (ได้รับ: %(code)s)") % {"code": code}
        )
    return fiscal_year, number


def get_round(code: str) -> Round:
    """The round named `code`, or a ValidationError saying it does not exist."""
    fiscal_year, number = parse_round_code(code)
    found = Round.objects.filter(fiscal_year=fiscal_year, number=number).first()
    if found is None:
        raise ValidationError(_("ไม่พบรอบการประเมิน %(code)s") % {"code": code})
    return found


def round_save(
    *,
    code: str,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    status: str | None = None,
    limits: dict | None = None,
    by=None,
) -> tuple[Round, bool]:
    """Create round `code` (status planning) or update it while it is not closed.

    Dates default to the half of the fiscal year that the round number names.
    Returns (round, created).
    """
    fiscal_year, number = parse_round_code(code)
    with transaction.atomic():
        existing = (
            Round.objects.select_for_update().filter(fiscal_year=fiscal_year, number=number).first()
        )
        if existing is not None and existing.is_closed:
            raise ValidationError(_("รอบ %(code)s ปิดแล้ว แก้ไขไม่ได้") % {"code": code})
        default_start, default_end = Round.default_dates(fiscal_year, number)
        the_round = existing or Round(
            fiscal_year=fiscal_year, number=number, start=default_start, end=default_end
        )
        if start is not None:
            the_round.start = start
        if end is not None:
            the_round.end = end
        for field, value in (limits or {}).items():
            setattr(the_round, field, value)
        if status is not None and status != the_round.status:
            if status == Round.Status.CLOSED:
                raise ValidationError(_("ใช้คำสั่งปิดรอบเพื่อปิดรอบการประเมิน"))
            if existing is not None and status not in NEXT_STATUS.get(the_round.status, set()):
                raise ValidationError(
                    _("เปลี่ยนสถานะรอบจาก %(old)s เป็น %(new)s ไม่ได้")
                    % {"old": the_round.get_status_display(), "new": Round.Status(status).label}
                )
            the_round.status = status
        # Round.clean: start not after end, both inside the fiscal year.
        the_round.full_clean(validate_unique=False)
        the_round.save()
    return the_round, existing is None
