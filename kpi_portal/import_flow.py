"""The import pages' shared flow: upload, keep the file privately, preview, confirm.

HR uploads a table; the page checks it with a dry run and keeps the file in
PRIVATE_MEDIA_ROOT/uploads under a random name remembered in the session. The
confirm step reads that same file again and imports it for real, re-checked
against the database as it is at that moment, so what is saved is what the
checks saw. Files abandoned at the preview step are removed after a day.

Used by the org, KPI and results import pages; each keeps its own columns,
importer and wording.
"""

import io
import re
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpi_portal.tabular import TableError, check_upload_size

SUFFIXES = (".xlsx", ".csv")
STALE_SECONDS = 24 * 3600
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class TableUploadForm(forms.Form):
    """A spreadsheet upload: .xlsx or .csv, within the size limits of kpi_portal.tabular."""

    file = forms.FileField(
        label=gettext_lazy("ไฟล์ .xlsx หรือ .csv"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(_("รองรับเฉพาะไฟล์ .xlsx หรือ .csv"))
        try:
            check_upload_size(upload)
        except TableError as exc:
            raise forms.ValidationError(exc.message) from None
        return upload


def upload_dir() -> Path:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class PendingUpload:
    """The file one import page of this session checked and has not confirmed yet.

    `prefix` names the page ("org", "kpis", "results"): its files are
    uploads/<prefix>-<token><suffix>, its session key <prefix>_import.
    """

    def __init__(self, request, prefix: str):
        self.session = request.session
        self.prefix = prefix
        self.key = f"{prefix}_import"

    @property
    def info(self) -> dict:
        """What was remembered with the file (filename, round ...)."""
        return self.session.get(self.key) or {}

    @property
    def path(self) -> Path | None:
        """The kept file, if this session has one and it still exists."""
        token, suffix = str(self.info.get("token", "")), self.info.get("suffix", "")
        if not _TOKEN.match(token) or suffix not in SUFFIXES:
            return None
        found = upload_dir() / f"{self.prefix}-{token}{suffix}"
        return found if found.is_file() else None

    @property
    def filename(self) -> str:
        return self.info.get("filename", "")

    def keep(self, upload, **remember) -> Path:
        """Store the upload (replacing any earlier one of this page) and remember it."""
        self.forget()
        self._remove_stale()
        suffix = Path(upload.name).suffix.lower()
        token = secrets.token_hex(16)
        target = upload_dir() / f"{self.prefix}-{token}{suffix}"
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        self.session[self.key] = {
            "token": token,
            "suffix": suffix,
            "filename": upload.name,
            **remember,
        }
        return target

    def forget(self) -> None:
        found = self.path
        if found is not None:
            found.unlink(missing_ok=True)
        self.session.pop(self.key, None)

    def _remove_stale(self) -> None:
        limit = time.time() - STALE_SECONDS
        for old in upload_dir().glob(f"{self.prefix}-*"):
            try:
                if old.stat().st_mtime < limit:
                    old.unlink()
            except OSError:
                pass  # another request removed it first


@dataclass
class Outcome:
    """An import (or dry run) as the preview page shows it."""

    report: object | None = None
    file_error: str | None = None
    errors: list = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.file_error or self.errors)

    def context(self) -> dict:
        return {"report": self.report, "file_error": self.file_error, "errors": self.errors}


def attempt(run: Callable[[], object]) -> Outcome:
    """Run an importer; a file that cannot be read becomes the outcome's file_error."""
    try:
        report = run()
    except TableError as exc:
        return Outcome(file_error=exc.message, errors=exc.errors)
    return Outcome(report=report, errors=report.errors)


@dataclass(frozen=True)
class TemplateSheet:
    """What an import page's downloadable template holds."""

    title: str
    columns: Sequence  # kpi_portal.tabular columns (label, key, required)
    meanings: Sequence[tuple[object, object]]  # (column, what it means)
    examples: Iterable[Sequence]
    widths: Callable[[object], int]
    filename: str
    also_required: frozenset = frozenset()


def template_response(spec: TemplateSheet) -> HttpResponse:
    """An .xlsx with the Thai headers, example rows, and a sheet explaining the columns."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDE3EE", "border": 1})
    sheet = workbook.add_worksheet(spec.title)
    for index, column in enumerate(spec.columns):
        sheet.write_string(0, index, f"{column.label}*" if column.required else column.label, bold)
        sheet.set_column(index, index, spec.widths(column))
    for number, values in enumerate(spec.examples, start=1):
        for index, value in enumerate(values):
            if isinstance(value, int | float):
                sheet.write_number(number, index, value)
            elif value:
                sheet.write_string(number, index, value)
    sheet.freeze_panes(1, 0)
    notes = workbook.add_worksheet(_("คำอธิบาย"))
    for index, title in enumerate((_("คอลัมน์"), _("ชื่อคอลัมน์ภาษาอังกฤษ"), _("จำเป็น"), _("ความหมาย"))):
        notes.write_string(0, index, title, bold)
    for number, (column, meaning) in enumerate(spec.meanings, start=1):
        needed = column.required or column.key in spec.also_required
        for index, value in enumerate(
            (column.label, column.key, _("จำเป็น") if needed else "", str(meaning))
        ):
            notes.write_string(number, index, value)
    notes.set_column(0, 2, 20)
    notes.set_column(3, 3, 80)
    workbook.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{spec.filename}"'
    return response
