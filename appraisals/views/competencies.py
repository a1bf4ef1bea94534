"""Views: expected competency levels by position level (HR staff and administrators)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from appraisals.access import require_hr_or_admin
from appraisals.competencies import (
    core_competencies,
    expected_level,
    expected_levels_save,
    expected_table,
    known_position_levels,
)
from appraisals.forms import ExpectedLevelsForm
from appraisals.models import PolicyChange
from appraisals.policy_log import recent_changes


@login_required
def competencies(request):
    require_hr_or_admin(request.user)
    levels = known_position_levels()
    items = core_competencies()
    errors = []
    if request.method == "POST":
        form = ExpectedLevelsForm(request.POST, competencies=items)
        if form.is_valid():
            try:
                changed = expected_levels_save(levels=form.levels(), by=request.user)
                messages.success(
                    request, _("บันทึกระดับสมรรถนะที่คาดหวังแล้ว (%(count)s รายการ)") % {"count": changed}
                )
                return redirect("appraisals:competencies")
            except ValidationError as error:
                errors = error.messages
    else:
        table = expected_table(levels)
        initial = {
            f"e_{row}_{competency.pk}": expected_level(table, competency.pk, level)
            for row, level in enumerate(levels)
            for competency in items
        }
        form = ExpectedLevelsForm(initial=initial, position_levels=levels, competencies=items)
    return render(
        request,
        "appraisals/competencies.html",
        {
            "form": form,
            "competencies": items,
            "errors": errors,
            "changes": recent_changes(subject=PolicyChange.Subject.EXPECTED),
        },
    )


urlpatterns = [path("competencies/", competencies, name="competencies")]
