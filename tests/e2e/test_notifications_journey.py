"""Browser journey: the officer submits, the head sees the bell and goes to the plan.

officer1 submits a plan; grp_head's bell counts one unread notification; the
list says who sent what; clicking it opens the plan (and marks it read); the
head approves; officer1's bell shows the approval and an e-mail went out. HR
sets the round's deadlines on the reminder page.
"""

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.helpers import hr_menu, menu
from tests.factories_notifications import with_addresses
from tests.factories_plans import make_plan

pytestmark = pytest.mark.django_db(transaction=True)


def bell(page):
    return page.locator("#notification-bell")


def test_head_sees_the_bell_and_opens_the_submitted_plan(person, agency, the_round, shot, watch):
    with_addresses(agency)
    plan = make_plan(agency.officer1, the_round, kpis=[60, 40])

    officer = person("officer1")
    expect(officer.locator("#notification-count")).to_have_count(0)
    menu(officer, "แผนของฉัน").click()
    officer.get_by_role("link", name="ส่งแผนให้ผู้บังคับบัญชา").click()
    officer.get_by_role("button", name="ยืนยันส่งแผน").click()  # the confirmation page
    expect(officer.get_by_text("ส่งแผนให้ผู้บังคับบัญชาแล้ว")).to_be_visible()

    head = person("grp_head")
    expect(head.locator("#notification-count")).to_have_text("1")
    bell(head).click()
    item = head.locator("#notification-list li").first
    expect(item).to_contain_text("มีแผนส่งมาให้คุณพิจารณา")
    expect(item).to_contain_text("นายสมชาย ตั้งใจ ส่งแผนตัวชี้วัดรอบ 2569/1 ให้คุณพิจารณาอนุมัติ")
    expect(item.get_by_text("ใหม่")).to_be_visible()
    shot(head, "notify-head-bell")
    item.get_by_role("button", name="นายสมชาย ตั้งใจ ส่งแผนตัวชี้วัดรอบ").click()
    head.wait_for_url(f"**/kpi/plan/{plan.pk}/")
    expect(head.locator("#notification-count")).to_have_count(0)  # read on opening
    head.get_by_role("button", name="อนุมัติแผน").first.click()
    expect(head.get_by_text("อนุมัติแผนแล้ว").first).to_be_visible()

    officer.reload()
    expect(officer.locator("#notification-count")).to_have_text("1")
    bell(officer).click()
    expect(officer.locator("#notification-list")).to_contain_text(
        "นางหัวหน้า กลุ่ม อนุมัติแผนตัวชี้วัดรอบ 2569/1 ของ นายสมชาย ตั้งใจ แล้ว"
    )
    shot(officer, "notify-officer-list")
    officer.get_by_role("button", name="ทำเครื่องหมายว่าอ่านทั้งหมดแล้ว").click()
    expect(officer.locator("#notification-count")).to_have_count(0)
    officer.get_by_role("link", name="ตั้งค่าการแจ้งเตือน").click()
    officer.get_by_label("แผนของคุณถูกส่งกลับให้แก้ไข").uncheck()
    officer.get_by_role("button", name="บันทึก").click()
    expect(officer.get_by_text("บันทึกการตั้งค่าการแจ้งเตือนแล้ว")).to_be_visible()
    expect(officer.get_by_label("แผนของคุณถูกส่งกลับให้แก้ไข")).not_to_be_checked()

    sent = {address for message in mail.outbox for address in message.to}
    assert sent == {"grp_head@example.go.th", "officer1@example.go.th"}

    hr = person("hr")
    hr_menu(hr, "การเตือนกำหนดเวลาของรอบ").click()
    hr.get_by_role("link", name="ตั้งค่า").click()
    hr.get_by_label("วันสิ้นสุดการวางแผน").fill("15/11/2568")
    hr.get_by_label("เตือนก่อนสิ้นสุดการวางแผน (วัน)").fill("5")
    hr.get_by_role("button", name="บันทึก").click()
    expect(hr.get_by_text("บันทึกการเตือนของรอบ 2569/1 แล้ว")).to_be_visible()
    expect(hr.locator("#reminder-rounds")).to_contain_text("15 พ.ย. 2568")
    shot(hr, "notify-hr-reminders")
    watch.finish()
