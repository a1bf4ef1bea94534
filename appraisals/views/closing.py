"""Views: closing a round (HR for their department, administrators for one or all)
and reopening it for one department (administrators)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from appraisals.access import require_hr_or_admin
from appraisals.services import round_close, round_close_counts, round_reopen
from indicators.forms import style_fields
from indicators.models import Round, RoundClosure
from orgchart.access import hr_departments, roles_of
from orgchart.models import Node


def _department(user, value: str | None) -> Node | None:
    """The department the page acts on: HR's own; an administrator's choice (None: all).

    A department outside `user`'s view answers 404.
    """
    roles = roles_of(user)
    departments = hr_departments(user)
    if not roles.is_admin:
        own = departments.first()
        if own is None or (value and value != str(own.pk)):
            raise Http404
        return own
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return get_object_or_404(departments, pk=int(value))


@login_required
@require_http_methods(["GET", "POST"])
def close(request, pk):
    """GET: what closing would leave unfinished. POST: close the round for good,
    for the department (HR: their own; administrators: the one chosen, or all)."""
    require_hr_or_admin(request.user)
    the_round = get_object_or_404(Round, pk=pk)
    department = _department(
        request.user, request.POST.get("department") or request.GET.get("department")
    )
    errors = []
    if request.method == "POST":
        try:
            summary = round_close(round=the_round, by=request.user, department=department)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _closed_message(the_round, department, summary))
            url = reverse("appraisals:round_close", args=[the_round.pk])
            return redirect(f"{url}?department={department.pk}" if department else url)
    closed_at = None
    if department is not None:
        closed_at = the_round.closed_at_for(department.tree_id)
    elif the_round.is_closed:
        closed_at = the_round.closed_at
    context = {
        "the_round": the_round,
        "department": department,
        "departments": hr_departments(request.user) if roles_of(request.user).is_admin else [],
        "closed_at": closed_at,
        "counts": round_close_counts(the_round, department),
        "errors": errors,
    }
    return render(request, "appraisals/round_close.html", context)


def _closed_message(the_round: Round, department: Node | None, summary) -> str:
    values = {"code": the_round.code, "count": summary.individual_plans}
    if department is None:
        return _("ปิดรอบ %(code)s แล้ว: บันทึกผลการประเมิน %(count)s แผนไว้ถาวร") % values
    return _("ปิดรอบ %(code)s สำหรับ%(department)s แล้ว: บันทึกผลการประเมิน %(count)s แผนไว้ถาวร") % {
        **values,
        "department": department.name,
    }


class ReopenForm(forms.Form):
    department = forms.ModelChoiceField(
        label=gettext_lazy("ส่วนราชการ"), queryset=Node.objects.none(), empty_label=None
    )
    reason = forms.CharField(
        label=gettext_lazy("เหตุผลที่เปิดรอบใหม่"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": gettext_lazy("กรุณาระบุเหตุผลที่เปิดรอบการประเมินใหม่")},
    )

    def __init__(self, *args, closures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Node.objects.filter(
            pk__in=[closure.department_id for closure in closures]
        ).order_by("tree_id")
        style_fields(self)


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request, pk):
    """Administrators: GET asks which department and why; POST reopens the round for it."""
    if not roles_of(request.user).is_admin:
        raise PermissionDenied
    the_round = get_object_or_404(Round, pk=pk)
    closures = list(
        RoundClosure.objects.filter(round=the_round, reopened_at__isnull=True).select_related(
            "department", "closed_by"
        )
    )
    initial = {"department": request.GET.get("department")}
    form = ReopenForm(request.POST or None, closures=closures, initial=initial)
    errors = []
    if request.method == "POST" and form.is_valid():
        department = form.cleaned_data["department"]
        try:
            count = round_reopen(
                round=the_round,
                department=department,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("เปิดรอบ %(code)s ใหม่สำหรับ%(department)s แล้ว (%(count)s แผน)")
                % {"code": the_round.code, "department": department.name, "count": count},
            )
            return redirect("indicators:rounds")
    context = {"the_round": the_round, "closures": closures, "form": form, "errors": errors}
    return render(request, "appraisals/round_reopen.html", context)


urlpatterns = [
    path("round/<int:pk>/close/", close, name="round_close"),
    path("round/<int:pk>/reopen/", reopen, name="round_reopen"),
]
