"""Read an uploaded .xlsx or .csv into checked rows, for every import.

One reader keeps the conventions of FORMATS.md ("Conventions for every
import") in one place: header matching by key or Thai label, all row errors
collected rather than the first one raised, and the file treated as hostile
(its type judged by content, zip bombs and huge cells refused) because it
comes from a browser.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.read_only import ReadOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

from kpi_portal.cells import CellError, Column, cell_text, normalize_name, prepare_cell

__all__ = [
    "Column",
    "ParsedRow",
    "RowError",
    "Table",
    "TableError",
    "check_upload_size",
    "read_table",
]

Upload = str | os.PathLike[str] | bytes | bytearray | IO[bytes]
Progress = Callable[[int, int], None]
PROGRESS_ROWS = 1_000
# Cells of one row: column number (1-based) -> (value, shown as a percentage).
Cells = dict[int, tuple[Any, bool]]

MB = 1024 * 1024
MAX_CELL_CHARS = 2_000
MAX_ZIP_MEMBERS = 1_000
MAX_ZIP_RATIO = 100
# Small members compress far better than 100:1 in honest files (an empty
# style sheet) and cannot hurt, so the ratio is checked only above this size.
ZIP_RATIO_MIN_BYTES = 1 * MB
DEFAULT_MAX_UNPACKED_BYTES = 1024 * MB
DEFAULT_MAX_UPLOAD_BYTES = 100 * MB
_SNIFF_BYTES = 64 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


@dataclass(frozen=True)
class RowError:
    """One problem to show the user: spreadsheet row (header is 1), column label, value."""

    row: int
    column: str
    value: str
    message: str


class TableError(Exception):
    """The file as a whole cannot be read; nothing in it should be imported."""

    def __init__(self, message: str, errors: list[RowError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


@dataclass
class ParsedRow:
    """A non-blank data row: converted ``values`` (None when empty or bad) and ``raw`` text."""

    number: int
    values: dict[str, Any]
    raw: dict[str, str]


@dataclass
class Table:
    """Rows and conversion errors of one file.

    ``present`` holds the keys of the columns the file has, so an import can
    tell "column left out" (keep the stored value) from "cell left empty".
    """

    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    present: frozenset[str] = frozenset()


def _mb(size: float) -> str:
    return format(round(size / MB, 1), "g")


def check_upload_size(upload: Upload) -> int:
    """Refuse an upload larger than ``settings.IMPORT_MAX_UPLOAD_BYTES``; return its size."""
    if isinstance(upload, bytes | bytearray | memoryview):
        size = len(upload)
    elif isinstance(upload, str | os.PathLike):
        size = os.path.getsize(upload)
    elif getattr(upload, "size", None) is not None:
        size = int(upload.size)  # type: ignore[union-attr]
    else:
        position = upload.tell()
        size = upload.seek(0, io.SEEK_END)
        upload.seek(position)
    limit = getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)
    if size > limit:
        raise TableError(
            _("ไฟล์มีขนาด %(size)s MB เกินขนาดสูงสุดที่รับได้ %(limit)s MB")
            % {"size": _mb(size), "limit": _mb(limit)}
        )
    return size


def read_table(
    upload: Upload,
    columns: Sequence[Column],
    *,
    filename: str | None = None,
    max_rows: int = 200_000,
    progress: Progress | None = None,
    keep: Callable[[ParsedRow], Any] | None = None,
) -> Table:
    """Read the first sheet of an .xlsx, or a UTF-8 .csv, against ``columns``.

    Row problems are collected in ``Table.errors`` so the user sees every bad
    row at once; problems with the file itself raise TableError.
    ``progress(rows read, rows in the file)`` is called as the rows come (the
    total is the sheet's stated size, or the CSV's line count) and at the end.
    ``keep(row)``, when given, turns each parsed row into what ``Table.rows``
    holds (a compact record), so a file of hundreds of thousands of rows does
    not sit in memory as dictionaries.
    """
    if filename is None:
        filename = _name_of(upload)
    with _open_binary(upload) as stream:
        if _detect_type(stream, filename) == "xlsx":
            _check_zip(stream)
            with _xlsx_rows(stream) as (rows, lines):
                return _build_table(_counted(rows, lines, progress), columns, max_rows, keep)
        lines = _count_lines(stream) if progress else 0
        return _build_table(_counted(_csv_rows(stream), lines, progress), columns, max_rows, keep)


def _count_lines(stream: IO[bytes]) -> int:
    start, count = stream.tell(), 0
    while chunk := stream.read(1 << 20):
        count += chunk.count(b"\n")
    stream.seek(start)
    return count


def _counted(
    rows: Iterator[tuple[int, Cells]], lines: int, progress: Progress | None
) -> Iterator[tuple[int, Cells]]:
    """The rows, telling ``progress`` every PROGRESS_ROWS data rows (the header is row 1)."""
    if progress is None:
        yield from rows
        return
    total, number = max(lines - 1, 0), 1
    progress(0, total)
    for number, cells in rows:
        yield number, cells
        if number % PROGRESS_ROWS == 0:
            progress(number - 1, max(total, number - 1))
    progress(number - 1, number - 1)


def _name_of(upload: Upload) -> str | None:
    if isinstance(upload, str | os.PathLike):
        return os.fspath(upload)
    name = getattr(upload, "name", None)
    return name if isinstance(name, str) else None


@contextmanager
def _open_binary(upload: Upload) -> Iterator[IO[bytes]]:
    """Give a seekable binary stream; close only what this function opened."""
    if isinstance(upload, bytes | bytearray | memoryview):
        yield io.BytesIO(upload)
    elif isinstance(upload, str | os.PathLike):
        with open(upload, "rb") as stream:
            yield stream
    elif getattr(upload, "seekable", lambda: False)():
        upload.seek(0)
        yield upload
    else:
        yield io.BytesIO(upload.read())


def _detect_type(stream: IO[bytes], filename: str | None) -> str:
    """Judge by content; the name only decides which message fits best."""
    head = stream.read(_SNIFF_BYTES)
    stream.seek(0)
    suffix = Path(filename).suffix.lower() if filename else ""
    if not head.strip(b" \t\r\n\xef\xbb\xbf") and len(head) < _SNIFF_BYTES:
        raise TableError(_("ไฟล์ว่างเปล่า ไม่มีข้อมูล"))
    if head.startswith(b"PK"):
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        raise TableError(_("ไฟล์นี้เป็น Excel รุ่นเก่า (.xls) หรือมีรหัสผ่าน กรุณาบันทึกเป็น .xlsx หรือ CSV UTF-8"))
    if suffix in _SPREADSHEET_SUFFIXES:
        raise TableError(_("ไฟล์นี้ไม่ใช่ไฟล์ Excel (.xlsx) ที่ถูกต้อง"))
    if suffix not in (".csv", ""):
        raise TableError(
            _("ไม่รองรับไฟล์ประเภท %(suffix)s ใช้ได้เฉพาะ .xlsx หรือ .csv") % {"suffix": suffix}
        )
    _decode_chunk(codecs.getincrementaldecoder("utf-8-sig")(), head, final=False)
    return "csv"


def _not_utf8() -> TableError:
    return TableError(
        _("ไฟล์ CSV ต้องเข้ารหัส UTF-8 (ใน Excel เลือกบันทึกเป็น “CSV UTF-8”) ไฟล์นี้ใช้การเข้ารหัสอื่น")
    )


def _decode_chunk(decoder: codecs.IncrementalDecoder, chunk: bytes, *, final: bool) -> str:
    if b"\0" in chunk:
        # UTF-16 text and binary files hold NUL bytes; no UTF-8 CSV does.
        raise _not_utf8()
    try:
        return decoder.decode(chunk, final)
    except UnicodeDecodeError as exc:
        raise _not_utf8() from exc


def _check_zip(stream: IO[bytes]) -> None:
    """Refuse zip bombs and non-workbooks before openpyxl unpacks anything."""
    limit = getattr(settings, "IMPORT_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)
    too_big = TableError(
        _("ไฟล์ Excel นี้เมื่อแตกไฟล์แล้วมีขนาดใหญ่เกิน %(limit)s MB") % {"limit": _mb(limit)}
    )
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise TableError(_("ไฟล์นี้ไม่ใช่ไฟล์ Excel (.xlsx) ที่ถูกต้อง")) from exc
    finally:
        stream.seek(0)
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise TableError(_("ไฟล์นี้ไม่ใช่ไฟล์ Excel (.xlsx) ที่ถูกต้อง"))
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > limit:
        raise too_big
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > ZIP_RATIO_MIN_BYTES and ratio > MAX_ZIP_RATIO:
            raise too_big


class _CachedValueParser(WorkSheetParser):
    """openpyxl's sheet parser, but a formula without a cached value gives its text.

    With ``data_only`` openpyxl drops such a formula to None; we want the user
    to see what they typed ("=A1*2"), and we never evaluate it.
    """

    def parse_cell(self, element: Any) -> dict[str, Any]:
        cell = super().parse_cell(element)
        if cell["value"] is None:
            formula = element.find(FORMULA_TAG)
            if formula is not None and formula.text:
                cell["value"] = "=" + formula.text
                cell["data_type"] = "s"
        return cell


@contextmanager
def _xlsx_rows(stream: IO[bytes]) -> Iterator[tuple[Iterator[tuple[int, Cells]], int]]:
    """Stream the first sheet row by row; also the row count the sheet states (or 0).

    Driving openpyxl's parser ourselves (openpyxl is pinned) avoids building a
    cell object per cell and lets formulas without a cached value come through
    as text; number formats are looked up once per style.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise TableError(_("อ่านไฟล์ Excel ไม่ได้ ไฟล์อาจเสียหาย")) from exc

    def rows() -> Iterator[tuple[int, Cells]]:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        percent_styles: dict[int, bool] = {}
        try:
            with workbook._archive.open(sheet._worksheet_path) as source:
                parser = _CachedValueParser(
                    source,
                    sheet._shared_strings,
                    data_only=True,
                    epoch=workbook.epoch,
                    date_formats=workbook._date_formats,
                    timedelta_formats=workbook._timedelta_formats,
                )
                for number, parsed in parser.parse():
                    cells: Cells = {}
                    for cell in parsed:
                        value, style = cell["value"], cell["style_id"]
                        percent = False
                        if style and isinstance(value, int | float):
                            if style not in percent_styles:
                                probe = ReadOnlyCell(sheet, 1, 1, None, "n", style)
                                percent_styles[style] = "%" in probe.number_format
                            percent = percent_styles[style]
                        cells[cell["column"]] = (value, percent)
                    yield number, cells
        except TableError:
            raise
        except Exception as exc:
            raise TableError(_("อ่านไฟล์ Excel ไม่ได้ ไฟล์อาจเสียหาย")) from exc

    try:
        try:
            stated = workbook.worksheets[0].max_row or 0
        except Exception:  # a damaged dimension: the rows themselves will tell
            stated = 0
        yield rows(), stated
    finally:
        workbook.close()


