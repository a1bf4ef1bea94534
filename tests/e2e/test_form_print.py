"""Browser journey: the official forms printed to PDF by Chromium (issue 14.2-14.3).

officer1 has 8 KPIs with long Thai names and milestone steps, so the
achievement form runs over two A4 landscape pages. The assessor opens the
printable page and Chromium prints it (page.pdf, print media, the page's own
@page size). The PDF's text must hold the table header on every page, the
totals exactly once and after the last KPI, and the three signature lines
with their date lines. The pages are rendered to PNG for the HR guide.

Text and images come from poppler-utils (pdftotext, pdftoppm; `make e2e`
installs the package when missing): it reads Thai clusters back whole.
"""

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from appraisals.policy import policy_for
from appraisals.reports import form_data
from indicators.models import KRA, Plan, Round
from tests.e2e.conftest import SCREENSHOTS
from tests.factories_appraisals import make_kpi, set_status
from tests.factories_reports import make_appraisal, record

pytestmark = pytest.mark.django_db(transaction=True)

LONG_STEPS = (
    "แต่งตั้งคณะทำงานและกำหนดขอบเขตงาน",
    "จัดทำร่างแผนและรับฟังความคิดเห็นของผู้เกี่ยวข้อง",
    "ดำเนินการตามแผนครบทุกกิจกรรมที่กำหนด",
    "ติดตามและประเมินผลการดำเนินงานรายไตรมาส",
    "สรุปผลและเสนอผู้บริหารพร้อมข้อเสนอแนะ",
)
# Eight KPIs, weights 100 in all: higher, lower (t1 open) and milestone scales.
SPECS = [
    ("P1", "higher", (65, 70, 75, 80, 85), 15, 77),
    ("P2", "lower", (None, 35, 30, 25, 20), 15, 27),
    ("P3", "milestone", LONG_STEPS, 10, 5),
    ("P4", "higher", (60, 70, 80, 90, 95), 10, 82),
    ("P5", "milestone", LONG_STEPS, 10, 3),
    ("P6", "higher", (Decimal("70.5"), 75, 80, 85, 90), 15, 88),
    ("P7", "milestone", LONG_STEPS, 10, 4),
    ("P8", "higher", (1, 2, 3, 4, 5), 15, 4),
]


@pytest.fixture
def eight_kpi_plan(agency, the_round):
    set_status(the_round, Round.Status.ASSESSMENT)
    policy_for(the_round)
    plan = Plan.objects.create(owner=agency.officer1, round=the_round, status=Plan.Status.APPROVED)
    kra = KRA.objects.create(plan=plan, job="งานติดตามและประเมินผล", name="ผลสัมฤทธิ์หลักของกลุ่มงาน")
    for order, (code, scale, levels, weight, actual) in enumerate(SPECS):
        kpi = make_kpi(plan, kra, code, scale, levels, weight, order)
        kpi.name = (
            f"ร้อยละของหน่วยงานในสังกัดที่ดำเนินการ{code}แล้วเสร็จตามแผนปฏิบัติราชการประจำปี"
            "และรายงานผลต่อผู้บริหารภายในเวลาที่กำหนด"
        )
        kpi.save(update_fields=["name"])
        if scale == "milestone":
            record(kpi, milestones=actual)
        else:
            record(kpi, actual)
    make_appraisal(plan)
    return plan


def print_to_pdf(page, url: str, target: Path) -> Path:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    # Print media with the page's own @page size and margins (A4).
    target.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
    return target


def poppler(tool: str, *args: str) -> str:
    """Run a poppler-utils tool (pdftotext, pdfinfo, pdftoppm) and return its output."""
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: apt-get install poppler-utils (make e2e does)")
    return subprocess.run([path, *args], check=True, capture_output=True, text=True).stdout  # noqa: S603


def pdf_texts(pdf: Path, *, layout: bool = False) -> list[str]:
    """The text of each page; `layout` keeps the lines as laid out on the page."""
    options = ["-enc", "UTF-8", *(["-layout"] if layout else [])]
    pages = poppler("pdftotext", *options, str(pdf), "-").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_size(pdf: Path) -> tuple[float, float]:
    """Width and height of the first page, in points."""
    info = poppler("pdfinfo", str(pdf))
    line = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, _x, height = line.split(":", 1)[1].split()[:3]
    return float(width), float(height)


def save_png(pdf: Path, prefix: str) -> None:
    """forms-*-p1.png, -p2.png ... in docs/screenshots, for the HR guide."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob(f"{prefix}-p*.png"):
        old.unlink()
    poppler("pdftoppm", "-png", "-r", "80", str(pdf), str(SCREENSHOTS / f"{prefix}-p"))
    # pdftoppm names pages -1, -2 ... (or -01 past nine): keep one spelling.
    for path in SCREENSHOTS.glob(f"{prefix}-p-*.png"):
        path.rename(SCREENSHOTS / f"{prefix}-p{int(path.stem.rsplit('-', 1)[1])}.png")


def test_the_printed_form_repeats_its_header_and_prints_the_totals_once(
    person, eight_kpi_plan, watch, tmp_path
):
    assessor = person("grp_head")
    url = reverse("appraisals:form", args=[eight_kpi_plan.pk])
    pdf = print_to_pdf(assessor, url, tmp_path / "form.pdf")
    texts = pdf_texts(pdf)
    everything = "\n".join(texts)

    assert len(texts) >= 2, "eight KPIs should need a second page"
    # The table header on every page (thead repeats).
    for number, text in enumerate(texts, start=1):
        assert "ค่าเป้าหมาย" in text, f"no table header on page {number}"
        assert text.count("ตัวชี้วัด\n") >= 1, f"no table header on page {number}"
    # The totals once, after the last KPI (a tfoot would repeat on every page).
    assert everything.count("คะแนนรวม / 5") == 1
    data = form_data(eight_kpi_plan)
    assert everything.count(f"{data.weighted_total:,.2f}") == 1  # the total of ก x ข
    assert everything.count(f"{data.total_by_five:,.2f}") == 1  # the total / 5
    assert "คะแนนรวม / 5" in texts[-1]
    lines = pdf_texts(pdf, layout=True)[-1].splitlines()
    last_kpi = max(n for n, line in enumerate(lines) if line.lstrip().startswith("P8 "))
    assert next(n for n, line in enumerate(lines) if "คะแนนรวม / 5" in line) > last_kpi
    # Three signers, each with a name line, a position and a date line.
    assert everything.count("ลงชื่อ") == 3
    assert everything.count("..../..../....") == 3
    for signer in ("ผู้รับการประเมิน", "ผู้ประเมิน", "ผู้บังคับบัญชาเหนือขึ้นไป"):
        assert signer in texts[-1], signer
    assert "นายสมชาย ตั้งใจ" in texts[-1]
    assert pdf_size(pdf)[0] > pdf_size(pdf)[1]  # A4 landscape
    save_png(pdf, "forms-achievement")
    watch.finish()


def test_the_printed_summary_form_has_its_five_parts(person, eight_kpi_plan, watch, tmp_path):
    assessor = person("grp_head")
    url = reverse("appraisals:summary_form", args=[eight_kpi_plan.pk])
    pdf = print_to_pdf(assessor, url, tmp_path / "summary.pdf")
    everything = "\n".join(pdf_texts(pdf))
    for part in range(1, 6):
        assert f"ส่วนที่ {part}" in everything, part
    assert everything.count("..../..../....") >= 3
    width, height = pdf_size(pdf)
    assert height > width  # A4 portrait
    save_png(pdf, "forms-summary")
    watch.finish()
