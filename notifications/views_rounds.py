"""HR's page of the rounds' deadlines and reminder settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from indicators.models import Round
from notifications.forms import RoundReminderForm
from notifications.models import RoundReminder
from notifications.outbox import outbox_counts
from notifications.services import round_reminder_save
from orgchart.access import require_hr


@login_required
def round_list(request):
    """Every round with its deadlines (two queries) and the outbox's state."""
    require_hr(request.user)
    rounds = list(Round.objects.all())
    settings = {row.round_id: row for row in RoundReminder.objects.all()}
    for the_round in rounds:
        the_round.reminder_settings = settings.get(the_round.pk)
    context = {"rounds": rounds, "outbox": outbox_counts()}
    return render(request, "notifications/rounds.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def round_reminders(request, pk):
    """A round's planning and assessment deadlines, and how many days ahead to remind."""
    require_hr(request.user)
    the_round = get_object_or_404(Round, pk=pk)
    if the_round.is_closed:
        messages.error(request, _("รอบ %(code)s ปิดแล้ว แก้ไขไม่ได้") % {"code": the_round.code})
        return redirect("notifications:rounds")
    instance = RoundReminder.objects.filter(round=the_round).first() or RoundReminder(
        round=the_round
    )
    form = RoundReminderForm(request.POST or None, instance=instance, round=the_round)
    if request.method == "POST" and form.is_valid():
        round_reminder_save(round=the_round, values=form.cleaned_data, by=request.user)
        messages.success(request, _("บันทึกการเตือนของรอบ %(code)s แล้ว") % {"code": the_round.code})
        return redirect("notifications:rounds")
    return render(request, "notifications/round_form.html", {"form": form, "the_round": the_round})
