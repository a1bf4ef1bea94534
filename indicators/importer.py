"""Import KPI plans from a spreadsheet (FORMATS.md, "KPI plans").

The command (`manage.py import_kpis`) and the HR page both call `kpis_import`.

- Every rule a submitted plan must meet is checked (through
  `indicators.rules.review_plan` on the plan as it would be), plus the file's
  own rules: unknown owners, duplicate codes, codes of another owner, unknown
  parents, a cascade method for every parent, splits against all the split
  children the parent would have after the import.
- All-or-nothing: any bad row and nothing is saved; every bad row is
  reported (row, column, value, message). A plan-wide problem (the weight
  total, the number of KPIs, an empty KRA) is reported once, on the owner's
  first row, with the owner's code in the message.
- Idempotent: KPIs are matched by code within the round; a row that changes
  nothing writes nothing (no history either). KPIs of a plan that are not in
  the file are kept, and count towards its rules.
- Imported plans are drafts (a returned plan stays returned); `approve`
  records every plan of the file as approved by `by`. A submitted or approved
  plan that the file would change is refused until it is reopened.
- Built for a ministry's 1,000,000 rows: each row is compacted as it is read
  (never a table of parsed rows), owners are handled in chunks of 1,000 with
  a few queries each, and every chunk is written with bulk_create/bulk_update
  inside one transaction, rolled back whole if any row anywhere is bad.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from indicators.import_checks import LABELS, FileCheck, closed_for_department, row_keeper
from indicators.import_plans import OwnerSummary, PlanPass
from indicators.models import KPI, KRA, HistoryEntry, Plan, Round
from kpi_portal.statistics import analyze_after_bulk
from kpi_portal.tabular import Column, RowError, Table, read_table
from orgchart.access import roles_of

log = logging.getLogger("kpi_portal.indicators")

SCALE_WORDS = {
    "higher": KPI.Scale.HIGHER,
    "มากดี": KPI.Scale.HIGHER,
    "lower": KPI.Scale.LOWER,
    "น้อยดี": KPI.Scale.LOWER,
    "milestone": KPI.Scale.MILESTONE,
    "ขั้นตอน": KPI.Scale.MILESTONE,
    "ระดับความสำเร็จ": KPI.Scale.MILESTONE,
}
CASCADE_WORDS = {
    "direct": KPI.Cascade.DIRECT,
    "ถ่ายทอดโดยตรง": KPI.Cascade.DIRECT,
    "split": KPI.Cascade.SPLIT,
    "แบ่งค่าเป้าหมาย": KPI.Cascade.SPLIT,
    "partial": KPI.Cascade.PARTIAL,
    "มอบบางส่วน": KPI.Cascade.PARTIAL,
}
CATEGORY_WORDS = {
    "quantity": KPI.Category.QUANTITY,
    "ปริมาณ": KPI.Category.QUANTITY,
    "quality": KPI.Category.QUALITY,
    "คุณภาพ": KPI.Category.QUALITY,
    "timeliness": KPI.Category.TIMELINESS,
    "เวลา": KPI.Category.TIMELINESS,
    "cost": KPI.Category.COST,
    "ความคุ้มค่า": KPI.Category.COST,
}


def _column(key: str, *, required: bool = False, kind: str = "text", choices=None) -> Column:
    english = key.replace("_", " ")
    aliases = (english,) if english != key else ()
    if key.startswith("level_"):
        aliases += (f"ระดับที่ {key[-1]}", f"ระดับ{key[-1]}")
    return Column(key, LABELS[key], required, kind, choices, aliases)


# Levels are text: numbers for `higher`/`lower`, words for `milestone` (read per scale).
KPI_COLUMNS = (
    _column("owner_code", required=True),
    _column("job", required=True),
    _column("kra", required=True),
    _column("kpi_code", required=True),
    _column("kpi", required=True),
    _column("unit"),
    _column("scale", required=True, kind="choice", choices=SCALE_WORDS),
    _column("level_1"),  # may be open on a numeric scale; the column must still be there
    *(_column(f"level_{n}", required=True) for n in range(2, 6)),
    _column("weight", required=True, kind="decimal"),
    _column("parent_kpi_code"),
    _column("cascade", kind="choice", choices=CASCADE_WORDS),
    _column("category", kind="choice", choices=CATEGORY_WORDS),
    _column("method"),
)
PREVIEW_OWNERS = 200
# A ministry's file: 200,000 officers x 5 KPIs, and the units' own plans.
MAX_ROWS = 1_200_000


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool = False
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    owners: list[OwnerSummary] = field(default_factory=list)  # the first PREVIEW_OWNERS changed
    owner_count: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    plans_created: int = 0
    plans_approved: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run

    def add_owner(self, summary: OwnerSummary) -> None:
        self.owner_count += 1
        self.created += summary.created
        self.updated += summary.updated
        self.unchanged += summary.unchanged
        if (summary.created or summary.updated) and len(self.owners) < PREVIEW_OWNERS:
            self.owners.append(summary)


class _Rollback(Exception):
    """Raised inside the transaction to undo every chunk already written."""


def kpis_read(upload, *, filename: str | None = None, progress=None) -> Table:
    """Read a KPI file; raises TableError when the file cannot be read at all.

    The table's rows are compact ImportRows, made as each row is read (a
    parsed row with its two dictionaries is several times larger).
    """
    return read_table(
        upload,
        KPI_COLUMNS,
        filename=filename,
        max_rows=MAX_ROWS,
        progress=progress,
        keep=row_keeper(),
    )


def _scope_of(by) -> int | None:
    """The department (tree id) `by` may import into; None for anywhere."""
    if by is None:
        return None
    roles = roles_of(by)
    if roles.is_admin:
        return None
    if not roles.is_hr:
        raise PermissionDenied
    return roles.node.tree_id


def kpis_import(
    *, table: Table, round: Round, by=None, dry_run: bool, approve: bool = False
) -> ImportReport:
    """Create or update the plans, KRAs and KPIs of `table` in `round`, all or nothing.

    `by` is the user importing (None: the command line, anywhere, and history
    records no one); HR staff import only into their own department. The
    table's rows are consumed (released while compacting, to keep memory
    low). See the module docstring for the rules.
    """
    report = ImportReport(dry_run=dry_run, rows=len(table.rows))
    scope = _scope_of(by)
    round = Round.objects.get(pk=round.pk)
    if not round.is_planning:
        message = (
            _("รอบการประเมิน %(round)s ปิดแล้ว นำเข้าตัวชี้วัดไม่ได้")
            if round.is_closed
            else _("นำเข้าตัวชี้วัดได้เฉพาะช่วงวางแผนของรอบการประเมิน (รอบ %(round)s อยู่ในสถานะ%(status)s)")
        )
        values = {"round": round.code, "status": round.get_status_display()}
        report.errors.append(RowError(1, "", round.code, message % values))
        table.rows = []
        return report
    if "level_1" not in table.present:
        message = _("ขาดคอลัมน์ที่จำเป็น: %(columns)s") % {"columns": LABELS["level_1"]}
        report.errors.append(RowError(1, LABELS["level_1"], "", message))
        table.rows = []
        return report
    check = FileCheck(table, round, scope, report.errors)
    check.check()
    try:
        with transaction.atomic():
            # Imports into one round queue here rather than deadlock across chunks.
            locked = Round.objects.select_for_update().filter(pk=round.pk).first()
            _recheck_closures(check, locked)
            plans = PlanPass(check, report, by=by, write=not dry_run, approve=approve)
            plans.run()
            if not report.ok or dry_run:
                raise _Rollback
            plans.finish()
            analyze_after_bulk((Plan, KRA, KPI, HistoryEntry), report.created + report.updated)
    except _Rollback:
        pass
    except IntegrityError:
        # Someone saved a KPI with one of these codes between the checks and the write.
        message = _("ข้อมูลในระบบเปลี่ยนระหว่างการนำเข้า (มีผู้อื่นบันทึกตัวชี้วัดรหัสเดียวกัน) กรุณาลองอีกครั้ง")
        report.errors.append(RowError(1, "", "", message))
    report.errors.sort(key=lambda error: error.row)
    if report.saved:
        log.info(
            "kpi import into %s by %s: %s created, %s updated, %s unchanged",
            round.code,
            getattr(by, "username", "command line"),
            report.created,
            report.updated,
            report.unchanged,
        )
    return report


def _recheck_closures(check: FileCheck, locked: Round) -> None:
    """A department closed the round since the file was checked: its rows are refused."""
    newly = set(locked.closed_departments) - set(check.round.closed_departments)
    if not newly:
        return
    for row in check.rows:
        node = check.owners.get(row.owner) if row.owner else None
        if node is not None and node.tree_id in newly:
            check.error(row, "owner_code", row.owner, closed_for_department(locked))


def errors_text(errors: list[RowError]) -> list[str]:
    """One line per error, for the command line."""
    return [
        _("แถว %(row)s คอลัมน์ %(column)s ค่า “%(value)s”: %(message)s")
        % {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
        for e in errors
    ]
