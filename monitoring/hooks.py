"""What monitoring adds to the lower apps' pages and reports (registered in ready())."""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from appraisals import reports_round
from indicators.history import ACTION_LABELS
from indicators.models import KPI, Plan, Round
from kpi_portal import hooks
from kpi_portal.exporters import Sheet
from monitoring.access import can_checkin
from monitoring.figures import STATUSES, unit_statuses
from monitoring.models import Status
from monitoring.services import schedule_for
from monitoring.status import is_no_news
from orgchart.models import Kind


def plan_panel(request, plan: Plan) -> str:
    """The latest check-in of each KPI, with its projected level (plan and results pages)."""
    if plan.status != Plan.Status.APPROVED or plan.round.status == Round.Status.PLANNING:
        return ""
    schedule = schedule_for(plan.round)
    today = timezone.localdate()
    kpis = list(
        KPI.objects.filter(plan=plan)
        .select_related("progress__checkin")
        .order_by("kra__order", "kra__pk", "order", "pk")
    )
    rows = []
    for kpi in kpis:
        progress = getattr(kpi, "progress", None)
        latest = progress.checkin if progress is not None else None
        stale = is_no_news(progress.date if progress else None, today, schedule.no_news_days)
        rows.append({"kpi": kpi, "latest": latest, "no_news": stale})
    return render_to_string(
        "monitoring/_plan_panel.html",
        {
            "plan": plan,
            "rows": rows,
            "can_checkin": can_checkin(request.user, plan) if request else False,
            "tracking": plan.round.status == Round.Status.TRACKING and not plan.round_closed,
        },
        request=request,
    )


def monitoring_sheet(report) -> Sheet:
    """Round report: KPIs by status per unit (the monitoring page's figures)."""

    schedule = schedule_for(report.round)
    units = unit_statuses(
        report.round,
        report.user,
        report.unit,
        no_news_days=schedule.no_news_days,
        today=timezone.localdate(),
    )
    kinds = dict(Kind.choices)
    headers = [
        _("รหัสหน่วยงาน"),
        _("หน่วยงาน"),
        _("ประเภท"),
        *[str(Status(status).label) for status in STATUSES],
        _("ตัวชี้วัดทั้งหมด"),
    ]
    rows = (
        [
            unit.code,
            "  " * unit.level + unit.name,
            str(kinds.get(unit.kind, unit.kind)),
            *unit.counts(),
            unit.total,
        ]
        for unit in units
    )
    return Sheet(
        name=_("ความก้าวหน้าระหว่างรอบ"),
        headers=headers,
        rows=rows,
        formats=["text", "text", "text", "int", "int", "int", "int", "int"],
    )


HISTORY_LABELS = {
    "checkin_record": pgettext_lazy("history", "รายงานความก้าวหน้า"),
    "checkin_comment": pgettext_lazy("history", "ความเห็นต่อรายงานความก้าวหน้า"),
    "checkin_import": pgettext_lazy("history", "นำเข้ารายงานความก้าวหน้าจากไฟล์"),
}


def register() -> None:

    ACTION_LABELS.update(HISTORY_LABELS)

    hooks.register(hooks.PLAN_PANELS, plan_panel)
    if monitoring_sheet not in reports_round.EXTRA_SHEETS:
        reports_round.EXTRA_SHEETS.append(monitoring_sheet)
