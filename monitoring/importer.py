"""Import check-ins from a spreadsheet (README "File formats": check-ins).

The command (`manage.py import_checkins`) and the HR page both call
`checkins_import`. Every row is checked by the rules of
`monitoring.services.checkin_record` (the same parsing, the same guards:
round tracking, plan approved, date within the round and not in the future);
the write happens only when the whole file is good, all or nothing.

A check-in is one KPI and date: a row whose kpi_code and date match a
stored check-in updates it, and a row that changes nothing writes nothing,
so importing the same file twice changes nothing the second time. Writes are
in bulk (a department's file holds hundreds of thousands of rows): check-ins
with bulk_create / bulk_update, the latest check-in per KPI (Progress)
rebuilt for the KPIs touched, and one history entry per plan.
"""

from __future__ import annotations

import datetime
import sys
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import KPI, HistoryEntry, Round
from kpi_portal.tabular import Column, RowError, Table, read_table
from monitoring.dates import parse_date
from monitoring.models import CheckIn, Progress
from monitoring.services import check_date, evaluate, require_tracking
from orgchart.access import roles_of

STATUS_WORDS = {
    "ตามแผน": "on_track",
    "เสี่ยง": "at_risk",
    "ล่าช้า": "off_track",
    "on track": "on_track",
    "at risk": "at_risk",
    "off track": "off_track",
}
CHECKIN_COLUMNS = (
    Column("kpi_code", "รหัสตัวชี้วัด", required=True),
    Column("date", "วันที่รายงาน", required=True),
    Column("value", "ผลการดำเนินงานถึงวันที่รายงาน", kind="decimal"),
    Column("milestones_done", "ขั้นตอนที่สำเร็จแล้ว", kind="int"),
    Column("status", "สถานะ"),
    Column("note", "หมายเหตุ"),
)
LABELS = {column.key: column.label for column in CHECKIN_COLUMNS}
_KEYS = tuple(column.key for column in CHECKIN_COLUMNS)
_SHARED = frozenset({"kpi_code", "date", "status", "note"})
MAX_ROWS = 400_000
LOOKUP_CHUNK = 1000
BATCH = 2000
PREVIEW_CHANGES = 50
_KPI_FIELDS = (
    "pk", "code", "name", "scale", "unit", "plan_id", "plan__status", "plan__owner__tree_id",
    "plan__owner__code", "level_1", "level_2", "level_3", "level_4", "level_5",
)  # fmt: skip
_CHECKIN_FIELDS = ("pk", "kpi_id", "date", "value", "milestones_done", "status", "note")


@dataclass(frozen=True)
class CheckInChange:
    row: int
    kpi_code: str
    kpi_name: str
    owner_code: str
    date: datetime.date
    new: str
    status: str
    created: bool


