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

from appraisals.access import sees_scores
from appraisals.development_export import development_sheet
from appraisals.models import Appraisal, Result, ScoringPolicy
from appraisals.scoring import quantize2, weighted_score
from indicators.models import KPI, Plan
from kpi_portal.exporters import Exporter, Sheet
from kpi_portal.templatetags.thai import format_be_date
from orgchart.hierarchy import supervisor_of

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
    rows: list[FormRow] = field(default_factory=list)

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
        rows = ([row.name, *row.levels, row.score, row.weight, row.weighted] for row in data.rows)
        blank = [None] * 6
        footer = [
            [_("รวม"), *blank, data.weight_total, data.weighted_total],
            [_("คะแนนรวม / 5"), *blank, None, data.total_by_five],
        ]
        yield Sheet(
            name=_("แบบสรุปผลสัมฤทธิ์"),
            headers=[
                _("ตัวชี้วัด"),
                *[_("ระดับ %(level)s") % {"level": level} for level in range(1, 6)],
                _("คะแนน (ก)"),
                _("น้ำหนัก (ข)"),
                _("คะแนนถ่วงน้ำหนัก (ก x ข)"),
            ],
            rows=rows,
            # Levels hold numbers or milestone words ("text": no fixed format).
            formats=["text"] * 6 + ["decimal4", "decimal2", "decimal2"],
            widths=[50, 14, 14, 14, 14, 14, 12, 12, 16],
            preamble=preamble,
            footer=footer,
            autofilter=False,
        )
        yield development_sheet(self.plan)  # part 3: the development plan (issue 11)
