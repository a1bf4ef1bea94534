"""Cascading KPIs down the tree: direct, split target, partial delegation.

DOMAIN.md "Cascading": the holder of a KPI (the owner, or the head for a
unit's plan) hands it to the people and units who report to them. The child
KPI sits in a KRA of the child's plan with the same job and KRA name as the
parent's, carries `parent` and `cascade`, and gets the code
of the recipient's plan, `<owner code>-<number>`, the one pattern of the
codes the app gives (indicators.bulk.owner_code).

Every service writes in bulk (plans, KRAs, KPIs, history), so cascading to
200 children costs the same few queries as cascading to 3 (on SQLite the
inserts are cut into batches of ~30 rows by its 999-parameter limit).
"""

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators import targets
from indicators.access import can_edit
from indicators.bulk import (
    bump_versions,
    history_entry,
    kras_named,
    next_kpi_orders,
    next_owner_codes,
    plans_for_owners,
)
from indicators.cascade_follow import (
    FOLLOW_FIELDS,
    LEVEL_FIELDS,
    MAX_DEPTH,
    MILESTONE_FIELDS,
    OPEN_STATUSES,
    direct_children_follow_many,
)
from indicators.history import plain
from indicators.models import KPI, KRA, HistoryEntry, Plan
from indicators.signals import kpis_written_in
from indicators.splits import coverage_messages, number_or_none, split_coverage, split_refusal
from orgchart.access import roles_of
from orgchart.hierarchy import reports_of, units_reporting_to
from orgchart.models import Node

__all__ = [
    "FOLLOW_FIELDS",
    "MAX_DEPTH",
    "cascade_children",
    "check_can_cascade",
    "direct_children_follow",
    "direct_children_follow_many",
    "kpi_cascade_direct",
    "kpi_cascade_partial",
    "kpi_cascade_split",
    "split_problems",
]


def cascade_children(holder: Node | None) -> list[Node]:
    """Whom `holder` may cascade to: the people and units who report to them."""
    if holder is None:
        return []
    people = list(reports_of(holder))
    units = list(units_reporting_to(holder))
    return sorted(units + people, key=lambda node: (node.tree_id, node.lft))


def _deny_if_not_holder(kpi: KPI, by) -> Node:
    if not can_edit(by, kpi.plan):
        raise PermissionDenied(_("เฉพาะผู้รับผิดชอบตัวชี้วัดนี้เท่านั้นที่ถ่ายทอดได้"))
    return roles_of(by).node


def _check_round(kpi: KPI) -> None:
    round_ = kpi.plan.round
    if kpi.plan.round_closed:
        raise ValidationError(_("รอบการประเมินนี้ปิดแล้ว ถ่ายทอดตัวชี้วัดไม่ได้"), code="closed")
    if not round_.is_planning:
        raise ValidationError(
            _("ถ่ายทอดตัวชี้วัดได้เฉพาะช่วงวางแผนของรอบการประเมินเท่านั้น"), code="not_planning"
        )


def check_can_cascade(*, kpi: KPI, by, children: Iterable[Node] = ()) -> Node:
    """The holder cascading `kpi`; PermissionDenied/ValidationError otherwise.

    Each child must be one of the holder's reports or units.
    """
    holder = _deny_if_not_holder(kpi, by)
    _check_round(kpi)
    allowed = {node.pk for node in cascade_children(holder)}
    for child in children:
        if child.pk not in allowed:
            raise PermissionDenied(
                _("%(name)s ไม่ได้อยู่ในบังคับบัญชาของคุณ จึงถ่ายทอดให้ไม่ได้") % {"name": child.name}
            )
    return holder


def _require_open(plans: Iterable[Plan]) -> None:
    locked = [plan for plan in plans if plan.status not in OPEN_STATUSES]
    if locked:
        names = ", ".join(f"{plan.owner.name} ({plan.get_status_display()})" for plan in locked)
        raise ValidationError(
            _("แผนของ %(names)s ส่งแล้วหรืออนุมัติแล้ว ต้องเปิดแผนใหม่ก่อนจึงจะถ่ายทอดได้") % {"names": names},
            code="locked",
        )


