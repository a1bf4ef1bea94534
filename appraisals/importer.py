"""Import actual results from a spreadsheet (FORMATS.md "Results").

The command (`manage.py import_results`) and the HR page both call
`results_import`. Every row is checked first, by the rules of
`appraisals.services.result_save` (the same parsing functions, the same
guards: round tracking or assessment, plan approved, appraisal not yet
assessed); the write happens only when the whole file is good, all or nothing.

A department's file holds tens of thousands of rows, so the write is in bulk
rather than one `result_save` per row: results go in with bulk_create /
bulk_update, the history gets one entry per changed result, and the stored
scores are recomputed with appraisals.scores (per plan, or the whole round
when many plans changed). A row that changes nothing writes nothing, so
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisals.models import Appraisal, Result
from appraisals.policy import rules_for
from appraisals.scores import plan_rescore, round_rescore
from appraisals.services import lock_open_round, parse_actual, parse_milestones
from indicators.history import plain
from indicators.models import KPI, HistoryEntry, Plan, Round
from kpi_portal.tabular import Column, RowError, Table, read_table
from orgchart.access import roles_of

RESULT_COLUMNS = (
    Column("kpi_code", "รหัสตัวชี้วัด", required=True),
    Column("actual", "ผลการดำเนินงาน", kind="decimal"),
    Column("milestones_done", "ขั้นตอนที่สำเร็จ", kind="int"),
    Column("note", "หมายเหตุ"),
)
LABELS = {column.key: column.label for column in RESULT_COLUMNS}
LOOKUP_CHUNK = 500
BATCH = 1000
PREVIEW_CHANGES = 50
# Up to this many plans are rescored one by one; more, and the round in bulk.
PLAN_RESCORE_LIMIT = 50
ASSESSED = (
    Appraisal.Status.ASSESSED,
    Appraisal.Status.ACKNOWLEDGED,
    Appraisal.Status.REVIEWED,
)
_KPI_FIELDS = (
    "pk",
    "code",
    "name",
    "scale",
    "plan_id",
    "plan__round_id",
    "plan__status",
    "plan__owner__tree_id",
    "plan__owner__code",
    "plan__appraisal__status",
    "result__pk",
    "result__actual",
    "result__milestones_done",
    "result__note",
    "result__version",
)


@dataclass(frozen=True)
class ResultChange:
    """One row that records or changes a result (for the preview)."""

    row: int
    kpi_code: str
    kpi_name: str
    owner_code: str
    old: str
    new: str
    created: bool


@dataclass
class ResultsReport:
    """What an import did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[ResultChange] = field(default_factory=list)  # the first PREVIEW_CHANGES
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Write:
    row: int
    kpi: dict
    actual: Decimal | None
    milestones_done: int | None
    note: str


def results_read(upload, *, filename: str | None = None, progress=None) -> Table:
    """Read a results file; raises TableError when the file cannot be read at all."""
    return read_table(upload, RESULT_COLUMNS, filename=filename, progress=progress)


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


