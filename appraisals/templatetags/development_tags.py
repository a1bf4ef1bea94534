"""{% development_plan plan %}: the plan's development part, on the results page and the form."""

from types import SimpleNamespace

from django import template

from appraisals.models import Appraisal, DevelopmentMethod

register = template.Library()
METHODS = dict(DevelopmentMethod.choices)
ITEM = ("topic", "method", "period", "outcome", "planned_hours", "actual_hours")


@register.inclusion_tag("appraisals/_development_plan.html", takes_context=True)
def development_plan(context, plan, printable=False):
    """The appraisal's status and its items in one query (a row per item, joined)."""
    rows = list(
        Appraisal.objects.filter(plan=plan)
        .order_by("development_items__pk")
        .values(
            "status",
            "development_acknowledged_at",
            *(f"development_items__{name}" for name in ITEM),
        )
    )
    appraisal = items = None
    if rows:
        first = rows[0]
        appraisal = SimpleNamespace(
            is_assessed=first["status"] in Appraisal.ASSESSED_STATUSES,
            development_acknowledged_at=first["development_acknowledged_at"],
        )
        items = [
            SimpleNamespace(
                **{name: row[f"development_items__{name}"] for name in ITEM},
                method_label=METHODS.get(row["development_items__method"], ""),
            )
            for row in rows
            if row["development_items__topic"] is not None
        ]
    return {
        "plan": plan,
        "appraisal": appraisal,
        "items": items or [],
        "printable": printable,
        "request": context.get("request"),
    }
