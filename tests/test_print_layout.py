"""The .xlsx form and the round report print as HR files them (issue 14.4-14.5).

Read back with openpyxl: A4 page setup, landscape, one page wide, the header
row repeated on every page, wrapped KPI and level texts, borders, widths, and
no empty-string cells where a value is missing.
"""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from appraisals.reports import OfficerForm, RoundReport
from kpi_portal.exporters import write_workbook
from kpi_portal.templatetags.thai import format_be_date
from tests.factories_reports import (
    make_appraisal,
    make_kpi,
    make_round,
    standard_results,
    worked_example_plan,
)

SHEETS = ["สรุปรายหน่วยงาน", "รายบุคคล", "รายตัวชี้วัด"]


def book_of(exporter):
    output = io.BytesIO()
    write_workbook(exporter, output)
    return load_workbook(io.BytesIO(output.getvalue()))


def width_of(sheet, letter: str) -> float | None:
    """A column's width; xlsxwriter writes neighbours of equal width as one range."""
    index = column_index_from_string(letter)
    for dimension in sheet.column_dimensions.values():
        if dimension.min and dimension.min <= index <= dimension.max and dimension.customWidth:
            return dimension.width
    return None


def assert_a4_landscape_one_page_wide(sheet):
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1)  # 1 is the default, left out of the file
    assert sheet.page_setup.fitToHeight == 0  # as many pages tall as needed
    assert sheet.page_margins.left == pytest.approx(0.4)
    assert sheet.page_margins.top == pytest.approx(0.6)


# The officer's form ---------------------------------------------------------------


@pytest.fixture
def form(agency):
    the_round = make_round()
    plan = worked_example_plan(agency.officer1, the_round)
    kra = plan.kras.first()
    make_kpi(
        kra,
        "K4",
        name="ร้อยละความพึงพอใจ",
        levels=[Decimal("60.5"), 65, 70, 75, 80],
        weight=0,
        order=4,
    )
    make_appraisal(plan)
    return book_of(OfficerForm(plan)).worksheets[0]


def header_row(sheet) -> int:
    return next(row[0].row for row in sheet.iter_rows() if row[1].value == "ตัวชี้วัด")


def test_the_form_prints_on_a4_landscape_one_page_wide(form):
    assert_a4_landscape_one_page_wide(form)


def test_the_forms_header_row_repeats_on_every_printed_page(form):
    row = header_row(form)
    assert form.print_title_rows == f"${row}:${row}"


def test_kpi_and_level_texts_wrap_in_bordered_cells(form):
    kpi_row = next(r for r in form.iter_rows() if r[0].value == "K3")
    assert kpi_row[1].alignment.wrap_text  # the KPI
    assert all(cell.alignment.wrap_text for cell in kpi_row[2:7])  # the five milestone texts
    assert all(cell.border.left.style == "thin" for cell in kpi_row[:10])
    header = form[header_row(form)]
    assert all(cell.border.top.style == "thin" for cell in header[:10])


def test_the_form_has_kpi_codes_and_targets_as_entered(form):
    codes = [r[0].value for r in form.iter_rows() if str(r[0].value or "").startswith("K")]
    assert codes == ["K1", "K2", "K3", "K4"]
    row = next(r for r in form.iter_rows() if r[0].value == "K4")
    assert [cell.value for cell in row[2:7]] == [60.5, 65, 70, 75, 80]
    # "General": Excel shows 60.5 and 65, never 65.00.
    assert {cell.number_format for cell in row[2:7]} == {"General"}


def test_the_form_columns_are_wide_enough_to_read(form):
    widths = {col: width_of(form, col) for col in "ABCDEFGHIJ"}
    assert widths["B"] >= 35  # the KPI, wrapped
    assert all(widths[col] >= 14 for col in "CDEFG")  # the five levels, wrapped
    assert all(width >= 9 for width in widths.values())


def test_the_form_ends_with_three_signatures_and_date_lines(form):
    texts = [str(c.value) for row in form.iter_rows() for c in row if c.value is not None]
    for title in ("ผู้รับการประเมิน", "ผู้ประเมิน", "ผู้บังคับบัญชาเหนือขึ้นไป"):
        assert any(t.startswith("ลงชื่อ") and t.endswith(title) for t in texts), title
    assert texts.count("วันที่ ..../..../....") == 3
    assert "(นายสมชาย ตั้งใจ)" in texts and "(นางหัวหน้า กลุ่ม)" in texts


# The round report ----------------------------------------------------------------


@pytest.fixture
def report(agency):
    the_round = make_round()
    standard_results(agency, the_round)
    agency.officer2.position = ""  # a missing value
    agency.officer2.save()
    return book_of(RoundReport(the_round, agency.hr.user))


def test_each_report_sheet_has_a_title_line_above_the_header(report):
    today = timezone.localdate()

    for name in SHEETS:
        title = report[name]["A1"].value
        assert title.startswith("รายงานผลการประเมินรายรอบ · กรมทดสอบ · รอบการประเมิน 2569/1")
        assert title.endswith(f"ส่งออกเมื่อ {format_be_date(today)}")
        assert str(today.year + 543) in title
        assert report[name]["A2"].value in ("รหัสหน่วยงาน", "รหัสผู้รับผิดชอบ")


def test_each_report_sheet_keeps_its_header_frozen_filtered_and_printed_on_every_page(report):
    for name in SHEETS:
        sheet = report[name]
        assert sheet.freeze_panes == "A3"
        assert sheet.auto_filter.ref.startswith("A2:")
        assert sheet.print_title_rows == "$2:$2"
        assert_a4_landscape_one_page_wide(sheet)


def test_every_report_column_has_a_width_and_long_thai_text_wraps(report):
    for name in SHEETS:
        sheet = report[name]
        for cell in sheet[2]:
            width = width_of(sheet, cell.column_letter)
            assert width and width >= 10, (name, cell.value)
    kpis = report["รายตัวชี้วัด"]
    assert width_of(kpis, "F") >= 35  # the KPI
    row = next(r for r in kpis.iter_rows() if r[4].value == "O1-3")
    assert row[5].alignment.wrap_text and row[7].alignment.wrap_text  # KPI, a milestone
    assert report["รายบุคคล"]["D3"].alignment.wrap_text  # a name


def test_officers_are_defined_in_the_report_header(report):
    assert report["สรุปรายหน่วยงาน"]["D2"].value == "ผู้ปฏิบัติงาน (คน ไม่นับแผนของหน่วยงาน)"


def test_no_cell_holds_an_empty_string(report):
    empty = [
        (name, cell.coordinate)
        for name in SHEETS
        for row in report[name].iter_rows()
        for cell in row
        if cell.value == ""
    ]
    assert empty == []
    officer2 = next(r for r in report["รายบุคคล"].iter_rows() if r[2].value == "P-O2")
    assert officer2[4].value is None  # no position: blank, not ""


def test_report_levels_show_as_entered(report):
    row = next(r for r in report["รายตัวชี้วัด"].iter_rows() if r[4].value == "O1-1")
    assert [c.value for c in row[7:12]] == [65, 70, 75, 80, 85]
    assert {c.number_format for c in row[7:12]} == {"General"}


def test_a_heads_report_names_the_department_above_its_unit(agency):
    the_round = make_round()
    standard_results(agency, the_round)
    title = book_of(RoundReport(the_round, agency.grp_head.user))["รายบุคคล"]["A1"].value
    assert title.startswith("รายงานผลการประเมินรายรอบ · กรมทดสอบ · รอบการประเมิน 2569/1")
