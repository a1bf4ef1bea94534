"""Benchmark: the imports at ministry scale (issue 13), on PostgreSQL.

    DEBUG=1 .venv/bin/python -m bench.bench_ministry_imports --departments 1|10 [--people 20000]

A ministry of DEPARTMENTS departments of PEOPLE officers each
(bench/generate.py's make_ministry), in its own database:
IMPORTS_DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/imports_ministry
(DATABASE_URL is not used). The database is created when missing and
emptied at the start, so its name must contain "ministry".

Each measured step runs in a child process, so its peak RSS is its own:

(a) `import_org` of the whole ministry's .xlsx (what an administrator
    uploads: every department, Thai headers) into the empty database;
(b) the re-import of one department's .xlsx into the full ministry:
    unchanged, then with about 1% of its rows changed (renames, people moved
    between groups, one group moved to another division), checking that no
    row of another department's tree was written (PostgreSQL's xmin);
(c) HR's KPI import page with 5 KPIs per person (.xlsx), through the
    background path: the upload, result-page and confirm requests (in this
    process), the check job and the import job as the worker runs them
    (`job_run`, each in a child).

Goals (issue 13): import_org < 5 min; one department's re-import < 60 s;
the 1,000,000-row KPI import < 15 min in the worker and < 1 GB peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

from bench import env

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/imports_ministry"
KPIS_PER_PERSON = 5
MEDIA = env.OUT / "ministry_media"
CHANGED_SHARE = 0.01
MAX_UPLOAD = 200 * 1024 * 1024


def say(*parts) -> None:
    print(*parts, flush=True)


def load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


# The database -----------------------------------------------------------------


def _database_url() -> str:
    """IMPORTS_DATABASE_URL (or the default), created if missing; never DATABASE_URL's."""
    url = os.environ.get("IMPORTS_DATABASE_URL") or DEFAULT_URL
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"IMPORTS_DATABASE_URL must be PostgreSQL, not {parts.scheme}")
    if "ministry" not in name:
        raise SystemExit(f"refusing to empty database {name!r}: its name lacks 'ministry'")
    import psycopg2

    admin = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return url


def _environment() -> None:
    """For this process and its children: the bench database, a private media folder."""
    os.environ["DATABASE_URL"] = _database_url()
    os.environ["PRIVATE_MEDIA_ROOT"] = str(MEDIA)
    MEDIA.mkdir(parents=True, exist_ok=True)


# Children -----------------------------------------------------------------------


def _child(step: str, argument: str) -> None:
    """In a child process: one measured step; prints its figures as JSON."""
    env.setup()
    with env.debug_off():
        start, cpu = time.perf_counter(), time.process_time()
        if step == "org":
            from orgchart.importer import org_import, org_read

            table = org_read(argument)
            figures = {"read": time.perf_counter() - start}
            report = org_import(table=table, by=None)
            figures.update(
                ok=report.ok,
                errors=[str(e) for e in report.errors[:5]],
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
            )
        else:
            from kpi_portal.jobs import job_run
            from kpi_portal.models import Job

            status = job_run(job_id=argument)
            job = Job.objects.get(pk=argument)
            figures = {
                "status": status,
                "message": job.message,
                "error": job.error,
                "done": job.done,
                "total": job.total,
            }
        figures.update(
            wall=time.perf_counter() - start,
            cpu=time.process_time() - cpu,
            rss_mb=env.max_rss_mb(),
        )
    sys.stdout.write(json.dumps(figures) + "\n")


