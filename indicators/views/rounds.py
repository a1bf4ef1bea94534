"""Views: rounds for HR and administrators (list, create, edit, move the status).

Closing a round is not here: appraisals' round_close also freezes the scores.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from indicators.access import plans_awaiting_hr, visible_plans
from indicators.forms import RoundCreateForm, RoundEditForm, RoundStatusForm
from indicators.history import person_name
from indicators.models import Plan, Round, RoundClosure
from indicators.rounds import round_save
from indicators.views.plan_page import apply_errors
from orgchart.access import hr_departments, require_hr
from orgchart.models import Node


@login_required
@require_http_methods(["GET", "POST"])
def rounds(request):
    """The rounds, newest first, and a form to create the next one."""
    require_hr(request.user)
    if request.method == "POST":
        form = RoundCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                the_round, _created = round_save(
                    code=data["code"],
                    start=data["start"],
                    end=data["end"],
                    limits=form.limits,
                    by=request.user,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("สร้างรอบ %(code)s แล้ว") % {"code": the_round.code})
                return redirect("indicators:rounds")
    else:
        form = RoundCreateForm(initial=RoundCreateForm.suggested())
    all_rounds = list(Round.objects.annotate(plan_count=Count("plans")))
    for the_round in all_rounds:
        the_round.status_form = RoundStatusForm(round=the_round)
    department_states(request.user, all_rounds)
    context = {"rounds": all_rounds, "form": form, "awaiting": plans_awaiting_hr(request.user)}
    return render(request, "indicators/rounds.html", context)


@dataclass
class DepartmentState:
    """A round as one department sees it: closed on its own (when, by whom) or not."""

    department: Node
    closure: RoundClosure | None

    @property
    def closed_by(self) -> str:
        return person_name(self.closure.closed_by) if self.closure else ""


def department_states(user, rounds: list[Round]) -> None:
    """Set `r.departments` on each round: the state of every department `user` runs
    (HR: theirs; administrators: each one). Two queries whatever the numbers."""
    departments = list(hr_departments(user))
    active = RoundClosure.objects.filter(
        round__in=rounds, department__in=departments, reopened_at__isnull=True
    ).select_related("closed_by__node")
    closures = {(c.round_id, c.department_id): c for c in active}
    for the_round in rounds:
        the_round.departments = [
            DepartmentState(node, closures.get((the_round.pk, node.pk))) for node in departments
        ]
        the_round.any_closure = any(state.closure for state in the_round.departments)


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request, pk):
    """Dates and KPI limits, while the round is not closed."""
    require_hr(request.user)
    the_round = get_object_or_404(Round, pk=pk)
    if the_round.is_closed:
        messages.error(request, _("รอบ %(code)s ปิดแล้ว แก้ไขไม่ได้") % {"code": the_round.code})
        return redirect("indicators:rounds")
    form = RoundEditForm(request.POST or None, instance=the_round)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_save(
                code=the_round.code,
                start=data["start"],
                end=data["end"],
                limits=form.limits,
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("บันทึกรอบ %(code)s แล้ว") % {"code": the_round.code})
            return redirect("indicators:rounds")
    return render(request, "indicators/round_form.html", {"form": form, "the_round": the_round})


# Moving on with plans not approved leaves them out of tracking and assessment: ask first.
FORWARD = (Round.Status.TRACKING, Round.Status.ASSESSMENT)
PENDING_LISTED = 200


def unapproved_plans(user, the_round: Round) -> dict:
    """The round's plans in `user`'s view that are not approved: counts by status and a list.

    Three queries whatever the number of plans; the list stops at PENDING_LISTED.
    """
    plans = visible_plans(user).filter(round=the_round).exclude(status=Plan.Status.APPROVED)
    by_status = dict(plans.values_list("status").annotate(n=Count("pk")).order_by())
    listed = list(
        plans.select_related("owner", "owner__parent").order_by("owner__tree_id", "owner__lft")[
            :PENDING_LISTED
        ]
    )
    count = sum(by_status.values())
    return {
        "count": count,
        "by_status": [
            (label, by_status[value])
            for value, label in Plan.Status.choices
            if by_status.get(value)
        ],
        "pending": listed,
        "more": count - len(listed),
    }


@login_required
@require_POST
def round_status(request, pk):
    """Move a round to its next (or previous) phase: planning, tracking, assessment."""
    require_hr(request.user)
    the_round = get_object_or_404(Round, pk=pk)
    form = RoundStatusForm(request.POST, round=the_round)
    if not form.is_valid():
        messages.error(request, _("เปลี่ยนสถานะรอบ %(code)s ไม่ได้") % {"code": the_round.code})
        return redirect("indicators:rounds")
    status = form.cleaned_data["status"]
    if status in FORWARD and not request.POST.get("confirm"):
        pending = unapproved_plans(request.user, the_round)
        if pending["count"]:
            context = {"the_round": the_round, "status": Round.Status(status), **pending}
            return render(request, "indicators/round_status_confirm.html", context)
    try:
        round_save(code=the_round.code, status=status, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        the_round.refresh_from_db()
        messages.success(
            request,
            _("รอบ %(code)s อยู่ในสถานะ %(status)s แล้ว")
            % {"code": the_round.code, "status": the_round.get_status_display()},
        )
    return redirect("indicators:rounds")


urlpatterns = [
    path("rounds/", rounds, name="rounds"),
    path("rounds/<int:pk>/edit/", round_edit, name="round_edit"),
    path("rounds/<int:pk>/status/", round_status, name="round_status"),
]
