"""The development plan in workbooks: a sheet of the official form, and HR's training needs."""

from collections.abc import Iterator

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appraisals.models import DevelopmentItem, DevelopmentMethod
from indicators.models import Plan, Round
from kpi_portal.exporters import Exporter, Sheet
from orgchart.access import visible_q

HEADERS = (
    gettext_lazy("สิ่งที่ต้องพัฒนา"),
    gettext_lazy("วิธีการพัฒนา"),
    gettext_lazy("ช่วงเวลา"),
    gettext_lazy("ผลที่คาดว่าจะได้รับ"),
    gettext_lazy("จำนวนชั่วโมงที่วางแผน"),
    gettext_lazy("จำนวนชั่วโมงที่พัฒนาจริง"),
)
METHODS = dict(DevelopmentMethod.choices)


def development_sheet(plan: Plan) -> Sheet:
    """Part 3 of the summary form: the plan's development items (one query)."""
    items = DevelopmentItem.objects.filter(appraisal__plan=plan).values_list(
        "topic", "method", "period", "outcome", "planned_hours", "actual_hours"
    )
    rows = ([t, str(METHODS.get(m, m)), p, o, h, a] for t, m, p, o, h, a in items)
    return Sheet(
        name=_("แผนพัฒนารายบุคคล"),
        preamble=[[_("ส่วนที่ 3 แผนพัฒนาการปฏิบัติราชการรายบุคคล")]],
        headers=[str(h) for h in HEADERS],
        rows=rows,
        formats=["text", "text", "text", "text", "int", "int"],
        widths=[40, 18, 18, 50, 12, 12],
        autofilter=False,
    )


class TrainingNeeds(Exporter):
    """All development items of a round in the user's view, and counts per competency x unit."""

    identifier = "training_needs"
    title = gettext_lazy("ความต้องการการพัฒนา")

    def __init__(self, the_round: Round, user) -> None:
        self.round = the_round
        self.user = user

    def filename(self) -> str:
        return f"training-needs-{self.round.fiscal_year}-{self.round.number}.xlsx"

    def _items(self):
        items = DevelopmentItem.objects.filter(appraisal__plan__round=self.round)
        if self.user is not None:
            items = items.filter(visible_q(self.user, "appraisal__plan__owner__"))
        return items

    def sheets(self) -> Iterator[Sheet]:
        items = self._items().order_by(
            "appraisal__plan__owner__tree_id", "appraisal__plan__owner__lft", "pk"
        )
        fields = (
            "appraisal__plan__owner__parent__name",
            "appraisal__plan__owner__code",
            "appraisal__plan__owner__name",
            "appraisal__plan__owner__position",
            "competency__name",
            "kpi__name",
            "topic",
            "method",
            "period",
            "outcome",
            "planned_hours",
            "actual_hours",
        )
        rows = (
            [
                unit,
                code,
                name,
                position,
                competency or "",
                kpi or "",
                topic,
                str(METHODS.get(method, method)),
                period,
                outcome,
                hours,
                actual,
            ]
            for (
                unit,
                code,
                name,
                position,
                competency,
                kpi,
                topic,
                method,
                period,
                outcome,
                hours,
                actual,
            ) in items.values_list(*fields).iterator(chunk_size=2000)
        )
        yield Sheet(
            name=_("รายการพัฒนา"),
            headers=[
                _("หน่วยงาน"),
                _("รหัส"),
                _("ชื่อ"),
                _("ตำแหน่ง"),
                _("สมรรถนะ"),
                _("ตัวชี้วัด"),
                *[str(h) for h in HEADERS[:4]],
                str(HEADERS[4]),
                str(HEADERS[5]),
            ],
            rows=rows,
            formats=["text"] * 10 + ["int", "int"],
        )
        counts = (
            self._items()
            .values_list("competency__name", "appraisal__plan__owner__parent__name", "method")
            .annotate(n=Count("pk"))
            .order_by("competency__name", "appraisal__plan__owner__parent__name", "method")
        )
        yield Sheet(
            name=_("สรุปตามสมรรถนะและหน่วยงาน"),
            headers=[_("สมรรถนะ"), _("หน่วยงาน"), _("วิธีการพัฒนา"), _("จำนวนคน")],
            rows=(
                [competency or _("ตัวชี้วัด/อื่น ๆ"), unit, str(METHODS.get(method, method)), n]
                for competency, unit, method, n in counts
            ),
            formats=["text", "text", "text", "int"],
        )
