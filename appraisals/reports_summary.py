"""The official summary form (แบบสรุปการประเมินผลการปฏิบัติราชการ), DOMAIN.md.

Five parts: 1 the assessee and the round; 2 the components' scores x weights
(case 1 the usual staff, case 2 probationers); 3 the development plan; 4 the
acknowledgement, or the refusal with the date shown and a witness; 5 the
next-level supervisor's agreement or different opinion. `summary_data`
gathers it once for the printable page and the .xlsx (`SummaryForm`).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appraisals.models import Appraisal, ComponentWeight
from appraisals.reports_form import FormData, form_data, signature_lines
from appraisals.scoring import quantize2
from appraisals.summary import DevelopmentRow, development_rows
from indicators.models import Plan
from kpi_portal.exporters import Exporter, PrintSetup, Ruled, Sheet
from kpi_portal.templatetags.thai import format_be_date
from orgchart.models import StaffType

USUAL_WEIGHTS = (Decimal(70), Decimal(30), Decimal(0))
BLANK_DEVELOPMENT_ROWS = 3


@dataclass
class Component:
    name: str
    score: Decimal | None
    weight: Decimal

    @property
    def points(self) -> Decimal | None:
        """Score (0-100) x weight (%) / 100: the component's share of the total."""
        return None if self.score is None else quantize2(self.score * self.weight / 100)


@dataclass
class SummaryData:
    form: FormData
    appraisal: Appraisal | None
    probation: bool
    components: list[Component] = field(default_factory=list)
    total: Decimal | None = None
    band: str = ""
    development: list[DevelopmentRow] = field(default_factory=list)

    @property
    def blank_development_rows(self) -> range:
        """Ruled rows to fill in by hand when no development plan is recorded."""
        return range(0 if self.development else BLANK_DEVELOPMENT_ROWS)

    @property
    def acknowledgement(self) -> str:
        """Part 4 in words: acknowledged (when), refused (shown when, witness), or not yet."""
        appraisal = self.appraisal
        if appraisal is None:
            return ""
        if appraisal.refused:
            return _("ไม่ลงนามรับทราบ ได้แจ้งผลเมื่อ %(date)s โดยมี %(witness)s เป็นพยาน") % {
                "date": format_be_date(appraisal.shown_on),
                "witness": appraisal.witness,
            }
        if appraisal.acknowledged_at:
            return _("ลงนามรับทราบเมื่อ %(date)s") % {
                "date": format_be_date(appraisal.acknowledged_at, with_time=True)
            }
        return ""

    @property
    def opinion(self) -> str:
        appraisal = self.appraisal
        if appraisal is None or not appraisal.opinion:
            return ""
        return str(appraisal.get_opinion_display())


def _weights(plan: Plan, staff_type: str) -> tuple[Decimal, Decimal, Decimal]:
    """The round's weights for the staff type, without creating a policy on a GET."""
    row = (
        ComponentWeight.objects.filter(policy__round_id=plan.round_id, staff_type=staff_type)
        .values_list("achievement", "competency", "other")
        .first()
    )
    return tuple(row) if row else USUAL_WEIGHTS


def summary_data(plan: Plan, *, show_scores: bool = True) -> SummaryData:
    """Everything the summary form shows, in a fixed number of queries."""
    form = form_data(plan, show_scores=show_scores)
    appraisal = Appraisal.objects.filter(plan=plan).first()
    frozen = appraisal is not None and appraisal.is_frozen
    staff_type = (appraisal.staff_type if frozen else "") or plan.owner.staff_type or ""
    achievement_w, competency_w, other_w = _weights(plan, staff_type or StaffType.CIVIL_SERVANT)
    scores = appraisal is not None and show_scores
    components = [
        Component(_("ผลสัมฤทธิ์ของงาน"), appraisal.achievement if scores else None, achievement_w),
        Component(
            _("พฤติกรรมการปฏิบัติราชการ (สมรรถนะ)"),
            appraisal.competency if scores else None,
            competency_w,
        ),
    ]
    if other_w:
        components.append(Component(_("องค์ประกอบอื่น"), appraisal.other if scores else None, other_w))
    return SummaryData(
        form=form,
        appraisal=appraisal,
        probation=staff_type == StaffType.PROBATIONER,
        components=components,
        total=appraisal.total if scores else None,
        band=appraisal.band if scores else "",
        development=development_rows(appraisal),
    )


