"""Evidence files: which files are accepted, and how they are stored.

A file is accepted when its extension is allowed AND its first bytes are
those of that type (a renamed .exe is not a PDF), and it is at most
EVIDENCE_MAX_BYTES. Files are stored under a random name in the private
storage (appraisals.models.EvidenceStorage); the name the user gave is kept
for the download only.
"""

import os
import uuid
import zipfile
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

from appraisals.models import Evidence, Result

# Like a setting: a deployment may set EVIDENCE_MAX_BYTES in the settings.
EVIDENCE_MAX_BYTES = getattr(settings, "EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
EVIDENCE_MAX_FILES = 10

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ALLOWED_LABEL = "PDF, JPG, PNG, DOCX, XLSX"
_MAGIC = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
# Office files are zip archives; the part that makes them Word or Excel.
_OFFICE_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def max_megabytes() -> int:
    return EVIDENCE_MAX_BYTES // (1024 * 1024)


def _extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def _matches_type(upload, extension: str) -> bool:
    upload.seek(0)
    try:
        if extension in _OFFICE_PART:
            try:
                with zipfile.ZipFile(upload) as archive:
                    return _OFFICE_PART[extension] in archive.namelist()
            except (zipfile.BadZipFile, OSError, ValueError):
                return False
        head = upload.read(16)
        return any(head.startswith(magic) for magic in _MAGIC[extension])
    finally:
        upload.seek(0)


def evidence_check(upload) -> str:
    """The file's extension when it may be stored, else a ValidationError in Thai."""
    name = os.path.basename(upload.name or "")
    extension = _extension(name)
    if extension not in CONTENT_TYPES:
        raise ValidationError(
            _("ไฟล์ %(name)s เป็นชนิดที่ไม่รับ (รับเฉพาะ %(allowed)s)")
            % {"name": name, "allowed": ALLOWED_LABEL},
            code="evidence_type",
        )
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("ไฟล์ %(name)s มีขนาดเกิน %(max)s MB") % {"name": name, "max": max_megabytes()},
            code="evidence_size",
        )
    if upload.size == 0 or not _matches_type(upload, extension):
        raise ValidationError(
            _("ไฟล์ %(name)s ไม่ใช่ไฟล์ %(type)s จริง (เนื้อหาไฟล์ไม่ตรงกับนามสกุล)")
            % {"name": name, "type": extension.upper()},
            code="evidence_content",
        )
    return extension


def evidence_check_all(uploads: Iterable) -> list[tuple[object, str]]:
    """Check every file before anything is stored: all are accepted, or none."""
    uploads = list(uploads)
    if len(uploads) > EVIDENCE_MAX_FILES:
        raise ValidationError(
            _("แนบหลักฐานได้ครั้งละไม่เกิน %(max)s ไฟล์") % {"max": EVIDENCE_MAX_FILES},
            code="evidence_count",
        )
    errors, checked = [], []
    for upload in uploads:
        try:
            checked.append((upload, evidence_check(upload)))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors, code="evidence")
    return checked


def evidence_store(*, result: Result, upload, extension: str, by) -> Evidence:
    """Store one checked file under a random name (call inside the service's transaction)."""
    original = os.path.basename(upload.name or "")[:255] or f"evidence.{extension}"
    evidence = Evidence(
        result=result,
        original_name=original,
        size=upload.size,
        content_type=CONTENT_TYPES[extension],
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    upload.seek(0)
    evidence.file.save(f"{uuid.uuid4().hex}.{extension}", File(upload), save=False)
    evidence.save()
    return evidence