def _copy_of(parent: KPI, **fields) -> KPI:
    values = {name: getattr(parent, name) for name in FOLLOW_FIELDS}
    values.update(fields)
    return KPI(
        round_id=parent.round_id, parent=parent, technique=KPI.Technique.GOAL_CASCADING, **values
    )


def _create_children(parent: KPI, plans: Sequence[Plan], make, method: str, by) -> list[KPI]:
    """Create one child KPI per plan with `make(plan) -> dict of fields`, in bulk."""
    kras = kras_named(plans, parent.kra.job, parent.kra.name)
    orders = next_kpi_orders(plans)
    codes = next_owner_codes(parent.round, plans)
    children = []
    for plan in plans:
        code = codes[plan.pk]
        child = _copy_of(parent, **make(plan))
        child.plan, child.kra, child.code, child.order = plan, kras[plan.pk], code, orders[plan.pk]
        child.cascade = method
        children.append(child)
    KPI.objects.bulk_create(children)
    kpis_written_in(plan.pk for plan in plans)
    changes = {"parent": parent.code, "cascade": method}
    entries = [
        history_entry(
            plan=child.plan,
            by=by,
            action="kpi_cascade_in",
            obj=child,
            changes={**changes, "code": child.code},
        )
        for child in children
    ]
    HistoryEntry.objects.bulk_create(entries)
    bump_versions(plan.pk for plan in plans)
    return children


def _record_on_parent(parent: KPI, by, method: str, codes: list[str], **extra) -> None:
    """One entry on the parent's plan: to whom it was cascaded (and, for a split, what changed)."""
    lines = []
    if codes:
        lines.append(_("ถ่ายทอดให้: %(codes)s") % {"codes": ", ".join(codes)})
    if extra.get("updated"):
        lines.append(_("ปรับค่าเป้าหมาย: %(codes)s") % {"codes": ", ".join(extra["updated"])})
    if extra.get("removed"):
        lines.append(_("ยกเลิก: %(codes)s") % {"codes": ", ".join(extra["removed"])})
    if lines:
        history_entry(
            plan=parent.plan,
            by=by,
            action="kpi_cascade",
            obj=parent,
            changes={"cascade": [None, method]},
            comment="\n".join(lines),
        ).save()


def _weight(value) -> Decimal:
    weight = number_or_none(value) if value not in (None, "") else Decimal(0)
    if weight is None or not 0 <= weight <= 100:
        raise ValidationError(_("น้ำหนักเริ่มต้นต้องเป็นตัวเลขระหว่าง 0 ถึง 100"), code="weight")
    return weight


def _existing_children(kpi: KPI) -> dict[int, KPI]:
    """The direct and split children of `kpi`, by owner."""
    rows = KPI.objects.filter(parent=kpi, cascade__in=[KPI.Cascade.DIRECT, KPI.Cascade.SPLIT])
    return {
        child.plan.owner_id: child for child in rows.select_related("plan__owner", "plan__round")
    }


def _load(kpi: KPI) -> KPI:
    return KPI.objects.select_related("plan__round", "plan__owner", "round", "kra").get(pk=kpi.pk)


def kpi_cascade_direct(*, kpi: KPI, children: Sequence[Node], by, weight=Decimal(0)) -> list[KPI]:
    """Give `children` the same KPI with the same levels; they set only their weight.

    Children that already hold this KPI (direct or split) are left as they
    are. Returns the KPIs created. The child's plan fails the weight rule
    until the child sets a weight: that is intended.
    """
    weight = _weight(weight)
    with transaction.atomic():
        kpi = _load(kpi)
        check_can_cascade(kpi=kpi, by=by, children=children)
        if not children:
            raise ValidationError(_("กรุณาเลือกผู้รับการถ่ายทอดอย่างน้อย 1 ราย"), code="empty")
        existing = _existing_children(kpi)
        fresh = [child for child in children if child.pk not in existing]
        plans = plans_for_owners(kpi.plan.round, fresh)
        ordered = [plans[child.pk] for child in fresh]
        _require_open(ordered)
        created = _create_children(
            kpi, ordered, lambda plan: {"weight": weight}, KPI.Cascade.DIRECT, by
        )
        _record_on_parent(kpi, by, KPI.Cascade.DIRECT, [child.code for child in created])
    return created