def development_headers() -> list[str]:
    return [
        _("ความรู้/ทักษะ/สมรรถนะที่ต้องได้รับการพัฒนา"),
        _("วิธีการพัฒนา"),
        _("จำนวนชั่วโมงที่วางแผน"),
        _("จำนวนชั่วโมงที่พัฒนาจริง"),
    ]


class SummaryForm(Exporter):
    """The official summary form as .xlsx: the five parts on one A4 portrait sheet."""

    identifier = "summary_form"
    title = gettext_lazy("แบบสรุปการประเมินผลการปฏิบัติราชการ")

    def __init__(self, plan: Plan, *, show_scores: bool = True) -> None:
        self.plan = plan
        self.show_scores = show_scores

    def filename(self) -> str:
        the_round = self.plan.round
        return f"summary-{the_round.fiscal_year}-{the_round.number}-{self.plan.owner.code}.xlsx"

    def sheets(self) -> Iterator[Sheet]:
        data = summary_data(self.plan, show_scores=self.show_scores)
        form = data.form
        the_round = self.plan.round
        period = f"{format_be_date(the_round.start)} - {format_be_date(the_round.end)}"
        mark = {True: "☑", False: "☐"}
        preamble = [
            [str(self.title)],
            [_("ส่วนที่ 1 ข้อมูลของผู้รับการประเมิน")],
            [_("รอบการประเมิน"), f"{the_round.code} ({period})"],
            [_("ผู้รับการประเมิน"), form.owner_name, _("ตำแหน่ง"), form.position],
            [_("ระดับ"), form.position_level, _("สังกัด"), form.unit_name],
            [_("ผู้ประเมิน"), form.assessor_name, _("ตำแหน่ง"), form.assessor_position],
            [
                f"{mark[not data.probation]} {_('กรณีที่ 1 ผู้ปฏิบัติราชการทั่วไป')}",
                None,
                f"{mark[data.probation]} {_('กรณีที่ 2 ผู้อยู่ระหว่างทดลองปฏิบัติหน้าที่ราชการ')}",
            ],
            [_("ส่วนที่ 2 การสรุปผลการประเมิน")],
        ]
        rows = [[c.name, c.score, c.weight, c.points] for c in data.components]
        footer = [
            [_("รวม"), None, sum((c.weight for c in data.components), Decimal(0)), data.total],
            [_("ระดับผลการประเมิน"), data.band or None, None, None],
        ]
        after = [[_("ส่วนที่ 3 แผนพัฒนาการปฏิบัติราชการรายบุคคล")]]
        after.append(Ruled(development_headers()))
        for item in data.development:
            after.append(Ruled([item.what, item.method, item.planned_hours, item.actual_hours]))
        for _blank in data.blank_development_rows:
            after.append(Ruled([None] * 4))
        after += [
            [],
            [_("ส่วนที่ 4 การรับทราบผลการประเมิน")],
            [data.acknowledgement or _("ผู้รับการประเมินได้รับทราบผลการประเมินแล้ว")],
            [f"{_('ลงชื่อ')} ........................................ {_('ผู้รับการประเมิน')}"],
            [f"{_('วันที่')} ..../..../...."],
            [_("กรณีไม่ลงนามรับทราบ: ได้แจ้งผลเมื่อวันที่ ..../..../.... โดยมีพยาน")],
            [f"{_('ลงชื่อ')} ........................................ {_('พยาน')}"],
            [],
            [_("ส่วนที่ 5 ความเห็นของผู้บังคับบัญชาเหนือขึ้นไป")],
            [
                data.opinion or _("☐ เห็นด้วยกับผลการประเมิน   ☐ มีความเห็นแตกต่าง"),
            ],
            [data.appraisal.opinion_comment if data.appraisal else None],
            [],
            *[line[1::3] for line in signature_lines(form)],
        ]
        yield Sheet(
            name=_("แบบสรุปการประเมิน"),
            headers=[
                _("องค์ประกอบการประเมิน"),
                _("คะแนน (ก)"),
                _("น้ำหนัก (ข)"),
                _("รวมคะแนน (ก x ข) / 100"),
            ],
            rows=rows,
            formats=["text", "decimal2", "general", "decimal2"],
            widths=[44, 30, 22, 22],
            preamble=preamble,
            footer=footer,
            after=after,
            freeze=False,
            autofilter=False,
            wrap=[0],
            borders=True,
            print_setup=PrintSetup(landscape=False),
        )
