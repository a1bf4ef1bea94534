"""The per-owner part of a KPI import: build each plan as it would be, review it, write it.

Owners are handled in chunks (three queries per chunk load their plans, KRAs
and KPIs). For each owner the import builds the plan as it would be after
the import (unsaved KRA and KPI instances next to the stored ones) and hands
it to `indicators.rules.review_plan`, the one place for plan rules. When the
caller writes, each chunk is saved with bulk_create/bulk_update right away,
inside the caller's transaction: the caller rolls everything back if any
owner turns out bad, so the file is still all-or-nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import rules, targets
from indicators.bulk import bump_versions, history_entry
from indicators.history import plain
from indicators.import_checks import LABELS, FileCheck, ImportRow, chunks
from indicators.import_sql import BATCH, insert_kpis, link_parents
from indicators.models import KPI, KRA, HistoryEntry, Plan
from indicators.signals import kpis_written_in
from indicators.splits import show
from kpi_portal.tabular import RowError

LEVELS = tuple(f"level_{n}" for n in range(1, 6))
MILESTONES = tuple(f"milestone_{n}" for n in range(1, 6))
COMPARED = (
    "name",
    "unit",
    "scale",
    *LEVELS,
    *MILESTONES,
    "weight",
    "category",
    "method",
    "parent_id",
    "cascade",
)
UPDATED = (
    "kra",
    "name",
    "unit",
    "scale",
    *LEVELS,
    *MILESTONES,
    "weight",
    "category",
    "method",
    "parent",
    "cascade",
)
FOLLOWED = {"name", "unit", "scale", "category", "method", *LEVELS, *MILESTONES}
APPROVAL_FIELDS = ("status", "submitted_at", "submitted_by", "approved_at", "approved_by")
OWNERS_PER_CHUNK = 1000
LOCKED = (Plan.Status.SUBMITTED, Plan.Status.APPROVED)
_PARENT = KPI._meta.get_field("parent")
_KRA = KPI._meta.get_field("kra")
_OWNER = Plan._meta.get_field("owner")
_ROUND = Plan._meta.get_field("round")
_AT = {field.attname: index for index, field in enumerate(KPI._meta.concrete_fields)}


@dataclass
class OwnerSummary:
    """What the import does to one owner's plan (for the preview)."""

    code: str
    name: str
    status: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Built:
    """One owner's plan as it would be after the import."""

    plan: Plan
    kras: list[KRA]
    kpis: list[KPI]
    new_kras: list[KRA]
    new_kpis: list[KPI]
    changed: dict  # KPI -> {field: [old, new]}
    emptied: list[KRA]
    row_of: dict[int, ImportRow]  # id(kpi) -> row
    pending: list[tuple[KPI, str]]  # KPIs whose parent is created by this import
    in_file: set[int]  # stored KPIs the file names


