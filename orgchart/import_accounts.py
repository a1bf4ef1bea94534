"""The account checks of an organization import (the username column)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from orgchart.import_rules import OrgPlan, Row


def check_usernames(plan: OrgPlan) -> dict[str, int]:
    """Check the accounts the file names; return username -> user id of those that exist.

    An account belongs to one node: a username another node keeps after the
    import is refused, and only an administrator may link a staff account.
    """
    user_model = get_user_model()
    longest = user_model._meta.get_field("username").max_length
    validator = UnicodeUsernameValidator()
    claims: dict[str, list[Row]] = defaultdict(list)
    for row in plan.rows.values():
        if not row.username or len(row.username) > longest:
            continue
        try:
            validator(row.username)
        except ValidationError:
            message = _("ชื่อผู้ใช้ใช้ได้เฉพาะตัวอักษร ตัวเลข และ @ . + - _")
            plan.error(row.number, "username", message)
            continue
        claims[row.username].append(row)
    user_ids: dict[str, int] = {}
    users = user_model.objects.order_by()
    names = list(claims)
    privileged: set[str] = set()
    linked: dict[str, str] = {}
    for start in range(0, len(names), 2000):
        found = users.filter(username__in=names[start : start + 2000])
        for pk, name, staff, superuser in found.values_list(
            "pk", "username", "is_staff", "is_superuser"
        ):
            user_ids[name] = pk
            if staff or superuser:
                privileged.add(name)
        linked.update(found.filter(node__isnull=False).values_list("username", "node__code"))
    for name, rows in claims.items():
        owner = linked.get(name)
        if owner is not None and owner in plan.rows:
            owner_row = plan.rows[owner]
            if owner_row.username is not None and owner_row.username != name:
                owner = None  # that node takes another account in this import
        for row in rows:
            if len(rows) > 1 and row is not rows[0]:
                message = _("ชื่อผู้ใช้ซ้ำกับแถว %(row)s") % {"row": rows[0].number}
            elif owner is not None and owner != row.code:
                message = _("ชื่อผู้ใช้นี้เป็นของ %(code)s อยู่แล้ว") % {"code": owner}
            elif name in privileged and not plan.admin and owner != row.code:
                message = _("บัญชีนี้เป็นบัญชีผู้ดูแลระบบ ผูกกับบุคลากรด้วยการนำเข้าไม่ได้")
            else:
                continue
            plan.error(row.number, "username", message)
    return user_ids
