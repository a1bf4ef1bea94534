"""Views: editing a plan in place (KRAs and KPIs), with htmx, and without JavaScript.

htmx requests get the re-rendered part (a KRA block, or all the KRAs when a
change moves things between blocks) plus the summary, history and version out
of band; plain requests are redirected to the plan page with a message. A form
with errors comes back with the messages beside its fields, the user's input
kept.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from indicators import access, services
from indicators.forms import KPIForm, KRAForm, MoveForm, VersionForm
from indicators.models import KPI, Plan
from indicators.plans import require_editable
from indicators.views.plan_page import (
    COLUMNS,
    alert,
    apply_errors,
    is_htmx,
    plan_context,
    render_parts,
)

KRAS_TARGET = "#plan-kras"


def _plan_url(plan: Plan, anchor: str = "") -> str:
    return reverse("indicators:plan", args=[plan.pk]) + (f"#{anchor}" if anchor else "")


def _saved(request, plan: Plan, message: str, *, kra_pk=None, focus: str = ""):
    """After a successful change: the KRA block (or all KRAs), or back to the page.

    `focus`: the id of the element keyboard focus goes back to (the saved row);
    plan.js moves it there on the "plan-focus" event htmx fires from HX-Trigger.
    """
    if is_htmx(request):
        # The service accepted the posted version, so it is a valid number.
        seen = int(request.POST["version"])
        if kra_pk is None:
            response = render_parts(
                request, plan, "indicators/_plan_kras.html", target=KRAS_TARGET, seen_version=seen
            )
        else:
            response = render_parts(
                request,
                plan,
                "indicators/_kra.html",
                target=f"#kra-{kra_pk}",
                seen_version=seen,
                kra_pk=kra_pk,
            )
        if focus:
            response["HX-Trigger-After-Settle"] = json.dumps({"plan-focus": {"id": focus}})
        return response
    messages.success(request, message)
    return redirect(_plan_url(plan, focus or (f"kra-{kra_pk}" if kra_pk else "plan-kras")))


def _refused(request, plan: Plan, exc: ValidationError):
    """A change with no form to show its errors in (move, delete): nothing was saved."""
    if is_htmx(request):
        return alert(request, exc.messages)
    for message in exc.messages:
        messages.error(request, message)
    return redirect(_plan_url(plan))


def _not_editable(request, plan: Plan):
    """GET of an edit form on a plan that cannot change now: say why instead."""
    try:
        require_editable(plan)
    except ValidationError as exc:
        return _refused(request, plan, exc)
    return None


def _form_page(request, plan: Plan, form, *, part: str, page: str, context: dict):
    """The form, as an htmx part in place or as a page of its own.

    A form sent back with errors replaces itself (the user's input is kept).
    """
    context = {"plan": plan, "form": form, "columns": COLUMNS, **context}
    if not is_htmx(request):
        return render(request, page, context)
    response = render(request, part, context)
    if request.method == "POST":
        response["HX-Retarget"] = f"#{context['form_id']}"
        response["HX-Reswap"] = "outerHTML"
    return response


# KRAs ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def kra_new(request, pk):
    plan = access.get_plan_for(request.user, pk, edit=True)
    return _kra_form(request, plan, None)


@login_required
@require_http_methods(["GET", "POST"])
def kra_edit(request, pk):
    kra = access.get_kra_for(request.user, pk, edit=True)
    return _kra_form(request, kra.plan, kra)


def _kra_form(request, plan: Plan, kra):
    context = {"kra": kra, "form_id": f"kra-form-{kra.pk}" if kra else "kra-form-new"}
    if request.method == "GET":
        refusal = _not_editable(request, plan)
        if refusal:
            return refusal
        initial = {"version": plan.version}
        if kra is not None:
            initial.update(job=kra.job, name=kra.name)
        form = KRAForm(initial=initial, auto_id=f"{context['form_id']}-%s")
        return _form_page(
            request,
            plan,
            form,
            part="indicators/_kra_form.html",
            page="indicators/kra_form.html",
            context=context,
        )
    form = KRAForm(request.POST, auto_id=f"{context['form_id']}-%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.kra_save(
                plan=plan,
                kra=kra,
                job=data["job"],
                name=data["name"],
                expected_version=data["version"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _saved(request, plan, _("บันทึกผลสัมฤทธิ์หลักแล้ว"))
    return _form_page(
        request,
        plan,
        form,
        part="indicators/_kra_form.html",
        page="indicators/kra_form.html",
        context=context,
    )


@login_required
@require_POST
def kra_delete(request, pk):
    kra = access.get_kra_for(request.user, pk, edit=True)
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.non_field_errors())
        services.kra_delete(kra=kra, expected_version=form.cleaned_data["version"], by=request.user)
    except ValidationError as exc:
        return _refused(request, kra.plan, exc)
    return _saved(request, kra.plan, _("ลบผลสัมฤทธิ์หลักแล้ว"))


@login_required
def kra_block(request, pk):
    """One KRA block as it is now (htmx "cancel"), or the plan page."""
    kra = access.get_kra_for(request.user, pk)
    if not is_htmx(request):
        return redirect(_plan_url(kra.plan, f"kra-{kra.pk}"))
    context = plan_context(request, kra.plan)
    context["kra"] = next(k for k in context["kras"] if k.pk == kra.pk)
    return render(request, "indicators/_kra.html", context)


# KPIs ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def kpi_new(request, pk):
    kra = access.get_kra_for(request.user, pk, edit=True)
    return _kpi_form(request, kra.plan, kra, None)


@login_required
@require_http_methods(["GET", "POST"])
def kpi_edit(request, pk):
    kpi = access.get_kpi_for(request.user, pk, edit=True)
    return _kpi_form(request, kpi.plan, kpi.kra, kpi)


def _kpi_form(request, plan: Plan, kra, kpi):
    context = {
        "kra": kra,
        "kpi": kpi,
        "form_id": f"kpi-form-{kpi.pk}" if kpi else f"kpi-form-new-{kra.pk}",
    }
    if request.method == "GET":
        refusal = _not_editable(request, plan)
        if refusal:
            return refusal
        form = KPIForm(plan=plan, kpi=kpi, auto_id=f"{context['form_id']}-%s")
        form.initial["version"] = plan.version
        if kpi is None:
            form.initial.update(kra=kra.pk, scale=KPI.Scale.HIGHER)
        return _form_page(
            request,
            plan,
            form,
            part="indicators/_kpi_form_row.html",
            page="indicators/kpi_form.html",
            context=context,
        )
    form = KPIForm(request.POST, plan=plan, kpi=kpi, auto_id=f"{context['form_id']}-%s")
    if form.is_valid():
        try:
            saved = services.kpi_save(
                plan=plan,
                kpi=kpi,
                data=form.data_for_service,
                expected_version=form.cleaned_data["version"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            moved = saved.kra_id != kra.pk
            return _saved(
                request,
                plan,
                _("บันทึกตัวชี้วัดแล้ว"),
                kra_pk=None if moved else kra.pk,
                focus=f"kpi-{saved.pk}",
            )
    return _form_page(
        request,
        plan,
        form,
        part="indicators/_kpi_form_row.html",
        page="indicators/kpi_form.html",
        context=context,
    )


@login_required
@require_POST
def kpi_move(request, pk):
    kpi = access.get_kpi_for(request.user, pk, edit=True)
    form = MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.non_field_errors() or _("ข้อมูลไม่ถูกต้อง"))
        services.kpi_move(
            kpi=kpi,
            direction=form.cleaned_data["direction"],
            expected_version=form.cleaned_data["version"],
            by=request.user,
        )
    except ValidationError as exc:
        return _refused(request, kpi.plan, exc)
    return _saved(request, kpi.plan, _("จัดลำดับตัวชี้วัดแล้ว"), kra_pk=kpi.kra_id)


@login_required
@require_POST
def kpi_delete(request, pk):
    kpi = access.get_kpi_for(request.user, pk, edit=True)
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.non_field_errors())
        services.kpi_delete(kpi=kpi, expected_version=form.cleaned_data["version"], by=request.user)
    except ValidationError as exc:
        return _refused(request, kpi.plan, exc)
    return _saved(request, kpi.plan, _("ลบตัวชี้วัดแล้ว"), kra_pk=kpi.kra_id)


urlpatterns = [
    path("plan/<int:pk>/kra/new/", kra_new, name="kra_new"),
    path("kra/<int:pk>/", kra_block, name="kra_block"),
    path("kra/<int:pk>/edit/", kra_edit, name="kra_edit"),
    path("kra/<int:pk>/delete/", kra_delete, name="kra_delete"),
    path("kra/<int:pk>/kpi/new/", kpi_new, name="kpi_new"),
    path("kpi/<int:pk>/edit/", kpi_edit, name="kpi_edit"),
    path("kpi/<int:pk>/move/", kpi_move, name="kpi_move"),
    path("kpi/<int:pk>/delete/", kpi_delete, name="kpi_delete"),
]
