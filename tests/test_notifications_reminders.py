"""`manage.py send_reminders`: deadline reminders, once per person and deadline."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from appraisals.models import Appraisal
from indicators.models import Plan, Round
from notifications.models import Delivery, Notification, NotificationPreference, RoundReminder
from notifications.reminders import reminders_send
from tests import factories_appraisals
from tests.factories_notifications import recipients_of, with_addresses
from tests.factories_plans import make_plan

# Round 2569/1 runs from 1 Oct 2025 to 31 Mar 2026.
PLANNING_ENDS = datetime.date(2025, 11, 15)
TODAY = datetime.date(2025, 11, 10)


@pytest.fixture(autouse=True)
def addresses(agency):
    with_addresses(agency)


@pytest.fixture
def planning(the_round):
    RoundReminder.objects.create(round=the_round, planning_ends=PLANNING_ENDS, planning_days=7)
    return the_round


@pytest.fixture
def cron(django_capture_on_commit_callbacks, capsys):
    """send_reminders as cron runs it: its e-mails go out when it ends; returns its output."""

    def run(*args, today=TODAY):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", "--today", str(today), *args)
        return capsys.readouterr().out

    return run


def test_planning_reminders_go_to_those_who_have_not_submitted(agency, planning, cron):
    make_plan(agency.officer1, planning, kpis=[100], status=Plan.Status.SUBMITTED)
    make_plan(agency.officer2, planning, kpis=[100], status=Plan.Status.RETURNED)
    out = cron()
    everyone = {"dept_head", "hr", "div_head", "grp_head", "officer2", "sibling_head", "officer3"}
    everyone |= {"hr_other", "outsider"}  # rounds are shared by every department
    assert recipients_of("planning_deadline") == everyone
    assert "2569/1 planning_deadline 2025-11-15: wrote 9 reminder(s), 9 e-mail(s)." in out
    assert len(mail.outbox) == 9
    note = Notification.objects.get(recipient=agency.officer2.user)
    assert note.deadline == PLANNING_ENDS
    client = Client()
    client.force_login(agency.officer2.user)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "การวางแผนตัวชี้วัดรอบ 2569/1 สิ้นสุดวันที่ 15 พ.ย. 2568 แผนของคุณยังไม่ได้ส่ง" in page


def test_a_second_run_sends_nothing(agency, planning, cron):
    cron()
    count, emails = Notification.objects.count(), len(mail.outbox)
    out = cron()
    assert "Total: wrote 0 reminder(s), 0 e-mail(s)." in out
    assert Notification.objects.count() == count and len(mail.outbox) == emails


def test_the_unique_constraint_holds_against_a_concurrent_run(agency, planning):
    plan = reminders_send(today=TODAY, dry_run=True)
    reminders_send(today=TODAY)
    # A run that computed its list before the other one wrote: the rows clash and are skipped.
    from notifications.reminders import _write
    from notifications.services import contacts_of

    before = Notification.objects.count()
    _write(plan[0], contacts_of())
    assert Notification.objects.count() == before
    assert plan[0].new == 0


def test_dry_run_prints_counts_and_writes_nothing(agency, planning, cron):
    out = cron("--dry-run")
    assert "would write 10 reminder(s), 10 e-mail(s)" in out
    assert Notification.objects.count() == 0 and Delivery.objects.count() == 0
    assert mail.outbox == []


def test_outside_the_window_nothing_is_sent(agency, planning, cron):
    cron(today="2025-11-01")  # 14 days ahead, window is 7
    cron(today="2025-11-16")  # the deadline has passed
    assert Notification.objects.count() == 0


def test_email_opt_out_keeps_the_in_app_reminder(agency, planning, cron):
    NotificationPreference.objects.create(
        user=agency.officer1.user, language="en", email_off=["planning_deadline"]
    )
    NotificationPreference.objects.create(user=agency.officer2.user, language="en")
    cron()
    assert "officer1" in recipients_of("planning_deadline")
    assert not [m for m in mail.outbox if "officer1@example.go.th" in m.to]
    (to_officer2,) = [m for m in mail.outbox if "officer2@example.go.th" in m.to]
    assert to_officer2.subject == "[KPI Portal] Planning ends soon"
    assert "ends on 15 Nov 2568 B.E." in to_officer2.body


def test_a_moved_deadline_is_a_new_deadline(agency, planning, cron):
    cron()
    RoundReminder.objects.filter(round=planning).update(planning_ends=datetime.date(2025, 11, 12))
    out = cron()
    assert "wrote 10 reminder(s)" in out


def test_assessment_reminders_reach_assessees_and_assessors(agency, the_round, cron):
    the_round.status = Round.Status.ASSESSMENT
    the_round.save(update_fields=["status"])
    RoundReminder.objects.create(round=the_round, assessment_days=10)  # ends with the round
    waiting = factories_appraisals.make_plan(agency.officer1, the_round)
    done = factories_appraisals.make_plan(agency.officer2, the_round)
    Appraisal.objects.create(plan=done, status=Appraisal.Status.ACKNOWLEDGED)
    top = factories_appraisals.make_plan(agency.dept_head, the_round)
    Appraisal.objects.create(plan=top, status=Appraisal.Status.ASSESSED)
    cron(today="2026-03-25")
    # officer1 and the department head (assessees), grp_head (officer1's assessor);
    # the head's plan is assessed already, so HR has nothing left.
    assert recipients_of("assessment_deadline") == {"officer1", "grp_head", "dept_head"}
    head_note = Notification.objects.get(recipient=agency.grp_head.user)
    assert head_note.params["assessor"] is True
    assert waiting.round.reminder.assessment_deadline == the_round.end


def test_hr_is_reminded_of_assessments_with_no_supervisor(agency, the_round, cron):
    the_round.status = Round.Status.ASSESSMENT
    the_round.save(update_fields=["status"])
    RoundReminder.objects.create(round=the_round, assessment_days=10)
    factories_appraisals.make_plan(agency.dept_head, the_round)
    cron(today="2026-03-25")
    assert recipients_of("assessment_deadline") == {"dept_head", "hr"}


def test_a_bad_date_is_refused(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "15/11/2568")
