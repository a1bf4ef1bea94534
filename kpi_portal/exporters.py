"""Write reports as .xlsx in constant memory (pretix's ListExporter pattern).

Every report (round report, official form) is an Exporter that yields Sheets of
plain rows; one writer turns them into a workbook. Keeping the writing in one
place means every download gets the same safety (text that looks like a
formula is never evaluated by Excel) and the same memory profile (rows go to
disk as they come, so a 100,000-row report does not sit in memory).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, ClassVar

import xlsxwriter
from django.utils import timezone
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

__all__ = ["FORMATS", "Exporter", "Sheet", "escape_needed", "write_workbook"]

Progress = Callable[[int, int], None]

# Excel (and LibreOffice, and Google Sheets on import) start a formula with
# these; a leading tab or carriage return is the usual trick to hide one.
# The full-width forms are turned into formulas by some East Asian IMEs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

# Column format hints -> Excel number formats. "percent" takes percentage
# points (65 = 65%) and writes the fraction, as Excel expects, so the sheet
# shows 65.00% and formulas over it behave; read_table reads it back as 65.
FORMATS: dict[str, str | None] = {
    "text": None,
    "int": "#,##0",
    "decimal2": "#,##0.00",
    "decimal4": "#,##0.0000",
    "percent": "0.00%",
    "date": "yyyy-mm-dd",
}
_DEFAULT_DECIMAL = "#,##0.00"
_DATETIME = "yyyy-mm-dd hh:mm"
PROGRESS_EVERY = 1_000
_WIDTH_SAMPLE_ROWS = 1_000
_MIN_WIDTH, _MAX_WIDTH = 8, 60
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def escape_needed(text: str) -> bool:
    """True when Excel could read ``text`` as a formula (CSV/formula injection)."""
    return text.startswith(_FORMULA_STARTS)


@dataclass
class Sheet:
    """One worksheet: optional title lines, a header row, data rows, optional footer.

    ``rows`` may be a generator over a streaming queryset; it is read once.
    ``formats`` gives a hint per column (see FORMATS); ``widths`` overrides the
    widths guessed from the header and the first rows. The header row is
    frozen and filtered; ``preamble`` lines above it and ``footer`` lines below
    the data (totals) stay outside the filter.
    """

    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    formats: Sequence[str] | None = None
    widths: Sequence[float] | None = None
    preamble: Sequence[Sequence[Any]] = ()
    footer: Sequence[Sequence[Any]] = ()
    freeze: bool = True
    autofilter: bool = True

    def __post_init__(self) -> None:
        unknown = set(self.formats or ()) - set(FORMATS)
        if unknown:
            raise ValueError(f"unknown column formats {sorted(unknown)} in sheet {self.name!r}")


class Exporter:
    """A report: subclasses set ``identifier`` and ``title`` and yield sheets.

    The command, the download view and the background job all call
    ``write_workbook(exporter, target)``, so a report is defined once.
    """

    identifier: ClassVar[str] = ""
    title: ClassVar[str] = ""

    def filename(self) -> str:
        """Download name, without a directory."""
        return f"{self.identifier or 'report'}.xlsx"

    def sheets(self) -> Iterable[Sheet]:
        raise NotImplementedError

    def total_rows(self) -> int | None:
        """Data rows over all sheets, when cheap to know; lets progress show a percentage."""
        return None


class _Styles:
    """The few Format objects of a workbook, made once (xlsxwriter keeps every Format)."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.quoted = workbook.add_format({"quote_prefix": True})
        self.datetime = workbook.add_format({"num_format": _DATETIME})
        self.decimal = workbook.add_format({"num_format": _DEFAULT_DECIMAL})
        self.hint: dict[str, Format | None] = {
            name: workbook.add_format({"num_format": code}) if code else None
            for name, code in FORMATS.items()
        }


def write_workbook(
    exporter: Exporter,
    target: str | os.PathLike[str] | IO[bytes],
    *,
    progress: Progress | None = None,
) -> None:
    """Write ``exporter`` to a path or a binary file-like as .xlsx.

    ``progress(done, total)`` is called every PROGRESS_EVERY data rows and once
    at the end; ``total`` is ``exporter.total_rows()`` or 0 when unknown.
    """
    target = os.fspath(target) if isinstance(target, os.PathLike) else target
    workbook = xlsxwriter.Workbook(
        target,
        {
            # Rows are flushed to a temporary file as soon as the next row
            # starts, so memory stays flat whatever the row count.
            "constant_memory": True,
            "in_memory": False,
            # Never let text turn into numbers, formulas or links.
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
        },
    )
    total = exporter.total_rows() or 0
    done = 0
    try:
        styles = _Styles(workbook)
        used_names: set[str] = set()
        for sheet in exporter.sheets():
            worksheet = workbook.add_worksheet(_sheet_name(sheet.name, used_names))
            for _row in _write_sheet(worksheet, sheet, styles):
                done += 1
                if progress and done % PROGRESS_EVERY == 0:
                    progress(done, total)
    finally:
        workbook.close()
    if progress:
        progress(done, total)


