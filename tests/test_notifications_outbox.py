"""The outbox: a failing mail server loses nothing; e-mails are retried with backoff.

A real SMTP server (aiosmtpd) runs on a local port for these tests; it
refuses messages while `refusing` is set, then accepts them.
"""

import socket
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from indicators import services
from notifications import outbox
from notifications.models import Delivery, Notification
from tests.factories_notifications import with_addresses
from tests.factories_plans import make_plan


class Inbox:
    """An aiosmtpd handler: refuses while `refusing`, else keeps what arrives."""

    def __init__(self):
        self.refusing = True
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        if self.refusing:
            return "451 4.3.0 Mail server busy, try again later"
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield inbox
    controller.stop()


class Clock:
    """The outbox's clock, running from the real time plus what the test skipped."""

    def __init__(self, monkeypatch):
        self.skipped = timedelta()
        monkeypatch.setattr(outbox, "now", lambda: timezone.now() + self.skipped)

    def advance(self, **delta):
        self.skipped += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def submitted(agency, the_round, django_capture_on_commit_callbacks):
    """officer1 submits; the head's e-mail meets the refusing server at once."""
    with_addresses(agency)
    plan = make_plan(agency.officer1, the_round, kpis=[60, 40])
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_submit(plan=plan, by=agency.officer1.user)
    return plan


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_a_refused_email_stays_in_the_outbox_and_arrives_on_retry(smtp, clock, submitted):
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert "451" in delivery.last_error and smtp.messages == []
    assert Notification.objects.get().kind == "plan_submitted"  # in-app meanwhile

    smtp.refusing = False
    assert outbox.outbox_flush().sent == 0  # not due yet: backoff
    clock.advance(minutes=1, seconds=1)
    report = outbox.outbox_flush()
    assert (report.sent, report.retrying) == (1, 0)
    ((recipients, message),) = smtp.messages
    assert recipients == ["grp_head@example.go.th"]
    assert subject_of(message) == "[KPI Portal] มีแผนส่งมาให้คุณพิจารณา"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
    assert delivery.last_error == ""
    assert outbox.outbox_flush().sent == 0  # sent once only
    assert len(smtp.messages) == 1


def test_a_server_that_is_down_loses_nothing(settings, agency, the_round, clock, submitted):
    # `submitted` ran against the default locmem backend: point it at a closed port.
    Delivery.objects.update(
        status=Delivery.Status.PENDING, attempts=0, sent_at=None, next_attempt_at=timezone.now()
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5
    report = outbox.outbox_flush()
    assert (report.sent, report.retrying) == (0, 1)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and delivery.last_error


def test_after_the_last_attempt_the_email_is_failed_and_administrators_see_it(
    smtp, clock, submitted, agency, client_for
):
    for _attempt in range(outbox.MAX_ATTEMPTS):
        clock.advance(hours=13)
        outbox.outbox_flush()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == outbox.MAX_ATTEMPTS

    admin = client_for(agency.admin)
    page = admin.get(reverse("notifications:list")).content.decode()
    assert "อีเมลแจ้งเตือนส่งไม่สำเร็จ 1 รายการ" in page
    listing = admin.get(reverse("admin:notifications_delivery_changelist"), {"status": "failed"})
    assert "grp_head@example.go.th" in listing.content.decode()
    hr_page = client_for(agency.hr).get(reverse("notifications:rounds")).content.decode()
    assert "ส่งไม่สำเร็จ 1 รายการ" in hr_page

    # The administrator sends it again once the server works.
    smtp.refusing = False
    admin.post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "retry", "_selected_action": [delivery.pk]},
    )
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and len(smtp.messages) == 1


def test_flush_outbox_command_sends_what_is_due(smtp, clock, submitted, capsys):
    smtp.refusing = False
    clock.advance(minutes=2)
    call_command("flush_outbox")
    assert "Sent 1, will retry 0, gave up on 0." in capsys.readouterr().out
    assert len(smtp.messages) == 1


def test_a_claimed_email_is_not_sent_twice(smtp, clock, submitted):
    smtp.refusing = False
    clock.advance(minutes=2)
    claimed = outbox._claim(10, outbox.now())
    assert claimed == [Delivery.objects.get().pk]
    assert outbox.outbox_flush().sent == 0  # another sender holds it (lease)
    clock.advance(minutes=11)  # that sender died: the lease ran out
    assert outbox.outbox_flush().sent == 1
