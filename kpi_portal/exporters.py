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
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, ClassVar

import xlsxwriter
from django.utils import timezone
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

__all__ = [
    "FORMATS",
    "Exporter",
    "PrintSetup",
    "Ruled",
    "Sheet",
    "escape_needed",
    "write_workbook",
]

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
    # Numbers as entered: 75 shows 75 and 75.5 shows 75.5 (targets, levels).
    "general": "General",
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


def display_width(text: str) -> int:
    """Columns a text takes: Thai vowel and tone marks above or below take none."""
    lines = str(text).splitlines() or [""]
    return max(
        sum(1 for char in line if unicodedata.category(char) not in ("Mn", "Me", "Cf"))
        for line in lines
    )


def escape_needed(text: str) -> bool:
    """True when Excel could read ``text`` as a formula (CSV/formula injection)."""
    return text.startswith(_FORMULA_STARTS)


class Ruled(list):
    """A line of ``Sheet.after`` written in bordered cells (a small ruled table)."""


@dataclass(frozen=True)
class PrintSetup:
    """How a sheet prints: A4 (paper 9), fit to one page wide, header rows repeated.

    Margins in inches (left, right, top, bottom).
    """

    landscape: bool = False
    paper: int = 9
    fit_width: bool = True
    repeat_header: bool = True
    margins: tuple[float, float, float, float] = (0.4, 0.4, 0.6, 0.6)


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
    # Print layout (None: Excel's defaults); columns whose text wraps; thin
    # borders on the header, data and footer cells (the official forms);
    # lines written after the footer without borders (signature blocks).
    print_setup: PrintSetup | None = None
    wrap: Sequence[int] = ()
    borders: bool = False
    after: Sequence[Sequence[Any]] = ()

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
        self.workbook = workbook
        self._cells: dict[tuple, Format | None] = {}

    def cell(self, hint: str | None, *, wrap: bool = False, border: bool = False, bold=False):
        """The (shared) Format of a column hint with wrapping, borders, bold."""
        if not (wrap or border or bold):
            return self.hint.get(hint) if hint else None
        key = (hint, wrap, border, bold)
        if key not in self._cells:
            spec: dict[str, Any] = {"valign": "top"}
            code = FORMATS.get(hint or "text")
            if code:
                spec["num_format"] = code
            if wrap:
                spec["text_wrap"] = True
            if border:
                spec["border"] = 1
            if bold:
                spec["bold"] = True
            self._cells[key] = self.workbook.add_format(spec)
        return self._cells[key]

    def header_cell(self, border: bool) -> Format:
        if not border:
            return self.header
        return self.cell("text", wrap=True, border=True, bold=True)


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
    wrap = set(sheet.wrap)
    width = len(sheet.headers)
    count = max(len(formats), width)
    hints = [formats[col] if col < len(formats) else None for col in range(count)]
    writers = [
        _column_writer(
            worksheet,
            styles,
            styles.cell(hint, wrap=col in wrap, border=sheet.borders),
            hint == "percent",
            general=hint == "general",
        )
        for col, hint in enumerate(hints)
    ]
    plain = _column_writer(worksheet, styles, None, False)
    widths = [display_width(h) for h in sheet.headers]
    row_index = 0
    for line_number, line in enumerate(sheet.preamble):
        text_format = styles.title if line_number == 0 else None
        for col, value in enumerate(line):
            _write_cell(worksheet, row_index, col, value, styles, None, False, text_format)
        row_index += 1
    header_row = row_index
    header_format = styles.header_cell(sheet.borders)
    for col, header in enumerate(sheet.headers):
        worksheet.write_string(header_row, col, str(header), header_format)
    row_index += 1
    rows = iter(sheet.rows)
    sampled = 0
    # The first rows also set the column widths; the rest only write.
    for sampled, values in enumerate(itertools.islice(rows, _WIDTH_SAMPLE_ROWS), start=1):
        _write_row(row_index, values, writers, plain, sheet.borders)
        for col, value in enumerate(values[:width]):
            if value is not None:
                widths[col] = max(widths[col], display_width(value))
        row_index += 1
        yield sampled - 1
    for data_index, values in enumerate(rows, start=sampled):
        _write_row(row_index, values, writers, plain, sheet.borders)
        row_index += 1
        yield data_index
    last_data_row = row_index - 1
    for line in sheet.footer:
        _write_row(row_index, line, writers, plain, sheet.borders)
        row_index += 1
    if sheet.after:
        row_index += 1  # a blank line between the table and what follows
    ruled = styles.cell("general", wrap=True, border=True)
    for line in sheet.after:
        if isinstance(line, Ruled):
            for col, value in enumerate(line):
                if value is None or value == "":
                    worksheet.write_blank(row_index, col, None, ruled)
                else:
                    _write_cell(worksheet, row_index, col, value, styles, ruled, False, ruled)
        else:
            for col, value in enumerate(line):
                _write_cell(worksheet, row_index, col, value, styles, None, False)
        row_index += 1
    # Column widths, panes, the filter and the print setup are stored apart
    # from the cells, so xlsxwriter accepts them after the rows even in
    # constant_memory mode.
    for col in range(width):
        given = sheet.widths[col] if sheet.widths and col < len(sheet.widths) else None
        guess = min(_MAX_WIDTH, max(_MIN_WIDTH, widths[col] + 2))
        worksheet.set_column(col, col, given or guess)
    if sheet.freeze:
        worksheet.freeze_panes(header_row + 1, 0)
    if sheet.autofilter and width:
        worksheet.autofilter(header_row, 0, last_data_row, width - 1)
    if sheet.print_setup is not None:
        _print_setup(worksheet, sheet.print_setup, header_row)


