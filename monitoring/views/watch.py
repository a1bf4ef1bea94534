"""Views: the monitoring page for heads and HR, its tree levels (htmx), missed check-ins.

The page shows the viewer's subtree (a head's unit, HR's department, all
departments for an administrator): KPIs by status with counts per unit,
opening level by level like the org tree, a Chart.js picture of the
statuses per unit, and the KPIs themselves filtered by status and unit.
A fixed number of queries whatever the size of the tree (monitoring.figures).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from appraisals.summary import scope_unit
from indicators.models import Round
from monitoring.access import require_watcher
from monitoring.figures import (
    STATUSES,
    kpi_scope,
    missed_checkins,
    unit_statuses,
    with_status,
)
from monitoring.services import schedule_for
from orgchart.access import get_node_for
from orgchart.models import Kind, Node

KPIS_PER_PAGE = 50


def watch_round(wanted: str | None) -> tuple[list[Round], Round | None]:
    """The rounds, and the one asked for, else the newest tracking one, else the newest."""
    rounds = list(Round.objects.all())
    if wanted and wanted.isdigit():
        for candidate in rounds:
            if candidate.pk == int(wanted):
                return rounds, candidate
    for candidate in rounds:
        if candidate.status == Round.Status.TRACKING:
            return rounds, candidate
    return rounds, rounds[0] if rounds else None


def start_unit(roles) -> Node | None:
    """HR starts at their department, a head at the unit it heads, an admin at the top."""
    if roles.is_hr:
        return Node.objects.filter(tree_id=roles.node.tree_id, parent__isnull=True).first()
    return roles.headed_unit


def _page_number(text) -> int:
    return int(text) if text and text.isdigit() and 0 < int(text) < 100_000 else 1


def _status_labels() -> list[tuple[str, str]]:
    return [(status.value, str(status.label)) for status in STATUSES]


def _children_of(units, parent_pk):
    return [unit for unit in units if unit.parent_id == parent_pk]


@login_required
@require_GET
def watch(request):
    roles = require_watcher(request.user)
    rounds, the_round = watch_round(request.GET.get("round"))
    top = start_unit(roles)
    code = (request.GET.get("unit") or "").strip()
    chosen = scope_unit(request.user, code) if code else None
    wanted_status = request.GET.get("status") or ""
    if wanted_status not in {status.value for status in STATUSES}:
        wanted_status = ""
    context = {
        "rounds": rounds,
        "round": the_round,
        "statuses": _status_labels(),
        "chosen": chosen,
        "wanted_status": wanted_status,
    }
    if the_round is None:
        return render(request, "monitoring/watch.html", context)
    schedule = schedule_for(the_round)
    today = timezone.localdate()
    units = unit_statuses(
        the_round, request.user, top, no_news_days=schedule.no_news_days, today=today
    )
    if top is not None:
        roots = [unit for unit in units if unit.pk == top.pk]
    else:
        known = {unit.pk for unit in units}
        roots = [unit for unit in units if unit.parent_id not in known]
    totals = [sum(unit.counts()[i] for unit in roots) for i in range(len(STATUSES))]
    # The chart: the first level below the top (or the departments, for an admin).
    chart_units = _children_of(units, roots[0].pk) if len(roots) == 1 else roots
    if not chart_units:
        chart_units = roots  # a group with no sub-units: its own bar
    chart = {
        "labels": [unit.name for unit in chart_units],
        "series": [
            {
                "key": status.value,
                "label": str(status.label),
                "data": [unit.counts()[i] for unit in chart_units],
            }
            for i, status in enumerate(STATUSES)
        ],
        "title": _("ตัวชี้วัดตามสถานะความก้าวหน้า แยกตามหน่วยงาน"),
    }
    kpis = with_status(kpi_scope(the_round, request.user, chosen), schedule.no_news_days, today)
    if wanted_status:
        kpis = kpis.filter(watch=wanted_status)
    # No COUNT and no sort of the whole subtree: the page's rows in id order (one more
    # tells whether there is a next page); the total comes from the counts above.
    number = _page_number(request.GET.get("page"))
    start = (number - 1) * KPIS_PER_PAGE
    rows = list(
        kpis.select_related("plan__owner", "progress__checkin").order_by("pk")[
            start : start + KPIS_PER_PAGE + 1
        ]
    )
    shown = chosen if chosen is not None else (roots[0] if len(roots) == 1 else None)
    counted = [u for u in units if shown is not None and u.pk == shown.pk] or roots
    listed = sum(u.subtree.get(wanted_status, 0) if wanted_status else u.total for u in counted)
    page = {
        "rows": rows[:KPIS_PER_PAGE],
        "number": number,
        "has_previous": number > 1,
        "has_next": len(rows) > KPIS_PER_PAGE,
        "count": listed,
    }
    context.update(
        schedule=schedule,
        roots=roots,
        # One root (HR, a head) opens its first level; an administrator's departments
        # stay closed until opened (htmx), as in the tree: 10 x 40 rows cost 150 ms.
        open_children={roots[0].pk: _children_of(units, roots[0].pk)} if len(roots) == 1 else {},
        totals=list(zip(_status_labels(), totals, strict=True)),
        chart=chart,
        page=page,
    )
    return render(request, "monitoring/watch.html", context)


@login_required
@require_GET
def watch_children(request, pk):
    """htmx: the sub-units of a unit with their status counts (404 outside the view)."""
    require_watcher(request.user)
    unit = get_node_for(request.user, pk=pk)
    if unit.kind == Kind.INDIVIDUAL:
        raise Http404
    _rounds, the_round = watch_round(request.GET.get("round"))
    children = []
    if the_round is not None:
        schedule = schedule_for(the_round)
        units = unit_statuses(
            the_round,
            request.user,
            unit,
            no_news_days=schedule.no_news_days,
            today=timezone.localdate(),
        )
        children = _children_of(units, unit.pk)
    return render(
        request,
        "monitoring/_watch_units.html",
        {"units": children, "round": the_round, "statuses": _status_labels()},
    )


@login_required
@require_GET
def missed(request):
    """The people (plans) who missed a fixed check-in date, for their head and HR."""
    roles = require_watcher(request.user)
    rounds, the_round = watch_round(request.GET.get("round"))
    rows, schedule = [], None
    if the_round is not None:
        schedule = schedule_for(the_round)
        rows = missed_checkins(
            the_round, request.user, start_unit(roles), schedule, today=timezone.localdate()
        )
    return render(
        request,
        "monitoring/missed.html",
        {"rounds": rounds, "round": the_round, "schedule": schedule, "rows": rows},
    )
