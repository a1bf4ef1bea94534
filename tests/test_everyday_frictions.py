"""Frictions found walking through a round (issue 15, item 7): each fixed, each tested."""

from decimal import Decimal

from django.urls import reverse

from appraisals.models import Appraisal
from indicators import services
from indicators.models import Plan, Round
from tests.factories_appraisals import make_plan as approved_plan
from tests.factories_appraisals import set_status
from tests.factories_plans import make_plan


def page(client, name, *args) -> str:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_the_kpi_form_shows_levels_and_weight_as_entered(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=[
        {"levels": (60, 70, "72.5", 80, 90), "weight": Decimal("40")}])  # fmt: skip
    html = page(client_for(agency.officer1), "indicators:kpi_edit", plan.kpis.get().pk)
    assert 'value="60"' in html and 'value="72.5"' in html and 'value="40"' in html
    assert "60.0000" not in html and "40.00" not in html


def test_history_prints_blank_values_as_blank(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=[{"unit": ""}])
    services.kpi_save(plan=plan, kpi=plan.kpis.get(), data={"unit": "เรื่อง"},
                      expected_version=None, by=agency.officer1.user)  # fmt: skip
    html = page(client_for(agency.officer1), "indicators:plan", plan.pk)
    timeline = html[html.index('id="plan-history"') :]
    assert '<span class="text-muted fst-italic old blank">(ว่าง)</span>' in timeline
    assert '<td class="new">เรื่อง</td>' in timeline


def test_only_people_with_a_team_see_the_cascade_action(agency, the_round, client_for):
    officer_plan = make_plan(agency.officer1, the_round, kpis=1)
    head_plan = make_plan(agency.grp_head, the_round, kpis=1)
    officer_html = page(client_for(agency.officer1), "indicators:plan", officer_plan.pk)
    head_html = page(client_for(agency.grp_head), "indicators:plan", head_plan.pk)
    assert reverse("indicators:cascade", args=[officer_plan.kpis.get().pk]) not in officer_html
    assert reverse("indicators:cascade", args=[head_plan.kpis.get().pk]) in head_html


def test_a_submitted_plan_offers_its_reviewer_one_way_back(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    html = page(client_for(agency.grp_head), "indicators:plan", plan.pk)
    assert "ส่งกลับให้แก้ไข" in html
    assert "เปิดแผนใหม่ให้แก้ไข" not in html
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.APPROVED)
    html = page(client_for(agency.grp_head), "indicators:plan", plan.pk)
    assert "เปิดแผนใหม่ให้แก้ไข" in html  # an approved plan is reopened, not returned
    assert reverse("indicators:plan_return", args=[plan.pk]) not in html


def test_sending_a_plan_asks_for_confirmation_first(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=2)
    client = client_for(agency.officer1)
    html = page(client, "indicators:plan", plan.pk)
    assert f'href="{reverse("indicators:plan_submit", args=[plan.pk])}"' in html
    confirm = page(client, "indicators:plan_submit", plan.pk)
    assert "ยืนยันการส่งแผน" in confirm and "นางหัวหน้า กลุ่ม" in confirm
    assert "น้ำหนักรวม 100.00 / 100" in confirm
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT  # nothing sent yet
    response = client.post(reverse("indicators:plan_submit", args=[plan.pk]),
                           {"version": plan.version})  # fmt: skip
    assert response.status_code == 302
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.SUBMITTED
    # Once sent, the confirmation step only leads back to the plan.
    again = client.get(reverse("indicators:plan_submit", args=[plan.pk]))
    assert again.status_code == 302


def test_the_opinion_form_says_in_thai_that_a_choice_is_needed(agency, the_round, client_for):
    plan = approved_plan(agency.officer1, the_round)
    set_status(the_round, Round.Status.ASSESSMENT)
    Appraisal.objects.create(plan=plan, status=Appraisal.Status.ACKNOWLEDGED)
    client = client_for(agency.div_head)
    form_html = page(client, "appraisals:assess", plan.pk)
    review_form = form_html[form_html.index(reverse("appraisals:review", args=[plan.pk])) - 60 :]
    assert "novalidate" in review_form[:200]  # the browser's bubble does not hide the message
    response = client.post(reverse("appraisals:review", args=[plan.pk]), {"comment": ""})
    html = response.content.decode()
    assert "กรุณาเลือกความเห็น: เห็นด้วย หรือมีความเห็นต่าง" in html
    assert Appraisal.objects.get(plan=plan).status == Appraisal.Status.ACKNOWLEDGED