def _print_setup(worksheet: Worksheet, setup: PrintSetup, header_row: int) -> None:
    worksheet.set_paper(setup.paper)
    if setup.landscape:
        worksheet.set_landscape()
    else:
        worksheet.set_portrait()
    if setup.fit_width:
        worksheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    if setup.repeat_header:
        worksheet.repeat_rows(header_row)
    left, right, top, bottom = setup.margins
    worksheet.set_margins(left=left, right=right, top=top, bottom=bottom)


CellWriter = Callable[[int, int, Any], None]


def _write_row(
    row: int, values: Sequence[Any], writers: list[CellWriter], plain, borders: bool = False
) -> None:
    """One row; a missing value (None or "") is left blank, never an empty string."""
    count = len(writers)
    for col, value in enumerate(values):
        if value is not None and value != "":
            (writers[col] if col < count else plain)(row, col, value)
        elif borders and col < count:
            # A bordered table keeps its lines where a cell is empty.
            writers[col](row, col, None)
    if borders and len(values) < count:
        for col in range(len(values), count):
            writers[col](row, col, None)


def _column_writer(
    worksheet: Worksheet,
    styles: _Styles,
    hint: Format | None,
    percent: bool,
    *,
    general: bool = False,
) -> CellWriter:
    """A writer for one column's cells, with its format chosen once.

    The same result as _write_cell, but the common types (text, whole and
    decimal numbers) are told apart by one type() look-up per cell: a report
    of 100,000 KPIs writes about two million cells.
    """
    write_string, write_number = worksheet.write_string, worksheet.write_number
    write_blank = worksheet.write_blank
    # A column's own format (wrap, borders, "general") applies to its text too.
    # (A number format means nothing to text, so any column format may serve it.)
    text_format = None
    if hint is not None and (general or hint.text_wrap or hint.left):
        text_format = hint
    quoted = styles.quoted if text_format is None else _quoted(styles, text_format)
    decimal = hint or styles.decimal
    divisor = 100.0 if percent else 1.0

    def write(row: int, col: int, value: Any) -> None:
        kind = type(value)
        if value is None:
            if hint is not None:
                write_blank(row, col, None, hint)
        elif kind is str:
            write_string(row, col, value, quoted if escape_needed(value) else text_format)
        elif kind is int:
            write_number(row, col, float(value) / divisor, hint)
        elif kind is Decimal or kind is float:
            write_number(row, col, float(value) / divisor, decimal)
        else:  # bool, dates, lazy text, anything else
            _write_cell(worksheet, row, col, value, styles, hint, percent, text_format)

    return write


def _quoted(styles: _Styles, base: Format) -> Format:
    """`base` plus Excel's quote prefix: text that looks like a formula stays text."""
    key = ("quoted", id(base))
    if key not in styles._cells:
        spec = {"quote_prefix": True, "valign": "top"}
        if base.text_wrap:
            spec["text_wrap"] = True
        if base.left:
            spec["border"] = 1
        styles._cells[key] = styles.workbook.add_format(spec)
    return styles._cells[key]


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
        if not text:
            return  # a missing value stays blank
        if escape_needed(text):
            quoted = styles.quoted if text_format is None else _quoted(styles, text_format)
            worksheet.write_string(row, col, text, quoted)
        else:
            worksheet.write_string(row, col, text, text_format)
