"""Closing and reopening a round for one department: the other departments go on untouched.

Two departments under way (tests.factories_departments): A (DEPT) and B
(OTHER). Closing A locks and freezes A alone and writes nothing of B's
(compared row by row); reopening A (administrators, with a reason) makes A's
plans follow the round again and releases its placements; whole-round closing
by an administrator still works and leaves A's earlier close as it was.
"""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appraisals.models import Appraisal, Result
from appraisals.policy import policy_save
from appraisals.services import result_save, round_close, round_reopen
from appraisals.summary import unit_figures
from indicators.carry import plans_carry_forward
from indicators.content import kra_save
from indicators.importer import kpis_import, kpis_read
from indicators.models import HistoryEntry, Plan, Round, RoundClosure
from monitoring.services import checkin_record
from notifications.reminders import planning_recipients
from orgchart.models import Kind, Node
from orgchart.services import node_move
from salaries.models import RaiseList
from salaries.services import raise_list_close
from tests.api_helpers import api_for
from tests.conftest import make_node
from tests.factories_appraisals import kpi
from tests.factories_departments import department_b, rows_of, two_departments
from tests.factories_plans import make_plan, make_round
from tests.factories_security import csv_bytes, run_at_once

pytestmark = pytest.mark.usefixtures("private_media")
CLOSED_FOR_A = "ปิดแล้วสำหรับส่วนราชการ"


@pytest.fixture
def world(agency, the_round):
    return two_departments(agency, the_round)


def fresh(plan: Plan) -> Plan:
    return Plan.objects.select_related("round", "owner").get(pk=plan.pk)


def test_closing_a_department_freezes_it_and_writes_nothing_of_another(world):
    before = rows_of(world.b.dept)
    summary = round_close(round=world.round, by=world.a.hr.user, department=world.a.dept)

    assert summary.individual_plans == 1
    the_round = Round.objects.get(pk=world.round.pk)
    assert the_round.status == Round.Status.TRACKING and not the_round.is_closed
    assert the_round.closed_departments == [world.a.dept.tree_id]
    closure = RoundClosure.objects.get(round=the_round)
    assert (closure.department, closure.closed_by) == (world.a.dept, world.a.hr.user)
    assert fresh(world.a.plan).round_closed and not fresh(world.b.plan).round_closed
    appraisal = Appraisal.objects.get(plan=world.a.plan)
    assert appraisal.frozen_at is not None and appraisal.unit_code == "GRP"
    assert HistoryEntry.objects.filter(plan=world.a.plan, action="round_close").count() == 1
    assert RaiseList.objects.get(pk=world.a.raise_list.pk).is_closed
    assert rows_of(world.b.dept) == before


def test_a_closed_department_refuses_every_change_while_another_goes_on(world):
    round_close(round=world.round, by=None, department=world.a.dept)
    a, b = world.a, world.b
    attempts = [
        lambda: result_save(kpi=kpi(a.plan, "K1"), actual="85", by=a.officer.user),
        lambda: checkin_record(kpi=a.kpi, by=a.officer.user, date=world.round.start, value="5"),
        lambda: round_close(round=world.round, by=None, department=a.dept),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="ปิด"):
            attempt()
    assert Result.objects.get(kpi=a.kpi).actual == Decimal("77")
    result_save(kpi=b.kpi, actual="85", by=b.officer.user)
    checkin_record(kpi=b.kpi, by=b.officer.user, date=world.round.start, value="5")
    assert Result.objects.get(kpi=b.kpi).actual == Decimal("85")

    # The API answers 409 for A's KPI, and records B's.
    assert (
        api_for(a.officer).put(f"/api/v1/kpis/{a.kpi.pk}/result/", {"actual": "90"}).status_code
        == 409
    )
    assert (
        api_for(b.officer).put(f"/api/v1/kpis/{b.kpi.pk}/result/", {"actual": "90"}).status_code
        == 200
    )
    plans = {
        p["id"]: p["round_closed"]
        for p in api_for(world.admin).get("/api/v1/plans/").json()["results"]
    }
    assert plans == {a.plan.pk: True, b.plan.pk: False}


