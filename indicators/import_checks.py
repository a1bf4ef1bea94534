"""The file-wide checks of a KPI import, run before any plan is looked at.

Rows are turned into compact `ImportRow`s as the file is read
(`importer.kpis_read` hands `row_keeper()` to the reader, so a file never sits
in memory as parsed dictionaries: 1,000,000 rows must fit well under 1 GB),
owners are kept as small `Owner` tuples, and the rows are then checked
against each other and against the round in a handful of queries: unknown
owners, duplicate codes, codes held by another owner, unknown parents,
cascade methods, and split coverage against every split child the parent
would have after the import. Plan rules (weights, levels, counts) are the
per-owner part, in `indicators.import_plans`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.utils.translation import gettext as _

from indicators import targets
from indicators.models import KPI, Round
from indicators.splits import coverage_messages, split_coverage, split_refusal
from kpi_portal.cells import CellError, parse_decimal
from kpi_portal.tabular import ParsedRow, RowError, Table
from orgchart.models import Node

LABELS = {
    "owner_code": "รหัสผู้รับผิดชอบ",
    "job": "งาน/โครงการ",
    "kra": "ผลสัมฤทธิ์หลัก",
    "kpi_code": "รหัสตัวชี้วัด",
    "kpi": "ตัวชี้วัด",
    "unit": "หน่วยนับ",
    "scale": "เกณฑ์",
    **{f"level_{n}": f"ระดับ {n}" for n in range(1, 6)},
    "weight": "น้ำหนัก",
    "parent_kpi_code": "รหัสตัวชี้วัดต้นทาง",
    "cascade": "วิธีถ่ายทอด",
    "category": "มิติ",
    "method": "วิธีการประเมิน",
}
_FIELD = KPI._meta.get_field
MAX_LENGTH = {
    "owner_code": Node._meta.get_field("code").max_length,
    "job": 500,
    "kra": 1000,
    "kpi_code": _FIELD("code").max_length,
    "kpi": _FIELD("name").max_length,
    "unit": _FIELD("unit").max_length,
    "parent_kpi_code": _FIELD("code").max_length,
}
MILESTONE_MAX = _FIELD("milestone_1").max_length
LEVEL_LIMIT = Decimal(10) ** 14  # max_digits 18, 4 decimal places
MAX_DEPTH = 20


def chunks(items: Sequence, size: int | None = None) -> Iterator[Sequence]:
    """Slices small enough for one `IN (...)` query on this database."""
    size = size or min(connection.features.max_query_params or 5000, 5000) - 99
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ImportRow:
    """One data row, typed and compact (slots; repeated texts shared)."""

    __slots__ = (
        "bad",
        "cascade",
        "category",
        "code",
        "job",
        "kra",
        "levels",
        "method",
        "name",
        "number",
        "owner",
        "parent",
        "scale",
        "unit",
        "weight",
    )

    def __init__(self, number: int, values: dict, pool: dict):
        def shared(value):
            return None if value is None else pool.setdefault(value, value)

        self.number = number
        self.bad = False
        self.owner = shared(values.get("owner_code"))
        self.job = shared(values.get("job"))
        self.kra = shared(values.get("kra"))
        self.code = values.get("kpi_code")
        self.name = shared(values.get("kpi"))
        self.unit = shared(values.get("unit"))
        self.scale = values.get("scale")
        self.levels = tuple(shared(values.get(f"level_{n}")) for n in range(1, 6))
        self.weight = shared(values.get("weight"))
        self.parent = values.get("parent_kpi_code")
        self.cascade = values.get("cascade")
        self.category = shared(values.get("category"))
        self.method = shared(values.get("method"))


def row_keeper():
    """What the reader keeps of each parsed row: an ImportRow, texts shared across rows."""
    pool: dict = {}

    def keep(parsed: ParsedRow) -> ImportRow:
        return ImportRow(parsed.number, parsed.values, pool)

    return keep


class Owner(NamedTuple):
    """A node the file names as an owner (a Node instance per owner is several times larger)."""

    pk: int
    code: str
    name: str
    tree_id: int
    is_active: bool

    def node(self) -> Node:
        """An unsaved stand-in carrying the pk, enough to hang a Plan on and name it."""
        return Node(pk=self.pk, code=self.code, name=self.name, tree_id=self.tree_id)


class Stored(NamedTuple):
    """What the round already holds for one KPI code (only what the checks need)."""

    pk: int
    code: str
    owner_id: int
    tree_id: int
    parent_id: int | None
    cascade: str
    scale: str
    unit: str
    levels: tuple


STORED_FIELDS = (
    "pk",
    "code",
    "plan__owner_id",
    "plan__owner__tree_id",
    "parent_id",
    "cascade",
    "scale",
    "unit",
    "level_1",
    "level_2",
    "level_3",
    "level_4",
    "level_5",
)


def _stored(values: tuple) -> Stored:
    return Stored(*values[:8], tuple(values[8:]))


class FileCheck:
    """The rows of one file and everything the file-wide checks found out."""

    def __init__(self, table: Table, round_: Round, scope_tree: int | None, errors: list):
        self.round = round_
        self.scope_tree = scope_tree
        self.errors: list[RowError] = errors
        self.present = table.present
        self.rows: list[ImportRow] = []
        self.by_code: dict[str, ImportRow] = {}
        self.owners: dict[str, Owner] = {}
        self.stored: dict[str, Stored] = {}  # codes of the file (and their parents) in the round
        self._numbers: dict[str, Decimal] = {}
        self._compact(table)

    # -- errors ------------------------------------------------------------

    def error(self, row: ImportRow, key: str, value, message: str) -> None:
        row.bad = True
        shown = "" if value is None else str(value)
        self.errors.append(RowError(row.number, LABELS.get(key, key), shown, message))

    # -- reading -----------------------------------------------------------

    def _compact(self, table: Table) -> None:
        """Take over the table's rows (ImportRows from kpis_read; a plain table is compacted)."""
        bad_rows = {error.row for error in table.errors}
        self.errors.extend(table.errors)
        keep = row_keeper()
        rows, table.rows = table.rows, []
        for index, row in enumerate(rows):
            if isinstance(row, ParsedRow):
                row = rows[index] = keep(row)
            row.bad = row.number in bad_rows
            self._check_row(row)
        self.rows = rows

    def _check_row(self, row: ImportRow) -> None:
        for key, limit in MAX_LENGTH.items():
            value = getattr(row, _ATTR[key])
            if value is not None and len(value) > limit:
                self.error(row, key, value[:50] + "…", _("ยาวเกิน %(max)s ตัวอักษร") % {"max": limit})
        self._parse_levels(row)
        weight = row.weight
        if weight is not None and not (0 < weight <= 100 and weight == round(weight, 2)):
            self.error(
                row, "weight", weight, _("น้ำหนักต้องมากกว่า 0 และไม่เกิน 100 (ทศนิยมไม่เกิน 2 ตำแหน่ง)")
            )
        if row.parent and not row.cascade:
            self.error(row, "cascade", "", _("มีรหัสตัวชี้วัดต้นทาง ต้องระบุวิธีถ่ายทอดด้วย"))
        elif row.cascade and not row.parent and "parent_kpi_code" in self.present:
            self.error(row, "parent_kpi_code", "", _("ระบุวิธีถ่ายทอดแล้ว ต้องระบุรหัสตัวชี้วัดต้นทางด้วย"))
        if row.parent and row.parent == row.code:
            self.error(row, "parent_kpi_code", row.parent, _("ตัวชี้วัดเป็นต้นทางของตัวเองไม่ได้"))

    def _parse_levels(self, row: ImportRow) -> None:
        if row.scale is None:
            return
        if row.scale == targets.MILESTONE:
            for number, text in enumerate(row.levels, start=1):
                if text is not None and len(text) > MILESTONE_MAX:
                    message = _("ยาวเกิน %(max)s ตัวอักษร") % {"max": MILESTONE_MAX}
                    self.error(row, f"level_{number}", text[:50] + "…", message)
            if row.levels[0] is None:
                self.error(row, "level_1", "", _("ต้องระบุค่า (เกณฑ์ขั้นตอนต้องมีคำอธิบายทุกระดับ)"))
            return
        numbers = []
        for number, text in enumerate(row.levels, start=1):
            value = None
            if text is not None:
                value = self._numbers.get(text)
                if value is None:
                    value = self._number(row, number, text)
            numbers.append(value)
        row.levels = tuple(numbers)

    def _number(self, row: ImportRow, number: int, text: str) -> Decimal | None:
        """A level typed as text, as a Decimal (remembered: the same texts repeat)."""
        try:
            value = parse_decimal(text)
        except CellError as exc:
            self.error(row, f"level_{number}", text, str(exc))
            return None
        if abs(value) >= LEVEL_LIMIT or value != round(value, 4):
            self.error(row, f"level_{number}", text, _("ตัวเลขใหญ่เกินไปหรือมีทศนิยมเกิน 4 ตำแหน่ง"))
            return None
        self._numbers[text] = value
        return value

    # -- file-wide checks --------------------------------------------------

    def check(self) -> None:
        self._check_duplicates()
        self._check_owners()
        self._load_stored()
        self._check_codes()
        self._check_parents()
        self._check_splits()

    def _check_duplicates(self) -> None:
        for row in self.rows:
            if not row.code:
                continue
            first = self.by_code.setdefault(row.code, row)
            if first is not row:
                self.error(
                    row, "kpi_code", row.code, _("รหัสตัวชี้วัดซ้ำกับแถวที่ %(row)s") % {"row": first.number}
                )

    def _check_owners(self) -> None:
        codes = sorted({row.owner for row in self.rows if row.owner})
        for part in chunks(codes):
            found = Node.objects.filter(code__in=part).values_list(*Owner._fields)
            for values in found:
                self.owners[values[1]] = Owner(*values)
        for row in self.rows:
            node = self.owners.get(row.owner) if row.owner else None
            if row.owner and node is None:
                self.error(row, "owner_code", row.owner, _("ไม่พบหน่วยงานหรือบุคคลรหัสนี้"))
            elif (
                node is not None and self.scope_tree is not None and node.tree_id != self.scope_tree
            ):
                self.error(row, "owner_code", row.owner, _("อยู่นอกส่วนราชการของคุณ นำเข้าไม่ได้"))
            elif node is not None and not node.is_active:
                self.error(row, "owner_code", row.owner, _("หน่วยงานหรือบุคคลนี้ไม่ได้ใช้งานแล้ว"))
            elif node is not None and node.tree_id in self.round.closed_departments:
                self.error(row, "owner_code", row.owner, closed_for_department(self.round))

    def _load_stored(self) -> None:
        codes = sorted(set(self.by_code) | {row.parent for row in self.rows if row.parent})
        kpis = KPI.objects.filter(round=self.round)
        for part in chunks(codes):
            for values in kpis.filter(code__in=part).values_list(*STORED_FIELDS):
                self.stored[values[1]] = _stored(values)

    def _check_codes(self) -> None:
        for row in self.rows:
            held = self.stored.get(row.code) if row.code else None
            owner = self.owners.get(row.owner) if row.owner else None
            if held is not None and owner is not None and held.owner_id != owner.pk:
                self.error(row, "kpi_code", row.code, _("รหัสตัวชี้วัดนี้เป็นของผู้รับผิดชอบรายอื่นในรอบนี้แล้ว"))

    def parent_facts(self, code: str) -> tuple | None:
        """(scale, unit, levels, owner code or pk, tree_id) of a parent, file first."""
        row = self.by_code.get(code)
        if row is not None:
            owner = self.owners.get(row.owner) if row.owner else None
            return (
                row.scale,
                row.unit if "unit" in self.present else self._unit(code),
                row.levels,
                owner.pk if owner else None,
                owner.tree_id if owner else None,
            )
        held = self.stored.get(code)
        if held is not None:
            return held.scale, held.unit, held.levels, held.owner_id, held.tree_id
        return None

    def _unit(self, code: str) -> str:
        held = self.stored.get(code)
        return held.unit if held else ""

    def _check_parents(self) -> None:
        code_of = {held.pk: held.code for held in self.stored.values()}
        for row in self.rows:
            if not row.parent or row.parent == row.code:
                continue
            facts = self.parent_facts(row.parent)
            if facts is None:
                self.error(
                    row, "parent_kpi_code", row.parent, _("ไม่พบตัวชี้วัดต้นทางรหัสนี้ในไฟล์หรือในรอบนี้")
                )
                continue
            scale, unit, _levels, parent_owner, parent_tree = facts
            owner = self.owners.get(row.owner) if row.owner else None
            if owner is not None and parent_owner == owner.pk:
                self.error(
                    row,
                    "parent_kpi_code",
                    row.parent,
                    _("ตัวชี้วัดต้นทางต้องเป็นของผู้บังคับบัญชา ไม่ใช่ของผู้รับผิดชอบเดียวกัน"),
                )
            elif owner is not None and parent_tree is not None and parent_tree != owner.tree_id:
                self.error(row, "parent_kpi_code", row.parent, _("ตัวชี้วัดต้นทางอยู่ต่างส่วนราชการ"))
            elif self._loops(row, code_of):
                self.error(row, "parent_kpi_code", row.parent, _("การถ่ายทอดวนกลับมาที่ตัวชี้วัดนี้"))
            elif (
                row.cascade in (KPI.Cascade.DIRECT, KPI.Cascade.SPLIT)
                and row.scale
                and scale
                and row.scale != scale
            ):
                self.error(
                    row,
                    "scale",
                    row.scale,
                    _("ถ่ายทอดโดยตรงหรือแบ่งค่าเป้าหมายต้องใช้เกณฑ์เดียวกับตัวชี้วัดต้นทาง"),
                )
            elif row.cascade == KPI.Cascade.SPLIT and split_refusal(scale or "", unit):
                self.error(row, "cascade", row.cascade, split_refusal(scale or "", unit))

    def _loops(self, row: ImportRow, code_of: dict) -> bool:
        code, seen = row.parent, {row.code}
        for _step in range(MAX_DEPTH):
            if code is None:
                return False
            if code in seen:
                return True
            seen.add(code)
            found = self.by_code.get(code)
            if found is not None:
                code = found.parent
            else:
                held = self.stored.get(code)
                code = code_of.get(held.parent_id) if held and held.parent_id else None
        return True

    def _check_splits(self) -> None:
        """Each split parent against all its split children after the import."""
        rows_of: dict[str, list[ImportRow]] = defaultdict(list)
        unreadable = set()  # a split child with its own errors: its parent's sums would mislead
        for row in self.rows:
            if row.cascade != KPI.Cascade.SPLIT or not row.parent:
                continue
            if row.bad:
                unreadable.add(row.parent)
            else:
                rows_of[row.parent].append(row)
        pks = {held.pk: code for code, held in self.stored.items()}
        stored_children: dict[str, list[tuple]] = defaultdict(list)
        splits = KPI.objects.filter(
            round=self.round, cascade=KPI.Cascade.SPLIT, parent__isnull=False
        )
        fields = ("parent_id", "code", "level_1", "level_2", "level_3", "level_4", "level_5")
        for parent_id, code, *levels in splits.values_list(*fields).iterator(chunk_size=5000):
            if parent_id in pks and code not in self.by_code:
                stored_children[pks[parent_id]].append(tuple(levels))
        parents = set(rows_of) | {code for code in stored_children if code in self.by_code}
        parents -= unreadable
        for code in sorted(parents):
            facts = self.parent_facts(code)
            if facts is None or split_refusal(facts[0] or "", facts[1]) or facts[0] is None:
                continue
            scale, _unit, levels = facts[:3]
            children = [row.levels for row in rows_of.get(code, [])] + stored_children[code]
            if any(len(child) != 5 for child in children) or targets.validate_levels(
                scale, list(levels)
            ):
                continue
            messages = coverage_messages(split_coverage(scale, levels, children), scale)
            if not messages:
                continue
            text = _("แบ่งค่าเป้าหมายของ %(code)s ไม่ครบ") % {"code": code}
            targets_rows = rows_of.get(code) or [self.by_code[code]]
            for row in targets_rows:
                for message in messages:
                    self.error(row, "cascade", row.cascade or "", f"{text}: {message}")


_ATTR = {
    "owner_code": "owner",
    "job": "job",
    "kra": "kra",
    "kpi_code": "code",
    "kpi": "name",
    "unit": "unit",
    "parent_kpi_code": "parent",
}


def closed_for_department(round_: Round) -> str:
    """The row error of an owner whose department the round is closed for."""
    return _("รอบ %(round)s ปิดแล้วสำหรับส่วนราชการของหน่วยงานหรือบุคคลนี้ นำเข้าไม่ได้") % {
        "round": round_.code
    }
