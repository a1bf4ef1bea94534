"""A ministry on PostgreSQL: 10 departments x 20,000 people, 1,000,000 KPIs a round.

    .venv/bin/python -m bench.ministry build  [--departments 10] [--people 20000] [--rebuild]
    .venv/bin/python -m bench.ministry pages  [--departments 10]
    .venv/bin/python -m bench.ministry export [--departments 10]
    .venv/bin/python -m bench.ministry load   [--departments 10]
    .venv/bin/python -m bench.ministry compare            # 1 department beside 10

Each size has its own database, MINISTRY_DATABASE_URL or by default
postgres://postgres@127.0.0.1:5432/kpi_ministry_<departments> (created when
missing; never DATABASE_URL's, and only a database whose name holds
"ministry" is ever emptied). `build` writes, once (or again with --rebuild):

1. the departments of bench.generate.make_ministry, each through org_import
   (the import's bulk path), with accounts; one password for all (one UPDATE);
   four more HR officers in each department;
2. the round today falls in (2570/1 in December 2026), with an approved plan of 5 KPIs for
   every person (bench.plans.bulk_plans: bulk_create in batches), an actual
   for every KPI and an open appraisal holding each plan's achievement;
3. the round moved to tracking, then two check-ins (a month apart) for four
   KPIs in five, through import_checkins' own path (a CSV per department);
4. ANALYZE, and bench/out/ministry-<N>-users.json for the load test.

`pages` times, in-process, what people open every day (HR's dashboard, the
tree, a unit of about 100 people, a group head's team page, a plan, the
results page, the monitoring page; as HR of the first department and as an
administrator of the whole ministry): median of 7, queries, and writes
bench/out/ministry-<N>-pages.json; `compare` prints both sizes side by side.
`export` runs HR's round report of the whole ministry as the worker runs it
(the job, in a child process): time and peak RSS. `load` runs the load test
(bench.load.run) against the ministry at 10 and 50 users.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import subprocess
import sys
import time
from urllib.parse import urlparse

from bench import env


def current_round_code(today: datetime.date | None = None) -> str:
    """The round today falls in (round 1: October to March), e.g. 2570/1 in December 2026."""
    today = today or datetime.date.today()
    year = today.year + 543 + (1 if today.month >= 10 else 0)
    return f"{year}/{1 if today.month >= 10 or today.month <= 3 else 2}"


ROUND_CODE = current_round_code()
KPIS_PER_PERSON = 5
CHECKIN_SHARE = 0.8
ADMIN = "ministry-admin"


def say(*parts) -> None:
    print(*parts, flush=True)


def load_average() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def database_url(departments: int) -> str:
    default = f"postgres://postgres@127.0.0.1:5432/kpi_ministry_{departments}"
    return os.environ.get("MINISTRY_DATABASE_URL") or default


def users_file(departments: int):
    return env.OUT / f"ministry-{departments}-users.json"


def use_database(departments: int) -> str:
    """Point Django at the ministry's database (DATABASE_URL is ignored on purpose)."""
    from bench.load.setup import ensure_database

    url = database_url(departments)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    ensure_database(url)
    env.setup()
    return url


def _timed(label: str, call):
    start, cpu = time.perf_counter(), time.process_time()
    result = call()
    say(
        f"  {label}: {time.perf_counter() - start:.1f} s "
        f"(CPU {time.process_time() - cpu:.1f} s, RSS peak {env.max_rss_mb():.0f} MB)"
    )
    return result


# Building -------------------------------------------------------------------


def build(departments: int, people: int) -> None:
    from appraisals.policy import policy_for
    from bench.generate import build_in_db, make_ministry
    from bench.load.setup import add_hr_staff, set_passwords, write_users_file
    from bench.plans import bulk_plans
    from indicators.models import Round
    from indicators.rounds import round_save

    started = time.perf_counter()
    ministry = make_ministry(departments=departments, people=people)
    say(f"building {departments} departments x {people:,} people (load average {load_average()})")
    with env.debug_off():
        for department in ministry.departments:
            report = _timed(
                f"org_import {department.prefix} ({len(department.records):,} rows)",
                lambda d=department: build_in_db(d),
            )
            assert report.users_created, report
        _timed("one password for every account (one UPDATE)", set_passwords)
        hr_codes = [code for d in ministry.departments for code in add_hr_staff(d)]
        the_round, _created = round_save(code=ROUND_CODE)
        policy_for(the_round)
        for department in ministry.departments:
            _timed(
                f"plans, KPIs, results {department.prefix}",
                lambda d=department: bulk_plans(
                    d, the_round, kpis_per_person=KPIS_PER_PERSON, results=True
                ),
            )
        round_save(code=ROUND_CODE, status=Round.Status.TRACKING)
        the_round.refresh_from_db()
        for department in ministry.departments:
            _timed(
                f"check-ins {department.prefix} (import_checkins' path)",
                lambda d=department: _checkins(d, the_round),
            )
        _analyze()
    write_users_file(ministry.merged(), hr_codes, users_file(departments))
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser(ADMIN, password="ministry-admin-2569")
    say(f"ready in {time.perf_counter() - started:.0f} s (load average {load_average()})")


