"""The sheet of activation codes HR prints and hands out (one row per person)."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from accounts import codes
from accounts.services import IssuedCode
from kpi_portal.exporters import Exporter, Sheet
from kpi_portal.templatetags.thai import format_be_date
from orgchart.models import Node


class ActivationSheet(Exporter):
    """Unit, code, name, username, activation code, expiry: sorted by unit, then name.

    The plain codes live only in this file: the database keeps their hashes.
    Text cells go through the exporter's formula escaping like every report.
    """

    identifier = "activation-codes"
    title = "รหัสเปิดใช้งาน"

    def __init__(self, issued: list[IssuedCode], *, activate_url: str) -> None:
        self.issued = issued
        self.activate_url = activate_url

    def total_rows(self) -> int:
        return len(self.issued)

    def _rows(self) -> Iterable[list]:
        ids = [item.user_id for item in self.issued]
        users = {}
        for start in range(0, len(ids), 2000):
            chunk = ids[start : start + 2000]
            for user in get_user_model().objects.filter(pk__in=chunk):
                users[user.pk] = user
        nodes = {}
        for start in range(0, len(ids), 2000):
            chunk = ids[start : start + 2000]
            for node in Node.objects.filter(user_id__in=chunk).select_related("parent"):
                nodes[node.user_id] = node
        rows = []
        for item in self.issued:
            user, node = users[item.user_id], nodes.get(item.user_id)
            unit = node.parent.name if node is not None and node.parent else ""
            rows.append(
                (
                    (node.parent.tree_id, node.parent.lft) if node and node.parent else (0, 0),
                    [
                        unit,
                        node.code if node else "",
                        node.name if node else "",
                        user.get_username(),
                        codes.code_display(item.code),
                        format_be_date(item.expires_at, with_time=True),
                    ],
                )
            )
        rows.sort(key=lambda pair: (pair[0], pair[1][2], pair[1][1]))
        return [row for _key, row in rows]

    def sheets(self) -> Iterable[Sheet]:
        yield Sheet(
            name=_("รหัสเปิดใช้งาน"),
            preamble=[
                [_("รหัสเปิดใช้งานบัญชี KPI Portal (ใช้ได้ครั้งเดียว)")],
                [_("เปิดใช้งานที่ %(url)s ด้วยชื่อผู้ใช้และรหัสเปิดใช้งาน") % {"url": self.activate_url}],
            ],
            headers=[
                _("หน่วยงาน"),
                _("รหัส"),
                _("ชื่อ-สกุล"),
                _("ชื่อผู้ใช้"),
                _("รหัสเปิดใช้งาน"),
                _("หมดอายุ"),
            ],
            rows=self._rows(),
            formats=["text"] * 6,
            widths=[32, 14, 32, 20, 16, 22],
        )
