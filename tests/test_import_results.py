"""import_results: the service, the command and the HR page (upload, preview, confirm)."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from appraisals.importer import results_import, results_read
from appraisals.models import Appraisal, Result
from indicators.models import HistoryEntry, Plan, Round
from kpi_portal.tabular import TableError
from tests.factories_reports import (
    make_appraisal,
    make_kpi,
    make_kra,
    make_plan,
    make_round,
    record,
)

ENGLISH = ["kpi_code", "actual", "milestones_done", "note"]
THAI = ["รหัสตัวชี้วัด", "ผลการดำเนินงาน", "ขั้นตอนที่สำเร็จ", "หมายเหตุ"]


def xlsx(rows, headers=ENGLISH) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def csv(rows, headers=ENGLISH) -> bytes:
    lines = [",".join(headers)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


@pytest.fixture
def setup(agency):
    """A tracking round: officer1 holds the worked example's three KPIs, without results."""
    the_round = make_round(status=Round.Status.TRACKING)
    plan = make_plan(agency.officer1, the_round)
    kra = make_kra(plan)
    kpis = {
        "K1": make_kpi(kra, "K1", weight=40, order=1),
        "K2": make_kpi(kra, "K2", scale="lower", weight=35, order=2),
        "K3": make_kpi(kra, "K3", scale="milestone", weight=25, order=3),
    }
    return the_round, plan, kpis


GOOD = [("K1", 77, None, "รายงานไตรมาส"), ("K2", 27, None, None), ("K3", None, 5, None)]


def run(data, the_round, by=None, dry_run=False, filename="results.xlsx"):
    return results_import(
        table=results_read(data, filename=filename), round=the_round, by=by, dry_run=dry_run
    )


def errors_of(report):
    return [(e.row, e.column, e.value, e.message) for e in report.errors]


def test_good_file_records_results_with_their_levels_and_scores(agency, setup):
    the_round, plan, _kpis = setup
    report = run(xlsx(GOOD), the_round, by=agency.hr.user)
    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    results = {r.kpi.code: r for r in Result.objects.select_related("kpi")}
    assert results["K1"].actual == Decimal("77")
    assert results["K1"].note == "รายงานไตรมาส"
    assert results["K3"].milestones_done == 5
    assert [(results[c].level, results[c].score) for c in ("K1", "K2", "K3")] == [
        (3, Decimal("3.0000")), (3, Decimal("3.0000")), (5, Decimal("5.0000")),
    ]  # fmt: skip
    assert Appraisal.objects.get(plan=plan).achievement == Decimal("70.00")
    assert results["K1"].updated_by == agency.hr.user
    assert HistoryEntry.objects.filter(plan=plan, action="result_import").count() == 3


def test_every_bad_row_is_reported_and_nothing_is_saved(agency, setup):
    the_round, _plan, _kpis = setup
    draft = make_plan(agency.officer2, the_round, status=Plan.Status.DRAFT)
    make_kpi(make_kra(draft), "DRAFT-1")
    make_kpi(make_kra(make_plan(agency.officer3, the_round)), "O3-1")
    rows = [
        ("K1", 77, None, None),  # good
        ("NOPE", 1, None, None),
        ("K2", "มาก", None, None),
        ("K3", None, 7, None),
        ("K1", 80, None, None),  # twice in the file
        ("DRAFT-1", 50, None, None),
        ("O3-1", None, None, "ลืมกรอก"),
    ]
    report = run(xlsx(rows), the_round, by=agency.hr.user)
    rows_with_errors = [error.row for error in report.errors]
    assert rows_with_errors == [3, 4, 5, 6, 7, 8]
    messages = dict((e.row, e.message) for e in report.errors)
    assert messages[3] == "ไม่พบตัวชี้วัดรหัสนี้ในรอบ 2569/1"
    assert messages[4] == "ต้องเป็นตัวเลข"
    assert "0 ถึง 5" in messages[5]
    assert messages[6] == "รหัสตัวชี้วัดซ้ำกับแถวที่ 2"
    assert "ยังไม่ได้รับอนุมัติ" in messages[7]
    assert "ต้องระบุผลการดำเนินงาน" in messages[8]
    assert report.errors[1].column == "ผลการดำเนินงาน"
    assert report.errors[1].value == "มาก"
    assert Result.objects.count() == 0
    assert not HistoryEntry.objects.filter(action="result_import").exists()


def test_a_closed_round_takes_no_results(agency, setup):
    the_round, _plan, _kpis = setup
    Round.objects.filter(pk=the_round.pk).update(status=Round.Status.CLOSED)
    for dry_run in (True, False):
        report = run(xlsx(GOOD), the_round, dry_run=dry_run)
        assert not report.ok
        assert "ปิดแล้ว" in report.errors[0].message or "ช่วงติดตามผล" in report.errors[0].message
    assert Result.objects.count() == 0


