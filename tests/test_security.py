"""Login throttling, session expiry, CSP and security headers, the security log."""

import json
import logging
import re
from datetime import timedelta

import pytest
from axes.exceptions import AxesBackendRequestParameterRequired
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.utils import timezone
from django.views.defaults import server_error

from kpi_portal import urls as portal_urls
from kpi_portal.security import client_ip

PASSWORD = "pass-12345"  # tests/conftest.py


def forbidden(request):
    raise PermissionDenied


def hidden(request):
    raise Http404


# A URLconf with two refusing views on top of the real one (the error pages
# link to named URLs).
urlpatterns = [
    path("test-forbidden/", forbidden),
    path("test-hidden/", hidden),
    *portal_urls.urlpatterns,
]


def attempt(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# Login throttling (django-axes) ----------------------------------------------


def test_sixth_login_is_refused_even_with_the_right_password(agency):
    client = Client()
    for _ in range(4):
        response = attempt(client, "officer1", "wrong")
        assert response.status_code == 200
        assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.content.decode()

    fifth = attempt(client, "officer1", "wrong")
    sixth = attempt(client, "officer1", PASSWORD)

    assert fifth.status_code == 429
    assert sixth.status_code == 429
    text = sixth.content.decode()
    assert "ระงับการเข้าสู่ระบบชั่วคราว" in text
    assert "กรุณาลองใหม่อีกครั้งในอีก 15 นาที" in text
    assert not logged_in(client)


def test_login_works_again_after_the_cool_off(agency):
    client = Client()
    for _ in range(5):
        attempt(client, "officer1", "wrong")
    assert attempt(client, "officer1", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = attempt(client, "officer1", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_lock_is_for_the_username_and_address_together(agency):
    for _ in range(5):
        attempt(Client(), "officer1", "wrong")

    same_address_other_user = Client()
    other_address_same_user = Client(REMOTE_ADDR="10.20.30.40")

    assert attempt(Client(), "officer1", PASSWORD).status_code == 429
    assert attempt(same_address_other_user, "officer2", PASSWORD).status_code == 302
    assert attempt(other_address_same_user, "officer1", PASSWORD).status_code == 302


def test_a_successful_login_clears_the_failures(agency):
    for _ in range(4):
        attempt(Client(), "officer1", "wrong")
    assert attempt(Client(), "officer1", PASSWORD).status_code == 302

    for _ in range(4):
        assert attempt(Client(), "officer1", "wrong").status_code == 200

    assert attempt(Client(), "officer1", PASSWORD).status_code == 302


def test_behind_a_proxy_the_forwarded_address_is_throttled(agency, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    colleague = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    for _ in range(5):
        attempt(Client(), "officer1", "wrong", **attacker)

    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    assert attempt(Client(), "officer1", PASSWORD, **attacker).status_code == 429
    assert attempt(Client(), "officer1", PASSWORD, **colleague).status_code == 302


def test_client_ip_trusts_only_what_our_proxies_appended(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # 1.1.1.1 was written by the client


def test_client_login_needs_a_request_with_axes(agency):
    # Django's Client.login() calls authenticate() without a request, which
    # django-axes refuses; pass one, or use force_login().
    with pytest.raises(AxesBackendRequestParameterRequired):
        Client().login(username="officer1", password=PASSWORD)
    assert Client().login(request=HttpRequest(), username="officer1", password=PASSWORD)


# Sessions ----------------------------------------------------------------------


def session_of(client) -> Session:
    return Session.objects.get(pk=client.session.session_key)


def test_session_lasts_thirty_minutes_from_the_last_request(agency, client_for):
    client = client_for(agency.officer1)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    left = session_of(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < left <= timedelta(minutes=30)
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # ends with the browser
    assert cookie["httponly"]


def test_each_request_pushes_the_session_expiry_forward(agency, client_for):
    client = client_for(agency.officer1)
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )

    client.get(reverse("home"))

    assert session_of(client).expire_date - timezone.now() > timedelta(minutes=29)


def test_session_ends_after_inactivity(agency, client_for):
    client = client_for(agency.officer1)
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_session_age_follows_the_setting(agency, client_for, settings):
    settings.SESSION_COOKIE_AGE = 600
    client = client_for(agency.officer1)

    client.get(reverse("home"))

    assert session_of(client).expire_date - timezone.now() <= timedelta(minutes=10)


# Content security policy and headers ------------------------------------------------


def test_pages_carry_the_content_security_policy(client, db):
    policy = client.get(reverse("login"))["Content-Security-Policy"]

    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["font-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert "unsafe" not in policy


def test_security_headers(client, db):
    response = client.get(reverse("login"))

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)


@pytest.mark.parametrize("name", ["login", "home"])
def test_shell_pages_have_no_inline_script_or_style(agency, client_for, name):
    html = client_for(agency.officer1).get(reverse(name)).content.decode()

    assert INLINE.findall(html) == []
    # htmx would otherwise inject an inline <style>, and copy style="" attributes
    # when it settles a swap: both blocked by the policy.
    meta = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", html)
    config = json.loads(meta.group(1))
    assert config["includeIndicatorStyles"] is False
    assert "style" not in config["attributesToSettle"]


# The security log ---------------------------------------------------------------


def test_failed_login_is_logged_without_the_password(agency, caplog):
    with caplog.at_level(logging.INFO):
        attempt(Client(REMOTE_ADDR="192.0.2.44"), "officer1", "Secret-Typo-99")

    records = [r for r in caplog.records if r.name == "kpi_portal.security"]
    assert [r.getMessage() for r in records] == ["Failed login: username=officer1 ip=192.0.2.44"]
    assert records[0].levelno == logging.WARNING
    assert "Secret-Typo-99" not in caplog.text
    assert "Secret-Typo-99" not in AccessAttempt.objects.get().post_data


def test_lockout_is_logged(agency, caplog):
    with caplog.at_level(logging.WARNING, logger="kpi_portal.security"):
        for _ in range(5):
            attempt(Client(), "officer1", "wrong")

    assert any(r.getMessage().startswith("Login locked out: username=officer1 ip=127.0.0.1")
               for r in caplog.records)  # fmt: skip


@pytest.mark.urls("tests.test_security")
def test_refused_access_is_logged_and_shown_in_thai(agency, client_for, caplog):
    user = agency.officer1.user
    client = client_for(agency.officer1)

    with caplog.at_level(logging.WARNING, logger="kpi_portal.security"):
        forbidden_page = client.get("/test-forbidden/")
        hidden_page = client.get("/test-hidden/")

    assert forbidden_page.status_code == 403
    assert "คุณไม่มีสิทธิ์ทำรายการนี้" in forbidden_page.content.decode()
    assert hidden_page.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in hidden_page.content.decode()
    messages = [r.getMessage() for r in caplog.records if r.name == "kpi_portal.security"]
    assert messages == [
        f"Refused access: status=403 user=officer1#{user.pk} ip=127.0.0.1 method=GET "
        "path=/test-forbidden/",
        f"Refused access: status=404 user=officer1#{user.pk} ip=127.0.0.1 method=GET "
        "path=/test-hidden/",
    ]


def test_unknown_address_shows_the_thai_404_page(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in response.content.decode()


def test_500_page_renders_without_the_database():
    # No db fixture: any query here would fail the test.
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "ขออภัย ระบบขัดข้องชั่วคราว" in html
    assert INLINE.findall(html) == []
