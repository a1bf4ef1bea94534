"""{{ status|status_badge }} and {{ unit.badges|status_counts }}: small HTML, no include.

The monitoring page draws a badge per KPI row and four per unit; a filter
costs a fraction of a template include.
"""

from django import template
from django.utils.html import format_html, format_html_join

from monitoring.figures import BADGE_COLOURS
from monitoring.models import Status

register = template.Library()


@register.filter
def status_badge(status: str):
    if status not in BADGE_COLOURS:
        return "–"
    return format_html(
        '<span class="badge {} status-{}">{}</span>',
        BADGE_COLOURS[status],
        status,
        Status(status).label,
    )


@register.filter
def status_counts(badges):
    inner = format_html_join(
        "", '<span class="badge {} count-{}">{}</span>', ((c, k, n) for k, c, n in badges)
    )
    return format_html('<span class="watch-counts d-inline-flex gap-1 small">{}</span>', inner)
