"""Small helpers for the appraisals templates."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain(value):
    """A number as typed: 77.1250 -> 77.125, 100.0000 -> 100, None -> ''."""
    if value in (None, ""):
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    text = format(value.normalize(), "f")
    return text


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, or None."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def filesize(value):
    """Bytes as KB or MB (one decimal)."""
    if value is None:
        return ""
    if value >= 1024 * 1024:
        return f"{value / (1024 * 1024):.1f} MB"
    return f"{max(value / 1024, 0.1):.1f} KB"


def _form_value(form, name: str) -> str:
    """The value a form field shows: the posted data when bound, else the initial."""
    if form is None or name not in form.fields:
        return ""
    value = form[name].value()
    return "" if value is None else str(value)


@register.filter
def field_value(form, name):
    return _form_value(form, name)


@register.filter
def level_value(form, pk):
    return _form_value(form, f"level_{pk}")


@register.filter
def reason_value(form, pk):
    return _form_value(form, f"reason_{pk}")


@register.filter
def rating_value(form, pk):
    return _form_value(form, f"rating_{pk}")


@register.simple_tag
def input_value(posted, result, field):
    """What an input shows: the value just posted (after an error), else the saved one."""
    if posted:
        return posted.get(field, "")
    value = getattr(result, field, None) if result is not None else None
    return "" if value is None else plain(value) if field == "actual" else str(value)