def test_a_round_in_planning_takes_no_results(agency, setup):
    the_round, _plan, _kpis = setup
    Round.objects.filter(pk=the_round.pk).update(status=Round.Status.PLANNING)
    report = run(xlsx(GOOD), the_round)
    assert "บันทึกผลได้เฉพาะช่วงติดตามผลและช่วงประเมินผล" in report.errors[0].message
    assert Result.objects.count() == 0


def test_a_kpi_of_another_round_is_a_row_error(agency, setup):
    the_round, _plan, _kpis = setup
    earlier = make_round(fiscal_year=2568, number=2)
    make_kpi(make_kra(make_plan(agency.officer2, earlier)), "OLD-1")
    report = run(xlsx([*GOOD, ("OLD-1", 70, None, None)]), the_round)
    assert errors_of(report) == [(5, "รหัสตัวชี้วัด", "OLD-1", "ไม่พบตัวชี้วัดรหัสนี้ในรอบ 2569/1")]
    assert Result.objects.count() == 0


def test_hr_cannot_import_results_of_another_department(agency, setup):
    the_round, _plan, _kpis = setup
    make_kpi(make_kra(make_plan(agency.outsider, the_round)), "X-1")
    report = run(xlsx([*GOOD, ("X-1", 70, None, None)]), the_round, by=agency.hr.user)
    assert errors_of(report) == [(5, "รหัสตัวชี้วัด", "X-1", "ตัวชี้วัดนี้อยู่นอกส่วนราชการของคุณ")]
    assert Result.objects.count() == 0
    # The command line (an administrator-level run) may.
    assert run(xlsx([*GOOD, ("X-1", 70, None, None)]), the_round).ok


def test_results_of_an_assessed_appraisal_cannot_change(agency, setup):
    the_round, plan, kpis = setup
    record(kpis["K1"], 70)
    make_appraisal(plan, status=Appraisal.Status.ASSESSED)
    report = run(xlsx(GOOD), the_round)
    assert [e.row for e in report.errors] == [2, 3, 4]
    assert "ผู้ประเมินให้คะแนนแผนนี้แล้ว" in report.errors[0].message
    assert Result.objects.get(kpi=kpis["K1"]).actual == Decimal("70")


def test_a_milestone_count_must_be_whole(agency, setup):
    the_round, _plan, _kpis = setup
    report = run(xlsx([("K3", None, 2.5, None)]), the_round)
    assert errors_of(report) == [(2, "ขั้นตอนที่สำเร็จ", "2.5", "ต้องเป็นจำนวนเต็ม")]


def test_thai_headers_thai_digits_and_a_bom_csv_are_read(agency, setup):
    the_round, _plan, _kpis = setup
    rows = [("K1", "๗๗", None, "ไตรมาส ๒"), ("K2", "27", None, None), ("K3", None, "๕", None)]
    report = run(csv(rows, THAI), the_round, filename="ผล.csv")
    assert report.ok, errors_of(report)
    assert Result.objects.get(kpi__code="K1").actual == Decimal("77")
    assert Result.objects.get(kpi__code="K3").milestones_done == 5


def test_a_missing_required_column_is_one_clear_error(agency, setup):
    the_round, _plan, _kpis = setup
    with pytest.raises(TableError, match="รหัสตัวชี้วัด"):
        run(xlsx([("77",)], headers=["actual"]), the_round)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(agency, setup):
    the_round, _plan, _kpis = setup
    assert run(xlsx(GOOD), the_round).created == 3
    history = HistoryEntry.objects.count()
    versions = list(Result.objects.order_by("pk").values_list("version", "updated_at"))
    report = run(xlsx(GOOD), the_round)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert HistoryEntry.objects.count() == history
    assert list(Result.objects.order_by("pk").values_list("version", "updated_at")) == versions


def test_a_changed_result_is_updated_and_rescored(agency, setup):
    the_round, plan, _kpis = setup
    run(xlsx(GOOD), the_round)
    report = run(xlsx([("K1", 88, None, None)]), the_round)
    assert (report.created, report.updated) == (0, 1)
    result = Result.objects.get(kpi__code="K1")
    assert (result.level, result.score, result.note) == (5, Decimal("5.0000"), "รายงานไตรมาส")
    assert Appraisal.objects.get(plan=plan).achievement == Decimal("86.00")


def test_dry_run_checks_everything_and_saves_nothing(agency, setup):
    the_round, _plan, _kpis = setup
    report = run(xlsx(GOOD), the_round, dry_run=True)
    assert report.ok and report.created == 3
    assert [change.kpi_code for change in report.changes] == ["K1", "K2", "K3"]
    assert Result.objects.count() == 0


# The command ---------------------------------------------------------------


def test_import_results_command_saves_a_good_file(agency, setup, tmp_path):
    path = tmp_path / "results.xlsx"
    path.write_bytes(xlsx(GOOD))
    output = io.StringIO()
    call_command("import_results", str(path), "--round", "2569/1", stdout=output)
    assert "บันทึกใหม่ 3 รายการ" in output.getvalue()
    assert Result.objects.count() == 3


