"""HR's round report (FORMATS.md "Reports"): by unit, by officer, by KPI.

Rows stream from `values_list(...).iterator()` straight into the constant-memory
writer, so a 100,000-KPI agency never sits in memory. The report reads the
stored figures (`Result.level/score`, `Appraisal.achievement/total/band`);
scoring lives in appraisals.scoring and the results services, never here.
In a closed round the placement frozen on each appraisal is shown, so the
report does not change when the tree does.
"""

from collections.abc import Iterator
from itertools import chain

from django.db.models import Case, F, FilteredRelation, Q, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appraisals.scoring import weighted_score
from appraisals.summary import (
    OFFICERS_LABEL,
    band_names,
    closure_parts,
    node_scope,
    plan_scope,
    round_bands,
    scope_units,
    unit_figures,
    unit_plan_achievements,
)
from indicators.models import KPI, Plan, Round
from kpi_portal.exporters import Exporter, PrintSetup, Sheet
from kpi_portal.templatetags.thai import format_be_date
from orgchart.models import Kind, Node

CHUNK = 2000
# Landscape, one page wide, the header row on every page.
PRINT = PrintSetup(landscape=True)

# Extra sheets an app above appraisals adds to the round report (registered in
# its AppConfig.ready()): each is called with the report and returns a Sheet.
EXTRA_SHEETS: list = []


def _frozen(field: str, live: str, prefix: str = ""):
    """The appraisal's frozen `field` once it is frozen, else the live value."""
    return Case(
        When(
            **{f"{prefix}appraisal__frozen_at__isnull": False},
            then=F(f"{prefix}appraisal__{field}"),
        ),
        default=F(live),
    )


