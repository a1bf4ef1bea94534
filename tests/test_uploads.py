"""Hostile uploads through the real pages and commands: a clear Thai message, nothing saved.

Every import page (organization, KPI plans, results) and every import command
gets the same bad files: too big, a zip bomb, too many rows, a file that is
not what its name says, an empty file, a first sheet without our header, a
huge cell. Evidence files (the results page) are refused when too big, of a
refused type, or when their first bytes are not those of their extension.
"""

import functools
import io
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from appraisals import evidence as evidence_rules
from appraisals import importer as results_importer
from appraisals.models import Evidence, Result
from indicators import importer as kpis_importer
from indicators.models import KPI, KRA, HistoryEntry, Plan, Round
from kpi_portal import tabular
from orgchart import importer as org_importer
from orgchart.models import Node
from tests.factories_appraisals import make_plan as make_approved_plan
from tests.factories_appraisals import office_bytes
from tests.factories_plans import make_round
from tests.factories_security import (
    PDF_BYTES,
    PNG_BYTES,
    csv_bytes,
    lying_xlsx,
    padded_xlsx,
    upload,
    xlsx_bytes,
)

MB = 1024 * 1024
TOO_BIG = "ไฟล์มีขนาด 1.5 MB เกินขนาดสูงสุดที่รับได้ 1 MB"
UNPACKED = "ไฟล์ Excel นี้เมื่อแตกไฟล์แล้วมีขนาดใหญ่เกิน 1 MB"
TOO_MANY_ROWS = "ไฟล์มีข้อมูลเกิน 3 แถว กรุณาแบ่งเป็นหลายไฟล์"
DAMAGED = "อ่านไฟล์ Excel ไม่ได้ ไฟล์อาจเสียหาย"
NOT_XLSX = "ไฟล์นี้ไม่ใช่ไฟล์ Excel (.xlsx) ที่ถูกต้อง"
NOT_UTF8 = "ไฟล์ CSV ต้องเข้ารหัส UTF-8 (ใน Excel เลือกบันทึกเป็น “CSV UTF-8”) ไฟล์นี้ใช้การเข้ารหัสอื่น"
EMPTY_UPLOAD = "ไฟล์ที่ส่งว่างเปล่า"  # Django's own check, in Thai
EMPTY_CONTENT = "ไฟล์ว่างเปล่า ไม่มีข้อมูล"
NO_HEADER = "ไฟล์ไม่มีข้อมูล หรือแถวที่ 1 ไม่ใช่หัวตาราง"
MISSING_COLUMNS = "ขาดคอลัมน์ที่จำเป็น:"
HUGE_CELL = "ยาวเกิน 2,000 ตัวอักษร"
ONLY_XLSX_CSV = "รองรับเฉพาะไฟล์ .xlsx หรือ .csv"
NO_PENDING = "ไม่พบไฟล์ที่รอยืนยัน กรุณาอัปโหลดไฟล์อีกครั้ง"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def tracking_round(db) -> Round:
    """A second round, in tracking: the results import's round."""
    return make_round(2569, 2, status=Round.Status.TRACKING)


@dataclass
class Importer:
    """One import: its page, its command, and a file it would accept."""

    name: str
    url: str
    confirm_url: str
    header: list[str]
    row: list
    text_column: str  # a text column, for the huge cell
    round: Round | None = None

    def form(self, filename: str, content: bytes) -> dict:
        data = {"file": upload(filename, content)}
        if self.round is not None:
            data["round"] = self.round.pk
        return data

    def command(self, path: Path) -> None:
        if self.name == "org":
            call_command("import_org", str(path))
        else:
            command = "import_kpis" if self.name == "kpis" else "import_results"
            call_command(command, str(path), "--round", self.round.code)

    def huge_row(self) -> list:
        row = list(self.row)
        row[self.header.index(self.text_column)] = "ก" * 2_001
        return row


def org_page(agency) -> Importer:
    return Importer(
        name="org",
        url=reverse("orgchart:import"),
        confirm_url=reverse("orgchart:import_confirm"),
        header=["code", "parent_code", "kind", "name"],
        row=["N-X", "DIV", "กลุ่มงาน", "กลุ่มงานใหม่"],
        text_column="name",
    )


