"""The unit page's panel of the unit's own plan's achievement (orgchart knows no scores).

Registered in AppraisalsConfig.ready() on kpi_portal.hooks.UNIT_PANELS; one query.
"""

from django.template.loader import render_to_string

from appraisals.scoring import quantize2
from indicators.models import Plan, Round
from kpi_portal import hooks


def unit_plan_panel(request, unit) -> str:
    plans = list(
        Plan.objects.filter(owner=unit)
        .exclude(round__status=Round.Status.PLANNING)
        .select_related("round", "appraisal")
        .order_by("-round__fiscal_year", "-round__number")[:6]
    )
    if not plans:
        return ""
    rows = []
    for plan in plans:
        appraisal = getattr(plan, "appraisal", None)
        achievement = appraisal.achievement if appraisal is not None else None
        rows.append(
            {"plan": plan, "achievement": None if achievement is None else quantize2(achievement)}
        )
    return render_to_string(
        "appraisals/_unit_plan_panel.html", {"unit": unit, "rows": rows}, request=request
    )


def register() -> None:
    hooks.register(hooks.UNIT_PANELS, unit_plan_panel)
