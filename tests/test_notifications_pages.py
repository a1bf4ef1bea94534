"""The bell, the notifications page, preferences and HR's reminder settings."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification, NotificationPreference, RoundReminder
from tests.factories_notifications import make_notification
from tests.factories_plans import make_plan


def notes(user, count, **fields):
    return Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind="plan_approved",
            params={"owner": "นายสมชาย ตั้งใจ", "round": "2569/1", "by": "นางหัวหน้า กลุ่ม"},
            **fields,
        )
        for _n in range(count)
    )


def test_the_bell_shows_the_unread_count(agency, client_for):
    notes(agency.officer1.user, 3)
    notes(agency.officer1.user, 2, read_at="2026-01-01T00:00:00Z")
    notes(agency.officer2.user, 4)
    client = client_for(agency.officer1)
    page = client.get(reverse("home")).content.decode()
    assert 'hx-get="/notifications/bell/"' in page  # the nav loads it
    bell = client.get(reverse("notifications:bell")).content.decode()
    assert 'id="notification-count">3</span>' in bell
    assert "hx-get" not in bell  # loaded once, not again and again


def test_the_bell_of_someone_with_nothing_unread_has_no_count(agency, client_for):
    bell = client_for(agency.officer1).get(reverse("notifications:bell")).content.decode()
    assert "notification-count" not in bell


def test_a_signed_out_browser_gets_no_bell(db):
    response = Client().get(reverse("notifications:bell"))
    assert response.status_code == 204 and response.content == b""


@pytest.mark.parametrize("count", [0, 40])
def test_pages_pay_nothing_for_the_bell_and_the_bell_one_query(agency, client_for, count):
    notes(agency.officer1.user, count)
    client = client_for(agency.officer1)
    client.get(reverse("home"))  # warm caches (session, roles)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    assert not [q for q in queries.captured_queries if "notifications_" in q["sql"]]
    client.get(reverse("notifications:bell"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("notifications:bell"))
    ours = [q for q in queries.captured_queries if "notifications_" in q["sql"]]
    assert len(ours) == 1
    # the session, the user, the count, and the session's save (savepoint, update, release)
    assert len(queries.captured_queries) == 7


@pytest.mark.parametrize("count", [5, 75])
def test_the_list_costs_the_same_queries_at_any_size(
    agency, client_for, django_assert_num_queries, count
):
    notes(agency.officer1.user, count)
    client = client_for(agency.officer1)
    client.get(reverse("notifications:list"))
    # session, user, node (roles), the paginator's count and page, the bell, and the
    # session save (a savepoint around an update)
    with django_assert_num_queries(9):
        response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert response.content.decode().count("data-notification=") == min(count, 30)


def test_the_list_is_paginated_newest_first(agency, client_for):
    first = make_notification(agency.officer1.user, created_at="2026-01-01T00:00:00Z")
    notes(agency.officer1.user, 30)
    client = client_for(agency.officer1)
    assert (
        f'data-notification="{first.pk}"'
        not in client.get(reverse("notifications:list")).content.decode()
    )
    page2 = client.get(reverse("notifications:list"), {"page": 2}).content.decode()
    assert f'data-notification="{first.pk}"' in page2 and "หน้า 2 จาก 2" in page2


def test_opening_a_notification_marks_it_read_and_goes_to_the_plan(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=[100])
    note = make_notification(agency.grp_head.user, kind="plan_submitted", plan=plan)
    response = client_for(agency.grp_head).post(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("indicators:plan", args=[plan.pk])
    note.refresh_from_db()
    assert note.read_at is not None


def test_someone_elses_notification_answers_404_and_stays_unread(agency, client_for):
    note = make_notification(agency.officer1.user)
    client = client_for(agency.officer2)
    for name in ("notifications:open", "notifications:read"):
        assert client.post(reverse(name, args=[note.pk])).status_code == 404
    client.post(reverse("notifications:read_all"))
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_one_and_mark_all_read(agency, client_for):
    one, *_others = notes(agency.officer1.user, 3)
    other = make_notification(agency.officer2.user)
    client = client_for(agency.officer1)
    response = client.post(reverse("notifications:read", args=[one.pk]), {"next": "/"})
    assert response.headers["Location"] == "/"
    assert (
        Notification.objects.filter(read_at__isnull=True, recipient=agency.officer1.user).count()
        == 2
    )
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "ทำเครื่องหมายว่าอ่านแล้ว 2 รายการ" in response.content.decode()
    assert not Notification.objects.filter(recipient=agency.officer1.user, read_at__isnull=True)
    other.refresh_from_db()
    assert other.read_at is None


def test_read_refuses_a_redirect_to_another_site(agency, client_for):
    note = make_notification(agency.officer1.user)
    response = client_for(agency.officer1).post(
        reverse("notifications:read", args=[note.pk]), {"next": "https://evil.example/"}
    )
    assert response.headers["Location"] == reverse("notifications:list")


def test_the_notification_reads_in_the_readers_language(agency, client_for):
    make_notification(agency.officer1.user)
    client = client_for(agency.officer1)
    thai = client.get(reverse("notifications:list")).content.decode()
    assert "นางหัวหน้า อนุมัติแผนตัวชี้วัดรอบ 2569/1 ของ นายสมชาย ตั้งใจ แล้ว" in thai
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("notifications:list")).content.decode()
    assert "นางหัวหน้า approved the KPI plan of round 2569/1 of นายสมชาย ตั้งใจ." in english
    assert NotificationPreference.objects.get(user=agency.officer1.user).language == "en"


def test_preferences_need_a_csrf_token(agency):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agency.officer1.user)
    response = client.post(reverse("notifications:preferences"), {"language": "en"})
    assert response.status_code == 403
    assert not NotificationPreference.objects.filter(user=agency.officer1.user, language="en")


def test_preferences_refuse_an_unknown_language(agency, client_for):
    response = client_for(agency.officer1).post(
        reverse("notifications:preferences"), {"language": "xx"}
    )
    assert response.status_code == 200
    assert "xx" in response.content.decode()  # Django's "choose a valid choice" names it
    assert not NotificationPreference.objects.filter(user=agency.officer1.user).exists()


def test_hr_sets_a_rounds_deadlines(agency, the_round, client_for):
    client = client_for(agency.hr)
    url = reverse("notifications:round_reminders", args=[the_round.pk])
    assert client.get(url).status_code == 200
    data = {
        "planning_ends": "15/11/2568",
        "planning_days": "5",
        "assessment_ends": "",
        "assessment_days": "10",
    }
    response = client.post(url, data, follow=True)
    assert "บันทึกการเตือนของรอบ 2569/1 แล้ว" in response.content.decode()
    reminder = RoundReminder.objects.get(round=the_round)
    assert reminder.planning_ends == datetime.date(2025, 11, 15) and reminder.planning_days == 5
    assert reminder.assessment_deadline == the_round.end
    listing = client.get(reverse("notifications:rounds")).content.decode()
    assert "15 พ.ย. 2568" in listing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"planning_ends": "01/05/2568", "planning_days": "7"}, "วันสิ้นสุดการวางแผนต้องอยู่ในช่วงของรอบ"),
        ({"planning_ends": "15/11/2568", "planning_days": "200"}, "จำนวนวันต้องอยู่ระหว่าง 0 ถึง 90"),
        ({"planning_ends": "not a date", "planning_days": "7"}, "วันที่ต้องอยู่ในรูป วว/ดด/ปปปป"),
        (
            {"planning_ends": "01/03/2569", "planning_days": "7", "assessment_ends": "01/01/2569"},
            "วันสิ้นสุดการประเมินต้องไม่ก่อนวันสิ้นสุดการวางแผน",
        ),
    ],
)
def test_bad_reminder_settings_are_refused_and_nothing_saved(
    agency, the_round, client_for, data, message
):
    data = {"assessment_ends": "", "assessment_days": "7", **data}
    url = reverse("notifications:round_reminders", args=[the_round.pk])
    response = client_for(agency.hr).post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RoundReminder.objects.exists()


def test_a_closed_rounds_reminders_cannot_be_changed(agency, the_round, client_for):
    the_round.status = the_round.Status.CLOSED
    the_round.save(update_fields=["status"])
    url = reverse("notifications:round_reminders", args=[the_round.pk])
    response = client_for(agency.hr).post(
        url, {"planning_days": "7", "assessment_days": "7"}, follow=True
    )
    assert "รอบ 2569/1 ปิดแล้ว แก้ไขไม่ได้" in response.content.decode()
    assert not RoundReminder.objects.exists()


def test_preferences_saved_the_first_time(agency, client_for):
    client = client_for(agency.officer1)
    client.get(reverse("notifications:preferences"))
    assert not NotificationPreference.objects.exists()  # a GET writes nothing
    client.post(reverse("notifications:preferences"), {"language": "en", "email_review_due": "on"})
    preference = NotificationPreference.objects.get(user=agency.officer1.user)
    assert preference.language == "en"
    assert "review_due" not in preference.email_off and "plan_approved" in preference.email_off
