"""Password spraying: the address and username limits beside axes' pair lock, and their page."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kpi_portal.models import LoginThrottle
from kpi_portal.throttle import throttle_failure_record

PASSWORD = "pass-12345"  # tests/conftest.py
ATTACKER = "192.0.2.66"
COLLEAGUE = "198.51.100.7"


def attempt(username, password, address=ATTACKER):
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response, "_auth_user_id" in client.session


@pytest.fixture
def sixty(db):
    """60 accounts u00..u59, each with its own (known) password."""
    users = get_user_model().objects
    users.bulk_create(
        [
            users.model(username=f"u{n:02}", password=make_password(f"right-{n:02}"))
            for n in range(60)
        ]
    )
    return [f"u{n:02}" for n in range(60)]


def test_one_address_spraying_sixty_usernames_is_stopped_at_the_limit(agency, sixty, settings):
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 50
    statuses = []
    for username in sixty:
        for guess in ("123456", "password", "qwerty", "letmein"):
            statuses.append(attempt(username, guess)[0].status_code)

    # 50 failures answered as failures (the 50th already locks), every try after it refused.
    assert statuses[:49] == [200] * 49
    assert set(statuses[49:]) == {429}
    # No single username reached axes' pair limit (4 < 5): the address lock did it.
    assert not AccessAttempt.objects.filter(failures_since_start__gte=5).exists()
    # The 51st username's right password is refused while the address is locked.
    response, signed_in = attempt(sixty[50], "right-50")
    assert response.status_code == 429 and not signed_in
    assert "จากเครื่องนี้ (ที่อยู่ IP นี้)" in response.content.decode()
    # Another address is not affected: the same account signs in from there.
    response, signed_in = attempt(sixty[50], "right-50", COLLEAGUE)
    assert response.status_code == 302 and signed_in
    response, signed_in = attempt("officer1", PASSWORD, COLLEAGUE)
    assert response.status_code == 302 and signed_in


def test_the_address_limit_comes_from_the_settings(agency, sixty, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 7
    statuses = [attempt(username, "wrong")[0].status_code for username in sixty[:9]]
    assert statuses == [200] * 6 + [429] * 3


def test_a_username_sprayed_from_many_addresses_is_locked(agency, settings, caplog):
    caplog.set_level(logging.WARNING, logger="kpi_portal.security")
    assert settings.LOGIN_USERNAME_FAILURE_LIMIT == 20
    statuses = [attempt("officer1", "wrong", f"203.0.113.{n}")[0].status_code for n in range(1, 21)]

    assert statuses == [200] * 19 + [429]
    response, signed_in = attempt("officer1", PASSWORD, "203.0.113.200")
    assert response.status_code == 429 and not signed_in
    assert "ชื่อผู้ใช้นี้" in response.content.decode()
    # Other usernames from those addresses are fine; so is the case-folded name locked too.
    assert attempt("officer2", PASSWORD, "203.0.113.5")[0].status_code == 302
    assert attempt("OFFICER1", PASSWORD, "203.0.113.201")[0].status_code == 429
    assert any(
        m.startswith("Login locked out: username=officer1 after 20 failures")
        for m in caplog.messages
    )


def test_every_lockout_is_security_logged(agency, sixty, settings, caplog):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    caplog.set_level(logging.WARNING, logger="kpi_portal.security")
    for username in sixty[:3]:
        attempt(username, "wrong")
    assert any(
        m.startswith(f"Login locked out: address={ATTACKER} after 3 failures")
        for m in caplog.messages
    )


def test_the_lock_ends_and_refused_tries_do_not_extend_it(agency, sixty, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for username in sixty[:3]:
        attempt(username, "wrong")
    lock = LoginThrottle.objects.get(scope="address", key=ATTACKER)
    until = lock.locked_until
    assert until is not None

    for username in sixty[3:8]:
        assert attempt(username, "wrong")[0].status_code == 429
    lock.refresh_from_db()
    assert lock.locked_until == until

    LoginThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    response, signed_in = attempt("officer1", PASSWORD)
    assert response.status_code == 302 and signed_in


def test_failures_older_than_the_window_are_not_counted(db, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    start = timezone.now()
    for n in range(2):
        throttle_failure_record(address=ATTACKER, username=f"x{n}", now=start)
    later = start + settings.LOGIN_THROTTLE_WINDOW + timedelta(seconds=1)

    assert throttle_failure_record(address=ATTACKER, username="x2", now=later) == []
    assert LoginThrottle.objects.get(scope="address", key=ATTACKER).failures == 1


def test_old_rows_are_pruned_so_the_table_stays_small(db, settings):
    start = timezone.now()
    for n in range(30):
        throttle_failure_record(address=f"192.0.2.{n}", username=f"x{n}", now=start)
    assert LoginThrottle.objects.count() == 60

    later = start + settings.LOGIN_THROTTLE_WINDOW + timedelta(minutes=1)
    throttle_failure_record(address=ATTACKER, username="y", now=later)

    assert set(LoginThrottle.objects.values_list("key", flat=True)) == {ATTACKER, "y"}


def test_a_limit_of_zero_turns_the_counter_off(agency, sixty, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 0
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 0
    assert {attempt(username, "wrong")[0].status_code for username in sixty} == {200}
    assert not LoginThrottle.objects.exists()


def test_the_pair_lock_still_works_beside_them(agency):
    statuses = [attempt("officer1", "wrong")[0].status_code for _ in range(5)]
    assert statuses == [200] * 4 + [429]
    assert attempt("officer1", PASSWORD)[0].status_code == 429
    assert attempt("officer2", PASSWORD)[0].status_code == 302


def test_the_address_lockout_page_in_english(agency, sixty, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    client = Client(REMOTE_ADDR=ATTACKER)
    client.cookies["django_language"] = "en"
    for username in sixty[:2]:
        response = client.post(reverse("login"), {"username": username, "password": "x"})
    assert response.status_code == 429
    assert "signing in from it has been suspended" in response.content.decode()
