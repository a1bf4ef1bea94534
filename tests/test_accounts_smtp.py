"""E-mail for real: Django's SMTP backend against a local SMTP server (aiosmtpd) the test starts."""

import email
import email.policy
import re
import socket

import pytest
from django.test import Client
from django.urls import reverse

aiosmtpd = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd (requirements-dev.txt)")


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = free_port()
    controller = aiosmtpd.Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "KPI Portal <kpi@example.go.th>"
    yield inbox
    controller.stop()


def test_activation_links_reach_a_real_smtp_server(agency, client_for, smtp):
    for node, address in (
        (agency.officer1, "somchai@example.go.th"),
        (agency.officer2, "somying@example.go.th"),
    ):
        node.email = address
        node.save()
        node.user.set_unusable_password()
        node.user.save()
    response = client_for(agency.hr).post(
        reverse("accounts:activation"), {"scope": "unit", "unit": "GRP", "delivery": "email"}
    )
    assert response.status_code == 302  # everyone had an address: no sheet
    assert sorted(rcpt for rcpts, _m in smtp.messages for rcpt in rcpts) == [
        "somchai@example.go.th",
        "somying@example.go.th",
    ]
    _rcpts, message = next(m for m in smtp.messages if m[0] == ["somchai@example.go.th"])
    assert message["From"] == "KPI Portal <kpi@example.go.th>"
    assert "เปิดใช้งานบัญชี" in str(message["Subject"])
    body = message.get_content()
    link = re.search(r"http://testserver/accounts/activate/\S+/\S+/", body).group(0)
    client = Client()
    assert client.get(link.replace("http://testserver", "")).status_code == 302
    data = {"new_password1": "Kpi-portal-2569!", "new_password2": "Kpi-portal-2569!"}
    assert client.post(reverse("accounts:activate_password"), data).status_code == 302


def test_password_reset_reaches_a_real_smtp_server(agency, smtp):
    agency.officer1.email = "somchai@example.go.th"
    agency.officer1.save()
    Client().post(reverse("accounts:password_reset"), {"email": "somchai@example.go.th"})
    assert [rcpts for rcpts, _m in smtp.messages] == [["somchai@example.go.th"]]
    assert "/accounts/reset/" in smtp.messages[0][1].get_content()


def test_a_failing_smtp_server_revokes_the_unsent_codes(agency, client_for, settings):
    from accounts.models import ActivationCode

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    agency.officer1.email = "somchai@example.go.th"
    agency.officer1.save()
    response = client_for(agency.hr).post(
        reverse("accounts:activation"),
        {"scope": "unit", "unit": "GRP", "delivery": "email", "include_with_password": "on"},
    )
    assert response.status_code == 200  # the two without an address are on the sheet
    mailed = ActivationCode.objects.get(delivery="email")
    assert mailed.revoked_at is not None