def _sheet_name(name: str, used: set[str]) -> str:
    """Excel allows 31 characters, no []:*?/\\, and unique names (case-insensitive)."""
    base = _BAD_SHEET_CHARS.sub("_", str(name)).strip("'") or "Sheet"
    candidate, number = base[:31], 1
    while candidate.casefold() in used:
        number += 1
        suffix = f" ({number})"
        candidate = base[: 31 - len(suffix)] + suffix
    used.add(candidate.casefold())
    return candidate


def _write_sheet(worksheet: Worksheet, sheet: Sheet, styles: _Styles) -> Iterable[int]:
    """Write one sheet in row order (constant_memory forbids going back); yield per data row."""
    formats = list(sheet.formats or ())
    writers = [
        _column_writer(worksheet, styles, styles.hint.get(hint), hint == "percent")
        for hint in formats
    ]
    plain = _column_writer(worksheet, styles, None, False)
    width = len(sheet.headers)
    widths = [len(str(h)) for h in sheet.headers]
    row_index = 0
    for line_number, line in enumerate(sheet.preamble):
        text_format = styles.title if line_number == 0 else None
        for col, value in enumerate(line):
            _write_cell(worksheet, row_index, col, value, styles, None, False, text_format)
        row_index += 1
    header_row = row_index
    for col, header in enumerate(sheet.headers):
        worksheet.write_string(header_row, col, str(header), styles.header)
    row_index += 1
    rows = iter(sheet.rows)
    sampled = 0
    # The first rows also set the column widths; the rest only write.
    for sampled, values in enumerate(itertools.islice(rows, _WIDTH_SAMPLE_ROWS), start=1):
        _write_row(row_index, values, writers, plain)
        for col, value in enumerate(values[:width]):
            if value is not None:
                widths[col] = max(widths[col], len(str(value)))
        row_index += 1
        yield sampled - 1
    for data_index, values in enumerate(rows, start=sampled):
        _write_row(row_index, values, writers, plain)
        row_index += 1
        yield data_index
    last_data_row = row_index - 1
    for line in sheet.footer:
        _write_row(row_index, line, writers, plain)
        row_index += 1
    # Column widths, panes and the filter are stored apart from the cells, so
    # xlsxwriter accepts them after the rows even in constant_memory mode.
    for col in range(width):
        given = sheet.widths[col] if sheet.widths and col < len(sheet.widths) else None
        guess = min(_MAX_WIDTH, max(_MIN_WIDTH, widths[col] + 2))
        worksheet.set_column(col, col, given or guess)
    if sheet.freeze:
        worksheet.freeze_panes(header_row + 1, 0)
    if sheet.autofilter and width:
        worksheet.autofilter(header_row, 0, last_data_row, width - 1)


CellWriter = Callable[[int, int, Any], None]


def _write_row(row: int, values: Sequence[Any], writers: list[CellWriter], plain) -> None:
    count = len(writers)
    for col, value in enumerate(values):
        if value is not None:
            (writers[col] if col < count else plain)(row, col, value)


def _column_writer(
    worksheet: Worksheet, styles: _Styles, hint: Format | None, percent: bool
) -> CellWriter:
    """A writer for one column's cells, with its format chosen once.

    The same result as _write_cell, but the common types (text, whole and
    decimal numbers) are told apart by one type() look-up per cell: a report
    of 100,000 KPIs writes about two million cells.
    """
    write_string, write_number = worksheet.write_string, worksheet.write_number
    quoted, decimal = styles.quoted, hint or styles.decimal
    divisor = 100.0 if percent else 1.0

    def write(row: int, col: int, value: Any) -> None:
        kind = type(value)
        if kind is str:
            write_string(row, col, value, quoted if escape_needed(value) else None)
        elif kind is int:
            write_number(row, col, float(value) / divisor, hint)
        elif kind is Decimal or kind is float:
            write_number(row, col, float(value) / divisor, decimal)
        else:  # bool, dates, lazy text, anything else
            _write_cell(worksheet, row, col, value, styles, hint, percent)

    return write


def _write_cell(
    worksheet: Worksheet,
    row: int,
    col: int,
    value: Any,
    styles: _Styles,
    hint: Format | None,
    percent: bool,
    text_format: Format | None = None,
) -> None:
    """Write by Python type: numbers stay numbers, text is never a formula."""
    if value is None:
        return
    if isinstance(value, bool):
        worksheet.write_boolean(row, col, value)
    elif isinstance(value, int | float | Decimal):
        number = float(value)
        if percent:
            number /= 100
        fmt = hint
        if fmt is None and not isinstance(value, int):
            fmt = styles.decimal
        worksheet.write_number(row, col, number, fmt)
    elif isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)  # Excel has no time zones: show local time
        worksheet.write_datetime(row, col, value, hint or styles.datetime)
    elif isinstance(value, dt.date):
        worksheet.write_datetime(row, col, value, hint or styles.hint["date"])
    else:
        text = str(value)
        if escape_needed(text):
            worksheet.write_string(row, col, text, styles.quoted)
        else:
            worksheet.write_string(row, col, text, text_format)
