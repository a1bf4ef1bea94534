"""Services on a plan's content: KRAs and KPIs (re-exported by indicators.services).

The conventions of `indicators.services` apply: keyword-only, one
transaction, the plan's version claimed first, history written.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _

from indicators import cascade, targets
from indicators.bulk import owner_code
from indicators.history import diff, record, snapshot
from indicators.models import KPI, KRA, Plan
from indicators.plans import claim, require_editable
from orgchart.models import Kind, Node

KRA_FIELDS = ("job", "name")
LEVEL_FIELDS = tuple(f"level_{n}" for n in range(1, 6))
MILESTONE_FIELDS = tuple(f"milestone_{n}" for n in range(1, 6))
# What a KPI form (or any other caller) may set through kpi_save, in the order
# the history shows them.
KPI_FIELDS = (
    "kra",
    "code",
    "name",
    "unit",
    "category",
    "kind",
    "work",
    "technique",
    "overseer",
    "method",
    "scale",
    *LEVEL_FIELDS,
    *MILESTONE_FIELDS,
    "weight",
)
HUNDRED = 100


def _fresh(model, obj, plan: Plan):
    """`obj` as it is now, and still in `plan`, or a ValidationError."""
    found = model.objects.filter(pk=getattr(obj, "pk", obj), plan=plan).first()
    if found is None:
        raise ValidationError(_("ไม่พบรายการนี้ในแผนแล้ว อาจถูกลบไปก่อนหน้า กรุณาโหลดหน้าใหม่"))
    return found


def _next_order(queryset) -> int:
    top = queryset.aggregate(top=Max("order"))["top"]
    return 0 if top is None else top + 1


def kra_save(
    *, plan: Plan, kra: KRA | None = None, job: str, name: str, expected_version: int | None, by
) -> KRA:
    """Create a KRA under a job or project, or rename an existing one."""
    job, name = (job or "").strip(), (name or "").strip()
    errors = {}
    if not job:
        errors["job"] = [_("กรุณาระบุงาน/โครงการ")]
    if not name:
        errors["name"] = [_("กรุณาระบุผลสัมฤทธิ์หลัก")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        claim(plan, expected_version)
        require_editable(plan)
        if kra is None:
            kra, before, action = KRA(plan=plan, order=_next_order(plan.kras)), {}, "kra_create"
        else:
            kra, action = _fresh(KRA, kra, plan), "kra_update"
            before = snapshot(kra, KRA_FIELDS)
        kra.job, kra.name = job, name
        kra.full_clean(exclude=["plan", "order"])
        kra.save()
        changes = diff(before, snapshot(kra, KRA_FIELDS))
        if changes:
            record(plan=plan, by=by, action=action, obj=kra, changes=changes)
    return kra


def _require_deletable(kpi: KPI) -> None:
    # A KPI handed down by the supervisor is the supervisor's to take back.
    if kpi.parent_id is not None:
        raise ValidationError(
            _("ตัวชี้วัด %(code)s ได้รับการถ่ายทอดจากผู้บังคับบัญชา จึงลบเองไม่ได้") % {"code": kpi.code}
        )
    if KPI.objects.filter(parent=kpi).exists():
        raise ValidationError(
            _("ตัวชี้วัด %(code)s ถ่ายทอดให้ผู้อื่นแล้ว ต้องยกเลิกการถ่ายทอดก่อนจึงจะลบได้") % {"code": kpi.code}
        )


def _record_deleted_kpi(kpi: KPI, by) -> None:
    gone = {
        field: [value, None]
        for field, value in snapshot(kpi, KPI_FIELDS).items()
        if value not in (None, "")
    }
    record(plan=kpi.plan, by=by, action="kpi_delete", obj=kpi, changes=gone)


def _delete(obj) -> None:
    try:
        obj.delete()
    except ProtectedError:
        raise ValidationError(_("ลบไม่ได้ เพราะมีข้อมูลอื่นอ้างถึงรายการนี้ (เช่น ผลการดำเนินงาน)")) from None


def kra_delete(*, kra: KRA, expected_version: int | None, by) -> None:
    """Delete a KRA and its KPIs (refused when one of them is part of a cascade)."""
    plan = kra.plan
    with transaction.atomic():
        claim(plan, expected_version)
        require_editable(plan)
        kra = _fresh(KRA, kra, plan)
        kpis = list(kra.kpis.select_related("kra", "overseer"))
        for kpi in kpis:
            _require_deletable(kpi)
        for kpi in kpis:
            kpi.plan = plan
            _record_deleted_kpi(kpi, by)
        gone = {field: [value, None] for field, value in snapshot(kra, KRA_FIELDS).items()}
        record(plan=plan, by=by, action="kra_delete", obj=kra, changes=gone)
        _delete(kra)


def _pk(value):
    return getattr(value, "pk", value)


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _same(kpi: KPI, field: str, value) -> bool:
    """True when `value` (from a form or a file) leaves `kpi.field` as it is."""
    current = getattr(kpi, f"{field}_id") if field in ("kra", "overseer") else getattr(kpi, field)
    if field in ("kra", "overseer"):
        return current == _pk(value)
    if field in LEVEL_FIELDS:
        if _is_blank(value) or current is None:
            return _is_blank(value) and current is None
        try:
            return targets.as_decimal(value) == current
        except ValueError:
            return False
    return (current or "") == (value.strip() if isinstance(value, str) else (value or ""))


def _refuse_beyond_weight(kpi: KPI, data: dict) -> None:
    changed = [
        field for field, value in data.items() if field != "weight" and not _same(kpi, field, value)
    ]
    if changed:
        if kpi.is_split_child:
            message = _(
                "ตัวชี้วัด %(code)s แบ่งค่าเป้าหมายจาก %(parent)s ค่าเป้าหมายกำหนดโดยผู้บังคับบัญชา "
                "จึงแก้ไขได้เฉพาะน้ำหนัก"
            )
        else:
            message = _("ตัวชี้วัด %(code)s ถ่ายทอดโดยตรงจาก %(parent)s จึงแก้ไขได้เฉพาะน้ำหนัก")
        raise ValidationError(message % {"code": kpi.code, "parent": kpi.parent.code})


def _apply(kpi: KPI, data: dict, plan: Plan, errors: dict) -> None:
    """Copy `data` onto `kpi`, resolving the KRA and the overseer; collect errors."""
    for field, value in data.items():
        if field == "kra":
            kra = KRA.objects.filter(plan=plan, pk=_pk(value)).first() if value else None
            if kra is None:
                errors["kra"] = [_("กรุณาเลือกผลสัมฤทธิ์หลักของแผนนี้")]
            else:
                kpi.kra = kra
        elif field == "overseer":
            kpi.overseer = _overseer(plan, value, errors)
        elif field in LEVEL_FIELDS or field == "weight":
            setattr(kpi, field, None if _is_blank(value) else value)
        else:
            setattr(kpi, field, (value or "").strip() if isinstance(value, str | None) else value)
    if kpi.kra_id is None and "kra" not in errors:
        errors["kra"] = [_("กรุณาเลือกผลสัมฤทธิ์หลักของแผนนี้")]


def _overseer(plan: Plan, value, errors: dict) -> Node | None:
    if _is_blank(value):
        return None
    owner = plan.owner
    node = None
    if owner.is_unit:
        node = Node.objects.filter(
            pk=_pk(value),
            kind=Kind.INDIVIDUAL,
            tree_id=owner.tree_id,
            lft__gt=owner.lft,
            lft__lt=owner.rght,
        ).first()
    if node is None:
        errors["overseer"] = [_("ผู้กำกับดูแลตัวชี้วัดต้องเป็นบุคลากรในหน่วยงานเจ้าของแผน")]
    return node


def _check_levels(kpi: KPI, errors: dict) -> None:
    """Validate the five levels (field-level messages), then store them in their type."""
    if kpi.scale not in targets.SCALES:
        errors["scale"] = [_("กรุณาเลือกเกณฑ์")]
        return
    milestone = kpi.scale == targets.MILESTONE
    # Only the fields of the chosen scale are kept: switching a KPI from a
    # numeric scale to milestones must not leave stale numbers behind.
    for field in MILESTONE_FIELDS if not milestone else LEVEL_FIELDS:
        setattr(kpi, field, "" if field in MILESTONE_FIELDS else None)
    fields = MILESTONE_FIELDS if milestone else LEVEL_FIELDS
    problems = targets.validate_levels(kpi.scale, kpi.levels)
    for level, message in problems:
        errors.setdefault(fields[level - 1] if level else "scale", []).append(message)
    if not problems and not milestone:
        for field in LEVEL_FIELDS:
            value = getattr(kpi, field)
            setattr(kpi, field, None if _is_blank(value) else targets.as_decimal(value))


def _check_weight(kpi: KPI, errors: dict) -> None:
    try:
        weight = None if kpi.weight is None else targets.as_decimal(kpi.weight)
    except ValueError:
        errors["weight"] = [_("น้ำหนักต้องเป็นตัวเลข")]
        return
    if weight is None:
        errors["weight"] = [_("กรุณาระบุน้ำหนัก")]
    elif not 0 <= weight <= HUNDRED:
        errors["weight"] = [_("น้ำหนักต้องอยู่ระหว่าง 0 ถึง 100")]
    else:
        kpi.weight = weight


def _next_code(plan: Plan) -> str:
    """The owner's code and a running number, the first one not used in the round."""
    prefix = f"{plan.owner.code}-"
    used = set(
        KPI.objects.filter(round_id=plan.round_id, code__startswith=prefix).values_list(
            "code", flat=True
        )
    )
    number = plan.kpis.count() + 1
    while owner_code(plan.owner.code, number) in used:
        number += 1
    return owner_code(plan.owner.code, number)


