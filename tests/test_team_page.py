"""The team page: the plans a head approves, people without a plan, and bulk approval."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Plan, Round
from orgchart.models import Kind
from tests.conftest import make_node
from tests.factories_plans import make_plan, make_round

TEAM = reverse("indicators:team")


def rows_of(html: str) -> dict[str, str]:
    """owner code -> the row's HTML."""
    rows = {}
    for chunk in html.split('<tr class="team-row" data-owner="')[1:]:
        code, rest = chunk.split('"', 1)
        rows[code] = rest[: rest.index("</tr>")]
    return rows


def test_head_sees_their_people_with_status_counts_and_totals(agency, the_round, client_for):
    make_plan(agency.officer1, the_round, kpis=[60, 40], status=Plan.Status.SUBMITTED)
    response = client_for(agency.grp_head).get(TEAM)
    assert response.status_code == 200
    rows = rows_of(response.content.decode())
    assert set(rows) == {"P-O1", "P-O2"}
    assert 'data-status="submitted"' in rows["P-O1"] and ">2<" in rows["P-O1"]
    assert "100.00" in rows["P-O1"]
    assert "ยังไม่เริ่ม" in rows["P-O2"]


def test_division_head_sees_the_group_heads_and_the_group_plans(agency, the_round, client_for):
    make_plan(agency.grp, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    rows = rows_of(client_for(agency.div_head).get(TEAM).content.decode())
    assert set(rows) == {"P-GH", "P-SH", "GRP", "GRP2"}
    assert "นางหัวหน้า กลุ่ม" in rows["GRP"]  # who holds the unit's plan


def test_officers_and_hr_without_a_unit_get_403(agency, the_round, client_for):
    assert client_for(agency.officer1).get(TEAM).status_code == 403
    assert client_for(agency.hr).get(TEAM).status_code == 403


def test_the_round_selector_shows_that_rounds_plans(agency, the_round, client_for):
    older = make_round(2568, 2, status=Round.Status.CLOSED)
    make_plan(agency.officer1, older, kpis=1, status=Plan.Status.APPROVED)
    client = client_for(agency.grp_head)
    assert "ยังไม่เริ่ม" in rows_of(client.get(TEAM).content.decode())["P-O1"]
    old_rows = rows_of(client.get(TEAM, {"round": older.pk}).content.decode())
    assert 'data-status="approved"' in old_rows["P-O1"]


def test_approve_selected_plans(agency, the_round, client_for):
    one = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    two = make_plan(agency.officer2, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    stranger = make_plan(agency.officer3, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    page = client_for(agency.grp_head).get(TEAM).content.decode()
    assert f'value="{one.pk}:{one.version}"' in page
    response = client_for(agency.grp_head).post(
        reverse("indicators:team_approve"),
        {
            "round": the_round.pk,
            "plans": [
                f"{one.pk}:{one.version}",
                f"{two.pk}:{two.version}",
                f"{stranger.pk}:{stranger.version}",
            ],
        },
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "อนุมัติแล้ว 2 แผน" in messages
    assert "ไม่พบแผนบางรายการที่เลือก" in messages
    assert set(Plan.objects.filter(status=Plan.Status.APPROVED)) == {one, two}


def test_bulk_approval_names_the_plans_it_could_not_approve(agency, the_round, client_for):
    one = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    two = make_plan(agency.officer2, the_round, kpis=[50], status=Plan.Status.SUBMITTED)
    response = client_for(agency.grp_head).post(
        reverse("indicators:team_approve"),
        {"round": the_round.pk, "plans": [f"{one.pk}:{one.version}", f"{two.pk}:{two.version}"]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "อนุมัติแล้ว 1 แผน" in messages
    assert any(m.startswith("นางสาวสมหญิง ขยัน: แผนนี้ยังไม่ผ่านเงื่อนไข") for m in messages)
    assert Plan.objects.get(pk=two.pk).status == Plan.Status.SUBMITTED


def test_bulk_approval_with_nothing_ticked_says_so(agency, the_round, client_for):
    response = client_for(agency.grp_head).post(
        reverse("indicators:team_approve"), {"round": the_round.pk}, follow=True
    )
    assert "กรุณาเลือกแผนที่จะอนุมัติอย่างน้อย 1 แผน" in [str(m) for m in response.context["messages"]]


def test_team_page_costs_the_same_queries_for_3_and_30_people(
    agency, the_round, client_for, django_assert_num_queries
):
    small = make_node("GS", Kind.GROUP, agency.div, name="กลุ่มเล็ก")
    big = make_node("GB", Kind.GROUP, agency.div, name="กลุ่มใหญ่")
    heads = {}
    for unit, size in ((small, 3), (big, 30)):
        heads[unit.code] = make_node(
            f"H-{unit.code}", Kind.INDIVIDUAL, unit, username=f"h{unit.code}", is_head=True
        )
        for n in range(size):
            person = make_node(f"{unit.code}-{n}", Kind.INDIVIDUAL, unit, name=f"คนที่ {n}")
            if n % 2:
                make_plan(person, the_round, kpis=2, status=Plan.Status.SUBMITTED)
    client_small, client_big = client_for(heads["GS"]), client_for(heads["GB"])
    with CaptureQueriesContext(connection) as small_queries:
        assert client_small.get(TEAM).status_code == 200
    with django_assert_num_queries(len(small_queries.captured_queries)):
        html = client_big.get(TEAM).content.decode()
    assert len(rows_of(html)) == 30
