"""The raise list's announcement workbook (command, page: the same exporter)."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from kpi_portal.exporters import Exporter, Sheet
from salaries.models import RaiseList, SalaryRecord

FIELDS = (
    "person__parent__name",
    "person__code",
    "person__name",
    "person__position",
    "position_level",
    "band",
    "salary",
    "base",
    "percent",
    "amount",
    "to_salary",
    "special",
)


def list_rows(raise_list: RaiseList):
    """The list's records in unit order, as plain tuples (a streaming query)."""
    return (
        SalaryRecord.objects.filter(raise_list=raise_list)
        .order_by("person__parent__tree_id", "person__parent__lft", "person__code")
        .values_list(*FIELDS)
    )


class RaiseAnnouncement(Exporter):
    """Unit, name, position, band, percent, raise, new salary, special compensation."""

    identifier = "salary_raises"

    def __init__(self, raise_list: RaiseList) -> None:
        self.raise_list = raise_list

    @property
    def title(self) -> str:
        return _("บัญชีการเลื่อนเงินเดือน")

    def filename(self) -> str:
        code = self.raise_list.round.code.replace("/", "-")
        return f"salary-raises-{code}-{self.raise_list.department.code}.xlsx"

    def total_rows(self) -> int:
        return SalaryRecord.objects.filter(raise_list=self.raise_list).count()

    def _rows(self) -> Iterable[tuple]:
        for (
            unit,
            code,
            name,
            position,
            level,
            band,
            salary,
            base,
            pct,
            amount,
            to_salary,
            special,
        ) in list_rows(self.raise_list).iterator(chunk_size=2000):
            yield (
                unit,
                code,
                name,
                f"{position} {level}".strip(),
                band,
                salary,
                base,
                pct,
                amount,
                to_salary,
                salary + to_salary,
                special,
            )

    def sheets(self) -> Iterable[Sheet]:
        raise_list = self.raise_list
        status = raise_list.get_status_display()
        yield Sheet(
            name=_("บัญชีเลื่อนเงินเดือน"),
            preamble=[
                [f"{self.title} {raise_list.department.name} {_('รอบ')} {raise_list.round.code}"],
                [_("สถานะ"), status],
            ],
            headers=[
                _("หน่วยงาน"),
                _("รหัส"),
                _("ชื่อ"),
                _("ตำแหน่ง"),
                _("ระดับผลการประเมิน"),
                _("เงินเดือน"),
                _("ฐานในการคำนวณ"),
                _("ร้อยละที่เลื่อน"),
                _("จำนวนเงินที่ได้เลื่อน"),
                _("เลื่อนเข้าเงินเดือน"),
                _("เงินเดือนใหม่"),
                _("ค่าตอบแทนพิเศษ"),
            ],
            formats=[
                "text",
                "text",
                "text",
                "text",
                "text",
                "decimal2",
                "decimal2",
                "decimal2",
                "decimal2",
                "decimal2",
                "decimal2",
                "decimal2",
            ],
            rows=self._rows(),
        )
