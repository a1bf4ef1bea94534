"""What the plan page shows, built in a fixed number of queries, and its htmx parts."""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from indicators import access, history, rules
from indicators.forms import KRAForm
from indicators.models import KPI, Plan

HISTORY_ON_PAGE = 50
# Columns of a KRA's KPI table (a form row spans them all).
COLUMNS = 16
HUNDRED = Decimal(100)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def level_texts(kpi: KPI) -> list[str]:
    """The five levels as a reader sees them: "1,200", "ไม่กำหนด" for an open level 1, or words."""
    if kpi.scale == KPI.Scale.MILESTONE:
        return [text or "–" for text in kpi.levels]
    return [_("ไม่กำหนด") if value is None else f"{value.normalize():,f}" for value in kpi.levels]


def number_text(value: Decimal) -> str:
    return f"{Decimal(value).normalize():,f}"


def _mark_cascaded(plan: Plan, cascaded: list) -> None:
    """Who cascaded each KPI into the plan, and when (one query, whatever the plan holds)."""
    entries = plan.history.filter(action="kpi_cascade_in").select_related("by__node")
    received = {}
    for entry in entries.order_by("at", "pk"):
        received.setdefault(entry.object_id, entry)
    for kpi in cascaded:
        entry = received.get(kpi.pk)
        kpi.cascaded_at = entry.at if entry else None
        kpi.cascaded_by = history.person_name(entry.by) if entry else kpi.parent.plan.owner.name


def plan_context(request, plan: Plan, *, history_limit: int | None = HISTORY_ON_PAGE) -> dict:
    """Everything the plan page and its parts show.

    Queries do not grow with the plan: KRAs, KPIs (with their parents and
    overseers) and the history come in one query each; the review runs on
    the objects in memory.
    """
    user = request.user
    kras = list(plan.kras.all())
    kpis = list(plan.kpis.select_related("parent__plan__owner", "overseer").order_by("order", "pk"))
    cascaded = [kpi for kpi in kpis if kpi.parent_id]
    _mark_cascaded(plan, cascaded)
    review = rules.review_plan(round=plan.round, kras=kras, kpis=kpis)
    by_kra = defaultdict(list)
    for kpi in kpis:
        kpi.errors = [p for p in review.errors if p.kpi is kpi]
        kpi.warnings = [p for p in review.warnings if p.kpi is kpi]
        kpi.level_texts = level_texts(kpi)
        by_kra[kpi.kra_id].append(kpi)
    jobs: dict[str, list] = {}
    for kra in kras:
        kra.plan = plan
        kra.kpi_list = by_kra[kra.pk]
        for index, kpi in enumerate(kra.kpi_list):
            kpi.is_first, kpi.is_last = index == 0, index == len(kra.kpi_list) - 1
        kra.weight = rules.total_weight(kra.kpi_list)
        kra.errors = [p for p in review.errors if p.kra is kra]
        jobs.setdefault(kra.job, []).append(kra)
    total = rules.total_weight(kpis)
    entries = plan.history.select_related("by", "by__node")
    entries = list(entries[: history_limit + 1] if history_limit else entries)
    more_history = history_limit is not None and len(entries) > history_limit
    for entry in entries[:history_limit]:
        entry.label = history.action_label(entry.action)
        entry.rows = history.change_rows(entry)
        entry.who = history.person_name(entry.by)
    can_edit = access.can_edit(user, plan)
    can_decide = access.can_decide(user, plan)
    planning = plan.round.is_planning and not plan.round_closed
    deciding = can_decide and plan.status == Plan.Status.SUBMITTED and planning
    holder = plan.owner if not plan.owner.is_unit else access.holder_of(plan.owner)
    return {
        "plan": plan,
        "holder": holder,
        "submitted_by": history.person_name(plan.submitted_by),
        "approved_by": history.person_name(plan.approved_by),
        "kras": kras,
        "kpis": kpis,
        "jobs": list(jobs.items()),
        "review": review,
        "plan_errors": [p for p in review.errors if p.kpi is None and p.kra is None],
        "plan_warnings": [p for p in review.warnings if p.kpi is None],
        "weight_total": total,
        "weight_total_text": number_text(total),
        "weight_ok": total == HUNDRED,
        "cascaded_count": len(cascaded),
        "cascaded_weight": rules.total_weight(cascaded),
        "history": entries[:history_limit] if history_limit else entries,
        "more_history": more_history,
        "can_edit": can_edit,
        # Only a head (or a unit's plan) has people to cascade to: no icon that leads nowhere.
        "has_team": plan.owner.is_unit or plan.owner.is_head,
        "editable": can_edit and plan.is_editable,
        "can_submit": can_edit and plan.is_editable,
        "can_decide": deciding,
        # A submitted plan its reviewer decides on goes back with "return";
        # reopening is for a plan already approved (or for HR, who do not decide).
        "can_reopen": plan.is_locked
        and planning
        and not deciding
        and access.can_reopen(user, plan),
        "columns": COLUMNS,
        # Each form on the page has ids of its own (two forms both had id_name).
        "kra_new_form": KRAForm(initial={"version": plan.version}, auto_id="kra-new-%s"),
    }


def render_parts(
    request, plan: Plan, template: str, *, target: str, seen_version: int, kra_pk=None
) -> HttpResponse:
    """An htmx answer after a change: `template` (swapped into `target`), then out of band
    the plan's summary, its history and its new version.

    Every edit form on the page carries the plan's version. After a save made
    from version `seen_version`, the forms that carry that same version (they
    have seen everything but this user's own change) get the new one, so the
    user's next save is not taken for someone else's. Forms loaded earlier
    keep their older version: they have not seen what changed in between, and
    saving them is refused as stale.
    """
    context = plan_context(request, plan)
    context["kra"] = next((kra for kra in context["kras"] if kra.pk == kra_pk), None)
    context["seen_version"] = seen_version
    html = render_to_string(template, context, request=request)
    html += render_to_string("indicators/_plan_oob.html", context, request=request)
    response = HttpResponse(html)
    response["HX-Retarget"] = target
    response["HX-Reswap"] = "outerHTML"
    return response


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's errors beside the form's fields (or on top when there is no such field)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def alert(request, message_list, *, level: str = "danger") -> HttpResponse:
    """An htmx answer that shows messages in the page's alert box and changes nothing else."""
    html = render_to_string(
        "indicators/_alert.html", {"alerts": message_list, "level": level}, request=request
    )
    response = HttpResponse(html)
    response["HX-Retarget"] = "#plan-alert"
    response["HX-Reswap"] = "innerHTML"
    return response
