"""The home page as a to-do list: what each person has to do next, with a link to do it."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appraisals.models import Appraisal
from indicators.models import KPI, Plan, Round
from kpi_portal import todos
from orgchart.models import Kind, Node
from tests.conftest import make_node
from tests.factories_appraisals import make_plan as approved_plan
from tests.factories_appraisals import set_status
from tests.factories_plans import make_kpi, make_plan

HOME = "/"


def home(client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def todo_items(html: str) -> list[str]:
    """The text of each to-do (tags stripped, spaces collapsed)."""
    items = re.findall(r'<li class="[^"]*todo-item[^"]*">(.*?)</li>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in items]


def test_officer_sees_a_returned_plan_with_the_comment_deadline_and_link(
    agency, the_round, client_for
):
    plan = make_plan(agency.officer1, the_round, kpis=2, status=Plan.Status.RETURNED,
                     return_comment="ค่าเป้าหมายระดับ 3 ต่ำเกินไป")  # fmt: skip
    html = home(client_for(agency.officer1))
    [item] = todo_items(html)
    assert "แผนรอบ 2569/1 ถูกส่งกลับให้แก้ไข" in item
    assert "ค่าเป้าหมายระดับ 3 ต่ำเกินไป" in item
    assert "สิ้นสุดรอบ 31 มี.ค. 2569" in item
    assert f'href="{reverse("indicators:plan", args=[plan.pk])}"' in html


def test_officer_sees_a_draft_not_sent_and_a_round_not_started(agency, the_round, client_for):
    make_plan(agency.officer1, the_round, kpis=1)
    assert todo_items(home(client_for(agency.officer1))) == [
        "แผนรอบ 2569/1 ยังไม่ได้ส่งให้ผู้บังคับบัญชา สิ้นสุดรอบ 31 มี.ค. 2569 เปิดแผน"
    ]
    html = home(client_for(agency.officer2))
    assert todo_items(html) == ["ยังไม่ได้เริ่มแผนรอบ 2569/1 สิ้นสุดรอบ 31 มี.ค. 2569 เริ่มแผน"]
    assert f'href="{reverse("indicators:my_plan")}"' in html


def test_a_submitted_plan_is_nothing_to_do_for_its_owner(agency, the_round, client_for):
    make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    html = home(client_for(agency.officer1))
    assert todo_items(html) == []
    assert "ตอนนี้ไม่มีงานที่รอคุณ" in html


def test_head_sees_how_many_plans_wait_for_approval(agency, the_round, client_for):
    for officer in (agency.officer1, agency.officer2):
        make_plan(officer, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    make_plan(agency.officer3, the_round, kpis=1, status=Plan.Status.SUBMITTED)  # another group
    make_plan(agency.grp_head, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    html = home(client_for(agency.grp_head))
    team = [item for item in todo_items(html) if "รอการอนุมัติ" in item]
    assert team == ["แผน 2 แผนรอการอนุมัติจากคุณ พิจารณาแผน"]
    assert f'href="{reverse("indicators:team")}"' in html
    # The division head approves the group heads' plans, not the officers'.
    division = todo_items(home(client_for(agency.div_head)))
    assert "แผน 1 แผนรอการอนุมัติจากคุณ พิจารณาแผน" in division


def test_head_sees_team_plans_their_cascade_changed(agency, the_round, client_for):
    head_plan = make_plan(agency.grp_head, the_round, kpis=1, status=Plan.Status.APPROVED)
    parent = head_plan.kpis.get()
    officer_plan = make_plan(agency.officer1, the_round, kpis=1)
    make_kpi(officer_plan, officer_plan.kras.get(), parent=parent, cascade=KPI.Cascade.DIRECT,
             weight=20)  # fmt: skip
    items = todo_items(home(client_for(agency.grp_head)))
    assert any("ตัวชี้วัดที่คุณถ่ายทอดเพิ่มเข้าแผนของทีม 1 แผน" in item for item in items)
    # Once the officer sends the plan, it is an approval to give instead.
    Plan.objects.filter(pk=officer_plan.pk).update(status=Plan.Status.SUBMITTED)
    items = todo_items(home(client_for(agency.grp_head)))
    assert not any("ถ่ายทอด" in item for item in items)


def test_officer_sees_results_to_record_with_a_link_to_the_results_page(
    agency, the_round, client_for
):
    plan = approved_plan(agency.officer1, the_round)
    set_status(the_round, Round.Status.TRACKING)
    html = home(client_for(agency.officer1))
    assert todo_items(html) == ["ผลการดำเนินงานรอบ 2569/1 ยังไม่ได้บันทึก 3 ตัวชี้วัด "
                                "สิ้นสุดรอบ 31 มี.ค. 2569 บันทึกผล"]  # fmt: skip
    assert f'href="{reverse("appraisals:results", args=[plan.pk])}"' in html


def test_the_assessment_round_asks_each_person_their_part(agency, the_round, client_for):
    assessed = approved_plan(agency.officer1, the_round)
    waiting = approved_plan(agency.officer2, the_round)
    draft = approved_plan(agency.officer3, the_round, status=Plan.Status.DRAFT)
    set_status(the_round, Round.Status.ASSESSMENT)
    KPI.objects.filter(plan__in=[assessed, waiting, draft]).delete()  # no results to record
    Appraisal.objects.create(plan=assessed, status=Appraisal.Status.ASSESSED)
    officer = todo_items(home(client_for(agency.officer1)))
    assert officer == ["ผลการประเมินรอบ 2569/1 รอคุณรับทราบ สิ้นสุดรอบ 31 มี.ค. 2569 ดูและรับทราบผล"]
    head = todo_items(home(client_for(agency.grp_head)))
    assert "ผู้ใต้บังคับบัญชา 1 คนรอให้คุณประเมิน ประเมินผล" in head
    # A draft plan cannot be assessed: the other group's head has nothing to assess.
    assert not any("ประเมิน" in item for item in todo_items(home(client_for(agency.sibling_head))))
    Appraisal.objects.filter(plan=assessed).update(status=Appraisal.Status.ACKNOWLEDGED)
    division = todo_items(home(client_for(agency.div_head)))
    assert "ผลการประเมิน 1 รายการรอความเห็นของคุณ (ผู้บังคับบัญชาเหนือขึ้นไป) ให้ความเห็น" in division


def test_every_provider_is_registered_by_its_app():
    assert {"indicators", "appraisals"} <= set(todos._providers)


def test_a_heads_home_costs_the_same_queries_for_3_and_30_people(
    agency, the_round, client_for, django_assert_num_queries
):
    set_status(the_round, Round.Status.ASSESSMENT)
    heads = {}
    for code, size in (("GS", 3), ("GB", 30)):
        unit = make_node(code, Kind.GROUP, agency.div, name=f"กลุ่ม {code}")
        heads[code] = make_node(f"H-{code}", Kind.INDIVIDUAL, unit, username=f"h{code}",
                                is_head=True)  # fmt: skip
        approved_plan(heads[code], the_round)
        for n in range(size):
            person = make_node(f"{code}-{n}", Kind.INDIVIDUAL, unit, name=f"คนที่ {n}")
            plan = approved_plan(person, the_round, specs=())
            if n % 2:
                Appraisal.objects.create(plan=plan, status=Appraisal.Status.ASSESSED)
    small, big = client_for(heads["GS"]), client_for(heads["GB"])
    with CaptureQueriesContext(connection) as small_queries:
        small_items = todo_items(home(small))
    with django_assert_num_queries(len(small_queries.captured_queries)):
        big_items = todo_items(home(big))
    assert "ผู้ใต้บังคับบัญชา 2 คนรอให้คุณประเมิน ประเมินผล" in small_items
    assert "ผู้ใต้บังคับบัญชา 15 คนรอให้คุณประเมิน ประเมินผล" in big_items


def test_the_home_pages_team_walk_agrees_with_the_assessment_lists(agency, the_round):
    """team_owner_q (units only, SQL) picks the same owners as team_roles (every node)."""
    from appraisals.team_roles import team_owner_q, team_roles
    from orgchart.access import roles_of

    # A headless group (its people report to div_head); a headless division
    # whose group's head and direct people report to dept_head.
    loose = make_node("LOOSE", Kind.GROUP, agency.div, name="กลุ่มไม่มีหัวหน้า")
    make_node("L-1", Kind.INDIVIDUAL, loose, name="คนในกลุ่มไม่มีหัวหน้า")
    bare = make_node("DIV2", Kind.DIVISION, agency.dept, name="สำนักไม่มีหัวหน้า")
    make_node("D2-1", Kind.INDIVIDUAL, bare, name="คนในสำนักไม่มีหัวหน้า")
    led = make_node("G3", Kind.GROUP, bare, name="กลุ่มที่มีหัวหน้า")
    make_node("G3-H", Kind.INDIVIDUAL, led, is_head=True, name="หัวหน้ากลุ่ม 3")
    make_node("G3-1", Kind.INDIVIDUAL, led, name="คนในกลุ่ม 3")
    nodes = Node.objects.all()
    for head in (agency.dept_head, agency.div_head, agency.grp_head, agency.sibling_head):
        roles = roles_of(head.user)
        assess_ids, review_ids = team_roles(roles)
        assess_q, review_q = team_owner_q(roles)
        as_plan_owner = {n.pk: n for n in nodes}
        picked_assess = {pk for pk in as_plan_owner if _owner_matches(assess_q, pk)}
        picked_review = {pk for pk in as_plan_owner if _owner_matches(review_q, pk)}
        assert picked_assess == assess_ids, head.code
        assert picked_review == review_ids, head.code


def _owner_matches(q, pk) -> bool:
    """Does a plan owned by node `pk` match `q`? (A plan per node, made on the fly.)"""
    plan, _ = Plan.objects.get_or_create(round=Round.objects.get(), owner_id=pk)
    return Plan.objects.filter(q, pk=plan.pk).exists()
