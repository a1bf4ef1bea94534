"""Browser journey: HR issues activation codes for a unit, an officer activates and plans.

HR opens the group's page, follows "issue activation codes" and downloads the
sheet of one-time codes for the group; officer1 (imported without a usable
password) opens the login page, follows "activate your account", types the
username and the code from the sheet, chooses a password, lands on the home
page signed in, opens their plan and adds a first KRA and KPI. Then the
officer looks at their account's security page.
"""

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from indicators.models import KPI
from tests.e2e.helpers import KpiSpec, add_kpi, add_kra, menu

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Kpi-portal-2569!"
FIRST_KPI = KpiSpec(
    name="จำนวนรายงานติดตามผลที่จัดทำแล้วเสร็จ",
    scale="มากดี",
    levels=(4, 6, 8, 10, 12),
    weight="100",
    unit="ฉบับ",
)


def code_from_sheet(path, username: str) -> str:
    rows = list(
        openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    header = next(i for i, row in enumerate(rows) if row and row[0] == "หน่วยงาน")
    assert list(rows[header]) == ["หน่วยงาน", "รหัส", "ชื่อ-สกุล", "ชื่อผู้ใช้", "รหัสเปิดใช้งาน", "หมดอายุ"]
    return next(row[4] for row in rows[header + 1 :] if row[3] == username)


def test_hr_issues_codes_and_an_officer_activates_and_starts_a_plan(
    person, page, agency, the_round, shot, watch, tmp_path
):
    for node in (agency.officer1, agency.officer2):
        node.user.set_unusable_password()
        node.user.save()

    # HR: the group's page -> the activation page for that unit -> the code sheet.
    hr = person("hr")
    hr.goto(f"/org/unit/{agency.grp.pk}/")
    hr.get_by_role("link", name="ออกรหัสเปิดใช้งานบัญชี").click()
    expect(hr.get_by_role("heading", name="ออกรหัสเปิดใช้งานบัญชี", exact=True)).to_be_visible()
    unit_card = hr.locator("section").filter(has=hr.get_by_role("heading", name="ทั้งหน่วยงาน"))
    expect(unit_card.get_by_label("รหัสหน่วยงาน")).to_have_value("GRP")
    unit_card.get_by_label("พิมพ์เป็นเอกสารรหัสทุกคน").check()
    shot(hr, "accounts-hr-issue")
    with hr.expect_download() as download:
        unit_card.get_by_role("button", name="ออกรหัสสำหรับหน่วยงานนี้").click()
    sheet = tmp_path / "codes.xlsx"
    download.value.save_as(sheet)
    code = code_from_sheet(sheet, "officer1")
    hr.reload()
    expect(hr.get_by_text("ออกรหัสเปิดใช้งาน 2 คน")).to_be_visible()
    watch.check()

    # The officer: login page -> activate -> choose a password -> home, signed in.
    page.goto("/login/")
    page.get_by_role("link", name="เข้าใช้ครั้งแรก: เปิดใช้งานบัญชี").click()
    expect(page.get_by_role("heading", name="เปิดใช้งานบัญชี")).to_be_visible()
    page.get_by_label("ชื่อผู้ใช้หรือรหัสบุคลากร").fill("officer1")
    page.get_by_label("รหัสเปิดใช้งาน").fill(code.lower().replace("-", " "))
    shot(page, "accounts-activate")
    page.get_by_role("button", name="ถัดไป: ตั้งรหัสผ่าน").click()
    expect(page.get_by_role("heading", name="ตั้งรหัสผ่าน")).to_be_visible()
    expect(page.get_by_text("สวัสดี นายสมชาย ตั้งใจ")).to_be_visible()
    page.locator("#id_new_password1").fill("12345678")
    page.locator("#id_new_password2").fill("12345678")
    page.get_by_role("button", name="ตั้งรหัสผ่านและเข้าสู่ระบบ").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()  # Django's validators
    page.locator("#id_new_password1").fill(PASSWORD)
    page.locator("#id_new_password2").fill(PASSWORD)
    shot(page, "accounts-set-password")
    page.get_by_role("button", name="ตั้งรหัสผ่านและเข้าสู่ระบบ").click()
    expect(page.get_by_text("เปิดใช้งานบัญชีเรียบร้อย")).to_be_visible()
    expect(page.get_by_role("heading", name="สวัสดี นายสมชาย ตั้งใจ")).to_be_visible()
    shot(page, "accounts-home-after-activation")
    assert get_user_model().objects.get(username="officer1").check_password(PASSWORD)
    watch.check()

    # The first plan: a KRA and a KPI, saved.
    menu(page, "แผนของฉัน").click()
    expect(page.get_by_text("แผนนี้ยังไม่มีผลสัมฤทธิ์หลัก (KRA)")).to_be_visible()
    add_kra(page, "งานติดตามและประเมินผล", "รายงานผลการดำเนินงานทันเวลาและถูกต้อง")
    add_kpi(page, "รายงานผลการดำเนินงานทันเวลาและถูกต้อง", FIRST_KPI)
    shot(page, "accounts-first-plan", upto=page.locator("#plan-kras"))
    assert KPI.objects.filter(plan__owner=agency.officer1, name=FIRST_KPI.name).exists()

    # The account's security page, from the menu.
    page.get_by_role("link", name="บัญชีของฉัน").click()
    expect(page.get_by_role("heading", name="ความปลอดภัยของบัญชี")).to_be_visible()
    expect(page.get_by_text("เข้าสู่ระบบอยู่ 1 เซสชัน")).to_be_visible()
    shot(page, "accounts-my-account")
    watch.finish()
