"""Views: a plan's page, the way to one's own plan, and the decisions on a plan.

URL patterns at the end of the module; they also carry the patterns of the
other plan pages (editing, team, rounds), which live in their own modules.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from indicators import access, history, services
from indicators.forms import ReopenForm, ReturnForm, VersionForm
from indicators.history import person_name
from indicators.models import Round
from indicators.plans import plan_for
from indicators.views import plan_edit, rounds, team
from indicators.views.plan_page import is_htmx, plan_context
from orgchart.access import roles_of
from orgchart.hierarchy import supervisor_of


def current_round(tree_id: int | None = None) -> Round | None:
    """The newest round that is not closed (for the department of tree `tree_id`)."""
    rounds = Round.objects.exclude(status=Round.Status.CLOSED).order_by("-fiscal_year", "-number")
    return next((r for r in rounds if tree_id is None or not r.is_closed_for(tree_id)), None)


@login_required
def my_plan(request):
    """Go to the user's own plan (or, with ?unit=1, their unit's) in the current round."""
    roles = roles_of(request.user)
    the_round = current_round(roles.node.tree_id if roles.node is not None else None)
    if roles.node is None or the_round is None:
        return render(request, "indicators/no_plan.html", {"the_round": the_round}, status=200)
    owner = roles.node
    if request.GET.get("unit") and roles.headed_unit is not None:
        owner = roles.headed_unit
    plan = plan_for(owner=owner, round=the_round)
    return redirect("indicators:plan", pk=plan.pk)


@login_required
def plan_detail(request, pk):
    """The plan: header, KRAs and KPIs (edited in place by the holder), decisions, history."""
    plan = access.get_plan_for(request.user, pk)
    context = plan_context(request, plan)
    context["return_form"] = ReturnForm(initial={"version": plan.version}, auto_id="return-%s")
    context["reopen_form"] = ReopenForm(initial={"version": plan.version}, auto_id="reopen-%s")
    context["other_plans"] = _other_plans(request.user, plan)
    template = "indicators/_plan_body.html" if is_htmx(request) else "indicators/plan.html"
    return render(request, template, context)


def _other_plans(user, plan):
    """Links between a head's own plan and their unit's plan in the same round."""
    roles = roles_of(user)
    if roles.node is None or roles.headed_unit is None:
        return []
    owners = {roles.node.pk: _("แผนของฉัน"), roles.headed_unit.pk: _("แผนของหน่วยงาน")}
    owners.pop(plan.owner_id, None)
    if len(owners) == 2:
        return []
    return [
        (reverse("indicators:my_plan") + ("?unit=1" if pk != roles.node.pk else ""), label)
        for pk, label in owners.items()
    ]


@login_required
def plan_history(request, pk):
    """Every history entry of the plan, newest first, a page at a time."""
    plan = access.get_plan_for(request.user, pk)
    entries = plan.history.select_related("by", "by__node")
    page = Paginator(entries, 200).get_page(request.GET.get("page"))
    for entry in page:
        entry.label = history.action_label(entry.action)
        entry.rows = history.change_rows(entry)
        entry.who = person_name(entry.by)
    return render(request, "indicators/plan_history.html", {"plan": plan, "page": page})


def _decide(request, pk, form_class, act, success: str, *, fetch):
    """Run one decision from a POSTed form; report the result as a message and go back."""
    plan = fetch(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("indicators:plan", pk=plan.pk)
    try:
        act(plan, form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("indicators:plan", pk=plan.pk)


def _decider(user, pk):
    return access.get_plan_for(user, pk, decide=True)


def _holder(user, pk):
    return access.get_plan_for(user, pk, edit=True)


def _reopener(user, pk):
    plan = access.get_plan_for(user, pk)
    if not access.can_reopen(user, plan):
        raise PermissionDenied
    return plan


@login_required
@require_http_methods(["GET", "POST"])
def plan_submit(request, pk):
    """GET: the confirmation step (what is sent, to whom; no script needed). POST: send it."""
    if request.method == "GET":
        plan = _holder(request.user, pk)
        if not plan.is_editable:
            return redirect("indicators:plan", pk=plan.pk)
        context = plan_context(request, plan, history_limit=1)
        context["supervisor"] = supervisor_of(plan.owner)
        return render(request, "indicators/plan_submit_confirm.html", context)

    def act(plan, data):
        try:
            services.plan_submit(plan=plan, by=request.user, expected_version=data["version"])
        except ValidationError as exc:
            if any(error.code == "review" for error in exc.error_list):
                messages.error(request, _("ยังส่งแผนไม่ได้ กรุณาแก้ไขรายการต่อไปนี้"))
            raise

    return _decide(request, pk, VersionForm, act, _("ส่งแผนให้ผู้บังคับบัญชาแล้ว"), fetch=_holder)


@login_required
@require_POST
def plan_approve(request, pk):
    def act(plan, data):
        services.plan_approve(plan=plan, by=request.user, expected_version=data["version"])

    return _decide(request, pk, VersionForm, act, _("อนุมัติแผนแล้ว"), fetch=_decider)


@login_required
@require_POST
def plan_return(request, pk):
    def act(plan, data):
        services.plan_return(
            plan=plan, comment=data["comment"], by=request.user, expected_version=data["version"]
        )

    return _decide(request, pk, ReturnForm, act, _("ส่งแผนกลับให้แก้ไขแล้ว"), fetch=_decider)


@login_required
@require_POST
def plan_reopen(request, pk):
    def act(plan, data):
        services.plan_reopen(
            plan=plan, reason=data["reason"], by=request.user, expected_version=data["version"]
        )

    return _decide(request, pk, ReopenForm, act, _("เปิดแผนใหม่แล้ว แก้ไขได้อีกครั้ง"), fetch=_reopener)


urlpatterns = [
    path("", my_plan, name="my_plan"),
    path("plan/<int:pk>/", plan_detail, name="plan"),
    path("plan/<int:pk>/history/", plan_history, name="plan_history"),
    path("plan/<int:pk>/submit/", plan_submit, name="plan_submit"),
    path("plan/<int:pk>/approve/", plan_approve, name="plan_approve"),
    path("plan/<int:pk>/return/", plan_return, name="plan_return"),
    path("plan/<int:pk>/reopen/", plan_reopen, name="plan_reopen"),
    *plan_edit.urlpatterns,
    *team.urlpatterns,
    *rounds.urlpatterns,
]
