"""Buddhist Era dates and Thai numbers for templates (registered as builtins)."""

import datetime
from decimal import Decimal

from django import template
from django.utils import timezone, translation
from django.utils.translation import pgettext

register = template.Library()

THAI_MONTHS = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
ENGLISH_MONTHS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def be_year(value: datetime.date) -> int:
    return value.year + 543


def format_be_date(value, with_time: bool = False) -> str:
    """24 พ.ย. 2569 (Thai) or 24 Nov 2569 B.E. (English): always the Buddhist Era."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        time_part = value.strftime("%H:%M")
    else:
        time_part = ""
    thai = (translation.get_language() or "th").startswith("th")
    months = THAI_MONTHS if thai else ENGLISH_MONTHS
    text = f"{value.day} {months[value.month - 1]} {be_year(value)}"
    if not thai:
        text += " B.E."
    if with_time and time_part:
        text += " " + pgettext("time of day", "%(time)s น.") % {"time": time_part}
    return text


@register.filter
def be_date(value):
    return format_be_date(value)


@register.filter
def be_datetime(value):
    return format_be_date(value, with_time=True)


@register.filter
def num(value, places=2):
    """A Decimal shown with a fixed number of places and thousands separators."""
    if value in (None, ""):
        return "–"
    quantum = Decimal(1).scaleb(-int(places))
    return f"{Decimal(value).quantize(quantum):,}"