@dataclass
class CheckInsReport:
    """What an import did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[CheckInChange] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class _Write:
    row: int
    kpi: _Kpi
    date: datetime.date
    value: Decimal | None
    milestones_done: int | None
    status: str
    suggested: str
    projected_level: int
    note: str
    existing: tuple | None


class _Row:
    """One data row, compact: a file of 300,000 rows must not sit in memory as dicts.

    Only the converted values are kept: a cell that did not convert is already
    a reader's error (with its raw text), so the later checks show the value
    as text. Codes, dates, statuses and notes repeat: their strings are shared.
    """

    __slots__ = ("number", "values")

    def __init__(self, parsed):
        self.number = parsed.number
        self.values = tuple(
            sys.intern(value) if isinstance(value, str) and key in _SHARED else value
            for key, value in ((key, parsed.values[key]) for key in _KEYS)
        )

    def value(self, key: str):
        return self.values[_KEYS.index(key)]

    def raw_of(self, key: str) -> str:
        value = self.value(key)
        return "" if value is None else str(value)


def checkins_read(upload, *, filename: str | None = None, progress=None) -> Table:
    """Read a check-ins file; raises TableError when the file cannot be read at all."""
    return read_table(
        upload,
        CHECKIN_COLUMNS,
        filename=filename,
        max_rows=MAX_ROWS,
        progress=progress,
        keep=_Row,
    )


def _department_of(by) -> int | None:
    if by is None:
        return None
    roles = roles_of(by)
    if roles.is_admin:
        return None
    if not roles.is_hr:
        raise PermissionDenied
    return roles.node.tree_id


class _Kpi:
    """The few fields of a KPI the checks need (no model instance or dict per KPI)."""

    __slots__ = ("code", "levels", "name", "owner_code", "pk", "plan_id", "plan_status",
                 "scale", "tree_id", "unit")  # fmt: skip

    def __init__(self, values: tuple):
        (self.pk, self.code, self.name, self.scale, self.unit, self.plan_id, self.plan_status,
         self.tree_id, self.owner_code, *levels) = values  # fmt: skip
        self.levels = tuple(levels)


def _load(round: Round, codes: list[str]) -> tuple[dict[str, _Kpi], dict[tuple, tuple]]:
    kpis: dict[str, _Kpi] = {}
    for start in range(0, len(codes), LOOKUP_CHUNK):
        chunk = codes[start : start + LOOKUP_CHUNK]
        for values in KPI.objects.filter(round=round, code__in=chunk).values_list(*_KPI_FIELDS):
            kpi = _Kpi(values)
            kpis[kpi.code] = kpi
    existing: dict[tuple, tuple] = {}
    ids = [kpi.pk for kpi in kpis.values()]
    for start in range(0, len(ids), LOOKUP_CHUNK):
        rows = CheckIn.objects.filter(kpi_id__in=ids[start : start + LOOKUP_CHUNK])
        for pk, kpi_id, date, *stored in rows.values_list(*_CHECKIN_FIELDS):
            # Only what tells "unchanged": the id and a fingerprint of the stored values.
            existing[(kpi_id, date)] = (pk, _fingerprint(*stored))
    return kpis, existing


class _PlanStatus:
    """Stands in for a Plan in require_tracking (status and its display)."""

    def __init__(self, status: str):
        from indicators.models import Plan

        self.status = status
        self._label = dict(Plan.Status.choices).get(status, status)

    def get_status_display(self):
        return self._label


def _check_row(row, kpi, round: Round, department, today) -> tuple[list, _Write | None]:
    values = dict(zip(_KEYS, row.values, strict=True))
    if kpi is None or (department is not None and kpi.tree_id != department):
        message = _("ไม่พบตัวชี้วัดรหัสนี้ในรอบ %(code)s") % {"code": round.code}
        return [("kpi_code", message)], None
    try:
        require_tracking(_PlanStatus(kpi.plan_status), round, kpi.tree_id)
    except ValidationError as error:
        return [("kpi_code", error.messages[0])], None
    errors = []
    try:
        date = parse_date(values["date"])
        check_date(date, round, today)
    except ValueError:
        return [("date", _("วันที่ไม่ถูกต้อง ใช้ ปปปป-ดด-วว หรือ วว/ดด/ปปปป (พ.ศ. หรือ ค.ศ.)"))], None
    except ValidationError as error:
        return [("date", error.messages[0])], None
    raw_status = (values.get("status") or "").strip()
    status = STATUS_WORDS.get(raw_status.casefold(), raw_status.casefold().replace(" ", "_"))
    try:
        value, milestones, suggestion, status = evaluate(
            kpi, round, date, values.get("value"), values.get("milestones_done"), status
        )
    except ValidationError as error:
        key = {"status": "status", "milestones": "milestones_done"}.get(error.code, "value")
        errors.append((key, error.messages[0]))
        return errors, None
    note = (values.get("note") or "").strip()
    write = _Write(
        row.number, kpi, date, value, milestones, status, suggestion.status,
        suggestion.projected_level, note, None,
    )  # fmt: skip
    return [], write


def _check(table: Table, round: Round, department, existing_of):
    errors = list(table.errors)
    bad_rows = {error.row for error in errors}
    codes = list(dict.fromkeys(r.values[0] for r in table.rows if r.values[0]))
    kpis, existing = existing_of(round, codes)
    today = timezone.localdate()
    seen: dict[tuple, int] = {}
    writes: list[_Write] = []
    for row in table.rows:
        code = row.values[0]
        if code is None or row.value("date") in (None, ""):
            continue  # reported by the reader (required column left empty)
        row_errors, write = _check_row(row, kpis.get(code), round, department, today)
        for key, message in row_errors:
            errors.append(RowError(row.number, LABELS[key], row.raw_of(key), message))
        if write is None or row.number in bad_rows:
            continue
        key = (write.kpi.pk, write.date)
        if key in seen:
            message = _("รหัสตัวชี้วัดและวันที่ซ้ำกับแถวที่ %(row)s") % {"row": seen[key]}
            errors.append(RowError(row.number, LABELS["date"], row.raw_of("date"), message))
            continue
        seen[key] = row.number
        write.existing = existing.get(key)
        writes.append(write)
    errors.sort(key=lambda error: error.row)
    return errors, writes


def _fingerprint(value, milestones, status, note) -> int:
    value = None if value is None else Decimal(value).normalize()
    return hash((value, milestones, status, note or ""))


def _changed(write: _Write) -> bool:
    if write.existing is None:
        return True
    _pk, stored = write.existing
    return stored != _fingerprint(write.value, write.milestones_done, write.status, write.note)


def _count(report: CheckInsReport, writes: list[_Write]) -> None:
    for write in writes:
        if not _changed(write):
            report.unchanged += 1
            continue
        created = write.existing is None
        if created:
            report.created += 1
        else:
            report.updated += 1
        if len(report.changes) < PREVIEW_CHANGES:
            shown = write.milestones_done if write.value is None else write.value
            kpi = write.kpi
            report.changes.append(
                CheckInChange(
                    write.row,
                    kpi.code,
                    kpi.name,
                    kpi.owner_code,
                    write.date,
                    str(shown),
                    write.status,
                    created,
                )
            )


def _round_error(round: Round) -> RowError | None:
    if round.status == Round.Status.TRACKING:
        return None
    message = _("รายงานความก้าวหน้าได้เฉพาะช่วงติดตามผล (รอบ %(code)s อยู่ในช่วง%(status)s)") % {
        "code": round.code,
        "status": round.get_status_display(),
    }
    return RowError(1, "", round.code, message)


def checkins_import(*, table: Table, round: Round, by, dry_run: bool) -> CheckInsReport:
    """Check every row of `table` and, when all are good and not `dry_run`, save them.

    `by` None is the command line (any department); HR import their own
    department only (other KPIs are row errors); anyone else PermissionDenied.
    All or nothing; the checks run again inside the transaction with the
    round locked, so what is saved is what was checked.
    """
    department = _department_of(by)
    report = CheckInsReport(dry_run=dry_run)
    if dry_run:
        round.refresh_from_db()
        problem = _round_error(round)
        if problem is not None:
            report.errors = [problem]
            return report
        report.errors, writes = _check(table, round, department, _load)
        _count(report, writes)
        return report
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round.pk)
        problem = _round_error(locked)
        if problem is not None:
            report.errors = [problem]
            return report
        report.errors, writes = _check(table, locked, department, _load)
        _count(report, writes)
        if report.errors:
            return report
        _save([w for w in writes if _changed(w)], by)
    return report


def _checkin(write: _Write, user, now) -> CheckIn:
    checkin = CheckIn(
        kpi_id=write.kpi.pk,
        date=write.date,
        value=write.value,
        milestones_done=write.milestones_done,
        status=write.status,
        suggested_status=write.suggested,
        projected_level=write.projected_level,
        note=write.note,
        by=user,
        at=now,
    )
    if write.existing is not None:
        checkin.pk = write.existing[0]
    return checkin


UPDATE_FIELDS = ["value", "milestones_done", "status", "suggested_status", "projected_level",
                 "note", "by", "at"]  # fmt: skip


def _save(writes: list[_Write], by) -> None:
    """Write the check-ins a batch at a time (model instances only for one batch)."""
    user = by if getattr(by, "is_authenticated", False) else None
    now = timezone.now()
    per_plan: dict[int, int] = {}
    for start in range(0, len(writes), BATCH):
        batch = [_checkin(write, user, now) for write in writes[start : start + BATCH]]
        new = [checkin for checkin in batch if checkin.pk is None]
        changed = [checkin for checkin in batch if checkin.pk is not None]
        if new:
            CheckIn.objects.bulk_create(new)
        if changed:
            CheckIn.objects.bulk_update(changed, UPDATE_FIELDS)
    for write in writes:
        plan_id = write.kpi.plan_id
        per_plan[plan_id] = per_plan.get(plan_id, 0) + 1
    progress_rebuild(sorted({write.kpi.pk for write in writes}))
    HistoryEntry.objects.bulk_create(
        [
            HistoryEntry(
                plan_id=plan_id,
                by=user,
                at=now,
                action="checkin_import",
                object_type="plan",
                object_id=plan_id,
                changes={"checkins": [None, count]},
            )
            for plan_id, count in per_plan.items()
        ],
        batch_size=BATCH,
    )


def progress_rebuild(kpi_ids: list[int]) -> None:
    """Point Progress of each KPI at its latest check-in (by date, then id), in bulk."""
    for start in range(0, len(kpi_ids), LOOKUP_CHUNK):
        chunk = kpi_ids[start : start + LOOKUP_CHUNK]
        latest: dict[int, tuple] = {}
        rows = (
            CheckIn.objects.filter(kpi_id__in=chunk)
            .order_by("kpi_id", "-date", "-pk")
            .values_list("kpi_id", "pk", "date", "status", "projected_level")
        )
        for kpi_id, pk, date, status, level in rows:
            latest.setdefault(kpi_id, (pk, date, status, level))
        Progress.objects.filter(kpi_id__in=chunk).delete()
        Progress.objects.bulk_create(
            [
                Progress(
                    kpi_id=kpi_id, checkin_id=pk, date=date, status=status, projected_level=level
                )
                for kpi_id, (pk, date, status, level) in latest.items()
            ]
        )
