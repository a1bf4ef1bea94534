"""HR pages of the raise list: the list (paginated), the live pool preview, a proposal,
the policy, close, export. Everything answers 404 to anyone but HR of the
department and administrators, and every view of salaries is logged.
"""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from appraisals.views.reports import xlsx_response
from indicators.history import person_name, plain
from indicators.models import Round
from salaries.access import (
    get_department_for,
    get_raise_list_for,
    get_record_for,
    get_round_or_404,
    require_salary_access,
    salary_departments,
    salary_view_log,
)
from salaries.exports import RaiseAnnouncement
from salaries.models import RaiseList, RaisePolicyChange, SalaryRecord, SalaryViewLog
from salaries.services import (
    pool_of,
    raise_list_close,
    raise_list_for,
    raise_list_refresh,
    raise_policy_save,
    raise_preview,
    raise_propose,
    rules_of,
)

PER_PAGE = 100


def _percent(text) -> Decimal | None:
    try:
        value = Decimal(str(text or "").strip().replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@login_required
@require_GET
def index(request):
    """The rounds and departments whose raise lists the user may open."""
    require_salary_access(request.user)
    departments = list(salary_departments(request.user).order_by("code"))
    rounds = list(Round.objects.all())
    lists = {
        (rl.round_id, rl.department_id): rl
        for rl in RaiseList.objects.filter(department__in=departments)
    }
    rows = [
        (the_round, department, lists.get((the_round.pk, department.pk)))
        for the_round in rounds
        for department in departments
    ]
    return render(request, "salaries/index.html", {"rows": rows})


@login_required
@require_GET
def open_list(request, round_pk, department_pk):
    """Open (creating on first use) the department's list of the round."""
    require_salary_access(request.user)
    department = get_department_for(request.user, department_pk)
    raise_list = raise_list_for(round=get_round_or_404(round_pk), department=department)
    return redirect("salaries:list", pk=raise_list.pk)


def _list_context(request, raise_list: RaiseList) -> dict:
    records = (
        SalaryRecord.objects.filter(raise_list=raise_list)
        .select_related("person__parent")
        .order_by("person__parent__tree_id", "person__parent__lft", "person__code")
    )
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    pool, _others = pool_of(raise_list)
    rules = rules_of(raise_list)
    for rule in rules.values():
        rule.shown = f"{rule.band} {plain(rule.min_percent)}–{plain(rule.max_percent)}"
    rows = list(page.object_list)
    # One reverse per URL, not per row; amounts formatted here (cheaper than template filters).
    propose_url = reverse("salaries:propose", kwargs={"pk": 0}).replace("/0/", "/{}/")
    preview_url = reverse("salaries:preview", kwargs={"pk": 0}).replace("/0/", "/{}/")
    for record in rows:
        record.rule = rules.get(record.band)
        record.propose_url = propose_url.format(record.pk)
        record.preview_url = preview_url.format(record.pk)
        record.shown = {
            "salary": f"{record.salary:,.2f}",
            "base": f"{record.base:,.2f}",
            "amount": f"{record.amount:,.0f}",
            "special": f"{record.special:,.0f}",
            "percent": plain(record.percent),
        }
    return {
        "raise_list": raise_list,
        "page": page,
        "rows": rows,
        "pool": pool,
        "pool_percent": plain(raise_list.pool_percent),
        "rules": list(rules.values()),
        "changes": _history(raise_list),
    }


def _history(raise_list: RaiseList) -> list[dict]:
    """The list's latest changes as lines to show: when, who, what."""
    shown = []
    changes = RaisePolicyChange.objects.filter(raise_list=raise_list).select_related("by__node")
    for change in changes[:20]:
        if change.action == "refresh":
            text = _("%(count)s รายการ") % {"count": change.changes[0][2] if change.changes else 0}
        else:
            labels = {"pool_percent": _("วงเงินร้อยละ")}
            text = "; ".join(
                f"{labels.get(key, key)}: {old} → {new}" for key, old, new in change.changes
            )
        shown.append(
            {
                "at": change.at,
                "who": person_name(change.by),
                "action": change.get_action_label(),
                "text": text,
            }
        )
    return shown


@login_required
@require_GET
def list_page(request, pk):
    """The raise list: one page of people with their percent, and the pool of the whole list."""
    raise_list = get_raise_list_for(request.user, pk)
    context = _list_context(request, raise_list)
    salary_view_log(
        user=request.user,
        kind=SalaryViewLog.Kind.PAGE,
        raise_list=raise_list,
        scope=f"page {context['page'].number}",
        people=[record.person.code for record in context["rows"]],
    )
    return render(request, "salaries/list.html", context)


@login_required
@require_GET
def preview(request, pk):
    """htmx: the pool used and left if this person got `percent` (nothing saved)."""
    record = get_record_for(request.user, pk)
    percent = _percent(request.GET.get("percent"))
    errors = []
    pool = None
    if percent is None:
        errors = [_invalid_percent()]
        pool, _others = pool_of(record.raise_list)
    else:
        record, pool, errors = raise_preview(record=record, percent=percent)
    salary_view_log(
        user=request.user,
        kind=SalaryViewLog.Kind.FRAGMENT,
        raise_list=record.raise_list,
        scope="preview",
        people=[record.person.code],
    )
    context = {"record": record, "pool": pool, "errors": errors, "percent": percent}
    return render(request, "salaries/_preview.html", context)


def _invalid_percent() -> str:
    return _("ร้อยละต้องเป็นตัวเลข เช่น 3 หรือ 2.5")


def _back(record_or_list, page) -> str:
    raise_list_pk = getattr(record_or_list, "raise_list_id", None) or record_or_list.pk
    url = reverse("salaries:list", kwargs={"pk": raise_list_pk})
    return f"{url}?page={page}" if str(page or "").isdigit() else url


@login_required
@require_POST
def propose(request, pk):
    """Save one person's percent; a refused step shows why and saves nothing."""
    record = get_record_for(request.user, pk)
    percent = _percent(request.POST.get("percent"))
    try:
        if percent is None:
            raise ValidationError(_invalid_percent())
        record = raise_propose(record=record, percent=percent, by=request.user)
    except ValidationError as error:
        messages.error(request, f"{record.person.name}: " + " ".join(error.messages))
    else:
        messages.success(
            request,
            _("บันทึก %(name)s ร้อยละ %(percent)s แล้ว")
            % {"name": record.person.name, "percent": plain(record.percent)},
        )
    return redirect(_back(record, request.POST.get("page")))


@login_required
@require_http_methods(["GET", "POST"])
def policy(request, pk):
    """The list's pool (percent of the payroll) and each band's allowed range."""
    raise_list = get_raise_list_for(request.user, pk)
    rules = list(rules_of(raise_list).values())
    errors = []
    if request.method == "POST":
        pool_percent = _percent(request.POST.get("pool_percent"))
        values = {}
        for rule in rules:
            parts = [
                _percent(request.POST.get(f"{key}_{rule.pk}")) for key in ("min", "max", "default")
            ]
            if any(part is None for part in parts):
                errors.append(_("ระดับ %(band)s: ร้อยละต้องเป็นตัวเลข") % {"band": rule.band})
            values[rule.band] = tuple(parts)
        if pool_percent is None:
            errors.append(_("วงเงินต้องเป็นร้อยละ 0 ถึง 100"))
        if not errors:
            try:
                raise_policy_save(
                    raise_list=raise_list, pool_percent=pool_percent, rules=values, by=request.user
                )
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, _("บันทึกเกณฑ์การเลื่อนเงินเดือนแล้ว"))
                return redirect("salaries:list", pk=raise_list.pk)
    context = {"raise_list": raise_list, "rules": rules, "errors": errors}
    return render(request, "salaries/policy.html", context)