def _csv_rows(stream: IO[bytes]) -> Iterator[tuple[int, Cells]]:
    """Stream a UTF-8 CSV; the delimiter (comma, semicolon or tab) is taken from the header."""
    lines = _text_lines(stream)
    first = next(lines, None)
    if first is None:
        return
    delimiter = max(",;\t", key=lambda d: (first.count(d), d == ","))
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            yield number, {i: (v, False) for i, v in enumerate(record, start=1)}
    except csv.Error as exc:
        raise TableError(_("รูปแบบไฟล์ CSV ไม่ถูกต้องที่แถว %(row)s") % {"row": number + 1}) from exc


def _text_lines(stream: IO[bytes]) -> Iterator[str]:
    """Decode in chunks, splitting on "\\n" only so quoted line breaks stay intact."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    while chunk := stream.read(_SNIFF_BYTES):
        lines = (pending + _decode_chunk(decoder, chunk, final=False)).split("\n")
        pending = lines.pop()
        for line in lines:
            yield line + "\n"
    pending += _decode_chunk(decoder, b"", final=True)
    if pending:
        yield pending


def _oversized(number: int, column: str, value: str) -> TableError:
    message = _("ข้อความในแถว %(row)s คอลัมน์ %(column)s ยาวเกิน %(max)s ตัวอักษร") % {
        "row": number,
        "column": column,
        "max": f"{MAX_CELL_CHARS:,}",
    }
    return TableError(message, [RowError(number, column, value[:50] + "…", message)])


def _build_table(
    rows: Iterator[tuple[int, Cells]],
    columns: Sequence[Column],
    max_rows: int,
    keep: Callable[[ParsedRow], Any] | None = None,
) -> Table:
    first = next(rows, None)
    if first is not None and first[0] != 1:  # row 1 is blank: no header
        rows = itertools.chain([first], rows)
        first = (1, {})
    header_cells = first[1] if first else {}
    titles = {i: cell_text(v) for i, (v, _p) in header_cells.items()}
    for index, title in titles.items():
        if len(title) > MAX_CELL_CHARS:
            raise _oversized(1, get_column_letter(index), title)
    titles = {i: t for i, t in titles.items() if t}
    if not titles:
        raise TableError(_("ไฟล์ไม่มีข้อมูล หรือแถวที่ 1 ไม่ใช่หัวตาราง"))

    by_name = {name: column for column in columns for name in column.names()}
    mapping: dict[int, Column] = {}
    for index, title in titles.items():
        column = by_name.get(normalize_name(title))
        if column is None:
            continue
        if column.key in {c.key for c in mapping.values()}:
            message = _("คอลัมน์ %(column)s ปรากฏมากกว่าหนึ่งครั้ง") % {"column": column.label}
            raise TableError(message, [RowError(1, column.label, title, message)])
        mapping[index] = column
    present = frozenset(column.key for column in mapping.values())
    missing = [c.label for c in columns if c.required and c.key not in present]
    if missing:
        message = _("ขาดคอลัมน์ที่จำเป็น: %(columns)s") % {"columns": ", ".join(missing)}
        raise TableError(message, [RowError(1, ", ".join(missing), "", message)])

    table = Table(present=present)
    for number, cells in rows:
        for index, (value, _percent) in cells.items():
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                column = titles.get(index) or get_column_letter(index)
                raise _oversized(number, column, value)
        row = _parse_row(number, cells, mapping, columns, table.errors)
        if row is None:
            continue
        if len(table.rows) >= max_rows:
            raise TableError(
                _("ไฟล์มีข้อมูลเกิน %(max)s แถว กรุณาแบ่งเป็นหลายไฟล์") % {"max": f"{max_rows:,}"}
            )
        table.rows.append(row if keep is None else keep(row))
    return table


def _parse_row(
    number: int,
    cells: Cells,
    mapping: dict[int, Column],
    columns: Sequence[Column],
    errors: list[RowError],
) -> ParsedRow | None:
    """Convert one row; None when every known column is empty (a blank row)."""
    found: dict[str, tuple[Any, str, str]] = {}
    blank = True
    for index, column in mapping.items():
        value, percent = cells.get(index, (None, False))
        value, text = prepare_cell(value, percent=percent)
        # the raw text is what the user sees: a percentage keeps its sign
        raw = text + "%" if percent and isinstance(value, Decimal) else text
        found[column.key] = (value, text, raw)
        blank = blank and not text
    if blank:
        return None
    row = ParsedRow(number=number, values={}, raw={})
    for column in columns:
        value, text, raw = found.get(column.key, (None, "", ""))
        row.raw[column.key] = raw
        row.values[column.key] = None
        if not text:
            if column.required:
                errors.append(RowError(number, column.label, "", _("ต้องระบุค่า")))
            continue
        try:
            row.values[column.key] = column.convert(value, text)
        except CellError as exc:
            errors.append(RowError(number, column.label, raw, str(exc)))
    return row
