"""Closing a round: DOMAIN's worked example end to end, then everything locked and frozen."""

import datetime
import html
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from appraisals.models import Appraisal, Competency, Evidence, Result
from appraisals.placement import TreeIndex
from appraisals.policy import policy_save
from appraisals.services import (
    appraisal_acknowledge,
    appraisal_assess,
    appraisal_refusal_record,
    appraisal_review,
    appraisal_self_assess,
    evidence_add,
    evidence_delete,
    policy_rescore,
    result_save,
    round_close,
)
from indicators.models import HistoryEntry, Plan, Round
from indicators.plans import require_editable
from indicators.rounds import round_save
from orgchart.hierarchy import supervisor_chain
from orgchart.models import Node
from orgchart.services import node_move, node_save
from tests.factories_appraisals import (
    PDF,
    kpi,
    make_plan,
    upload,
)

pytestmark = pytest.mark.usefixtures("private_media")


def worked_example(agency, the_round) -> Plan:
    """officer1 (ปฏิบัติการ, expected level 1): 77, 27 and 5 milestones; teamwork observed 0."""
    plan = make_plan(agency.officer1, the_round)
    by = agency.officer1.user
    result_save(kpi=kpi(plan, "K1"), actual="77", by=by)
    result_save(kpi=kpi(plan, "K2"), actual="27", by=by)
    result_save(kpi=kpi(plan, "K3"), milestones_done="5", files=[upload("สรุป.pdf", PDF)], by=by)
    appraisal_self_assess(plan=plan, by=by)
    ratings = dict.fromkeys(Competency.objects.values_list("pk", flat=True), 1)
    ratings[Competency.objects.get(code="teamwork").pk] = 0
    appraisal_assess(plan=plan, levels={}, ratings=ratings, by=agency.grp_head.user)
    appraisal_acknowledge(plan=plan, by=by)
    appraisal_review(plan=plan, opinion="agree", by=agency.div_head.user)
    return plan


@pytest.fixture
def plan(agency, tracking):
    return worked_example(agency, tracking)


def test_the_worked_example_end_to_end(agency, plan):
    appraisal = Appraisal.objects.get(plan=plan)
    assert list(Result.objects.filter(kpi__plan=plan).order_by("kpi__order")
                .values_list("level", "score")) == [
        (3, Decimal("3.0000")), (3, Decimal("3.0000")), (5, Decimal("5.0000"))
    ]  # fmt: skip
    # 350 / 500 x 100 = 70.00 (49.00 points at 70%); competency 14 / 15 = 93.33
    assert appraisal.achievement == Decimal("70.00")
    assert appraisal.achievement * Decimal("0.70") == Decimal("49.00")
    assert appraisal.competency == Decimal("93.33")
    assert (appraisal.total, appraisal.band) == (Decimal("77.00"), "ดี")
    assert appraisal.status == Appraisal.Status.REVIEWED

    policy_save(round=plan.round, method="interpolated")
    appraisal.refresh_from_db()
    # 387 / 500 x 100 = 77.40; 77.40 x 0.7 + 93.33 x 0.3 = 82.18
    assert appraisal.achievement == Decimal("77.40")
    assert (appraisal.total, appraisal.band) == (Decimal("82.18"), "ดีมาก")


def test_closing_freezes_the_placement_and_the_scores(agency, plan):
    round_close(round=plan.round, by=agency.hr.user)

    the_round = Round.objects.get(pk=plan.round_id)
    assert the_round.is_closed and the_round.closed_by == agency.hr.user
    assert the_round.closed_at is not None
    appraisal = Appraisal.objects.get(plan=plan)
    assert appraisal.frozen_at is not None
    assert (appraisal.owner_code, appraisal.owner_name) == ("P-O1", "นายสมชาย ตั้งใจ")
    assert (appraisal.unit_code, appraisal.unit_name) == ("GRP", "กลุ่มงานติดตาม")
    assert appraisal.unit_path == "กรมทดสอบ > สำนักแผนงาน > กลุ่มงานติดตาม"
    assert (appraisal.position, appraisal.position_level) == ("นักวิเคราะห์นโยบายและแผน", "ปฏิบัติการ")
    assert appraisal.staff_type == "civil_servant"
    assert (appraisal.assessor_name, appraisal.assessor_position) == (
        "นางหัวหน้า กลุ่ม",
        "หัวหน้ากลุ่มงาน",
    )
    assert HistoryEntry.objects.filter(plan=plan, action="round_close").count() == 1


