"""The load test's data: the generated 20,000-officer agency on PostgreSQL, ready for results.

    .venv/bin/python -m bench.load.setup [--rebuild] [--people N]

On the database of LOAD_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/kpi_load, created if missing; never
DATABASE_URL, which may point at a database someone needs), and only when
it is not ready already (or with --rebuild), it empties the database and
builds:

1. the agency of bench.generate (`make_agency`), put in with `build_in_db`
   (the bulk org_import path);
2. one known password for every account: hashed once, stored by one UPDATE;
3. four more HR officers beside the generated one, so the HR users of the
   load test are different people;
4. round 2569/1 with an approved plan of 5 KPIs (bench.generate.kpi_rows) for
   every person, written with bulk_create, and its scoring policy;
5. the round moved to tracking (round_save), so results can be entered.

Then it writes bench/out/load-users.json: the password and the usernames of
officers, heads and HR staff that bench/load/locustfile.py logs in as.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from urllib.parse import urlparse

from bench import env

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kpi_load"
PASSWORD = "load-test-2569-kpi"
ROUND_CODE = "2569/1"
PEOPLE = 20_000
KPIS_PER_PERSON = 5
EXTRA_HR = 4
USERS_FILE = env.OUT / "load-users.json"
# How many accounts of each kind the users file offers (more than any run uses).
OFFICERS_LISTED = 1_000


def _step(label: str, start: float) -> float:
    now = time.perf_counter()
    print(f"  {label}: {now - start:.1f} s", flush=True)
    return now


def use_load_database() -> str:
    """Point Django at LOAD_DATABASE_URL (DATABASE_URL is ignored on purpose)."""
    url = os.environ.get("LOAD_DATABASE_URL") or DEFAULT_DATABASE_URL
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    return url


def ensure_database(url: str) -> None:
    """CREATE DATABASE when it does not exist (PostgreSQL only)."""
    parts = urlparse(url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg2
    from psycopg2 import sql

    name = parts.path.lstrip("/")
    connection = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        connect_timeout=10,
    )
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}")
    finally:
        connection.close()


def is_ready(people: int) -> bool:
    """The agency, the plans and the tracking round are there already."""
    from indicators.models import KPI, Plan, Round
    from orgchart.models import Kind, Node

    the_round = Round.objects.filter(fiscal_year=2569, number=1).first()
    if the_round is None or the_round.status != Round.Status.TRACKING:
        return False
    individuals = Node.objects.filter(kind=Kind.INDIVIDUAL).count()
    return (
        individuals == people
        and Plan.objects.filter(round=the_round, status=Plan.Status.APPROVED).count() == people
        and KPI.objects.filter(round=the_round).count() == people * KPIS_PER_PERSON
        and USERS_FILE.exists()
    )


def set_passwords() -> int:
    """One hashed password for every account: one hash, one UPDATE."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    return get_user_model().objects.update(password=make_password(PASSWORD))


def add_hr_staff(agency) -> list[str]:
    """EXTRA_HR officers of the first group become HR staff too; the codes of all HR staff."""
    from orgchart.models import Node

    first_group = agency.of_kind("group")[0]["code"]
    extra = [
        r["code"]
        for r in agency.individuals
        if r["parent_code"] == first_group and not r["is_head"] and not r["is_hr"]
    ][:EXTRA_HR]
    Node.objects.filter(code__in=extra).update(is_hr=True)
    return [agency.hr["code"], *extra]


def build_plans(agency, the_round) -> tuple[int, int]:
    """An approved plan with KPIS_PER_PERSON KPIs for every person (bulk_create)."""
    from bench.plans import bulk_plans

    return bulk_plans(agency, the_round, kpis_per_person=KPIS_PER_PERSON)


def write_users_file(agency, hr_codes: list[str], path=USERS_FILE) -> dict:
    """The accounts the load test logs in as, by role (deterministic)."""
    rng = random.Random(agency.seed + 7)
    hr = set(hr_codes)
    officers = [
        r["username"] for r in agency.individuals if not r["is_head"] and r["code"] not in hr
    ]
    heads = [r["username"] for r in agency.individuals if r["is_head"] and r["code"] not in hr]
    # Group heads first (about a hundred reports each), then division heads.
    group_codes = {r["code"] for r in agency.of_kind("group")}
    heads_by_code = {r["username"]: r["parent_code"] for r in agency.individuals if r["is_head"]}
    heads.sort(key=lambda name: (heads_by_code[name] not in group_codes, name))
    by_code = {r["code"]: r["username"] for r in agency.individuals}
    users = {
        "password": PASSWORD,
        "round": ROUND_CODE,
        "officer": rng.sample(officers, min(OFFICERS_LISTED, len(officers))),
        "head": heads,
        "hr": [by_code[code] for code in hr_codes],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(users, ensure_ascii=False, indent=1), encoding="utf-8")
    return users


def build(people: int) -> None:
    from bench.generate import build_in_db, make_agency
    from indicators.models import Round
    from indicators.rounds import round_save

    started = start = time.perf_counter()
    agency = make_agency(people=people)
    start = _step(f"generated {len(agency.records):,} rows", start)
    with env.debug_off():
        report = build_in_db(agency)
        start = _step(
            f"build_in_db (org_import): {report.created:,} nodes, "
            f"{report.users_created:,} accounts",
            start,
        )
        count = set_passwords()
        start = _step(f"one password for {count:,} accounts (one UPDATE)", start)
        hr_codes = add_hr_staff(agency)
        the_round, _created = round_save(code=ROUND_CODE)
        from appraisals.policy import policy_for

        policy_for(the_round)
        plans, kpis = build_plans(agency, the_round)
        start = _step(f"round {ROUND_CODE}: {plans:,} approved plans, {kpis:,} KPIs", start)
        round_save(code=ROUND_CODE, status=Round.Status.TRACKING)
        start = _step(f"round {ROUND_CODE} moved to tracking", start)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        start = _step("ANALYZE", start)
    users = write_users_file(agency, hr_codes)
    print(
        f"ready in {time.perf_counter() - started:.0f} s: {USERS_FILE} "
        f"({len(users['officer'])} officers, {len(users['head'])} heads, {len(users['hr'])} HR)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="empty the database first")
    parser.add_argument("--people", type=int, default=PEOPLE)
    args = parser.parse_args(argv)
    url = use_load_database()
    ensure_database(url)
    env.setup()
    if not args.rebuild and is_ready(args.people):
        print(f"load data ready ({args.people:,} people, round {ROUND_CODE} in tracking)")
        return 0
    name = urlparse(url).path[1:]
    if "load" not in name and not args.rebuild:
        print(f"refusing to empty database {name!r}: its name lacks 'load'; pass --rebuild")
        return 2
    print(f"building the load test data ({args.people:,} people) on {name}")
    env.fresh_database()
    build(args.people)
    return 0


if __name__ == "__main__":
    sys.exit(main())
