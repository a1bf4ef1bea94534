"""Moving a round on with plans not approved asks first; drafts are not offered to assess."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Plan, Round
from orgchart.models import Kind
from tests.conftest import make_node
from tests.factories_appraisals import make_plan as approved_plan
from tests.factories_appraisals import set_status
from tests.factories_plans import make_plan


def move(client, the_round, status, **extra):
    return client.post(
        reverse("indicators:round_status", args=[the_round.pk]), {"status": status, **extra}
    )


def test_moving_to_tracking_with_plans_not_approved_asks_first(agency, the_round, client_for):
    draft = make_plan(agency.officer1, the_round, kpis=1)
    make_plan(agency.officer2, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    approved_plan(agency.officer3, the_round)
    client = client_for(agency.hr)
    response = move(client, the_round, "tracking")
    html = response.content.decode()
    assert response.status_code == 200
    assert "ยังมีแผน 2 แผนที่ยังไม่ได้รับอนุมัติ" in html
    assert "ร่าง 1, ส่งแล้ว รออนุมัติ 1" in html
    assert f'href="{reverse("indicators:plan", args=[draft.pk])}"' in html
    assert html.count('class="pending-plan"') == 2
    the_round.refresh_from_db()
    assert the_round.status == Round.Status.PLANNING  # nothing changed yet
    response = move(client, the_round, "tracking", confirm="1")
    assert response.status_code == 302
    the_round.refresh_from_db()
    assert the_round.status == Round.Status.TRACKING


def test_moving_on_with_every_plan_approved_or_back_asks_nothing(agency, the_round, client_for):
    approved_plan(agency.officer1, the_round)
    client = client_for(agency.hr)
    assert move(client, the_round, "tracking").status_code == 302
    make_plan(agency.officer2, the_round, kpis=1)
    assert move(client, the_round, "planning").status_code == 302  # back: no question
    the_round.refresh_from_db()
    assert the_round.status == Round.Status.PLANNING


def test_the_confirmation_costs_the_same_queries_for_3_and_30_plans(
    agency, the_round, client_for, django_assert_num_queries
):
    unit = make_node("GX", Kind.GROUP, agency.div, name="กลุ่มใหญ่")
    people = [make_node(f"GX-{n}", Kind.INDIVIDUAL, unit, name=f"คนที่ {n}") for n in range(30)]
    for person in people[:3]:
        make_plan(person, the_round)
    client = client_for(agency.hr)
    with CaptureQueriesContext(connection) as small:
        assert "ยังมีแผน 3 แผน" in move(client, the_round, "tracking").content.decode()
    for person in people[3:]:
        make_plan(person, the_round)
    with django_assert_num_queries(len(small.captured_queries)):
        assert "ยังมีแผน 30 แผน" in move(client, the_round, "tracking").content.decode()


def test_the_assessment_list_does_not_offer_draft_plans(agency, the_round, client_for):
    ready = approved_plan(agency.officer1, the_round)
    draft = approved_plan(agency.officer2, the_round, status=Plan.Status.DRAFT)
    set_status(the_round, Round.Status.ASSESSMENT)
    html = client_for(agency.grp_head).get(reverse("appraisals:team")).content.decode()
    assert reverse("appraisals:assess", args=[ready.pk]) in html
    assert reverse("appraisals:assess", args=[draft.pk]) not in html
    assert "แผนยังไม่อนุมัติ จึงยังประเมินไม่ได้" in html
    assert reverse("indicators:plan", args=[draft.pk]) in html
