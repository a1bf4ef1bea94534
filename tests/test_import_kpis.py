"""KPI import (FORMATS.md "KPI plans"): the service and the command."""

import csv
from decimal import Decimal
from io import StringIO

import pytest
import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.importer import kpis_import, kpis_read
from indicators.models import KPI, KRA, HistoryEntry, Plan, Round
from tests.factories_cascade import make_kpi, make_plan

HEADER = [
    "owner_code",
    "job",
    "kra",
    "kpi_code",
    "kpi",
    "unit",
    "scale",
    "level_1",
    "level_2",
    "level_3",
    "level_4",
    "level_5",
    "weight",
    "parent_kpi_code",
    "cascade",
    "category",
    "method",
]
THAI_HEADER = [
    "รหัสผู้รับผิดชอบ",
    "งาน/โครงการ",
    "ผลสัมฤทธิ์หลัก",
    "รหัสตัวชี้วัด",
    "ตัวชี้วัด",
    "หน่วยนับ",
    "เกณฑ์",
    "ระดับ 1",
    "ระดับ 2",
    "ระดับ 3",
    "ระดับ 4",
    "ระดับ 5",
    "น้ำหนัก",
    "รหัสตัวชี้วัดต้นทาง",
    "วิธีถ่ายทอด",
    "มิติ",
    "วิธีการประเมิน",
]


def row(
    owner,
    code,
    *,
    job="งานบริการ",
    kra="บริการรวดเร็ว",
    name="จำนวนเรื่องที่แล้วเสร็จ",
    unit="เรื่อง",
    scale="มากดี",
    levels=(10, 20, 30, 40, 50),
    weight=100,
    parent="",
    cascade="",
    category="ปริมาณ",
    method="นับจากระบบสารบรรณ",
):
    return [
        owner,
        job,
        kra,
        code,
        name,
        unit,
        scale,
        *levels,
        weight,
        parent,
        cascade,
        category,
        method,
    ]


