"""Missed check-ins (issue 12): `send_reminders` tells the holders who missed a fixed date."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from indicators.models import Plan
from monitoring.notify import CHECKINS_MISSED
from monitoring.services import checkin_record, schedule_save
from notifications.models import Delivery, Notification, NotificationPreference
from tests.factories_monitoring import kpi_of, live_round, watched_plan
from tests.factories_notifications import mails_to, recipients_of, with_addresses

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(agency):
    with_addresses(agency)
    return live_round()


@pytest.fixture
def dates(live):
    """Two fixed dates passed (30 and 60 days into the round), one to come."""
    first = live.start + datetime.timedelta(days=30)
    second = live.start + datetime.timedelta(days=60)
    later = live.end - datetime.timedelta(days=5)
    schedule_save(round=live, by=None, no_news_days=30, due_dates=[first, second, later])
    return first, second


@pytest.fixture
def plans(agency, live, dates):
    """officer1 reported every KPI for the second date; officer2 never; officer3 not approved."""
    _first, second = dates
    reported = watched_plan(agency.officer1, live)
    for code in ("C1", "P1", "S1"):
        value = {"milestones_done": 2} if code == "S1" else {"value": 5}
        checkin_record(
            kpi=kpi_of(reported, code), by=None, date=second - datetime.timedelta(days=3), **value
        )
    missed = watched_plan(agency.officer2, live)
    watched_plan(agency.officer3, live, status=Plan.Status.SUBMITTED)
    return reported, missed


@pytest.fixture
def cron(django_capture_on_commit_callbacks, capsys):
    def run(today, *args):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", "--today", str(today), *args)
        return capsys.readouterr().out

    return run


def day_after(date):
    return date + datetime.timedelta(days=1)


def test_the_holder_who_missed_the_date_is_told_once(agency, live, dates, plans, cron):
    _reported, missed = plans
    out = cron(day_after(dates[1]))
    assert recipients_of(CHECKINS_MISSED) == {"officer2"}
    note = Notification.objects.get(kind=CHECKINS_MISSED)
    assert note.deadline == dates[1] and note.round == live
    assert f"checkins_missed {dates[1].isoformat()}: wrote 1 reminder(s), 1 e-mail(s)." in out
    assert len(mails_to("officer2@example.go.th")) == 1
    client = Client()
    client.force_login(agency.officer2.user)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "ยังมีตัวชี้วัดของคุณ 3 ตัวที่ไม่ได้รายงาน" in page
    assert f"รอบ {live.code} กำหนดรายงานความก้าวหน้าวันที่" in page
    opened = client.post(reverse("notifications:open", args=[note.pk]))
    assert opened.status_code == 302 and opened.url == reverse("indicators:plan", args=[missed.pk])


def test_a_second_run_sends_nothing(agency, dates, plans, cron):
    cron(day_after(dates[1]))
    count, emails = Notification.objects.count(), len(mail.outbox)
    out = cron(day_after(dates[1]) + datetime.timedelta(days=2))
    assert "Total: wrote 0 reminder(s), 0 e-mail(s)." in out
    assert Notification.objects.count() == count and len(mail.outbox) == emails


def test_nothing_on_or_before_the_date(agency, dates, plans, cron):
    # On the first date itself a check-in still counts; before it nothing is due.
    cron(dates[0] - datetime.timedelta(days=5))
    cron(dates[0])
    assert not Notification.objects.filter(kind=CHECKINS_MISSED).exists()


def test_each_passed_date_is_its_own_reminder(agency, dates, plans, cron):
    cron(day_after(dates[0]))
    # officer1's check-ins came after the first date: both missed it.
    assert recipients_of(CHECKINS_MISSED) == {"officer1", "officer2"}
    cron(day_after(dates[1]))
    assert list(
        Notification.objects.filter(recipient=agency.officer2.user)
        .order_by("deadline")
        .values_list("deadline", flat=True)
    ) == list(dates)
    assert Notification.objects.filter(recipient=agency.officer1.user).count() == 1


def test_dry_run_writes_nothing(agency, dates, plans, cron):
    out = cron(day_after(dates[1]), "--dry-run")
    assert "would write 1 reminder(s), 1 e-mail(s)" in out
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert not mail.outbox


def test_email_opt_out_keeps_the_in_app_notification(agency, dates, plans, cron):
    NotificationPreference.objects.create(user=agency.officer2.user, email_off=[CHECKINS_MISSED])
    cron(day_after(dates[1]))
    assert recipients_of(CHECKINS_MISSED) == {"officer2"}
    assert not Delivery.objects.exists() and not mail.outbox


def test_the_email_is_in_the_recipients_language(agency, live, dates, plans, cron):
    NotificationPreference.objects.create(user=agency.officer2.user, language="en")
    cron(day_after(dates[1]))
    (message,) = mails_to("officer2@example.go.th")
    assert message.subject == "[KPI Portal] Check-ins missed"
    assert "3 of your KPIs have no check-in" in message.body
    assert "B.E." in message.body


def test_a_closed_round_sends_nothing(agency, live, dates, plans, cron):
    live.status = "closed"
    live.save(update_fields=["status"])
    cron(day_after(dates[1]))
    assert not Notification.objects.exists()


def test_the_kind_is_on_the_preferences_page(agency, live, client_for):
    page = client_for(agency.officer1).get(reverse("notifications:preferences")).content.decode()
    assert "ยังไม่ได้รายงานความก้าวหน้าตามกำหนด" in page


def test_a_units_plan_is_the_heads_to_report(agency, live, dates, cron):
    watched_plan(agency.grp, live)
    watched_plan(agency.grp_head, live)
    cron(day_after(dates[1]))
    note = Notification.objects.get(kind=CHECKINS_MISSED)
    assert note.recipient == agency.grp_head.user
    assert note.params["kpis"] == 6  # the unit's three KPIs and the head's own three
