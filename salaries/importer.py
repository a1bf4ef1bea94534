"""HR imports: salary ranges, and the salaries of a round (FORMATS in docs/guide-hr.md).

Both are all or nothing: every row is checked, and the write happens only
when the whole file is good (kpi_portal.tabular's row errors otherwise).

- ranges: position_type, position_level, floor, ceiling, and optionally
  midpoint, lower_base, upper_base (computed from floor and ceiling when left
  out: each a midpoint, rounded up to 10 baht). A row replaces the stored
  range of the same type and level.
- salaries (`--round YYYY/N`): code, salary, and optionally base (a base
  that overrides the range's), position_type and position_level. The level
  defaults to the person's level in the tree; the type may be left out when
  only one range has that level. A row replaces the person's salary in the
  round; the raise list of the person's department is then refreshed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import Round
from kpi_portal.tabular import Column, RowError, Table, read_table
from orgchart.access import roles_of
from orgchart.models import Kind, Node
from salaries.arithmetic import range_midpoints
from salaries.models import RaiseList, SalaryRange, SalaryRecord
from salaries.services import bands_of, raise_list_for, record_refresh, rules_of

RANGE_COLUMNS = (
    Column("position_type", "ประเภทตำแหน่ง", required=True),
    Column("position_level", "ระดับตำแหน่ง", required=True),
    Column("floor", "ขั้นต่ำ", required=True, kind="decimal"),
    Column("ceiling", "ขั้นสูง", required=True, kind="decimal"),
    Column("midpoint", "ค่ากลาง", kind="decimal"),
    Column("lower_base", "ฐานในการคำนวณช่วงล่าง", kind="decimal"),
    Column("upper_base", "ฐานในการคำนวณช่วงบน", kind="decimal"),
)
SALARY_COLUMNS = (
    Column("code", "รหัส", required=True),
    Column("salary", "เงินเดือน", required=True, kind="decimal"),
    Column("base", "ฐานในการคำนวณ", kind="decimal"),
    Column("position_type", "ประเภทตำแหน่ง"),
    Column("position_level", "ระดับตำแหน่ง"),
)
MAX_MONEY = Decimal("9999999999.99")
BATCH = 1000


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def unchanged(self) -> int:
        return 0


def _department_of(by) -> int | None:
    """The tree `by` may import into; None for anywhere (the command line, an admin)."""
    if by is None:
        return None
    roles = roles_of(by)
    if roles.is_admin:
        return None
    if not roles.is_hr:
        raise PermissionDenied
    return roles.node.tree_id


def _money(value) -> bool:
    return value is not None and value.is_finite() and 0 < value <= MAX_MONEY


def _error(table_labels, row, key, message, raw):
    return RowError(
        row=row.number, column=table_labels[key], value=raw.get(key, ""), message=message
    )


def ranges_read(upload, *, filename=None, progress=None) -> Table:
    return read_table(upload, RANGE_COLUMNS, filename=filename, progress=progress)


def salaries_read(upload, *, filename=None, progress=None) -> Table:
    return read_table(upload, SALARY_COLUMNS, filename=filename, progress=progress)


def ranges_import(*, table: Table, by, dry_run: bool = False) -> ImportReport:
    """Create or replace salary ranges, all or nothing."""
    _department_of(by)  # HR or an administrator
    labels = {c.key: c.label for c in RANGE_COLUMNS}
    report = ImportReport(errors=list(table.errors), dry_run=dry_run)
    bad = {e.row for e in report.errors}
    stored = {(r.position_type, r.position_level): r for r in SalaryRange.objects.all()}
    seen: dict[tuple[str, str], int] = {}
    writes = []
    for row in table.rows:
        if row.number in bad:
            continue
        v = row.values
        key = (v["position_type"], v["position_level"])
        if key in seen:
            report.errors.append(
                _error(
                    labels,
                    row,
                    "position_level",
                    _("ซ้ำกับแถว %(row)s") % {"row": seen[key]},
                    row.raw,
                )
            )
            continue
        seen[key] = row.number
        problems = [k for k in ("floor", "ceiling") if not _money(v[k])]
        for k in problems:
            report.errors.append(_error(labels, row, k, _("ต้องเป็นจำนวนเงินมากกว่า 0"), row.raw))
        if problems:
            continue
        midpoint, lower, upper = range_midpoints(v["floor"], v["ceiling"])
        values = (
            v["floor"],
            v["lower_base"] or lower,
            v["midpoint"] or midpoint,
            v["upper_base"] or upper,
            v["ceiling"],
        )
        if not all(a <= b for a, b in pairwise(values)):
            message = _("ต้องเป็น ขั้นต่ำ ≤ ฐานช่วงล่าง ≤ ค่ากลาง ≤ ฐานช่วงบน ≤ ขั้นสูง")
            report.errors.append(_error(labels, row, "ceiling", message, row.raw))
            continue
        found = stored.get(key) or SalaryRange(position_type=key[0], position_level=key[1])
        if found.pk:
            report.updated += 1
        else:
            report.created += 1
        floor, low, mid, high, ceiling = values
        found.floor, found.midpoint, found.lower_base, found.upper_base, found.ceiling = (
            floor,
            mid,
            low,
            high,
            ceiling,
        )
        writes.append(found)
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        for salary_range in writes:
            salary_range.save()
    return report


def _range_of(v, person: Node, ranges: dict, by_level: dict):
    """(range, type, level, error message) of one salary row."""
    level = v["position_level"] or person.position_level
    kind = v["position_type"] or ""
    if kind:
        found = ranges.get((kind, level))
    else:
        matches = by_level.get(level, [])
        found = matches[0] if len(matches) == 1 else None
        if len(matches) > 1:
            return (
                None,
                kind,
                level,
                _("ระดับ %(level)s มีหลายประเภทตำแหน่ง ให้ระบุประเภทตำแหน่ง") % {"level": level},
            )
    if found is None and v["base"] is None:
        message = _("ไม่พบช่วงเงินเดือนของ %(kind)s %(level)s และไม่ได้ระบุฐานในการคำนวณ")
        return None, kind, level, message % {"kind": kind, "level": level or "-"}
    return found, (found.position_type if found else kind), level, None


def salaries_import(*, table: Table, round: Round, by, dry_run: bool = False) -> ImportReport:
    """Create or replace the round's salaries, all or nothing; refresh the lists."""
    department = _department_of(by)
    labels = {c.key: c.label for c in SALARY_COLUMNS}
    report = ImportReport(errors=list(table.errors), dry_run=dry_run)
    bad = {e.row for e in report.errors}
    codes = list(dict.fromkeys(r.values["code"] for r in table.rows if r.values["code"]))
    people = {n.code: n for n in Node.objects.filter(code__in=codes)} if codes else {}
    roots = {n.tree_id: n for n in Node.objects.filter(parent__isnull=True)}
    ranges = {(r.position_type, r.position_level): r for r in SalaryRange.objects.all()}
    by_level: dict[str, list] = {}
    for salary_range in ranges.values():
        by_level.setdefault(salary_range.position_level, []).append(salary_range)
    lists = {
        (rl.department_id): rl
        for rl in RaiseList.objects.filter(round=round).select_related("department")
    }
    existing = (
        {
            (r.raise_list_id, r.person_id): r
            for r in SalaryRecord.objects.filter(raise_list__round=round, person__code__in=codes)
        }
        if codes
        else {}
    )
    seen: dict[str, int] = {}
    writes = []
    for row in table.rows:
        if row.number in bad:
            continue
        v = row.values
        person = people.get(v["code"])
        if person is None or person.kind != Kind.INDIVIDUAL:
            report.errors.append(_error(labels, row, "code", _("ไม่พบบุคคลรหัสนี้"), row.raw))
            continue
        if department is not None and person.tree_id != department:
            report.errors.append(
                _error(labels, row, "code", _("บุคคลนี้อยู่นอกส่วนราชการของคุณ"), row.raw)
            )
            continue
        if v["code"] in seen:
            message = _("ซ้ำกับแถว %(row)s") % {"row": seen[v["code"]]}
            report.errors.append(_error(labels, row, "code", message, row.raw))
            continue
        seen[v["code"]] = row.number
        if not _money(v["salary"]):
            report.errors.append(
                _error(labels, row, "salary", _("ต้องเป็นจำนวนเงินมากกว่า 0"), row.raw)
            )
            continue
        if v["base"] is not None and not _money(v["base"]):
            report.errors.append(_error(labels, row, "base", _("ต้องเป็นจำนวนเงินมากกว่า 0"), row.raw))
            continue
        salary_range, kind, level, problem = _range_of(v, person, ranges, by_level)
        if problem:
            report.errors.append(_error(labels, row, "position_type", problem, row.raw))
            continue
        root = roots[person.tree_id]
        raise_list = lists.get(root.pk)
        if raise_list is not None and raise_list.is_closed:
            message = _("บัญชีการเลื่อนเงินเดือนของ %(dept)s ปิดแล้ว") % {"dept": root.name}
            report.errors.append(_error(labels, row, "code", message, row.raw))
            continue
        writes.append((root, person, v, salary_range, kind, level))
    if report.errors or dry_run:
        if not report.errors:
            report.created = sum(
                1
                for root, person, *_rest in writes
                if (getattr(lists.get(root.pk), "pk", None), person.pk) not in existing
            )
            report.updated = len(writes) - report.created
        return report
    with transaction.atomic():
        touched: dict[int, tuple] = {}
        new, changed = [], []
        for root, person, v, salary_range, kind, level in writes:
            if root.pk not in touched:
                raise_list = raise_list_for(round=round, department=root)
                ids = [w[1].pk for w in writes if w[0].pk == root.pk]
                touched[root.pk] = (raise_list, rules_of(raise_list), bands_of(raise_list, ids))
            raise_list, rules, bands = touched[root.pk]
            record = existing.get((raise_list.pk, person.pk)) or SalaryRecord(
                raise_list=raise_list, person=person, base=0
            )
            record.salary, record.base_override, record.salary_range = (
                v["salary"],
                v["base"],
                salary_range,
            )
            record.position_type, record.position_level = kind, level
            # Band, base, percent and amounts now, so the rows are written once.
            record_refresh(record, bands.get(person.pk) or "", rules)
            (changed if record.pk else new).append(record)
        SalaryRecord.objects.bulk_create(new, batch_size=BATCH)
        fields = [
            "salary",
            "base_override",
            "salary_range",
            "position_type",
            "position_level",
            "band",
            "base",
            "percent",
            "amount",
            "to_salary",
            "special",
        ]
        SalaryRecord.objects.bulk_update(changed, fields, batch_size=BATCH)
        report.created, report.updated = len(new), len(changed)
    return report