def write_csv(tmp_path, rows, header=HEADER, name="kpis.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(["" if value is None else value for value in r] for r in rows)
    return path


def run(path, the_round, *, by=None, dry_run=False, approve=False):
    return kpis_import(
        table=kpis_read(path), round=the_round, by=by, dry_run=dry_run, approve=approve
    )


GOOD = [
    row("P-O1", "O1-1", weight=60),
    row(
        "P-O1",
        "O1-2",
        name="ระยะเวลาตอบหนังสือ",
        unit="วัน",
        scale="น้อยดี",
        levels=("", 7, 5, 3, 2),
        weight=40,
        kra="ตอบเร็ว",
        category="เวลา",
    ),
    row(
        "P-O2",
        "O2-1",
        scale="ขั้นตอน",
        unit="",
        levels=("ร่าง", "ตรวจ", "แก้ไข", "เสนอ", "ลงนาม"),
        category="คุณภาพ",
    ),
]


def test_good_file_creates_plans_kras_kpis_levels_and_weights(agency, the_round, tmp_path):
    report = run(write_csv(tmp_path, GOOD), the_round)

    assert report.ok, report.errors
    assert (report.created, report.updated, report.plans_created) == (3, 0, 2)
    plan = Plan.objects.get(owner=agency.officer1, round=the_round)
    assert plan.status == Plan.Status.DRAFT
    assert sorted(plan.kras.values_list("name", flat=True)) == ["ตอบเร็ว", "บริการรวดเร็ว"]
    first = KPI.objects.get(code="O1-1")
    assert (first.scale, first.levels, first.weight, first.unit, first.category) == (
        "higher",
        (10, 20, 30, 40, 50),
        60,
        "เรื่อง",
        "quantity",
    )
    assert KPI.objects.get(code="O1-2").levels == (None, 7, 5, 3, 2)
    milestone = KPI.objects.get(code="O2-1")
    assert milestone.levels == ("ร่าง", "ตรวจ", "แก้ไข", "เสนอ", "ลงนาม")
    assert milestone.level_1 is None
    entry = HistoryEntry.objects.get(plan=plan, action="kpi_import")
    assert entry.by is None and "O1-1" in entry.changes


def test_thai_headers_import_the_same_as_english_ones(agency, the_round, tmp_path):
    report = run(write_csv(tmp_path, GOOD, THAI_HEADER), the_round)
    assert report.ok, report.errors
    assert KPI.objects.count() == 3


def test_headers_ignore_case_spaces_and_required_marks(agency, the_round, tmp_path):
    header = [f" {title.upper()}* " for title in HEADER]
    assert run(write_csv(tmp_path, GOOD, header), the_round).ok


def test_bad_rows_save_nothing_and_every_bad_row_is_reported(agency, the_round, tmp_path):
    make_kpi(
        make_plan(agency.grp_head, the_round), "G-PCT", unit="ร้อยละ", levels=(60, 70, 80, 90, 95)
    )
    make_kpi(make_plan(agency.div_head, the_round), "D-SUM", levels=(100, 200, 300, 400, 500))
    rows = [
        row("P-O1", "A1", weight=60),
        row("P-O1", "A2", weight=30),  # row 3: weights add up to 90 (reported on row 2)
        row("P-O2", "B1", levels=(10, 20, 15, 40, 50)),  # row 4: bad levels
        row("NOBODY", "C1"),  # row 5: unknown owner
        row("P-O3", "B1"),  # row 6: duplicate code
        row(
            "P-SH",
            "E1",
            unit="ร้อยละ",
            levels=(60, 70, 80, 90, 95),
            parent="G-PCT",
            cascade="แบ่งค่าเป้าหมาย",
        ),  # row 7: percentage split
        row("P-GH", "F1", levels=(50, 100, 150, 200, 250), parent="D-SUM", cascade="split"),
        row("P-O3", "F2", levels=(40, 90, 140, 190, 240), parent="D-SUM", cascade="split"),
    ]
    report = run(write_csv(tmp_path, rows), the_round)

    assert not report.ok
    by_row = {}
    for error in report.errors:
        by_row.setdefault(error.row, []).append(error)
    assert any("น้ำหนักรวม" in e.message and e.value == "90" for e in by_row[2])
    assert any(e.column == "ระดับ 3" for e in by_row[4])
    assert by_row[5][0].column == "รหัสผู้รับผิดชอบ" and by_row[5][0].value == "NOBODY"
    assert any("ซ้ำกับแถวที่ 4" in e.message for e in by_row[6])
    assert any("ร้อยละ" in e.message for e in by_row[7])
    assert any("ระดับ 1" in e.message and "ขาดอีก 10" in e.message for e in by_row[8])
    assert 9 in by_row
    assert not KPI.objects.filter(code__in=["A1", "A2", "B1", "F1"]).exists()
    assert not Plan.objects.filter(owner__in=[agency.officer1, agency.officer2]).exists()


def test_a_split_is_checked_against_the_split_children_already_in_the_round(
    agency, the_round, tmp_path
):
    parent = make_kpi(make_plan(agency.grp_head, the_round), "G1")
    child = make_kpi(make_plan(agency.officer1, the_round), "G1-A", levels=(5, 10, 15, 20, 25))
    KPI.objects.filter(pk=child.pk).update(parent=parent, cascade="split")
    short = [row("P-O2", "G1-B", levels=(4, 10, 15, 20, 25), parent="G1", cascade="split")]
    report = run(write_csv(tmp_path, short), the_round)
    assert [e.row for e in report.errors] == [2]
    assert "ระดับ 1" in report.errors[0].message and "ขาดอีก 1" in report.errors[0].message
    enough = [row("P-O2", "G1-B", levels=(5, 10, 15, 20, 25), parent="G1", cascade="split")]
    assert run(write_csv(tmp_path, enough), the_round).ok


def test_cascade_method_is_required_with_a_parent(agency, the_round, tmp_path):
    rows = [row("P-GH", "G1"), row("P-O1", "G1-A", parent="G1")]
    report = run(write_csv(tmp_path, rows), the_round)
    assert [(e.row, e.column) for e in report.errors] == [(3, "วิธีถ่ายทอด")]


def test_unknown_parent_is_reported(agency, the_round, tmp_path):
    report = run(
        write_csv(tmp_path, [row("P-O1", "A1", parent="NOPE", cascade="direct")]), the_round
    )
    assert [(e.row, e.column, e.value) for e in report.errors] == [(2, "รหัสตัวชี้วัดต้นทาง", "NOPE")]


def test_parents_and_children_in_one_file_are_linked(agency, the_round, tmp_path):
    rows = [
        row("P-O1", "G1-A", parent="G1", cascade="ถ่ายทอดโดยตรง"),  # child before its parent
        row("P-GH", "G1"),
        row("P-O2", "G1-B", levels=(5, 10, 15, 20, 25), parent="G1", cascade="split"),
        row("P-O3", "G1-C", levels=(5, 10, 15, 20, 25), parent="G1", cascade="split"),
    ]
    report = run(write_csv(tmp_path, rows), the_round)
    assert report.ok, report.errors
    parent = KPI.objects.get(code="G1")
    assert KPI.objects.get(code="G1-A").parent == parent
    assert KPI.objects.get(code="G1-A").cascade == "direct"
    assert set(parent.cascaded.values_list("code", flat=True)) == {"G1-A", "G1-B", "G1-C"}


def test_a_code_of_another_owner_is_refused(agency, the_round, tmp_path):
    make_kpi(make_plan(agency.officer2, the_round), "TAKEN")
    report = run(write_csv(tmp_path, [row("P-O1", "TAKEN")]), the_round)
    assert "ผู้รับผิดชอบรายอื่น" in report.errors[0].message


def test_percentage_formatted_cells_read_as_the_percentage_shown(agency, the_round, tmp_path):
    path = tmp_path / "kpis.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    percent = workbook.add_format({"num_format": "0%"})
    sheet.write_row(0, 0, HEADER)
    for number, (code, weight) in enumerate((("A1", 0.3), ("A2", 0.7)), start=1):
        sheet.write_row(number, 0, row("P-O1", code, weight=0))
        sheet.write_number(number, 7, 0.1, percent)  # level 1 shown as 10%
        sheet.write_number(number, 12, weight, percent)
    workbook.close()
    report = run(path, the_round)
    assert report.ok, report.errors
    assert KPI.objects.get(code="A1").weight == 30 and KPI.objects.get(code="A2").weight == 70
    assert KPI.objects.get(code="A1").level_1 == 10


def test_thai_digits_are_numbers(agency, the_round, tmp_path):
    rows = [row("P-O1", "A1", levels=("๑๐", "๒๐", "๓๐", "๔๐", "๕๐"), weight="๑๐๐")]
    assert run(write_csv(tmp_path, rows), the_round).ok
    assert KPI.objects.get(code="A1").levels == (10, 20, 30, 40, 50)


def test_text_that_looks_like_a_formula_is_kept_as_text(agency, the_round, tmp_path):
    path = tmp_path / "kpis.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(
        1,
        0,
        row(
            "P-O1", "A1", name='=HYPERLINK("http://x")', unit="@เรื่อง", method="-ตามระบบ", weight=50
        ),
    )
    sheet.write_row(2, 0, row("P-O1", "A2", weight=50))
    workbook.close()

    report = run(path, the_round)

    kpi = KPI.objects.get(code="A1")
    assert (kpi.name, kpi.unit, kpi.method) == ('=HYPERLINK("http://x")', "@เรื่อง", "-ตามระบบ")
    assert report.ok