class PlanPass:
    """Walk the owners of a checked file; review each plan and, if `write`, save it."""

    def __init__(self, check: FileCheck, report, *, by, write: bool, approve: bool):
        self.check, self.report, self.by = check, report, by
        self.write, self.approve = write, approve
        self.round = check.round
        self.pks = {code: held.pk for code, held in check.stored.items()}
        self.pending: list[tuple[str, str]] = []  # (kpi code, parent code) to link at the end
        self.changed_parents: list[KPI] = []  # stored KPIs whose definition changed
        self.touched: set[int] = set()
        self.stubs: dict[str, KPI] = {}
        self.now = timezone.now()
        self.blank = [field.get_default() for field in KPI._meta.concrete_fields]

    # -- driving -----------------------------------------------------------

    def run(self) -> None:
        by_owner: dict[str, list[ImportRow]] = defaultdict(list)
        for row in self.check.rows:
            if row.owner in self.check.owners:
                by_owner[row.owner].append(row)
        codes = list(by_owner)
        for part in chunks(codes, OWNERS_PER_CHUNK):
            nodes = [self.check.owners[code].node() for code in part]
            self._chunk(nodes, by_owner)

    def _chunk(self, nodes, by_owner) -> None:
        # Locked until the import commits: an approval or an edit of one of these
        # plans waits, then finds the new version (never a silent overwrite).
        locked = (
            Plan.objects.select_for_update()
            .filter(round=self.round, owner__in=[node.pk for node in nodes])
            .order_by("pk")
        )
        plans = {p.owner_id: p for p in locked}
        for node in nodes:
            if node.pk in plans:  # str(plan), in its history entry, names both: no query
                _OWNER.set_cached_value(plans[node.pk], node)
                _ROUND.set_cached_value(plans[node.pk], self.round)
        kras, kpis, kra_of = defaultdict(list), defaultdict(list), {}
        for kra in KRA.objects.filter(plan__in=list(plans.values())).order_by("order", "pk"):
            kras[kra.plan_id].append(kra)
            kra_of[kra.pk] = kra
        stored = KPI.objects.filter(plan__in=list(plans.values())).select_related("parent")
        for kpi in stored.order_by("order", "pk"):
            _KRA.set_cached_value(kpi, kra_of[kpi.kra_id])  # the rules compare KRAs: no query
            kpis[kpi.plan_id].append(kpi)
        work = []
        for node in nodes:
            plan = plans.get(node.pk) or Plan(round=self.round, owner=node)
            built = self._build(plan, by_owner[node.code], kras[plan.pk], kpis[plan.pk])
            if self._review(node, by_owner[node.code], built):
                work.append(built)
        if self.write and self.report.ok:
            self._save(work)

    # -- building ----------------------------------------------------------

    def _stub(self, code: str) -> KPI:
        """An unsaved stand-in for a parent KPI: rules only read its scale and levels."""
        stub = self.stubs.get(code)
        if stub is None:
            facts = self.check.parent_facts(code)
            scale, levels = (facts[0], facts[2]) if facts else (KPI.Scale.HIGHER, (None,) * 5)
            stub = KPI(code=code, scale=scale or KPI.Scale.HIGHER)
            if stub.scale != KPI.Scale.MILESTONE:
                for field, value in zip(LEVELS, levels, strict=True):
                    setattr(stub, field, value)
            self.stubs[code] = stub
        return stub

    def _build(self, plan: Plan, rows, kras: list[KRA], kpis: list[KPI]) -> Built:
        present = self.check.present
        by_key = {(kra.job, kra.name): kra for kra in kras}
        by_code = {kpi.code: kpi for kpi in kpis}
        kra_order = max((kra.order for kra in kras), default=-1)
        kpi_order = max((kpi.order for kpi in kpis), default=-1)
        built = Built(plan, list(kras), [], [], [], {}, [], {}, [], set())
        had = {kpi.kra_id for kpi in kpis}
        in_file = built.in_file
        for row in rows:
            if row.bad:
                continue
            kra = by_key.get((row.job, row.kra))
            if kra is None:
                kra_order += 1
                kra = KRA(plan=plan, job=row.job, name=row.kra, order=kra_order)
                by_key[(row.job, row.kra)] = kra
                built.kras.append(kra)
                built.new_kras.append(kra)
            kpi = by_code.get(row.code)
            if kpi is None:
                kpi_order += 1
                kpi = self._new_kpi(row.code, kpi_order)
                kpi.technique = KPI.Technique.GOAL_CASCADING if row.parent else ""
                built.new_kpis.append(kpi)
                before = None
            else:
                before = {field: plain(getattr(kpi, field)) for field in COMPARED}
                before["kra"] = kpi.kra_id
                in_file.add(kpi.pk)
            self._apply(kpi, kra, row, present, built)
            built.row_of[id(kpi)] = row
            built.kpis.append(kpi)
            if before is not None:
                after = {field: plain(getattr(kpi, field)) for field in COMPARED}
                changes = {f: [before[f], v] for f, v in after.items() if before[f] != v}
                if kpi.kra is not None and (kpi.kra.pk is None or kpi.kra.pk != before["kra"]):
                    changes["kra"] = [before["kra"], kpi.kra.name]
                if changes:
                    built.changed[kpi] = changes
        built.kpis = [kpi for kpi in kpis if kpi.pk not in in_file] + built.kpis
        used = {id(kpi.kra) for kpi in built.kpis}
        for kra in kras:
            if kra.pk in had and id(kra) not in used:
                built.emptied.append(kra)
        built.kras = [kra for kra in built.kras if kra not in built.emptied]
        return built

    def _new_kpi(self, code: str, order: int) -> KPI:
        """A blank KPI of the round, built positionally (4x faster than keywords at 100,000)."""
        values = self.blank.copy()
        values[_AT["round_id"]], values[_AT["code"]], values[_AT["order"]] = (
            self.round.pk,
            code,
            order,
        )
        return KPI(*values)

    def _apply(self, kpi: KPI, kra: KRA, row: ImportRow, present, built: Built) -> None:
        kpi.kra_id = kra.pk
        _KRA.set_cached_value(kpi, kra)  # by identity: a new KRA has no id yet
        kpi.name, kpi.scale, kpi.weight = row.name, row.scale, row.weight
        if "unit" in present:
            kpi.unit = row.unit or ""
        if "category" in present:
            kpi.category = row.category or ""
        if "method" in present:
            kpi.method = row.method or ""
        milestone = row.scale == targets.MILESTONE
        for number in range(5):
            value = row.levels[number]
            setattr(kpi, LEVELS[number], None if milestone else value)
            setattr(kpi, MILESTONES[number], (value or "") if milestone else "")
        if "parent_kpi_code" in present:
            kpi.cascade = row.cascade or "" if row.parent else ""
            pk = self.pks.get(row.parent) if row.parent else None
            kpi.parent_id = pk
            if row.parent and pk is None:
                built.pending.append((kpi, row.parent))
            if row.parent:
                _PARENT.set_cached_value(kpi, self._stub(row.parent))

    # -- reviewing ---------------------------------------------------------

    def _review(self, node, rows: list[ImportRow], built: Built) -> bool:
        """Add the plan's problems to the report; True when it may be written."""
        first = rows[0]
        errors_before = len(self.report.errors)
        any_bad = any(row.bad for row in rows)
        changes = bool(built.new_kpis or built.changed)
        status = built.plan.get_status_display() if built.plan.pk else _("แผนใหม่")
        if built.plan.pk and built.plan.status in LOCKED and changes:
            self._error(
                first,
                "owner_code",
                node.code,
                _("แผนของ %(owner)s %(status)s จึงนำเข้าไม่ได้ ต้องเปิดแผนใหม่ก่อน")
                % {"owner": node.code, "status": built.plan.get_status_display()},
            )
        if built.kpis:
            review = rules.review_plan(round=self.round, kras=built.kras, kpis=built.kpis)
            for problem in review.errors:
                self._problem(node, first, built, problem, any_bad)
        summary = OwnerSummary(
            node.code,
            node.name,
            status,
            len(built.new_kpis),
            len(built.changed),
            len(built.row_of) - len(built.new_kpis) - len(built.changed),
        )
        self.report.add_owner(summary)
        ok = len(self.report.errors) == errors_before
        if ok and not built.plan.pk:
            self.report.plans_created += 1
        if ok and self.approve and built.plan.status != Plan.Status.APPROVED:
            self.report.plans_approved += 1
        return ok

    def _problem(self, node, first: ImportRow, built: Built, problem, any_bad: bool) -> None:
        row = built.row_of.get(id(problem.kpi)) if problem.kpi is not None else None
        if row is not None:
            key = problem.field or "kpi"
            value = getattr(problem.kpi, problem.field, "") if problem.field else row.name
            self._error(
                row, key, show(value) if not isinstance(value, str) else value, problem.message
            )
            return
        if any_bad:
            return  # plan-wide sums are meaningless while one of the owner's rows is unreadable
        if problem.field == "weight":
            key, value = "weight", show(rules.total_weight(built.kpis))
        elif problem.kra is not None:
            key, value = "kra", problem.kra.name
        else:
            key, value = "kpi", ""
        self._error(first, key, value, f"{node.code}: {problem.message}")

    def _error(self, row: ImportRow, key: str, value, message: str) -> None:
        row.bad = True
        shown = "" if value is None else str(value)
        self.report.errors.append(RowError(row.number, LABELS.get(key, key), shown, message))

    # -- writing -----------------------------------------------------------

    def _save(self, work: list[Built]) -> None:
        approving = [b.plan for b in work if self.approve and b.plan.status != Plan.Status.APPROVED]
        old_status = {id(plan): plan.status if plan.pk else None for plan in approving}
        for plan in approving:
            self._approve_fields(plan)
        new_plans = [b.plan for b in work if b.plan.pk is None]
        Plan.objects.bulk_create(new_plans, batch_size=BATCH)
        Plan.objects.bulk_update(
            [p for p in approving if id(p) not in {id(n) for n in new_plans}],
            APPROVAL_FIELDS,
            batch_size=BATCH,
        )
        KRA.objects.bulk_create([k for b in work for k in b.new_kras], batch_size=BATCH)
        for b in work:
            for kpi in b.new_kpis:
                kpi.plan_id = b.plan.pk
        new_kpis = [kpi for b in work for kpi in b.new_kpis]
        changed = [kpi for b in work for kpi in b.changed]
        for kpi in new_kpis + changed:
            if _PARENT.is_cached(kpi):
                _PARENT.delete_cached_value(kpi)  # a stand-in, never saved
        insert_kpis(new_kpis)
        KPI.objects.bulk_update(changed, UPDATED, batch_size=BATCH)
        kpis_written_in(kpi.plan_id for kpi in changed)  # weights among the fields
        self.changed_parents += [
            kpi for b in work for kpi, fields in b.changed.items() if set(fields) & FOLLOWED
        ]
        self.touched |= {pk for b in work for pk in b.in_file}
        self.pending += [(kpi.code, code) for b in work for kpi, code in b.pending]
        KRA.objects.filter(pk__in=[k.pk for b in work for k in b.emptied]).delete()
        entries = [self._history(b) for b in work if b.new_kpis or b.changed]
        entries += [
            history_entry(
                plan=plan,
                by=self.by,
                action="plan_approve",
                changes={"status": [old_status[id(plan)], Plan.Status.APPROVED]},
                comment=_("อนุมัติจากการนำเข้า (ลงนามในเอกสารแล้ว)"),
            )
            for plan in approving
        ]
        HistoryEntry.objects.bulk_create(entries, batch_size=BATCH)
        new_ids = {plan.pk for plan in new_plans}
        bump_versions({e.plan.pk for e in entries if e.plan.pk not in new_ids})

    def _approve_fields(self, plan: Plan) -> None:
        user = self.by if getattr(self.by, "is_authenticated", False) else None
        plan.status = Plan.Status.APPROVED
        plan.submitted_at = plan.approved_at = self.now
        plan.submitted_by = plan.approved_by = user

    def _history(self, built: Built) -> HistoryEntry:
        """One entry per plan: each new KPI, and each changed field of the others."""
        changes = {kpi.code: [None, kpi.name] for kpi in built.new_kpis}
        for kpi, fields in built.changed.items():
            for field, pair in fields.items():
                changes[f"{kpi.code} {_label(field)}"] = pair
        return history_entry(
            plan=built.plan,
            by=self.by,
            action="kpi_import",
            changes=changes,
            comment=_("นำเข้าจากไฟล์"),
        )

    def finish(self) -> None:
        """Link KPIs to parents created by this import, then let direct children follow."""
        from indicators.cascade import direct_children_follow_many

        link_parents(self.round, self.pending)
        if self.changed_parents:
            direct_children_follow_many(kpis=self.changed_parents, by=self.by, exclude=self.touched)


def _label(field: str) -> str:
    if field == "kra":
        return str(KRA._meta.verbose_name)
    name = "parent" if field == "parent_id" else field
    return str(KPI._meta.get_field(name).verbose_name)