def test_a_closed_rounds_values_do_not_change_when_the_tree_does(agency, plan, client_for):
    round_close(round=plan.round, by=agency.hr.user)
    frozen = Appraisal.objects.values().get(plan=plan)
    results = list(Result.objects.filter(kpi__plan=plan).values_list("level", "score"))

    officer = Node.objects.get(pk=agency.officer1.pk)
    node_move(node=officer, parent=Node.objects.get(code="GRP2"))
    group = Node.objects.get(code="GRP")
    group.name = "กลุ่มงานใหม่"
    node_save(node=group)
    officer.refresh_from_db()
    officer.position, officer.position_level = "ผู้เชี่ยวชาญ", "เชี่ยวชาญ"
    node_save(node=officer)

    assert Appraisal.objects.values().get(plan=plan) == frozen
    assert list(Result.objects.filter(kpi__plan=plan).values_list("level", "score")) == results
    page = client_for(agency.hr).get(reverse("appraisals:assess", args=[plan.pk]))
    text = html.unescape(page.content.decode())
    assert "กรมทดสอบ > สำนักแผนงาน > กลุ่มงานติดตาม" in text and "นางหัวหน้า กลุ่ม" in text
    assert "กลุ่มงานใหม่" not in text
    assert "77.00" in text


def test_a_closed_round_refuses_everything(agency, plan, tracking):
    officer2_plan = make_plan(agency.officer2, tracking)
    result = Result.objects.get(kpi=kpi(plan, "K3"))
    evidence = Evidence.objects.get(result=result)
    round_close(round=tracking, by=agency.hr.user)
    by = agency.officer1.user
    head = agency.grp_head.user
    attempts = [
        lambda: result_save(kpi=kpi(plan, "K1"), actual="85", by=by),
        lambda: result_save(kpi=kpi(officer2_plan, "K1"), actual="85", by=agency.officer2.user),
        lambda: evidence_add(kpi=kpi(plan, "K1"), files=[upload("a.pdf", PDF)], by=by),
        lambda: evidence_delete(evidence=evidence, by=by),
        lambda: appraisal_self_assess(plan=officer2_plan, by=agency.officer2.user),
        lambda: appraisal_assess(plan=officer2_plan, levels={}, by=head),
        lambda: appraisal_acknowledge(plan=plan, by=by),
        lambda: appraisal_refusal_record(
            plan=plan, shown_on=datetime.date(2026, 3, 1), witness="x", by=head
        ),
        lambda: appraisal_review(plan=plan, opinion="different", comment="x", by=by),
        lambda: policy_save(round=tracking, method="interpolated"),
        lambda: policy_rescore(round=tracking),
        lambda: round_close(round=tracking, by=agency.hr.user),
        lambda: require_editable(Plan.objects.select_related("round").get(pk=plan.pk)),
        lambda: round_save(code="2569/1", status="assessment"),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="ปิด"):
            attempt()
    assert Result.objects.get(kpi=kpi(plan, "K3")).evidence.count() == 1
    assert not Result.objects.filter(kpi__plan=officer2_plan).exists()
    assert Appraisal.objects.get(plan=plan).total == Decimal("77.00")


