"""Dates typed and shown in the Buddhist Era (dd/mm/yyyy, B.E.) on forms.

Browsers' date pickers speak C.E. only, while every page of the app shows
B.E.; a plain text input with this field keeps the two consistent. Thai digits
are accepted, and a year that looks like C.E. is refused with a message
rather than silently read as a date five centuries ago.
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BE_OFFSET = 543
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_BE_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")
MIN_BE_YEAR = 2400


def format_be_input(value: datetime.date | None) -> str:
    """date(2026, 4, 1) -> '01/04/2569'."""
    if value is None:
        return ""
    return f"{value.day:02d}/{value.month:02d}/{value.year + BE_OFFSET}"


def parse_be_date(text: str) -> datetime.date:
    """'01/04/2569' (or Thai digits, '-' or '.' as separators) -> date(2026, 4, 1).

    Raises ValidationError with a message in the user's language.
    """
    match = _BE_DATE.match((text or "").translate(THAI_DIGITS))
    if not match:
        raise ValidationError(_("วันที่ต้องอยู่ในรูป วว/ดด/ปปปป (พ.ศ.) เช่น 01/10/2569"), code="invalid")
    day, month, year = (int(part) for part in match.groups())
    if year < MIN_BE_YEAR:
        raise ValidationError(
            _("ปีของวันที่ต้องเป็นปีพุทธศักราช เช่น 01/10/2569 (ได้รับ: %(value)s)"),
            code="not_be",
            params={"value": text},
        )
    try:
        return datetime.date(year - BE_OFFSET, month, day)
    except ValueError:
        raise ValidationError(
            _("ไม่มีวันที่ %(value)s ในปฏิทิน"), code="invalid", params={"value": text}
        ) from None


class BEDateInput(forms.TextInput):
    """A text input showing a date as dd/mm/yyyy in B.E."""

    def __init__(self, attrs=None):
        defaults = {"placeholder": _("วว/ดด/ปปปป"), "inputmode": "numeric", "autocomplete": "off"}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return format_be_input(value)
        return super().format_value(value)


class BEDateField(forms.DateField):
    """A date typed as dd/mm/yyyy in the Buddhist Era (Thai digits accepted)."""

    widget = BEDateInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        return parse_be_date(str(value))
