"""Benchmark: the monitoring page and import_checkins on the 20,000-officer agency.

    DEBUG=1 .venv/bin/python -m bench.bench_monitoring [PEOPLE]
    DEBUG=1 .venv/bin/python -m bench.bench_monitoring --pages [PEOPLE]
    DEBUG=1 .venv/bin/python -m bench.bench_monitoring --ministry DEPARTMENTS [PEOPLE]

`--pages` measures the pages only, on the database a full run left behind
(bench/out/bench_monitoring.sqlite3, or DATABASE_URL's). `--ministry N`
adds departments to that database up to N (one check-in per KPI, in bulk)
and measures the pages again: an administrator then sees the whole ministry.

The generated agency (bench/generate.py) with 5 KPIs per officer (100,000
KPIs, approved plans, written in bulk) in a round that is tracking, half-way
through today; then `import_checkins` of 3 check-ins per KPI (300,000 rows,
a CSV), run in a child process as `manage.py import_checkins` would, so its
peak RSS is its own; then the import again (nothing changes). Then the
monitoring page (HR: the department; a division head), its level below
(htmx) and the at-risk filter: median server time and queries.
Goals: the page < 150 ms with a constant number of queries; the import
< 120 s and < 500 MB.
"""

import csv
import datetime
import json
import os
import random
import subprocess
import sys
import time

from bench import env

PEOPLE = 20_000
KPIS_PER_PERSON = 5
CHECKINS_PER_KPI = 3


def say(*parts) -> None:
    print(*parts, flush=True)


def _child(path: str, round_code: str) -> None:
    """In the child process: read and import the file once, print the figures as JSON."""
    env.setup()
    from indicators.rounds import get_round
    from monitoring.importer import checkins_import, checkins_read

    the_round = get_round(round_code)
    with env.debug_off():
        start, cpu = time.perf_counter(), time.process_time()
        table = checkins_read(path)
        read = time.perf_counter() - start
        report = checkins_import(table=table, round=the_round, by=None, dry_run=False)
        total = time.perf_counter() - start
    figures = {
        "read": read,
        "total": total,
        "cpu": time.process_time() - cpu,
        "ok": report.ok,
        "errors": [str(e) for e in report.errors[:5]],
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rss_mb": env.max_rss_mb(),
    }
    sys.stdout.write(json.dumps(figures) + "\n")