def kpis_page(agency, the_round) -> Importer:
    header = ["owner_code", "job", "kra", "kpi_code", "kpi", "unit", "scale"]
    header += [f"level_{n}" for n in range(1, 6)] + ["weight"]
    row = ["P-O1", "งานประจำ", "ผลสัมฤทธิ์หลัก", "P-O1-N1", "ตัวชี้วัดใหม่", "เรื่อง", "มากดี"]
    return Importer(
        name="kpis",
        url=reverse("indicators:import"),
        confirm_url=reverse("indicators:import_confirm"),
        header=header,
        row=[*row, 10, 20, 30, 40, 50, 100],
        text_column="kpi",
        round=the_round,
    )


def results_page(agency, tracking_round) -> Importer:
    plan = make_approved_plan(agency.officer1, tracking_round)
    code = plan.kpis.get(scale="higher").code
    return Importer(
        name="results",
        url=reverse("appraisals:import"),
        confirm_url=reverse("appraisals:import_confirm"),
        header=["kpi_code", "actual", "note"],
        row=[code, 77, "ตามรายงานประจำเดือน"],
        text_column="note",
        round=tracking_round,
    )


@pytest.fixture(params=["org", "kpis", "results"])
def importer(request, agency, the_round, tracking_round) -> Importer:
    if request.param == "org":
        return org_page(agency)
    if request.param == "kpis":
        return kpis_page(agency, the_round)
    return results_page(agency, tracking_round)


def counts() -> dict:
    """Everything an import could write."""
    models = (Node, get_user_model(), Plan, KRA, KPI, HistoryEntry, Result, Evidence)
    return {model.__name__: model.objects.count() for model in models}


def uploads_kept(private_media) -> list[Path]:
    folder = Path(private_media) / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def assert_refused(response, message, client, importer, before, private_media) -> None:
    """The message is on the page, nothing is saved, and nothing waits for a confirm."""
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page, page[-3000:]
    assert counts() == before
    assert uploads_kept(private_media) == []
    confirm = client.post(importer.confirm_url, {"action": "confirm"}, follow=True)
    assert NO_PENDING in confirm.content.decode()
    assert counts() == before


def limit_rows(monkeypatch, importer: Importer, limit: int) -> None:
    """Lower the row limit of one import (the real ones are 300,000 org rows, 1,200,000 KPIs)."""
    if importer.name in ("kpis", "org"):
        module = kpis_importer if importer.name == "kpis" else org_importer
        monkeypatch.setattr(module, "MAX_ROWS", limit)
        return
    monkeypatch.setattr(
        results_importer, "read_table", functools.partial(tabular.read_table, max_rows=limit)
    )


def numbered(importer: Importer, number: int) -> list:
    """The good row with its own code (a repeated code would be a different error)."""
    row = list(importer.row)
    if importer.name == "org":
        row[0] = f"N-X{number}"
    elif importer.name == "kpis":
        row[3] = f"P-O1-N{number}"
    return row