def _clean_levels(scale: str, levels: Sequence) -> tuple:
    return (
        tuple(number_or_none(value) for value in levels)
        if scale != targets.MILESTONE
        else tuple(levels)
    )


def split_problems(kpi: KPI, allocations: Mapping[Node, Sequence]) -> list[str]:
    """Everything wrong with a split of `kpi` among `allocations` (child -> five levels)."""
    refusal = split_refusal(kpi.scale, kpi.unit)
    if refusal:
        return [refusal]
    if not allocations:
        return [_("กรุณาเลือกผู้รับการแบ่งค่าเป้าหมายอย่างน้อย 1 ราย")]
    problems = []
    for child, levels in allocations.items():
        for _level, message in targets.validate_levels(kpi.scale, list(levels)):
            problems.append(f"{child.name}: {message}")
        if kpi.level_1 is not None and (not levels or number_or_none(levels[0]) is None):
            problems.append(
                _("%(name)s: ต้นทางกำหนดระดับ 1 ไว้ จึงต้องระบุค่าเป้าหมายระดับ 1 ด้วย")
                % {"name": child.name}
            )
    if problems:
        return problems
    coverage = split_coverage(kpi.scale, kpi.levels, allocations.values())
    return coverage_messages(coverage, kpi.scale)


def kpi_cascade_split(
    *, kpi: KPI, allocations: Mapping[Node, Sequence], by, weight=Decimal(0)
) -> list[KPI]:
    """Divide `kpi`'s numeric targets among children: child -> its five levels.

    For every level the children's sum must reach the parent's target (at
    least for `higher`, at most for `lower`); a shortfall is refused naming
    the level. `allocations` is the whole split: existing split children are
    updated, and those left out are removed (their plans must be drafts).
    Returns the split children after the change.
    """
    weight = _weight(weight)
    with transaction.atomic():
        kpi = _load(kpi)
        check_can_cascade(kpi=kpi, by=by, children=list(allocations))
        problems = split_problems(kpi, allocations)
        if problems:
            raise ValidationError(problems, code="split")
        existing = _existing_children(kpi)
        for child in allocations:
            held = existing.get(child.pk)
            if held is not None and held.cascade == KPI.Cascade.DIRECT:
                raise ValidationError(
                    _("%(name)s ได้รับตัวชี้วัดนี้แบบถ่ายทอดโดยตรงแล้ว") % {"name": child.name}
                )
        wanted = {
            child.pk: _clean_levels(kpi.scale, levels) for child, levels in allocations.items()
        }
        changed = [
            held
            for owner, held in existing.items()
            if owner in wanted and tuple(held.levels) != wanted[owner]
        ]
        removed = [held for owner, held in existing.items() if owner not in wanted]
        fresh = [child for child in allocations if child.pk not in existing]
        plans = plans_for_owners(kpi.plan.round, fresh)
        _require_open([held.plan for held in changed + removed] + list(plans.values()))
        if removed and KPI.objects.filter(parent__in=removed).exists():
            raise ValidationError(_("ผู้รับบางรายถ่ายทอดตัวชี้วัดนี้ต่อไปแล้ว จึงยกเลิกการแบ่งให้รายนั้นไม่ได้"))
        created = _create_children(
            kpi,
            [plans[child.pk] for child in fresh],
            lambda plan: {
                "weight": weight,
                **dict(zip(LEVEL_FIELDS, wanted[plan.owner_id], strict=True)),
            },
            KPI.Cascade.SPLIT,
            by,
        )
        entries = []
        for held in changed:
            before = {field: plain(getattr(held, field)) for field in LEVEL_FIELDS}
            for field, value in zip(LEVEL_FIELDS, wanted[held.plan.owner_id], strict=True):
                setattr(held, field, value)
            after = {field: plain(getattr(held, field)) for field in LEVEL_FIELDS}
            entries.append(
                history_entry(
                    plan=held.plan,
                    by=by,
                    action="kpi_split_update",
                    obj=held,
                    changes={f: [before[f], after[f]] for f in after if before[f] != after[f]},
                )
            )
        KPI.objects.bulk_update(changed, LEVEL_FIELDS)
        for held in removed:
            entries.append(
                history_entry(
                    plan=held.plan,
                    by=by,
                    action="kpi_split_remove",
                    obj=held,
                    changes={"parent": kpi.code},
                )
            )
        removed_kras = {held.kra_id for held in removed}
        KPI.objects.filter(pk__in=[held.pk for held in removed]).delete()
        KRA.objects.filter(pk__in=removed_kras, kpis__isnull=True).delete()
        HistoryEntry.objects.bulk_create(entries)
        bump_versions({held.plan_id for held in changed + removed})
        _record_on_parent(
            kpi,
            by,
            KPI.Cascade.SPLIT,
            [child.code for child in created],
            updated=[held.code for held in changed],
            removed=[held.code for held in removed],
        )
    return list(KPI.objects.filter(parent=kpi, cascade=KPI.Cascade.SPLIT).select_related("plan"))