def test_plan_edits_of_a_closed_department_are_refused_in_planning(agency):
    planning = make_round(2569, 2)
    b = department_b(agency)
    mine, theirs = make_plan(agency.officer1, planning), make_plan(b.officer, planning)
    round_close(round=planning, by=None, department=agency.dept)
    with pytest.raises(ValidationError, match=CLOSED_FOR_A):
        kra_save(
            plan=fresh(mine), job="งาน", name="ใหม่", expected_version=None, by=agency.officer1.user
        )
    kra_save(plan=fresh(theirs), job="งาน", name="ใหม่", expected_version=None, by=b.officer.user)
    assert theirs.kras.filter(name="ใหม่").exists() and not mine.kras.filter(name="ใหม่").exists()
    # Nobody of A is reminded of a plan any more; B's people still are.
    recipients = planning_recipients(Round.objects.get(pk=planning.pk))
    assert agency.officer1.user_id not in recipients and b.officer.user_id in recipients


def test_a_closed_departments_report_keeps_its_placement_while_another_follows_the_tree(world):
    round_close(round=world.round, by=None, department=world.a.dept)
    node_move(node=Node.objects.get(pk=world.a.officer.pk), parent=Node.objects.get(code="GRP2"))
    node_move(node=Node.objects.get(pk=world.b.officer.pk), parent=world.b.division)
    the_round = Round.objects.get(pk=world.round.pk)
    officers = {u.code: u.direct.officers for u in unit_figures(the_round, None)}
    # A (closed) counts the people appraised in it where they were at close: officer1
    # stays in GRP although moved to GRP2. B (open) follows the tree: X-O2 is in X-DIV now.
    assert (officers["GRP"], officers["GRP2"]) == (1, 0)
    assert (officers["X-DIV"], officers["X-GRP"]) == (1, 1)  # X-O2; the head X-GH


def test_a_policy_change_after_a_department_closed_rescores_the_others_only(world):
    round_close(round=world.round, by=None, department=world.a.dept)
    frozen = Appraisal.objects.values("achievement").get(plan=world.a.plan)
    before = Appraisal.objects.get(plan=world.b.plan).achievement
    policy_save(round=world.round, method="interpolated")
    assert Appraisal.objects.values("achievement").get(plan=world.a.plan) == frozen
    assert Appraisal.objects.get(plan=world.b.plan).achievement != before


def test_closing_for_every_department_leaves_an_earlier_department_close_as_it_was(world):
    round_close(round=world.round, by=None, department=world.a.dept)
    before = rows_of(world.a.dept)
    summary = round_close(round=world.round, by=world.admin)
    assert summary.plans == 1  # B's plan alone
    assert Round.objects.get(pk=world.round.pk).is_closed
    assert rows_of(world.a.dept) == before
    assert Appraisal.objects.get(plan=world.b.plan).frozen_at is not None
    with pytest.raises(ValidationError, match="ทุกส่วนราชการ"):
        round_reopen(round=world.round, department=world.a.dept, reason="แก้ไข", by=world.admin)


def test_reopening_a_department_makes_its_plans_follow_the_round_again(world):
    raise_list_close(raise_list=world.b.raise_list, by=world.b.hr.user)  # B's HR closed theirs
    round_close(round=world.round, by=None, department=world.a.dept)
    round_close(round=world.round, by=None, department=world.b.dept)
    before = rows_of(world.b.dept)
    count = round_reopen(
        round=world.round, department=world.a.dept, reason="ผู้ประเมินแก้คะแนน", by=world.admin
    )

    assert count == 1
    the_round = Round.objects.get(pk=world.round.pk)
    assert the_round.closed_departments == [world.b.dept.tree_id]
    closure = RoundClosure.objects.get(department=world.a.dept)
    assert (closure.reopened_by, closure.reopen_reason) == (world.admin, "ผู้ประเมินแก้คะแนน")
    entry = HistoryEntry.objects.get(plan=world.a.plan, action="round_reopen")
    assert (entry.by, entry.comment) == (world.admin, "ผู้ประเมินแก้คะแนน")
    assert Appraisal.objects.get(plan=world.a.plan).frozen_at is None  # placement released
    assert not RaiseList.objects.get(pk=world.a.raise_list.pk).is_closed
    result_save(kpi=world.a.kpi, actual="85", by=world.a.officer.user)
    assert rows_of(world.b.dept) == before
    # A list its HR closed themselves stays closed when the round reopens.
    round_reopen(round=world.round, department=world.b.dept, reason="ตรวจซ้ำ", by=world.admin)
    assert RaiseList.objects.get(pk=world.b.raise_list.pk).is_closed

    # Closed again later: a new closure row, the old one keeps the reopening.
    round_close(round=world.round, by=None, department=world.a.dept)
    assert RoundClosure.objects.filter(department=world.a.dept).count() == 2


