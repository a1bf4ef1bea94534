"""Views: a KPI's check-ins (history, record, the supervisor's comments).

The KPI page shows its five levels, the latest check-in with the projected
level, every check-in with its comments (who, when), the form to record one
(the plan's holder, while the round is tracking and the plan approved) and
the comment form (the owner's supervisor). 404 outside the viewer's view.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from indicators.models import Plan, Round
from monitoring.access import can_checkin, can_comment, get_checkin_for, get_checkin_kpi
from monitoring.forms import CheckInForm, CommentForm
from monitoring.models import CheckIn, CheckInComment
from monitoring.services import checkin_comment_add, checkin_record, schedule_for
from monitoring.status import is_no_news, share_elapsed


def _context(request, kpi, *, form=None, errors=()):
    plan = kpi.plan
    checkins = list(
        CheckIn.objects.filter(kpi=kpi)
        .select_related("by__node")
        .prefetch_related(
            Prefetch("comments", queryset=CheckInComment.objects.select_related("by__node"))
        )
    )
    schedule = schedule_for(plan.round)
    today = timezone.localdate()
    latest = checkins[0] if checkins else None
    open_for_checkins = (
        plan.round.status == Round.Status.TRACKING
        and plan.status == Plan.Status.APPROVED
        and not plan.round_closed
    )
    return {
        "kpi": kpi,
        "plan": plan,
        "checkins": checkins,
        "latest": latest,
        "no_news": is_no_news(latest.date if latest else None, today, schedule.no_news_days),
        "schedule": schedule,
        "share": share_elapsed(plan.round.start, plan.round.end, today) * 100,
        "may_record": can_checkin(request.user, plan) and open_for_checkins,
        "open_for_checkins": open_for_checkins,
        "may_comment": can_comment(request.user, plan),
        "form": form or CheckInForm(),
        "comment_form": CommentForm(),
        "errors": list(errors),
    }


@login_required
@require_GET
def kpi_checkins(request, pk):
    kpi = get_checkin_kpi(request.user, pk)
    return render(request, "monitoring/kpi.html", _context(request, kpi))


@login_required
@require_POST
def checkin_record_view(request, pk):
    kpi = get_checkin_kpi(request.user, pk)
    if not can_checkin(request.user, kpi.plan):
        raise PermissionDenied
    form = CheckInForm(request.POST)
    errors = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            checkin_record(
                kpi=kpi,
                by=request.user,
                date=data["date"],
                value=data["value"],
                milestones_done=data["milestones_done"],
                status=data["status"],
                note=data["note"],
            )
        except ValidationError as error:
            errors = error.messages
    else:
        errors = [message for field_errors in form.errors.values() for message in field_errors]
    if errors:
        context = _context(request, kpi, form=form, errors=errors)
        return render(request, "monitoring/kpi.html", context, status=200)
    messages.success(request, _("บันทึกความก้าวหน้าของตัวชี้วัด %(code)s แล้ว") % {"code": kpi.code})
    return redirect("monitoring:kpi", pk=kpi.pk)


@login_required
@require_POST
def comment_add_view(request, pk):
    checkin = get_checkin_for(request.user, pk)
    plan = checkin.kpi.plan
    if not can_comment(request.user, plan):
        raise PermissionDenied
    form = CommentForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(
                [message for errors in form.errors.values() for message in errors]
            )
        checkin_comment_add(checkin=checkin, by=request.user, text=form.cleaned_data["text"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("บันทึกความเห็นแล้ว"))
    return redirect(reverse("monitoring:kpi", args=[checkin.kpi_id]) + f"#checkin-{checkin.pk}")
