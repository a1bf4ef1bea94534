"""Benchmark: what a login attempt costs with the spraying limits (kpi_portal.throttle).

    DATABASE_URL=... DEBUG=1 .venv/bin/python -m bench.bench_login [FAILURES]

Prints, for a failed and a successful login, the queries and the median
server time with the address and username counters on and off (limits 0);
the cost of a failed login once FAILURES addresses have failed within the
window (the table's size then, and after the window it is pruned to); and,
where Debian's slapd is installed, a directory sign-in against a local slapd.
Passwords are hashed with Django's default hasher, as in production, so the
hash dominates the times; the query counts are what the throttle adds.
"""

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench import env

RUNS = 15
PASSWORD = "bench-pass-12345"


def _post(client, username, password):
    from django.urls import reverse

    return client.post(reverse("login"), {"username": username, "password": password})


def _measure(label: str, make_try) -> None:
    """make_try(n) -> (client, username, password): a fresh address/username for each run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, username, password = make_try(RUNS)
    connection.queries_log.clear()  # a full log would hide new queries
    with CaptureQueriesContext(connection) as queries:
        response = _post(client, username, password)
    count = len(queries)
    times = []
    with env.debug_off():
        for n in range(RUNS):
            client, username, password = make_try(n)
            start = time.perf_counter()
            _post(client, username, password)
            times.append((time.perf_counter() - start) * 1000)
    print(
        f"{label}: status {response.status_code}, {count} queries, "
        f"median {statistics.median(times):.1f} ms over {RUNS}"
    )


def _client(address: str):
    from django.test import Client

    return Client(REMOTE_ADDR=address, HTTP_HOST="localhost")


def main() -> None:
    failures = (
        int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[0].endswith("bench_login.py") else 2000
    )
    env.setup()
    env.fresh_database()
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from kpi_portal.models import LoginThrottle
    from kpi_portal.throttle import throttle_failure_record

    get_user_model().objects.create_user(username="bench", password=PASSWORD)
    limits = (settings.LOGIN_ADDRESS_FAILURE_LIMIT, settings.LOGIN_USERNAME_FAILURE_LIMIT)

    def failed(n):
        return _client(f"10.9.{n % 250}.{n // 250 + 1}"), f"nobody{n}", "wrong"

    def succeeded(n):
        AccessAttempt.objects.all().delete()
        return _client(f"10.8.0.{n % 250 + 1}"), "bench", PASSWORD

    for on in (True, False):
        settings.LOGIN_ADDRESS_FAILURE_LIMIT, settings.LOGIN_USERNAME_FAILURE_LIMIT = (
            limits if on else (0, 0)
        )
        state = f"limits {limits[0]}/{limits[1]}" if on else "limits off"
        LoginThrottle.objects.all().delete()
        _measure(f"failed login ({state})", failed)
        _measure(f"successful login ({state})", succeeded)
    settings.LOGIN_ADDRESS_FAILURE_LIMIT, settings.LOGIN_USERNAME_FAILURE_LIMIT = limits

    # A spray in progress: one address already counting (its row is updated),
    # a new username each time; the address limit raised so it does not lock.
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10_000

    def spraying(n):
        return _client("10.3.0.1"), f"target{n}", "wrong"

    _measure("failed login from an address already counting", spraying)
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = limits[0]

    # A busy window: FAILURES addresses failed once each (one username each).
    LoginThrottle.objects.all().delete()
    now = timezone.now()
    start = time.perf_counter()
    with env.debug_off():
        for n in range(failures):
            address = f"10.7.{n % 250}.{n // 250}"
            throttle_failure_record(address=address, username=f"sprayed{n}", now=now)
    elapsed = time.perf_counter() - start
    print(
        f"{failures} failures counted (throttle_failure_record alone): {elapsed:.1f} s, "
        f"{elapsed / failures * 1000:.2f} ms each; table {LoginThrottle.objects.count()} rows"
    )
    _measure(f"failed login with {LoginThrottle.objects.count()} rows in the window", failed)
    later = now + settings.LOGIN_THROTTLE_WINDOW + timedelta(minutes=1)
    throttle_failure_record(address="10.6.0.1", username="after", now=later)
    print(f"after the window, one failure prunes the table to {LoginThrottle.objects.count()} rows")

    _directory()


def _directory() -> None:
    from tests import ldap_server

    reason = ldap_server.missing_reason()
    if reason:
        print(f"directory sign-in: skipped ({reason})")
        return
    from django.conf import settings

    from orgchart.models import Kind, Node

    server = ldap_server.start_slapd(Path(tempfile.mkdtemp(prefix="bench-slapd-")))
    try:
        user = __import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model()
        person = user.objects.create_user(username="officer-p-o1")
        Node.objects.create(code="P-O1", kind=Kind.INDIVIDUAL, name="P-O1", user=person)
        settings.LDAP_SERVER_URI = [server.uri]
        settings.LDAP_BIND_DN = ldap_server.SERVICE_DN
        settings.LDAP_BIND_PASSWORD = ldap_server.SERVICE_PASSWORD
        settings.LDAP_USER_SEARCH_BASE = ldap_server.PEOPLE
        settings.LDAP_EMPLOYEE_CODE_ATTRIBUTE = "employeeNumber"

        def directory_try(n):
            return _client(f"10.5.0.{n % 250 + 1}"), "somchai", "ldap-pass-1"

        _measure("directory sign-in (search, bind, Node by employeeNumber)", directory_try)

        def local_try(n):
            from axes.models import AccessAttempt

            AccessAttempt.objects.all().delete()
            return _client(f"10.4.0.{n % 250 + 1}"), "bench", PASSWORD

        _measure("local password with the directory on (not found there)", local_try)
    finally:
        server.stop()
        settings.LDAP_SERVER_URI = []


if __name__ == "__main__":
    main()
