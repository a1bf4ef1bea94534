"""The REST API's check-ins: /api/v1/kpis/{id}/checkins/ (GET the list, POST one).

Written through monitoring.services.checkin_record, as the KPI's check-in
page writes; the page's visibility (404) and holder rule (403); refusals
answer JSON in the caller's language and save nothing.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.models import HistoryEntry, Plan, Round
from monitoring.models import CheckIn, Progress
from monitoring.services import checkin_comment_add, checkin_record
from tests.api_helpers import api_for
from tests.factories_monitoring import kpi_of, live_round, watched_plan

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def url(kpi) -> str:
    return reverse("api:kpi-checkins", args=[kpi.pk])


@pytest.fixture
def live(db):
    """A tracking round half-way through today (tests.factories_monitoring.live_round)."""
    return live_round()


@pytest.fixture
def plan(agency, live):
    return watched_plan(agency.officer1, live)


def _refused(response, status, message, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert message in response.json()["detail"], response.json()
    if code:
        assert response.json()["code"] == code


# Writes ---------------------------------------------------------------------------------


def test_the_owner_records_a_checkin_and_the_page_shows_it(agency, plan, client_for):
    kpi = kpi_of(plan, "C1")  # a count: 10/20/30/40/50; half the round gone
    body = {"date": TODAY().isoformat(), "value": "12", "note": "ส่งรายงานแล้ว 12 เรื่อง"}
    response = api_for(agency.officer1).post(url(kpi), body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["status"], data["suggested_status"], data["projected_level"]) == (
        "at_risk", "at_risk", 2,
    )  # fmt: skip
    assert data["value"] == "12.0000" and data["milestones_done"] is None
    assert data["by"] == agency.officer1.name and data["comments"] == []
    checkin = CheckIn.objects.get(kpi=kpi)
    assert data["id"] == checkin.pk and checkin.by == agency.officer1.user
    assert checkin.value == Decimal(12) and checkin.note == body["note"]
    assert Progress.objects.get(kpi=kpi).checkin == checkin
    assert HistoryEntry.objects.filter(plan=plan, action="checkin_record").count() == 1
    page = client_for(agency.officer1).get(reverse("monitoring:kpi", args=[kpi.pk]))
    assert page.status_code == 200
    assert body["note"] in page.content.decode()
    assert page.context["latest"] == checkin


def test_the_api_and_the_page_make_the_same_checkin(agency, live, client_for):
    by_api = watched_plan(agency.officer1, live)
    by_page = watched_plan(agency.officer2, live)
    api, page = api_for(agency.officer1), client_for(agency.officer2)
    cases = (
        ("C1", {"value": "๒๕"}),
        ("P1", {"value": "76", "status": "at_risk", "note": "ช้ากว่าแผน"}),
        ("S1", {"milestones_done": "3"}),
    )
    for suffix, fields in cases:
        body = {"date": TODAY().isoformat(), **fields}
        assert api.post(url(kpi_of(by_api, suffix)), body).status_code == 201
        page_kpi = kpi_of(by_page, suffix)
        posted = page.post(reverse("monitoring:checkin_record", args=[page_kpi.pk]), body)
        assert posted.status_code == 302

    def stored(plan):
        return list(
            CheckIn.objects.filter(kpi__plan=plan)
            .order_by("kpi__order")
            .values_list(
                "date", "value", "milestones_done", "status", "suggested_status",
                "projected_level", "note",
            )
        )  # fmt: skip

    assert stored(by_api) == stored(by_page)
    assert len(stored(by_api)) == 3


def test_a_second_checkin_on_the_same_date_replaces_the_first(agency, plan):
    kpi = kpi_of(plan, "S1")
    api = api_for(agency.officer1)
    for done in ("1", "2"):
        body = {"date": TODAY().isoformat(), "milestones_done": done}
        assert api.post(url(kpi), body).status_code == 201
    assert list(CheckIn.objects.filter(kpi=kpi).values_list("milestones_done", flat=True)) == [2]


def test_the_head_records_for_the_units_plan(agency, live):
    unit_plan = watched_plan(agency.grp, live)
    kpi = kpi_of(unit_plan, "P1")
    response = api_for(agency.grp_head).post(url(kpi), {"date": TODAY().isoformat(), "value": 80})
    assert response.status_code == 201, response.content
    assert CheckIn.objects.get(kpi=kpi).by == agency.grp_head.user


# Refusals: nothing saved ------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [Round.Status.PLANNING, Round.Status.ASSESSMENT, Round.Status.CLOSED]
)
def test_refused_outside_tracking(agency, status):
    kpi = kpi_of(watched_plan(agency.officer1, live_round(status)), "C1")
    response = api_for(agency.officer1).post(url(kpi), {"date": TODAY().isoformat(), "value": 5})
    _refused(response, 409, "รายงานความก้าวหน้าได้เฉพาะช่วงติดตามผล", "not_tracking")
    assert not CheckIn.objects.exists()


def test_a_closed_round_refuses_in_english_too(agency):
    kpi = kpi_of(watched_plan(agency.officer1, live_round(Round.Status.CLOSED)), "C1")
    api = api_for(agency.officer1, language="en")
    response = api.post(url(kpi), {"date": TODAY().isoformat(), "value": 5})
    _refused(response, 409, "Check-ins are taken only while the round is tracking", "not_tracking")
    assert response["Content-Language"] == "en"
    assert not CheckIn.objects.exists()


def test_an_unapproved_plan_refuses(agency, live):
    plan = watched_plan(agency.officer1, live, status=Plan.Status.SUBMITTED)
    body = {"date": TODAY().isoformat(), "value": 5}
    response = api_for(agency.officer1).post(url(kpi_of(plan, "C1")), body)
    _refused(response, 409, "แผนตัวชี้วัดนี้ยังไม่ได้รับอนุมัติ", "not_approved")
    english = api_for(agency.officer1, language="en").post(url(kpi_of(plan, "C1")), body)
    _refused(english, 409, "This KPI plan is not approved yet", "not_approved")
    assert not CheckIn.objects.exists()


def test_someone_elses_kpi_is_refused(agency, plan):
    kpi = kpi_of(plan, "C1")
    body = {"date": TODAY().isoformat(), "value": "12"}
    # The head and HR see officer1's KPI (the page shows it to them) but do not hold it.
    message = "บันทึกความก้าวหน้าได้เฉพาะผู้รับผิดชอบแผนของตัวชี้วัดนี้"
    _refused(api_for(agency.grp_head).post(url(kpi), body), 403, message)
    _refused(api_for(agency.hr).post(url(kpi), body), 403, message)
    english = api_for(agency.grp_head, language="en").post(url(kpi), body)
    _refused(english, 403, "Only the holder of this KPI's plan can record its check-ins.")
    # A colleague does not see it at all.
    _refused(api_for(agency.officer2).post(url(kpi), body), 404, "ไม่พบข้อมูลนี้")
    _refused(api_for(agency.outsider).post(url(kpi), body), 404, "ไม่พบข้อมูลนี้")
    assert not CheckIn.objects.exists()


def test_bad_input_is_refused_with_the_page_messages(agency, plan):
    api = api_for(agency.officer1)
    numeric, milestone = kpi_of(plan, "C1"), kpi_of(plan, "S1")
    today = TODAY().isoformat()
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    before = (plan.round.start - datetime.timedelta(days=1)).isoformat()
    cases = [
        (numeric, {"date": today, "value": "มาก"}, "ผลการดำเนินงานต้องเป็นตัวเลข"),
        (numeric, {"date": today}, "กรุณาระบุผลการดำเนินงานถึงวันที่รายงาน"),
        (milestone, {"date": today, "milestones_done": "9"}, "0 ถึง 5"),
        (numeric, {"date": tomorrow, "value": "5"}, "วันที่รายงานต้องไม่เป็นวันในอนาคต"),
        (numeric, {"date": before, "value": "5"}, "วันที่รายงานต้องไม่ก่อนวันเริ่มต้นของรอบ"),
        (numeric, {"date": today, "value": "5", "status": "great"}, "สถานะต้องเป็น on_track"),
        (numeric, {"value": "5"}, "date"),
        (numeric, {"date": "31/02/2569", "value": "5"}, "date"),
    ]
    for kpi, body, message in cases:
        _refused(api.post(url(kpi), body), 400, message)
    english = api_for(agency.officer1, language="en").post(
        url(numeric), {"date": tomorrow, "value": "5"}
    )
    _refused(english, 400, "The check-in date cannot be in the future")
    assert not CheckIn.objects.exists()
    assert not HistoryEntry.objects.filter(action="checkin_record").exists()


def test_writes_need_a_token(agency, plan, client_for):
    kpi = kpi_of(plan, "C1")
    session = client_for(agency.officer1)
    body = json.dumps({"date": TODAY().isoformat(), "value": "5"})
    assert session.post(url(kpi), body, content_type="application/json").status_code == 401
    assert api_for(agency.officer1).delete(url(kpi)).status_code == 405
    assert not CheckIn.objects.exists()


# Reads ----------------------------------------------------------------------------------


def _history(kpi, by, days: int, *, comments_by=None) -> None:
    """`days` check-ins of `kpi`, one a day back from today, each with a comment."""
    for back in range(days):
        checkin = checkin_record(
            kpi=kpi, by=by, date=TODAY() - datetime.timedelta(days=back), value=str(back + 1)
        )
        if comments_by is not None:
            checkin_comment_add(checkin=checkin, by=comments_by, text=f"ความเห็น {back}")


def test_the_list_is_newest_first_with_comments_as_the_page(agency, plan, client_for):
    kpi = kpi_of(plan, "C1")
    _history(kpi, agency.officer1.user, 3, comments_by=agency.grp_head.user)
    response = api_for(agency.grp_head).get(url(kpi))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["count"] == 3
    rows = data["results"]
    assert [row["date"] for row in rows] == [
        (TODAY() - datetime.timedelta(days=back)).isoformat() for back in range(3)
    ]
    assert rows[0]["comments"][0]["text"] == "ความเห็น 0"
    assert rows[0]["comments"][0]["by"] == agency.grp_head.name
    page = client_for(agency.grp_head).get(reverse("monitoring:kpi", args=[kpi.pk]))
    assert [row["id"] for row in rows] == [c.pk for c in page.context["checkins"]]
    paged = api_for(agency.grp_head).get(url(kpi), {"page_size": 2}).json()
    assert len(paged["results"]) == 2 and paged["next"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("officer1", 200), ("grp_head", 200), ("div_head", 200), ("hr", 200), ("admin", 200),
        ("officer2", 404), ("sibling_head", 404), ("hr_other", 404), ("outsider", 404),
    ],
)  # fmt: skip
def test_the_list_is_seen_as_the_page_is(agency, plan, client_for, role, status):
    kpi = kpi_of(plan, "C1")
    _history(kpi, agency.officer1.user, 1)
    who = getattr(agency, role)
    page = client_for(who).get(reverse("monitoring:kpi", args=[kpi.pk]))
    response = api_for(who).get(url(kpi))
    assert response.status_code == page.status_code == status
    if status == 404:
        assert response.json()["detail"]
    else:
        assert response.json()["count"] == 1


# Token (1), rate limit (6), roles (1), the KPI (1), the count and the page (2), the
# comments (1).
LIST_QUERIES = 12


@pytest.mark.parametrize("days", [3, 15])
def test_the_list_takes_a_fixed_number_of_queries(agency, plan, django_assert_num_queries, days):
    kpi = kpi_of(plan, "C1")
    _history(kpi, agency.officer1.user, days, comments_by=agency.grp_head.user)
    api = api_for(agency.hr)
    api.get(reverse("api:round-list"))  # the token's "last used" is touched once
    with django_assert_num_queries(LIST_QUERIES):
        response = api.get(url(kpi), {"page_size": 200})
    assert response.status_code == 200
    assert response.json()["count"] == days


def test_the_results_list_carries_the_latest_checkin(agency, plan):
    kpi = kpi_of(plan, "C1")
    _history(kpi, agency.officer1.user, 2)
    rows = api_for(agency.grp_head).get(reverse("api:result-list"), {"plan": plan.pk}).json()
    latest = {row["kpi_code"]: row["latest_checkin"] for row in rows["results"]}
    newest = CheckIn.objects.filter(kpi=kpi).first()
    assert latest[kpi.code] == {
        "id": newest.pk,
        "date": TODAY().isoformat(),
        "status": newest.status,
        "projected_level": newest.projected_level,
    }
    assert latest[kpi_of(plan, "P1").code] is None
    one = api_for(agency.officer1).get(reverse("api:kpi-result", args=[kpi.pk])).json()
    assert one["latest_checkin"]["id"] == newest.pk
