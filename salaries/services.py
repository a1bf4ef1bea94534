"""The raise list's writes: policy, proposals, refresh from the bands, close.

Every write is a service (keyword-only, in a transaction, with its history
row in RaisePolicyChange); the views, imports and commands call them. The
rules checked here, in one place: the list is open; a percent lies within
its band's range; the list's raises never pass the pool.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisals.models import Appraisal
from appraisals.policy import rules_for
from indicators.history import plain
from indicators.models import Round
from orgchart.models import Node
from salaries.arithmetic import Pool, calculation_base, pool_state, raise_for
from salaries.models import BandRule, RaiseList, RaisePolicyChange, SalaryRecord

ZERO = Decimal(0)
# Defaults for the usual bands: (min, max, default) percent. Other band names,
# and every band below พอใช้, allow nothing until HR sets a range.
DEFAULT_RULES: dict[str, tuple[Decimal, Decimal, Decimal]] = {
    "ดีเด่น": (Decimal(4), Decimal(6), Decimal(5)),
    "ดีมาก": (Decimal(3), Decimal("4.5"), Decimal(4)),
    "ดี": (Decimal(2), Decimal("3.5"), Decimal(3)),
    "พอใช้": (Decimal("0.5"), Decimal("2.5"), Decimal("1.5")),
}
NOTHING = (ZERO, ZERO, ZERO)
BATCH = 1000


def two_places(value: Decimal) -> bool:
    """Percents are stored with two decimals: a third one would be rounded away silently."""
    return value.is_finite() and value == value.quantize(Decimal("0.01"))


def raise_list_for(*, round: Round, department: Node) -> RaiseList:
    """The department's list of the round, created with the default policy on first use."""
    found = RaiseList.objects.filter(round=round, department=department).first()
    if found is not None:
        return found
    with transaction.atomic():
        raise_list, created = RaiseList.objects.get_or_create(round=round, department=department)
        if created:
            BandRule.objects.bulk_create(
                BandRule(
                    raise_list=raise_list,
                    band=name,
                    order=order,
                    min_percent=rule[0],
                    max_percent=rule[1],
                    default_percent=rule[2],
                )
                for order, (name, _minimum) in enumerate(rules_for(round).bands)
                for rule in [DEFAULT_RULES.get(name, NOTHING)]
            )
    return raise_list


def rules_of(raise_list: RaiseList) -> dict[str, BandRule]:
    """The list's band rules by band name (one query)."""
    return {rule.band: rule for rule in BandRule.objects.filter(raise_list=raise_list)}


def pool_of(raise_list: RaiseList, *, without: SalaryRecord | None = None) -> tuple[Pool, Decimal]:
    """(the pool, the raises of everyone else) in one aggregate query."""
    totals = SalaryRecord.objects.filter(raise_list=raise_list).aggregate(
        payroll=Sum("salary"), used=Sum("amount")
    )
    payroll, used = totals["payroll"] or ZERO, totals["used"] or ZERO
    others = used - (without.amount if without is not None else ZERO)
    return pool_state(payroll=payroll, pool_percent=raise_list.pool_percent, used=used), others


def _require_open(raise_list: RaiseList) -> None:
    if raise_list.is_closed:
        raise ValidationError(_("บัญชีการเลื่อนเงินเดือนนี้ปิดแล้ว แก้ไขไม่ได้"))


def _log(raise_list: RaiseList, action: str, changes: list, by) -> None:
    who = by if getattr(by, "is_authenticated", False) else None
    RaisePolicyChange.objects.create(raise_list=raise_list, action=action, changes=changes, by=who)


def apply_percent(record: SalaryRecord, percent: Decimal) -> None:
    """Set the percent and recompute the amounts on the record (not saved)."""
    ceiling = record.salary_range.ceiling if record.salary_range_id else None
    result = raise_for(salary=record.salary, base=record.base, percent=percent, ceiling=ceiling)
    record.percent = percent
    record.amount, record.to_salary, record.special = (
        result.amount,
        result.to_salary,
        result.special,
    )


def check_percent(record: SalaryRecord, percent: Decimal, rule: BandRule | None) -> None:
    """A percent the record's band allows, else a ValidationError saying the range."""
    if not percent.is_finite() or percent < 0:
        raise ValidationError(_("ร้อยละต้องเป็นตัวเลขไม่ติดลบ"))
    if not two_places(percent):
        raise ValidationError(_("ร้อยละมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง"))
    low, high = (rule.min_percent, rule.max_percent) if rule else (ZERO, ZERO)
    if percent != 0 and not (low <= percent <= high):
        band = record.band or _("ไม่มีผลการประเมิน")
        raise ValidationError(
            _("ร้อยละ %(percent)s อยู่นอกช่วงที่ระดับ %(band)s เลื่อนได้ (%(low)s - %(high)s)")
            % {"percent": plain(percent), "band": band, "low": plain(low), "high": plain(high)}
        )