def test_importing_the_same_file_twice_changes_nothing(agency, the_round, tmp_path):
    path = write_csv(tmp_path, GOOD)
    run(path, the_round)
    history = HistoryEntry.objects.count()
    versions = list(Plan.objects.order_by("pk").values_list("version", flat=True))

    again = run(path, the_round)

    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert HistoryEntry.objects.count() == history
    assert list(Plan.objects.order_by("pk").values_list("version", flat=True)) == versions


def test_a_changed_row_updates_the_kpi_with_a_history_entry(agency, the_round, tmp_path):
    run(write_csv(tmp_path, GOOD), the_round)
    changed = [list(r) for r in GOOD]
    changed[0][11] = 55  # level 5 of O1-1
    report = run(write_csv(tmp_path, changed), the_round)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert KPI.objects.get(code="O1-1").level_5 == 55
    entry = HistoryEntry.objects.filter(action="kpi_import").order_by("-pk").first()
    assert entry.changes == {"O1-1 ระดับ 5": ["50", "55"]}


def test_dry_run_saves_nothing(agency, the_round, tmp_path):
    report = run(write_csv(tmp_path, GOOD), the_round, dry_run=True)
    assert report.ok and report.created == 3 and report.plans_created == 2
    assert not KPI.objects.exists() and not Plan.objects.exists()


@pytest.mark.parametrize("status", [Round.Status.CLOSED, Round.Status.TRACKING])
def test_a_round_that_is_not_planning_is_refused(agency, the_round, tmp_path, status):
    Round.objects.filter(pk=the_round.pk).update(status=status)
    report = run(write_csv(tmp_path, GOOD), the_round)
    assert not report.ok and not KPI.objects.exists()
    assert the_round.code in report.errors[0].message


