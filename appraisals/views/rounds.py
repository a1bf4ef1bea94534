"""Views: a round's scoring policy (HR staff and administrators); closing is in views.closing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from appraisals.access import require_hr_or_admin
from appraisals.forms import PolicyForm
from appraisals.models import PolicyChange
from appraisals.policy import policy_for, policy_save
from appraisals.policy_log import recent_changes
from indicators.models import Round


@login_required
def policy(request, pk):
    """The round's scoring policy; saving it rescores the round. Read-only once closed."""
    require_hr_or_admin(request.user)
    the_round = get_object_or_404(Round, pk=pk)
    current = policy_for(the_round)
    band_rows = current.bands.count()
    errors = []
    if request.method == "POST" and not the_round.is_closed:
        form = PolicyForm(request.POST, band_rows=band_rows)
        if form.is_valid():
            try:
                policy_save(
                    round=the_round,
                    method=form.cleaned_data["method"],
                    floor=form.cleaned_data["floor"],
                    published=form.cleaned_data["scores_published"],
                    weights_by_type=form.weights_by_type(),
                    bands=form.bands(),
                    by=request.user,
                )
                messages.success(request, _("บันทึกนโยบายการคิดคะแนนและคำนวณคะแนนของรอบใหม่แล้ว"))
                return redirect("appraisals:policy", pk=the_round.pk)
            except ValidationError as error:
                errors = error.messages
    else:
        if request.method == "POST":
            errors = [_("รอบ %(code)s ปิดแล้ว แก้ไขไม่ได้") % {"code": the_round.code}]
        form = PolicyForm(initial=PolicyForm.initial_for(current), band_rows=band_rows)
    return render(
        request,
        "appraisals/policy.html",
        {
            "the_round": the_round,
            "form": form,
            "errors": errors,
            "changes": recent_changes(round=the_round, subject=PolicyChange.Subject.POLICY),
        },
    )


urlpatterns = [
    path("round/<int:pk>/policy/", policy, name="policy"),
]