def check_pool(pool: Pool, others: Decimal, amount: Decimal, old: Decimal) -> None:
    """Refuse a raise that takes the list past the pool (lowering one is always allowed)."""
    if amount > old and others + amount > pool.total:
        raise ValidationError(
            _(
                "เกินวงเงิน: วงเงิน %(total)s บาท ใช้ไปแล้ว %(used)s บาท เลื่อนรายนี้ %(amount)s บาท "
                "จะเกินวงเงิน %(over)s บาท ไม่ได้บันทึก"
            )
            % {
                "total": f"{pool.total:,.2f}",
                "used": f"{others:,.2f}",
                "amount": f"{amount:,.2f}",
                "over": f"{others + amount - pool.total:,.2f}",
            }
        )


def raise_preview(*, record: SalaryRecord, percent: Decimal) -> tuple[SalaryRecord, Pool, list]:
    """What saving `percent` would do, and why it would be refused (no write)."""
    raise_list = record.raise_list
    errors = []
    pool, others = pool_of(raise_list, without=record)
    try:
        check_percent(record, percent, rules_of(raise_list).get(record.band))
    except ValidationError as error:
        errors.extend(error.messages)
    if errors:
        return record, pool, errors
    old = record.amount
    apply_percent(record, percent)
    preview = Pool(total=pool.total, used=others + record.amount)
    try:
        check_pool(pool, others, record.amount, old)
    except ValidationError as error:
        errors.extend(error.messages)
    return record, preview, errors


def raise_propose(*, record: SalaryRecord, percent: Decimal, by) -> SalaryRecord:
    """Save one person's percent; refused (nothing saved) outside the band's range or the pool."""
    with transaction.atomic():
        raise_list = RaiseList.objects.select_for_update().get(pk=record.raise_list_id)
        _require_open(raise_list)
        record = (
            SalaryRecord.objects.select_for_update(of=("self",))
            .select_related("salary_range", "person")
            .get(pk=record.pk)
        )
        check_percent(record, percent, rules_of(raise_list).get(record.band))
        old, old_amount = record.percent, record.amount
        pool, others = pool_of(raise_list, without=record)
        apply_percent(record, percent)
        check_pool(pool, others, record.amount, old_amount)
        record.updated_by = by if getattr(by, "is_authenticated", False) else None
        record.save()
        if old != percent:
            _log(raise_list, "propose", [[record.person.code, plain(old), plain(percent)]], by)
    return record


def bands_of(raise_list: RaiseList, person_ids: Iterable[int]) -> dict[int, str]:
    """Each person's band in the list's round (from their appraisal), by person id."""
    return dict(
        Appraisal.objects.filter(
            plan__round_id=raise_list.round_id, plan__owner_id__in=list(person_ids)
        ).values_list("plan__owner_id", "band")
    )


def raise_list_refresh(*, raise_list: RaiseList, by, reset: bool = False) -> int:
    """Take each person's band from the appraisals and recompute the amounts.

    A person whose band changed (or everybody, with `reset`) gets the band's
    default percent; a percent the band no longer allows also goes back to the
    default. Returns how many records changed.
    """
    with transaction.atomic():
        raise_list = RaiseList.objects.select_for_update().get(pk=raise_list.pk)
        _require_open(raise_list)
        rules = rules_of(raise_list)
        records = list(
            SalaryRecord.objects.filter(raise_list=raise_list).select_related("salary_range")
        )
        bands = bands_of(raise_list, (r.person_id for r in records))
        changed = []
        for record in records:
            if record_refresh(record, bands.get(record.person_id) or "", rules, reset=reset):
                changed.append(record)
        SalaryRecord.objects.bulk_update(
            changed, ["band", "base", "percent", "amount", "to_salary", "special"], batch_size=BATCH
        )
        if changed:
            _log(raise_list, "refresh", [["records", "", str(len(changed))]], by)
    return len(changed)


def record_refresh(record: SalaryRecord, band: str, rules: dict, *, reset: bool = False) -> bool:
    """Give the record its band, base, percent and amounts (not saved); True when changed.

    A new band (or `reset`) takes the band's default percent; a percent the
    band no longer allows goes back to the default too.
    """
    before = (record.band, record.percent, record.amount, record.base)
    record.band = band
    record.base = record_base(record)
    rule = rules.get(band)
    percent = Decimal(record.percent)
    try:
        check_percent(record, percent, rule)
    except ValidationError:
        percent = None
    if reset or percent is None or before[0] != band or record.pk is None:
        percent = rule.default_percent if rule else ZERO
    apply_percent(record, percent)
    return (record.band, record.percent, record.amount, record.base) != before


def record_base(record: SalaryRecord) -> Decimal:
    salary_range = record.salary_range
    if salary_range is None:
        return record.base_override or record.base
    return calculation_base(
        record.salary,
        midpoint=salary_range.midpoint,
        lower_base=salary_range.lower_base,
        upper_base=salary_range.upper_base,
        override=record.base_override,
    )


