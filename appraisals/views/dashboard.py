"""View: the round dashboard for heads and HR (completion and rating bands by unit).

One row per child unit of the selected unit (click to drill down), plus the
people placed directly in it. A fixed number of queries whatever the size of
the tree: the figures come from appraisals.summary (the round's bands, the units and
one grouped query over the people in scope and their plans' kept tallies).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from appraisals.summary import (
    OFFICERS_LABEL,
    Tally,
    achievement_distribution,
    band_names,
    round_bands,
    scope_unit,
    unit_figures,
    unit_plan_achievements,
)
from indicators.models import Round
from orgchart.access import roles_of, visible_q
from orgchart.models import Node


def default_round(rounds: list[Round], wanted: str | None) -> Round | None:
    """The round asked for, else the newest one past planning, else the newest."""
    if wanted and wanted.isdigit():
        for candidate in rounds:
            if candidate.pk == int(wanted):
                return candidate
    for candidate in rounds:
        if not candidate.is_planning:
            return candidate
    return rounds[0] if rounds else None


def _default_unit(roles) -> Node | None:
    """HR starts at their department, a head at the unit it heads, an admin at the top."""
    if roles.is_hr:
        return Node.objects.filter(tree_id=roles.node.tree_id, parent__isnull=True).first()
    if roles.headed_unit is not None:
        return roles.headed_unit
    return None


def _row(label: str, tally: Tally, bands: list[str], *, code: str = "", link: bool = False):
    return {
        "label": label,
        "code": code,
        "link": link,
        "tally": tally,
        "approved_pct": tally.percent(tally.approved),
        "results_pct": tally.percent(tally.results_in),
        "assessed_pct": tally.percent(tally.assessed),
        "bands": [tally.bands.get(band, 0) for band in bands],
    }


@login_required
@require_GET
def dashboard(request):
    roles = roles_of(request.user)
    if not ({"hr", "head", "admin"} & roles.names):
        raise PermissionDenied
    rounds = list(Round.objects.all())
    the_round = default_round(rounds, request.GET.get("round"))
    code = (request.GET.get("unit") or "").strip()
    unit = scope_unit(request.user, code) if code else _default_unit(roles)
    context = {"rounds": rounds, "round": the_round, "unit": unit, "rows": [], "crumbs": []}
    if the_round is None:
        return render(request, "appraisals/dashboard.html", context)

    band_list = round_bands(the_round)
    figures = unit_figures(the_round, request.user, unit, bands=band_list)
    bands = band_names(the_round, figures, bands=band_list)
    if unit is not None:
        by_pk = {figure.pk: figure for figure in figures}
        selected = by_pk.get(unit.pk)
        children = [f for f in figures if f.parent_id == unit.pk]
        total = selected.subtree if selected else Tally()
        direct = selected.direct if selected else Tally()
        context["crumbs"] = list(
            Node.objects.filter(
                visible_q(request.user),
                tree_id=unit.tree_id,
                lft__lt=unit.lft,
                rght__gt=unit.rght,
            )
            .order_by("lft")
            .values_list("code", "name")
        )
    else:
        # An administrator at the top: one row per department.
        known = {figure.pk for figure in figures}
        children = [f for f in figures if f.parent_id not in known]
        total, direct = Tally(), Tally()
        for child in children:
            total.add(child.subtree)
    unit_plans = unit_plan_achievements(the_round, request.user, unit)
    rows = [_row(c.name, c.subtree, bands, code=c.code, link=True) for c in children]
    for row in rows:
        row["unit_plan"] = unit_plans.get(row["code"])
    if direct.officers:
        rows.append(_row(_("บุคลากรที่สังกัดหน่วยงานนี้โดยตรง"), direct, bands))
    chart = {
        "labels": [row["label"] for row in rows],
        "series": [
            {"label": band, "data": [row["bands"][index] for row in rows]}
            for index, band in enumerate(bands)
        ],
        "title": _("จำนวนผู้รับการประเมินตามระดับผลการประเมิน"),
    }
    distribution = []
    if not total.assessed:
        # Nobody assessed yet: no rating bands to count, but the plans'
        # achievement so far, by band, says how the round is going.
        distribution = achievement_distribution(
            the_round, request.user, unit, figures=figures, bands=band_list
        )
        if any(count for _band, count in distribution):
            chart = {
                "labels": [band for band, _count in distribution],
                "series": [{"label": _("แผน"), "data": [count for _band, count in distribution]}],
                "title": _("จำนวนแผนตามช่วงผลสัมฤทธิ์ของงาน (ยังไม่มีผู้ได้รับการประเมิน)"),
            }
        else:
            distribution = []
    context.update(
        bands=bands,
        rows=rows,
        total=_row(_("รวม"), total, bands),
        unit_plan=unit_plans.get(unit.code) if unit is not None else None,
        chart=chart,
        distribution=distribution,
        officers_label=OFFICERS_LABEL,
    )
    return render(request, "appraisals/dashboard.html", context)


urlpatterns = [path("dashboard/", dashboard, name="dashboard")]
