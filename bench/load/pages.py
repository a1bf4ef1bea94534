"""Server time and query count of every page in the load test's mix, in-process.

    DEBUG=1 .venv/bin/python -m bench.load.pages [--queries]

On the load test's data (LOAD_DATABASE_URL, default kpi_load on 127.0.0.1;
python -m bench.load.setup first), with Django's
test client: for one officer, one group head, one division head and one HR
officer, each page of the mix once to count its queries, then the median of
7 requests with DEBUG off, and the median CPU time of this process for one
request (the Python side; PostgreSQL's work is the DB figure, measured with
DEBUG on). --queries also prints the SQL of each page,
grouped by statement shape, most repeated first (to find N+1 patterns).
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter

from bench import env
from bench.load.setup import USERS_FILE, use_load_database

HTMX = {"HTTP_HX_REQUEST": "true"}


def _shape(sql: str) -> str:
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    sql = re.sub(r"\(\?(?:, \?)+\)", "(?...)", sql)
    return sql[:300]


def _measure(client, label: str, url: str, *, show_sql: bool, post=None, **extra) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def call():
        if post is not None:
            response = client.post(url, post(), **extra)
        else:
            response = client.get(url, **extra)
        # A download streams: read it all, as the server has to.
        response.body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        )
        return response

    call()  # warm-up
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = call()
    sqls = [q["sql"] for q in queries.captured_queries]
    db_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    times, cpu = [], []
    with env.debug_off():
        for _ in range(7):
            start, start_cpu = time.perf_counter(), time.process_time()
            call()
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    cpu.sort()
    result = {
        "page": label,
        "url": url,
        "status": response.status_code,
        "queries": len(sqls),
        "db_ms": db_ms,
        "median_ms": times[len(times) // 2],
        "cpu_ms": cpu[len(cpu) // 2],
        "bytes": len(response.body),
    }
    print(
        f"{label:<34} {result['status']} {result['queries']:>4} queries "
        f"(DB {db_ms:6.1f} ms) median {result['median_ms']:7.1f} ms, "
        f"Python CPU {result['cpu_ms']:6.1f} ms  "
        f"{result['bytes'] // 1024:>4} KiB  {url}",
        flush=True,
    )
    if show_sql:
        for shape, count in Counter(_shape(s) for s in sqls).most_common(8):
            print(f"    {count:>4}x {shape}")
    return result


def _password_cost() -> None:
    """What one log-in's password check costs (the hasher is deliberately slow)."""
    from django.contrib.auth.hashers import check_password, get_hasher, make_password

    encoded = make_password("load-test")
    wall, cpu = [], []
    for _ in range(3):
        start, start_cpu = time.perf_counter(), time.process_time()
        check_password("load-test", encoded)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    hasher = get_hasher()
    print(
        f"password check ({hasher.algorithm}, {getattr(hasher, 'iterations', '?'):,} iterations): "
        f"median {sorted(wall)[1]:.0f} ms, CPU {sorted(cpu)[1]:.0f} ms"
    )


def main(argv: list[str]) -> int:
    use_load_database()
    env.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from indicators.models import KPI, Plan
    from orgchart.models import Kind, Node

    show_sql = "--queries" in argv
    _password_cost()
    accounts = json.loads(USERS_FILE.read_text(encoding="utf-8"))
    users = get_user_model().objects
    group_code = Node.objects.filter(kind=Kind.GROUP).order_by("lft").values_list("pk", flat=True)
    people = {
        "officer": accounts["officer"][0],
        "group head": accounts["head"][0],
        "division head": accounts["head"][-1],
        "HR": accounts["hr"][0],
    }
    department = Node.objects.filter(parent__isnull=True).first()
    division = Node.objects.filter(kind=Kind.DIVISION).order_by("lft").first()
    group = Node.objects.get(pk=group_code[0])
    results = []
    for role, username in people.items():
        user = users.get(username=username)
        node = Node.objects.get(user=user)
        plan = Plan.objects.get(owner=node, round__fiscal_year=2569, round__number=1)
        kpi = KPI.objects.filter(plan=plan, scale="higher").first()
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        print(f"\n== {role} {username} ({node.code}, plan {plan.pk}) ==")
        pages = [
            ("home", "/", {}),
            ("plan", f"/kpi/plan/{plan.pk}/", {}),
            ("results", f"/appraisal/plan/{plan.pk}/", {}),
            ("form download (.xlsx)", f"/appraisal/plan/{plan.pk}/form.xlsx", {}),
        ]
        if role != "officer" and role != "HR":
            unit = node.parent
            pages += [
                ("team", "/kpi/team/", {}),
                ("tree", "/org/", {}),
                ("tree children (htmx)", f"/org/tree/{unit.pk}/children/", HTMX),
                ("tree people (htmx)", f"/org/tree/{unit.pk}/children/?people=1", HTMX),
                ("unit", f"/org/unit/{unit.pk}/", {}),
            ]
        if role == "HR":
            pages += [
                ("tree", "/org/", {}),
                ("tree children: department", f"/org/tree/{department.pk}/children/", HTMX),
                ("tree children: division", f"/org/tree/{division.pk}/children/", HTMX),
                ("tree people (htmx)", f"/org/tree/{group.pk}/children/?people=1", HTMX),
                ("unit: division", f"/org/unit/{division.pk}/", {}),
                ("unit: group", f"/org/unit/{group.pk}/", {}),
                ("reports page", "/appraisal/reports/", {}),
            ]
        for label, url, extra in pages:
            results.append(
                {"role": role, **_measure(client, label, url, show_sql=show_sql, **extra)}
            )
        if kpi is not None:
            from appraisals.models import Result

            def form(kpi=kpi):
                found = Result.objects.filter(kpi=kpi).first()
                return {"actual": "75", "note": "x", "version": found.version if found else 0}

            url = f"/appraisal/plan/{plan.pk}/kpi/{kpi.pk}/result/"
            results.append(
                {
                    "role": role,
                    **_measure(client, "result save (htmx POST)", url, show_sql=show_sql,
                               post=form, **HTMX),
                }
            )  # fmt: skip
    (env.OUT / "load-pages.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
