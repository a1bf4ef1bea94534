"""HR's round report: the exporter, the command and the download (read back with openpyxl)."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.http import Http404
from django.urls import reverse
from openpyxl import load_workbook

from appraisals.models import Appraisal
from appraisals.reports import RoundReport
from appraisals.summary import scope_unit
from indicators.models import Plan, Round
from kpi_portal.exporters import write_workbook
from orgchart.models import Kind, Node
from tests.factories_reports import (
    freeze,
    make_kpi,
    make_kra,
    make_plan,
    make_round,
    record,
    standard_results,
)

SHEETS = ["สรุปรายหน่วยงาน", "รายบุคคล", "รายตัวชี้วัด"]
# ... followed by the sheets other apps register (monitoring: KPIs by progress status).
ALL_SHEETS = [*SHEETS, "ความก้าวหน้าระหว่างรอบ"]


def read_book(exporter):
    output = io.BytesIO()
    write_workbook(exporter, output)
    return load_workbook(io.BytesIO(output.getvalue()))


def rows_of(sheet, *, values_only=True):
    return list(sheet.iter_rows(values_only=values_only))


def by_code(sheet, column=0):
    """Data rows keyed by the value of `column` (title line and header skipped)."""
    return {row[column]: row for row in rows_of(sheet)[2:]}


@pytest.fixture
def data(agency):
    the_round = make_round()
    return the_round, standard_results(agency, the_round)


def test_report_has_three_sheets_in_the_documented_order(agency, data):
    the_round, _results = data
    book = read_book(RoundReport(the_round, agency.hr.user))
    assert book.sheetnames == ALL_SHEETS


def test_headers_come_first_frozen_and_filtered(agency, data):
    the_round, _results = data
    book = read_book(RoundReport(the_round, agency.hr.user))
    units, officers, kpis = (book[name] for name in SHEETS)
    assert rows_of(units)[1][:8] == (
        "รหัสหน่วยงาน", "หน่วยงาน", "ประเภท", "ผู้ปฏิบัติงาน (คน ไม่นับแผนของหน่วยงาน)", "แผนที่อนุมัติแล้ว",
        "บันทึกผลครบ", "ประเมินแล้ว", "คะแนนเฉลี่ย",
    )  # fmt: skip
    assert rows_of(units)[1][8:] == (
        "ระดับ ดีเด่น", "ระดับ ดีมาก", "ระดับ ดี", "ระดับ พอใช้", "ระดับ ต้องปรับปรุง",
        "ผลสัมฤทธิ์ของแผนหน่วยงาน (0-100)",
    )  # fmt: skip
    assert rows_of(officers)[1] == (
        "รหัสหน่วยงาน", "หน่วยงาน", "รหัส", "ชื่อ-สกุล", "ตำแหน่ง", "สถานะแผน",
        "ผลสัมฤทธิ์ของงาน (0-100)", "คะแนนรวม (0-100)", "ระดับผลการประเมิน",
    )  # fmt: skip
    assert rows_of(kpis)[1] == (
        "รหัสผู้รับผิดชอบ", "ผู้รับผิดชอบ", "งาน/โครงการ", "ผลสัมฤทธิ์หลัก", "รหัสตัวชี้วัด",
        "ตัวชี้วัด", "เกณฑ์", "ระดับ 1", "ระดับ 2", "ระดับ 3", "ระดับ 4", "ระดับ 5",
        "น้ำหนัก", "ผลการดำเนินงาน", "ระดับที่ได้", "คะแนน", "คะแนนถ่วงน้ำหนัก",
    )  # fmt: skip
    for sheet in (units, officers, kpis):
        assert sheet.freeze_panes == "A3"  # below the title line and the header
        assert sheet.auto_filter.ref.startswith("A2:")


def test_officer_figures_are_the_stored_numbers_as_numbers(agency, data):
    the_round, results = data
    book = read_book(RoundReport(the_round, agency.hr.user))
    sheet = book["รายบุคคล"]
    officer1 = by_code(sheet, 2)["P-O1"]
    stored = results.appraisal1
    assert officer1[:6] == (
        "GRP", "กลุ่มงานติดตาม", "P-O1", "นายสมชาย ตั้งใจ", "นักวิเคราะห์นโยบายและแผน", "อนุมัติแล้ว",
    )  # fmt: skip
    assert Decimal(str(officer1[6])) == stored.achievement == Decimal("70.00")
    assert Decimal(str(officer1[7])) == stored.total == Decimal("79.00")
    assert officer1[8] == stored.band == "ดี"
    total_cell = next(r for r in sheet.iter_rows() if r[2].value == "P-O1")[7]
    assert total_cell.data_type == "n"
    assert total_cell.number_format == "#,##0.00"


def test_officers_without_a_plan_are_listed_as_such(agency, data):
    the_round, _results = data
    sheet = read_book(RoundReport(the_round, agency.hr.user))["รายบุคคล"]
    assert by_code(sheet, 2)["P-HR"][5:] == ("ยังไม่มีแผน", None, None, None)
    assert by_code(sheet, 2)["P-GH"][5] == "ส่งแล้ว รออนุมัติ"


def test_unit_sheet_counts_each_subtree(agency, data):
    the_round, _results = data
    sheet = read_book(RoundReport(the_round, agency.hr.user))["สรุปรายหน่วยงาน"]
    rows = by_code(sheet)
    assert list(rows) == ["DEPT", "DIV", "GRP", "GRP2"]
    # DEPT: 8 people; 3 approved plans; officer1 and officer3 have every result in
    # and are assessed (79.00 and 100.00).
    assert rows["DEPT"][3:] == (8, 3, 2, 2, 89.5, 1, 0, 1, 0, 0, None)
    assert rows["GRP"][3:] == (3, 2, 1, 1, 79, 0, 0, 1, 0, 0, None)
    assert rows["GRP2"][3:] == (2, 1, 1, 1, 100, 1, 0, 0, 0, 0, None)


def test_kpi_sheet_shows_levels_results_and_weighted_scores(agency, data):
    the_round, _results = data
    sheet = read_book(RoundReport(the_round, agency.hr.user))["รายตัวชี้วัด"]
    rows = by_code(sheet, 4)
    assert rows["O1-1"][:7] == (
        "P-O1", "นายสมชาย ตั้งใจ", "งานติดตามและประเมินผล", "ติดตามผลการดำเนินงาน", "O1-1",
        "ร้อยละของโครงการที่แล้วเสร็จ", "มากดี",
    )  # fmt: skip
    assert rows["O1-1"][7:] == (65, 70, 75, 80, 85, 40, 77, 3, 3, 120)
    assert rows["O1-2"][7:] == (None, 35, 30, 25, 20, 35, 27, 3, 3, 105)
    milestone = rows["O1-3"]
    assert milestone[6] == "ระดับความสำเร็จ (ขั้นตอน)"
    assert milestone[7] == "แต่งตั้งคณะทำงาน"
    assert milestone[12:] == (25, 5, 5, 5, 125)
    # A KPI without a result has its targets but no figures.
    assert rows["O2-2"][13:] == (None, None, None, None)


def test_head_report_covers_its_subtree_only(agency, data):
    the_round, _results = data
    book = read_book(RoundReport(the_round, agency.grp_head.user))
    assert list(by_code(book["สรุปรายหน่วยงาน"])) == ["GRP"]
    assert list(by_code(book["รายบุคคล"], 2)) == ["P-GH", "P-O1", "P-O2"]
    owners = {row[0] for row in rows_of(book["รายตัวชี้วัด"])[2:]}
    assert owners == {"P-GH", "P-O1", "P-O2"}


def test_hr_of_another_department_gets_nothing_of_ours(agency, data):
    the_round, _results = data
    book = read_book(RoundReport(the_round, agency.hr_other.user))
    assert list(by_code(book["สรุปรายหน่วยงาน"])) == ["OTHER"]
    assert set(by_code(book["รายบุคคล"], 2)) == {"X-HR", "X-O1"}
    assert {row[4] for row in rows_of(book["รายตัวชี้วัด"])[2:]} == {"X-1"}


def test_unit_option_narrows_the_report_to_that_subtree(agency, data):
    the_round, _results = data
    unit = scope_unit(agency.hr.user, "GRP2")
    book = read_book(RoundReport(the_round, agency.hr.user, unit))
    assert list(by_code(book["สรุปรายหน่วยงาน"])) == ["GRP2"]
    assert list(by_code(book["รายบุคคล"], 2)) == ["P-SH", "P-O3"]


def test_unit_outside_the_users_view_is_not_found(agency, data):
    with pytest.raises(Http404):
        scope_unit(agency.grp_head.user, "GRP2")
    with pytest.raises(Http404):
        scope_unit(agency.hr_other.user, "DEPT")
    with pytest.raises(Http404):
        scope_unit(agency.hr.user, "P-O1")  # a person is not a unit


def test_formula_looking_kpi_names_are_written_as_text(agency, data):
    the_round, _results = data
    plan = make_plan(agency.sibling_head, the_round)
    make_kpi(make_kra(plan, name="@SUM(A1:A9)"), "SH-1", name='=HYPERLINK("http://x","y")')
    sheet = read_book(RoundReport(the_round, agency.hr.user))["รายตัวชี้วัด"]
    row = next(r for r in sheet.iter_rows() if r[4].value == "SH-1")
    assert row[5].value == '=HYPERLINK("http://x","y")'
    assert row[5].data_type == "s"
    assert row[5].quotePrefix
    assert row[3].value == "@SUM(A1:A9)"
    assert row[3].data_type == "s"


def close_round(the_round, agency, results):
    """What round_close does, set directly: every individual's plan gets an appraisal,
    every appraisal is frozen, the round is closed."""
    for plan in Plan.objects.filter(
        round=the_round, owner__kind=Kind.INDIVIDUAL, appraisal__isnull=True
    ):
        Appraisal.objects.create(plan=plan)
    for appraisal in Appraisal.objects.filter(plan__round=the_round).select_related(
        "plan__owner__parent"
    ):
        freeze(appraisal, agency.grp_head)
    Round.objects.filter(pk=the_round.pk).update(status=Round.Status.CLOSED)
    the_round.refresh_from_db()


def all_rows(book):
    return {name: rows_of(book[name]) for name in book.sheetnames}


def test_closed_round_report_does_not_change_when_the_tree_changes(agency, data):
    the_round, results = data
    close_round(the_round, agency, results)
    before = all_rows(read_book(RoundReport(the_round, agency.hr.user)))
    # officer1 moves to the other group and is promoted; the group is renamed.
    officer1 = Node.objects.get(code="P-O1")
    officer1.move_to(Node.objects.get(code="GRP2"), "last-child")
    Node.objects.filter(code="P-O1").update(position="ผู้เชี่ยวชาญ")
    Node.objects.filter(code="GRP").update(name="กลุ่มงานใหม่")
    after = all_rows(read_book(RoundReport(the_round, agency.hr.user)))
    assert after["รายบุคคล"] == before["รายบุคคล"]
    assert after["รายตัวชี้วัด"] == before["รายตัวชี้วัด"]
    officer1 = next(row for row in after["รายบุคคล"] if row[2] == "P-O1")
    assert officer1[:5] == ("GRP", "กลุ่มงานติดตาม", "P-O1", "นายสมชาย ตั้งใจ", "นักวิเคราะห์นโยบายและแผน")
    # The unit sheet counts people where they were at close; unit names are today's.
    units = {row[0]: row[3:] for row in after["สรุปรายหน่วยงาน"][1:]}
    assert units == {row[0]: row[3:] for row in before["สรุปรายหน่วยงาน"][1:]}


def test_closed_round_report_of_a_head_follows_the_frozen_placement(agency, data):
    the_round, results = data
    close_round(the_round, agency, results)
    Node.objects.get(code="P-O1").move_to(Node.objects.get(code="GRP2"), "last-child")
    book = read_book(RoundReport(the_round, agency.sibling_head.user))
    assert "P-O1" not in by_code(book["รายบุคคล"], 2)
    book = read_book(RoundReport(the_round, agency.grp_head.user))
    assert "P-O1" in by_code(book["รายบุคคล"], 2)


def test_report_streams_with_a_fixed_number_of_queries(agency, data, django_assert_max_num_queries):
    the_round, _results = data
    for code in ("P-O1", "P-O2"):
        owner = Node.objects.get(code=code)
        plan = owner.plans.get(round=the_round)
        kra = make_kra(plan, name="เพิ่ม")
        for number in range(20):
            record(make_kpi(kra, f"{code}-X{number}", weight=1), 70)
    # 12, the units' own plans (1) and the monitoring sheet (schedule, units, statuses: 3)
    with django_assert_max_num_queries(16):
        read_book(RoundReport(the_round, agency.hr.user))


# The command ---------------------------------------------------------------


def test_export_round_command_writes_the_whole_round(agency, data, tmp_path):
    target = tmp_path / "round.xlsx"
    call_command("export_round", "2569/1", str(target))
    book = load_workbook(target)
    assert book.sheetnames == ALL_SHEETS
    assert set(by_code(book["สรุปรายหน่วยงาน"])) == {"DEPT", "DIV", "GRP", "GRP2", "OTHER"}


def test_export_round_command_narrows_to_a_unit(agency, data, tmp_path):
    target = tmp_path / "grp.xlsx"
    call_command("export_round", "2569/1", str(target), "--unit", "GRP")
    book = load_workbook(target)
    assert list(by_code(book["รายบุคคล"], 2)) == ["P-GH", "P-O1", "P-O2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2569/2"], "ไม่พบรอบการประเมิน"),
        (["2569/1", "--unit", "NOPE"], "ไม่พบหน่วยงานรหัส NOPE"),
        (["2569/1", "--unit", "P-O1"], "ไม่พบหน่วยงานรหัส P-O1"),
        (["25691"], "รหัสรอบต้องอยู่ในรูป"),
    ],
)
def test_export_round_command_refuses_bad_arguments(agency, data, tmp_path, args, message):
    target = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match=message):
        call_command("export_round", args[0], str(target), *args[1:])
    assert not target.exists()


# The download ---------------------------------------------------------------


def download(client, the_round, unit=""):
    return client.get(reverse("appraisals:report_download"), {"round": the_round.pk, "unit": unit})


def test_hr_downloads_the_round_report(agency, data, client_for):
    the_round, _results = data
    response = download(client_for(agency.hr), the_round)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="round-2569-1.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ALL_SHEETS
    assert "X-O1" not in by_code(book["รายบุคคล"], 2)


def test_head_downloads_its_subtree_and_not_a_sibling_unit(agency, data, client_for):
    the_round, _results = data
    client = client_for(agency.grp_head)
    response = download(client, the_round, "GRP")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert list(by_code(book["รายบุคคล"], 2)) == ["P-GH", "P-O1", "P-O2"]
    assert download(client, the_round, "GRP2").status_code == 404
    assert download(client_for(agency.hr_other), the_round, "DEPT").status_code == 404


def test_officers_cannot_open_reports(agency, data, client_for):
    the_round, _results = data
    client = client_for(agency.officer1)
    assert client.get(reverse("appraisals:reports")).status_code == 403
    assert download(client, the_round).status_code == 403


def test_bad_round_in_the_download_answers_not_found(agency, data, client_for):
    client = client_for(agency.hr)
    url = reverse("appraisals:report_download")
    assert client.get(url, {"round": "abc"}).status_code == 404
    assert client.get(url, {"round": "99999"}).status_code == 404
    assert client.get(url).status_code == 404


def test_reports_page_offers_rounds_and_the_units_of_the_users_view(agency, data, client_for):
    response = client_for(agency.grp_head).get(reverse("appraisals:reports"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2569/1" in page
    assert "กลุ่มงานติดตาม (GRP)" in page
    assert "GRP2" not in page


def test_report_after_the_round_close_service_keeps_the_placement(agency, data):
    from appraisals.closing import round_close

    the_round, _results = data
    round_close(round=the_round, by=agency.admin)
    the_round.refresh_from_db()
    before = all_rows(read_book(RoundReport(the_round, agency.hr.user)))
    Node.objects.get(code="P-O1").move_to(Node.objects.get(code="GRP2"), "last-child")
    Node.objects.filter(code="GRP").update(name="กลุ่มงานใหม่")
    after = all_rows(read_book(RoundReport(the_round, agency.hr.user)))
    assert after["รายบุคคล"] == before["รายบุคคล"]
    assert after["รายตัวชี้วัด"] == before["รายตัวชี้วัด"]
    officer1 = next(row for row in after["รายบุคคล"] if row[2] == "P-O1")
    assert officer1[:2] == ("GRP", "กลุ่มงานติดตาม")
