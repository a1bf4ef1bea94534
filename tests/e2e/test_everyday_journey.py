"""Browser journeys of everyday use (issue 15): the home page's to-dos, the
cascade preview, the keyboard on the plan page, and the pages on a phone.

axe-core runs on every page (tests/e2e/conftest.py); these journeys add the
phone size (390x844), where no page may scroll sideways.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from indicators.models import Plan, Round
from tests.e2e.helpers import kpi_row, weight_total
from tests.factories_appraisals import make_plan as approved_plan
from tests.factories_appraisals import set_status
from tests.factories_cascade import make_kpi, make_plan

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
HEAD_KPI = "ร้อยละของเรื่องร้องเรียนที่ได้รับการแก้ไขภายในกำหนด"
OWN_KPI = "จำนวนรายงานวิเคราะห์สถานการณ์ที่จัดทำแล้วเสร็จและเผยแพร่ให้หน่วยงานในสังกัดใช้ประโยชน์"


def no_sideways_scroll(page, what: str) -> None:
    """The page fits the phone's width: nothing makes it scroll sideways."""
    page.wait_for_load_state("networkidle")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    wide = page.evaluate(
        """() => Array.from(document.querySelectorAll('body *'))
          .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                        && !(el.parentElement && el.parentElement.getBoundingClientRect().right
                             > document.documentElement.clientWidth + 1))
          .slice(0, 5)
          .map(el => el.tagName + '.' + el.className + ' ' + el.getBoundingClientRect().right)"""
    )
    assert widths[0] <= widths[1], f"{what} scrolls sideways: {widths} ({wide})"


