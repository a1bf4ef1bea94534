"""Helpers the journeys share: the menu, form fields by their Thai labels, KRAs and KPIs.

Fields are found as a person finds them, by the label beside them. A
required field's label ends with " *", so labels are matched whole, with or
without that star.
"""

import re
from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect

# Bootstrap's text-success and text-danger, as the browser computes them.
GREEN = "rgb(25, 135, 84)"
RED = "rgb(220, 53, 69)"
THAI_MONTHS = "ม.ค.|ก.พ.|มี.ค.|เม.ย.|พ.ค.|มิ.ย.|ก.ค.|ส.ค.|ก.ย.|ต.ค.|พ.ย.|ธ.ค."


def label(text: str) -> re.Pattern:
    """The whole label `text`, with or without the required-field star."""
    return re.compile(rf"^\s*{re.escape(text)}(\s*\*)?\s*$")


def field(scope: Page | Locator, text: str) -> Locator:
    return scope.get_by_label(label(text))


def be_datetime_pattern(year_be: int) -> str:
    """A date and time as the app shows them: 24 พ.ย. 2569 09:30 น."""
    return rf"\d{{1,2}} ({THAI_MONTHS}) {year_be} \d{{2}}:\d{{2}} น\."


@dataclass
class KpiSpec:
    name: str
    scale: str  # the label of the scale in the select: มากดี, น้อยดี, ระดับความสำเร็จ (ขั้นตอน)
    levels: tuple  # five numbers (None for an open level 1) or five step texts
    weight: str
    unit: str = ""
    category: str = "ปริมาณ"
    kind: str = "ประสิทธิผล"
    work: str = "งานประจำ"
    technique: str = "ประเด็นปัญหาที่ต้องแก้ไข"
    method: str = "นับจากทะเบียนของกลุ่มงาน"

    @property
    def is_milestone(self) -> bool:
        return self.scale.startswith("ระดับความสำเร็จ")


# The items of the main menu's "following the round" dropdown (templates/includes/nav.html).
ROUND_MENU = ("ภาพรวมรอบ", "ติดตามผล", "รายงานรอบการประเมิน")


def menu(page: Page, name: str) -> Locator:
    """A link of the main menu (the home page has cards with the same names).

    An item of the "following the round" dropdown is returned with the dropdown opened.
    """
    nav = page.get_by_role("navigation", name="เมนูหลัก")
    if name in ROUND_MENU:
        nav.get_by_role("button", name="ติดตามและรายงาน").click()
    return nav.get_by_role("link", name=name, exact=True)


def hr_menu(page: Page, name: str) -> Locator:
    """Open the HR dropdown of the main menu and return its item `name`."""
    page.get_by_role("navigation", name="เมนูหลัก").get_by_role("button", name="งานบุคคล").click()
    return page.get_by_role("link", name=name, exact=True)


def plan_summary(page: Page) -> Locator:
    return page.get_by_role("region", name="สรุปแผน")


def weight_total(page: Page) -> Locator:
    return plan_summary(page).locator(".weight-total")


def kra_block(page: Page, name: str) -> Locator:
    """The card of the KRA called `name` (its header shows the name)."""
    return page.locator(".kra-block").filter(
        has=page.locator(".card-header strong", has_text=re.compile(rf"^{re.escape(name)}$"))
    )


def kpi_row(page: Page, name: str) -> Locator:
    return page.get_by_role("row").filter(has_text=name)


def add_kra(page: Page, job: str, name: str) -> Locator:
    """Add a KRA with the form under the plan; wait for its card to appear (htmx)."""
    card = page.locator(".card").filter(has=page.get_by_role("heading", name="เพิ่มผลสัมฤทธิ์หลัก (KRA)"))
    field(card, "งาน/โครงการ").fill(job)
    field(card, "ผลสัมฤทธิ์หลัก (KRA)").fill(name)
    card.get_by_role("button", name="เพิ่ม KRA").click()
    block = kra_block(page, name)
    expect(block).to_be_visible()
    expect(block.get_by_role("cell", name="ยังไม่มีตัวชี้วัด")).to_be_visible()
    return block


def fill_kpi_form(form: Locator, spec: KpiSpec) -> None:
    field(form, "ตัวชี้วัด").fill(spec.name)
    field(form, "หน่วยนับ").fill(spec.unit)
    field(form, "มิติ").select_option(label=spec.category)
    field(form, "ประเภทตัวชี้วัด").select_option(label=spec.kind)
    field(form, "ลักษณะงาน").select_option(label=spec.work)
    field(form, "เทคนิคที่ใช้กำหนด").select_option(label=spec.technique)
    field(form, "วิธีการประเมิน/แหล่งข้อมูล").fill(spec.method)
    field(form, "เกณฑ์").select_option(label=spec.scale)
    field(form, "น้ำหนัก (ร้อยละ)").fill(spec.weight)
    if spec.is_milestone:
        # plan.js shows the step texts and hides the numbers for this scale.
        expect(field(form, "ระดับ 1")).to_be_hidden()
        for number, text in enumerate(spec.levels, start=1):
            field(form, f"ขั้นตอนที่ {number}").fill(text)
    else:
        expect(field(form, "ขั้นตอนที่ 1")).to_be_hidden()
        for number, value in enumerate(spec.levels, start=1):
            field(form, f"ระดับ {number}").fill("" if value is None else str(value))


def add_kpi(page: Page, kra_name: str, spec: KpiSpec) -> Locator:
    """Open the new-KPI form of a KRA (htmx), fill it in, save; wait for the KPI's row."""
    block = kra_block(page, kra_name)
    block.get_by_role("link", name="เพิ่มตัวชี้วัด").click()
    form = block.locator("form.kpi-form")
    expect(form).to_be_visible()
    # The KPI goes to the KRA it was opened from (the select moves it to another).
    expect(field(form, "ผลสัมฤทธิ์หลัก (KRA)").locator("option:checked")).to_have_text(kra_name)
    fill_kpi_form(form, spec)
    form.get_by_role("button", name="บันทึกตัวชี้วัด").click()
    expect(form).to_have_count(0)
    row = kpi_row(block, spec.name)
    expect(row).to_be_visible()
    return row
