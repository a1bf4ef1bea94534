"""Carry plans forward: next round's drafts made from an earlier round's plans.

`plans_carry_forward` copies each owner's KRAs and KPIs (targets, weights,
scales, everything but results) into a draft plan of the target round.

- Owners who already have KPIs in the target round are skipped (never
  merged), so running it twice changes nothing the second time; inactive
  owners are skipped too.
- Codes are kept where they are free in the target round (a KPI keeps its
  code from round to round); a taken code gives way to the owner's next
  `<owner code>-<number>`, as the form and cascades give (bulk.owner_code).
- Cascade links are re-pointed to the copies of the parents in the target
  round (copied in the same run, or already there with the parent's code).
  A KPI whose parent has no copy loses the link (and its method): it becomes
  the owner's own KPI, which the supervisor may cascade again.

Bounded work: owners go in chunks of a few queries each, KPIs in with one
executemany per thousand rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.bulk import history_entry, owner_code
from indicators.import_checks import chunks
from indicators.import_sql import BATCH, insert_kpis, link_parents
from indicators.models import KPI, KRA, HistoryEntry, Plan, Round
from indicators.plans import require_round_open
from orgchart.models import Node

COPIED = (
    "code",
    "name",
    "unit",
    "category",
    "kind",
    "work",
    "technique",
    "overseer_id",
    "method",
    "scale",
    "level_1",
    "level_2",
    "level_3",
    "level_4",
    "level_5",
    "milestone_1",
    "milestone_2",
    "milestone_3",
    "milestone_4",
    "milestone_5",
    "weight",
    "order",
    "cascade",
)
OWNERS_PER_CHUNK = 1000
OPEN = (Plan.Status.DRAFT, Plan.Status.RETURNED)


@dataclass
class CarryResult:
    plans: int = 0
    kpis: int = 0
    skipped: int = 0


def _check(source: Round, target: Round) -> None:
    if target.is_closed:
        raise ValidationError(_("รอบ %(round)s ปิดแล้ว") % {"round": target.code})
    if not target.is_planning:
        raise ValidationError(
            _("ยกแผนมาได้เฉพาะรอบที่อยู่ในช่วงวางแผน (รอบ %(round)s ไม่ได้อยู่ในช่วงวางแผน)")
            % {"round": target.code}
        )
    if (source.fiscal_year, source.number) >= (target.fiscal_year, target.number):
        raise ValidationError(
            _("รอบต้นทาง %(source)s ต้องเป็นรอบก่อนหน้ารอบ %(target)s")
            % {"source": source.code, "target": target.code}
        )


def plans_carry_forward(
    *,
    source: Round,
    target: Round,
    owners: Iterable[Node] | None = None,
    tree_id: int | None = None,
    by,
) -> CarryResult:
    """Copy the plans of `source` (all, or `owners`', or one department's) into `target`.

    See the module docstring for what is copied and skipped.
    """
    _check(source, target)
    if tree_id is not None:
        require_round_open(target, tree_id)
    plans = Plan.objects.filter(round=source, owner__is_active=True, kpis__isnull=False)
    if owners is not None:
        plans = plans.filter(owner__in=list(owners))
    if tree_id is not None:
        plans = plans.filter(owner__tree_id=tree_id)
    # Departments the target round is closed for take nothing (counted as skipped).
    closed = target.closed_departments
    shut = plans.filter(owner__tree_id__in=closed).distinct().count() if closed else 0
    plans = plans.exclude(owner__tree_id__in=closed)
    chosen = dict(plans.distinct().values_list("pk", "owner_id"))
    busy = set(KPI.objects.filter(round=target).values_list("plan__owner_id", flat=True).distinct())
    copying = {plan: owner for plan, owner in chosen.items() if owner not in busy}
    result = CarryResult(skipped=len(chosen) - len(copying) + shut)
    with transaction.atomic():
        run = _Run(source, target, copying, by)
        for part in chunks(sorted(copying), OWNERS_PER_CHUNK):
            run.chunk(part, result)
        run.finish()
    return result


class _Run:
    def __init__(self, source: Round, target: Round, copying: dict[int, int], by):
        self.source, self.target, self.copying, self.by = source, target, copying, by
        self.taken = set(KPI.objects.filter(round=target).values_list("code", flat=True))
        self.before = set(self.taken)  # codes that were in the target before this run
        self.new_code: dict[int, str] = {}  # source KPI id -> code of its copy
        self.waiting: list[tuple[str, int]] = []  # (copy's code, source parent id)
        self.pending: list[tuple[str, str]] = []  # (copy's code, parent's code in target)

    def _code(self, code: str, owner: str) -> str:
        candidate, number = code, 1
        while candidate in self.taken:
            candidate, number = owner_code(owner, number), number + 1
        self.taken.add(candidate)
        return candidate

    def chunk(self, plan_ids, result: CarryResult) -> None:
        owners = Node.objects.in_bulk([self.copying[pk] for pk in plan_ids])
        existing = {
            plan.owner_id: plan
            for plan in Plan.objects.filter(
                round=self.target, owner_id__in=list(owners)
            ).select_related("owner", "round")
        }
        targets = {}
        for pk in plan_ids:
            owner = self.copying[pk]
            plan = existing.get(owner)
            if plan is not None and plan.status not in OPEN:
                result.skipped += 1  # an empty plan already sent or approved: leave it
                continue
            targets[pk] = plan or Plan(round=self.target, owner=owners[owner])
        Plan.objects.bulk_create([p for p in targets.values() if p.pk is None], batch_size=BATCH)
        kras = {}
        for kra in KRA.objects.filter(plan_id__in=list(targets)).order_by("plan_id", "order"):
            kras[kra.pk] = KRA(
                plan=targets[kra.plan_id], job=kra.job, name=kra.name, order=kra.order
            )
        KRA.objects.bulk_create(list(kras.values()), batch_size=BATCH)
        copies = []
        rows = KPI.objects.filter(plan_id__in=list(targets)).order_by("plan_id", "order", "pk")
        fields = (
            "pk",
            "plan_id",
            "kra_id",
            "parent_id",
            "parent__plan_id",
            "parent__code",
            *COPIED,
        )
        for pk, plan_id, kra_id, parent_id, parent_plan, parent_code, *values in rows.values_list(
            *fields
        ):
            copy = KPI(
                round=self.target,
                plan=targets[plan_id],
                kra=kras[kra_id],
                **dict(zip(COPIED, values, strict=True)),
            )
            copy.code = self._code(copy.code, copy.plan.owner.code)
            self.new_code[pk] = copy.code
            if parent_id is not None and parent_plan in self.copying:
                self.waiting.append((copy.code, parent_id))
            elif parent_id is not None and parent_code in self.before:
                self.pending.append((copy.code, parent_code))
            else:
                copy.cascade = ""
            copies.append(copy)
        insert_kpis(copies)
        entries = [
            history_entry(
                plan=plan,
                by=self.by,
                action="plan_carry_forward",
                comment=_("ยกแผนมาจากรอบ %(round)s") % {"round": self.source.code},
            )
            for plan in targets.values()
        ]
        HistoryEntry.objects.bulk_create(entries, batch_size=BATCH)
        result.plans += len(targets)
        result.kpis += len(copies)

    def finish(self) -> None:
        self.pending += [
            (code, self.new_code[parent])
            for code, parent in self.waiting
            if parent in self.new_code
        ]
        link_parents(self.target, self.pending)
        orphans = [code for code, parent in self.waiting if parent not in self.new_code]
        for part in chunks(orphans):
            KPI.objects.filter(round=self.target, code__in=part).update(cascade="")
