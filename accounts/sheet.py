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
        """One row per code, in tree order of the units; plain values, no model objects."""
        ids = [item.user_id for item in self.issued]
        people: dict[int, tuple] = {}
        fields = ("user_id", "code", "name", "user__username", "parent__name")
        order = ("parent__tree_id", "parent__lft")
        for start in range(0, len(ids), 2000):
            found = Node.objects.filter(user_id__in=ids[start : start + 2000]).values_list(
                *fields, *order
            )
            for user_id, *values in found:
                people[user_id] = tuple(values)
        missing = [pk for pk in ids if pk not in people]
        for pk, username in (
            get_user_model().objects.filter(pk__in=missing).values_list("pk", "username")
        ):
            people[pk] = ("", "", username, "", 0, 0)
        # One issue shares one expiry: format each distinct one once.
        expiry = {
            when: format_be_date(when, with_time=True)
            for when in {i.expires_at for i in self.issued}
        }
        rows = []
        for item in self.issued:
            code, name, username, unit, tree_id, lft = people[item.user_id]
            row = [
                unit or "",
                code,
                name,
                username,
                codes.code_display(item.code),
                expiry[item.expires_at],
            ]
            rows.append(((tree_id or 0, lft or 0, name, code), row))
        rows.sort(key=lambda pair: pair[0])
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
