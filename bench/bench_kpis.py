"""Benchmark: import_kpis of 100,000 rows (20,000 officers x 5 KPIs), and cascading to 200.

    DEBUG=1 .venv/bin/python -m bench.bench_kpis [PEOPLE]

Goals: the import under 120 s and 500 MB; a cascade to 200 children in a
bounded number of queries. The import runs in a child process (as
`manage.py import_kpis` would), so its peak RSS is its own and not the
generator's; the Python heap peak (tracemalloc) is measured in a second,
separate run because tracing slows everything down several times.
"""

import json
import os
import subprocess
import sys
import time
import tracemalloc
from decimal import Decimal

from bench import env

PEOPLE = 20_000
KPIS_PER_PERSON = 5
CHILDREN = 200


def say(*parts) -> None:
    """print, at once: the benchmark takes minutes and its output is often piped."""
    print(*parts, flush=True)


def _child(path: str, round_code: str, trace: bool) -> None:
    """In the child process: read and import the file once, print the figures as JSON."""
    env.setup()
    from indicators.importer import kpis_import, kpis_read
    from indicators.rounds import get_round

    the_round = get_round(round_code)
    if trace:
        tracemalloc.start()
    with env.debug_off():
        start, cpu = time.perf_counter(), time.process_time()
        table = kpis_read(path)
        read, read_cpu = time.perf_counter() - start, time.process_time() - cpu
        report = kpis_import(table=table, round=the_round, by=None, dry_run=False)
        total = time.perf_counter() - start
    figures = {
        "read": read,
        "read_cpu": read_cpu,
        "total": total,
        "cpu": time.process_time() - cpu,
        "ok": report.ok,
        "errors": [str(e) for e in report.errors[:5]],
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "plans": report.plans_created,
        "rss_mb": env.max_rss_mb(),
    }
    if trace:
        figures["heap_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    sys.stdout.write(json.dumps(figures) + "\n")


def _run_child(path, round_code: str, *, trace: bool = False) -> dict:
    command = [sys.executable, "-m", "bench.bench_kpis", "--child", str(path), round_code]
    if trace:
        command.append("--trace")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        raise RuntimeError(f"import child failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(lines[-1])


def _measure_import(path, rows: int) -> None:
    first = _run_child(path, "2569/1")
    assert first["ok"], first["errors"]
    work = first["total"] - first["read"]
    say(
        f"import_kpis {path.name} ({rows:,} rows): {first['total']:.1f} s "
        f"(reading {first['read']:.1f} s, checks and writes {work:.1f} s; "
        f"CPU {first['cpu']:.1f} s of which reading {first['read_cpu']:.1f} s; "
        f"{first['created']:,} KPIs, {first['plans']:,} plans), peak RSS {first['rss_mb']:.0f} MB"
    )
    again = _run_child(path, "2569/1")
    say(
        f"import_kpis again (nothing to change): {again['total']:.1f} s, CPU {again['cpu']:.1f} s "
        f"({again['created']} created, {again['updated']} updated, {again['unchanged']:,} "
        f"unchanged), peak RSS {again['rss_mb']:.0f} MB"
    )
    if os.environ.get("BENCH_TRACE", "1") == "0":
        say("import_kpis Python heap peak: skipped (BENCH_TRACE=0)")
        return
    traced = _run_child(path, "2569/2", trace=True)
    say(
        f"import_kpis Python heap peak (tracemalloc, separate run into 2569/2): "
        f"{traced['heap_mb']:.0f} MB (that run took {traced['total']:.0f} s under tracing)"
    )


def _big_team(agency) -> str:
    """A group of CHILDREN officers and its head, added to the agency; the head's code."""
    from orgchart.importer import org_import, table_from_records

    division = agency.of_kind("division")[0]["code"]
    group = f"{division}-BIG"
    records = [
        {"code": group, "parent_code": division, "kind": "group", "name": "กลุ่มงานทดสอบขนาดใหญ่"},
        {
            "code": f"{group}-H",
            "parent_code": group,
            "kind": "individual",
            "name": "นายหัวหน้า ทดสอบ",
            "is_head": True,
        },
    ] + [
        {
            "code": f"{group}-{n:03d}",
            "parent_code": group,
            "kind": "individual",
            "name": f"เจ้าหน้าที่ทดสอบ {n}",
        }
        for n in range(CHILDREN)
    ]
    report = org_import(table=table_from_records(records), by=None)
    assert report.ok, report.errors[:5]
    return f"{group}-H"


def _measure_cascade(agency) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from indicators import cascade
    from indicators.models import KPI, KRA, Plan
    from indicators.rounds import get_round
    from orgchart.models import Node

    head = Node.objects.get(code=_big_team(agency))
    head.user = get_user_model().objects.create_user(username="bench-big-head")
    head.save(update_fields=["user"])
    children = list(Node.objects.filter(parent=head.parent, is_head=False))
    the_round = get_round("2569/2")
    plan, _created = Plan.objects.get_or_create(owner=head, round=the_round)
    kra = KRA.objects.create(plan=plan, job="งานทดสอบ", name="ผลสัมฤทธิ์ทดสอบ")
    levels = [Decimal(n * CHILDREN) for n in (1, 2, 3, 4, 5)]

    def cascade_once(method: str, code: str) -> int:
        kpi = KPI.objects.create(
            round=the_round,
            plan=plan,
            kra=kra,
            code=code,
            name="จำนวนเรื่อง",
            unit="เรื่อง",
            scale="higher",
            weight=50,
            **{f"level_{n}": value for n, value in enumerate(levels, start=1)},
        )
        with CaptureQueriesContext(connection) as queries:
            if method == "direct":
                cascade.kpi_cascade_direct(kpi=kpi, children=children, by=head.user)
            else:
                allocations = {child: (1, 2, 3, 4, 5) for child in children}
                cascade.kpi_cascade_split(kpi=kpi, allocations=allocations, by=head.user)
        return len(queries)

    for method in ("direct", "split"):
        start = time.perf_counter()
        count = cascade_once(method, f"BIG-{method}")
        elapsed = time.perf_counter() - start
        tracemalloc.start()
        cascade_once(method, f"BIG-{method}-traced")
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        say(
            f"cascade {method} to {len(children)} children: {elapsed * 1000:.0f} ms, "
            f"{count} queries, Python heap peak {peak:.1f} MB (tracemalloc, second run), "
            f"peak RSS of the process so far {env.max_rss_mb():.0f} MB"
        )


def main(people: int = PEOPLE) -> None:
    # Our own database file when run alone: another benchmark may be flushing bench.sqlite3.
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{env.OUT / 'bench_kpis.sqlite3'}")
    env.OUT.mkdir(parents=True, exist_ok=True)
    env.setup()
    from bench.generate import build_in_db, make_agency, write_kpi_xlsx
    from indicators.rounds import round_save

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    say(f"== bench_kpis: {people:,} officers x {KPIS_PER_PERSON} KPIs (load average {load}) ==")
    start = time.perf_counter()
    agency = make_agency(people=people)
    env.fresh_database()
    build_in_db(agency)
    round_save(code="2569/1")
    round_save(code="2569/2")
    path = write_kpi_xlsx(agency, kpis_per_person=KPIS_PER_PERSON)
    rows = len(agency.individuals) * KPIS_PER_PERSON
    say(f"generated the agency and {path.name} in {time.perf_counter() - start:.1f} s")
    _measure_import(path, rows)
    _measure_cascade(agency)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], "--trace" in sys.argv)
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else PEOPLE)
