"""Writing reports (kpi_portal.exporters): constant memory, frozen filtered header, safe text."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from kpi_portal import exporters
from kpi_portal.exporters import Exporter, Sheet, escape_needed, write_workbook
from kpi_portal.tabular import Column, read_table

DANGEROUS = ["=1+2", "+66 81 234 5678", "-ไม่มี-", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


class ListExporter(Exporter):
    identifier = "test"
    title = "ทดสอบ"

    def __init__(self, *sheets, total=None):
        self._sheets = sheets
        self._total = total

    def sheets(self):
        return self._sheets

    def total_rows(self):
        return self._total


def export(tmp_path, *sheets, **kwargs):
    path = tmp_path / "report.xlsx"
    write_workbook(ListExporter(*sheets), path, **kwargs)
    return openpyxl.load_workbook(path)


def officers_sheet(**extra):
    return Sheet(
        name="รายบุคคล",
        headers=["รหัส", "ชื่อ", "ผลสัมฤทธิ์", "คะแนน", "วันที่"],
        rows=(
            ["P1", "นางสาวหนึ่ง", Decimal("65"), 3, dt.date(2026, 3, 31)],
            ["P2", "นายสอง", 80.5, None, None],
            ["P3", '=HYPERLINK("x")', Decimal("100"), -5, dt.date(2026, 4, 1)],
        ),
        formats=["text", "text", "percent", "int", "date"],
        **extra,
    )


def test_header_is_frozen_and_filtered_over_the_data(tmp_path):
    sheet = export(tmp_path, officers_sheet())["รายบุคคล"]
    assert [c.value for c in sheet[1]] == ["รหัส", "ชื่อ", "ผลสัมฤทธิ์", "คะแนน", "วันที่"]
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E4"


def test_numbers_are_numeric_cells_with_a_number_format(tmp_path):
    sheet = export(tmp_path, officers_sheet())["รายบุคคล"]
    assert sheet["C2"].data_type == "n"
    assert sheet["C2"].value == pytest.approx(0.65)
    assert "%" in sheet["C2"].number_format
    assert sheet["D4"].value == -5
    assert sheet["D4"].data_type == "n"
    assert sheet["D4"].number_format == "#,##0"
    assert sheet["D3"].value is None
    assert sheet["E2"].value == dt.datetime(2026, 3, 31)
    assert sheet["E2"].is_date


def test_percent_columns_read_back_as_the_percentage(tmp_path):
    write_workbook(ListExporter(officers_sheet()), tmp_path / "r.xlsx")
    columns = [Column("code", "รหัส", required=True), Column("score", "ผลสัมฤทธิ์", kind="decimal")]
    table = read_table(tmp_path / "r.xlsx", columns)
    assert [row.values["score"] for row in table.rows] == [65, Decimal("80.5"), 100]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_looks_like_a_formula_is_written_as_quoted_text(tmp_path, text):
    sheet = Sheet(name="s", headers=["ข้อความ", "ปกติ"], rows=[[text, "ปกติ"]])
    cells = export(tmp_path, sheet)["s"]
    assert cells["A2"].data_type == "s"
    # the file escapes a carriage return as _x000D_, which openpyxl leaves as is
    assert unescape(cells["A2"].value) == text
    assert cells["A2"].quotePrefix is True
    assert cells["B2"].quotePrefix is False


def test_without_escaping_the_quote_prefix_would_be_absent(tmp_path, monkeypatch):
    # Proves the attribute checked above really comes from escaping.
    monkeypatch.setattr(exporters, "escape_needed", lambda text: False)
    cells = export(tmp_path, Sheet(name="s", headers=["h"], rows=[["=1+2"]]))["s"]
    assert cells["A2"].value == "=1+2"
    assert not cells["A2"].quotePrefix


def test_numbers_are_never_quoted(tmp_path):
    cells = export(tmp_path, Sheet(name="s", headers=["h"], rows=[[-5], [Decimal("-0.5")]]))["s"]
    assert (cells["A2"].value, cells["A2"].quotePrefix) == (-5, False)
    assert cells["A3"].value == -0.5


def test_escape_needed_covers_formula_starts_only():
    assert all(escape_needed(text) for text in DANGEROUS)
    assert not any(escape_needed(text) for text in ["", "กอง", "5-3", "a=b", " =1"])


def test_preamble_lines_sit_above_the_header_and_footer_below_the_filter(tmp_path):
    sheet = officers_sheet(
        preamble=[["แบบประเมินผลสัมฤทธิ์"], ["ผู้รับการประเมิน", "นายสอง"]],
        footer=[["รวม", None, Decimal("245.5")]],
        widths=[12, 30],
    )
    cells = export(tmp_path, sheet)["รายบุคคล"]
    assert cells["A1"].value == "แบบประเมินผลสัมฤทธิ์"
    assert cells["A1"].font.b
    assert cells["A3"].value == "รหัส"
    assert cells.freeze_panes == "A4"
    assert cells.auto_filter.ref == "A3:E6"
    assert cells["A7"].value == "รวม"
    assert cells["C7"].value == pytest.approx(2.455)
    assert cells.column_dimensions["B"].width == pytest.approx(30, abs=1)


def test_a_sheet_can_skip_freeze_and_filter(tmp_path):
    cells = export(tmp_path, Sheet("s", ["h"], [[1]], freeze=False, autofilter=False))["s"]
    assert cells.freeze_panes is None
    assert cells.auto_filter.ref is None


def test_progress_is_reported_every_thousand_rows_with_the_total(tmp_path):
    calls = []
    rows = ([f"P{i}", i] for i in range(2_500))
    write_workbook(
        ListExporter(Sheet("s", ["รหัส", "ลำดับ"], rows), total=2_500),
        tmp_path / "r.xlsx",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1_000, 2_500), (2_000, 2_500), (2_500, 2_500)]
    assert openpyxl.load_workbook(tmp_path / "r.xlsx")["s"].max_row == 2_501


def test_writes_to_a_file_like_and_fixes_sheet_names(tmp_path):
    buffer = io.BytesIO()
    sheets = [Sheet("ต่อ/หน่วย: [รวม]", ["h"], [[1]]), Sheet("ต่อ/หน่วย: [รวม]", ["h"], [])]
    write_workbook(ListExporter(*sheets), buffer)
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert workbook.sheetnames == ["ต่อ_หน่วย_ _รวม_", "ต่อ_หน่วย_ _รวม_ (2)"]
    assert workbook.worksheets[1].auto_filter.ref == "A1"  # header only: no data rows


def test_aware_datetimes_are_written_in_local_time(tmp_path, settings):
    settings.TIME_ZONE = "Asia/Bangkok"
    moment = dt.datetime(2026, 3, 31, 3, 0, tzinfo=dt.UTC)
    cells = export(tmp_path, Sheet("s", ["เวลา"], [[moment]]))["s"]
    assert cells["A2"].value == dt.datetime(2026, 3, 31, 10, 0)


def test_unknown_format_hint_is_a_programming_error():
    with pytest.raises(ValueError, match="percentage"):
        Sheet("s", ["h"], [], formats=["percentage"])


def test_default_filename_uses_the_identifier():
    assert ListExporter().filename() == "test.xlsx"
