"""The rounds page (HR and administrators): list, create with default dates, edit, move status."""

import datetime

import pytest
from django.urls import reverse

from indicators.models import Round

ROUNDS = reverse("indicators:rounds")


def create(client, **data):
    values = {
        "code": "2570/1",
        "start": "",
        "end": "",
        "min_kpis": 3,
        "max_kpis": 10,
        "recommended_kpis": 6,
    }
    values.update(data)
    return client.post(ROUNDS, values, follow=True)


@pytest.mark.parametrize("who", ["officer1", "grp_head", "outsider"])
def test_officers_and_heads_get_403(agency, client_for, who):
    assert client_for(getattr(agency, who)).get(ROUNDS).status_code == 403
    assert create(client_for(getattr(agency, who))).status_code == 403
    assert not Round.objects.exists()


def test_hr_lists_rounds_and_sees_the_next_one_suggested(agency, the_round, client_for):
    html = client_for(agency.hr).get(ROUNDS).content.decode()
    assert 'data-round="2569/1"' in html
    assert 'value="2569/2"' in html  # the next round, ready to create
    assert 'value="01/04/2569"' in html  # date inputs carry B.E. dates, like every page


def test_hr_creates_a_round_with_default_dates(agency, client_for):
    response = create(client_for(agency.hr))
    assert "สร้างรอบ 2570/1 แล้ว" in [str(m) for m in response.context["messages"]]
    created = Round.objects.get(fiscal_year=2570, number=1)
    assert (created.start, created.end) == (datetime.date(2026, 10, 1), datetime.date(2027, 3, 31))
    assert (created.min_kpis, created.max_kpis, created.recommended_kpis) == (3, 10, 6)
    assert created.status == Round.Status.PLANNING


def test_admin_creates_a_round_with_its_own_dates(agency, client_for):
    create(client_for(agency.admin), code="2570/2", start="15/04/2570", end="15/09/2570")
    created = Round.objects.get(fiscal_year=2570, number=2)
    assert created.start == datetime.date(2027, 4, 15)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "2570/3"}, "รหัสรอบต้องอยู่ในรูป ปปปป/ร"),
        ({"code": "2569/1"}, "มีรอบ 2569/1 อยู่แล้ว"),
        ({"min_kpis": 11}, "จำนวนสูงสุดต้องไม่น้อยกว่าจำนวนขั้นต่ำ"),
        ({"recommended_kpis": 12}, "จำนวนที่แนะนำต้องอยู่ระหว่างจำนวนขั้นต่ำและสูงสุด"),
        ({"start": "01/05/2570", "end": "01/04/2570"}, "วันสิ้นสุดต้องไม่อยู่ก่อนวันเริ่มต้น"),
    ],
)
def test_bad_round_input_is_refused_with_a_message(agency, the_round, client_for, data, message):
    response = create(client_for(agency.hr), **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Round.objects.count() == 1


def test_hr_edits_dates_and_limits_of_an_open_round(agency, the_round, client_for):
    url = reverse("indicators:round_edit", args=[the_round.pk])
    client = client_for(agency.hr)
    assert client.get(url).status_code == 200
    client.post(
        url,
        {
            "start": "01/10/2568",
            "end": "15/03/2569",
            "min_kpis": 2,
            "max_kpis": 8,
            "recommended_kpis": 5,
        },
    )
    the_round.refresh_from_db()
    assert the_round.end == datetime.date(2026, 3, 15) and the_round.max_kpis == 8


def test_a_closed_round_cannot_be_edited_or_moved(agency, the_round, client_for):
    Round.objects.filter(pk=the_round.pk).update(status=Round.Status.CLOSED)
    client = client_for(agency.hr)
    url = reverse("indicators:round_edit", args=[the_round.pk])
    response = client.post(
        url,
        {
            "start": "01/10/2568",
            "end": "01/01/2569",
            "min_kpis": 1,
            "max_kpis": 15,
            "recommended_kpis": 7,
        },
        follow=True,
    )
    assert "รอบ 2569/1 ปิดแล้ว แก้ไขไม่ได้" in [str(m) for m in response.context["messages"]]
    client.post(reverse("indicators:round_status", args=[the_round.pk]), {"status": "planning"})
    the_round.refresh_from_db()
    assert the_round.end == datetime.date(2026, 3, 31) and the_round.is_closed


def test_status_moves_planning_tracking_assessment(agency, the_round, client_for):
    client = client_for(agency.hr)
    url = reverse("indicators:round_status", args=[the_round.pk])
    response = client.post(url, {"status": "tracking"}, follow=True)
    assert "รอบ 2569/1 อยู่ในสถานะ ติดตามผล แล้ว" in [str(m) for m in response.context["messages"]]
    client.post(url, {"status": "assessment"})
    the_round.refresh_from_db()
    assert the_round.status == Round.Status.ASSESSMENT
    response = client.post(url, {"status": "closed"}, follow=True)  # closing is not done here
    the_round.refresh_from_db()
    assert the_round.status == Round.Status.ASSESSMENT
    assert "เปลี่ยนสถานะรอบ 2569/1 ไม่ได้" in [str(m) for m in response.context["messages"]]


def test_status_buttons_offer_only_allowed_moves(agency, the_round, client_for):
    html = client_for(agency.hr).get(ROUNDS).content.decode()
    assert 'name="status" value="tracking"' in html
    assert 'name="status" value="assessment"' not in html
    assert 'name="status" value="closed"' not in html