class RoundReport(Exporter):
    """The round report of everything `user` may see (or `unit`'s subtree).

    `user` None is an administrator-level run (the export command).
    """

    identifier = "round_report"
    title = gettext_lazy("รายงานผลการประเมินรายรอบ")

    def __init__(self, round: Round, user=None, unit: Node | None = None) -> None:
        self.round = round
        self.user = user
        self.unit = unit

    def filename(self) -> str:
        name = f"round-{self.round.fiscal_year}-{self.round.number}"
        if self.unit is not None:
            name += f"-{self.unit.code}"
        return f"{name}.xlsx"

    def sheets(self) -> Iterator[Sheet]:
        title = self.title_line()
        extra = (build(self) for build in EXTRA_SHEETS)
        for sheet in (self.unit_sheet(), self.officer_sheet(), self.kpi_sheet(), *extra):
            sheet.preamble = [[title]]
            sheet.print_setup = PRINT
            yield sheet

    def agency_name(self) -> str:
        """The department(s) of the report; with a unit, the department and the unit."""
        if self.unit is not None:
            root = self.unit.get_root()
            return root.name if root.pk == self.unit.pk else f"{root.name} · {self.unit.name}"
        # The departments of the units in view (a head sees only part of one).
        trees = scope_units(self.user).order_by().values("tree_id")
        roots = Node.objects.filter(parent__isnull=True, tree_id__in=trees).order_by("tree_id")
        return ", ".join(roots.values_list("name", flat=True))

    def title_line(self) -> str:
        """The line above each sheet's header: the report, the agency, the round, the date."""
        period = f"{format_be_date(self.round.start)} - {format_be_date(self.round.end)}"
        return _(
            "%(title)s · %(agency)s · รอบการประเมิน %(code)s (%(period)s) · ส่งออกเมื่อ %(date)s"
        ) % {
            "title": self.title,
            "agency": self.agency_name(),
            "code": self.round.code,
            "period": period,
            "date": format_be_date(timezone.localdate()),
        }

    # Sheet 1 -------------------------------------------------------------

    def unit_sheet(self) -> Sheet:
        known = round_bands(self.round)
        figures = unit_figures(self.round, self.user, self.unit, bands=known)
        bands = band_names(self.round, figures, bands=known)
        kinds = dict(Kind.choices)
        headers = [
            _("รหัสหน่วยงาน"),
            _("หน่วยงาน"),
            _("ประเภท"),
            str(OFFICERS_LABEL),
            _("แผนที่อนุมัติแล้ว"),
            _("บันทึกผลครบ"),
            _("ประเมินแล้ว"),
            _("คะแนนเฉลี่ย"),
            *[_("ระดับ %(band)s") % {"band": band} for band in bands],
            _("ผลสัมฤทธิ์ของแผนหน่วยงาน (0-100)"),
        ]
        unit_plans = unit_plan_achievements(self.round, self.user, self.unit)
        rows = (
            [
                unit.code,
                unit.name,
                str(kinds.get(unit.kind, unit.kind)),
                unit.subtree.officers,
                unit.subtree.approved,
                unit.subtree.results_in,
                unit.subtree.assessed,
                unit.subtree.mean,
                *[unit.subtree.bands.get(band, 0) for band in bands],
                unit_plans.get(unit.code),
            ]
            for unit in figures
        )
        formats = ["text", "text", "text", "int", "int", "int", "int", "decimal2"]
        return Sheet(
            name=_("สรุปรายหน่วยงาน"),
            headers=headers,
            rows=rows,
            formats=formats + ["int"] * len(bands) + ["decimal2"],
            widths=[14, 40, 12, 16, 12, 12, 12, 12, *[12] * len(bands), 18],
            wrap=[1],
        )

    # Sheet 2 -------------------------------------------------------------

    def officer_rows(self) -> Iterator[tuple]:
        """(unit code, unit, code, name, position, plan status, achievement, total, band).

        The departments the round is open for first (tree order), then those
        it is closed for (by frozen unit path): see summary.closure_parts.
        """
        return chain.from_iterable(
            self._officer_part(closed, part) for closed, part in closure_parts(self.round)
        )

    def _officer_part(self, closed: bool, part) -> Iterator[tuple]:
        if not closed:
            # Everyone placed in the live tree, with or without a plan.
            return (
                Node.objects.filter(
                    node_scope(self.user, self.unit), part(""), kind=Kind.INDIVIDUAL, is_active=True
                )
                .annotate(rp=FilteredRelation("plans", condition=Q(plans__round=self.round)))
                .order_by("tree_id", "lft")
                .values_list(
                    "parent__code",
                    "parent__name",
                    "code",
                    "name",
                    "position",
                    "rp__status",
                    "rp__appraisal__achievement",
                    "rp__appraisal__total",
                    "rp__appraisal__band",
                )
                .iterator(chunk_size=CHUNK)
            )
        return (
            Plan.objects.filter(part("owner__"), round=self.round, owner__kind=Kind.INDIVIDUAL)
            .filter(plan_scope(self.round, self.user, self.unit))
            .annotate(
                path=Coalesce(NullIf(F("appraisal__unit_path"), Value("")), Value("")),
                f_unit_code=_frozen("unit_code", "owner__parent__code"),
                f_unit_name=_frozen("unit_name", "owner__parent__name"),
                f_code=_frozen("owner_code", "owner__code"),
                f_name=_frozen("owner_name", "owner__name"),
                f_position=_frozen("position", "owner__position"),
            )
            .order_by("path", "f_unit_code", "f_code")
            .values_list(
                "f_unit_code",
                "f_unit_name",
                "f_code",
                "f_name",
                "f_position",
                "status",
                "appraisal__achievement",
                "appraisal__total",
                "appraisal__band",
            )
            .iterator(chunk_size=CHUNK)
        )

    def officer_sheet(self) -> Sheet:
        statuses = {value: str(label) for value, label in Plan.Status.choices}
        no_plan = _("ยังไม่มีแผน")
        rows = ((*row[:5], statuses.get(row[5], no_plan), *row[6:]) for row in self.officer_rows())
        return Sheet(
            name=_("รายบุคคล"),
            headers=[
                _("รหัสหน่วยงาน"),
                _("หน่วยงาน"),
                _("รหัส"),
                _("ชื่อ-สกุล"),
                _("ตำแหน่ง"),
                _("สถานะแผน"),
                _("ผลสัมฤทธิ์ของงาน (0-100)"),
                _("คะแนนรวม (0-100)"),
                _("ระดับผลการประเมิน"),
            ],
            rows=rows,
            formats=["text"] * 6 + ["decimal2", "decimal2", "text"],
            widths=[14, 36, 14, 30, 30, 18, 16, 14, 16],
            wrap=[1, 3, 4],
        )

    # Sheet 3 -------------------------------------------------------------

    def kpi_rows(self) -> Iterator[tuple]:
        """One row per KPI: open departments first, then closed (as officer_rows)."""
        return chain.from_iterable(
            self._kpi_part(closed, part) for closed, part in closure_parts(self.round)
        )

    def _kpi_part(self, closed: bool, part) -> Iterator[tuple]:
        kpis = KPI.objects.filter(part("plan__owner__"), round=self.round)
        if not closed:
            kpis = kpis.filter(node_scope(self.user, self.unit, "plan__owner__")).order_by(
                "plan__owner__tree_id", "plan__owner__lft", "kra__order", "kra_id", "order", "pk"
            )
        else:
            kpis = (
                kpis.filter(plan_scope(self.round, self.user, self.unit, "plan__"))
                .annotate(
                    path=Coalesce(NullIf(F("plan__appraisal__unit_path"), Value("")), Value(""))
                )
                .order_by("path", "plan__owner__code", "kra__order", "kra_id", "order", "pk")
            )
        return (
            kpis.annotate(
                owner_code=_frozen("owner_code", "plan__owner__code", "plan__"),
                owner_name=_frozen("owner_name", "plan__owner__name", "plan__"),
            )
            .values_list(
                "owner_code",
                "owner_name",
                "kra__job",
                "kra__name",
                "code",
                "name",
                "scale",
                "level_1",
                "level_2",
                "level_3",
                "level_4",
                "level_5",
                "milestone_1",
                "milestone_2",
                "milestone_3",
                "milestone_4",
                "milestone_5",
                "weight",
                "result__actual",
                "result__milestones_done",
                "result__level",
                "result__score",
            )
            .iterator(chunk_size=CHUNK)
        )

    def kpi_sheet(self) -> Sheet:
        scales = {value: str(label) for value, label in KPI.Scale.choices}

        def rows():
            for row in self.kpi_rows():
                scale = row[6]
                milestone = scale == KPI.Scale.MILESTONE
                levels = row[12:17] if milestone else row[7:12]
                weight, actual, done, level, score = row[17:22]
                yield (
                    *row[:6],
                    scales.get(scale, scale),
                    *levels,
                    weight,
                    done if milestone else actual,
                    level,
                    score,
                    weighted_score(score, weight) if score is not None else None,
                )

        return Sheet(
            name=_("รายตัวชี้วัด"),
            headers=[
                _("รหัสผู้รับผิดชอบ"),
                _("ผู้รับผิดชอบ"),
                _("งาน/โครงการ"),
                _("ผลสัมฤทธิ์หลัก"),
                _("รหัสตัวชี้วัด"),
                _("ตัวชี้วัด"),
                _("เกณฑ์"),
                *[_("ระดับ %(level)s") % {"level": level} for level in range(1, 6)],
                _("น้ำหนัก"),
                _("ผลการดำเนินงาน"),
                _("ระดับที่ได้"),
                _("คะแนน"),
                _("คะแนนถ่วงน้ำหนัก"),
            ],
            rows=rows(),
            # Levels and actuals hold numbers or, for milestones, words and
            # step counts: "text" leaves numbers in the default number format.
            formats=["text"] * 7
            + ["general"] * 5
            + ["decimal2", "general", "int", "decimal4", "decimal4"],
            # Long Thai text (names, jobs, KRAs, KPIs, milestone steps) wraps
            # in columns wide enough to read; codes and numbers stay narrow.
            widths=[14, 28, 30, 30, 14, 40, 12, 16, 16, 16, 16, 16, 10, 14, 10, 10, 14],
            wrap=[1, 2, 3, 5, 7, 8, 9, 10, 11],
        )
