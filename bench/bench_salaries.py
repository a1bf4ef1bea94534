"""Benchmark: the salary-raise list of the 20,000-officer agency (bench.generate).

    DEBUG=1 .venv/bin/python -m bench.bench_salaries [PEOPLE]

Builds the agency, a round in assessment with an assessed appraisal and a band
per officer (bulk), salary ranges for the generated levels, then imports a
salary per officer through `salaries_import` (timed). As HR it measures the
raise-list page (first page and a middle one), the htmx pool preview, one
saved proposal, and the announcement export (`RaiseAnnouncement` through
`write_workbook`). Goals: page < 300 ms, export < 10 s, constant queries.
"""

import random
import statistics
import sys
import tempfile
import time

from bench import env

PEOPLE = 20_000
BANDS = (("ดีเด่น", 0.15), ("ดีมาก", 0.35), ("ดี", 0.35), ("พอใช้", 0.12), ("ต้องปรับปรุง", 0.03))
RANGES = {
    "ปฏิบัติงาน": (4870, 21010),
    "ชำนาญงาน": (10190, 38750),
    "อาวุโส": (15410, 54820),
    "ปฏิบัติการ": (8340, 26900),
    "ชำนาญการ": (15050, 58390),
    "ชำนาญการพิเศษ": (22140, 69040),
    "เชี่ยวชาญ": (31400, 69040),
    "อำนวยการสูง": (32850, 70360),
    "บริหารระดับสูง": (53690, 76800),
}


def _build(people: int):
    from appraisals.models import Appraisal
    from bench.generate import build_in_db, make_agency
    from indicators.models import Plan, Round
    from orgchart.models import Node

    env.fresh_database()
    agency = make_agency(people=people)
    with env.debug_off():
        build_in_db(agency)
        start, end = Round.default_dates(2569, 1)
        the_round = Round.objects.create(
            fiscal_year=2569, number=1, start=start, end=end, status=Round.Status.ASSESSMENT
        )
        owners = list(Node.objects.filter(kind="individual").values_list("pk", flat=True))
        plans = Plan.objects.bulk_create(
            (Plan(round=the_round, owner_id=pk, status=Plan.Status.APPROVED) for pk in owners),
            batch_size=5000,
        )
        rng = random.Random(11)
        names, weights = zip(*BANDS, strict=True)
        Appraisal.objects.bulk_create(
            (
                Appraisal(
                    plan=plan,
                    status=Appraisal.Status.ASSESSED,
                    band=rng.choices(names, weights)[0],
                )
                for plan in plans
            ),
            batch_size=5000,
        )
    return agency, the_round


def _import_salaries(agency, the_round) -> None:
    from salaries.importer import ranges_import, ranges_read, salaries_import, salaries_read

    lines = ["position_type,position_level,floor,ceiling"]
    lines += [f"ทั่วไป,{level},{low},{high}" for level, (low, high) in RANGES.items()]
    report = ranges_import(table=ranges_read("\n".join(lines).encode(), filename="r.csv"), by=None)
    assert not report.errors, report.errors[:3]
    rng = random.Random(5)
    rows = ["code,salary"]
    for person in agency.individuals:
        low, high = RANGES[person["position_level"]]
        rows.append(f"{person['code']},{rng.randrange(low, high, 10)}")
    data = "\n".join(rows).encode()
    with env.debug_off():
        start, cpu = time.perf_counter(), time.process_time()
        table = salaries_read(data, filename="s.csv")
        report = salaries_import(table=table, round=the_round, by=None)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert not report.errors, report.errors[:3]
    print(
        f"import_salaries {len(rows) - 1:,} rows: {elapsed:.1f} s wall, {cpu:.1f} s CPU "
        f"({report.created:,} created)"
    )


def _cpu_ms(client, url: str, runs: int = 7) -> float:
    """Median CPU time of this process per request: the server's own work (SQLite in-process),
    which a busy machine does not stretch as it stretches wall time."""
    times = []
    with env.debug_off():
        for _ in range(runs):
            start = time.process_time()
            client.get(url)
            times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def _measure(agency) -> None:
    from django.test import Client
    from django.urls import reverse

    from kpi_portal.exporters import write_workbook
    from orgchart.models import Node
    from salaries.exports import RaiseAnnouncement
    from salaries.models import RaiseList, SalaryRecord

    hr = Node.objects.select_related("user").get(code=agency.hr["code"])
    raise_list = RaiseList.objects.select_related("round", "department").get()
    client = Client(HTTP_HOST="localhost")
    client.force_login(hr.user)
    count = SalaryRecord.objects.filter(raise_list=raise_list).count()
    url = reverse("salaries:list", kwargs={"pk": raise_list.pk})
    for label, query in (("first page", ""), ("page 100", "?page=100")):
        result = env.time_page(client, url + query)
        print(
            f"raise list {label} ({count:,} people, 100 a page) as HR: "
            f"{result['median_ms']:.1f} ms median, {result['queries']} queries, "
            f"HTTP {result['status']}, {result['bytes'] // 1024} KiB; "
            f"CPU {_cpu_ms(client, url + query):.1f} ms median"
        )
    record = SalaryRecord.objects.filter(raise_list=raise_list, percent__gt=0).first()
    preview = reverse("salaries:preview", kwargs={"pk": record.pk}) + f"?percent={record.percent}"
    result = env.time_page(client, preview)
    print(f"pool preview (htmx): {result['median_ms']:.1f} ms median, {result['queries']} queries")
    propose = reverse("salaries:propose", kwargs={"pk": record.pk})
    with env.debug_off():
        start = time.perf_counter()
        client.post(propose, {"percent": str(record.percent)})
        elapsed = (time.perf_counter() - start) * 1000
    print(f"save one percent (checks the band and the pool): {elapsed:.1f} ms")
    with env.debug_off(), tempfile.NamedTemporaryFile(suffix=".xlsx") as target:
        start, cpu = time.perf_counter(), time.process_time()
        write_workbook(RaiseAnnouncement(raise_list), target.name)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"export_raises ({count:,} rows): {elapsed:.1f} s wall, {cpu:.1f} s CPU, "
        f"peak RSS {env.max_rss_mb():.0f} MB (the whole benchmark process)"
    )


def main(people: int = PEOPLE) -> None:
    env.setup()
    print(f"== bench_salaries: {people:,} officers ==")
    start = time.perf_counter()
    agency, the_round = _build(people)
    print(f"built the agency, plans and bands in {time.perf_counter() - start:.1f} s")
    _import_salaries(agency, the_round)
    _measure(agency)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else PEOPLE)