def raise_policy_save(
    *,
    raise_list: RaiseList,
    pool_percent: Decimal,
    rules: Mapping[str, tuple[Decimal, Decimal, Decimal]],
    by,
) -> RaiseList:
    """Change the pool and the band ranges (with history); percents are kept where allowed."""
    errors = []
    if not two_places(pool_percent) or not (0 <= pool_percent <= 100):
        errors.append(_("วงเงินต้องเป็นร้อยละ 0 ถึง 100"))
    for band, (low, high, default) in rules.items():
        if not all(two_places(v) for v in (low, high, default)) or not (
            0 <= low <= default <= high <= 100
        ):
            errors.append(
                _("ระดับ %(band)s: ต้องเป็น 0 ≤ ต่ำสุด ≤ เริ่มต้น ≤ สูงสุด ≤ 100 ทศนิยมไม่เกิน 2 ตำแหน่ง")
                % {"band": band}
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        raise_list = RaiseList.objects.select_for_update().get(pk=raise_list.pk)
        _require_open(raise_list)
        stored = rules_of(raise_list)
        changes = []
        if raise_list.pool_percent != pool_percent:
            changes.append(["pool_percent", plain(raise_list.pool_percent), plain(pool_percent)])
            raise_list.pool_percent = pool_percent
            raise_list.save(update_fields=["pool_percent"])
        for band, (low, high, default) in rules.items():
            rule = stored.get(band)
            if rule is None:
                continue
            old = (rule.min_percent, rule.max_percent, rule.default_percent)
            if old != (low, high, default):
                changes.append(
                    [
                        band,
                        "/".join(plain(v) for v in old),
                        "/".join(plain(v) for v in (low, high, default)),
                    ]
                )
                rule.min_percent, rule.max_percent, rule.default_percent = low, high, default
                rule.save()
        if changes:
            _log(raise_list, "policy", changes, by)
    if changes:
        raise_list_refresh(raise_list=raise_list, by=by)
    return raise_list


def raise_list_close(*, raise_list: RaiseList, by) -> RaiseList:
    """Freeze the list; refused while its raises pass the pool."""
    with transaction.atomic():
        raise_list = RaiseList.objects.select_for_update().get(pk=raise_list.pk)
        _require_open(raise_list)
        pool, _others = pool_of(raise_list)
        if pool.exceeded:
            raise ValidationError(
                _("ปิดบัญชีไม่ได้: ใช้เงิน %(used)s บาท เกินวงเงิน %(total)s บาท")
                % {"used": f"{pool.used:,.2f}", "total": f"{pool.total:,.2f}"}
            )
        _close(raise_list, by, "close")
    return raise_list


def _close(raise_list: RaiseList, by, action: str) -> None:
    raise_list.status = RaiseList.Status.CLOSED
    raise_list.closed_at = timezone.now()
    raise_list.closed_by = by if getattr(by, "is_authenticated", False) else None
    raise_list.save(update_fields=["status", "closed_at", "closed_by"])
    _log(raise_list, action, [], by)


def _locked_list(round: Round, department: Node, status: str) -> RaiseList | None:
    """The department's raise list of the round in `status`, locked; None without one."""
    rows = RaiseList.objects.select_for_update()
    return rows.filter(round=round, department=department, status=status).first()


def department_raise_list_close(*, round: Round, department: Node, by) -> bool:
    """The round closed for `department`: its open raise list closes as it is."""
    with transaction.atomic():
        raise_list = _locked_list(round, department, RaiseList.Status.OPEN)
        if raise_list is None:
            return False
        _close(raise_list, by, "round_close")
    return True


def department_raise_list_reopen(*, round: Round, department: Node, by) -> bool:
    """The round reopened for `department`: its raise list opens again, when the
    round's close closed it (a list HR closed themselves stays closed)."""
    with transaction.atomic():
        raise_list = _locked_list(round, department, RaiseList.Status.CLOSED)
        if raise_list is None:
            return False
        last = raise_list.changes.order_by("-at", "-pk").values_list("action", flat=True).first()
        if last != "round_close":
            return False
        raise_list.status = RaiseList.Status.OPEN
        raise_list.closed_at = raise_list.closed_by = None
        raise_list.save(update_fields=["status", "closed_at", "closed_by"])
        _log(raise_list, "round_reopen", [], by)
    return True


def round_raise_lists_close(*, round: Round, by) -> int:
    """Closing a round closes its open raise lists as they are (see salaries.signals)."""
    with transaction.atomic():
        lists = list(
            RaiseList.objects.select_for_update().filter(round=round, status=RaiseList.Status.OPEN)
        )
        for raise_list in lists:
            _close(raise_list, by, "round_close")
    return len(lists)