def test_reopening_refuses_bad_input_and_writes_nothing(world):
    def state():
        return (
            list(RoundClosure.objects.values()),
            HistoryEntry.objects.count(),
            Round.objects.values("closed_departments", "status").get(pk=world.round.pk),
        )

    before = state()
    with pytest.raises(ValidationError, match="ยังไม่ได้ปิดสำหรับ"):
        round_reopen(round=world.round, department=world.a.dept, reason="x", by=world.admin)
    round_close(round=world.round, by=None, department=world.a.dept)
    before = state()
    with pytest.raises(ValidationError, match="กรุณาระบุเหตุผล"):
        round_reopen(round=world.round, department=world.a.dept, reason="  ", by=world.admin)
    with pytest.raises(ValidationError, match="ไม่ใช่ส่วนราชการ"):
        round_reopen(round=world.round, department=world.a.division, reason="x", by=world.admin)
    with pytest.raises(ValidationError, match="ไม่ใช่ส่วนราชการ"):
        round_close(round=world.round, by=None, department=world.a.division)
    assert state() == before


def output(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_commands_close_and_reopen_one_department(world):
    before = rows_of(world.b.dept)
    assert "ปิดรอบ 2569/1 (DEPT กรมทดสอบ) แล้ว" in output(
        "close_round", "2569/1", "--department", "DEPT"
    )
    assert Round.objects.get(pk=world.round.pk).closed_departments == [world.a.dept.tree_id]
    for args, message in [
        (("close_round", "2569/1", "--department", "DEPT"), "ปิดไปแล้วสำหรับกรมทดสอบ"),
        (("close_round", "2569/1", "--department", "NOPE"), "ไม่พบส่วนราชการรหัส NOPE"),
        (("close_round", "2569/1", "--department", "DIV"), "DIV ไม่ใช่ส่วนราชการ"),
        (("reopen_round", "2569/1", "--department", "OTHER", "--reason", "x"), "ยังไม่ได้ปิดสำหรับ"),
        (("reopen_round", "2569/1", "--department", "DEPT", "--reason", " "), "กรุณาระบุเหตุผล"),
        (("reopen_round", "2570/1", "--department", "DEPT", "--reason", "x"), "ไม่พบรอบการประเมิน"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command(*args)
    text = output("reopen_round", "2569/1", "--department", "DEPT", "--reason", "แก้ผล")
    assert "เปิดรอบ 2569/1 ใหม่สำหรับกรมทดสอบ แล้ว (1 แผน)" in text
    assert Round.objects.get(pk=world.round.pk).closed_departments == []
    assert rows_of(world.b.dept) == before


def test_hr_close_their_own_department_from_the_page_and_never_another(world, client_for):
    client = client_for(world.a.hr)
    url = reverse("appraisals:round_close", args=[world.round.pk])
    assert client.get(url, {"department": world.b.dept.pk}).status_code == 404
    assert client.post(url, {"department": world.b.dept.pk}).status_code == 404
    assert Round.objects.get(pk=world.round.pk).closed_departments == []
    page = client.get(url).content.decode()
    assert "สำหรับกรมทดสอบ" in page and 'name="department"' in page

    assert client.post(url).status_code == 302
    assert Round.objects.get(pk=world.round.pk).closed_departments == [world.a.dept.tree_id]
    assert 'data-testid="closed-at"' in client.get(url).content.decode()


def test_an_administrator_closes_one_department_then_reopens_it_with_a_reason(world, client_for):
    client = client_for(world.admin)
    close_url = reverse("appraisals:round_close", args=[world.round.pk])
    page = client.get(close_url, {"department": world.b.dept.pk}).content.decode()
    assert "สำหรับกรมอื่น" in page
    assert client.post(close_url, {"department": world.b.dept.pk}).status_code == 302
    assert Round.objects.get(pk=world.round.pk).closed_departments == [world.b.dept.tree_id]

    reopen_url = reverse("appraisals:round_reopen", args=[world.round.pk])
    assert client_for(world.b.hr).get(reopen_url).status_code == 403
    assert client_for(world.b.hr).post(reopen_url).status_code == 403
    page = client.post(reopen_url, {"department": world.b.dept.pk, "reason": ""}).content.decode()
    assert "กรุณาระบุเหตุผลที่เปิดรอบการประเมินใหม่" in page
    assert Round.objects.get(pk=world.round.pk).closed_departments == [world.b.dept.tree_id]
    response = client.post(reopen_url, {"department": world.b.dept.pk, "reason": "แก้คะแนน"})
    assert response.status_code == 302
    assert Round.objects.get(pk=world.round.pk).closed_departments == []


def test_the_rounds_page_shows_each_department_its_own_state(world, client_for):
    round_close(round=world.round, by=world.a.hr.user, department=world.a.dept)
    rounds = reverse("indicators:rounds")
    mine = client_for(world.a.hr).get(rounds).content.decode()
    assert "ปิดสำหรับส่วนราชการของคุณ" in mine and "นางสาวบุคคล ใจดี" in mine
    theirs = client_for(world.b.hr).get(rounds).content.decode()
    assert "ปิดสำหรับส่วนราชการของคุณ" not in theirs
    admin = client_for(world.admin).get(rounds).content.decode()
    assert 'data-department="DEPT"' in admin and 'data-department="OTHER"' in admin
    assert "ยังเปิดอยู่" in admin and reverse("appraisals:round_reopen", args=[world.round.pk]) in admin


def add_departments(count: int, the_round: Round) -> None:
    """`count` more departments, each with the round closed for it."""
    start = Node.objects.filter(parent__isnull=True).count()
    for n in range(start, start + count):
        dept = make_node(f"D{n}", Kind.DEPARTMENT, name=f"กรมที่ {n}")
        round_close(round=the_round, by=None, department=dept)


def test_the_rounds_page_takes_the_same_queries_for_two_and_six_departments(
    world, client_for, django_assert_num_queries
):
    client = client_for(world.admin)
    round_close(round=world.round, by=None, department=world.a.dept)
    url = reverse("indicators:rounds")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add_departments(4, world.round)
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('data-testid="department-state"') == 6


only_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL (DATABASE_URL)"
)


@pytest.mark.postgres
@only_postgres
@pytest.mark.django_db(transaction=True)
def test_two_departments_closing_the_round_at_once_both_succeed(agency, the_round):
    world = two_departments(agency, the_round)
    outcomes = run_at_once(
        {
            "a": lambda: round_close(round=world.round, by=None, department=world.a.dept),
            "b": lambda: round_close(round=world.round, by=None, department=world.b.dept),
        }
    )
    assert all(outcome.ok for outcome in outcomes.values()), outcomes
    the_round = Round.objects.get(pk=world.round.pk)
    assert sorted(the_round.closed_departments) == sorted(
        [world.a.dept.tree_id, world.b.dept.tree_id]
    )
    assert RoundClosure.objects.filter(round=the_round, reopened_at__isnull=True).count() == 2
    assert HistoryEntry.objects.filter(action="round_close").count() == 2
    assert Appraisal.objects.filter(frozen_at__isnull=False).count() == 2


def test_a_planning_round_closed_for_a_department_takes_none_of_its_plans(world):
    planning = make_round(2569, 2)
    round_close(round=planning, by=None, department=world.a.dept)
    planning.refresh_from_db()
    result = plans_carry_forward(source=world.round, target=planning, by=None)
    assert (result.plans, result.skipped) == (1, 1)
    assert list(Plan.objects.filter(round=planning).values_list("owner__code", flat=True)) == [
        "X-O2"
    ]
    with pytest.raises(ValidationError, match=CLOSED_FOR_A):
        plans_carry_forward(
            source=world.round, target=planning, tree_id=world.a.dept.tree_id, by=None
        )

    header = ["owner_code", "job", "kra", "kpi_code", "kpi", "unit", "scale"]
    header += ["level_1", "level_2", "level_3", "level_4", "level_5", "weight"]
    row = ["P-O2", "งานประจำ", "ผลสัมฤทธิ์", "A-NEW", "ตัวชี้วัด", "ร้อยละ", "มากดี"]
    data = csv_bytes(header, [[*row, 10, 20, 30, 40, 50, 100]])
    report = kpis_import(
        table=kpis_read(data, filename="k.csv"), round=planning, by=world.a.hr.user, dry_run=False
    )
    assert [e.message for e in report.errors] == [
        "รอบ 2569/2 ปิดแล้วสำหรับส่วนราชการของหน่วยงานหรือบุคคลนี้ นำเข้าไม่ได้"
    ]
    assert not Plan.objects.filter(round=planning, owner=world.a.officer).exists()


def test_the_home_page_asks_nothing_of_a_department_whose_round_is_closed(world, client_for):
    assessed = Appraisal.Status.ASSESSED
    Appraisal.objects.filter(plan__in=[world.a.plan, world.b.plan]).update(status=assessed)
    round_close(round=world.round, by=None, department=world.a.dept)
    assert "รอคุณรับทราบ" not in client_for(world.a.officer).get(reverse("home")).content.decode()
    assert "รอคุณรับทราบ" in client_for(world.b.officer).get(reverse("home")).content.decode()