def kpi_cascade_partial(
    *,
    kpi: KPI,
    child: Node,
    name: str,
    unit: str,
    scale: str,
    levels: Sequence,
    weight=Decimal(0),
    by,
) -> KPI:
    """Give `child` a KPI of its own, linked to `kpi` as the part of it the child delivers.

    A parent may have several parts, even several for the same child.
    """
    weight = _weight(weight)
    name, unit = (name or "").strip(), (unit or "").strip()
    errors: dict[str, list] = {}
    if not name:
        errors["name"] = [_("กรุณาระบุชื่อตัวชี้วัด")]
    elif len(name) > KPI._meta.get_field("name").max_length:
        errors["name"] = [_("ชื่อตัวชี้วัดยาวเกินไป")]
    if len(unit) > KPI._meta.get_field("unit").max_length:
        errors["unit"] = [_("หน่วยนับยาวเกินไป")]
    if scale not in targets.SCALES:
        errors["scale"] = [_("กรุณาเลือกเกณฑ์")]
    else:
        for level, message in targets.validate_levels(scale, list(levels)):
            errors.setdefault(f"level_{level}" if level else "scale", []).append(message)
    if errors:
        raise ValidationError(errors)
    values = _clean_levels(scale, levels)
    fields = (
        dict(zip(MILESTONE_FIELDS, [(v or "").strip() for v in values], strict=True))
        if scale == targets.MILESTONE
        else dict(zip(LEVEL_FIELDS, values, strict=True))
    )
    blank = {f: "" for f in MILESTONE_FIELDS} | {f: None for f in LEVEL_FIELDS}
    with transaction.atomic():
        kpi = _load(kpi)
        check_can_cascade(kpi=kpi, by=by, children=[child])
        plan = plans_for_owners(kpi.plan.round, [child])[child.pk]
        _require_open([plan])
        fields = {**blank, **fields, "name": name, "unit": unit, "scale": scale, "weight": weight}
        created = _create_children(kpi, [plan], lambda _plan: fields, KPI.Cascade.PARTIAL, by)
        _record_on_parent(kpi, by, KPI.Cascade.PARTIAL, [created[0].code])
    return created[0]


def direct_children_follow(*, kpi: KPI, by) -> int:
    """Copy `kpi`'s definition to its direct-cascaded children whose plans are drafts.

    Returns how many children followed. Called by every service that changes a
    KPI's name, unit, scale or levels. Children in submitted or approved plans
    keep what was agreed; a child that follows carries the change on to its
    own direct children (one query per generation, whatever the number).
    """
    return direct_children_follow_many(kpis=[kpi], by=by)
