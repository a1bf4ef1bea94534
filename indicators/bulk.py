"""Bulk writes shared by cascading, the KPI import and carry-forward.

Each helper costs a fixed number of queries whatever the number of plans, so
a service acting on 200 (or 20,000) owners never runs a query per owner.
"""

from collections.abc import Iterable, Sequence

from django.db.models import Count, F, Max, Q
from django.utils import timezone

from indicators.models import KPI, KRA, HistoryEntry, Plan
from orgchart.models import Node

CODE_MAX = KPI._meta.get_field("code").max_length


def _after(top: int | None) -> int:
    return 0 if top is None else top + 1


def plans_for_owners(round_, children: Sequence[Node]) -> dict[int, Plan]:
    """Each child's plan for the round; missing ones are created as drafts (two queries)."""
    plans = {
        plan.owner_id: plan
        for plan in Plan.objects.filter(round=round_, owner__in=children).select_related(
            "owner", "round"
        )
    }
    missing = [Plan(round=round_, owner=child) for child in children if child.pk not in plans]
    for plan in Plan.objects.bulk_create(missing):
        plans[plan.owner_id] = plan
    return plans


def kras_named(plans: Sequence[Plan], job: str, name: str) -> dict[int, KRA]:
    """In each plan, the KRA with this job and name, created (last) where missing."""
    found = {}
    for kra in KRA.objects.filter(plan__in=plans, job=job, name=name).order_by("order", "pk"):
        found.setdefault(kra.plan_id, kra)
    tops = dict(
        KRA.objects.filter(plan__in=plans)
        .values("plan")
        .annotate(top=Max("order"))
        .values_list("plan", "top")
    )
    missing = [
        KRA(plan=plan, job=job, name=name, order=_after(tops.get(plan.pk)))
        for plan in plans
        if plan.pk not in found
    ]
    for kra in KRA.objects.bulk_create(missing):
        found[kra.plan_id] = kra
    return found


def owner_code(owner_code: str, number: int) -> str:
    """The one pattern of the KPI codes the app gives: the owner's code and a number.

    P-O1-1, P-O1-2 ... for officer P-O1's plan, whether the KPI was typed in
    the form, cascaded by the supervisor or carried forward into a taken
    code. Where a KPI came from is shown by its source column and cascade
    tree, not spelled out in its code.
    """
    return f"{owner_code}-{number}"


def next_owner_codes(round_, plans: Sequence[Plan]) -> dict[int, str]:
    """The next free owner code (see owner_code) in the round for each plan; two queries."""
    if not plans:
        return {}
    counts = dict(
        KPI.objects.filter(plan__in=plans)
        .values("plan")
        .annotate(n=Count("pk"))
        .values_list("plan", "n")
    )
    under = Q()
    for plan in plans:
        under |= Q(code__startswith=f"{plan.owner.code}-")
    taken = set(KPI.objects.filter(under, round=round_).values_list("code", flat=True))
    codes = {}
    for plan in plans:
        number = counts.get(plan.pk, 0) + 1
        while owner_code(plan.owner.code, number) in taken:
            number += 1
        codes[plan.pk] = owner_code(plan.owner.code, number)
        taken.add(codes[plan.pk])
    return codes


def next_kpi_orders(plans: Sequence[Plan]) -> dict[int, int]:
    tops = dict(
        KPI.objects.filter(plan__in=plans)
        .values("plan")
        .annotate(top=Max("order"))
        .values_list("plan", "top")
    )
    return {plan.pk: _after(tops.get(plan.pk)) for plan in plans}


def history_entry(
    *, plan: Plan, by, action: str, obj=None, changes=None, comment=""
) -> HistoryEntry:
    """An unsaved history entry, as `indicators.history.record` writes it (for bulk_create)."""
    return HistoryEntry(
        plan=plan,
        by=by if getattr(by, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.model_name if obj is not None else "plan",
        object_id=obj.pk if obj is not None else plan.pk,
        object_label=str(obj)[:255] if obj is not None else str(plan)[:255],
        changes=changes or {},
        comment=comment,
    )


def bump_versions(plan_ids: Iterable[int]) -> None:
    """Move every plan's version on (one query): open edit forms must reload."""
    Plan.objects.filter(pk__in=list(plan_ids)).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