def _load_kpis(round: Round, codes: list[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for start in range(0, len(codes), LOOKUP_CHUNK):
        chunk = codes[start : start + LOOKUP_CHUNK]
        rows = KPI.objects.filter(round=round, code__in=chunk).values_list(*_KPI_FIELDS)
        for values in rows:
            found[values[1]] = dict(zip(_KPI_FIELDS, values, strict=True))
    return found


def _shown(actual, milestones) -> str:
    value = milestones if milestones is not None else actual
    return "" if value is None else str(plain(value))


def _check_row(row, kpi, round: Round, department: int | None) -> tuple[list, _Write | None]:
    """Errors of one row as (column key, message), or what to write."""
    code = row.values["kpi_code"]
    if kpi is None:
        message = _("ไม่พบตัวชี้วัดรหัสนี้ในรอบ %(round)s") % {"round": round.code}
        return [("kpi_code", message)], None
    if department is not None and kpi["plan__owner__tree_id"] != department:
        return [("kpi_code", _("ตัวชี้วัดนี้อยู่นอกส่วนราชการของคุณ"))], None
    if kpi["plan__round_id"] != round.pk:
        return [("kpi_code", _("ตัวชี้วัดนี้ไม่อยู่ในรอบการประเมินของแผน"))], None
    if kpi["plan__owner__tree_id"] in round.closed_departments:
        message = _("รอบ %(round)s ปิดแล้วสำหรับส่วนราชการของตัวชี้วัดนี้ บันทึกผลไม่ได้")
        return [("kpi_code", message % {"round": round.code})], None
    if kpi["plan__status"] != Plan.Status.APPROVED:
        status = Plan.Status(kpi["plan__status"]).label
        message = _("แผนตัวชี้วัดนี้ยังไม่ได้รับอนุมัติ (สถานะ: %(status)s) จึงยังบันทึกผลไม่ได้")
        return [("kpi_code", message % {"status": status})], None
    if kpi["plan__appraisal__status"] in ASSESSED:
        message = _("ผู้ประเมินให้คะแนนแผนนี้แล้ว จึงแก้ไขผลการดำเนินงานไม่ได้")
        return [("kpi_code", message)], None
    errors = []
    actual = milestones = None
    raw_actual, raw_done = row.values["actual"], row.values["milestones_done"]
    # As result_save: a value in the other scale's column is a mistake, not ignored.
    if kpi["scale"] == KPI.Scale.MILESTONE and row.raw.get("actual"):
        message = _("ตัวชี้วัดนี้วัดเป็นขั้นตอนความสำเร็จ ให้ระบุจำนวนขั้นตอนที่สำเร็จ")
        errors.append(("actual", message))
    elif kpi["scale"] != KPI.Scale.MILESTONE and row.raw.get("milestones_done"):
        errors.append(("milestones_done", _("ตัวชี้วัดนี้วัดเป็นตัวเลข ให้ระบุผลการดำเนินงาน")))
    if kpi["scale"] == KPI.Scale.MILESTONE:
        if raw_done is None and not row.raw.get("milestones_done"):
            message = _("ตัวชี้วัด %(code)s วัดเป็นขั้นตอนความสำเร็จ ต้องระบุจำนวนขั้นตอนที่สำเร็จ (0-5)")
            errors.append(("milestones_done", message % {"code": code}))
        elif raw_done is not None:
            try:
                milestones = parse_milestones(raw_done)
            except ValidationError as error:
                errors.append(("milestones_done", error.messages[0]))
    else:
        if raw_actual is None and not row.raw.get("actual"):
            message = _("ตัวชี้วัด %(code)s วัดเป็นตัวเลข ต้องระบุผลการดำเนินงาน")
            errors.append(("actual", message % {"code": code}))
        elif raw_actual is not None:
            try:
                actual = parse_actual(raw_actual)
            except ValidationError as error:
                errors.append(("actual", error.messages[0]))
    if errors:
        return errors, None
    # A blank note keeps the note already recorded (an officer's evidence text).
    note = row.values["note"] or kpi["result__note"] or ""
    return [], _Write(row.number, kpi, actual, milestones, note)


def _check(table: Table, round: Round, department: int | None):
    """(errors, writes) for the whole table; the rows are checked against fresh data."""
    errors = list(table.errors)
    bad_rows = {error.row for error in errors}
    codes = list(dict.fromkeys(r.values["kpi_code"] for r in table.rows if r.values["kpi_code"]))
    kpis = _load_kpis(round, codes)
    seen: dict[str, int] = {}
    writes: list[_Write] = []
    for row in table.rows:
        code = row.values["kpi_code"]
        if code is None:
            continue  # reported by the reader (required column left empty)
        if code in seen:
            message = _("รหัสตัวชี้วัดซ้ำกับแถวที่ %(row)s") % {"row": seen[code]}
            errors.append(RowError(row.number, LABELS["kpi_code"], row.raw["kpi_code"], message))
            continue
        seen[code] = row.number
        row_errors, write = _check_row(row, kpis.get(code), round, department)
        for key, message in row_errors:
            errors.append(RowError(row.number, LABELS[key], row.raw.get(key, ""), message))
        if write is not None and row.number not in bad_rows:
            writes.append(write)
    errors.sort(key=lambda error: error.row)
    return errors, writes


def _round_error(round: Round) -> RowError | None:
    if round.accepts_results:
        return None
    message = _("บันทึกผลได้เฉพาะช่วงติดตามผลและช่วงประเมินผล (รอบ %(code)s อยู่ในช่วง%(status)s)") % {
        "code": round.code,
        "status": round.get_status_display(),
    }
    return RowError(1, "", round.code, message)


def results_import(*, table: Table, round: Round, by, dry_run: bool) -> ResultsReport:
    """Check every row of `table` and, when all are good and not `dry_run`, save them.

    `by` None is the command line (any department); HR import their own
    department only (other KPIs are row errors); anyone else PermissionDenied.
    All or nothing: with any error nothing is saved, and every bad row is
    reported. The checks run again inside the transaction, with the round
    locked, so what is saved is what was checked.
    """
    department = _department_of(by)
    report = ResultsReport(dry_run=dry_run)
    if dry_run:
        round.refresh_from_db()
        problem = _round_error(round)
        if problem is not None:
            report.errors = [problem]
            return report
        report.errors, writes = _check(table, round, department)
        _count(report, writes)
        return report
    with transaction.atomic():
        try:
            locked = lock_open_round(round.pk)
        except ValidationError as error:
            report.errors = [RowError(1, "", round.code, error.messages[0])]
            return report
        problem = _round_error(locked)
        if problem is not None:
            report.errors = [problem]
            return report
        report.errors, writes = _check(table, locked, department)
        _count(report, writes)
        if report.errors:
            return report
        _save(writes, locked, by)
    return report


def _changed(write: _Write) -> bool:
    kpi = write.kpi
    if kpi["result__pk"] is None:
        return True
    old = (kpi["result__actual"], kpi["result__milestones_done"], kpi["result__note"] or "")
    return old != (write.actual, write.milestones_done, write.note)


def _count(report: ResultsReport, writes: list[_Write]) -> None:
    for write in writes:
        kpi = write.kpi
        if not _changed(write):
            report.unchanged += 1
            continue
        created = kpi["result__pk"] is None
        if created:
            report.created += 1
        else:
            report.updated += 1
        if len(report.changes) < PREVIEW_CHANGES:
            old = _shown(kpi["result__actual"], kpi["result__milestones_done"])
            new = _shown(write.actual, write.milestones_done)
            owner = kpi["plan__owner__code"]
            change = ResultChange(write.row, kpi["code"], kpi["name"], owner, old, new, created)
            report.changes.append(change)


def _save(writes: list[_Write], round: Round, by) -> None:
    """Write the changed results, their history and appraisals, then rescore."""
    user = by if getattr(by, "is_authenticated", False) else None
    now = timezone.now()
    new, changed, history = [], [], []
    for write in (w for w in writes if _changed(w)):
        kpi = write.kpi
        result = Result(
            pk=kpi["result__pk"],
            kpi_id=kpi["pk"],
            actual=write.actual,
            milestones_done=write.milestones_done,
            note=write.note,
            updated_by=user,
            updated_at=now,
            version=(kpi["result__version"] or 0) + 1,
        )
        (changed if result.pk else new).append(result)
        before = {
            "actual": plain(kpi["result__actual"]),
            "milestones_done": kpi["result__milestones_done"],
            "note": kpi["result__note"] or "",
        }
        after = {
            "actual": plain(write.actual),
            "milestones_done": write.milestones_done,
            "note": write.note,
        }
        history.append(
            (result, kpi, {k: [before[k], v] for k, v in after.items() if before[k] != v})
        )
    Result.objects.bulk_create(new, batch_size=BATCH)
    fields = ["actual", "milestones_done", "note", "updated_by", "updated_at", "version"]
    Result.objects.bulk_update(changed, fields, batch_size=BATCH)
    HistoryEntry.objects.bulk_create(
        (
            HistoryEntry(
                plan_id=kpi["plan_id"],
                at=now,
                by=user,
                action="result_import",
                object_type="result",
                object_id=result.pk,
                object_label=_label(kpi, result),
                changes=changes,
            )
            for result, kpi, changes in history
        ),
        batch_size=BATCH,
    )
    plan_ids = sorted({kpi["plan_id"] for _result, kpi, _changes in history})
    _ensure_appraisals(plan_ids)
    rules = rules_for(round)
    if len(plan_ids) > PLAN_RESCORE_LIMIT:
        round_rescore(round, rules)
    else:
        for plan in Plan.objects.filter(pk__in=plan_ids).select_related("owner"):
            plan_rescore(plan, rules)


def _label(kpi: dict, result: Result) -> str:
    return f"{kpi['code']}: {_shown(result.actual, result.milestones_done)}"[:255]


def _ensure_appraisals(plan_ids: list[int]) -> None:
    """Every plan with a result has its appraisal (as appraisal_for does, in bulk)."""
    have: set[int] = set()
    for start in range(0, len(plan_ids), LOOKUP_CHUNK):
        chunk = plan_ids[start : start + LOOKUP_CHUNK]
        have.update(Appraisal.objects.filter(plan_id__in=chunk).values_list("plan_id", flat=True))
    Appraisal.objects.bulk_create(
        (Appraisal(plan_id=plan_id) for plan_id in plan_ids if plan_id not in have),
        batch_size=BATCH,
    )
