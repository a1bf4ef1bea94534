"""Benchmark: send_reminders for a 20,000-officer agency, the outbox, and the bell's cost.

    DEBUG=1 .venv/bin/python -m bench.bench_notifications [PEOPLE]

Goal: send_reminders under 60 s for 20,000 people. The command writes the
reminders and their e-mails (the outbox) and hands the sending to the worker;
the worker's send of the whole outbox (Django's locmem backend, so the figure
is our own cost, not a mail server's) is timed apart. Then the bell: the
queries a page spends on it and the time of its count.
"""

import datetime
import sys
import time

from bench import env

PEOPLE = 20_000


def _agency(people: int):
    from bench.generate import build_in_db, make_agency
    from indicators.models import Plan, Round
    from notifications.models import RoundReminder
    from orgchart.models import Node

    env.fresh_database()
    start = time.perf_counter()
    agency = make_agency(people=people)
    with env.debug_off():
        build_in_db(agency)
    today = datetime.date.today()
    the_round = Round.objects.create(
        fiscal_year=2569,
        number=1,
        start=today - datetime.timedelta(30),
        end=today + datetime.timedelta(150),
    )
    RoundReminder.objects.create(
        round=the_round, planning_ends=today + datetime.timedelta(3), planning_days=7
    )
    # Half of the people have a draft plan, none has submitted: everyone is reminded.
    owners = Node.objects.filter(kind="individual").values_list("pk", flat=True)
    Plan.objects.bulk_create(
        (Plan(round=the_round, owner_id=pk) for index, pk in enumerate(owners) if index % 2 == 0),
        batch_size=2000,
    )
    print(
        f"agency of {people:,} people, round and plans built in {time.perf_counter() - start:.1f} s"
    )
    return agency


def _send_reminders() -> None:
    from django.core.management import call_command

    from notifications import reminders
    from notifications.models import Delivery, Notification

    with env.debug_off():
        start = time.perf_counter()
        call_command("send_reminders", "--dry-run", stdout=_Quiet())
        print(f"send_reminders --dry-run: {time.perf_counter() - start:.1f} s")

        # The worker sends (django-tasks' database backend); here: not at all, to time the command.
        kick, reminders.outbox_kick = reminders.outbox_kick, lambda: None
        try:
            rss = env.max_rss_mb()
            start = time.perf_counter()
            call_command("send_reminders", stdout=_Quiet())
            elapsed = time.perf_counter() - start
            grew = env.max_rss_mb() - rss
            print(
                f"send_reminders: {elapsed:.1f} s, {Notification.objects.count():,} reminders, "
                f"{Delivery.objects.count():,} e-mails queued, peak RSS +{grew:.0f} MB"
            )
            start = time.perf_counter()
            call_command("send_reminders", stdout=_Quiet())
            print(
                f"send_reminders again (nothing to send): {time.perf_counter() - start:.1f} s, "
                f"{Notification.objects.count():,} reminders"
            )
        finally:
            reminders.outbox_kick = kick


def _flush() -> None:
    from django.conf import settings
    from django.core import mail

    from notifications.outbox import outbox_flush

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    with env.debug_off():
        start = time.perf_counter()
        report = outbox_flush()
        elapsed = time.perf_counter() - start
    print(
        f"outbox flush (the worker's part, locmem backend): {report.sent:,} e-mails in "
        f"{elapsed:.1f} s ({report.sent / elapsed:,.0f}/s), {len(mail.outbox):,} delivered"
    )


def _bell(agency) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from orgchart.models import Node

    person = Node.objects.select_related("user").get(code=agency.individuals[1]["code"])
    client = Client(HTTP_HOST="localhost")
    client.force_login(person.user)
    stored = _total()
    for name in ("home", "notifications:list", "notifications:bell"):
        client.get(reverse(name))
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            client.get(reverse(name))
            elapsed = time.perf_counter() - start
        bell = [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]
        cost = ", ".join(f"{float(q['time']) * 1000:.1f} ms" for q in bell) or "none"
        print(
            f"{name}: {len(queries.captured_queries)} queries, {len(bell)} on notifications "
            f"({cost}; {stored:,} notifications stored); request {elapsed * 1000:.0f} ms"
        )


def _total() -> int:
    from notifications.models import Notification

    return Notification.objects.count()


class _Quiet:
    def write(self, text: str) -> None:
        if text.startswith("Total"):
            print("   ", text.strip())

    def flush(self) -> None:
        pass


def main(people: int = PEOPLE) -> None:
    env.setup()
    print(f"== bench_notifications: {people:,} officers ==")
    agency = _agency(people)
    _send_reminders()
    _flush()
    _bell(agency)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else PEOPLE)
