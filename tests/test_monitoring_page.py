"""The monitoring page: counts by status per unit, filters, levels (htmx), the chart,
missed fixed-date check-ins, the round report's sheet, and bounded queries."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from appraisals.reports_round import RoundReport
from indicators.models import KPI, KRA, Plan
from kpi_portal.exporters import write_workbook
from monitoring.models import CheckIn, Progress, RoundSchedule
from monitoring.services import checkin_record, schedule_save
from orgchart.models import Kind, Node
from tests.factories_monitoring import kpi_of, live_round, watched_plan
from tests.org_factories import build_department

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(db):
    """A tracking round half-way through today (tests.factories_monitoring.live_round)."""
    return live_round()


TODAY = timezone.localdate
WATCH = reverse("monitoring:watch")


def record_three(agency, the_round):
    """officer1: C1 at risk, P1 on track, S1 no check-in; officer3: C1 off track."""
    plan = watched_plan(agency.officer1, the_round)
    checkin_record(kpi=kpi_of(plan, "C1"), by=None, date=TODAY(), value=12)
    checkin_record(kpi=kpi_of(plan, "P1"), by=None, date=TODAY(), value=80)
    other = watched_plan(agency.officer3, the_round)
    checkin_record(kpi=kpi_of(other, "C1"), by=None, date=TODAY(), value=1)
    return plan, other


def counts_of(page: str, code: str) -> list[int]:
    """The four status counts shown on the tree row of unit `code`."""
    start = page.index(f'data-unit="{code}"')
    row = page[start : page.index("</div>", start)]
    return [
        int(row.split(f"count-{key}")[1].split(">")[1].split("<")[0])
        for key in ("on_track", "at_risk", "off_track", "no_news")
    ]


def test_hr_sees_counts_per_unit_rolled_up(agency, live, client_for):
    record_three(agency, live)
    page = client_for(agency.hr).get(WATCH).content.decode()
    assert counts_of(page, "DEPT") == [1, 1, 1, 3]
    assert counts_of(page, "DIV") == [1, 1, 1, 3]
    assert 'id="watch-chart-data"' in page and "js/monitoring.js" in page
    assert "<script>" not in page  # CSP: the chart's data is JSON, not a script


def test_a_head_sees_only_the_subtree(agency, live, client_for):
    record_three(agency, live)
    page = client_for(agency.grp_head).get(WATCH).content.decode()
    assert counts_of(page, "GRP") == [1, 1, 0, 1]
    assert "P-O3" not in page and "กลุ่มงานวิเคราะห์" not in page


def test_filter_by_status_and_unit(agency, live, client_for):
    record_three(agency, live)
    client = client_for(agency.hr)
    page = client.get(WATCH, {"status": "at_risk"}).content.decode()
    assert 'data-kpi="PO1-C1"' in page and 'data-kpi="PO1-P1"' not in page
    page = client.get(WATCH, {"unit": "GRP2"}).content.decode()
    assert 'data-kpi="PO3-C1"' in page and 'data-kpi="PO1-C1"' not in page
    page = client.get(WATCH, {"status": "no_news", "unit": "GRP"}).content.decode()
    assert 'data-kpi="PO1-S1"' in page and 'data-kpi="PO1-C1"' not in page


def test_old_check_ins_turn_to_no_news_after_the_rounds_days(agency, live, client_for):
    plan = watched_plan(agency.officer1, live)
    checkin_record(kpi=kpi_of(plan, "P1"), by=None, date=TODAY() - datetime.timedelta(days=20),
                   value=80)  # fmt: skip
    client = client_for(agency.hr)
    assert counts_of(client.get(WATCH).content.decode(), "DIV")[0] == 1
    schedule_save(round=live, by=None, no_news_days=14, due_dates=[])
    assert counts_of(client.get(WATCH).content.decode(), "DIV") == [0, 0, 0, 3]


def test_a_unit_outside_the_view_is_404(agency, live, client_for):
    client = client_for(agency.grp_head)
    assert client.get(WATCH, {"unit": "GRP2"}).status_code == 404
    assert (
        client.get(reverse("monitoring:watch_children", args=[agency.grp2.pk])).status_code == 404
    )
    assert client_for(agency.officer1).get(WATCH).status_code == 403


def test_opening_a_level_shows_the_sub_units_with_their_counts(agency, live, client_for):
    record_three(agency, live)
    url = reverse("monitoring:watch_children", args=[agency.div.pk])
    page = client_for(agency.hr).get(url, {"round": live.pk}).content.decode()
    assert counts_of(page, "GRP") == [1, 1, 0, 1]
    assert counts_of(page, "GRP2") == [0, 0, 1, 2]


def test_missed_fixed_dates_are_listed_for_head_and_hr(agency, live, client_for):
    plan = watched_plan(agency.officer1, live)
    watched_plan(agency.officer2, live)
    first = live.start + datetime.timedelta(days=30)
    second = live.start + datetime.timedelta(days=60)
    later = TODAY() + datetime.timedelta(days=10)
    schedule_save(round=live, by=None, no_news_days=30, due_dates=[first, second, later])
    for code in ("C1", "P1", "S1"):
        kpi = kpi_of(plan, code)
        value = {"milestones_done": 1} if code == "S1" else {"value": 5}
        checkin_record(kpi=kpi, by=None, date=first - datetime.timedelta(days=1), **value)
    page = client_for(agency.grp_head).get(reverse("monitoring:missed")).content.decode()
    # officer1 reported for the first date only; officer2 never; the third date is to come.
    assert page.count('data-owner="P-O1"') == 1
    assert page.count('data-owner="P-O2"') == 2
    assert (
        client_for(agency.sibling_head)
        .get(reverse("monitoring:missed"))
        .content.decode()
        .count("data-owner=")
        == 0
    )


def test_hr_sets_the_rounds_schedule(agency, live, client_for):
    url = reverse("monitoring:schedule", args=[live.pk])
    inside = live.start + datetime.timedelta(days=5)
    be = f"{inside.day:02d}/{inside.month:02d}/{inside.year + 543}"
    response = client_for(agency.hr).post(url, {"no_news_days": "10", "due_dates": be})
    assert response.status_code == 302
    schedule = RoundSchedule.objects.get(round=live)
    assert (schedule.no_news_days, schedule.due_dates) == (10, [inside.isoformat()])
    outside = (live.end + datetime.timedelta(days=1)).isoformat()
    response = client_for(agency.hr).post(url, {"no_news_days": "5", "due_dates": outside})
    assert response.status_code == 200 and "อยู่ในช่วงของรอบ" in response.content.decode()
    assert RoundSchedule.objects.get(round=live).no_news_days == 10
    assert client_for(agency.grp_head).get(url).status_code == 403


def test_the_round_report_has_the_monitoring_sheet(agency, live):
    record_three(agency, live)
    target = BytesIO()
    write_workbook(RoundReport(live, None), target)
    book = load_workbook(BytesIO(target.getvalue()), read_only=True)
    sheet = next(ws for ws in book.worksheets if ws.title.startswith("ความก้าวหน้า"))
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row[0]}
    assert rows["GRP"][3:8] == (1, 1, 0, 1, 3)
    assert rows["DEPT"][3:8] == (1, 1, 1, 3, 6)


# The same number of queries for 50 and 5,000 people ------------------------------


def watched_department(size: int, the_round):
    """A department of `size` people, each with an approved plan of two KPIs and a check-in."""
    department = build_department(size)
    people = list(Node.objects.filter(tree_id=department.dept.tree_id, kind=Kind.INDIVIDUAL))
    plans = Plan.objects.bulk_create(
        [Plan(owner=p, round=the_round, status=Plan.Status.APPROVED) for p in people]
    )
    kras = KRA.objects.bulk_create([KRA(plan=plan, job="งาน", name="ผลสัมฤทธิ์") for plan in plans])
    levels = {f"level_{n}": Decimal(n * 10) for n in range(1, 6)}
    kpis = KPI.objects.bulk_create(
        [
            KPI(
                round=the_round,
                plan=kra.plan,
                kra=kra,
                code=f"{kra.plan.owner.code}-K{n}",
                name="ตัวชี้วัด",
                unit="เรื่อง",
                scale="higher",
                weight=50,
                **levels,
            )
            for kra in kras
            for n in (1, 2)
        ]
    )
    checkins = CheckIn.objects.bulk_create(
        [
            CheckIn(
                kpi=kpi,
                date=TODAY(),
                value=n % 60,
                status=("on_track", "at_risk")[n % 2],
                suggested_status="on_track",
                projected_level=3,
            )
            for n, kpi in enumerate(kpis[::2])
        ]
    )
    Progress.objects.bulk_create(
        [
            Progress(kpi_id=c.kpi_id, checkin=c, date=c.date, status=c.status, projected_level=3)
            for c in checkins
        ]
    )
    return department


def page_text(client: Client, url, query=None) -> str:
    response = client.get(url, query or {})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def sizes(db):
    the_round = live_round()
    return the_round, watched_department(50, the_round), watched_department(5000, the_round)


@pytest.mark.parametrize("who", ["hr", "head"])
def test_monitoring_page_costs_the_same_queries_for_50_and_5000_people(
    sizes, django_assert_num_queries, who
):
    _round, small, big = sizes
    clients = {}
    for department in (small, big):
        clients[department.size] = Client()
        clients[department.size].force_login(getattr(department, who).user)
        page_text(clients[department.size], WATCH)  # warm up the session
    with CaptureQueriesContext(connection) as counted:
        small_text = page_text(clients[50], WATCH, {"status": "at_risk"})
    with django_assert_num_queries(len(counted)):
        big_text = page_text(clients[5000], WATCH, {"status": "at_risk"})
    assert counts_of(small_text, small.dept.code) == [25, 25, 0, 50]
    assert counts_of(big_text, big.dept.code) == [2500, 2500, 0, 5000]


def test_opening_a_level_costs_the_same_queries_for_50_and_5000_people(
    sizes, django_assert_num_queries
):
    _round, small, big = sizes
    clients = {}
    for department in (small, big):
        clients[department.size] = Client()
        clients[department.size].force_login(department.hr.user)
        page_text(clients[department.size], WATCH)
    with CaptureQueriesContext(connection) as counted:
        page_text(clients[50], reverse("monitoring:watch_children", args=[small.dept.pk]))
    with django_assert_num_queries(len(counted)):
        text = page_text(clients[5000], reverse("monitoring:watch_children", args=[big.dept.pk]))
    assert "สำนักที่ 4" in text
