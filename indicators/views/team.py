"""Views: a head's team page (the plans they approve) and approving several at once."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import access, services
from indicators.forms import BulkApproveForm
from indicators.models import Plan, Round
from orgchart.access import roles_of
from orgchart.hierarchy import heads_by_unit, reports_of, units_reporting_to
from orgchart.models import Node


@dataclass
class TeamRow:
    owner: Node
    unit: Node | None
    holder: Node | None
    plan: Plan | None

    @property
    def can_approve(self) -> bool:
        return self.plan is not None and self.plan.status == Plan.Status.SUBMITTED


def _head(user):
    roles = roles_of(user)
    if roles.headed_unit is None:
        raise PermissionDenied
    return roles.node


def _chosen_round(request, rounds: list[Round]) -> Round | None:
    wanted = request.GET.get("round") or request.POST.get("round")
    for the_round in rounds:
        if str(the_round.pk) == wanted:
            return the_round
    me = roles_of(request.user).node
    open_rounds = [r for r in rounds if not r.is_closed_for(me.tree_id)]
    return (open_rounds or rounds or [None])[0]


@login_required
def team(request):
    """Every plan the head approves in a round: their people's and the units' below.

    A fixed number of queries however many people report to the head.
    """
    me = _head(request.user)
    rounds = list(Round.objects.order_by("-fiscal_year", "-number"))
    the_round = _chosen_round(request, rounds)
    people = list(reports_of(me).select_related("parent"))
    units = list(units_reporting_to(me).select_related("parent"))
    heads = heads_by_unit(unit.pk for unit in units)
    plans = {}
    if the_round is not None:
        found = (
            Plan.objects.filter(round=the_round, owner__in=[n.pk for n in people + units])
            .annotate(kpi_count=Count("kpis"), weight_total=Sum("kpis__weight"))
            .select_related("owner")
        )
        plans = {plan.owner_id: plan for plan in found}
    rows = [TeamRow(n, n.parent, n, plans.get(n.pk)) for n in people]
    rows += [TeamRow(u, u.parent, heads.get(u.pk), plans.get(u.pk)) for u in units]
    counts: dict[str, int] = {}
    for row in rows:
        key = row.plan.status if row.plan else "none"
        counts[key] = counts.get(key, 0) + 1
    summary = [(label, counts.get(value, 0), value) for value, label in Plan.Status.choices]
    summary.insert(0, (_("ยังไม่เริ่ม"), counts.get("none", 0), "none"))
    context = {
        "rounds": rounds,
        "the_round": the_round,
        "people_rows": rows[: len(people)],
        "unit_rows": rows[len(people) :],
        "summary": summary,
        "can_bulk": the_round is not None
        and the_round.is_planning
        and not the_round.is_closed_for(me.tree_id)
        and any(row.can_approve for row in rows),
    }
    return render(request, "indicators/team.html", context)


@login_required
@require_POST
def team_approve(request):
    """Approve the ticked plans; each is approved or refused on its own (see plans_approve)."""
    _head(request.user)
    back = reverse("indicators:team") + f"?round={request.POST.get('round', '')}"
    form = BulkApproveForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect(back)
    versions = form.cleaned_data["versions"]
    plans = list(
        access.visible_plans(request.user)
        .filter(pk__in=versions)
        .select_related(*access.PLAN_RELATED)
        .order_by("owner__tree_id", "owner__lft")
    )
    if len(plans) != len(versions):
        messages.error(request, _("ไม่พบแผนบางรายการที่เลือก"))
    outcomes = services.plans_approve(plans=plans, by=request.user, versions=versions)
    approved = [o for o in outcomes if o.approved]
    if approved:
        messages.success(request, _("อนุมัติแล้ว %(count)s แผน") % {"count": len(approved)})
    for outcome in outcomes:
        if not outcome.approved:
            messages.error(request, f"{outcome.plan.owner.name}: {outcome.message}")
    return redirect(back)


urlpatterns = [
    path("team/", team, name="team"),
    path("team/approve/", team_approve, name="team_approve"),
]