def kpi_save(
    *, plan: Plan, kpi: KPI | None = None, data: dict, expected_version: int | None, by
) -> KPI:
    """Create or update a KPI of `plan` from `data` (field name -> value).

    A blank code is generated (the owner's code and a number, unique in the
    round). The levels are checked for the scale, with a message per level. A
    KPI cascaded directly from the supervisor, or a share of a split target,
    may change only its weight. After
    saving, its own direct-cascaded children follow it.
    """
    unknown = set(data) - set(KPI_FIELDS)
    if unknown:
        raise ValueError(f"kpi_save: unknown fields {sorted(unknown)}")
    with transaction.atomic():
        claim(plan, expected_version)
        require_editable(plan)
        if kpi is None:
            kpi, before, action = KPI(plan=plan, round_id=plan.round_id), {}, "kpi_create"
        else:
            kpi, action = _fresh(KPI, kpi, plan), "kpi_update"
            before = snapshot(kpi, KPI_FIELDS)
            if kpi.set_by_supervisor:
                _refuse_beyond_weight(kpi, data)
        old_kra_id = kpi.kra_id
        errors: dict[str, list] = {}
        _apply(kpi, data, plan, errors)
        if not kpi.name:
            errors["name"] = [_("กรุณาระบุชื่อตัวชี้วัด")]
        _check_levels(kpi, errors)
        _check_weight(kpi, errors)
        if not kpi.code:
            kpi.code = _next_code(plan)
        elif KPI.objects.filter(round_id=plan.round_id, code=kpi.code).exclude(pk=kpi.pk).exists():
            errors["code"] = [_("รหัสตัวชี้วัด %(code)s มีอยู่แล้วในรอบนี้") % {"code": kpi.code}]
        if not errors:
            try:
                kpi.full_clean(
                    exclude=["round", "plan", "kra", "overseer", "parent", "order"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
        if kpi.pk is None or kpi.kra_id != old_kra_id:
            kpi.order = _next_order(plan.kpis)
        try:
            with transaction.atomic():
                kpi.save()
        except IntegrityError:
            raise ValidationError({"code": [_("รหัสตัวชี้วัดนี้มีอยู่แล้วในรอบนี้")]}) from None
        changes = diff(before, snapshot(kpi, KPI_FIELDS))
        if changes:
            record(plan=plan, by=by, action=action, obj=kpi, changes=changes)
        cascade.direct_children_follow(kpi=kpi, by=by)
    return kpi


def kpi_delete(*, kpi: KPI, expected_version: int | None, by) -> None:
    """Delete a KPI (refused for a direct-cascaded KPI and one cascaded to others)."""
    plan = kpi.plan
    with transaction.atomic():
        claim(plan, expected_version)
        require_editable(plan)
        kpi = _fresh(KPI, kpi, plan)
        _require_deletable(kpi)
        kpi.plan = plan
        _record_deleted_kpi(kpi, by)
        _delete(kpi)


def kpi_move(
    *,
    kpi: KPI,
    direction: str | None = None,
    position: int | None = None,
    expected_version: int | None,
    by,
) -> KPI:
    """Move a KPI within its KRA: one step ("up"/"down") or to `position` (1 = first)."""
    if (direction is None) == (position is None) or direction not in (None, "up", "down"):
        raise ValueError("kpi_move: give direction 'up'/'down' or a position")
    plan = kpi.plan
    with transaction.atomic():
        claim(plan, expected_version)
        require_editable(plan)
        kpi = _fresh(KPI, kpi, plan)
        siblings = list(KPI.objects.filter(kra_id=kpi.kra_id).order_by("order", "pk"))
        old = next(i for i, sibling in enumerate(siblings) if sibling.pk == kpi.pk)
        step = {"up": -1, "down": 1}.get(direction)
        new = old + step if step is not None else position - 1
        if not 0 <= new < len(siblings) or new == old:
            raise ValidationError(_("เลื่อนตัวชี้วัดไปตำแหน่งนั้นไม่ได้"))
        siblings.insert(new, siblings.pop(old))
        for index, sibling in enumerate(siblings):
            if sibling.order != index:
                KPI.objects.filter(pk=sibling.pk).update(order=index)
        kpi.order = new
        record(plan=plan, by=by, action="kpi_move", obj=kpi, changes={"order": [old + 1, new + 1]})
    return kpi