def _run_child(step: str, argument) -> dict:
    command = [sys.executable, "-m", "bench.bench_ministry_imports", "--child", step, str(argument)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        raise RuntimeError(f"child {step} failed:\n{done.stdout}\n{done.stderr[-5000:]}")
    return json.loads(lines[-1])


# The files ------------------------------------------------------------------------


def _changed_department(agency, share: float = CHANGED_SHARE) -> tuple[list[dict], int]:
    """The department's records with about `share` of its rows changed; (records, changes)."""
    rng = random.Random(13)
    records = [dict(record) for record in agency.records]
    people = [r for r in records if r["kind"] == "individual" and not r["is_head"]]
    groups = [r["code"] for r in records if r["kind"] == "group"]
    count = max(2, int(len(records) * share))
    renamed = rng.sample(people, count // 2)
    for record in renamed:
        record["name"] = record["name"] + " (เปลี่ยนชื่อ)"
    moved = rng.sample([p for p in people if p not in renamed], count - count // 2 - 1)
    for record in moved:
        record["parent_code"] = rng.choice([g for g in groups if g != record["parent_code"]])
    divisions = [r["code"] for r in records if r["kind"] == "division"]
    group = next(r for r in records if r["kind"] == "group")
    group["parent_code"] = next(d for d in divisions if d != group["parent_code"])
    return records, len(renamed) + len(moved) + 1


def _other_trees(tree_id: int) -> dict[int, str]:
    """id -> xmin of every node outside `tree_id`: a written row gets a new xmin."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM orgchart_node WHERE tree_id <> %s", [tree_id])
        return dict(cursor.fetchall())


# Steps ------------------------------------------------------------------------------


def _org_steps(ministry, departments: int, rows: list) -> None:
    from bench.generate import Agency, write_org_xlsx
    from orgchart.models import Node

    whole = ministry.merged()
    first = ministry.departments[0]
    org_file = write_org_xlsx(whole, env.OUT / f"ministry-{departments}-org.xlsx")
    dept_file = write_org_xlsx(first, env.OUT / f"ministry-{departments}-dept01.xlsx")
    records, changes = _changed_department(first)
    changed = Agency(seed=first.seed, prefix=first.prefix, records=records)
    changed_file = write_org_xlsx(changed, env.OUT / f"ministry-{departments}-dept01-changed.xlsx")
    say(
        f"org files: whole {len(whole.records):,} rows ({_mb(org_file)}), one department "
        f"{len(first.records):,} rows ({_mb(dept_file)}), changed: {changes} rows"
    )
    result = _run_child("org", org_file)
    assert result["ok"], result["errors"]
    rows.append(
        (f"(a) import_org, whole ministry ({len(whole.records):,} rows .xlsx, empty db)", result)
    )
    say(_line(rows[-1]), f"read {result['read']:.1f} s, {result['created']:,} created")
    tree_id = Node.objects.get(code=first.department["code"]).tree_id
    for label, path, expect in (
        ("unchanged", dept_file, 0),
        (f"{changes} rows changed", changed_file, changes),
    ):
        before = _other_trees(tree_id)
        result = _run_child("org", path)
        after = _other_trees(tree_id)
        assert result["ok"], result["errors"]
        assert result["updated"] == expect, (result["updated"], expect)
        written = sum(1 for pk, xmin in after.items() if before.get(pk) != xmin)
        rows.append((f"(b) re-import one department, {label}", result))
        say(
            _line(rows[-1]),
            f"read {result['read']:.1f} s, {result['updated']} updated; rows of the other "
            f"{departments - 1} trees written: {written} of {len(after):,}",
        )


def _kpi_steps(ministry, departments: int, rows: list) -> None:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from bench.generate import write_kpi_xlsx
    from indicators.models import KPI, Plan
    from indicators.rounds import round_save
    from kpi_portal.models import Job

    whole = ministry.merged()
    count = len(whole.individuals) * KPIS_PER_PERSON
    path = write_kpi_xlsx(whole, env.OUT / f"ministry-{departments}-kpis.xlsx")
    say(f"KPI file: {count:,} rows, {_mb(path)}")
    the_round, _created = round_save(code="2569/1")
    hr = get_user_model().objects.create_superuser("bench-ministry-admin", password="x")
    client = Client()
    client.force_login(hr)
    queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with (
        override_settings(
            TASKS=queue,
            TASKS_BACKEND="database",
            ALLOWED_HOSTS=["testserver"],
            IMPORT_BACKGROUND_BYTES=0,
            IMPORT_MAX_UPLOAD_BYTES=MAX_UPLOAD,
        ),
        env.debug_off(),
    ):

        def request(label, call):
            start, cpu = time.perf_counter(), time.process_time()
            response = call()
            figures = {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu}
            rows.append((label, figures))
            say(_line(rows[-1]))
            return response

        upload = SimpleUploadedFile(path.name, path.read_bytes())
        response = request(
            "(c) upload request (keeps the file, queues the check)",
            lambda: client.post(
                reverse("indicators:import"), {"round": the_round.pk, "file": upload}
            ),
        )
        assert response.status_code == 302, response.status_code
        check = Job.objects.get(kind="indicators.kpi_import")
        result = _run_child("job", check.pk)
        assert result["status"] == "done", result
        rows.append((f"(c) check job in the worker ({count:,} rows)", result))
        say(_line(rows[-1]), f"{result['message']}, rows {result['done']:,} of {result['total']:,}")
        page = request(
            "(c) result page (the preview)",
            lambda: client.get(reverse("indicators:import_result", args=[check.pk])),
        )
        assert page.status_code == 200 and "ยืนยันการนำเข้า" in page.content.decode(), page
        response = request(
            "(c) confirm request (queues the import)",
            lambda: client.post(reverse("indicators:import_confirm"), {"action": "confirm"}),
        )
        assert response.status_code == 302, response.status_code
        work = Job.objects.filter(kind="indicators.kpi_import").exclude(pk=check.pk).get()
        result = _run_child("job", work.pk)
        assert result["status"] == "done", result
        rows.append((f"(c) import job in the worker ({count:,} rows)", result))
        kpis = KPI.objects.filter(round=the_round).count()
        plans = Plan.objects.filter(round=the_round).count()
        say(_line(rows[-1]), f"{result['message']}; {kpis:,} KPIs, {plans:,} plans in the round")
        assert kpis == count, (kpis, count)


def _mb(path) -> str:
    return f"{path.stat().st_size / 2**20:.1f} MB"


def _line(row) -> str:
    label, figures = row
    rss = f", peak RSS {figures['rss_mb']:.0f} MB" if "rss_mb" in figures else ""
    return f"{label}: {figures['wall']:.1f} s wall, {figures['cpu']:.1f} s CPU{rss}"


def _table(rows: list) -> None:
    say("")
    say("| step | wall | CPU | peak RSS |")
    say("| --- | ---: | ---: | ---: |")
    for label, figures in rows:
        rss = f"{figures['rss_mb']:,.0f} MB" if "rss_mb" in figures else "(web process)"
        say(f"| {label} | {figures['wall']:,.1f} s | {figures['cpu']:,.1f} s | {rss} |")


def main(departments: int = 1, people: int = 20_000) -> None:
    _environment()
    env.OUT.mkdir(parents=True, exist_ok=True)
    env.setup()
    from django.db import connection

    from bench.generate import make_ministry

    assert connection.vendor == "postgresql"
    say(
        f"== bench_ministry_imports: {departments} department(s) x {people:,} people, "
        f"database {connection.settings_dict['NAME']} (load average {load()}) =="
    )
    start = time.perf_counter()
    env.fresh_database()
    ministry = make_ministry(departments=departments, people=people)
    say(f"generated {ministry.people:,} people in {time.perf_counter() - start:.1f} s")
    rows: list = []
    _org_steps(ministry, departments, rows)
    _kpi_steps(ministry, departments, rows)
    _table(rows)
    say(f"load average at the end: {load()}; {time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--departments", type=int, default=1)
        parser.add_argument("--people", type=int, default=20_000)
        options = parser.parse_args()
        main(options.departments, options.people)
