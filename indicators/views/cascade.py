"""Views: cascading a KPI (three methods) and its cascade tree (URL patterns at the end).

Access: the KPI is fetched within the user's view (404 outside it); only its
holder may cascade (403 for anyone else who can see it). A chosen child who
is not one of the holder's reports or units answers 404 when the user cannot
see that person or unit at all, 403 when they can.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from indicators import cascade, targets
from indicators.access import can_edit
from indicators.cascade_tree import ancestors_of, cascade_tree, coverage_row
from indicators.models import KPI, Plan
from indicators.splits import level_texts, show, split_coverage, split_refusal
from kpi_portal.cells import CellError, parse_decimal
from orgchart.access import roles_of, visible_nodes, visible_q

METHODS = (KPI.Cascade.DIRECT, KPI.Cascade.SPLIT, KPI.Cascade.PARTIAL)
LEVELS = range(1, 6)


def get_kpi_for(user, pk, *, edit: bool = False) -> KPI:
    """The KPI, or 404 outside `user`'s view, or 403 when `edit` and not its holder."""
    kpi = (
        KPI.objects.filter(visible_q(user, "plan__owner__"), pk=pk)
        .select_related("plan__owner__parent", "plan__round", "kra", "round")
        .first()
    )
    if kpi is None:
        raise Http404
    if edit and not can_edit(user, kpi.plan):
        raise PermissionDenied
    return kpi


def _chosen(user, raw_ids, allowed: dict) -> list:
    """The children picked in the form: 404 for unseen nodes, 403 for seen but not allowed."""
    chosen, strangers = [], []
    for raw in raw_ids:
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            raise Http404 from None
        if pk in allowed:
            if allowed[pk] not in chosen:
                chosen.append(allowed[pk])
        else:
            strangers.append(pk)
    if strangers:
        if visible_nodes(user).filter(pk__in=strangers).count() < len(set(strangers)):
            raise Http404
        raise PermissionDenied
    return chosen


def _levels_from(post, prefix: str, scale: str, errors: list, who: str = "") -> list:
    """Five levels typed in the form: numbers (Thai digits, 1,234.5 welcome) or words."""
    values = []
    for level in LEVELS:
        text = (post.get(f"{prefix}{level}") or "").strip()
        if scale == targets.MILESTONE or not text:
            values.append(text or None)
            continue
        try:
            values.append(parse_decimal(text))
        except CellError:
            errors.append(
                _("%(who)sระดับ %(level)s ต้องเป็นตัวเลข (ได้รับ “%(text)s”)")
                % {"who": f"{who}: " if who else "", "level": level, "text": text}
            )
            values.append(None)
    return values


def _typed(post, prefix: str) -> list[str]:
    """The five levels as typed, to show them again when the form is refused."""
    return [(post.get(f"{prefix}{level}") or "").strip() for level in LEVELS]


def _rows(kpi: KPI, children: list) -> list[dict]:
    """One row per possible child: its plan in the round and what it already holds."""
    plans = {
        p.owner_id: p
        for p in Plan.objects.filter(round=kpi.round, owner__in=children).annotate(
            weight_total=Sum("kpis__weight")
        )
    }
    held: dict[int, list[KPI]] = {}
    for child in KPI.objects.filter(parent=kpi).select_related("plan").order_by("code"):
        held.setdefault(child.plan.owner_id, []).append(child)
    rows = []
    for node in children:
        plan = plans.get(node.pk)
        kpis = held.get(node.pk, [])
        split = next((c for c in kpis if c.cascade == KPI.Cascade.SPLIT), None)
        rows.append(
            {
                "node": node,
                "plan": plan,
                "locked": plan is not None and plan.is_locked,
                "held": kpis,
                "holds": any(c.cascade != KPI.Cascade.PARTIAL for c in kpis),
                "split": split,
                "values": [split.levels[i] if split else None for i in range(5)],
                "checked": split is not None,
                "weight_now": (plan.weight_total or Decimal(0)) if plan else Decimal(0),
            }
        )
    return rows


def _post_split(request, kpi, rows, allowed, errors) -> dict:
    chosen = _chosen(request.user, request.POST.getlist("children"), allowed)
    chosen_pks = {node.pk for node in chosen}
    allocations = {}
    for row in rows:
        node = row["node"]
        prefix = f"alloc-{node.pk}-"
        levels = _levels_from(request.POST, prefix, kpi.scale, errors, node.name)
        row["values"], row["checked"] = levels, node.pk in chosen_pks
        row["typed"] = _typed(request.POST, prefix)
        if row["checked"]:
            allocations[node] = levels
    return allocations


