"""The demo agency's past and present: round 2568/2 closed, 2569/1 under way.

So that a person trying `make run` finds a product in use rather than empty
pages: the earlier round 2568/2 holds every person's approved plan (three
KPIs: higher, lower with an open level 1, milestones), results, assessed and
acknowledged appraisals, and is closed (dashboard, reports and printable
forms have figures). Round 2569/1, in planning, gets everyone's plans carried
forward as drafts; the officers of the first group have sent theirs, so its
head has plans to approve.

Built once, with the ORM in bulk where a service would repeat itself for
every person, then the services that give it its meaning: round_rescore
(levels, scores, totals, bands), round_close (placement and scores frozen),
plans_carry_forward and plan_submit.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from appraisals.closing import round_close
from appraisals.competencies import core_competencies, expected_level, expected_table
from appraisals.models import Appraisal, CompetencyRating, Result
from appraisals.placement import TreeIndex
from appraisals.policy import policy_for, rules_for
from appraisals.scores import round_rescore
from indicators.carry import plans_carry_forward
from indicators.models import KPI, KRA, Plan, Round
from indicators.rounds import round_save
from indicators.services import plan_submit
from orgchart.models import Kind, Node

PAST_ROUND = "2568/2"
D = Decimal
JOB = "งานตามแผนปฏิบัติราชการประจำปี"
KRA_NAME = "ผลการดำเนินงานบรรลุเป้าหมายตามแผน"
STEPS = ("จัดทำแผนการดำเนินงาน", "ดำเนินการตามแผน", "ติดตามความก้าวหน้า", "สรุปผลการดำเนินงาน",
         "รายงานผลต่อผู้บริหาร")  # fmt: skip


def _kpis(plan: Plan, kra: KRA, code: str) -> list[KPI]:
    common = {"round_id": plan.round_id, "plan": plan, "kra": kra}
    return [
        KPI(**common, code=f"{code}-1", order=1, weight=D(40), scale=KPI.Scale.HIGHER,
            name="ร้อยละของงานตามแผนที่แล้วเสร็จภายในกำหนด", unit="ร้อยละ",
            category=KPI.Category.QUANTITY, level_1=D(60), level_2=D(70), level_3=D(80),
            level_4=D(90), level_5=D(100)),
        KPI(**common, code=f"{code}-2", order=2, weight=D(35), scale=KPI.Scale.LOWER,
            name="ระยะเวลาเฉลี่ยในการตอบหนังสือและข้อร้องเรียน", unit="วัน",
            category=KPI.Category.TIMELINESS, level_1=None, level_2=D(15), level_3=D(12),
            level_4=D(10), level_5=D(8)),
        KPI(**common, code=f"{code}-3", order=3, weight=D(25), scale=KPI.Scale.MILESTONE,
            name="ระดับความสำเร็จของการรายงานผลการดำเนินงาน", unit="ระดับ",
            category=KPI.Category.QUALITY,
            **{f"milestone_{n}": step for n, step in enumerate(STEPS, start=1)}),
    ]  # fmt: skip


def _result(kpi: KPI, rng: random.Random) -> Result:
    if kpi.scale == KPI.Scale.MILESTONE:
        return Result(kpi=kpi, milestones_done=rng.choice((3, 4, 4, 5, 5)))
    if kpi.scale == KPI.Scale.HIGHER:
        return Result(kpi=kpi, actual=D(rng.choice((68, 75, 82, 85, 88, 92, 95, 100))))
    return Result(kpi=kpi, actual=D(rng.choice((7, 9, 10, 11, 13, 16))))


def past_round_save(*, hr: Node) -> Round | None:
    """Round 2568/2 as described above; None when it exists already (nothing changes).

    `hr` is the department's HR officer, who closes the round and records the
    decisions on the plans that have no supervisor in the tree.
    """
    fiscal_year, number = (int(part) for part in PAST_ROUND.split("/"))
    if Round.objects.filter(fiscal_year=fiscal_year, number=number).exists():
        return None
    the_round, _created = round_save(code=PAST_ROUND)
    policy_for(the_round)
    tree = Node.objects.filter(tree_id=hr.tree_id).select_related("user").order_by("lft")
    index = TreeIndex(tree)
    people = [
        node for node in index.nodes.values() if node.kind == Kind.INDIVIDUAL and node.is_active
    ]
    approved_at = timezone.now() - timedelta(days=240)
    supervisors = {person.pk: next(iter(index.supervisor_chain(person)), None) for person in people}
    plans = Plan.objects.bulk_create(
        Plan(
            round=the_round,
            owner=person,
            status=Plan.Status.APPROVED,
            submitted_at=approved_at,
            submitted_by=person.user,
            approved_at=approved_at,
            approved_by=getattr(supervisors[person.pk], "user", None) or hr.user,
        )
        for person in people
    )
    kras = KRA.objects.bulk_create(KRA(plan=plan, job=JOB, name=KRA_NAME) for plan in plans)
    kpis = KPI.objects.bulk_create(
        kpi
        for plan, kra, person in zip(plans, kras, people, strict=True)
        for kpi in _kpis(plan, kra, f"68-{person.code}")
    )
    rng = random.Random(25682)  # the same demo every time
    Result.objects.bulk_create(_result(kpi, rng) for kpi in kpis)
    _appraisals(plans, people, supervisors, rng, hr)
    Round.objects.filter(pk=the_round.pk).update(status=Round.Status.ASSESSMENT)
    the_round.refresh_from_db()
    round_rescore(the_round, rules_for(the_round))
    round_close(round=the_round, by=hr.user)
    return the_round


def _appraisals(plans, people, supervisors, rng: random.Random, hr: Node) -> None:
    """Self-assessed, assessed (five competencies) and acknowledged, for every person."""
    now = timezone.now() - timedelta(days=60)
    appraisals = Appraisal.objects.bulk_create(
        Appraisal(
            plan=plan,
            status=Appraisal.Status.ACKNOWLEDGED,
            self_assessed_at=now,
            assessed_at=now,
            assessed_by=getattr(supervisors[person.pk], "user", None) or hr.user,
            acknowledged_at=now,
        )
        for plan, person in zip(plans, people, strict=True)
    )
    competencies = core_competencies()
    table = expected_table({person.position_level for person in people})
    ratings = []
    for appraisal, person in zip(appraisals, people, strict=True):
        for competency in competencies:
            expected = expected_level(table, competency.pk, person.position_level)
            observed = min(5, max(0, expected + rng.choice((-1, 0, 0, 0, 1))))
            ratings.append(
                CompetencyRating(
                    appraisal=appraisal, competency=competency, expected=expected, observed=observed
                )
            )
    CompetencyRating.objects.bulk_create(ratings)


def current_round_start(*, source: Round, target: Round, hr: Node) -> int:
    """Everyone's plans of `source` carried into `target` as drafts; the first group sends theirs.

    Returns how many plans were sent for approval.
    """
    plans_carry_forward(source=source, target=target, tree_id=hr.tree_id, by=hr.user)
    head = (
        Node.objects.filter(
            tree_id=hr.tree_id, kind=Kind.INDIVIDUAL, is_head=True, parent__kind=Kind.GROUP
        )
        .order_by("lft")
        .first()
    )
    sent = 0
    if head is None:
        return sent
    officers = Node.objects.filter(parent_id=head.parent_id, is_head=False, kind=Kind.INDIVIDUAL)
    for plan in Plan.objects.filter(round=target, owner__in=officers).select_related("owner"):
        plan_submit(plan=plan, by=plan.owner.user)
        sent += 1
    return sent
