"""Browser journey: HR imports KPI plans, downloads a round report, views the dashboard.

The import is checked first: a file with bad rows is listed row by row and
nothing is saved; the corrected file is previewed, confirmed, and the plans
exist. Then the report of an earlier round (2568/2, in assessment, with
results built with the ORM) is downloaded: three sheets, in order. Last, the
dashboard draws its Chart.js chart of rating bands.
"""

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from indicators.models import KPI, Plan, Round
from tests.e2e.helpers import hr_menu, menu
from tests.factories_reports import make_round, standard_results

pytestmark = pytest.mark.django_db(transaction=True)

# Reported bugs this journey runs into (see the e2e report); remove each line, and the
# xfail marker with the last one, when it is fixed.
KNOWN_BUGS: dict[str, str] = {}
HEADERS = (
    "รหัสผู้รับผิดชอบ",
    "งาน/โครงการ",
    "ผลสัมฤทธิ์หลัก",
    "รหัสตัวชี้วัด",
    "ตัวชี้วัด",
    "หน่วยนับ",
    "เกณฑ์",
    "ระดับ 1",
    "ระดับ 2",
    "ระดับ 3",
    "ระดับ 4",
    "ระดับ 5",
    "น้ำหนัก",
    "มิติ",
    "วิธีการประเมิน",
)
JOB = "งานติดตามและประเมินผล"
GOOD_ROWS = (
    ("P-O2", JOB, "รายงานผลทันเวลา", "IMP-O2-1", "จำนวนรายงานที่จัดทำแล้วเสร็จ", "ฉบับ",
     "มากดี", 4, 6, 8, 10, 12, 60, "ปริมาณ", "นับจากทะเบียนรายงาน"),
    ("P-O2", JOB, "รายงานผลทันเวลา", "IMP-O2-2", "จำนวนวันที่ส่งรายงานล่าช้า", "วัน",
     "น้อยดี", None, 10, 7, 5, 3, 40, "เวลา", "เทียบกับปฏิทินงาน"),
    ("P-O3", "งานพัฒนาระบบ", "ระบบใช้งานได้", "IMP-O3-1", "ระดับความสำเร็จของการพัฒนาระบบ",
     "ระดับ", "ขั้นตอน", "วิเคราะห์ความต้องการ", "ออกแบบระบบ", "พัฒนาระบบ", "ทดสอบ",
     "ใช้งานจริง", 100, "คุณภาพ", "หลักฐานการส่งมอบ"),
)  # fmt: skip
# Row 3 of the file: level 4 is not a number. Row 5: nobody has the code P-ZZ.
BAD_ROWS = (
    GOOD_ROWS[0],
    (*GOOD_ROWS[1][:10], "ห้า", *GOOD_ROWS[1][11:]),
    GOOD_ROWS[2],
    ("P-ZZ", *GOOD_ROWS[0][1:3], "IMP-ZZ-1", *GOOD_ROWS[0][4:]),
)


