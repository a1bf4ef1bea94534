"""Check-ins: the service's rules and the KPI page (record, history, comments, 404s)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from indicators.models import HistoryEntry, Plan, Round
from monitoring.models import CheckIn, CheckInComment, Progress
from monitoring.services import checkin_comment_add, checkin_record
from tests.factories_monitoring import kpi_of, live_round, watched_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(db):
    """A tracking round half-way through today (tests.factories_monitoring.live_round)."""
    return live_round()


TODAY = timezone.localdate


def test_recording_a_count_suggests_its_status_from_the_share_elapsed(agency, live):
    plan = watched_plan(agency.officer1, live)
    kpi = kpi_of(plan, "C1")  # a count: 10/20/30/40/50
    # Half the round gone (92 of 182 days): 12 so far projects to 23.7: level 2, at risk.
    checkin = checkin_record(kpi=kpi, by=agency.officer1.user, date=TODAY(), value="12")
    assert (checkin.status, checkin.suggested_status, checkin.projected_level) == (
        "at_risk", "at_risk", 2,
    )  # fmt: skip
    assert Progress.objects.get(kpi=kpi).checkin == checkin
    entry = HistoryEntry.objects.get(plan=plan, action="checkin_record")
    assert entry.by == agency.officer1.user


def test_a_percentage_is_judged_as_it_stands(agency, live):
    kpi = kpi_of(watched_plan(agency.officer1, live), "P1")  # ร้อยละ 65..85
    checkin = checkin_record(kpi=kpi, by=agency.officer1.user, date=TODAY(), value=Decimal(76))
    assert (checkin.projected_level, checkin.status) == (3, "on_track")


def test_the_owner_may_override_the_suggestion(agency, live):
    kpi = kpi_of(watched_plan(agency.officer1, live), "P1")
    checkin = checkin_record(
        kpi=kpi, by=agency.officer1.user, date=TODAY(), value=76, status="at_risk", note="ช้า"
    )
    assert (checkin.status, checkin.suggested_status) == ("at_risk", "on_track")


def test_same_date_updates_and_history_keeps_each_date(agency, live):
    kpi = kpi_of(watched_plan(agency.officer1, live), "S1")
    by = agency.officer1.user
    checkin_record(kpi=kpi, by=by, date=TODAY() - datetime.timedelta(days=10), milestones_done=1)
    checkin_record(kpi=kpi, by=by, date=TODAY(), milestones_done=1)
    checkin_record(kpi=kpi, by=by, date=TODAY(), milestones_done=2)
    assert list(CheckIn.objects.filter(kpi=kpi).values_list("milestones_done", flat=True)) == [
        2, 1,
    ]  # fmt: skip
    assert Progress.objects.get(kpi=kpi).checkin.milestones_done == 2


@pytest.mark.parametrize(
    "status", [Round.Status.PLANNING, Round.Status.ASSESSMENT, Round.Status.CLOSED]
)
def test_refused_outside_tracking(agency, status):
    the_round = live_round(status)
    kpi = kpi_of(watched_plan(agency.officer1, the_round), "C1")
    with pytest.raises(ValidationError) as error:
        checkin_record(kpi=kpi, by=agency.officer1.user, date=TODAY(), value=5)
    assert "เฉพาะช่วงติดตามผล" in error.value.messages[0]
    assert not CheckIn.objects.exists()


def test_refused_on_a_plan_not_approved(agency, live):
    plan = watched_plan(agency.officer1, live, status=Plan.Status.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        checkin_record(kpi=kpi_of(plan, "C1"), by=agency.officer1.user, date=TODAY(), value=5)
    assert "ยังไม่ได้รับอนุมัติ" in error.value.messages[0]
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("date", "value", "message"),
    [
        (lambda r: TODAY() + datetime.timedelta(days=1), "5", "อนาคต"),
        (lambda r: r.start - datetime.timedelta(days=1), "5", "ก่อนวันเริ่มต้น"),
        (lambda r: TODAY(), "ห้า", "ต้องเป็นตัวเลข"),
        (lambda r: TODAY(), "", "กรุณาระบุผล"),
    ],
)
def test_bad_input_is_refused_and_saves_nothing(agency, live, date, value, message):
    kpi = kpi_of(watched_plan(agency.officer1, live), "C1")
    with pytest.raises(ValidationError) as error:
        checkin_record(kpi=kpi, by=agency.officer1.user, date=date(live), value=value)
    assert message in error.value.messages[0]
    assert not CheckIn.objects.exists() and not Progress.objects.exists()


def test_bad_status_and_milestones_are_refused(agency, live):
    plan = watched_plan(agency.officer1, live)
    with pytest.raises(ValidationError):
        checkin_record(kpi=kpi_of(plan, "C1"), by=None, date=TODAY(), value=5, status="great")
    with pytest.raises(ValidationError):
        checkin_record(kpi=kpi_of(plan, "S1"), by=None, date=TODAY(), milestones_done=6)
    assert not CheckIn.objects.exists()


# The pages -------------------------------------------------------------------------


def test_officer_records_on_the_page_and_sees_it_on_the_results_page(agency, live, client_for):
    plan = watched_plan(agency.officer1, live)
    kpi = kpi_of(plan, "C1")
    client = client_for(agency.officer1)
    url = reverse("monitoring:checkin_record", args=[kpi.pk])
    response = client.post(url, {"date": TODAY().isoformat(), "value": "12", "note": "ครึ่งทาง"})
    assert response.status_code == 302
    page = client.get(reverse("monitoring:kpi", args=[kpi.pk])).content.decode()
    assert "ครึ่งทาง" in page and "status-at_risk" in page
    results = client.get(reverse("appraisals:results", args=[plan.pk])).content.decode()
    assert 'id="checkin-panel"' in results and "status-at_risk" in results
    plan_page = client.get(reverse("indicators:plan", args=[plan.pk])).content.decode()
    assert 'id="checkin-panel"' in plan_page


def test_a_refusal_on_the_page_shows_the_message_and_saves_nothing(agency, live, client_for):
    kpi = kpi_of(watched_plan(agency.officer1, live), "C1")
    url = reverse("monitoring:checkin_record", args=[kpi.pk])
    response = client_for(agency.officer1).post(url, {"date": TODAY().isoformat(), "value": "x"})
    assert response.status_code == 200
    assert "ต้องเป็นตัวเลข" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_only_the_holder_records_and_outsiders_get_404(agency, live, client_for):
    kpi = kpi_of(watched_plan(agency.officer1, live), "C1")
    url = reverse("monitoring:checkin_record", args=[kpi.pk])
    data = {"date": TODAY().isoformat(), "value": "5"}
    assert client_for(agency.grp_head).post(url, data).status_code == 403
    assert client_for(agency.officer2).post(url, data).status_code == 404
    assert client_for(agency.sibling_head).post(url, data).status_code == 404
    assert (
        client_for(agency.hr_other).get(reverse("monitoring:kpi", args=[kpi.pk])).status_code == 404
    )
    assert not CheckIn.objects.exists()


def test_supervisor_comments_and_the_officer_sees_it(agency, live, client_for):
    kpi = kpi_of(watched_plan(agency.officer1, live), "C1")
    checkin = checkin_record(kpi=kpi, by=agency.officer1.user, date=TODAY(), value=12)
    url = reverse("monitoring:comment_add", args=[checkin.pk])
    assert client_for(agency.officer1).post(url, {"text": "ตัวเอง"}).status_code == 403
    assert client_for(agency.sibling_head).post(url, {"text": "คนอื่น"}).status_code == 404
    response = client_for(agency.grp_head).post(url, {"text": "เร่งหน่อย"})
    assert response.status_code == 302
    comment = CheckInComment.objects.get()
    assert (comment.text, comment.by) == ("เร่งหน่อย", agency.grp_head.user)
    page = client_for(agency.officer1).get(reverse("monitoring:kpi", args=[kpi.pk]))
    assert "เร่งหน่อย" in page.content.decode()


def test_an_empty_comment_is_refused(agency, live):
    kpi = kpi_of(watched_plan(agency.officer1, live), "C1")
    checkin = checkin_record(kpi=kpi, by=None, date=TODAY(), value=12)
    with pytest.raises(ValidationError):
        checkin_comment_add(checkin=checkin, by=agency.grp_head.user, text="   ")
    assert not CheckInComment.objects.exists()


def test_the_head_records_the_units_own_plan(agency, live, client_for):
    plan = watched_plan(agency.grp, live)
    kpi = kpi_of(plan, "C1")
    url = reverse("monitoring:checkin_record", args=[kpi.pk])
    response = client_for(agency.grp_head).post(url, {"date": TODAY().isoformat(), "value": "20"})
    assert response.status_code == 302
    assert CheckIn.objects.get(kpi=kpi).status == "on_track"