def _checkins(agency, the_round) -> int:
    """Two check-ins, a month apart, for CHECKIN_SHARE of the KPIs; imported in one go."""
    from bench.generate import kpi_rows
    from monitoring.importer import checkins_import, checkins_read

    rng = random.Random(agency.seed + 11)
    today = datetime.date.today()
    dates = [today - datetime.timedelta(days=days) for days in (33, 3)]
    span = (the_round.end - the_round.start).days
    env.OUT.mkdir(parents=True, exist_ok=True)
    path = env.OUT / f"ministry-checkins-{agency.prefix}.csv"
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kpi_code", "date", "value", "milestones_done", "status", "note"])
        for row in kpi_rows(agency, KPIS_PER_PERSON):
            if rng.random() >= CHECKIN_SHARE:
                continue
            for step, date in enumerate(dates, start=1):
                if row["scale"] == "milestone":
                    writer.writerow([row["kpi_code"], date.isoformat(), "", step, "", ""])
                else:
                    share = (date - the_round.start).days / span
                    value = round(float(row["level_3"]) * share * rng.uniform(0.5, 1.3), 2)
                    writer.writerow([row["kpi_code"], date.isoformat(), value, "", "", ""])
                rows += 1
    table = checkins_read(str(path))
    report = checkins_import(table=table, round=the_round, by=None, dry_run=False)
    if not report.ok:
        raise RuntimeError(f"generated check-ins do not import: {report.errors[:5]}")
    path.unlink()
    return rows


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def is_ready(departments: int, people: int) -> bool:
    from indicators.models import KPI, Round
    from indicators.rounds import get_round
    from orgchart.models import Kind, Node

    if not Round.objects.exists():
        return False
    the_round = Round.objects.filter(pk=get_round(ROUND_CODE).pk).first()
    return (
        the_round is not None
        and the_round.status == Round.Status.TRACKING
        and Node.objects.filter(kind=Kind.INDIVIDUAL).count() == departments * people
        and KPI.objects.filter(round=the_round).count() == departments * people * KPIS_PER_PERSON
        and users_file(departments).exists()
    )


# Measuring ------------------------------------------------------------------