def _run_child(path, round_code: str) -> dict:
    command = [sys.executable, "-m", "bench.bench_monitoring", "--child", str(path), round_code]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        raise RuntimeError(f"import child failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(lines[-1])


def _plans_in_bulk(agency, the_round) -> list[tuple[str, str, list]]:
    """Approved plans, one KRA each, and the generated KPIs, written in bulk."""
    from decimal import Decimal

    from bench.generate import kpi_rows
    from indicators.models import KPI, KRA, Plan
    from orgchart.models import Node

    nodes = dict(Node.objects.filter(kind="individual").values_list("code", "pk"))
    plans = Plan.objects.bulk_create(
        [
            Plan(owner_id=nodes[p["code"]], round=the_round, status=Plan.Status.APPROVED)
            for p in agency.individuals
        ],
        batch_size=2000,
    )
    plan_of = {plan.owner_id: plan for plan in plans}
    kras = KRA.objects.bulk_create(
        [KRA(plan=plan, job="งานประจำ", name="ผลสัมฤทธิ์หลัก") for plan in plans], batch_size=2000
    )
    kra_of = {kra.plan_id: kra for kra in kras}
    kpis, specs = [], []
    for row in kpi_rows(agency, KPIS_PER_PERSON):
        plan = plan_of[nodes[row["owner_code"]]]
        fields = {}
        if row["scale"] == "milestone":
            fields = {f"milestone_{n}": row[f"level_{n}"] for n in range(1, 6)}
        else:
            fields = {f"level_{n}": Decimal(str(row[f"level_{n}"])) for n in range(1, 6)}
        kpis.append(
            KPI(
                round=the_round,
                plan=plan,
                kra=kra_of[plan.pk],
                code=row["kpi_code"],
                name=row["kpi"],
                unit=row["unit"],
                scale=row["scale"],
                weight=row["weight"],
                **fields,
            )
        )
        specs.append((row["kpi_code"], row["scale"], [row[f"level_{n}"] for n in range(1, 6)]))
    KPI.objects.bulk_create(kpis, batch_size=2000)
    return specs


def _write_checkins(specs, the_round, path) -> int:
    """3 check-ins per KPI: a month apart, values climbing towards (or past) the targets."""
    rng = random.Random(10)
    today = datetime.date.today()
    dates = [today - datetime.timedelta(days=d) for d in (61, 31, 1)]
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kpi_code", "date", "value", "milestones_done", "status", "note"])
        for code, scale, levels in specs:
            for step, date in enumerate(dates, start=1):
                share = (date - the_round.start).days / (the_round.end - the_round.start).days
                if scale == "milestone":
                    writer.writerow([code, date.isoformat(), "", min(5, step), "", ""])
                else:
                    value = round(float(levels[2]) * share * rng.uniform(0.6, 1.3), 2)
                    writer.writerow([code, date.isoformat(), value, "", "", "รายงานประจำเดือน"])
                rows += 1
    return rows


def _measure_pages(agency) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from orgchart.models import Node

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as autovacuum keeps them in use
    users = get_user_model().objects
    hr = Node.objects.get(code=agency.hr["code"])
    hr.user = users.filter(username="bench-mon-hr").first() or users.create_user("bench-mon-hr")
    hr.save(update_fields=["user"])
    division = Node.objects.filter(kind="division").order_by("lft").first()
    head = Node.objects.get(parent=division, is_head=True)
    head.user = users.filter(username="bench-mon-head").first() or users.create_user(
        "bench-mon-head"
    )
    head.save(update_fields=["user"])
    department = Node.objects.get(level=0, tree_id=hr.tree_id)
    admin = users.filter(username="bench-mon-admin").first() or users.create_superuser(
        "bench-mon-admin"
    )
    watch = reverse("monitoring:watch")
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for who, user, unit in (
            ("HR (department)", hr.user, department),
            ("division head", head.user, division),
            ("administrator (every department)", admin, department),
        ):
            client = Client()
            client.force_login(user)
            for label, url in (
                ("monitoring page", watch),
                ("at-risk filter", f"{watch}?status=at_risk"),
                ("level below (htmx)", reverse("monitoring:watch_children", args=[unit.pk])),
            ):
                cpu = time.process_time()
                figures = env.time_page(client, url)
                # This process's CPU per request (9 requests: warm-up, counted, 7 timed):
                # on SQLite the whole request, less swayed by a busy machine than wall time.
                cpu_ms = (time.process_time() - cpu) * 1000 / 9
                say(
                    f"{who}, {label}: {figures['median_ms']:.0f} ms median, "
                    f"{figures['queries']} queries, {figures['bytes'] / 1024:.0f} KB "
                    f"(status {figures['status']}; {cpu_ms:.0f} ms CPU of this process)"
                )


def _median_ms(run, times: int = 5) -> tuple[float, float]:
    """Median wall and CPU milliseconds of `run()` (after one warm-up)."""
    import statistics

    run()
    walls, cpus = [], []
    for _ in range(times):
        start, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def _measure_counts(agency) -> None:
    """The page's grouped count alone, kept figures vs the count over every KPI (before)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from indicators.models import KPI, Round
    from monitoring.figures import kept_counts, kpi_scope, unit_key_expression, with_status
    from monitoring.models import UnitFigure
    from monitoring.services import schedule_for
    from orgchart.models import Node

    the_round = Round.objects.get(status=Round.Status.TRACKING)
    days, today = schedule_for(the_round).no_news_days, timezone.localdate()
    hr = Node.objects.get(code=agency.hr["code"])
    department = Node.objects.get(level=0, tree_id=hr.tree_id)
    admin = get_user_model().objects.get(username="bench-mon-admin")
    figures = UnitFigure.objects.filter(round=the_round).count()
    say(
        f"figure rows of the round: {figures:,} for {KPI.objects.count():,} KPIs "
        f"({Node.objects.exclude(kind='individual').count():,} units)"
    )
    for who, user, unit in (("HR", hr.user, department), ("administrator", admin, None)):

        def kept(user=user, unit=unit):
            rows = kept_counts(the_round, user, unit, no_news_days=days, today=today)
            return list(rows)

        def before(user=user, unit=unit):
            rows = (
                with_status(kpi_scope(the_round, user, unit), days, today)
                .annotate(unit_key=unit_key_expression())
                .values_list("unit_key", "watch")
                .annotate(n=Count("pk"))
                .order_by()
            )
            return list(rows)

        assert sorted(kept()) == sorted(before()), "kept figures differ from the count over KPIs"
        for label, run in (("kept figures", kept), ("count over every KPI (before)", before)):
            wall, cpu = _median_ms(run)
            say(f"{who}'s grouped count, {label}: {wall:.1f} ms median ({cpu:.1f} ms CPU)")
    query = kept_counts(the_round, hr.user, department, no_news_days=days, today=today)
    say(query.explain(analyze=True) if connection.vendor == "postgresql" else query.explain())


def _latest_checkins(agency, the_round) -> int:
    """One check-in per KPI of the department (the latest is all the figures read), in bulk."""
    from indicators.models import KPI
    from monitoring.models import CheckIn, Progress
    from orgchart.models import Node

    rng = random.Random(agency.seed)
    top = Node.objects.get(code=agency.department["code"])
    kpis = list(
        KPI.objects.filter(round=the_round, plan__owner__tree_id=top.tree_id).values_list(
            "pk", flat=True
        )
    )
    date = datetime.date.today() - datetime.timedelta(days=1)
    for start in range(0, len(kpis), 2000):
        status = [rng.choice(("on_track", "on_track", "at_risk", "off_track")) for _ in range(2000)]
        checkins = CheckIn.objects.bulk_create(
            CheckIn(kpi_id=pk, date=date, value=1, status=status[n], suggested_status=status[n],
                    projected_level=3)
            for n, pk in enumerate(kpis[start : start + 2000])
        )  # fmt: skip
        Progress.objects.bulk_create(
            Progress(kpi_id=c.kpi_id, checkin=c, date=date, status=c.status, projected_level=3)
            for c in checkins
        )
    return len(kpis)


def ministry(departments: int, people: int = PEOPLE) -> None:
    """Add departments to the database a full run left, then the pages for the whole ministry.

    Each added department (bench.generate.make_ministry: prefixes BN01, BN02, ...) has
    its plans and KPIs as in the full run and one check-in per KPI, written in bulk
    (the triggers keep the figures as for any write).
    """
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{env.OUT / 'bench_monitoring.sqlite3'}")
    env.setup()
    from bench.generate import build_in_db, make_agency, make_ministry
    from indicators.models import Round
    from orgchart.models import Node

    the_round = Round.objects.get(status=Round.Status.TRACKING)
    have = Node.objects.filter(level=0).count()
    for agency in make_ministry(departments=departments - 1, people=people).departments[have - 1 :]:
        start = time.perf_counter()
        build_in_db(agency)
        _plans_in_bulk(agency, the_round)
        kpis = _latest_checkins(agency, the_round)
        say(f"added {agency.prefix}: {kpis:,} KPIs in {time.perf_counter() - start:.0f} s")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    say(f"== the ministry: {departments} departments (load average {load}) ==")
    agency = make_agency(people=people)
    _measure_pages(agency)
    _measure_counts(agency)


def pages_only(people: int = PEOPLE) -> None:
    """The pages again on the database a full run left (no generation, no import)."""
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{env.OUT / 'bench_monitoring.sqlite3'}")
    env.setup()
    from bench.generate import make_agency
    from indicators.models import KPI
    from monitoring.models import CheckIn

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    say(
        f"== bench_monitoring --pages: {KPI.objects.count():,} KPIs, "
        f"{CheckIn.objects.count():,} check-ins (load average {load}) =="
    )
    agency = make_agency(people=people)
    _measure_pages(agency)
    _measure_counts(agency)


def main(people: int = PEOPLE) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{env.OUT / 'bench_monitoring.sqlite3'}")
    env.OUT.mkdir(parents=True, exist_ok=True)
    env.setup()
    from bench.generate import build_in_db, make_agency
    from indicators.models import Round
    from indicators.rounds import round_save

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    say(
        f"== bench_monitoring: {people:,} officers x {KPIS_PER_PERSON} KPIs x "
        f"{CHECKINS_PER_KPI} check-ins (load average {load}) =="
    )
    start = time.perf_counter()
    agency = make_agency(people=people)
    env.fresh_database()
    build_in_db(agency)
    the_round, _created = round_save(code="2569/1")
    today = datetime.date.today()
    Round.objects.filter(pk=the_round.pk).update(
        status=Round.Status.TRACKING,
        start=today - datetime.timedelta(days=91),
        end=today + datetime.timedelta(days=90),
    )
    the_round.refresh_from_db()
    specs = _plans_in_bulk(agency, the_round)
    path = env.OUT / f"checkins-{len(specs)}x{CHECKINS_PER_KPI}.csv"
    rows = _write_checkins(specs, the_round, path)
    say(
        f"generated the agency, {len(specs):,} KPIs and {path.name} ({rows:,} rows, "
        f"{path.stat().st_size / 2**20:.1f} MB) in {time.perf_counter() - start:.1f} s"
    )
    first = _run_child(path, the_round.code)
    assert first["ok"], first["errors"]
    say(
        f"import_checkins ({rows:,} rows): {first['total']:.1f} s (reading {first['read']:.1f} s; "
        f"CPU {first['cpu']:.1f} s; {first['created']:,} created), "
        f"peak RSS {first['rss_mb']:.0f} MB"
    )
    again = _run_child(path, the_round.code)
    say(
        f"import_checkins again (nothing to change): {again['total']:.1f} s "
        f"({again['created']} created, {again['updated']} updated, {again['unchanged']:,} "
        f"unchanged), peak RSS {again['rss_mb']:.0f} MB"
    )
    _measure_pages(agency)
    _measure_counts(agency)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
    elif len(sys.argv) > 2 and sys.argv[1] == "--ministry":
        ministry(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else PEOPLE)
    elif len(sys.argv) > 1 and sys.argv[1] == "--pages":
        pages_only(int(sys.argv[2]) if len(sys.argv) > 2 else PEOPLE)
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else PEOPLE)