def first_sheet_is_a_cover(importer: Importer) -> bytes:
    """A workbook whose first sheet is a cover page; the data sits on the second sheet."""
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "ปก"
    cover.append(["รายงานประจำปี 2569"])
    cover.append(["จัดทำโดย", "กลุ่มงานบริหารทรัพยากรบุคคล"])
    data = workbook.create_sheet("ข้อมูล")
    data.append(importer.header)
    data.append(importer.row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Each bad file: (filename, content builder, message) ----------------------------

BAD_FILES = {
    "zip-bomb": (
        "data.xlsx",
        lambda imp: padded_xlsx(imp.header, [imp.row], unpacked=2 * MB),
        UNPACKED,
    ),
    "zip-bomb-lying-about-its-size": (
        "data.xlsx",
        lambda imp: lying_xlsx(imp.header, [imp.row], padding=5 * MB),
        DAMAGED,
    ),
    "text-named-xlsx": ("data.xlsx", lambda imp: csv_bytes(imp.header, [imp.row]), NOT_XLSX),
    "png-named-csv": ("data.csv", lambda imp: PNG_BYTES, NOT_UTF8),
    "pdf-named-xlsx": ("data.xlsx", lambda imp: PDF_BYTES, NOT_XLSX),
    "zip-that-is-not-a-workbook": (
        "data.xlsx",
        lambda imp: office_bytes("word/document.xml"),
        NOT_XLSX,
    ),
    "empty-file": ("data.csv", lambda imp: b"", EMPTY_UPLOAD),
    "only-blank-lines": ("data.csv", lambda imp: "\ufeff\r\n \r\n".encode(), EMPTY_CONTENT),
    "empty-workbook": ("data.xlsx", lambda imp: xlsx_bytes(None), NO_HEADER),
    "first-sheet-is-a-cover": ("data.xlsx", first_sheet_is_a_cover, MISSING_COLUMNS),
    "huge-cell-csv": ("data.csv", lambda imp: csv_bytes(imp.header, [imp.huge_row()]), HUGE_CELL),
    "huge-cell-xlsx": (
        "data.xlsx",
        lambda imp: xlsx_bytes(imp.header, [imp.huge_row()]),
        HUGE_CELL,
    ),
    "exe": ("data.exe", lambda imp: b"MZ\x90\x00" + b"\0" * 64, ONLY_XLSX_CSV),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_on_the_import_page_is_refused_with_a_thai_message(
    case, importer, client_for, agency, settings, private_media
):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1 * MB
    filename, build, message = BAD_FILES[case]
    client = client_for(agency.hr)
    before = counts()

    response = client.post(importer.url, importer.form(filename, build(importer)))

    assert_refused(response, message, client, importer, before, private_media)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    importer, client_for, agency, settings, private_media, monkeypatch
):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1 * MB
    read = []
    monkeypatch.setattr(tabular, "_detect_type", lambda *args: read.append(args))
    content = csv_bytes(importer.header, [importer.row]) + b"\n" * int(1.5 * MB)
    client = client_for(agency.hr)
    before = counts()

    response = client.post(importer.url, importer.form("data.csv", content))

    assert_refused(response, TOO_BIG, client, importer, before, private_media)
    assert read == []


def test_a_file_with_too_many_rows_is_refused(
    importer, client_for, agency, private_media, monkeypatch
):
    limit_rows(monkeypatch, importer, 3)
    rows = [numbered(importer, n) for n in range(4)]
    client = client_for(agency.hr)
    before = counts()

    response = client.post(
        importer.url, importer.form("data.csv", csv_bytes(importer.header, rows))
    )

    assert_refused(response, TOO_MANY_ROWS, client, importer, before, private_media)


def test_the_good_file_of_each_page_is_accepted(importer, client_for, agency, private_media):
    """The control: the same page takes the file these tests spoil, so the refusals are real."""
    client = client_for(agency.hr)
    before = counts()
    data = csv_bytes(importer.header, [importer.row])

    preview = client.post(importer.url, importer.form("data.csv", data))
    assert preview.status_code == 200
    assert len(uploads_kept(private_media)) == 1
    client.post(importer.confirm_url, {"action": "confirm"})

    assert counts() != before
    assert uploads_kept(private_media) == []


def test_no_expected_message_is_already_on_the_pages(importer, client_for, agency, tracking_round):
    """Guard: the messages asserted above appear only when something is refused."""
    messages = [message for _name, _build, message in BAD_FILES.values()]
    messages += [TOO_BIG, TOO_MANY_ROWS, NO_PENDING]
    messages += [message for _build, message in EVIDENCE_CASES.values()]
    import_page = client_for(agency.hr).get(importer.url).content.decode()
    plan = Plan.objects.filter(owner=agency.officer1, round=tracking_round).first()
    plan = plan or make_approved_plan(agency.officer1, tracking_round)
    results_url = reverse("appraisals:results", args=[plan.pk])
    results_page = client_for(agency.officer1).get(results_url).content.decode()

    assert [m for m in messages if m in import_page or m in results_page] == []


# The commands -------------------------------------------------------------------

COMMAND_CASES = (
    "zip-bomb",
    "zip-bomb-lying-about-its-size",
    "text-named-xlsx",
    "png-named-csv",
    "only-blank-lines",
    "empty-workbook",
    "first-sheet-is-a-cover",
    "huge-cell-xlsx",
)


@pytest.mark.parametrize("case", COMMAND_CASES)
def test_a_bad_file_given_to_the_import_command_is_refused(case, importer, tmp_path, settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1 * MB
    filename, build, message = BAD_FILES[case]
    path = tmp_path / filename
    path.write_bytes(build(importer))
    before = counts()

    with pytest.raises(CommandError) as refused:
        importer.command(path)

    assert message in str(refused.value)
    assert counts() == before


def test_an_empty_file_given_to_the_import_command_is_refused(importer, tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"")
    before = counts()

    with pytest.raises(CommandError) as refused:
        importer.command(path)

    assert EMPTY_CONTENT in str(refused.value)
    assert counts() == before


def test_the_import_command_refuses_too_many_rows(importer, tmp_path, monkeypatch):
    limit_rows(monkeypatch, importer, 1)
    path = tmp_path / "data.csv"
    path.write_bytes(csv_bytes(importer.header, [numbered(importer, 1), numbered(importer, 2)]))
    before = counts()

    with pytest.raises(CommandError) as refused:
        importer.command(path)

    assert "ไฟล์มีข้อมูลเกิน 1 แถว" in str(refused.value)
    assert counts() == before


# Evidence -----------------------------------------------------------------------


@pytest.fixture
def results_plan(agency, tracking_round) -> Plan:
    return make_approved_plan(agency.officer1, tracking_round)


def evidence_files(private_media) -> list[Path]:
    folder = Path(private_media) / "evidence"
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def post_result(client, plan, files, **headers):
    the_kpi = plan.kpis.get(scale="higher")
    url = reverse("appraisals:result_save", args=[plan.pk, the_kpi.pk])
    data = {"actual": "77", "note": "", "version": "0", "evidence": files}
    return client.post(url, data, **headers)


EVIDENCE_CASES = {
    "too-big": (
        lambda: [upload("big.pdf", PDF_BYTES + b"\0" * evidence_rules.EVIDENCE_MAX_BYTES)],
        "ไฟล์ big.pdf มีขนาดเกิน 10 MB",
    ),
    "refused-type": (
        lambda: [upload("setup.exe", b"MZ\x90\x00" + b"\0" * 64)],
        "ไฟล์ setup.exe เป็นชนิดที่ไม่รับ (รับเฉพาะ PDF, JPG, PNG, DOCX, XLSX)",
    ),
    "html-page": (
        lambda: [upload("page.html", b"<script>alert(1)</script>", "text/html")],
        "ไฟล์ page.html เป็นชนิดที่ไม่รับ",
    ),
    "png-named-pdf": (
        lambda: [upload("report.pdf", PNG_BYTES)],
        "ไฟล์ report.pdf ไม่ใช่ไฟล์ PDF จริง (เนื้อหาไฟล์ไม่ตรงกับนามสกุล)",
    ),
    "text-named-png": (
        lambda: [upload("photo.png", b"just some text")],
        "ไฟล์ photo.png ไม่ใช่ไฟล์ PNG จริง",
    ),
    "exe-named-jpg": (
        lambda: [upload("photo.jpg", b"MZ\x90\x00" + b"\0" * 64)],
        "ไฟล์ photo.jpg ไม่ใช่ไฟล์ JPG จริง",
    ),
    "workbook-named-docx": (
        lambda: [upload("memo.docx", office_bytes("xl/workbook.xml"))],
        "ไฟล์ memo.docx ไม่ใช่ไฟล์ DOCX จริง",
    ),
    "text-named-xlsx": (
        lambda: [upload("sheet.xlsx", b"a,b\n1,2\n")],
        "ไฟล์ sheet.xlsx ไม่ใช่ไฟล์ XLSX จริง",
    ),
    "empty": (lambda: [upload("empty.pdf", b"")], EMPTY_UPLOAD),
    "one-bad-among-good": (
        lambda: [upload("good.pdf", PDF_BYTES), upload("bad.png", PDF_BYTES)],
        "ไฟล์ bad.png ไม่ใช่ไฟล์ PNG จริง",
    ),
    "too-many": (
        lambda: [upload(f"page{n}.pdf", PDF_BYTES) for n in range(11)],
        "แนบหลักฐานได้ครั้งละไม่เกิน 10 ไฟล์",
    ),
}


@pytest.mark.parametrize("case", EVIDENCE_CASES)
def test_bad_evidence_is_refused_on_the_results_page_and_nothing_is_kept(
    case, agency, results_plan, client_for, private_media
):
    build, message = EVIDENCE_CASES[case]
    client = client_for(agency.officer1)
    before = counts()

    response = post_result(client, results_plan, build())

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert counts() == before  # not even the result typed next to the file
    assert evidence_files(private_media) == []


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_good_evidence_is_kept_under_a_random_name(
    htmx, agency, results_plan, client_for, private_media
):
    """The control for the refusals above."""
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    files = [
        upload("report.pdf", PDF_BYTES),
        upload("memo.docx", office_bytes("word/document.xml")),
    ]

    response = post_result(client_for(agency.officer1), results_plan, files, **headers)

    assert response.status_code in (200, 302)
    stored = evidence_files(private_media)
    assert len(stored) == 2 == Evidence.objects.count()
    assert {path.suffix for path in stored} == {".pdf", ".docx"}
    assert not any(path.stem in ("report", "memo") for path in stored)