def test_an_approved_plan_is_refused_unless_reopened(agency, the_round, tmp_path):
    make_kpi(make_plan(agency.officer1, the_round, Plan.Status.APPROVED), "O1-1")
    report = run(write_csv(tmp_path, GOOD), the_round)
    assert any("เปิดแผนใหม่" in e.message and e.row == 2 for e in report.errors)
    assert not KPI.objects.filter(code="O2-1").exists()


def test_approve_records_the_plans_as_approved_by_the_importer(agency, the_round, tmp_path):
    report = run(write_csv(tmp_path, GOOD), the_round, by=agency.hr.user, approve=True)
    assert report.ok and report.plans_approved == 2
    plan = Plan.objects.get(owner=agency.officer1)
    assert plan.status == Plan.Status.APPROVED and plan.approved_by == agency.hr.user
    assert HistoryEntry.objects.filter(plan=plan, action="plan_approve").count() == 1
    again = run(write_csv(tmp_path, GOOD), the_round, by=agency.hr.user, approve=True)
    assert again.ok and again.plans_approved == 0 and again.updated == 0


def test_hr_cannot_import_owners_of_another_department(agency, the_round, tmp_path):
    report = run(write_csv(tmp_path, [row("X-O1", "X1")]), the_round, by=agency.hr.user)
    assert "นอกส่วนราชการ" in report.errors[0].message


def test_existing_kpis_not_in_the_file_count_towards_the_weights(agency, the_round, tmp_path):
    make_kpi(make_plan(agency.officer1, the_round), "OLD", weight=50)
    report = run(write_csv(tmp_path, [row("P-O1", "NEW", weight=50)]), the_round)
    assert report.ok, report.errors
    assert Plan.objects.get(owner=agency.officer1).kpis.count() == 2


def test_moving_every_kpi_out_of_a_kra_removes_the_empty_kra(agency, the_round, tmp_path):
    run(write_csv(tmp_path, [row("P-O1", "A1", kra="เก่า")]), the_round)
    report = run(write_csv(tmp_path, [row("P-O1", "A1", kra="ใหม่")]), the_round)
    assert report.ok and report.updated == 1
    assert list(KRA.objects.values_list("name", flat=True)) == ["ใหม่"]


# --- command --------------------------------------------------------------


def test_command_prints_the_summary(agency, the_round, tmp_path):
    out = StringIO()
    call_command("import_kpis", str(write_csv(tmp_path, GOOD)), "--round", "2569/1", stdout=out)
    assert "ตัวชี้วัดใหม่ 3" in out.getvalue()
    assert KPI.objects.count() == 3


def test_command_lists_every_error_and_exits_non_zero(agency, the_round, tmp_path):
    err = StringIO()
    path = write_csv(tmp_path, [row("NOBODY", "A1"), row("P-O1", "A2", weight=90)])
    with pytest.raises(CommandError):
        call_command("import_kpis", str(path), "--round", "2569/1", stderr=err)
    assert "แถว 2" in err.getvalue() and "แถว 3" in err.getvalue()
    assert not KPI.objects.exists()


def test_command_approve_needs_a_user(agency, the_round, tmp_path):
    path = str(write_csv(tmp_path, GOOD))
    with pytest.raises(CommandError):
        call_command("import_kpis", path, "--round", "2569/1", "--approve")
    call_command(
        "import_kpis", path, "--round", "2569/1", "--approve", "--user", "admin", stdout=StringIO()
    )
    assert set(Plan.objects.values_list("status", flat=True)) == {"approved"}
    assert Plan.objects.first().approved_by.username == "admin"


def test_command_dry_run_saves_nothing(agency, the_round, tmp_path):
    out = StringIO()
    call_command(
        "import_kpis", str(write_csv(tmp_path, GOOD)), "--round", "2569/1", "--dry-run", stdout=out
    )
    assert "ไม่บันทึก" in out.getvalue() and not KPI.objects.exists()


def test_command_refuses_an_unknown_round(agency, the_round, tmp_path):
    with pytest.raises(CommandError):
        call_command("import_kpis", str(write_csv(tmp_path, GOOD)), "--round", "2570/2")


def test_weights_keep_two_decimals(agency, the_round, tmp_path):
    rows = [
        row("P-O1", "A1", weight="33.33"),
        row("P-O1", "A2", weight="33.33"),
        row("P-O1", "A3", weight="33.34"),
    ]
    assert run(write_csv(tmp_path, rows), the_round).ok
    assert KPI.objects.get(code="A3").weight == Decimal("33.34")