def test_closing_creates_the_missing_appraisals_of_individuals_only(agency, tracking):
    make_plan(agency.officer2, tracking)
    make_plan(agency.grp, tracking)  # a unit's plan
    round_close(round=tracking, by=None)
    appraisal = Appraisal.objects.get(plan__owner=agency.officer2)
    assert appraisal.achievement == Decimal("0.00") and appraisal.frozen_at is not None
    assert appraisal.assessor_name == "นางหัวหน้า กลุ่ม"  # nobody assessed: the supervisor
    assert not Appraisal.objects.filter(plan__owner=agency.grp).exists()


def test_close_round_command(agency, plan):
    out = call_command_output("close_round", "2569/1")
    assert "ปิดรอบ 2569/1 แล้ว" in out
    assert Round.objects.get(pk=plan.round_id).is_closed
    with pytest.raises(CommandError, match="ปิดไปแล้ว"):
        call_command("close_round", "2569/1")
    with pytest.raises(CommandError, match="ไม่พบรอบการประเมิน"):
        call_command("close_round", "2570/1")


def call_command_output(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_close_page_shows_what_is_unfinished_then_closes(agency, plan, tracking, client_for):
    make_plan(agency.officer2, tracking)  # approved, never assessed
    make_plan(agency.officer3, tracking, status=Plan.Status.DRAFT)
    client = client_for(agency.hr)
    url = reverse("appraisals:round_close", args=[tracking.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="unfinished">2<' in page
    assert 'data-testid="not-approved">1<' in page
    assert Round.objects.get(pk=tracking.pk).status == Round.Status.TRACKING

    # HR close the round for their department; the round goes on for the others.
    response = client.post(url)
    assert response.status_code == 302
    the_round = Round.objects.get(pk=tracking.pk)
    assert not the_round.is_closed and the_round.is_closed_for(agency.dept.tree_id)
    assert "ปิดรอบ 2569/1 สำหรับกรมทดสอบ แล้ว" in client.get(response.url).content.decode()


def test_an_administrator_closes_the_round_for_every_department(agency, tracking, client_for):
    client = client_for(agency.admin)
    url = reverse("appraisals:round_close", args=[tracking.pk])
    assert "สำหรับทุกส่วนราชการที่ยังไม่ได้ปิดรอบนี้" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert Round.objects.get(pk=tracking.pk).is_closed
    assert "ปิดรอบ 2569/1 แล้ว" in client.get(url).content.decode()


@pytest.mark.parametrize("who", ["officer1", "grp_head", "dept_head"])
def test_only_hr_and_administrators_close_a_round(agency, tracking, client_for, who):
    url = reverse("appraisals:round_close", args=[tracking.pk])
    client = client_for(getattr(agency, who))
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not Round.objects.get(pk=tracking.pk).is_closed


def test_the_tree_index_finds_the_same_supervisors_as_the_hierarchy(agency):
    index = TreeIndex.for_trees(Node.objects.values_list("tree_id", flat=True))
    for node in Node.objects.all():
        expected = [head.pk for head in supervisor_chain(node)]
        assert [head.pk for head in index.supervisor_chain(node)] == expected, node.code


def test_every_step_of_the_round_has_a_label_in_the_plans_history(agency, plan, client_for):
    round_close(round=plan.round, by=agency.hr.user)
    client = client_for(agency.officer1)
    url = reverse("indicators:plan_history", args=[plan.pk])

    thai = client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()

    actions = set(HistoryEntry.objects.filter(plan=plan).values_list("action", flat=True))
    assert {"result_save", "self_assess", "assess", "acknowledge", "review"} <= actions
    for page in (thai, english):
        labels = re.findall(r'data-action="[a-z_]+">.*?<strong>(.*?)</strong>', page, re.S)
        assert len(labels) == len(HistoryEntry.objects.filter(plan=plan))
        assert not actions & set(labels)  # no raw action code shown
    assert "บันทึกผลการดำเนินงาน" in thai and "ปิดรอบการประเมิน" in thai
    # English says what happened (not a button's imperative).
    assert "Result recorded" in english and "Appraisal acknowledged" in english
    assert "Round closed" in english
