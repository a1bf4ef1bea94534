"""Import units and people from a spreadsheet (FORMATS.md, "Organization").

The command (`manage.py import_org`) and the HR page both call `org_import`.
It checks every row first (orgchart.import_rules) and writes only when the
whole file is good: all-or-nothing, matched by code, and a row that changes
nothing writes nothing. The write is built for whole agencies (tens of
thousands of rows): accounts and nodes go in with bulk_create/bulk_update,
with the nested-set numbers computed in memory instead of node by node.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils.translation import gettext as _

from kpi_portal.statistics import analyze_after_bulk
from kpi_portal.tabular import Column, ParsedRow, RowError, Table, read_table
from orgchart.access import roles_of
from orgchart.import_rules import LABELS, TEXT_FIELDS, OrgPlan, Row, Scope, chunks
from orgchart.models import Kind, Node
from orgchart.nested_sets import nested_sets
from orgchart.services import tree_lock

log = logging.getLogger("kpi_portal.orgchart")

KIND_WORDS = {
    "department": Kind.DEPARTMENT,
    "กรม": Kind.DEPARTMENT,
    "ส่วนราชการ": Kind.DEPARTMENT,
    "division": Kind.DIVISION,
    "สำนัก": Kind.DIVISION,
    "กอง": Kind.DIVISION,
    "group": Kind.GROUP,
    "กลุ่มงาน": Kind.GROUP,
    "กลุ่ม": Kind.GROUP,
    "ฝ่าย": Kind.GROUP,
    "individual": Kind.INDIVIDUAL,
    "บุคคล": Kind.INDIVIDUAL,
}
ORG_COLUMNS = (
    Column("code", LABELS["code"], required=True),
    Column("parent_code", LABELS["parent_code"]),
    Column("kind", LABELS["kind"], required=True, kind="choice", choices=KIND_WORDS),
    Column("name", LABELS["name"], required=True),
    Column("position", LABELS["position"]),
    Column("position_level", LABELS["position_level"]),
    Column("username", LABELS["username"]),
    Column("email", LABELS["email"]),
    Column("is_head", LABELS["is_head"], kind="bool"),
    Column("is_hr", LABELS["is_hr"], kind="bool"),
)
PREVIEW_CHANGES = 50
# A ministry in one file: 10 departments of 20,000 people with their units.
MAX_ROWS = 300_000
BATCH = 2000
MPTT_FIELDS = ("tree_id", "lft", "rght", "level")
DATA_FIELDS = ("parent_id", "kind", *TEXT_FIELDS, "is_head", "is_hr", "user_id")


@dataclass(frozen=True)
class NodeChange:
    """One row that will create or change a node (for the preview)."""

    row: int
    code: str
    name: str
    created: bool
    columns: tuple[str, ...]  # Thai labels of the changed columns


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    users_created: int = 0  # accounts created (in a dry run: that would be created)
    errors: list[RowError] = field(default_factory=list)
    changes: list[NodeChange] = field(default_factory=list)  # the first PREVIEW_CHANGES
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run and bool(self.created or self.updated)


def org_read(upload, *, filename: str | None = None, progress=None) -> Table:
    """Read an organization file; raises TableError when the file cannot be read at all."""
    return read_table(upload, ORG_COLUMNS, filename=filename, max_rows=MAX_ROWS, progress=progress)


def table_from_records(records: Iterable[Mapping], *, first_row: int = 2) -> Table:
    """A Table from dicts keyed like ORG_COLUMNS (already typed), e.g. for generated data."""
    rows, present = [], set()
    for number, record in enumerate(records, start=first_row):
        values = {column.key: record.get(column.key) for column in ORG_COLUMNS}
        values = {k: (None if v == "" else v) for k, v in values.items()}
        present.update(key for key in record if key in values)
        raw = {k: "" if v is None else str(v) for k, v in values.items()}
        rows.append(ParsedRow(number=number, values=values, raw=raw))
    return Table(rows=rows, present=frozenset(present))


def _scope_for(by) -> tuple[Scope | None, bool]:
    """(the department `by` may import into or None for anywhere, whether `by` is an admin)."""
    if by is None:
        return None, True  # the command line
    roles = roles_of(by)
    if roles.is_admin:
        return None, True
    if not roles.is_hr:
        raise PermissionDenied
    tree_id = roles.node.tree_id
    root = Node.objects.filter(tree_id=tree_id, parent__isnull=True).values_list("code", flat=True)
    return Scope(tree_id=tree_id, root_code=root.first() or ""), False


def org_import(*, table: Table, by=None, dry_run: bool = False) -> ImportReport:
    """Create or update the units and people of `table`, all or nothing.

    `by` is the user importing (None: the command line, allowed everywhere);
    HR staff may import only into their own department. Every broken rule
    becomes a RowError in the report and nothing is saved; with `dry_run`
    the checks run and nothing is saved either. A second import of the same
    file reports every row unchanged and writes nothing.
    """
    scope, admin = _scope_for(by)
    with nullcontext() if dry_run else tree_lock():
        plan = OrgPlan(table, scope=scope, admin=admin)
        report = ImportReport(
            created=len(plan.created),
            updated=len(plan.updated),
            unchanged=plan.unchanged,
            errors=plan.errors,
            changes=_changes(plan),
            users_created=len(plan.new_usernames()),
            dry_run=dry_run,
        )
        if report.ok and not dry_run and (plan.created or plan.updated):
            _write(plan)
            analyze_after_bulk((Node, get_user_model()), report.created + report.updated)
    if report.saved:
        log.info(
            "org import by %s: %s created, %s updated, %s unchanged",
            getattr(by, "username", "command line"),
            report.created,
            report.updated,
            report.unchanged,
        )
    return report


def _changes(plan: OrgPlan) -> list[NodeChange]:
    changes = []
    for row in plan.rows.values():
        if row.stored is None or row.changed:
            columns = () if row.stored is None else tuple(LABELS[key] for key in row.changed)
            changes.append(NodeChange(row.number, row.code, row.name, row.stored is None, columns))
            if len(changes) >= PREVIEW_CHANGES:
                break
    return changes


def _write(plan: OrgPlan) -> None:
    """Save the plan (inside the caller's tree lock)."""
    _ensure_users(plan)
    numbers = nested_sets(plan)
    with Node.objects.disable_mptt_updates():
        _release_unique_flags(plan)
        ids = {code: node.id for code, node in plan.stored.items()}
        _create_nodes(plan, numbers, ids)
        _update_nodes(plan, numbers, ids)


def _ensure_users(plan: OrgPlan) -> None:
    """Create the accounts the file names that do not exist yet, without usable passwords."""
    user_model = get_user_model()
    wanted: dict[str, Row] = {}
    for row in (*plan.created, *plan.updated):
        if row.username and row.username not in plan.user_ids:
            wanted.setdefault(row.username, row)
    if not wanted:
        return
    # What set_unusable_password() stores ("!" and 40 random characters), made
    # with one call to the OS generator per account instead of 40.
    new_users = [
        user_model(
            username=username,
            email=row.email,
            password=UNUSABLE_PASSWORD_PREFIX
            + secrets.token_hex(UNUSABLE_PASSWORD_SUFFIX_LENGTH // 2),
        )
        for username, row in wanted.items()
    ]
    user_model.objects.bulk_create(new_users, batch_size=BATCH)
    for chunk in chunks(list(wanted)):
        found = user_model.objects.filter(username__in=chunk).values_list("username", "pk")
        plan.user_ids.update(found)


def _release_unique_flags(plan: OrgPlan) -> None:
    """Clear the heads and account links that move, so no statement meets a stale one.

    One head per unit and one node per account are unique in the database; a
    head handed from one person to another in the same file would otherwise
    clash halfway through the update.
    """
    heads = [row.stored.id for row in plan.updated if row.stored.is_head]
    links = [
        row.stored.id for row in plan.updated if row.stored.user_id and "username" in row.changed
    ]
    for chunk in chunks(heads):
        Node.objects.filter(pk__in=chunk).update(is_head=False)
    for chunk in chunks(links):
        Node.objects.filter(pk__in=chunk).update(user=None)


def _node_values(plan: OrgPlan, row: Row, ids: dict[str, int]) -> dict:
    if row.username:
        user_id = plan.user_ids[row.username]
    else:
        user_id = row.stored.user_id if row.stored else None
    return {
        "parent_id": ids[row.parent_code] if row.parent_code else None,
        "kind": row.kind,
        "name": row.name,
        "position": row.position,
        "position_level": row.position_level,
        "email": row.email,
        "is_head": row.is_head,
        "is_hr": row.is_hr,
        "user_id": user_id,
    }


def _create_nodes(plan: OrgPlan, numbers: dict, ids: dict[str, int]) -> None:
    """Insert new nodes level by level, so every parent has its id before its children."""
    by_level: dict[int, list[Row]] = {}
    for row in plan.created:
        by_level.setdefault(numbers[row.code][3], []).append(row)
    for level in sorted(by_level):
        nodes = []
        for row in by_level[level]:
            tree_id, lft, rght, _level = numbers[row.code]
            nodes.append(
                Node(
                    code=row.code,
                    tree_id=tree_id,
                    lft=lft,
                    rght=rght,
                    level=level,
                    **_node_values(plan, row, ids),
                )
            )
        Node.objects.bulk_create(nodes, batch_size=BATCH)
        missing = [node.code for node in nodes if node.pk is None]
        for node in nodes:
            if node.pk is not None:
                ids[node.code] = node.pk
        for chunk in chunks(missing):  # databases that do not return ids from bulk inserts
            ids.update(Node.objects.filter(code__in=chunk).values_list("code", "pk"))


def _update_nodes(plan: OrgPlan, numbers: dict, ids: dict[str, int]) -> None:
    """Write changed rows and the new nested-set numbers of nodes that moved along."""
    changed = {row.code for row in plan.updated}
    data_nodes = []
    for row in plan.updated:
        tree_id, lft, rght, level = numbers.get(row.code) or _stored_numbers(row.stored)
        node = Node(
            pk=row.stored.id,
            code=row.code,
            tree_id=tree_id,
            lft=lft,
            rght=rght,
            level=level,
            **_node_values(plan, row, ids),
        )
        data_nodes.append(node)
    moved_along = []
    for code, place in numbers.items():
        stored = plan.stored.get(code)
        if stored is None or code in changed:
            continue
        if place != _stored_numbers(stored):
            moved_along.append((stored.id, *place))
    if data_nodes:
        fields = [f.removesuffix("_id") for f in DATA_FIELDS] + list(MPTT_FIELDS)
        Node.objects.bulk_update(data_nodes, fields, batch_size=BATCH)
    _renumber(moved_along)


def _renumber(places: list[tuple[int, int, int, int, int]]) -> None:
    """Write the (id, tree_id, lft, rght, level) of nodes whose numbers shifted.

    A move can shift most of a department's tree (20,000 nodes). bulk_update
    builds one CASE branch per node and field, which costs Django 12 s of CPU
    for one department; on PostgreSQL one UPDATE ... FROM (VALUES ...) per
    2,000 nodes does the same.
    """
    if connection.vendor != "postgresql":
        nodes = [Node(pk=pk, tree_id=t, lft=lft, rght=r, level=lv) for pk, t, lft, r, lv in places]
        Node.objects.bulk_update(nodes, list(MPTT_FIELDS), batch_size=BATCH)
        return
    quote = connection.ops.quote_name
    table = quote(Node._meta.db_table)
    assign = ", ".join(f"{quote(name)} = v.{quote(name)}" for name in MPTT_FIELDS)
    columns = ", ".join(quote(name) for name in ("id", *MPTT_FIELDS))
    with connection.cursor() as cursor:
        for part in chunks(places, BATCH):
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(part))
            cursor.execute(
                f"UPDATE {table} SET {assign} FROM (VALUES {values}) AS v({columns}) "  # noqa: S608
                f"WHERE {table}.{quote('id')} = v.{quote('id')}",
                [value for place in part for value in place],
            )


def _stored_numbers(stored) -> tuple[int, int, int, int]:
    return (stored.tree_id, stored.lft, stored.rght, stored.level)


def errors_text(errors: Iterable[RowError]) -> list[str]:
    """One line per error: แถว 5 คอลัมน์ รหัสต้นสังกัด ค่า 'X': message."""
    return [
        _("แถว %(row)s คอลัมน์ %(column)s ค่า '%(value)s': %(message)s")
        % {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
        for e in errors
    ]