def _post(request, kpi, method, rows, allowed, context) -> bool:
    """Run the chosen method; True on success. Errors go to `context["errors"]`."""
    errors: list[str] = context["errors"]
    weight = (request.POST.get("weight") or "").strip()
    try:
        weight = parse_decimal(weight) if weight else Decimal(0)
    except CellError:
        errors.append(_("น้ำหนักเริ่มต้นต้องเป็นตัวเลข"))
    if method == KPI.Cascade.DIRECT:
        chosen = _chosen(request.user, request.POST.getlist("children"), allowed)
        context["checked"] = {node.pk for node in chosen}
        if errors:
            return False
        done = cascade.kpi_cascade_direct(kpi=kpi, children=chosen, weight=weight, by=request.user)
        messages.success(request, _("ถ่ายทอดโดยตรงให้ %(n)s ราย") % {"n": len(done)})
    elif method == KPI.Cascade.SPLIT:
        allocations = _post_split(request, kpi, rows, allowed, errors)
        if errors:
            return False
        done = cascade.kpi_cascade_split(
            kpi=kpi, allocations=allocations, weight=weight, by=request.user
        )
        messages.success(request, _("แบ่งค่าเป้าหมายให้ %(n)s ราย") % {"n": len(done)})
    else:
        child = _chosen(request.user, [request.POST.get("child")], allowed)[0]
        scale = request.POST.get("scale") or ""
        part = {
            "child": child.pk,
            "name": request.POST.get("name", ""),
            "unit": request.POST.get("unit", ""),
            "scale": scale,
            "levels": _levels_from(request.POST, "level_", scale, errors),
            "level_texts": _typed(request.POST, "level_"),
        }
        context["part"] = part
        if errors:
            return False
        done = cascade.kpi_cascade_partial(
            kpi=kpi,
            child=child,
            name=part["name"],
            unit=part["unit"],
            scale=scale,
            levels=part["levels"],
            weight=weight,
            by=request.user,
        )
        messages.success(
            request,
            _("มอบบางส่วนให้ %(name)s แล้ว (%(code)s)") % {"name": child.name, "code": done.code},
        )
    return True


@login_required
@require_http_methods(["GET", "POST"])
def cascade_kpi(request, pk):
    """Choose a method and the children, then cascade (POST)."""
    kpi = get_kpi_for(request.user, pk, edit=True)
    children = cascade.cascade_children(roles_of(request.user).node)
    allowed = {node.pk: node for node in children}
    method = request.POST.get("method") or request.GET.get("method") or KPI.Cascade.DIRECT
    if method not in METHODS:
        method = KPI.Cascade.DIRECT
    rows = _rows(kpi, children)
    context = {
        "kpi": kpi,
        "method": method,
        "rows": rows,
        "errors": [],
        "checked": set(),
        "part": {},
        "field_errors": {},
    }
    if request.method == "POST" and request.POST.get("preview"):
        _preview(request, kpi, method, rows, allowed, context)
    elif request.method == "POST":
        try:
            if _post(request, kpi, method, rows, allowed, context):
                return redirect("indicators:cascade_tree", pk=kpi.pk)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                context["field_errors"] = exc.message_dict
            context["errors"] += exc.messages
    return render(request, "indicators/cascade.html", _page(context))


def _preview(request, kpi, method, rows, allowed, context) -> None:
    """Show each chosen recipient's plan weight total after the cascade; save nothing."""
    errors: list[str] = context["errors"]
    raw = (request.POST.get("weight") or "").strip()
    try:
        weight = parse_decimal(raw) if raw else Decimal(0)
    except CellError:
        errors.append(_("น้ำหนักเริ่มต้นต้องเป็นตัวเลข"))
        return
    if method == KPI.Cascade.SPLIT:
        _post_split(request, kpi, rows, allowed, errors)
        chosen = {row["node"].pk for row in rows if row["checked"]}
    else:
        chosen = {
            node.pk for node in _chosen(request.user, request.POST.getlist("children"), allowed)
        }
        context["checked"] = chosen
    for row in rows:
        if row["node"].pk in chosen:
            # A recipient that already holds this KPI keeps its weight; a new one adds `weight`.
            row["weight_after"] = row["weight_now"] + (Decimal(0) if row["held"] else weight)
    context["previewed"] = True


def _page(context: dict) -> dict:
    kpi = context["kpi"]
    context["methods"] = [(value, KPI.Cascade(value).label) for value in METHODS]
    context["levels"] = list(LEVELS)
    context["split_refusal"] = split_refusal(kpi.scale, kpi.unit)
    context["scales"] = KPI.Scale.choices
    context["round_open"] = kpi.plan.round.is_planning and not kpi.plan.round_closed
    chosen = [row["values"] for row in context["rows"] if row["checked"]]
    coverage = split_coverage(kpi.scale, kpi.levels, chosen)
    context["coverage"] = [
        {**coverage_row(row), "parent_target": show(row.parent_target)} for row in coverage
    ]
    context["parent_levels"] = level_texts(kpi.levels)
    part = context["part"]
    for row in context["rows"]:
        row["texts"] = row.get("typed") or level_texts(row["values"])
        if part and part["child"] == row["node"].pk:
            row["part"] = part
    return context


@login_required
def cascade_tree_page(request, pk):
    """The KPI's cascade tree, for whoever may see the KPI's plan."""
    kpi = get_kpi_for(request.user, pk)
    context = {
        "kpi": kpi,
        "ancestors": ancestors_of(kpi, request.user),
        "root": cascade_tree(kpi, request.user),
        "can_cascade": can_edit(request.user, kpi.plan)
        and kpi.plan.round.is_planning
        and not kpi.plan.round_closed,
    }
    return render(request, "indicators/cascade_tree.html", context)


urlpatterns = [
    path("kpi/<int:pk>/cascade/", cascade_kpi, name="cascade"),
    path("kpi/<int:pk>/tree/", cascade_tree_page, name="cascade_tree"),
]
