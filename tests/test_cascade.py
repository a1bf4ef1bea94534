"""Cascading services: direct, split target, partial delegation (DOMAIN.md "Cascading")."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import cascade, rules
from indicators.models import KPI, HistoryEntry, Plan, Round
from indicators.splits import split_coverage
from orgchart.access import forget_roles
from tests.factories_cascade import add_officers, make_kpi, make_plan

D = Decimal


@pytest.fixture
def head_kpi(agency, the_round):
    """grp_head's own KPI: 'จำนวนเรื่อง' 10/20/30/40/50, on grp_head's plan."""
    return make_kpi(
        make_plan(agency.grp_head, the_round), "K1", category="quantity", method="นับจากระบบ"
    )


def test_direct_cascade_gives_children_the_same_kpi_in_a_kra_of_the_same_name(agency, head_kpi):
    created = cascade.kpi_cascade_direct(
        kpi=head_kpi, children=[agency.officer1, agency.officer2], by=agency.grp_head.user
    )

    assert len(created) == 2
    child = KPI.objects.select_related("plan", "kra").get(plan__owner=agency.officer1)
    assert child.code == "P-O1-1"  # the owner's code and a number, as the form gives
    assert child.parent == head_kpi and child.cascade == KPI.Cascade.DIRECT
    assert child.levels == head_kpi.levels
    assert (child.name, child.unit, child.scale, child.category) == (
        head_kpi.name,
        "เรื่อง",
        "higher",
        "quantity",
    )
    assert (child.kra.job, child.kra.name) == ("งานบริการ", "บริการรวดเร็ว")
    assert child.weight == 0
    assert child.plan.status == Plan.Status.DRAFT
    assert HistoryEntry.objects.filter(plan=child.plan, action="kpi_cascade_in").count() == 1
    assert HistoryEntry.objects.filter(plan=head_kpi.plan, action="kpi_cascade").count() == 1


def test_direct_child_plan_fails_the_weight_rule_until_the_child_sets_a_weight(agency, head_kpi):
    cascade.kpi_cascade_direct(kpi=head_kpi, children=[agency.officer1], by=agency.grp_head.user)
    plan = Plan.objects.get(owner=agency.officer1)

    review = rules.review_plan(
        round=plan.round, kras=list(plan.kras.all()), kpis=list(plan.kpis.all())
    )
    assert not review.ok
    assert any("น้ำหนัก" in problem.message for problem in review.errors)


def test_direct_cascade_with_a_default_weight(agency, head_kpi):
    cascade.kpi_cascade_direct(
        kpi=head_kpi, children=[agency.officer1], weight="100", by=agency.grp_head.user
    )
    assert KPI.objects.get(plan__owner=agency.officer1).weight == 100


def test_cascading_twice_to_the_same_child_does_not_duplicate(agency, head_kpi):
    cascade.kpi_cascade_direct(kpi=head_kpi, children=[agency.officer1], by=agency.grp_head.user)
    again = cascade.kpi_cascade_direct(
        kpi=head_kpi, children=[agency.officer1, agency.officer2], by=agency.grp_head.user
    )
    assert [kpi.plan.owner for kpi in again] == [agency.officer2]
    assert KPI.objects.filter(parent=head_kpi).count() == 2


def test_code_takes_the_next_number_when_the_owners_next_is_taken(agency, the_round, head_kpi):
    make_kpi(make_plan(agency.officer2, the_round), "P-O1-1")
    cascade.kpi_cascade_direct(kpi=head_kpi, children=[agency.officer1], by=agency.grp_head.user)
    assert KPI.objects.get(plan__owner=agency.officer1).code == "P-O1-2"


def test_child_kpi_goes_into_an_existing_kra_with_the_same_name(agency, the_round, head_kpi):
    plan = make_plan(agency.officer1, the_round)
    own = make_kpi(plan, "OWN", weight=50)
    cascade.kpi_cascade_direct(kpi=head_kpi, children=[agency.officer1], by=agency.grp_head.user)
    assert plan.kras.count() == 1
    child = KPI.objects.get(parent=head_kpi)
    assert child.kra_id == own.kra_id and child.order > own.order


def test_draft_direct_children_follow_the_parent_and_locked_ones_do_not(agency, head_kpi):
    cascade.kpi_cascade_direct(
        kpi=head_kpi, children=[agency.officer1, agency.officer2], by=agency.grp_head.user
    )
    Plan.objects.filter(owner=agency.officer2).update(status=Plan.Status.APPROVED)
    head_kpi.name, head_kpi.level_5, head_kpi.unit = "จำนวนเรื่องที่แล้วเสร็จ", D(60), "ฉบับ"
    head_kpi.save()

    followed = cascade.direct_children_follow(kpi=head_kpi, by=agency.grp_head.user)

    assert followed == 1
    draft = KPI.objects.get(plan__owner=agency.officer1)
    assert (draft.name, draft.level_5, draft.unit) == ("จำนวนเรื่องที่แล้วเสร็จ", 60, "ฉบับ")
    approved = KPI.objects.get(plan__owner=agency.officer2)
    assert (approved.name, approved.level_5) == ("จำนวนเรื่องที่ดำเนินการแล้วเสร็จ", 50)
    entry = HistoryEntry.objects.get(plan=draft.plan, action="kpi_follow")
    assert entry.changes["level_5"] == ["50", "60"]


def test_follow_goes_down_every_generation_of_direct_children(agency, the_round):
    top = make_kpi(make_plan(agency.div_head, the_round), "D1")
    cascade.kpi_cascade_direct(kpi=top, children=[agency.grp_head], by=agency.div_head.user)
    middle = KPI.objects.get(parent=top)
    cascade.kpi_cascade_direct(kpi=middle, children=[agency.officer1], by=agency.grp_head.user)
    top.level_3 = D(33)
    top.save()

    assert cascade.direct_children_follow(kpi=top, by=agency.div_head.user) == 2
    assert KPI.objects.get(plan__owner=agency.officer1).level_3 == 33


def test_following_changes_nothing_when_nothing_changed(agency, head_kpi):
    cascade.kpi_cascade_direct(kpi=head_kpi, children=[agency.officer1], by=agency.grp_head.user)
    assert cascade.direct_children_follow(kpi=head_kpi, by=agency.grp_head.user) == 0
    assert not HistoryEntry.objects.filter(action="kpi_follow").exists()


def test_unit_reporting_to_the_head_can_receive_a_kpi(agency, the_round):
    top = make_kpi(make_plan(agency.div_head, the_round), "D1")
    cascade.kpi_cascade_direct(kpi=top, children=[agency.grp], by=agency.div_head.user)
    assert KPI.objects.get(parent=top).plan.owner == agency.grp


def test_a_unit_plans_kpi_is_cascaded_by_the_units_head(agency, the_round):
    unit_kpi = make_kpi(make_plan(agency.grp, the_round), "G1")
    cascade.kpi_cascade_direct(kpi=unit_kpi, children=[agency.officer1], by=agency.grp_head.user)
    assert KPI.objects.get(parent=unit_kpi).plan.owner == agency.officer1


# --- refusals -------------------------------------------------------------


def test_only_the_holder_may_cascade(agency, head_kpi):
    with pytest.raises(PermissionDenied):
        cascade.kpi_cascade_direct(
            kpi=head_kpi, children=[agency.officer1], by=agency.div_head.user
        )
    assert not KPI.objects.filter(parent=head_kpi).exists()


def test_cannot_cascade_to_someone_who_does_not_report_to_you(agency, head_kpi):
    with pytest.raises(PermissionDenied):
        cascade.kpi_cascade_direct(
            kpi=head_kpi, children=[agency.officer1, agency.officer3], by=agency.grp_head.user
        )
    assert not KPI.objects.filter(parent=head_kpi).exists()
    assert not Plan.objects.filter(owner=agency.officer1).exists()


@pytest.mark.parametrize("status", [Round.Status.CLOSED, Round.Status.TRACKING])
def test_cascading_is_refused_outside_planning(agency, the_round, head_kpi, status):
    Round.objects.filter(pk=the_round.pk).update(status=status)
    with pytest.raises(ValidationError) as error:
        cascade.kpi_cascade_direct(
            kpi=head_kpi, children=[agency.officer1], by=agency.grp_head.user
        )
    assert "ช่วงวางแผน" in str(error.value) or "ปิดแล้ว" in str(error.value)
    assert not KPI.objects.filter(parent=head_kpi).exists()


@pytest.mark.parametrize("status", [Plan.Status.SUBMITTED, Plan.Status.APPROVED])
def test_cascading_into_a_submitted_or_approved_plan_is_refused(
    agency, the_round, head_kpi, status
):
    make_plan(agency.officer1, the_round, status)
    with pytest.raises(ValidationError) as error:
        cascade.kpi_cascade_direct(
            kpi=head_kpi, children=[agency.officer1, agency.officer2], by=agency.grp_head.user
        )
    assert "เปิดแผนใหม่" in str(error.value)
    assert not KPI.objects.filter(parent=head_kpi).exists()
    assert not Plan.objects.filter(owner=agency.officer2).exists()


# --- split ----------------------------------------------------------------


def test_split_divides_the_targets_among_the_children(agency, head_kpi):
    children = cascade.kpi_cascade_split(
        kpi=head_kpi,
        allocations={agency.officer1: (5, 10, 15, 20, 25), agency.officer2: (5, 10, 15, 20, 30)},
        by=agency.grp_head.user,
    )
    assert len(children) == 2
    one = KPI.objects.get(plan__owner=agency.officer1)
    assert one.cascade == KPI.Cascade.SPLIT and one.levels == (5, 10, 15, 20, 25)


def test_split_shortfall_is_rejected_naming_the_level_and_the_shortfall(agency, head_kpi):
    with pytest.raises(ValidationError) as error:
        cascade.kpi_cascade_split(
            kpi=head_kpi,
            allocations={
                agency.officer1: (5, 10, 15, 20, 22),
                agency.officer2: (5, 10, 15, 19, 25),
            },
            by=agency.grp_head.user,
        )
    messages = error.value.messages
    assert any("ระดับ 4" in m and "39" in m and "ขาดอีก 1" in m for m in messages)
    assert any("ระดับ 5" in m and "ขาดอีก 3" in m for m in messages)
    assert not any("ระดับ 3" in m for m in messages)
    assert not KPI.objects.filter(parent=head_kpi).exists()


def test_lower_split_must_stay_at_most_the_parents_target(agency, the_round):
    errors = make_kpi(
        make_plan(agency.grp_head, the_round),
        "E1",
        scale="lower",
        levels=(None, 35, 30, 25, 20),
        unit="ครั้ง",
    )
    with pytest.raises(ValidationError) as error:
        cascade.kpi_cascade_split(
            kpi=errors,
            allocations={
                agency.officer1: (None, 20, 17, 13, 10),
                agency.officer2: (None, 15, 14, 12, 10),
            },
            by=agency.grp_head.user,
        )
    assert error.value.messages == ["ระดับ 3: ผลรวมของผู้รับ 31 มากกว่าค่าเป้าหมายของต้นทาง 30 (เกินอยู่ 1)"]


def test_open_parent_level_1_lets_the_children_leave_level_1_open(agency, the_round):
    parent = make_kpi(make_plan(agency.grp_head, the_round), "E1", levels=(None, 20, 30, 40, 50))
    cascade.kpi_cascade_split(
        kpi=parent,
        allocations={
            agency.officer1: (None, 10, 15, 20, 25),
            agency.officer2: ("", 10, 15, 20, 25),
        },
        by=agency.grp_head.user,
    )
    assert KPI.objects.get(plan__owner=agency.officer1).level_1 is None


@pytest.mark.parametrize(
    ("unit", "scale", "levels", "word"),
    [
        ("ร้อยละ", "higher", (60, 70, 80, 90, 95), "ร้อยละ"),
        ("%", "higher", (60, 70, 80, 90, 95), "ร้อยละ"),
        ("", "milestone", ("ก", "ข", "ค", "ง", "จ"), "ขั้นตอน"),
    ],
)
def test_percentages_and_milestones_cannot_be_split(agency, the_round, unit, scale, levels, word):
    parent = make_kpi(
        make_plan(agency.grp_head, the_round), "P1", unit=unit, scale=scale, levels=levels
    )
    with pytest.raises(ValidationError) as error:
        cascade.kpi_cascade_split(
            kpi=parent, allocations={agency.officer1: levels}, by=agency.grp_head.user
        )
    assert word in error.value.messages[0]
    assert not KPI.objects.filter(parent=parent).exists()


def test_each_childs_split_levels_must_be_valid(agency, head_kpi):
    with pytest.raises(ValidationError) as error:
        cascade.kpi_cascade_split(
            kpi=head_kpi,
            allocations={
                agency.officer1: (10, 30, 20, 40, 50),
                agency.officer2: (5, 5, 15, 20, 25),
            },
            by=agency.grp_head.user,
        )
    assert any(m.startswith(agency.officer1.name) and "ระดับ 3" in m for m in error.value.messages)


def test_resplitting_updates_adds_and_removes_children(agency, head_kpi, the_round):
    extra = add_officers(agency.grp, 1)[0]
    cascade.kpi_cascade_split(
        kpi=head_kpi,
        allocations={agency.officer1: (5, 10, 15, 20, 25), agency.officer2: (5, 10, 15, 20, 25)},
        by=agency.grp_head.user,
    )
    cascade.kpi_cascade_split(
        kpi=head_kpi,
        allocations={agency.officer1: (6, 12, 18, 24, 30), extra: (4, 8, 12, 16, 20)},
        by=agency.grp_head.user,
    )
    owners = dict(KPI.objects.filter(parent=head_kpi).values_list("plan__owner__code", "level_5"))
    assert owners == {"P-O1": 30, extra.code: 20}
    assert HistoryEntry.objects.filter(action="kpi_split_update").count() == 1
    assert HistoryEntry.objects.filter(action="kpi_split_remove").count() == 1
    assert not Plan.objects.get(owner=agency.officer2).kras.exists()


def test_resplitting_cannot_drop_a_child_whose_plan_is_approved(agency, head_kpi):
    cascade.kpi_cascade_split(
        kpi=head_kpi,
        allocations={agency.officer1: (5, 10, 15, 20, 25), agency.officer2: (5, 10, 15, 20, 25)},
        by=agency.grp_head.user,
    )
    Plan.objects.filter(owner=agency.officer2).update(status=Plan.Status.APPROVED)
    with pytest.raises(ValidationError):
        cascade.kpi_cascade_split(
            kpi=head_kpi,
            allocations={agency.officer1: (10, 20, 30, 40, 50)},
            by=agency.grp_head.user,
        )
    assert KPI.objects.filter(parent=head_kpi).count() == 2


def test_split_coverage_reports_every_level():
    coverage = split_coverage(
        "higher", (None, 20, 30, 40, 50), [(None, 10, 15, 20, 25), (None, 10, 14, 20, 30)]
    )
    assert [(row.level, row.sum, row.parent_target, row.ok) for row in coverage] == [
        (1, None, None, True),
        (2, 20, 20, True),
        (3, 29, 30, False),
        (4, 40, 40, True),
        (5, 55, 50, True),
    ]
    assert coverage[2].gap == 1


# --- partial --------------------------------------------------------------


def test_partial_gives_the_child_its_own_kpi_linked_to_the_parent(agency, head_kpi):
    first = cascade.kpi_cascade_partial(
        kpi=head_kpi,
        child=agency.officer1,
        name="จำนวนหนังสือที่ร่างเสร็จ",
        unit="ฉบับ",
        scale="milestone",
        levels=["ร่าง", "ตรวจ", "แก้", "เสนอ", "ลงนาม"],
        weight=30,
        by=agency.grp_head.user,
    )
    second = cascade.kpi_cascade_partial(
        kpi=head_kpi,
        child=agency.officer1,
        name="จำนวนเรื่องที่ตรวจสอบ",
        unit="เรื่อง",
        scale="higher",
        levels=["", 2, 4, 6, 8],
        by=agency.grp_head.user,
    )
    assert first.parent == head_kpi == second.parent
    assert first.cascade == second.cascade == KPI.Cascade.PARTIAL
    assert first.milestone_5 == "ลงนาม" and first.level_5 is None and first.weight == 30
    assert second.levels == (None, 2, 4, 6, 8)
    assert first.code != second.code


def test_partial_with_bad_levels_saves_nothing(agency, head_kpi):
    with pytest.raises(ValidationError) as error:
        cascade.kpi_cascade_partial(
            kpi=head_kpi,
            child=agency.officer1,
            name="ส่วนหนึ่ง",
            unit="เรื่อง",
            scale="higher",
            levels=[1, 2, 2, 4, 5],
            by=agency.grp_head.user,
        )
    assert "level_3" in error.value.message_dict
    assert not KPI.objects.filter(parent=head_kpi).exists()


# --- cost -----------------------------------------------------------------


def _direct_queries(agency, the_round, count: int, code: str) -> int:
    officers = add_officers(agency.grp, count, prefix=code)
    kpi = make_kpi(make_plan(agency.grp_head, the_round), code)
    user = agency.grp_head.user
    forget_roles(user)
    with CaptureQueriesContext(connection) as queries:
        cascade.kpi_cascade_direct(kpi=kpi, children=officers, by=user)
    assert KPI.objects.filter(parent=kpi).count() == count
    return len(queries)


def test_cascading_to_30_children_costs_as_many_queries_as_to_3(agency, the_round):
    assert _direct_queries(agency, the_round, 3, "S") == _direct_queries(agency, the_round, 30, "L")


def test_cascading_to_200_children_costs_a_bounded_number_of_queries(
    agency, the_round, django_assert_max_num_queries
):
    officers = add_officers(agency.grp, 200)
    kpi = make_kpi(make_plan(agency.grp_head, the_round), "BIG")
    allocations = {officer: (1, 2, 3, 4, 5) for officer in officers}
    # SQLite cuts inserts into batches of ~30 rows (999 parameters); PostgreSQL does not.
    with django_assert_max_num_queries(40):
        cascade.kpi_cascade_split(kpi=kpi, allocations=allocations, by=agency.grp_head.user)
    assert KPI.objects.filter(parent=kpi).count() == 200


def test_editing_a_parent_through_the_plan_services_makes_draft_children_follow(agency, head_kpi):
    from indicators import services

    cascade.kpi_cascade_direct(kpi=head_kpi, children=[agency.officer1], by=agency.grp_head.user)
    services.kpi_save(
        plan=head_kpi.plan,
        kpi=head_kpi,
        data={"name": "จำนวนเรื่องที่ปิดได้"},
        expected_version=None,
        by=agency.grp_head.user,
    )
    assert KPI.objects.get(plan__owner=agency.officer1).name == "จำนวนเรื่องที่ปิดได้"
