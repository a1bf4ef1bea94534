"""Benchmark: the round report of a 20,000-officer agency (100,000 KPIs with results).

    DEBUG=1 .venv/bin/python -m bench.bench_export [PEOPLE] [--reuse]

Builds the generated agency (bench.generate) with 5 KPIs each, results, and
assessed appraisals straight into a throwaway database (bulk_create), then
measures three ways of writing the same report, each in a fresh child process
so one's memory does not hide another's:

- `export`: `RoundReport` through `kpi_portal.exporters.write_workbook`;
- `plain`: the same streaming queries and cells (values, number formats) written
  by a bare xlsxwriter constant_memory loop;
- `import_export`: django-import-export's default ModelResource export of the
  KPI rows, then `.xlsx`.

Each prints wall and CPU time, the process's peak RSS, and the Python heap
peak (tracemalloc, in a second pass). Export and plain are timed three
times, alternating, and compared on their best CPU time, since other
processes share the machine. Goals: export within 1.3x of plain, under 150 MB.
Run alone it uses bench/out/bench_export.sqlite3, so it never empties the
database another benchmark is using; DATABASE_URL picks another.
"""

import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

from bench import env

PEOPLE = 20_000
KPIS_PER_PERSON = 5
ROUND = (2569, 1)
BATCH = 5_000
WAYS = ("export", "plain", "import_export")


# Building the data ---------------------------------------------------------


def _round():
    from appraisals.policy import policy_for
    from indicators.models import Round

    start, end = Round.default_dates(*ROUND)
    the_round, _created = Round.objects.get_or_create(
        fiscal_year=ROUND[0],
        number=ROUND[1],
        defaults={"start": start, "end": end, "status": Round.Status.ASSESSMENT},
    )
    policy_for(the_round)
    return the_round


def build(people: int) -> None:
    """The agency, its approved plans, KPIs, results and assessed appraisals (bulk)."""
    from appraisals.models import Appraisal
    from appraisals.scoring import appraisal_total, rating_band
    from bench.generate import build_in_db, make_agency
    from bench.plans import bulk_plans

    env.fresh_database()
    start = time.perf_counter()
    agency = make_agency(people=people)
    with env.debug_off():
        build_in_db(agency)
        the_round = _round()
        _plans, kpis = bulk_plans(agency, the_round, kpis_per_person=KPIS_PER_PERSON, results=True)
        # bulk_plans leaves the appraisals open: assess them all, as the report expects.
        rng = random.Random(7)
        appraisals = list(Appraisal.objects.filter(plan__round=the_round))
        for appraisal in appraisals:
            appraisal.competency = Decimal(rng.choice((67, 80, 93, 100)))
            appraisal.total = appraisal_total(appraisal.achievement, appraisal.competency)
            appraisal.band = rating_band(appraisal.total) or ""
            appraisal.status = Appraisal.Status.ASSESSED
        Appraisal.objects.bulk_update(
            appraisals, ["competency", "total", "band", "status"], batch_size=BATCH
        )
    print(
        f"built {people:,} officers, {kpis:,} KPIs with results, "
        f"{len(appraisals):,} appraisals in {time.perf_counter() - start:.0f} s"
    )


# The three ways of writing -------------------------------------------------


def write_export(path: Path) -> int:
    from appraisals.reports import RoundReport
    from kpi_portal.exporters import write_workbook

    write_workbook(RoundReport(_round(), None), path)
    return path.stat().st_size


def write_plain(path: Path) -> int:
    """The same streaming queries and cells (values and number formats), bare xlsxwriter."""
    import xlsxwriter

    from appraisals.reports import RoundReport
    from kpi_portal.exporters import FORMATS

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    number_formats = {
        hint: workbook.add_format({"num_format": code}) if code else None
        for hint, code in FORMATS.items()
    }
    for sheet in RoundReport(_round(), None).sheets():
        worksheet = workbook.add_worksheet(sheet.name)
        worksheet.write_row(0, 0, sheet.headers)
        formats = [number_formats[hint] for hint in sheet.formats]
        for number, row in enumerate(sheet.rows, start=1):
            for column, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    worksheet.write_string(number, column, value)
                else:
                    worksheet.write_number(number, column, float(value), formats[column])
    workbook.close()
    return path.stat().st_size


def write_import_export(path: Path) -> int:
    from import_export.resources import modelresource_factory

    from indicators.models import KPI

    queryset = KPI.objects.filter(round=_round()).order_by("plan__owner__lft", "order", "pk")
    dataset = modelresource_factory(KPI)().export(queryset)
    path.write_bytes(dataset.xlsx)
    return path.stat().st_size


def measure(way: str, *, heap: bool = True) -> dict:
    """One way, timed (wall and CPU) with the peak RSS; then again under tracemalloc."""
    target = {"export": write_export, "plain": write_plain, "import_export": write_import_export}
    path = env.OUT / f"report-{way}.xlsx"
    figures = {"way": way}
    with env.debug_off():
        start, cpu = time.perf_counter(), time.process_time()
        figures["bytes"] = target[way](path)
        figures["seconds"] = time.perf_counter() - start
        figures["cpu"] = time.process_time() - cpu
        # Read before tracemalloc runs: its own bookkeeping would inflate the RSS.
        figures["rss_mb"] = env.max_rss_mb()
        if heap:
            tracemalloc.start()
            target[way](path)
            figures["heap_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    return figures


def _child(way: str, *, heap: bool = True) -> dict:
    command = [sys.executable, "-m", "bench.bench_export", "--measure", way]
    if not heap:
        command.append("--no-heap")
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ)
    if done.returncode != 0:
        raise RuntimeError(f"{way} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(people: int = PEOPLE, *, reuse: bool = False) -> None:
    env.setup()
    from indicators.models import KPI

    print(f"== bench_export: {people:,} officers x {KPIS_PER_PERSON} KPIs ==")
    if not (reuse and KPI.objects.count() == people * KPIS_PER_PERSON):
        build(people)
    figures = {}
    for way in WAYS:
        f = figures[way] = _child(way)
        print(
            f"{way:>14}: {f['seconds']:6.1f} s ({f['cpu']:6.1f} s CPU), "
            f"heap peak {f['heap_mb']:6.1f} MB, peak RSS {f['rss_mb']:6.1f} MB, "
            f"{f['bytes'] / 2**20:5.1f} MB file",
            flush=True,
        )
    # Other processes share the machine: time export and plain once more each,
    # alternating, and compare the best CPU times.
    best = {way: figures[way]["cpu"] for way in ("export", "plain")}
    for _again in range(2):
        for way in ("export", "plain"):
            best[way] = min(best[way], _child(way, heap=False)["cpu"])
    ratio = best["export"] / best["plain"]
    rss = figures["export"]["rss_mb"]
    print(
        f"best CPU: export {best['export']:.1f} s, plain {best['plain']:.1f} s; "
        f"export / plain {ratio:.2f}x (goal <= 1.3x: {'ok' if ratio <= 1.3 else 'OVER'}); "
        f"export peak RSS {rss:.0f} MB (goal < 150 MB: {'ok' if rss < 150 else 'OVER'})"
    )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    # Alone, use a database of its own so another benchmark's data is never emptied.
    env.OUT.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{env.OUT / 'bench_export.sqlite3'}")
    if arguments[:1] == ["--measure"]:
        env.setup()
        print(json.dumps(measure(arguments[1], heap="--no-heap" not in arguments)))
    else:
        numbers = [a for a in arguments if a.isdigit()]
        main(int(numbers[0]) if numbers else PEOPLE, reuse="--reuse" in arguments)
