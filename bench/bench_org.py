"""Benchmark: import_org of a 20,000-officer agency, then the tree and unit pages as HR.

    DEBUG=1 .venv/bin/python -m bench.bench_org [PEOPLE]

Goals: the import under 60 s; each page under 100 ms (server time).
"""

import sys
import time
import tracemalloc

from bench import env

PEOPLE = 20_000


def _import(path, timings: dict | None = None):
    from orgchart.importer import org_import, org_read

    timings = {} if timings is None else timings
    with env.debug_off():
        start = time.perf_counter()
        table = org_read(path)
        timings["read"] = time.perf_counter() - start
        report = org_import(table=table, by=None)
        timings["import"] = time.perf_counter() - start - timings["read"]
        return report


def _measure_import(path) -> None:
    rss_before = env.max_rss_mb()
    timings: dict = {}
    report = _import(path, timings)
    rss_delta = env.max_rss_mb() - rss_before
    assert report.ok, report.errors[:5]
    print(
        f"import_org {path.name}: {timings['read'] + timings['import']:.1f} s "
        f"(reading {timings['read']:.1f} s, checks and writes {timings['import']:.1f} s; "
        f"{report.created} created, {report.users_created} accounts), "
        f"peak RSS +{rss_delta:.0f} MB"
    )
    again = _import(path, timings)
    print(
        f"import_org again (nothing to change): {timings['read'] + timings['import']:.1f} s "
        f"(reading {timings['read']:.1f} s; {again.created} created, {again.updated} updated, "
        f"{again.unchanged} unchanged)"
    )


def _measure_heap(path) -> None:
    env.fresh_database()
    tracemalloc.start()
    _import(path)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"import_org Python heap peak (tracemalloc, separate run): {peak / 2**20:.0f} MB")


def _measure_pages(agency) -> None:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from orgchart.models import Node

    hr = Node.objects.select_related("user").get(code=agency.hr["code"])
    department = Node.objects.get(code=agency.department["code"])
    group_code = agency.largest_group()["code"]
    group = Node.objects.get(code=group_code)
    client = Client(HTTP_HOST="localhost")
    client.force_login(hr.user)
    pages = [
        ("orgchart:tree", (), "tree"),
        ("orgchart:tree_children", (department.pk,), "tree children of the department"),
        ("orgchart:unit", (group.pk,), f"unit {group_code} ({group.children.count()} people)"),
    ]
    for name, args, label in pages:
        try:
            url = reverse(name, args=args)
        except NoReverseMatch:
            print(f"{label}: skipped, URL {name} does not exist yet")
            continue
        result = env.time_page(client, url)
        print(
            f"{label} [{url}] as HR: {result['median_ms']:.1f} ms median, "
            f"{result['queries']} queries, HTTP {result['status']}, {result['bytes'] // 1024} KiB"
        )


def main(people: int = PEOPLE) -> None:
    env.setup()
    from bench.generate import make_agency, write_org_xlsx

    print(f"== bench_org: {people:,} officers ==")
    start = time.perf_counter()
    agency = make_agency(people=people)
    path = write_org_xlsx(agency)
    elapsed = time.perf_counter() - start
    print(f"generated {path.name}: {len(agency.records):,} rows in {elapsed:.1f} s")
    env.fresh_database()
    _measure_import(path)
    _measure_pages(agency)
    _measure_heap(path)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else PEOPLE)