def test_import_results_command_lists_every_bad_row_and_fails(agency, setup, tmp_path):
    path = tmp_path / "results.csv"
    path.write_bytes(csv([("K1", "x", None, None), ("NOPE", 1, None, None)]))
    errors = io.StringIO()
    with pytest.raises(CommandError, match="พบข้อผิดพลาด 2 รายการ"):
        call_command("import_results", str(path), "--round", "2569/1", stderr=errors)
    assert "แถว 2" in errors.getvalue() and "แถว 3" in errors.getvalue()
    assert Result.objects.count() == 0


def test_import_results_command_dry_run_saves_nothing(agency, setup, tmp_path):
    path = tmp_path / "results.xlsx"
    path.write_bytes(xlsx(GOOD))
    output = io.StringIO()
    call_command("import_results", str(path), "--round", "2569/1", "--dry-run", stdout=output)
    assert "ยังไม่ได้บันทึก" in output.getvalue()
    assert Result.objects.count() == 0


def test_import_results_command_refuses_an_unknown_round(agency, setup, tmp_path):
    path = tmp_path / "results.xlsx"
    path.write_bytes(xlsx(GOOD))
    with pytest.raises(CommandError, match="ไม่พบรอบการประเมิน 2570/1"):
        call_command("import_results", str(path), "--round", "2570/1")


# The page ------------------------------------------------------------------


@pytest.fixture
def private(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, the_round, content, name="results.xlsx"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("appraisals:import"), {"round": the_round.pk, "file": file})


@pytest.mark.parametrize("who", ["officer1", "grp_head", "dept_head"])
def test_only_hr_may_import_results(agency, setup, client_for, who):
    client = client_for(getattr(agency, who))
    assert client.get(reverse("appraisals:import")).status_code == 403
    assert client.post(reverse("appraisals:import_confirm")).status_code == 403


def test_hr_previews_then_confirms_an_import(agency, setup, client_for, private):
    the_round, _plan, _kpis = setup
    client = client_for(agency.hr)
    response = upload(client, the_round, xlsx(GOOD))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="count-created">3<' in page
    assert "ยืนยันการนำเข้า" in page
    assert len(list((private / "uploads").iterdir())) == 1
    assert Result.objects.count() == 0
    response = client.post(reverse("appraisals:import_confirm"), {"action": "confirm"})
    assert response.status_code == 302
    assert Result.objects.count() == 3
    assert list((private / "uploads").iterdir()) == []
    follow = client.get(response["Location"])
    assert "บันทึกใหม่ 3 รายการ" in follow.content.decode()


def test_preview_lists_every_bad_row_and_offers_no_confirm(agency, setup, client_for, private):
    the_round, _plan, _kpis = setup
    client = client_for(agency.hr)
    rows = [("K1", "abc", None, None), ("K3", None, 9, None), ("NOPE", 1, None, None)]
    page = upload(client, the_round, xlsx(rows)).content.decode()
    assert "พบข้อผิดพลาด 3 รายการ" in page
    assert page.count('<tr><td class="text-end">') == 3
    assert "ยืนยันการนำเข้า" not in page
    assert list((private / "uploads").iterdir()) == []
    response = client.post(reverse("appraisals:import_confirm"), {"action": "confirm"})
    assert response.status_code == 302
    assert Result.objects.count() == 0


def test_a_damaged_file_is_refused_with_a_message(agency, setup, client_for, private):
    the_round, _plan, _kpis = setup
    response = upload(client_for(agency.hr), the_round, b"PK\x03\x04 broken", "results.xlsx")
    assert response.status_code == 200
    assert "ไฟล์นี้ไม่ใช่ไฟล์ Excel (.xlsx) ที่ถูกต้อง" in response.content.decode()
    assert Result.objects.count() == 0


def test_confirm_is_refused_when_the_plan_changed_since_the_preview(
    agency, setup, client_for, private
):
    the_round, plan, _kpis = setup
    client = client_for(agency.hr)
    upload(client, the_round, xlsx(GOOD))
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.DRAFT)  # reopened meanwhile
    response = client.post(reverse("appraisals:import_confirm"), {"action": "confirm"})
    assert response.status_code == 200
    assert "นำเข้าไม่สำเร็จ" in response.content.decode()
    assert Result.objects.count() == 0


def test_a_value_in_the_other_scales_column_is_a_row_error(agency, setup):
    the_round, _plan, _kpis = setup
    report = run(xlsx([("K1", 77, 3, None), ("K3", 4, 4, None)]), the_round)
    assert errors_of(report) == [
        (2, "ขั้นตอนที่สำเร็จ", "3", "ตัวชี้วัดนี้วัดเป็นตัวเลข ให้ระบุผลการดำเนินงาน"),
        (3, "ผลการดำเนินงาน", "4", "ตัวชี้วัดนี้วัดเป็นขั้นตอนความสำเร็จ ให้ระบุจำนวนขั้นตอนที่สำเร็จ"),
    ]
    assert Result.objects.count() == 0
