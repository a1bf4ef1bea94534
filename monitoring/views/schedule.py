"""View: HR sets a round's monitoring settings ("no news" days, fixed check-in dates)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from appraisals.access import require_hr_or_admin
from indicators.models import Round
from monitoring.figures import due_dates
from monitoring.forms import ScheduleForm
from monitoring.services import schedule_for, schedule_save


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request, pk):
    # Rounds are shared by every department: any HR staff or an administrator.
    require_hr_or_admin(request.user)
    the_round = get_object_or_404(Round, pk=pk)
    schedule = schedule_for(the_round)
    initial = {
        "no_news_days": schedule.no_news_days,
        "due_dates": "\n".join(d.isoformat() for d in due_dates(schedule)),
    }
    form = ScheduleForm(request.POST or None, initial=initial)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            schedule_save(
                round=the_round,
                by=request.user,
                no_news_days=form.cleaned_data["no_news_days"],
                due_dates=form.cleaned_data["due_dates"],
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request, _("บันทึกการตั้งค่าการติดตามผลของรอบ %(code)s แล้ว") % {"code": the_round.code}
            )
            return redirect("monitoring:schedule", pk=the_round.pk)
    return render(
        request,
        "monitoring/schedule.html",
        {"round": the_round, "form": form, "schedule": schedule, "errors": errors},
    )
