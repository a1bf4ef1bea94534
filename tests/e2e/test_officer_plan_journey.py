"""Browser journey: an officer builds a plan, the supervisor returns it, then approves it.

officer1 writes 3 KRAs and 5 KPIs on the plan page (htmx, in place), one of
each scale, and watches the weight total turn from red to green at 100;
submits; grp_head returns the plan with a comment; officer1 reads it, fixes
the KPI and resubmits; grp_head approves; the plan is locked and shows who
approved it and when, in the Buddhist Era.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from indicators.models import Plan
from tests.e2e.helpers import (
    GREEN,
    RED,
    KpiSpec,
    add_kpi,
    add_kra,
    be_datetime_pattern,
    field,
    kpi_row,
    menu,
    weight_total,
)

pytestmark = pytest.mark.django_db(transaction=True)

JOB_REPORTS = "งานติดตามและประเมินผล"
JOB_SYSTEM = "งานพัฒนาระบบสารสนเทศ"
JOB_SERVICE = "งานบริการข้อมูล"
KRA_REPORTS = "รายงานผลการดำเนินงานทันเวลาและถูกต้อง"
KRA_SYSTEM = "ระบบติดตามผลใช้งานได้จริง"
KRA_SERVICE = "ผู้รับบริการได้รับข้อมูลรวดเร็ว"

REPORTS = KpiSpec(
    name="จำนวนรายงานติดตามผลที่จัดทำแล้วเสร็จ",
    scale="มากดี",
    levels=(4, 6, 8, 10, 12),
    weight="30",
    unit="ฉบับ",
)
ERRORS = KpiSpec(
    name="จำนวนข้อผิดพลาดในรายงานที่ตรวจพบ",
    scale="น้อยดี",
    levels=(None, 35, 30, 25, 20),  # level 1 open: any result reaches it
    weight="20",
    unit="ครั้ง",
    category="คุณภาพ",
    kind="ประสิทธิภาพ",
)
SYSTEM = KpiSpec(
    name="ระดับความสำเร็จของการพัฒนาระบบติดตามผล",
    scale="ระดับความสำเร็จ (ขั้นตอน)",
    levels=(
        "แต่งตั้งคณะทำงาน",
        "วิเคราะห์ความต้องการ",
        "พัฒนาระบบ",
        "ทดสอบกับผู้ใช้",
        "ใช้งานจริงทุกกลุ่มงาน",
    ),
    weight="20",
    unit="ระดับ",
    category="คุณภาพ",
    work="แผนปฏิบัติราชการ/ยุทธศาสตร์",
    technique="การถ่ายทอดเป้าหมาย",
)
USERS = KpiSpec(
    name="จำนวนหน่วยงานที่ใช้ระบบติดตามผล",
    scale="มากดี",
    levels=(2, 4, 6, 8, 10),
    weight="10",
    unit="หน่วยงาน",
    work="แผนปฏิบัติราชการ/ยุทธศาสตร์",
)
RESPONSE = KpiSpec(
    name="ระยะเวลาเฉลี่ยในการตอบคำขอข้อมูล",
    scale="น้อยดี",
    levels=(10, 8, 6, 5, 4),
    weight="20",
    unit="วัน",
    category="เวลา",
    kind="ประสิทธิภาพ",
    technique="ความคาดหวังของผู้รับบริการ",
)
RETURN_COMMENT = "ค่าเป้าหมายระดับ 5 ของจำนวนรายงานยังไม่ท้าทาย กรุณาปรับเป็น 14 ฉบับ"
SUPERVISOR = "นางหัวหน้า กลุ่ม"
OFFICER = "นายสมชาย ตั้งใจ"


def test_officer_builds_a_plan_that_is_returned_fixed_and_approved(
    person, agency, the_round, shot, watch
):
    officer = person("officer1")
    menu(officer, "แผนของฉัน").click()
    expect(officer.get_by_role("heading", name=f"แผนตัวชี้วัด · {OFFICER}")).to_be_visible()
    expect(officer.get_by_text("แผนนี้ยังไม่มีผลสัมฤทธิ์หลัก (KRA)")).to_be_visible()
    expect(weight_total(officer)).to_have_text("0.00")
    expect(weight_total(officer)).to_have_css("color", RED)
    shot(officer, "officer-plan-empty")

    # Three KRAs, five KPIs: each scale at least once; the total turns green at 100.
    add_kra(officer, JOB_REPORTS, KRA_REPORTS)
    add_kpi(officer, KRA_REPORTS, REPORTS)
    expect(weight_total(officer)).to_have_text("30.00")
    expect(weight_total(officer)).to_have_css("color", RED)
    errors_row = add_kpi(officer, KRA_REPORTS, ERRORS)
    expect(errors_row).to_contain_text("ไม่กำหนด")  # the open level 1
    add_kra(officer, JOB_SYSTEM, KRA_SYSTEM)
    system_row = add_kpi(officer, KRA_SYSTEM, SYSTEM)
    expect(system_row).to_contain_text("ใช้งานจริงทุกกลุ่มงาน")
    add_kpi(officer, KRA_SYSTEM, USERS)
    add_kra(officer, JOB_SERVICE, KRA_SERVICE)
    expect(weight_total(officer)).to_have_text("80.00")
    expect(weight_total(officer)).to_have_css("color", RED)
    add_kpi(officer, KRA_SERVICE, RESPONSE)
    expect(weight_total(officer)).to_have_text("100.00")
    expect(weight_total(officer)).to_have_css("color", GREEN)
    expect(officer.get_by_text("ตัวชี้วัด 5 ตัว")).to_be_visible()
    expect(officer.get_by_text("ต้องแก้ไขก่อนส่งแผน")).to_have_count(0)
    shot(officer, "officer-plan-filled", upto=officer.locator("#plan-kras"))

    # Sending asks first (a page of its own: no script), and says what is sent.
    officer.get_by_role("link", name="ส่งแผนให้ผู้บังคับบัญชา").click()
    expect(officer.get_by_role("heading", name="ยืนยันการส่งแผน")).to_be_visible()
    expect(officer.locator(".submit-confirm")).to_contain_text("น้ำหนักรวม 100.00 / 100")
    shot(officer, "officer-plan-submit-confirm")
    officer.get_by_role("button", name="ยืนยันส่งแผน").click()
    expect(officer.get_by_text("ส่งแผนให้ผู้บังคับบัญชาแล้ว")).to_be_visible()
    expect(officer.locator("#plan-header .status-badge")).to_have_text("ส่งแล้ว รออนุมัติ")
    expect(officer.get_by_role("link", name="เพิ่มตัวชี้วัด")).to_have_count(0)
    shot(officer, "officer-plan-submitted", upto=officer.locator("#plan-kras"))
    watch.check()

    # The supervisor finds the plan on the team page and returns it with a comment.
    supervisor = person("grp_head")
    menu(supervisor, "ทีมของฉัน").click()
    expect(supervisor.get_by_role("heading", name="แผนตัวชี้วัดของทีม")).to_be_visible()
    team_row = supervisor.get_by_role("row").filter(has_text=OFFICER)
    expect(team_row).to_contain_text("ส่งแล้ว รออนุมัติ")
    expect(team_row).to_contain_text("100.00")
    shot(supervisor, "supervisor-team")
    team_row.get_by_role("link", name=OFFICER).click()
    expect(supervisor.get_by_role("heading", name="พิจารณาแผน")).to_be_visible()
    field(supervisor, "สิ่งที่ต้องแก้ไข").fill(RETURN_COMMENT)
    supervisor.get_by_role("button", name="ส่งกลับให้แก้ไข").click()
    expect(supervisor.get_by_text("ส่งแผนกลับให้แก้ไขแล้ว")).to_be_visible()
    expect(supervisor.locator("#plan-header .status-badge")).to_have_text("ส่งกลับให้แก้ไข")

    # The officer reads the comment, raises the level-5 target and resubmits.
    officer.reload()
    expect(officer.get_by_role("note")).to_contain_text(RETURN_COMMENT)
    expect(officer.locator("#plan-header .status-badge")).to_have_text("ส่งกลับให้แก้ไข")
    reports_row = kpi_row(officer, REPORTS.name)
    reports_row.get_by_role("link", name="แก้ไข").click()
    form = officer.locator("form.kpi-form")
    expect(field(form, "ระดับ 5")).to_have_value(re.compile(r"^12(\.0*)?$"))
    field(form, "ระดับ 5").fill("14")
    form.get_by_role("button", name="บันทึกตัวชี้วัด").click()
    expect(form).to_have_count(0)
    expect(kpi_row(officer, REPORTS.name).locator("td.level").nth(4)).to_have_text("14")
    # The history shows the change, old and new.
    expect(officer.locator("#plan-history")).to_contain_text("14")
    expect(weight_total(officer)).to_have_css("color", GREEN)
    officer.get_by_role("link", name="ส่งแผนให้ผู้บังคับบัญชา").click()
    officer.get_by_role("button", name="ยืนยันส่งแผน").click()
    expect(officer.get_by_text("ส่งแผนให้ผู้บังคับบัญชาแล้ว")).to_be_visible()

    # The supervisor approves.
    supervisor.reload()
    expect(supervisor.locator("#plan-header .status-badge")).to_have_text("ส่งแล้ว รออนุมัติ")
    expect(kpi_row(supervisor, REPORTS.name).locator("td.level").nth(4)).to_have_text("14")
    supervisor.get_by_role("button", name="อนุมัติแผน").click()
    expect(supervisor.get_by_text("อนุมัติแผนแล้ว")).to_be_visible()
    shot(supervisor, "supervisor-approved", upto=supervisor.locator("#plan-kras"))

    # Locked: no edit controls; who approved and when, in the Buddhist Era.
    officer.reload()
    expect(officer.locator("#plan-header .status-badge")).to_have_text("อนุมัติแล้ว")
    year_be = timezone.localtime().year + 543
    expect(officer.locator("#plan-header")).to_contain_text(
        re.compile(rf"อนุมัติเมื่อ {be_datetime_pattern(year_be)} โดย {SUPERVISOR}")
    )
    expect(officer.get_by_text("แผนนี้ล็อกอยู่")).to_be_visible()
    for name in ("เพิ่มตัวชี้วัด", "แก้ไข", "ลบ"):
        expect(officer.get_by_role("link", name=name)).to_have_count(0)
        expect(officer.get_by_role("button", name=name)).to_have_count(0)
    for name in ("เพิ่ม KRA", "ส่งแผนให้ผู้บังคับบัญชา", "เลื่อนขึ้น", "เลื่อนลง"):
        expect(officer.get_by_role("button", name=name)).to_have_count(0)
    expect(officer.get_by_role("link", name="ส่งแผนให้ผู้บังคับบัญชา")).to_have_count(0)
    shot(officer, "officer-plan-approved", upto=officer.locator("#plan-kras"))

    plan = Plan.objects.get(owner=agency.officer1, round=the_round)
    assert plan.status == Plan.Status.APPROVED
    assert plan.approved_by == agency.grp_head.user
    assert plan.kpis.count() == 5
    assert plan.kras.count() == 3
    watch.finish()
