"""Approval: draft -> submitted -> approved, or returned with a comment; reopening; who may."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from indicators import services
from indicators.models import KPI, Plan, Round
from indicators.plans import StaleEdit
from orgchart.models import Kind
from tests.conftest import make_node
from tests.factories_plans import make_plan


def post(client, name, plan, **data):
    data.setdefault("version", plan.version)
    return client.post(reverse(f"indicators:{name}", args=[plan.pk]), data, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def fresh(plan) -> Plan:
    return Plan.objects.get(pk=plan.pk)


def test_submit_return_fix_resubmit_approve_then_locked(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=[60, 30])
    officer, head = client_for(agency.officer1), client_for(agency.grp_head)

    response = post(officer, "plan_submit", plan)
    assert "น้ำหนักรวมต้องเท่ากับ 100 พอดี (ขณะนี้ 90)" in messages_of(response)
    assert fresh(plan).status == Plan.Status.DRAFT

    KPI.objects.filter(plan=plan, weight=30).update(weight=40)
    response = post(officer, "plan_submit", fresh(plan))
    assert "ส่งแผนให้ผู้บังคับบัญชาแล้ว" in messages_of(response)
    plan = fresh(plan)
    assert plan.status == Plan.Status.SUBMITTED and plan.submitted_by == agency.officer1.user

    response = post(head, "plan_return", plan, comment="")
    assert "กรุณาระบุเหตุผลหรือสิ่งที่ต้องแก้ไขก่อนส่งกลับ" in messages_of(response)
    assert fresh(plan).status == Plan.Status.SUBMITTED

    response = post(head, "plan_return", plan, comment="ระดับ 5 ยังไม่ท้าทาย")
    plan = fresh(plan)
    assert plan.status == Plan.Status.RETURNED and plan.return_comment == "ระดับ 5 ยังไม่ท้าทาย"
    assert (
        "ระดับ 5 ยังไม่ท้าทาย"
        in officer.get(reverse("indicators:plan", args=[plan.pk])).content.decode()
    )

    kpi = plan.kpis.first()
    response = officer.post(
        reverse("indicators:kpi_edit", args=[kpi.pk]),
        {
            "version": plan.version,
            "kra": kpi.kra_id,
            "code": kpi.code,
            "name": kpi.name,
            "scale": "higher",
            "level_1": "10",
            "level_2": "20",
            "level_3": "30",
            "level_4": "45",
            "level_5": "60",
            "weight": str(kpi.weight),
            "unit": "ร้อยละ",
        },
    )
    assert response.status_code == 302
    plan = fresh(plan)
    assert post(officer, "plan_submit", plan).status_code == 200
    plan = fresh(plan)
    assert plan.status == Plan.Status.SUBMITTED

    response = post(head, "plan_approve", plan)
    assert "อนุมัติแผนแล้ว" in messages_of(response)
    plan = fresh(plan)
    assert plan.status == Plan.Status.APPROVED and plan.approved_by == agency.grp_head.user

    response = officer.post(
        reverse("indicators:kpi_edit", args=[kpi.pk]),
        {
            "version": plan.version,
            "kra": kpi.kra_id,
            "code": kpi.code,
            "name": "แก้หลังอนุมัติ",
            "scale": "higher",
            "level_2": "20",
            "level_3": "30",
            "level_4": "45",
            "level_5": "60",
            "weight": str(kpi.weight),
        },
    )
    assert "แผนนี้อนุมัติแล้ว จึงแก้ไขไม่ได้ ต้องขอเปิดแผนใหม่ก่อน" in response.content.decode()
    assert KPI.objects.get(pk=kpi.pk).name != "แก้หลังอนุมัติ"
    actions = list(plan.history.values_list("action", flat=True))
    assert actions[:4] == ["plan_approve", "plan_submit", "kpi_update", "plan_return"]


def test_submit_lists_every_problem(agency, the_round):
    plan = make_plan(
        agency.officer1, the_round, kras=2, kpis=[{"weight": 50, "levels": (5, 4, 3, 2, 1)}]
    )
    with pytest.raises(ValidationError) as caught:
        services.plan_submit(plan=plan, by=agency.officer1.user)
    text = " ".join(caught.value.messages)
    assert "ระดับ 2 ต้องมากกว่าระดับ 1" in text
    assert "ยังไม่มีตัวชี้วัด" in text
    assert "น้ำหนักรวมต้องเท่ากับ 100" in text


def test_approving_a_plan_outside_ones_subtree_is_404(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    response = post(client_for(agency.sibling_head), "plan_approve", plan)
    assert response.status_code == 404
    assert fresh(plan).status == Plan.Status.SUBMITTED


def test_approving_ones_own_plan_is_403(agency, the_round, client_for):
    plan = make_plan(agency.grp_head, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    assert post(client_for(agency.grp_head), "plan_approve", plan).status_code == 403
    assert fresh(plan).status == Plan.Status.SUBMITTED


def test_an_officer_cannot_approve_a_colleagues_plan(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    # officer2 does not see officer1's plan at all, so the answer is 404 (not 403).
    assert post(client_for(agency.officer2), "plan_approve", plan).status_code == 404
    assert fresh(plan).status == Plan.Status.SUBMITTED


@pytest.mark.parametrize("who", ["hr", "div_head", "admin"])
def test_only_the_direct_supervisor_approves(agency, the_round, client_for, who):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    assert post(client_for(getattr(agency, who)), "plan_approve", plan).status_code == 403
    assert (
        post(client_for(getattr(agency, who)), "plan_return", plan, comment="x").status_code == 403
    )
    assert fresh(plan).status == Plan.Status.SUBMITTED


def test_a_unit_plan_is_approved_by_the_supervisor_of_its_head(agency, the_round, client_for):
    plan = make_plan(agency.grp, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    assert post(client_for(agency.grp_head), "plan_approve", plan).status_code == 403
    post(client_for(agency.div_head), "plan_approve", plan)
    assert fresh(plan).status == Plan.Status.APPROVED


def test_only_a_submitted_plan_is_approved(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    response = post(client_for(agency.grp_head), "plan_approve", plan)
    assert "แผนนี้ไม่ได้อยู่ระหว่างรออนุมัติ (สถานะขณะนี้: ร่าง)" in messages_of(response)
    assert fresh(plan).status == Plan.Status.DRAFT


def test_approval_only_while_the_round_is_planning(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    Round.objects.filter(pk=the_round.pk).update(status=Round.Status.TRACKING)
    response = post(client_for(agency.grp_head), "plan_approve", plan)
    assert "อนุมัติหรือส่งกลับแผนได้เฉพาะช่วงวางแผนของรอบการประเมินเท่านั้น" in messages_of(response)
    assert fresh(plan).status == Plan.Status.SUBMITTED


def test_two_approvals_of_one_plan_the_second_gets_a_clear_message(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    seen = plan.version
    first, second = client_for(agency.grp_head), client_for(agency.grp_head)
    assert "อนุมัติแผนแล้ว" in messages_of(post(first, "plan_approve", plan, version=seen))
    response = post(second, "plan_approve", plan, version=seen)
    assert "แผนนี้ถูกดำเนินการไปแล้วหลังจากที่คุณเปิดหน้านี้ (สถานะขณะนี้: อนุมัติแล้ว) กรุณาโหลดหน้าใหม่" in (
        messages_of(response)
    )
    assert fresh(plan).history.filter(action="plan_approve").count() == 1


def test_approve_then_return_at_once_keeps_the_first_decision(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    seen = plan.version
    services.plan_approve(plan=fresh(plan), by=agency.grp_head.user, expected_version=seen)
    with pytest.raises(ValidationError, match="แผนนี้ถูกดำเนินการไปแล้วหลังจากที่คุณเปิดหน้านี้"):
        services.plan_return(
            plan=plan, comment="แก้", by=agency.grp_head.user, expected_version=seen
        )
    assert fresh(plan).status == Plan.Status.APPROVED


def test_a_service_approval_without_version_still_refuses_the_second(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    stale_copy = fresh(plan)
    services.plan_approve(plan=plan, by=agency.grp_head.user)
    with pytest.raises(ValidationError, match="ไม่ได้อยู่ระหว่างรออนุมัติ"):
        services.plan_approve(plan=stale_copy, by=agency.grp_head.user)


# Reopening ------------------------------------------------------------------------


def test_reopen_requires_a_reason(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.APPROVED)
    response = post(client_for(agency.grp_head), "plan_reopen", plan, reason="  ")
    assert "กรุณาระบุเหตุผลที่ขอเปิดแผนใหม่" in messages_of(response)
    assert fresh(plan).status == Plan.Status.APPROVED
    with pytest.raises(ValidationError):
        services.plan_reopen(plan=plan, reason="", by=agency.grp_head.user)


@pytest.mark.parametrize("who", ["grp_head", "hr"])
def test_supervisor_or_hr_reopens_with_a_reason(agency, the_round, client_for, who):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.APPROVED)
    response = post(client_for(getattr(agency, who)), "plan_reopen", plan, reason="ปรับตามนโยบายใหม่")
    assert "เปิดแผนใหม่แล้ว แก้ไขได้อีกครั้ง" in messages_of(response)
    plan = fresh(plan)
    assert plan.status == Plan.Status.DRAFT and plan.is_editable
    entry = plan.history.get(action="plan_reopen")
    assert entry.comment == "ปรับตามนโยบายใหม่"
    assert entry.changes == {"status": ["approved", "draft"]}


def test_the_holder_cannot_reopen_their_own_plan(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.APPROVED)
    assert post(client_for(agency.officer1), "plan_reopen", plan, reason="x").status_code == 403
    assert post(client_for(agency.sibling_head), "plan_reopen", plan, reason="x").status_code == 404
    assert post(client_for(agency.hr_other), "plan_reopen", plan, reason="x").status_code == 404
    assert fresh(plan).status == Plan.Status.APPROVED


def test_reopen_of_a_draft_is_refused_with_a_message(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    with pytest.raises(ValidationError, match="แผนนี้ยังแก้ไขได้อยู่แล้ว"):
        services.plan_reopen(plan=plan, reason="x", by=agency.grp_head.user)


# Bulk approval ----------------------------------------------------------------------


def test_bulk_approval_approves_each_plan_on_its_own(agency, the_round):
    good = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    draft = make_plan(agency.officer2, the_round, kpis=1)
    stranger = make_plan(agency.officer3, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    outcomes = services.plans_approve(plans=[good, draft, stranger], by=agency.grp_head.user)
    assert [o.approved for o in outcomes] == [True, False, False]
    assert "ไม่ได้อยู่ระหว่างรออนุมัติ" in outcomes[1].message
    assert fresh(good).status == Plan.Status.APPROVED
    assert fresh(stranger).status == Plan.Status.SUBMITTED


def test_bulk_approval_refuses_a_plan_changed_since_the_page_loaded(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    outcomes = services.plans_approve(
        plans=[plan], by=agency.grp_head.user, versions={plan.pk: plan.version - 1 or 99}
    )
    assert not outcomes[0].approved
    assert fresh(plan).status == Plan.Status.SUBMITTED


def test_services_check_who_decides(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.plan_approve(plan=plan, by=agency.officer2.user)
    with pytest.raises(PermissionDenied):
        services.plan_submit(plan=plan, by=agency.grp_head.user)


def test_stale_submit_is_refused(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    with pytest.raises(StaleEdit):
        services.plan_submit(plan=plan, by=agency.officer1.user, expected_version=plan.version + 5)
    assert fresh(plan).status == Plan.Status.DRAFT


def test_approval_rechecks_the_rules(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=3, status=Plan.Status.SUBMITTED)
    Round.objects.filter(pk=the_round.pk).update(max_kpis=2)
    with pytest.raises(ValidationError, match="มีตัวชี้วัดได้ไม่เกิน 2 ตัว"):
        services.plan_approve(plan=fresh(plan), by=agency.grp_head.user)


def test_a_plan_with_no_supervisor_in_the_tree_is_approved_by_hr(agency, the_round, client_for):
    # The department head answers to the minister, outside the tree: HR records the decision.
    plan = make_plan(agency.dept_head, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    url = reverse("indicators:plan", args=[plan.pk])
    assert client_for(agency.hr_other).get(url).status_code == 404
    refused = post(client_for(agency.div_head), "plan_approve", plan)
    assert refused.status_code == 404  # the plan is outside his view
    assert fresh(plan).status == Plan.Status.SUBMITTED

    hr = client_for(agency.hr)
    assert reverse("indicators:plan_approve", args=[plan.pk]) in hr.get(url).content.decode()
    post(hr, "plan_approve", plan)

    plan = fresh(plan)
    assert plan.status == Plan.Status.APPROVED and plan.approved_by == agency.hr.user


def test_the_department_head_does_not_approve_his_own_plans(agency, the_round):
    own = make_plan(agency.dept_head, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    department = make_plan(agency.dept, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    for plan in (own, department):
        with pytest.raises(PermissionDenied):
            services.plan_approve(plan=plan, by=agency.dept_head.user)
        services.plan_approve(plan=fresh(plan), by=agency.admin)
        assert fresh(plan).status == Plan.Status.APPROVED


def test_hr_finds_the_plans_waiting_for_them_on_the_rounds_page(agency, the_round, client_for):
    top = make_plan(agency.dept_head, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)  # grp_head's

    page = client_for(agency.hr).get(reverse("indicators:rounds")).content.decode()
    other = client_for(agency.hr_other).get(reverse("indicators:rounds")).content.decode()

    assert "แผนที่รอเจ้าหน้าที่บุคคลบันทึกการอนุมัติ" in page
    assert reverse("indicators:plan", args=[top.pk]) in page
    assert page.count('<li><a href="/kpi/plan/') == 1
    assert "แผนที่รอเจ้าหน้าที่บุคคลบันทึกการอนุมัติ" not in other


@pytest.mark.parametrize("departments", [1, 4])
def test_the_rounds_page_costs_the_same_queries_with_more_plans_waiting(
    agency, the_round, client_for, django_assert_num_queries, departments
):
    make_plan(agency.dept_head, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    for number in range(departments - 1):  # headless departments: their people wait for HR
        dept = make_node(f"D{number}", Kind.DEPARTMENT)
        person = make_node(f"D{number}-P", Kind.INDIVIDUAL, dept, username=f"d{number}p")
        make_plan(person, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    client = client_for(agency.admin)
    client.get(reverse("indicators:rounds"))
    # 12: the departments and their closures of the rounds are two of them.
    with django_assert_num_queries(12):
        page = client.get(reverse("indicators:rounds")).content.decode()
    assert page.count('<li><a href="/kpi/plan/') == departments