@login_required
@require_POST
def refresh(request, pk):
    """Take the bands from the appraisals again; `reset` puts everybody back on the default."""
    raise_list = get_raise_list_for(request.user, pk)
    try:
        count = raise_list_refresh(
            raise_list=raise_list, by=request.user, reset=request.POST.get("reset") == "1"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("ปรับปรุงตามผลการประเมินแล้ว %(count)s รายการ") % {"count": count})
    return redirect("salaries:list", pk=raise_list.pk)


@login_required
@require_POST
def close(request, pk):
    """Freeze the list (refused while it passes the pool)."""
    raise_list = get_raise_list_for(request.user, pk)
    try:
        raise_list_close(raise_list=raise_list, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("ปิดบัญชีการเลื่อนเงินเดือนแล้ว"))
    return redirect("salaries:list", pk=raise_list.pk)


@login_required
@require_GET
def export(request, pk):
    """The announcement list as .xlsx (logged: the whole list)."""
    raise_list = get_raise_list_for(request.user, pk)
    exporter = RaiseAnnouncement(raise_list)
    salary_view_log(
        user=request.user,
        kind=SalaryViewLog.Kind.EXPORT,
        raise_list=raise_list,
        scope="all",
        count=exporter.total_rows(),
    )
    return xlsx_response(exporter)


urlpatterns = [
    path("", index, name="index"),
    path("round/<int:round_pk>/department/<int:department_pk>/", open_list, name="open"),
    path("list/<int:pk>/", list_page, name="list"),
    path("list/<int:pk>/policy/", policy, name="policy"),
    path("list/<int:pk>/refresh/", refresh, name="refresh"),
    path("list/<int:pk>/close/", close, name="close"),
    path("list/<int:pk>/export.xlsx", export, name="export"),
    path("record/<int:pk>/preview/", preview, name="preview"),
    path("record/<int:pk>/propose/", propose, name="propose"),
]
