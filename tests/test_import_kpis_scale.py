"""The KPI import built for a ministry's 1,000,000 rows (issue 13).

Rows are compacted as the file is read, owners are written chunk by chunk
inside one transaction (an error in the last chunk still undoes the first),
a re-import's query count does not grow with the number of plans, and a
page lists the first errors of a file with very many and counts the rest.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import import_plans
from indicators.import_checks import ImportRow
from indicators.importer import kpis_read
from indicators.models import KPI, KRA, HistoryEntry, Plan
from kpi_portal import import_flow
from kpi_portal.models import Job
from tests.test_import_kpis import row, run, write_csv
from tests.test_import_kpis_page import _upload


def test_the_reader_keeps_compact_rows_not_parsed_dictionaries(agency, tmp_path):
    table = kpis_read(write_csv(tmp_path, [row("P-O1", "O1-1"), row("P-O2", "O2-1")]))

    assert [type(kept) for kept in table.rows] == [ImportRow, ImportRow]
    assert [(kept.number, kept.owner, kept.code) for kept in table.rows] == [
        (2, "P-O1", "O1-1"),
        (3, "P-O2", "O2-1"),
    ]


def test_an_error_in_the_last_chunk_undoes_the_chunks_already_written(
    agency, the_round, tmp_path, monkeypatch
):
    monkeypatch.setattr(import_plans, "OWNERS_PER_CHUNK", 1)
    saved = []
    save = import_plans.PlanPass._save

    def spy(self, work):
        saved.append([built.plan.owner_id for built in work])
        save(self, work)

    monkeypatch.setattr(import_plans.PlanPass, "_save", spy)
    rows = [row("P-O1", "O1-1"), row("P-O2", "O2-1"), row("P-O3", "O3-1", weight=90)]

    report = run(write_csv(tmp_path, rows), the_round)

    assert len(saved) == 2  # the first two owners were written, each in its own chunk
    assert [(error.row, error.value) for error in report.errors] == [(4, "90")]
    assert "P-O3" in report.errors[0].message
    assert not Plan.objects.exists()
    assert not KRA.objects.exists() and not KPI.objects.exists()
    assert not HistoryEntry.objects.exists()


def _reimport_queries(agency, the_round, tmp_path, owners) -> int:
    rows = [row(owner.code, f"{owner.code}-K1") for owner in owners]
    assert run(write_csv(tmp_path, rows, name="first.csv"), the_round).ok
    changed = [row(owner.code, f"{owner.code}-K1", name="ชื่อใหม่") for owner in owners]
    path = write_csv(tmp_path, changed, name="changed.csv")
    with CaptureQueriesContext(connection) as queries:
        report = run(path, the_round)
    assert report.ok and report.updated == len(owners), report.errors
    return len(queries)


def test_a_reimport_costs_the_same_queries_for_more_plans(agency, the_round, tmp_path):
    two = _reimport_queries(agency, the_round, tmp_path, [agency.officer1, agency.officer2])
    KPI.objects.all().delete()
    HistoryEntry.objects.all().delete()
    KRA.objects.all().delete()
    Plan.objects.all().delete()
    owners = [agency.officer1, agency.officer2, agency.officer3, agency.grp_head]
    four = _reimport_queries(agency, the_round, tmp_path, owners)

    assert four == two


BAD = [row("NOBODY", f"X-{number}") for number in range(5)]


@pytest.fixture
def shown_errors(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(import_flow, "MAX_SHOWN_ERRORS", 2)
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def test_a_page_lists_the_first_errors_and_counts_the_rest(
    agency, the_round, client_for, tmp_path, shown_errors
):
    response = client_for(agency.hr).post(
        reverse("indicators:import"),
        {"round": the_round.pk, "file": _upload(write_csv(tmp_path, BAD))},
    )

    page = response.content.decode()
    assert "พบข้อผิดพลาด 5 รายการ แสดง 2 รายการแรกตามลำดับแถว" in page
    table = page.split('id="import-errors"')[1]
    assert table.count("NOBODY") == 2 and "X-" not in table
    assert not KPI.objects.exists()


def test_a_background_check_stores_only_the_errors_shown(
    agency, the_round, client_for, tmp_path, settings, shown_errors
):
    settings.IMPORT_BACKGROUND_BYTES = 0
    client = client_for(agency.hr)

    page = client.post(
        reverse("indicators:import"),
        {"round": the_round.pk, "file": _upload(write_csv(tmp_path, BAD))},
        follow=True,
    )

    assert "พบข้อผิดพลาด 5 รายการ แสดง 2 รายการแรกตามลำดับแถว" in page.content.decode()
    job = Job.objects.get(kind="indicators.kpi_import")
    stored = json.loads(job.result_path.read_text("utf-8"))
    assert [error["row"] for error in stored["errors"]] == [2, 3]
    assert len(stored["report"]["errors"]) == 2 and stored["errors_more"] == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics")
def test_a_large_import_leaves_fresh_statistics_for_the_planner(
    agency, the_round, tmp_path, monkeypatch
):
    from kpi_portal import statistics

    monkeypatch.setattr(statistics, "ANALYZE_ROWS", 2)
    rows = [row("P-O1", "O1-1", weight=60), row("P-O1", "O1-2", weight=40), row("P-O2", "O2-1")]

    assert run(write_csv(tmp_path, rows), the_round).ok

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [KPI._meta.db_table])
        assert cursor.fetchone()[0] == 3
