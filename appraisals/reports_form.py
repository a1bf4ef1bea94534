"""The official achievement form of one plan (DOMAIN.md "Sign-offs and forms").

KPI | the five target levels | score (ก) | weight (ข) | weighted score (ก x ข),
then the total and the total / 5, under a title block naming the round, the
officer and the assessor. `form_data` gathers it once for the printable page
and the .xlsx (`OfficerForm`), so both show the same figures: the stored
`Result.score` (scoring lives in appraisals.scoring / appraisals.scores).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appraisals.access import next_level_of, sees_scores
from appraisals.development_export import development_sheet
from appraisals.models import Appraisal, Result, ScoringPolicy
from appraisals.scoring import quantize2, weighted_score
from indicators.models import KPI, Plan
from kpi_portal.exporters import Exporter, PrintSetup, Sheet
from kpi_portal.templatetags.thai import format_be_date
from orgchart.hierarchy import supervisor_of
from orgchart.models import Node

FIVE = Decimal(5)


@dataclass
class FormRow:
    code: str
    name: str
    job: str
    kra: str
    levels: tuple
    weight: Decimal
    level: int | None = None
    score: Decimal | None = None

    @property
    def weighted(self) -> Decimal | None:
        return None if self.score is None else weighted_score(self.score, self.weight)


@dataclass
class Signer:
    role: str
    title: str
    name: str
    position: str


@dataclass
class FormData:
    plan: Plan
    owner_code: str
    owner_name: str
    position: str
    position_level: str
    unit_name: str
    assessor_name: str
    assessor_position: str
    show_scores: bool
    reviewer_name: str = ""
    reviewer_position: str = ""
    rows: list[FormRow] = field(default_factory=list)

    @property
    def signatures(self) -> list[Signer]:
        """Who signs the form, in the official order: assessee, assessor, next level."""
        return [
            Signer("assessee", _("ผู้รับการประเมิน"), self.owner_name, self.position),
            Signer("assessor", _("ผู้ประเมิน"), self.assessor_name, self.assessor_position),
            Signer(
                "reviewer",
                _("ผู้บังคับบัญชาเหนือขึ้นไป"),
                self.reviewer_name,
                self.reviewer_position,
            ),
        ]

    @property
    def weight_total(self) -> Decimal:
        return sum((row.weight for row in self.rows), Decimal(0))

    @property
    def weighted_total(self) -> Decimal | None:
        """Sum of ก x ข; None while no KPI has a score (or scores are hidden)."""
        values = [row.weighted for row in self.rows if row.weighted is not None]
        if not self.show_scores or not values:
            return None
        return sum(values, Decimal(0))

    @property
    def total_by_five(self) -> Decimal | None:
        """The total / 5: the achievement in percent when the weights add up to 100."""
        total = self.weighted_total
        return None if total is None else quantize2(total / FIVE)


def scores_shown_to(user, plan: Plan) -> bool:
    """Whether `user` may see the scores of `plan` on its form (appraisals.access).

    A round may keep the scores from the assessee (the plan's holder) until
    HR publishes them; the assessor, heads above and HR always see them.
    """
    if user is None:
        return True
    published = (
        ScoringPolicy.objects.filter(round_id=plan.round_id)
        .values_list("scores_published", flat=True)
        .first()
    )
    # No policy yet means the defaults: scores published.
    return sees_scores(user, plan, SimpleNamespace(published=published is not False))


def _levels(kpi: KPI) -> tuple:
    if kpi.scale == KPI.Scale.MILESTONE:
        return kpi.levels
    return tuple(None if value is None else value.normalize() for value in kpi.levels)


def form_data(plan: Plan, *, show_scores: bool = True) -> FormData:
    """Everything the form shows, in a fixed number of queries.

    Once the appraisal is frozen (round close) the placement and the assessor
    kept on it are shown; before that, the live tree's.
    """
    owner = plan.owner
    appraisal = Appraisal.objects.filter(plan=plan).first()
    if appraisal is not None and appraisal.is_frozen:
        data = FormData(
            plan=plan,
            owner_code=appraisal.owner_code or owner.code,
            owner_name=appraisal.owner_name or owner.name,
            position=appraisal.position,
            position_level=appraisal.position_level,
            unit_name=appraisal.unit_name,
            assessor_name=appraisal.assessor_name,
            assessor_position=appraisal.assessor_position,
            show_scores=show_scores,
        )
    else:
        assessor = supervisor_of(owner)
        data = FormData(
            plan=plan,
            owner_code=owner.code,
            owner_name=owner.name,
            position=owner.position,
            position_level=owner.position_level,
            # A person's unit; a unit's own plan is placed in the unit itself.
            unit_name=owner.name
            if owner.is_unit
            else (owner.parent.name if owner.parent_id else ""),
            assessor_name=assessor.name if assessor else "",
            assessor_position=assessor.position if assessor else "",
            show_scores=show_scores,
        )
    # The next-level supervisor signs too: the one who gave the opinion, else
    # the live tree's.
    reviewer = None
    if appraisal is not None and appraisal.reviewed_by_id:
        reviewer = Node.objects.filter(user_id=appraisal.reviewed_by_id).first()
    if reviewer is None:
        reviewer = next_level_of(plan)
    if reviewer is not None:
        data.reviewer_name, data.reviewer_position = reviewer.name, reviewer.position
    kpis = plan.kpis.select_related("kra", "result").order_by("kra__order", "kra_id", "order", "pk")
    for kpi in kpis:
        row = FormRow(kpi.code, kpi.name, kpi.kra.job, kpi.kra.name, _levels(kpi), kpi.weight)
        try:
            result = kpi.result
        except Result.DoesNotExist:
            result = None
        if result is not None and show_scores:
            row.level, row.score = result.level, result.score
        data.rows.append(row)
    return data


class OfficerForm(Exporter):
    """One plan's achievement form as .xlsx (the official layout)."""

    identifier = "achievement_form"
    title = gettext_lazy("แบบสรุปการประเมินผลสัมฤทธิ์ของงาน")

    def __init__(self, plan: Plan, *, show_scores: bool = True) -> None:
        self.plan = plan
        self.show_scores = show_scores

    def filename(self) -> str:
        the_round = self.plan.round
        return f"form-{the_round.fiscal_year}-{the_round.number}-{self.plan.owner.code}.xlsx"

    def sheets(self) -> Iterator[Sheet]:
        data = form_data(self.plan, show_scores=self.show_scores)
        the_round = self.plan.round
        period = f"{format_be_date(the_round.start)} - {format_be_date(the_round.end)}"
        preamble = [
            [str(self.title)],
            [_("รอบการประเมิน"), f"{the_round.code} ({period})"],
            [
                _("ผู้รับการประเมิน"),
                data.owner_name,
                _("ตำแหน่ง"),
                data.position,
                _("ระดับ"),
                data.position_level,
            ],
            [_("สังกัด"), data.unit_name],
            [_("ผู้ประเมิน"), data.assessor_name, _("ตำแหน่ง"), data.assessor_position],
            [],
        ]
        rows = (
            [row.code, row.name, *row.levels, row.score, row.weight, row.weighted]
            for row in data.rows
        )
        blank = [None] * 7
        footer = [
            [None, _("รวม"), *blank[:6], data.weight_total, data.weighted_total],
            [None, _("คะแนนรวม / 5"), *blank, data.total_by_five],
        ]
        yield Sheet(
            name=_("แบบสรุปผลสัมฤทธิ์"),
            headers=[
                _("รหัส"),
                _("ตัวชี้วัด"),
                *[_("ระดับ %(level)s") % {"level": level} for level in range(1, 6)],
                _("คะแนน (ก)"),
                _("น้ำหนัก (ข)"),
                _("คะแนนถ่วงน้ำหนัก (ก x ข)"),
            ],
            rows=rows,
            # Levels hold numbers as entered (75, 75.5) or milestone words.
            formats=["text", "text"] + ["general"] * 5 + ["decimal4", "general", "decimal2"],
            widths=[15, 38, 15, 15, 15, 15, 15, 10, 10, 14],
            preamble=preamble,
            footer=footer,
            after=signature_lines(data),
            autofilter=False,
            freeze=False,
            wrap=range(1, 7),
            borders=True,
            print_setup=PrintSetup(landscape=True),
        )
        yield development_sheet(self.plan)  # part 3: the development plan (issue 11)


def signature_lines(data: FormData) -> list[list]:
    """The signature block as spreadsheet lines: three signers side by side."""
    signers = data.signatures
    columns = (1, 4, 7)  # under the KPI, the middle levels and the scores

    def line(values: list) -> list:
        cells: list = [None] * 10
        for col, value in zip(columns, values, strict=True):
            cells[col] = value
        return cells

    dots = "........................................"
    return [
        line([f"{_('ลงชื่อ')} {dots} {who.title}" for who in signers]),
        line([f"({who.name or dots})" for who in signers]),
        line([f"{_('ตำแหน่ง')} {who.position or dots}" for who in signers]),
        line([f"{_('วันที่')} ..../..../...." for _who in signers]),
    ]
