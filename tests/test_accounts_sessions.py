"""A person's sessions: the count on "my account", signing out everywhere, the bounded index."""

import logging

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts import sessions as account_sessions
from accounts.models import UserSession

PASSWORD = "pass-12345"


def sign_in(username) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def signed_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_my_account_shows_the_count_of_active_sessions(agency):
    first = sign_in("officer1")
    sign_in("officer1")
    sign_in("officer2")
    page = first.get(reverse("accounts:account"))
    assert page.status_code == 200
    assert "เข้าสู่ระบบอยู่ 2 เซสชัน" in page.content.decode()
    assert "เครื่องนี้" in page.content.decode()


def test_an_expired_session_is_not_counted(agency):
    first = sign_in("officer1")
    second = sign_in("officer1")
    Session.objects.filter(session_key=second.session.session_key).delete()
    assert "เข้าสู่ระบบอยู่ 1 เซสชัน" in first.get(reverse("accounts:account")).content.decode()


def test_sign_out_everywhere_ends_every_session_of_the_person_only(agency, caplog):
    caplog.set_level(logging.INFO, logger="kpi_portal.security")
    laptop, phone, colleague = sign_in("officer1"), sign_in("officer1"), sign_in("officer2")
    response = laptop.post(reverse("accounts:sign_out_everywhere"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not signed_in(laptop)
    assert not signed_in(phone)
    assert signed_in(colleague)
    assert not UserSession.objects.filter(user=agency.officer1.user).exists()
    assert "Signed out everywhere: user=officer1" in caplog.text
    assert "Sessions ended: user=officer1" in caplog.text


def test_sign_out_everywhere_is_post_only(agency, client_for):
    assert (
        client_for(agency.officer1).get(reverse("accounts:sign_out_everywhere")).status_code == 405
    )


def test_logging_out_forgets_the_session(agency):
    client = sign_in("officer1")
    assert UserSession.objects.count() == 1
    client.post(reverse("logout"))
    assert UserSession.objects.count() == 0


def test_the_index_stays_bounded(agency, settings, monkeypatch):
    monkeypatch.setattr(account_sessions, "MAX_TRACKED", 3)
    clients = [sign_in("officer1") for _ in range(5)]
    assert UserSession.objects.filter(user=agency.officer1.user).count() == 3
    # The oldest sessions beyond the bound were ended, not just forgotten.
    assert not signed_in(clients[0]) and not signed_in(clients[1])
    assert all(signed_in(client) for client in clients[2:])


def test_my_account_costs_the_same_queries_with_more_sessions(agency, django_assert_num_queries):
    client = sign_in("officer1")
    with django_assert_num_queries(8):
        client.get(reverse("accounts:account"))
    for _ in range(8):
        sign_in("officer1")
    with django_assert_num_queries(8):
        response = client.get(reverse("accounts:account"))
    assert "เข้าสู่ระบบอยู่ 9 เซสชัน" in response.content.decode()


def test_my_account_is_in_the_menu(agency):
    client = sign_in("officer1")
    assert reverse("accounts:account") in client.get(reverse("home")).content.decode()