def inside_screen(locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


@pytest.fixture
def round_with_plans(agency, the_round):
    head_plan = make_plan(agency.grp_head, the_round)
    make_kpi(
        head_plan, "PGH-K1", name=HEAD_KPI, unit="ร้อยละ", weight=100, levels=(60, 70, 80, 90, 95)
    )
    officer_plan = make_plan(agency.officer1, the_round)
    make_kpi(officer_plan, "PO1-K1", name=OWN_KPI, weight=80, job="งานวิเคราะห์", kra="รายงานทันเวลา")
    make_kpi(officer_plan, "PO1-K2", name="จำนวนฐานข้อมูลที่ปรับปรุง", weight=20, levels=(1, 2, 3, 4, 5),
             job="งานวิเคราะห์", kra="รายงานทันเวลา")  # fmt: skip
    return head_plan, officer_plan


def test_a_cascade_is_previewed_and_the_officer_is_told_what_to_do(
    person, agency, the_round, round_with_plans, shot, watch
):
    head_plan, _officer_plan = round_with_plans
    head = person("grp_head")
    # The head cascades, looking first at what it does to each plan's weights.
    head.goto(reverse("indicators:cascade", args=[head_plan.kpis.get().pk]))
    head.get_by_label("นายสมชาย ตั้งใจ").check()
    head.get_by_label("น้ำหนักเริ่มต้น (ร้อยละ)").fill("20")
    head.get_by_role("button", name="ดูน้ำหนักรวมของผู้รับหลังถ่ายทอด").click()
    row = head.get_by_role("row").filter(has_text="นายสมชาย ตั้งใจ")
    expect(row.locator(".weight-after")).to_have_text("120.00")
    expect(head.get_by_role("status")).to_contain_text("ยังไม่ได้บันทึก")
    shot(head, "everyday-cascade-preview")
    head.get_by_role("button", name="ถ่ายทอดโดยตรง").click()
    expect(head.get_by_text("ถ่ายทอดโดยตรงให้ 1 ราย")).to_be_visible()

    # The officer's home page says what to do next, and leads there.
    officer = person("officer1")
    todo = officer.locator(".todo-item").filter(has_text="ยังไม่ได้ส่งให้ผู้บังคับบัญชา")
    expect(todo).to_contain_text("สิ้นสุดรอบ 31 มี.ค. 2569")
    shot(officer, "everyday-home-officer")
    todo.get_by_role("link", name="เปิดแผน").click()
    expect(weight_total(officer)).to_have_text("120.00")
    expect(officer.locator(".cascade-weight-note")).to_contain_text(
        "เพราะผู้บังคับบัญชาถ่ายทอดตัวชี้วัดเพิ่มเข้ามา 1 ตัว"
    )
    expect(kpi_row(officer, HEAD_KPI).locator(".cascaded-by")).to_contain_text("โดย นางหัวหน้า กลุ่ม")
    shot(officer, "everyday-plan-cascaded", upto=officer.locator("#plan-kras"))

    # By keyboard: the new-KPI form takes the focus at its first field.
    block = officer.locator(".kra-block").filter(has_text="รายงานทันเวลา")
    block.get_by_role("link", name="เพิ่มตัวชี้วัด").focus()
    officer.keyboard.press("Enter")
    form = block.locator("form.kpi-form")
    expect(form).to_be_visible()
    expect(form.locator("select[name=kra]")).to_be_focused()
    form.get_by_role("link", name="ยกเลิก").click()
    expect(form).to_have_count(0)
    # An edit saved from the keyboard gives the focus back to the saved row.
    own = kpi_row(officer, OWN_KPI)
    own.get_by_role("link", name="แก้ไข").click()
    edit = officer.locator("form.kpi-form")
    expect(edit.get_by_label(re.compile("ระดับ 1"))).to_have_value("10")  # not 10.0000
    edit.get_by_label(re.compile(r"^น้ำหนัก")).fill("60")
    edit.get_by_label(re.compile(r"^น้ำหนัก")).press("Enter")
    expect(edit).to_have_count(0)
    expect(kpi_row(officer, OWN_KPI)).to_be_focused()
    expect(weight_total(officer)).to_have_text("100.00")
    watch.finish()


def test_home_plan_results_and_team_fit_a_phone(person, agency, the_round, shot, watch):
    plan = approved_plan(agency.officer1, the_round)
    approved_plan(agency.officer2, the_round, status=Plan.Status.SUBMITTED)
    set_status(the_round, Round.Status.PLANNING)

    officer = person("officer1")
    officer.set_viewport_size(PHONE)
    officer.goto("/")
    no_sideways_scroll(officer, "the officer's home")
    officer.goto(reverse("indicators:plan", args=[plan.pk]))
    no_sideways_scroll(officer, "the plan")
    name = kpi_row(officer, "ตัวชี้วัด PO1-K1").get_by_text("ตัวชี้วัด PO1-K1")
    inside_screen(name)
    assert name.bounding_box()["width"] > 150  # not a word a line
    shot(officer, "everyday-phone-plan", full_page=False)

    head = person("grp_head")
    head.set_viewport_size(PHONE)
    head.goto("/")
    expect(head.locator(".todo-item")).to_contain_text(["แผน 1 แผนรอการอนุมัติจากคุณ"])
    no_sideways_scroll(head, "the head's home")
    shot(head, "everyday-phone-home-head", full_page=False)
    head.goto(reverse("indicators:team"))
    no_sideways_scroll(head, "the team page")
    head.goto(reverse("orgchart:tree"))
    no_sideways_scroll(head, "the tree")

    Plan.objects.filter(owner=agency.officer2).update(status=Plan.Status.APPROVED)
    set_status(the_round, Round.Status.TRACKING)
    officer.goto(reverse("appraisals:results", args=[plan.pk]))
    no_sideways_scroll(officer, "the results")
    shot(officer, "everyday-phone-results", full_page=False)
    set_status(the_round, Round.Status.ASSESSMENT)
    head.goto(reverse("appraisals:team"))
    no_sideways_scroll(head, "the assessment list")
    head.goto(reverse("appraisals:assess", args=[plan.pk]))
    no_sideways_scroll(head, "the assessment")
    watch.finish()


def test_editing_a_kpi_on_a_phone(person, agency, the_round, round_with_plans, watch):
    _head_plan, officer_plan = round_with_plans
    officer = person("officer1")
    officer.set_viewport_size(PHONE)
    officer.goto(reverse("indicators:plan", args=[officer_plan.pk]))
    no_sideways_scroll(officer, "the plan being edited")
    row = kpi_row(officer, OWN_KPI)
    inside_screen(row.get_by_role("link", name="แก้ไข"))
    inside_screen(row.get_by_role("button", name="ลบ"))
    row.get_by_role("link", name="แก้ไข").click()
    form = officer.locator("form.kpi-form")
    expect(form).to_be_visible()
    no_sideways_scroll(officer, "the KPI form")
    form.get_by_label(re.compile(r"^น้ำหนัก")).fill("75")
    form.get_by_role("button", name="บันทึกตัวชี้วัด").click()
    expect(form).to_have_count(0)
    assert officer_plan.kpis.get(code="PO1-K1").weight == Decimal(75)
    watch.finish()


@pytest.mark.parametrize("width", [1200, 1280, 1366])
def test_the_main_menu_fits_one_line_for_a_head_with_every_item(person, agency, width):
    """From the width where the menu stops collapsing, a head's menu holds one line."""
    agency.grp_head.is_hr = True  # a head who is also HR staff: the most menu items
    agency.grp_head.save(update_fields=["is_hr"])
    head = person("grp_head")
    head.set_viewport_size({"width": width, "height": 900})
    head.goto(reverse("home"))
    for language, sign_out in (("th", "ออกจากระบบ"), ("en", "Log out")):
        if language == "en":
            head.get_by_role("button", name="EN").click()
        no_sideways_scroll(head, f"the home page at {width} px ({language})")
        nav = head.locator("nav.navbar")
        tops = nav.locator("#mainnav > ul > li.nav-item, #mainnav > div > *").evaluate_all(
            """items => items.map(item => item.getBoundingClientRect())
              .filter(box => box.width > 0 && box.height > 0)
              .map(box => Math.round(box.top + box.height / 2))"""
        )
        # One line: every item's middle within a few pixels (a wrapped item sits ~40 px lower).
        assert len(tops) > 8 and max(tops) - min(tops) < 20, f"wraps at {width} px: {tops}"
        logout = nav.get_by_role("button", name=sign_out).bounding_box()
        assert logout["x"] + logout["width"] <= width, f"sign-out cut off at {width} px"
