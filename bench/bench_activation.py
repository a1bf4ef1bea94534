"""Benchmark: issuing activation for a 20,000-officer agency (accounts.services).

    DEBUG=1 .venv/bin/python -m bench.bench_activation [PEOPLE]

What going live costs: choosing everyone without a password, making and
hashing (HMAC-SHA256) their codes, storing them, writing the printed code
sheet; issuing again (revoking every open code first); the same people by
e-mail (the task renders and hands 20,000 messages to Django's locmem
backend, no network); one activation check. And why not a password hash:
Django's default PBKDF2 per code, extrapolated.

Goal: 20,000 codes in seconds, not hours.
"""

import sys
import time

from bench import env

PEOPLE = 20_000


def _timed(label: str, function):
    start = time.perf_counter()
    result = function()
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return result


def main(people: int = PEOPLE) -> None:
    env.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core import mail

    from accounts import codes
    from accounts.selection import people_without_password
    from accounts.services import activation_check, activation_issue
    from accounts.sheet import ActivationSheet
    from bench.generate import build_in_db, make_agency
    from kpi_portal.exporters import write_workbook

    print(f"== bench_activation: {people:,} officers ==")
    env.fresh_database()
    agency = make_agency(people=people)
    with env.debug_off():
        build_in_db(agency)
        users = _timed(
            "choose everyone without a password", lambda: people_without_password(by=None)
        )
        print(f"  {len(users):,} people")
        rss = env.max_rss_mb()
        outcome = _timed(
            "issue on paper (codes, HMAC-SHA256, store)",
            lambda: activation_issue(users=users, by=None, email=False, base_url="http://x"),
        )
        path = env.OUT / "activation-codes.xlsx"
        _timed(
            "write the code sheet",
            lambda: write_workbook(ActivationSheet(outcome.sheet, activate_url="http://x"), path),
        )
        size = path.stat().st_size // 1024
        print(f"  {path.name}: {size} KiB, peak RSS +{env.max_rss_mb() - rss:.0f} MB")
        _timed(
            "issue again (revoke 20,000 open codes, make new ones)",
            lambda: activation_issue(users=users, by=None, email=False, base_url="http://x"),
        )
        first = outcome.sheet[0]
        user = next(u for u in users if u.pk == first.user_id)
        start = time.perf_counter()
        for _ in range(100):
            activation_check(login=user.username, code="WRONGCODE2")
        print(f"one activation check: {(time.perf_counter() - start) * 10:.2f} ms")
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        mail.outbox = []
        for user in users:
            user.node.email = user.node.email or f"{user.username}@example.go.th"
        _timed(
            "issue by e-mail (task: codes + render + locmem send)",
            lambda: activation_issue(users=users, by=None, email=True, base_url="http://x"),
        )
        print(f"  {len(mail.outbox):,} messages")
    code = codes.code_make()
    start = time.perf_counter()
    for index in range(1000):
        codes.code_hash(code, index)
    hmac_each = (time.perf_counter() - start) / 1000
    start = time.perf_counter()
    for _ in range(3):
        make_password(code, hasher="pbkdf2_sha256")
    pbkdf2_each = (time.perf_counter() - start) / 3
    print(
        f"hash one code: HMAC-SHA256 {hmac_each * 1e6:.1f} µs (x{people:,} = "
        f"{hmac_each * people:.2f} s); PBKDF2 (Django's default) {pbkdf2_each * 1000:.0f} ms "
        f"(x{people:,} = {pbkdf2_each * people / 3600:.1f} h)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else PEOPLE)
