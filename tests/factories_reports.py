"""Report test data built straight with the ORM (no services): plans, KPIs, results, appraisals.

Stored scores are computed with the pure functions of appraisals.scoring, the
way the results services store them, so the numbers are realistic without
depending on those services.
"""

from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from appraisals.models import Appraisal, Result
from appraisals.policy import policy_for
from appraisals.scoring import achievement, appraisal_total, kpi_score, rating_band
from indicators.models import KPI, KRA, Plan, Round
from orgchart.models import Node

D = Decimal
HIGHER_LEVELS = (D(65), D(70), D(75), D(80), D(85))
LOWER_OPEN_LEVELS = (None, D(35), D(30), D(25), D(20))
STEPS = ("แต่งตั้งคณะทำงาน", "จัดทำแผน", "ดำเนินการตามแผน", "ติดตามผล", "สรุปและรายงานผล")


def make_round(fiscal_year=2569, number=1, status=Round.Status.TRACKING) -> Round:
    start, end = Round.default_dates(fiscal_year, number)
    the_round = Round.objects.create(
        fiscal_year=fiscal_year, number=number, start=start, end=end, status=status
    )
    policy_for(the_round)
    return the_round


def make_plan(owner: Node, the_round: Round, status=Plan.Status.APPROVED) -> Plan:
    return Plan.objects.create(owner=owner, round=the_round, status=status)


def make_kra(plan: Plan, name="ผลสัมฤทธิ์หลัก", job="งานหลัก", order=0) -> KRA:
    return KRA.objects.create(plan=plan, name=name, job=job, order=order)


def make_kpi(
    kra: KRA, code: str, *, name=None, scale="higher", levels=None, weight=100, order=0
) -> KPI:
    fields = {}
    if scale == KPI.Scale.MILESTONE:
        for index, text in enumerate(levels or STEPS, start=1):
            fields[f"milestone_{index}"] = text
    else:
        default = HIGHER_LEVELS if scale == KPI.Scale.HIGHER else LOWER_OPEN_LEVELS
        for index, value in enumerate(levels or default, start=1):
            fields[f"level_{index}"] = value
    return KPI.objects.create(
        round=kra.plan.round,
        plan=kra.plan,
        kra=kra,
        code=code,
        name=name or f"ตัวชี้วัด {code}",
        scale=scale,
        weight=D(weight),
        order=order,
        **fields,
    )


def record(kpi: KPI, actual=None, *, milestones=None, method="discrete") -> Result:
    """Store a result with the level and score the scoring functions give."""
    value = milestones if kpi.scale == KPI.Scale.MILESTONE else actual
    score = kpi_score(kpi.scale, kpi.levels, value, method=method)
    return Result.objects.create(
        kpi=kpi,
        actual=None if kpi.scale == KPI.Scale.MILESTONE else D(str(actual)),
        milestones_done=milestones,
        level=int(score),
        score=score,
    )


def make_appraisal(
    plan: Plan, *, competency=100, status=Appraisal.Status.ASSESSED, total=None
) -> Appraisal:
    """An appraisal whose stored achievement, total and band follow from the results."""
    # A KPI without a result counts as 0 and keeps its weight (appraisals.scores).
    pairs = [
        (kpi.result.score if hasattr(kpi, "result") else 0, kpi.weight)
        for kpi in plan.kpis.select_related("result")
    ]
    achieved = achievement(pairs)
    if total is None:
        total = appraisal_total(achieved, competency)
    return Appraisal.objects.create(
        plan=plan,
        status=status,
        achievement=achieved,
        competency=D(competency),
        total=total,
        band=rating_band(total) or "",
    )


def freeze(appraisal: Appraisal, assessor: Node | None = None) -> Appraisal:
    """What the round close does to an appraisal: keep the placement as it is now."""
    owner = appraisal.plan.owner
    unit = owner.parent
    appraisal.frozen_at = timezone.now()
    appraisal.owner_code = owner.code
    appraisal.owner_name = owner.name
    appraisal.unit_code = unit.code
    appraisal.unit_name = unit.name
    appraisal.unit_path = " > ".join(n.name for n in unit.get_ancestors(include_self=True))
    appraisal.position = owner.position
    appraisal.position_level = owner.position_level
    appraisal.staff_type = owner.staff_type
    if assessor is not None:
        appraisal.assessor_name = assessor.name
        appraisal.assessor_position = assessor.position
    appraisal.save()
    return appraisal


def worked_example_plan(owner: Node, the_round: Round, prefix="K") -> Plan:
    """DOMAIN.md's worked example: weights 40/35/25, levels 3, 3, 5 -> achievement 70.00."""
    plan = make_plan(owner, the_round)
    kra = make_kra(plan, name="ติดตามผลการดำเนินงาน", job="งานติดตามและประเมินผล")
    higher = make_kpi(kra, f"{prefix}1", name="ร้อยละของโครงการที่แล้วเสร็จ", weight=40, order=1)
    lower = make_kpi(
        kra, f"{prefix}2", name="จำนวนข้อผิดพลาดในรายงาน", scale="lower", weight=35, order=2
    )
    steps = make_kpi(
        kra, f"{prefix}3", name="ระดับความสำเร็จของการจัดทำแผน", scale="milestone", weight=25, order=3
    )
    record(higher, 77)
    record(lower, 27)
    record(steps, milestones=5)
    return plan


def standard_results(agency: SimpleNamespace, the_round: Round) -> SimpleNamespace:
    """A round with results across the standard agency.

    - officer1 (GRP): the worked example, assessed: achievement 70.00, total 79.00 (ดี)
    - officer2 (GRP): approved, one result of two in, not assessed
    - officer3 (GRP2): approved, all in, assessed: achievement 100.00, total 100.00 (ดีเด่น)
    - grp_head (GRP): plan submitted, not approved
    - outsider (OTHER): approved and assessed, in another department
    """
    plan1 = worked_example_plan(agency.officer1, the_round, prefix="O1-")
    appraisal1 = make_appraisal(plan1)

    plan2 = make_plan(agency.officer2, the_round)
    kra2 = make_kra(plan2)
    first = make_kpi(kra2, "O2-1", weight=60, order=1)
    make_kpi(kra2, "O2-2", weight=40, order=2)
    record(first, 80)
    make_appraisal(plan2, status=Appraisal.Status.OPEN)

    plan3 = make_plan(agency.officer3, the_round)
    kra3 = make_kra(plan3)
    record(make_kpi(kra3, "O3-1", weight=100), 90)
    appraisal3 = make_appraisal(plan3)

    head_plan = make_plan(agency.grp_head, the_round, status=Plan.Status.SUBMITTED)
    make_kpi(make_kra(head_plan), "GH-1", weight=100)

    outside = make_plan(agency.outsider, the_round)
    record(make_kpi(make_kra(outside), "X-1", weight=100), 85)
    make_appraisal(outside)
    return SimpleNamespace(
        plan1=plan1,
        appraisal1=appraisal1,
        plan2=plan2,
        plan3=plan3,
        appraisal3=appraisal3,
        head_plan=head_plan,
        outside=outside,
    )
