"""The administrators' lockouts page: every lock in force, paginated, and lifting one."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kpi_portal.lockout_views import LOCKOUTS_PER_PAGE
from kpi_portal.models import LoginThrottle

PASSWORD = "pass-12345"  # tests/conftest.py


def admin_client(agency) -> Client:
    client = Client()
    client.force_login(agency.admin)
    return client


def make_locks(count: int) -> None:
    now = timezone.now()
    AccessAttempt.objects.bulk_create(
        [
            AccessAttempt(
                username=f"pair{n}",
                ip_address=f"192.0.2.{n % 250}",
                user_agent="",
                get_data="",
                post_data="",
                http_accept="",
                path_info="/login/",
                failures_since_start=5,
                attempt_time=now - timedelta(seconds=n),
            )
            for n in range(count)
        ]
    )
    LoginThrottle.objects.bulk_create(
        [
            LoginThrottle(
                scope=scope,
                key=f"{scope}-{n}",
                failures=50,
                locked_until=now + timedelta(minutes=10),
            )
            for scope in ("address", "username")
            for n in range(count)
        ]
    )


def test_the_page_lists_all_three_kinds_with_counts_and_times(agency):
    make_locks(2)
    # Not locked: below the pair limit, and a counter still under its limit.
    AccessAttempt.objects.create(
        username="almost",
        ip_address="192.0.2.9",
        user_agent="",
        failures_since_start=2,
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        http_accept="",
        path_info="/",
    )
    LoginThrottle.objects.create(scope="address", key="198.51.100.1", failures=3)

    response = admin_client(agency).get(reverse("security:lockouts"))

    text = response.content.decode()
    assert response.status_code == 200
    for key in ("pair0", "pair1", "address-0", "address-1", "username-0", "username-1"):
        assert key in text
    assert "almost" not in text and "198.51.100.1" not in text
    counts = [section["page"].paginator.count for section in response.context["sections"]]
    assert counts == [2, 2, 2]
    assert str(timezone.localdate().year + 543) in text  # Buddhist-era times


@pytest.mark.parametrize("size", [3, LOCKOUTS_PER_PAGE * 3])
def test_the_page_runs_a_bounded_number_of_queries(agency, size, django_assert_num_queries):
    make_locks(size)
    client = admin_client(agency)
    # The session, the user and their roles, a count and a page for each of
    # the three kinds, the session saved again: the same at both sizes.
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("security:lockouts"))
    assert response.status_code == 200
    shown = [len(section["items"]) for section in response.context["sections"]]
    assert shown == [min(size, LOCKOUTS_PER_PAGE)] * 3


QUERIES = 12


def test_the_pages_are_separate_per_kind(agency):
    make_locks(LOCKOUTS_PER_PAGE + 1)
    response = admin_client(agency).get(reverse("security:lockouts"), {"address_page": 2})
    pages = [section["page"].number for section in response.context["sections"]]
    assert pages == [1, 2, 1]
    assert [len(section["items"]) for section in response.context["sections"]] == [
        LOCKOUTS_PER_PAGE,
        1,
        LOCKOUTS_PER_PAGE,
    ]


def test_lifting_an_address_lock_lets_it_sign_in_again_and_is_logged(agency, settings, caplog):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    caplog.set_level(logging.WARNING, logger="kpi_portal.security")
    attacker = Client(REMOTE_ADDR="192.0.2.66")
    for username in ("nobody1", "nobody2"):
        attacker.post(reverse("login"), {"username": username, "password": "x"})
    assert (
        attacker.post(reverse("login"), {"username": "officer1", "password": PASSWORD}).status_code
        == 429
    )
    lock = LoginThrottle.objects.get(scope="address", key="192.0.2.66")

    response = admin_client(agency).post(
        reverse("security:lockout_lift"), {"kind": "address", "pk": lock.pk}, follow=True
    )

    assert "ยกเลิกการระงับแล้ว" in response.content.decode()
    assert not LoginThrottle.objects.filter(pk=lock.pk).exists()
    assert f"Lockout lifted: address=192.0.2.66 by admin#{agency.admin.pk}" in caplog.messages
    assert (
        attacker.post(reverse("login"), {"username": "officer1", "password": PASSWORD}).status_code
        == 302
    )


def test_lifting_a_pair_lock(agency):
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "officer1", "password": "wrong"})
    attempt = AccessAttempt.objects.get(username="officer1")

    admin_client(agency).post(reverse("security:lockout_lift"), {"kind": "pair", "pk": attempt.pk})

    assert (
        client.post(reverse("login"), {"username": "officer1", "password": PASSWORD}).status_code
        == 302
    )


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "address", "pk": "999999"},
        {"kind": "pair", "pk": "x"},
        {"kind": "bogus", "pk": "1"},
        {},
    ],
)
def test_lifting_something_that_is_not_there_says_so_and_changes_nothing(agency, data):
    make_locks(1)
    before = (AccessAttempt.objects.count(), LoginThrottle.objects.count())
    response = admin_client(agency).post(reverse("security:lockout_lift"), data, follow=True)
    assert response.status_code == 200
    assert "ไม่พบการระงับนี้" in response.content.decode()
    assert (AccessAttempt.objects.count(), LoginThrottle.objects.count()) == before


def test_the_admin_menu_links_the_page_and_others_do_not_see_it(agency):
    url = reverse("security:lockouts")
    assert url in admin_client(agency).get(reverse("home")).content.decode()
    hr = Client()
    hr.force_login(agency.hr.user)
    assert url not in hr.get(reverse("home")).content.decode()
    assert hr.get(url).status_code == 403


def test_lifting_needs_the_csrf_token(agency):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agency.admin)
    make_locks(1)
    lock = LoginThrottle.objects.filter(scope="address").first()
    response = client.post(reverse("security:lockout_lift"), {"kind": "address", "pk": lock.pk})
    assert response.status_code == 403
    assert LoginThrottle.objects.filter(pk=lock.pk).exists()
