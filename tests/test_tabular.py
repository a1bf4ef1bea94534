"""Reading uploaded spreadsheets (kpi_portal.tabular): FORMATS.md "Conventions for every import"."""

import io
import os
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from kpi_portal.tabular import Column, RowError, TableError, check_upload_size, read_table

SCALES = {"higher": "higher", "มากดี": "higher", "lower": "lower", "น้อยดี": "lower"}
COLUMNS = [
    Column("code", "รหัส", required=True),
    Column("name", "ชื่อ", required=True),
    Column("weight", "น้ำหนัก", kind="decimal"),
    Column("count", "จำนวน", kind="int"),
    Column("is_head", "หัวหน้า", kind="bool"),
    Column("scale", "เกณฑ์", kind="choice", choices=SCALES, aliases=("scale type",)),
]


def make_xlsx(tmp_path, rows, *, formats=None, name="data.xlsx"):
    """Write rows with openpyxl; ``formats`` maps a coordinate to a number format."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for coordinate, number_format in (formats or {}).items():
        sheet[coordinate].number_format = number_format
    path = tmp_path / name
    workbook.save(path)
    return path


def read_csv(text, *, bom=False, name="data.csv"):
    data = ("\ufeff" if bom else "").encode() + text.encode("utf-8")
    return read_table(data, COLUMNS, filename=name)


def first_values(table):
    assert table.errors == []
    return table.rows[0].values


def test_thai_labels_and_english_keys_match_whatever_the_case_spaces_and_stars(tmp_path):
    path = make_xlsx(
        tmp_path,
        [
            ["  รหัส * ", "NAME*", " Weight ", "*จำนวน", "หัวหน้า", "Scale  Type"],
            ["U1", "กองแผน", 10, 3, "ใช่", "มากดี"],
        ],
    )
    table = read_table(path, COLUMNS)
    assert first_values(table) == {
        "code": "U1",
        "name": "กองแผน",
        "weight": Decimal("10"),
        "count": 3,
        "is_head": True,
        "scale": "higher",
    }
    assert table.rows[0].number == 2
    assert table.present == {"code", "name", "weight", "count", "is_head", "scale"}


def test_missing_required_columns_are_named_in_one_error(tmp_path):
    path = make_xlsx(tmp_path, [["weight", "other"], [1, 2]])
    with pytest.raises(TableError) as caught:
        read_table(path, COLUMNS)
    assert caught.value.message == "ขาดคอลัมน์ที่จำเป็น: รหัส, ชื่อ"
    assert caught.value.errors == [RowError(1, "รหัส, ชื่อ", "", caught.value.message)]


def test_unknown_columns_are_ignored_and_absent_optional_columns_are_none():
    table = read_csv("หมายเหตุภายใน,code,name,extra\nx,U1,กอง,y\n")
    assert first_values(table) == {
        "code": "U1",
        "name": "กอง",
        "weight": None,
        "count": None,
        "is_head": None,
        "scale": None,
    }
    assert table.present == {"code", "name"}


def test_a_column_named_twice_is_refused():
    with pytest.raises(TableError, match="รหัส"):
        read_csv("code,รหัส,name\nU1,U2,x\n")


@pytest.mark.parametrize("bom", [False, True])
def test_csv_reads_with_or_without_bom(bom):
    table = read_csv('รหัส,ชื่อ,น้ำหนัก\nU1,"กอง, แผน","1,234.5"\n', bom=bom)
    assert first_values(table)["code"] == "U1"
    assert table.rows[0].values["name"] == "กอง, แผน"
    assert table.rows[0].values["weight"] == Decimal("1234.5")


def test_csv_with_semicolons_is_read():
    assert first_values(read_csv("code;name;weight\nU1;กอง;5\n"))["weight"] == Decimal("5")


@pytest.mark.parametrize("encoding", ["cp874", "utf-16"])
def test_csv_in_another_encoding_is_refused(encoding):
    data = "รหัส,ชื่อ\nU1,กองแผน\n".encode(encoding)
    with pytest.raises(TableError, match="UTF-8"):
        read_table(data, COLUMNS, filename="data.csv")


def test_bad_encoding_after_the_first_chunk_is_refused():
    data = ("code,name\n" + "U1,ok\n" * 20_000).encode() + "U2,กอง\n".encode("cp874")
    with pytest.raises(TableError, match="UTF-8"):
        read_table(data, COLUMNS, filename="data.csv")


def test_a_text_file_named_xlsx_is_refused(tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_text("code,name\nU1,x\n", encoding="utf-8")
    with pytest.raises(TableError, match=r"\.xlsx"):
        read_table(path, COLUMNS)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(TableError, match=r"\.xlsx"):
        read_table(buffer.getvalue(), COLUMNS, filename="data.xlsx")


def test_old_xls_and_other_types_are_refused():
    with pytest.raises(TableError, match=r"\.xls"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, COLUMNS, filename="a.xls")
    with pytest.raises(TableError, match=r"\.pdf"):
        read_table(b"%PDF-1.4 hello", COLUMNS, filename="a.pdf")


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b" \r\n\r\n"])
def test_an_empty_file_is_refused(content):
    with pytest.raises(TableError, match="ว่างเปล่า"):
        read_table(content, COLUMNS, filename="data.csv")


def test_an_empty_workbook_is_refused(tmp_path):
    with pytest.raises(TableError, match="ไม่มีข้อมูล"):
        read_table(make_xlsx(tmp_path, []), COLUMNS)


def zip_with(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 10 * 1024 * 1024
    bomb = zip_with({"xl/workbook.xml": b"\0" * (50 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(TableError, match="10 MB"):
        read_table(bomb, COLUMNS, filename="data.xlsx")


def test_a_member_compressed_over_100_to_1_is_refused_even_under_the_size_limit():
    bomb = zip_with({"xl/workbook.xml": b"<w/>", "xl/sheet.xml": b"\0" * (5 * 1024 * 1024)})
    with pytest.raises(TableError, match="MB"):
        read_table(bomb, COLUMNS, filename="data.xlsx")


def test_a_workbook_over_the_unpacked_limit_is_refused(settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    data = zip_with({"xl/workbook.xml": b"<w/>", "xl/media/noise.bin": os.urandom(2 * 1024**2)})
    with pytest.raises(TableError, match="1 MB"):
        read_table(data, COLUMNS, filename="data.xlsx")


def test_a_huge_cell_is_refused_naming_row_and_column(tmp_path):
    path = make_xlsx(tmp_path, [["code", "name"], ["U1", "x"], ["U2", "ก" * 2_001]])
    with pytest.raises(TableError) as caught:
        read_table(path, COLUMNS)
    assert "แถว 3" in caught.value.message
    assert "name" in caught.value.message
    assert caught.value.errors[0].row == 3


def test_a_huge_csv_cell_is_refused():
    with pytest.raises(TableError, match="แถว 2"):
        read_csv("code,name\nU1," + "x" * 3_000 + "\n")


def test_percentage_cells_read_as_the_percentage_they_show(tmp_path):
    path = make_xlsx(
        tmp_path,
        [["code", "name", "weight", "count"], ["U1", "x", 0.65, 1], ["U2", "x", 0.125, 0.5]],
        formats={"C2": "0%", "C3": "0.0%", "D3": "0%"},
    )
    table = read_table(path, COLUMNS)
    assert table.rows[0].values["weight"] == Decimal("65")
    assert table.rows[0].raw["weight"] == "65%"
    assert table.rows[1].values["weight"] == Decimal("12.5")
    assert table.rows[1].values["count"] == 50


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("๖๕", Decimal("65")),
        ("๑,๒๓๔.๕", Decimal("1234.5")),
        ("65%", Decimal("65")),
        ("65 %", Decimal("65")),
        ("1,234.5", Decimal("1234.5")),
        ("1,234,567", Decimal("1234567")),
        ("-5", Decimal("-5")),
        ("+5", Decimal("5")),
        ("0.10", Decimal("0.1")),
        (" 100 ", Decimal("100")),
    ],
)
def test_numbers_typed_as_text_are_read(typed, expected):
    value = first_values(read_csv(f'code,name,weight\nU1,x,"{typed}"\n'))["weight"]
    assert value == expected
    assert str(value) == str(expected)


def test_stored_floats_lose_binary_noise_and_keep_plain_form(tmp_path):
    path = make_xlsx(
        tmp_path,
        [["code", "name", "weight"], ["U1", "x", 0.1], ["U2", "x", 0.1 + 0.2], [3, 4, 10.0]],
    )
    table = read_table(path, COLUMNS)
    weights = [str(row.values["weight"]) for row in table.rows]
    assert weights == ["0.1", "0.3", "10"]
    assert table.rows[2].values["code"] == "3"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("yes", True),
        ("Y", True),
        ("TRUE", True),
        ("1", True),
        ("ใช่", True),
        ("๑", True),
        ("no", False),
        ("n", False),
        ("false", False),
        ("0", False),
        ("ไม่ใช่", False),
        ("", None),
    ],
)
def test_booleans_accept_every_spelling(typed, expected):
    assert read_csv(f"code,name,is_head\nU1,x,{typed}\n").rows[0].values["is_head"] is expected


def test_stored_booleans_and_numbers_are_booleans(tmp_path):
    path = make_xlsx(tmp_path, [["code", "name", "is_head"], ["U1", "x", True], ["U2", "x", 0]])
    assert [row.values["is_head"] for row in read_table(path, COLUMNS).rows] == [True, False]


def test_formula_looking_text_is_kept_as_text(tmp_path):
    rows = [["code", "name"], ["=1+2", "+66 81"], ["@SUM(A1)", "-ไม่มี-"]]
    table = read_table(make_xlsx(tmp_path, rows), COLUMNS)
    assert [(r.values["code"], r.values["name"]) for r in table.rows] == [
        ("=1+2", "+66 81"),
        ("@SUM(A1)", "-ไม่มี-"),
    ]
    assert table.errors == []


def test_a_formula_without_cached_value_is_its_text_and_never_a_number(tmp_path):
    # openpyxl stores formulas without a cached value, like an uncalculated file.
    path = make_xlsx(tmp_path, [["code", "name", "weight"], ["U1", "x", "=10*10"]])
    table = read_table(path, COLUMNS)
    assert table.rows[0].values["weight"] is None
    assert table.errors == [RowError(2, "น้ำหนัก", "=10*10", "ต้องเป็นตัวเลข")]


def test_a_formula_with_cached_value_reads_the_value(tmp_path):
    path = tmp_path / "cached.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["code", "name", "weight"])
    sheet.write_row(1, 0, ["U1", "x"])
    sheet.write_formula(1, 2, "=10*10", None, 100)
    workbook.close()
    assert first_values(read_table(path, COLUMNS))["weight"] == Decimal("100")


def test_every_bad_row_is_reported_with_its_spreadsheet_row_number(tmp_path):
    rows = [
        ["code", "name", "weight", "count", "is_head", "scale"],
        ["U1", "x", "abc", 1, "yes", "higher"],
        [None, None, None, None, None, None],
        ["U3", None, 5, 2.5, "maybe", "LOWER"],
        ["U4", "x", "1,2", "๓", "no", "ดีมาก"],
    ]
    table = read_table(make_xlsx(tmp_path, rows), COLUMNS)
    assert [row.number for row in table.rows] == [2, 4, 5]
    assert [(e.row, e.column, e.value) for e in table.errors] == [
        (2, "น้ำหนัก", "abc"),
        (4, "ชื่อ", ""),
        (4, "จำนวน", "2.5"),
        (4, "หัวหน้า", "maybe"),
        (5, "น้ำหนัก", "1,2"),
        (5, "เกณฑ์", "ดีมาก"),
    ]
    assert table.errors[1].message == "ต้องระบุค่า"
    assert "มากดี" in table.errors[-1].message
    assert table.rows[1].values["scale"] == "lower"
    assert table.rows[2].values["count"] == 3


def test_too_many_rows_are_refused():
    with pytest.raises(TableError, match="3"):
        read_table(b"code,name\n" + b"U,x\n" * 4, COLUMNS, filename="a.csv", max_rows=3)
    assert len(read_table(b"code,name\n" + b"U,x\n" * 3, COLUMNS, max_rows=3).rows) == 3


def test_a_django_upload_is_read_by_its_content():
    upload = SimpleUploadedFile("ข้อมูล.csv", "code,name\nU1,กอง\n".encode())
    assert first_values(read_table(upload, COLUMNS))["name"] == "กอง"


def test_upload_size_limit_names_the_limit_in_mb(settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    assert check_upload_size(b"x" * 10) == 10
    with pytest.raises(TableError, match="2 MB"):
        check_upload_size(SimpleUploadedFile("a.xlsx", b"x" * (3 * 1024 * 1024)))
    with pytest.raises(TableError, match="2 MB"):
        check_upload_size(io.BytesIO(b"x" * (3 * 1024 * 1024)))
