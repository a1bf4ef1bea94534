"""import_checkins: the service, the command and the HR page (upload, preview, confirm)."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from indicators.models import HistoryEntry, Plan
from monitoring.importer import checkins_import, checkins_read
from monitoring.models import CheckIn, Progress
from tests.factories_monitoring import live_round, watched_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(db):
    """A tracking round half-way through today (tests.factories_monitoring.live_round)."""
    return live_round()


HEADERS = ["kpi_code", "date", "value", "milestones_done", "status", "note"]
THAI = ["รหัสตัวชี้วัด", "วันที่รายงาน", "ผลการดำเนินงานถึงวันที่รายงาน", "ขั้นตอนที่สำเร็จแล้ว", "สถานะ", "หมายเหตุ"]


def csv(rows, headers=HEADERS) -> bytes:
    lines = [",".join(headers)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def xlsx(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(list(row))
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def be(date: datetime.date) -> str:
    return f"{date.day:02d}/{date.month:02d}/{date.year + 543}"


@pytest.fixture
def setup(agency, live):
    plan = watched_plan(agency.officer1, live)
    today = timezone.localdate()
    earlier = today - datetime.timedelta(days=30)
    rows = [
        ("PO1-C1", earlier.isoformat(), 5, None, None, "เดือนแรก"),
        ("PO1-C1", be(today), 12, None, None, None),  # B.E., day first
        ("PO1-P1", today.isoformat(), 80, None, "เสี่ยง", None),
        ("PO1-S1", today.isoformat(), None, 2, "", None),
    ]
    return live, plan, rows, today, earlier


def run(content: bytes, the_round, *, by=None, dry_run=False):
    return checkins_import(table=checkins_read(io.BytesIO(content)), round=the_round, by=by,
                           dry_run=dry_run)  # fmt: skip


def test_import_records_check_ins_with_suggested_or_given_status(setup):
    the_round, plan, rows, today, earlier = setup
    report = run(csv(rows), the_round)
    assert (report.created, report.updated, report.unchanged, report.errors) == (4, 0, 0, [])
    c1 = CheckIn.objects.filter(kpi__code="PO1-C1").order_by("date")
    assert [(c.date, c.value, c.status) for c in c1] == [
        (earlier, 5, "off_track"), (today, 12, "at_risk"),
    ]  # fmt: skip
    assert CheckIn.objects.get(kpi__code="PO1-P1").status == "at_risk"  # given: เสี่ยง
    assert CheckIn.objects.get(kpi__code="PO1-S1").suggested_status == "on_track"
    assert Progress.objects.get(kpi__code="PO1-C1").date == today
    assert HistoryEntry.objects.filter(plan=plan, action="checkin_import").count() == 1


def test_the_same_file_twice_changes_nothing_and_a_changed_row_updates(setup):
    the_round, _plan, rows, today, _earlier = setup
    run(xlsx(rows, THAI), the_round)
    again = run(xlsx(rows, THAI), the_round)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    rows[1] = ("PO1-C1", be(today), 20, None, None, None)
    third = run(csv(rows), the_round)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 3)
    assert CheckIn.objects.count() == 4
    assert Progress.objects.get(kpi__code="PO1-C1").status == "on_track"


def test_any_bad_row_saves_nothing_and_every_bad_row_is_reported(setup):
    the_round, _plan, rows, today, _earlier = setup
    future = (today + datetime.timedelta(days=3)).isoformat()
    bad = [
        *rows,
        ("NOPE", today.isoformat(), 1, None, None, None),
        ("PO1-C1", "31/02/2569", 1, None, None, None),
        ("PO1-C1", future, 1, None, None, None),
        ("PO1-P1", today.isoformat(), 80, None, "ดีมาก", None),
        ("PO1-S1", (today - datetime.timedelta(days=1)).isoformat(), None, None, None, None),
        ("PO1-C1", be(today), 13, None, None, None),  # same KPI and date as row 3
    ]
    report = run(csv(bad), the_round)
    assert [error.row for error in report.errors] == [6, 7, 8, 9, 10, 11]
    assert "ซ้ำกับแถวที่ 3" in report.errors[-1].message
    assert not CheckIn.objects.exists()


def test_refused_outside_tracking_and_on_a_plan_not_approved(setup, agency):
    the_round, plan, rows, _today, _earlier = setup
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.SUBMITTED)
    report = run(csv(rows), the_round)
    assert len(report.errors) == 4 and "ยังไม่ได้รับอนุมัติ" in report.errors[0].message
    the_round.status = "assessment"
    the_round.save()
    report = run(csv(rows), the_round)
    assert "เฉพาะช่วงติดตามผล" in report.errors[0].message
    assert not CheckIn.objects.exists()


def test_hr_of_another_department_cannot_import_these_kpis(setup, agency):
    the_round, _plan, rows, _today, _earlier = setup
    report = run(csv(rows), the_round, by=agency.hr_other.user)
    assert len(report.errors) == 4
    assert not CheckIn.objects.exists()


def test_the_command_with_dry_run_then_for_real(setup, tmp_path, capsys):
    the_round, _plan, rows, _today, _earlier = setup
    path = tmp_path / "checkins.csv"
    path.write_bytes(csv(rows))
    call_command("import_checkins", str(path), "--round", the_round.code, "--dry-run")
    assert not CheckIn.objects.exists()
    assert "บันทึกใหม่ 4 รายการ" in capsys.readouterr().out
    call_command("import_checkins", str(path), "--round", the_round.code)
    assert CheckIn.objects.count() == 4
    path.write_bytes(csv([("NOPE", "2026-01-01", 1, None, None, None)]))
    with pytest.raises(CommandError):
        call_command("import_checkins", str(path), "--round", the_round.code)


@pytest.fixture
def private(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


def test_hr_previews_then_confirms_on_the_page(setup, agency, client_for, private):
    the_round, _plan, rows, _today, _earlier = setup
    client = client_for(agency.hr)
    file = io.BytesIO(xlsx(rows))
    file.name = "checkins.xlsx"
    response = client.post(reverse("monitoring:import"), {"round": the_round.pk, "file": file})
    assert response.status_code == 200
    assert 'id="count-created">4<' in response.content.decode()
    assert not CheckIn.objects.exists()
    response = client.post(reverse("monitoring:import_confirm"), {"action": "confirm"})
    assert response.status_code == 302
    assert CheckIn.objects.count() == 4


@pytest.mark.parametrize("who", ["officer1", "grp_head"])
def test_only_hr_may_import(agency, live, client_for, who):
    client = client_for(getattr(agency, who))
    assert client.get(reverse("monitoring:import")).status_code == 403
    assert client.post(reverse("monitoring:import_confirm")).status_code == 403


def test_rows_are_kept_compact_with_their_raw_text(setup):
    """read_table(keep=...) holds a compact record per row, not two dicts."""
    _round, _plan, rows, _today, _earlier = setup
    table = checkins_read(io.BytesIO(csv([*rows, ("PO1-C1", "วันหนึ่ง", 1, None, None, None)])))
    assert not hasattr(table.rows[0], "__dict__")
    assert table.rows[0].value("kpi_code") == "PO1-C1"
    assert table.rows[-1].raw_of("date") == "วันหนึ่ง"