def pages(departments: int) -> list[dict]:
    """Every day's pages at this size, in-process: median time and queries."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from bench.load.pages import HTMX, _measure
    from indicators.models import Plan
    from indicators.rounds import get_round
    from orgchart.models import Kind, Node

    _analyze()
    accounts = json.loads(users_file(departments).read_text(encoding="utf-8"))
    users = get_user_model().objects
    hr = Node.objects.select_related("user").get(user__username=accounts["hr"][0])
    department = Node.objects.get(tree_id=hr.tree_id, level=0)
    # A group of about a hundred people in the first department, and its head.
    group = (
        Node.objects.filter(tree_id=hr.tree_id, kind=Kind.GROUP)
        .annotate(n=Count("children"))
        .order_by("-n", "lft")
        .first()
    )
    head = Node.objects.select_related("user").get(parent=group, is_head=True)
    officer = Node.objects.filter(parent=group, is_head=False, is_hr=False).first()
    plan = Plan.objects.get(owner=officer, round=get_round(ROUND_CODE))
    say(
        f"== pages at {departments} department(s): {Node.objects.count():,} nodes "
        f"(load average {load_average()}) =="
    )
    who = {
        "HR": (hr.user, [
            ("dashboard", "/appraisal/dashboard/", {}),
            ("tree", "/org/", {}),
            ("tree children: department", f"/org/tree/{department.pk}/children/", HTMX),
            ("unit of 100 people", f"/org/unit/{group.pk}/", {}),
            ("plan", f"/kpi/plan/{plan.pk}/", {}),
            ("results", f"/appraisal/plan/{plan.pk}/", {}),
            ("monitoring", "/monitoring/", {}),
            ("home", "/", {}),
        ]),
        "group head": (head.user, [
            ("team (plans)", "/kpi/team/", {}),
            ("team (results)", "/appraisal/team/", {}),
            ("plan", f"/kpi/plan/{plan.pk}/", {}),
            ("results", f"/appraisal/plan/{plan.pk}/", {}),
            ("monitoring", "/monitoring/", {}),
            ("home", "/", {}),
        ]),
        "administrator": (users.get(username=ADMIN), [
            ("dashboard", "/appraisal/dashboard/", {}),
            ("tree", "/org/", {}),
            ("monitoring", "/monitoring/", {}),
        ]),
    }  # fmt: skip
    results = []
    for role, (user, urls) in who.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        say(f"-- {role} ({user.username})")
        for label, url, extra in urls:
            figures = _measure(client, label, url, show_sql=False, **extra)
            results.append({"role": role, **figures})
    path = env.OUT / f"ministry-{departments}-pages.json"
    path.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return results


def compare(sizes=(1, 10)) -> None:
    """The pages at both sizes side by side (from the JSON files `pages` wrote)."""
    found = {}
    for size in sizes:
        path = env.OUT / f"ministry-{size}-pages.json"
        if path.exists():
            found[size] = {(r["role"], r["page"]): r for r in json.loads(path.read_text())}
    if len(found) < 2:
        say("run `pages` at both sizes first")
        return
    small, large = (found[s] for s in sizes)
    say(f"| who | page | {sizes[0]} dept: ms / queries | {sizes[1]} depts: ms / queries |")
    say("| --- | --- | ---: | ---: |")
    for key, row in small.items():
        other = large.get(key)
        right = f"{other['median_ms']:.0f} / {other['queries']}" if other else "-"
        say(f"| {key[0]} | {key[1]} | {row['median_ms']:.0f} / {row['queries']} | {right} |")


def export(departments: int) -> dict:
    """The whole-ministry round report as the worker writes it, in a child process."""
    command = [sys.executable, "-m", "bench.ministry", "export-child", str(departments)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        raise RuntimeError(f"export child failed:\n{done.stdout}\n{done.stderr}")
    figures = json.loads(lines[-1])
    say(
        f"round report of {departments} department(s) in the worker: {figures['seconds']:.1f} s "
        f"(CPU {figures['cpu']:.1f} s), peak RSS {figures['rss_mb']:.0f} MB, "
        f"{figures['mb']:.1f} MB file, {figures['kpis']:,} KPI rows "
        f"(load average {load_average()})"
    )
    return figures


def _export_child(departments: int) -> None:
    from django.contrib.auth import get_user_model
    from django.test.utils import override_settings

    from appraisals.jobs import ROUND_REPORT
    from indicators.models import KPI
    from indicators.rounds import get_round
    from kpi_portal.jobs import job_run, job_start
    from kpi_portal.models import Job

    the_round = get_round(ROUND_CODE)
    admin = get_user_model().objects.get(username=ADMIN)
    params = {"round": the_round.pk, "unit": None, "language": "th"}
    queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with env.debug_off(), override_settings(TASKS=queue, TASKS_BACKEND="database"):
        job = job_start(kind=ROUND_REPORT, params=params, by=admin)  # queued, as the page does
        start, cpu = time.perf_counter(), time.process_time()
        job_run(job_id=job.pk)  # what the worker process calls
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    job = Job.objects.get(pk=job.pk)
    assert job.status == Job.Status.DONE, (job.status, job.message)
    from kpi_portal.models import jobs_root

    path = jobs_root() / job.result_file
    figures = {
        "seconds": seconds,
        "cpu": cpu,
        "rss_mb": env.max_rss_mb(),
        "mb": path.stat().st_size / 2**20 if path.exists() else 0,
        "kpis": KPI.objects.filter(round=the_round).count(),
    }
    sys.stdout.write(json.dumps(figures) + "\n")


def load(departments: int) -> int:
    """The load test (bench.load.run) against the ministry's database and accounts."""
    environment = {
        **os.environ,
        "LOAD_DATABASE_URL": database_url(departments),
        "LOAD_USERS_FILE": str(users_file(departments)),
    }
    command = [sys.executable, "-m", "bench.load.run", "--skip-setup"]
    return subprocess.run(command, env=environment, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "step", choices=["build", "pages", "export", "export-child", "load", "compare"]
    )
    parser.add_argument("departments", nargs="?", type=int, default=None)
    parser.add_argument("--departments", dest="count", type=int, default=10)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    departments = args.departments or args.count
    if args.step == "compare":
        compare()
        return 0
    if args.step == "load":
        return load(departments)
    url = use_database(departments)
    if args.step == "build":
        if not args.rebuild and is_ready(departments, args.people):
            say(f"the ministry of {departments} department(s) is ready on {url}")
            return 0
        name = urlparse(url).path.lstrip("/")
        if "ministry" not in name:
            say(f"refusing to empty database {name!r}: its name lacks 'ministry'")
            return 2
        env.fresh_database()
        build(departments, args.people)
    elif args.step == "pages":
        pages(departments)
    elif args.step == "export":
        export(departments)
    else:
        _export_child(departments)
    return 0


if __name__ == "__main__":
    sys.exit(main())
