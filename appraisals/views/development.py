"""The development plan page (assessor adds, assessee acknowledges) and HR's training needs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from appraisals.access import can_assess, get_appraisal_plan, is_assessee
from appraisals.development import (
    development_acknowledge,
    development_item_add,
    development_item_delete,
    development_item_hours,
    development_suggestions,
)
from appraisals.development_export import TrainingNeeds
from appraisals.models import Appraisal, DevelopmentItem, DevelopmentMethod
from appraisals.views.reports import xlsx_response
from indicators.models import Round
from orgchart.access import require_hr


def _hours(text):
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValidationError(_("จำนวนชั่วโมงต้องเป็นจำนวนเต็ม"))
    return int(text)


@login_required
@require_http_methods(["GET", "POST"])
def development(request, pk):
    """GET: the plan's items and, for the assessor, the form; POST: the assessor adds one."""
    plan = get_appraisal_plan(request.user, pk)
    appraisal = Appraisal.objects.filter(plan=plan).first()
    errors, posted = [], {}
    if request.method == "POST":
        if not can_assess(request.user, plan):
            raise PermissionDenied
        posted = request.POST
        try:
            development_item_add(
                plan=plan,
                subject=posted.get("subject", ""),
                topic=posted.get("topic", ""),
                method=posted.get("method", ""),
                period=posted.get("period", ""),
                outcome=posted.get("outcome", ""),
                planned_hours=_hours(posted.get("planned_hours")),
                by=request.user,
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("เพิ่มรายการแผนพัฒนาแล้ว"))
            return redirect("appraisals:development", pk=plan.pk)
    items = []
    if appraisal is not None:
        items = list(DevelopmentItem.objects.filter(appraisal=appraisal))
    context = {
        "plan": plan,
        "appraisal": appraisal,
        "items": items,
        "suggestions": development_suggestions(appraisal) if appraisal else [],
        "methods": DevelopmentMethod.choices,
        "can_edit": can_assess(request.user, plan) and bool(appraisal and appraisal.is_assessed),
        "can_acknowledge": is_assessee(request.user, plan) and bool(items),
        "can_record_hours": (can_assess(request.user, plan) or is_assessee(request.user, plan))
        and bool(appraisal and appraisal.is_assessed),
        "errors": errors,
        "posted": posted,
        "closed": plan.round_closed,
    }
    return render(request, "appraisals/development.html", context)


@login_required
@require_POST
def development_delete(request, pk, item_pk):
    plan = get_appraisal_plan(request.user, pk, as_="assessor")
    item = get_object_or_404(DevelopmentItem, pk=item_pk, appraisal__plan=plan)
    try:
        development_item_delete(item=item, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("appraisals:development", pk=plan.pk)


@login_required
@require_POST
def development_hours(request, pk, item_pk):
    """The assessor or the assessee records an item's actual hours (blank clears them)."""
    plan = get_appraisal_plan(request.user, pk)
    if not (can_assess(request.user, plan) or is_assessee(request.user, plan)):
        raise PermissionDenied
    item = get_object_or_404(DevelopmentItem, pk=item_pk, appraisal__plan=plan)
    try:
        hours = _hours(request.POST.get("actual_hours"))
        changed = development_item_hours(item=item, actual_hours=hours, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if changed:
            messages.success(request, _("บันทึกชั่วโมงที่พัฒนาจริงแล้ว"))
    return redirect("appraisals:development", pk=plan.pk)


@login_required
@require_POST
def development_acknowledge_view(request, pk):
    plan = get_appraisal_plan(request.user, pk, as_="assessee")
    try:
        development_acknowledge(plan=plan, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("รับทราบแผนพัฒนารายบุคคลแล้ว"))
    return redirect("appraisals:development", pk=plan.pk)


@login_required
@require_GET
def training_needs(request):
    """HR: every development item of a round in their department, as .xlsx."""
    require_hr(request.user)
    value = request.GET.get("round", "")
    the_round = Round.objects.filter(pk=int(value)).first() if value.isdigit() else None
    if the_round is None:
        raise Http404
    return xlsx_response(TrainingNeeds(the_round, request.user))


urlpatterns = [
    path("plan/<int:pk>/development/", development, name="development"),
    path(
        "plan/<int:pk>/development/<int:item_pk>/delete/",
        development_delete,
        name="development_delete",
    ),
    path(
        "plan/<int:pk>/development/<int:item_pk>/hours/",
        development_hours,
        name="development_hours",
    ),
    path(
        "plan/<int:pk>/development/acknowledge/",
        development_acknowledge_view,
        name="development_acknowledge",
    ),
    path("reports/training-needs/", training_needs, name="training_needs"),
]
