"""Whom HR may issue activation for, and the three ways to choose them.

HR of a department chooses among the people of its department (the tree),
administrators among everyone. Accounts of administrators and staff are
left to administrators, as the org import does: otherwise HR could take
over an administrator's account by activating it.
"""

from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kpi_portal.cells import Column
from kpi_portal.tabular import RowError, read_table
from orgchart.access import roles_of, visible_q
from orgchart.models import Kind, Node

FILE_COLUMNS = (
    Column("code", "รหัส", aliases=("รหัสบุคลากร", "employee_code")),
    Column("username", "ชื่อผู้ใช้", aliases=("user",)),
)
MAX_FILE_ROWS = 50_000


def without_password_q(prefix: str = "user__") -> Q:
    """Accounts with no usable password (created by the org import, or reset)."""
    return Q(**{f"{prefix}password__startswith": UNUSABLE_PASSWORD_PREFIX}) | Q(
        **{f"{prefix}password": ""}
    )


def issuable(by) -> QuerySet[Node]:
    """The people `by` may issue activation for: active, with an active account, in view.

    `by` None (the command line) may issue for everyone.
    """
    people = Node.objects.filter(
        kind=Kind.INDIVIDUAL, is_active=True, user__isnull=False, user__is_active=True
    )
    if by is None:  # the command line: the server's operator
        return people
    people = people.filter(visible_q(by))
    if not roles_of(by).is_admin:
        people = people.filter(user__is_staff=False, user__is_superuser=False)
        # HR's own view is the department; the head's part of it adds nothing.
        people = people.filter(tree_id=roles_of(by).node.tree_id)
    return people


def _users(people: QuerySet[Node]) -> list:
    """The accounts of `people` in tree order, each with its node loaded (one query)."""
    nodes = people.select_related("user").order_by("tree_id", "lft")
    users = []
    for node in nodes:
        user = node.user
        user.node = node  # the reverse one-to-one, already at hand
        users.append(user)
    return users


def people_in_unit(*, by, unit: Node, include_with_password: bool = False) -> list:
    people = issuable(by).filter(tree_id=unit.tree_id, lft__gte=unit.lft, lft__lte=unit.rght)
    if not include_with_password:
        people = people.filter(without_password_q())
    return _users(people)


def people_without_password(*, by) -> list:
    return _users(issuable(by).filter(without_password_q()))


def count_without_password(*, by) -> int:
    return issuable(by).filter(without_password_q()).count()


@dataclass
class FileChoice:
    users: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def people_from_file(*, by, upload) -> FileChoice:
    """The people a file names by code or username, all or none: every bad row is reported.

    Raises kpi_portal.tabular.TableError when the file itself cannot be read.
    """
    table = read_table(upload, FILE_COLUMNS, max_rows=MAX_FILE_ROWS)
    choice = FileChoice(errors=list(table.errors))
    if not {"code", "username"} & table.present:
        message = _("ขาดคอลัมน์ที่จำเป็น: %(columns)s") % {"columns": "รหัส / ชื่อผู้ใช้"}
        choice.errors.append(RowError(1, "รหัส / ชื่อผู้ใช้", "", message))
        return choice
    codes = {row.values["code"] for row in table.rows if row.values.get("code")}
    names = {row.values["username"] for row in table.rows if row.values.get("username")}
    found = issuable(by).select_related("user")
    by_code, by_name = {}, {}
    code_list, name_list = list(codes), list(names)
    for start in range(0, max(len(code_list), len(name_list)), 2000):
        part = found.filter(
            Q(code__in=code_list[start : start + 2000])
            | Q(user__username__in=name_list[start : start + 2000])
        )
        for node in part:
            by_code[node.code] = node
            by_name[node.user.username] = node
    seen: dict[int, int] = {}
    not_found = _("ไม่พบบุคลากรนี้ที่มีบัญชีผู้ใช้ในหน่วยงานที่ท่านดูแล")
    for row in table.rows:
        code, name = row.values.get("code"), row.values.get("username")
        if not code and not name:
            if "code" in table.present:
                choice.errors.append(RowError(row.number, "รหัส", "", _("ต้องระบุรหัสหรือชื่อผู้ใช้")))
            continue
        node = by_code.get(code) if code else by_name.get(name)
        column, value = ("รหัส", row.raw["code"]) if code else ("ชื่อผู้ใช้", row.raw["username"])
        if node is None:
            choice.errors.append(RowError(row.number, column, value, not_found))
            continue
        if code and name and node.user.username != name:
            message = _("ชื่อผู้ใช้ไม่ตรงกับรหัส (%(username)s)") % {"username": node.user.username}
            choice.errors.append(RowError(row.number, "ชื่อผู้ใช้", row.raw["username"], message))
            continue
        if node.pk in seen:
            message = _("ซ้ำกับแถว %(row)s") % {"row": seen[node.pk]}
            choice.errors.append(RowError(row.number, column, value, message))
            continue
        seen[node.pk] = row.number
        user = node.user
        user.node = node
        choice.users.append(user)
    if not choice.errors and not choice.users:
        choice.errors.append(RowError(1, "", "", _("ไฟล์ไม่มีรายชื่อ")))
    if choice.errors:
        choice.users = []
    return choice