def workbook_file(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "นำเข้าตัวชี้วัด"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def earlier_round(agency):
    """Round 2568/2 in assessment, with results and appraisals across the agency."""
    the_round = make_round(2568, 2, status=Round.Status.ASSESSMENT)
    standard_results(agency, the_round)
    return the_round


def sheet_rows(sheet):
    return [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]


def test_hr_imports_plans_downloads_the_report_and_views_the_dashboard(
    person, agency, the_round, earlier_round, shot, watch, tmp_path
):
    for bug, pattern in KNOWN_BUGS.items():
        watch.known(bug, pattern)
    bad = workbook_file(tmp_path / "ตัวชี้วัด-รอบ1-ร่าง.xlsx", BAD_ROWS)
    good = workbook_file(tmp_path / "ตัวชี้วัด-รอบ1.xlsx", GOOD_ROWS)
    hr = person("hr")

    # A file with bad rows: every bad row is listed, nothing is saved.
    hr_menu(hr, "นำเข้าตัวชี้วัด").click()
    expect(hr.get_by_role("heading", name="นำเข้าแผนตัวชี้วัด")).to_be_visible()
    hr.get_by_label("รอบการประเมิน").select_option(label="2569/1")
    hr.get_by_label("ไฟล์ .xlsx หรือ .csv").set_input_files(bad)
    hr.get_by_role("button", name="ตรวจสอบไฟล์").click()
    expect(hr.get_by_role("alert")).to_contain_text("ไฟล์นี้ยังนำเข้าไม่ได้")
    expect(hr.get_by_role("alert")).to_contain_text("ไม่ได้บันทึกข้อมูลใด ๆ")
    errors = hr.locator("#import-errors tbody tr")
    expect(errors.filter(has_text="ห้า")).to_have_count(1)
    expect(errors.filter(has_text="ห้า").get_by_role("cell").first).to_have_text("3")
    expect(errors.filter(has_text="P-ZZ").get_by_role("cell").first).to_have_text("5")
    expect(hr.get_by_role("button", name="ยืนยันการนำเข้า")).to_have_count(0)
    shot(hr, "hr-import-errors")
    assert not Plan.objects.filter(round=the_round).exists()
    assert not KPI.objects.filter(round=the_round).exists()

    # The corrected file, from the same page: a preview, then confirm.
    hr.get_by_label("อัปโหลดไฟล์ที่แก้ไขแล้ว").set_input_files(good)
    hr.get_by_role("button", name="ตรวจสอบไฟล์").click()
    expect(hr.get_by_role("heading", name=re.compile("ตรวจสอบไฟล์"))).to_contain_text("2569/1")
    expect(hr.locator("#count-owners")).to_have_text("2")
    expect(hr.locator("#count-created")).to_have_text("3")
    owners = hr.locator("#import-owners")
    expect(owners.get_by_role("row").filter(has_text="P-O2")).to_contain_text("นางสาวสมหญิง ขยัน")
    expect(owners.get_by_role("row").filter(has_text="P-O3")).to_contain_text("นายสมศักดิ์ วิเคราะห์")
    shot(hr, "hr-import-preview")
    assert not KPI.objects.filter(round=the_round).exists()  # a preview saves nothing
    hr.get_by_role("button", name="ยืนยันการนำเข้า").click()
    expect(hr.get_by_text(re.compile(r"นำเข้าตัวชี้วัดรอบ 2569/1 เรียบร้อย: ตัวชี้วัดใหม่ 3"))).to_be_visible()
    plans = {p.owner.code: p for p in Plan.objects.filter(round=the_round).select_related("owner")}
    assert set(plans) == {"P-O2", "P-O3"}
    assert plans["P-O2"].status == Plan.Status.DRAFT
    assert sorted(plans["P-O2"].kpis.values_list("code", flat=True)) == ["IMP-O2-1", "IMP-O2-2"]
    assert plans["P-O2"].kpis.get(code="IMP-O2-2").level_1 is None  # the open level 1
    assert plans["P-O3"].kpis.get().scale == KPI.Scale.MILESTONE
    watch.check()

    # The report of round 2568/2: three sheets, in order.
    hr_menu(hr, "รายงานรอบการประเมิน").click()
    hr.get_by_label("รอบการประเมิน").select_option(label="2568/2 (ประเมินผล)")
    with hr.expect_download() as download_info:
        hr.get_by_role("button", name="ดาวน์โหลดรายงาน (Excel)").click()
    download = download_info.value
    assert download.suggested_filename == "round-2568-2.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes()))
    # The three sheets, then the one monitoring adds (KPIs by progress status).
    assert book.sheetnames == ["สรุปรายหน่วยงาน", "รายบุคคล", "รายตัวชี้วัด", "ความก้าวหน้าระหว่างรอบ"]
    people = sheet_rows(book["รายบุคคล"])
    officer1 = next(row for row in people if "นายสมชาย ตั้งใจ" in row)
    assert "ดี" in officer1
    assert not any("นายคนนอก" in row for row in people)  # another department's officer
    kpi_codes = {cell for row in sheet_rows(book["รายตัวชี้วัด"]) for cell in row}
    assert {"O1-1", "O1-2", "O1-3"} <= kpi_codes
    watch.check()

    # The dashboard: the chart of rating bands is drawn.
    menu(hr, "ภาพรวมรอบ").click()
    expect(hr.get_by_role("heading", name=re.compile("ภาพรวมรอบการประเมิน"))).to_be_visible()
    hr.get_by_label("รอบการประเมิน").select_option(label="2568/2 (ประเมินผล)")
    hr.get_by_role("button", name="แสดง").click()
    chart = hr.get_by_role("img", name="จำนวนผู้รับการประเมินตามระดับผลการประเมิน")
    expect(chart).to_be_visible()
    # Drawn, and done animating (the screenshot shows the bars at full height).
    hr.wait_for_function(
        """() => {
            const chart = window.Chart && Chart.getChart(document.getElementById('band-chart'));
            return chart && !Chart.animator.running(chart);
        }"""
    )
    drawn = hr.evaluate(
        """() => {
            const canvas = document.getElementById('band-chart');
            const chart = Chart.getChart(canvas);
            return {width: canvas.width, height: canvas.height,
                    bars: chart.data.datasets.length, labels: chart.data.labels,
                    font: chart.options.font.family};
        }"""
    )
    if "Sarabun" not in drawn["font"]:
        watch.note(
            f"dashboard: the chart draws its Thai labels in {drawn['font']!r}, not the page's "
            "Sarabun: without a Thai system font they are boxes (docs/screenshots/dashboard.png)"
        )
    assert drawn["width"] > 0 and drawn["height"] > 0
    assert drawn["bars"] == 5  # one series per rating band
    assert "สำนักแผนงาน" in drawn["labels"]
    expect(hr.locator("#total-assessed")).to_have_text("2")
    division = hr.locator("#dashboard-table").get_by_role("row").filter(has_text="สำนักแผนงาน")
    expect(division.get_by_role("progressbar").first).to_be_visible()
    shot(hr, "dashboard")
    watch.finish()
