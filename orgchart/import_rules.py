"""The checks of an organization import, run on the whole file before anything is written.

`OrgPlan` reads what the database holds, works out the tree as it would be
after the import (file rows win, nodes not in the file stay as they are), and
collects every broken rule as a RowError, so HR sees every bad row at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from kpi_portal.tabular import RowError, Table
from orgchart.import_accounts import check_usernames
from orgchart.models import RANK, Kind, Node

LABELS = {
    "code": "รหัส",
    "parent_code": "รหัสต้นสังกัด",
    "kind": "ประเภท",
    "name": "ชื่อ",
    "position": "ตำแหน่ง",
    "position_level": "ระดับตำแหน่ง",
    "username": "ชื่อผู้ใช้",
    "email": "อีเมล",
    "is_head": "หัวหน้า",
    "is_hr": "เจ้าหน้าที่บุคคล",
}
# The longest text each column may hold (the model's max_length).
MAX_LENGTH = {
    "code": 32,
    "name": 255,
    "position": 255,
    "position_level": 64,
    "email": 254,
    "username": 150,
}
TEXT_FIELDS = ("name", "position", "position_level", "email")
CHUNK = 2000
_LOOP = "<loop>"


@dataclass(frozen=True)
class Scope:
    """The one department an HR officer may import into (None in OrgPlan: anywhere)."""

    tree_id: int
    root_code: str


@dataclass(slots=True)
class Stored:
    """What the database holds for one node (only what the checks need)."""

    id: int
    code: str
    parent_id: int | None
    kind: str
    tree_id: int
    lft: int
    rght: int
    level: int
    is_head: bool
    name: str = ""
    position: str = ""
    position_level: str = ""
    email: str = ""
    is_hr: bool = False
    user_id: int | None = None
    username: str | None = None


@dataclass(slots=True)
class Row:
    """One file row as the node will be after the import."""

    number: int
    code: str
    kind: str | None
    parent_code: str | None
    name: str
    position: str
    position_level: str
    email: str
    is_head: bool
    is_hr: bool
    username: str | None  # None: keep the account link as it is
    stored: Stored | None
    changed: list[str] = field(default_factory=list)


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class OrgPlan:
    """The import worked out in memory: final rows, errors, created and updated nodes."""

    def __init__(self, table: Table, *, scope: Scope | None, admin: bool) -> None:
        self.scope = scope
        self.admin = admin
        self.errors: list[RowError] = list(table.errors)
        self.raw = {row.number: row.raw for row in table.rows}
        self._load_stored()
        self.rows: dict[str, Row] = {}
        self._read_rows(table)
        self._roots: dict[str, str | None] = {}
        self._check_tree()
        self._check_heads()
        self.user_ids = check_usernames(self)
        self._check_scope()
        self.created = [row for row in self.rows.values() if row.stored is None]
        self.updated = [row for row in self.rows.values() if row.stored and row.changed]
        self.unchanged = len(self.rows) - len(self.created) - len(self.updated)
        self.errors.sort(key=lambda e: (e.row, _column_order(e.column)))

    def new_usernames(self) -> set[str]:
        """Accounts the import creates (usernames no user has yet)."""
        rows = (*self.created, *self.updated)
        return {r.username for r in rows if r.username and r.username not in self.user_ids}

    # Loading ----------------------------------------------------------------

    def _load_stored(self) -> None:
        self.stored: dict[str, Stored] = {}
        self.code_by_id: dict[int, str] = {}
        self.children_of: dict[int, list[Stored]] = defaultdict(list)
        fields = ("id", "code", "parent_id", "kind", "tree_id", "lft", "rght", "level", "is_head")
        for values in Node.objects.order_by().values_list(*fields).iterator(chunk_size=5000):
            node = Stored(*values)
            self.stored[node.code] = node
            self.code_by_id[node.id] = node.code
            if node.parent_id is not None:
                self.children_of[node.parent_id].append(node)
        self.root_by_tree = {n.tree_id: n.code for n in self.stored.values() if n.parent_id is None}

    def _load_details(self, codes: list[str]) -> None:
        fields = ("code", *TEXT_FIELDS, "is_hr", "user_id", "user__username")
        for chunk in chunks(codes):
            for code, *values in Node.objects.filter(code__in=chunk).values_list(*fields):
                node = self.stored[code]
                (node.name, node.position, node.position_level, node.email) = values[:4]
                node.is_hr, node.user_id, node.username = values[4:]

    # Rows -----------------------------------------------------------------

    def error(self, row: int, key: str, message: str, value: str | None = None) -> None:
        if value is None:
            value = self.raw.get(row, {}).get(key, "")
        self.errors.append(RowError(row, LABELS.get(key, key), value, message))

    def _read_rows(self, table: Table) -> None:
        present = table.present
        first_row: dict[str, int] = {}
        valid = []
        for parsed in table.rows:
            code = parsed.values.get("code")
            if not code:
                continue  # the reader has reported the empty code
            if code in first_row:
                message = _("รหัส %(code)s ซ้ำกับแถว %(row)s") % {
                    "code": code,
                    "row": first_row[code],
                }
                self.error(parsed.number, "code", message)
                continue
            first_row[code] = parsed.number
            valid.append(parsed)
        self._load_details([p.values["code"] for p in valid if p.values["code"] in self.stored])
        for parsed in valid:
            self._read_row(parsed.number, parsed.values, present)

    def _read_row(self, number: int, values: dict, present: frozenset[str]) -> None:
        code = values["code"]
        stored = self.stored.get(code)

        def final(key: str, default):
            if key in present:
                value = values.get(key)
                return default if value is None else value
            return getattr(stored, key) if stored is not None else default

        if "parent_code" in present:
            parent_code = values.get("parent_code")
        elif stored is not None and stored.parent_id is not None:
            parent_code = self.code_by_id[stored.parent_id]
        else:
            parent_code = None
        row = Row(
            number=number,
            code=code,
            kind=values.get("kind"),
            parent_code=parent_code,
            name=values.get("name") or (stored.name if stored else ""),
            position=final("position", ""),
            position_level=final("position_level", ""),
            email=final("email", ""),
            is_head=final("is_head", False),
            is_hr=final("is_hr", False),
            username=values.get("username") if "username" in present else None,
            stored=stored,
        )
        self.rows[code] = row
        self._check_cells(row)
        if stored is None:
            return
        before = {
            "parent_code": self.code_by_id.get(stored.parent_id),
            "kind": stored.kind,
            "name": stored.name,
            "position": stored.position,
            "position_level": stored.position_level,
            "email": stored.email,
            "is_head": stored.is_head,
            "is_hr": stored.is_hr,
        }
        row.changed = [key for key, old in before.items() if getattr(row, key) != old]
        if row.kind is None and "kind" in row.changed:
            row.changed.remove("kind")  # a bad kind is reported, not compared
        if row.username is not None and row.username != stored.username:
            row.changed.append("username")

    def _check_cells(self, row: Row) -> None:
        for key, limit in MAX_LENGTH.items():
            value = getattr(row, key)
            if value and len(value) > limit:
                self.error(row.number, key, _("ยาวเกิน %(max)s ตัวอักษร") % {"max": limit})
        if row.email and len(row.email) <= MAX_LENGTH["email"]:
            try:
                EmailValidator()(row.email)
            except ValidationError:
                self.error(row.number, "email", _("อีเมลไม่ถูกต้อง"))
        if row.kind is not None and row.kind != Kind.INDIVIDUAL:
            if row.is_head:
                self.error(row.number, "is_head", _("หัวหน้าต้องเป็นบุคคล"))
            if row.is_hr:
                self.error(row.number, "is_hr", _("เจ้าหน้าที่บุคคลต้องเป็นบุคคล"))
            if row.username:
                self.error(row.number, "username", _("ชื่อผู้ใช้ใช้ได้เฉพาะบุคคล"))

    # The final tree ---------------------------------------------------------

    def parent_of(self, code: str) -> str | None:
        row = self.rows.get(code)
        if row is not None:
            return row.parent_code
        parent_id = self.stored[code].parent_id
        return None if parent_id is None else self.code_by_id[parent_id]

    def kind_of(self, code: str) -> str | None:
        row = self.rows.get(code)
        return row.kind if row is not None else self.stored[code].kind

    def exists(self, code: str) -> bool:
        return code in self.rows or code in self.stored

    def root_of(self, code: str) -> str | None:
        """The department `code` ends up under; None when unknown, _LOOP in or into a loop."""
        path: list[str] = []
        on_path: dict[str, int] = {}
        current = code
        while True:
            if current in self._roots:
                result = self._roots[current]
                break
            if current in on_path:
                cycle = path[on_path[current] :]
                self._report_loop(cycle)
                result = _LOOP
                break
            on_path[current] = len(path)
            path.append(current)
            parent = self.parent_of(current)
            if parent is None:
                result = current
                break
            if not self.exists(parent):
                result = None
                break
            current = parent
        for item in path:
            self._roots[item] = result
        return result

    def _report_loop(self, cycle: list[str]) -> None:
        shown = " → ".join([*cycle, cycle[0]])
        for code in cycle:
            row = self.rows.get(code)
            if row is not None:
                message = _("โครงสร้างวนกลับมาที่ตัวเอง (ต้นสังกัดต่อกันเป็นวง: %(path)s)") % {"path": shown}
                self.error(row.number, "parent_code", message)

    def _check_tree(self) -> None:
        for row in self.rows.values():
            self._check_parent(row)
            if row.stored is not None and row.kind is not None and row.kind != row.stored.kind:
                self._check_stored_children(row)
            self.root_of(row.code)

    def _check_parent(self, row: Row) -> None:
        parent = row.parent_code
        if parent is None:
            if row.kind is not None and row.kind != Kind.DEPARTMENT:
                self.error(row.number, "parent_code", _("มีเพียงกรม/ส่วนราชการเท่านั้นที่ไม่มีต้นสังกัด"))
            return
        if parent == row.code:
            self.error(row.number, "parent_code", _("ต้นสังกัดต้องไม่ใช่ตัวเอง"))
            self._roots[row.code] = _LOOP
            return
        if not self.exists(parent):
            self.error(row.number, "parent_code", _("ไม่พบรหัสต้นสังกัดนี้ ทั้งในไฟล์และในระบบ"))
            return
        parent_kind = self.kind_of(parent)
        if row.kind is None or parent_kind is None:
            return
        if parent_kind == Kind.INDIVIDUAL:
            self.error(row.number, "parent_code", _("ต้นสังกัดต้องเป็นหน่วยงาน ไม่ใช่บุคคล"))
        elif row.kind != Kind.INDIVIDUAL and RANK[parent_kind] >= RANK[row.kind]:
            message = _("%(kind)s ต้องอยู่ใต้หน่วยงานที่สูงกว่า ไม่ใช่%(parent_kind)s") % {
                "kind": Kind(row.kind).label,
                "parent_kind": Kind(parent_kind).label,
            }
            self.error(row.number, "parent_code", message)

    def _check_stored_children(self, row: Row) -> None:
        """A kind change must still fit the children that stay under the node."""
        staying = [
            child
            for child in self.children_of.get(row.stored.id, [])
            if child.code not in self.rows
        ]
        if not staying:
            return
        if row.kind == Kind.INDIVIDUAL:
            message = _("บุคคลต้องไม่มีหน่วยงานหรือบุคคลในสังกัด (ในระบบมี %(count)s รายการ เช่น %(code)s)")
            example = {"count": len(staying), "code": staying[0].code}
            self.error(row.number, "kind", message % example)
            return
        for child in staying:
            if child.kind != Kind.INDIVIDUAL and RANK[row.kind] >= RANK[child.kind]:
                message = _("%(code)s (%(child_kind)s) ในสังกัดต้องอยู่ใต้หน่วยงานที่สูงกว่า%(kind)s") % {
                    "code": child.code,
                    "child_kind": Kind(child.kind).label,
                    "kind": Kind(row.kind).label,
                }
                self.error(row.number, "kind", message)
                return

    # Heads, accounts, scope -------------------------------------------------

    def _check_heads(self) -> None:
        heads: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
        for row in self.rows.values():
            if row.is_head and row.kind == Kind.INDIVIDUAL and row.parent_code:
                heads[row.parent_code].append((row.code, row.number))
        for node in self.stored.values():
            if node.is_head and node.code not in self.rows and node.parent_id is not None:
                heads[self.code_by_id[node.parent_id]].append((node.code, None))
        for unit, people in heads.items():
            if len(people) < 2:
                continue
            where = [_("แถว %(row)s") % {"row": n} if n else _("ในระบบ") for _code, n in people]
            shown = ", ".join(
                f"{code} ({place})" for (code, _n), place in zip(people, where, strict=True)
            )
            message = _("%(unit)s มีหัวหน้ามากกว่าหนึ่งคน: %(heads)s") % {
                "unit": unit,
                "heads": shown,
            }
            for _code, number in people:
                if number is not None:
                    self.error(number, "is_head", message)

    def _check_scope(self) -> None:
        scope = self.scope
        if scope is None:
            return
        for row in self.rows.values():
            if row.stored is not None and row.stored.tree_id != scope.tree_id:
                self.error(row.number, "code", _("รหัสนี้เป็นของหน่วยงานในส่วนราชการอื่น"))
                continue
            root = self.root_of(row.code)
            if root == row.code and row.code != scope.root_code:
                message = _("เฉพาะผู้ดูแลระบบเท่านั้นที่เพิ่มกรม/ส่วนราชการใหม่ได้")
                self.error(row.number, "kind", message)
            elif root not in (None, _LOOP, scope.root_code):
                message = _("อยู่นอกส่วนราชการของคุณ (ต้นสังกัดสูงสุดคือ %(root)s)") % {"root": root}
                self.error(row.number, "parent_code", message)


def _column_order(label: str) -> int:
    labels = list(LABELS.values())
    return labels.index(label) if label in labels else len(labels)
