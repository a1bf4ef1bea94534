"""HR pages: issue activation (a unit, a file, everyone without a password); force a reset."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selection
from accounts.forms import IssueFileForm, IssueForm
from accounts.services import activation_days, activation_issue, password_force_reset
from accounts.sheet import ActivationSheet
from kpi_portal.exporters import write_workbook
from kpi_portal.import_flow import XLSX_TYPE
from kpi_portal.tabular import TableError
from orgchart.access import get_node_for, require_hr, roles_of

NO_STORE = "private, no-store"


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _choose(request, form: IssueForm, file_form: IssueFileForm, context: dict):
    """The people the form names, or None (with the form's errors set)."""
    data = form.cleaned_data
    scope = data["scope"]
    if scope == "unit":
        unit = get_node_for(request.user, code=data["unit"].strip())  # 404 outside the view
        if not unit.is_unit:
            form.add_error("unit", _("รหัสนี้เป็นบุคคล ไม่ใช่หน่วยงาน"))
            return None, ""
        require_hr(request.user, unit)
        users = selection.people_in_unit(
            by=request.user, unit=unit, include_with_password=data["include_with_password"]
        )
        return users, unit.code
    if scope == "file":
        if not file_form.is_valid():
            return None, ""
        try:
            choice = selection.people_from_file(
                by=request.user, upload=file_form.cleaned_data["file"]
            )
        except TableError as error:
            context.update(file_error=error.message, errors=error.errors)
            return None, ""
        if choice.errors:
            context["errors"] = choice.errors
            return None, ""
        return choice.users, "file"
    return selection.people_without_password(by=request.user), "missing"


def _sheet_response(outcome, request) -> HttpResponse:
    buffer = io.BytesIO()
    activate_url = request.build_absolute_uri(reverse("accounts:activate"))
    write_workbook(ActivationSheet(outcome.sheet, activate_url=activate_url), buffer)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="activation-codes-{stamp}.xlsx"'
    response["Cache-Control"] = NO_STORE
    return response


@login_required
@require_http_methods(["GET", "POST"])
def activation_issue_page(request):
    """GET: the three ways to choose people; POST: issue, then the code sheet or a message."""
    require_hr(request.user)
    initial = {"unit": request.GET.get("unit", "")[:32], "delivery": "email"}
    form = IssueForm(request.POST or None, initial=initial)
    file_form = IssueFileForm(request.POST or None, request.FILES or None)
    context = {
        "form": form,
        "file_form": file_form,
        "scope": request.POST.get("scope", ""),
        "days": activation_days(),
        "missing": selection.count_without_password(by=request.user),
        "is_admin": roles_of(request.user).is_admin,
    }
    if request.method == "POST" and form.is_valid():
        users, scope = _choose(request, form, file_form, context)
        if users is not None and not users:
            messages.info(request, _("ไม่มีบุคลากรที่ต้องออกรหัสเปิดใช้งานตามที่เลือก"))
            return redirect("accounts:activation")
        if users:
            outcome = activation_issue(
                users=users,
                by=request.user,
                email=form.cleaned_data["delivery"] == "email",
                base_url=_base_url(request),
                language=translation.get_language() or "th",
                scope=scope,
            )
            summary = _("ออกรหัสเปิดใช้งาน %(total)s คน: ส่งอีเมล %(emailed)s คน เอกสารรหัส %(sheet)s คน")
            messages.success(
                request,
                summary
                % {"total": len(users), "emailed": outcome.emailed, "sheet": len(outcome.sheet)},
            )
            if outcome.sheet:
                return _sheet_response(outcome, request)
            return redirect("accounts:activation")
    return render(request, "accounts/activation_issue.html", context)


@login_required
@require_POST
def force_reset(request, pk):
    """Make a person set a new password: HR of their department or an administrator."""
    person = get_node_for(request.user, pk=pk)
    if person.is_unit or person.user is None:
        raise Http404
    roles = require_hr(request.user, person)
    user = person.user
    if (user.is_staff or user.is_superuser) and not roles.is_admin:
        raise PermissionDenied
    user.node = person
    outcome = password_force_reset(
        user=user,
        by=request.user,
        base_url=_base_url(request),
        language=translation.get_language() or "th",
    )
    context = {"person": person, "outcome": outcome, "days": activation_days()}
    if outcome.code is not None:
        from accounts.codes import code_display

        context["code"] = code_display(outcome.code.code)
    response = render(request, "accounts/force_reset_done.html", context)
    response["Cache-Control"] = NO_STORE
    return response
