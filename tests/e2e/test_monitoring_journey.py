"""Browser journey: check-ins during the round (issue 10, item 6).

The round is tracking, half-way through today; officer1's plan is approved
(a count 10/20/30/40/50, a percentage and a milestone KPI, built with the ORM).
officer1 records two check-ins on the count from the results page: 12 a month
ago (projected 35: on track), then 13 today (projected 26: at risk). grp_head
opens the monitoring page, sees the KPI at risk in the group's counts and in
the at-risk list, opens it and comments; officer1 sees the comment. HR sets
the round's fixed check-in dates and sees who missed one.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from monitoring.models import CheckIn, CheckInComment
from tests.e2e.helpers import menu
from tests.factories_monitoring import live_round, watched_plan

pytestmark = pytest.mark.django_db(transaction=True)
COMMENT = "ผลเดือนนี้เพิ่มขึ้นน้อย ขอแผนเร่งรัดภายในสัปดาห์หน้า"


def test_officer_checks_in_the_head_sees_the_risk_and_comments(person, agency, shot):
    the_round = live_round()
    watched_plan(agency.officer1, the_round)
    watched_plan(agency.officer2, the_round)
    today = timezone.localdate()
    month_ago = today - datetime.timedelta(days=30)

    officer = person("officer1")
    menu(officer, "ผลการดำเนินงาน").click()
    panel = officer.locator("#checkin-panel")
    expect(panel).to_be_visible()
    panel.get_by_role("link", name="รายงานความก้าวหน้า PO1-C1").click()
    expect(officer.get_by_role("heading", name="ความก้าวหน้าระหว่างรอบ")).to_be_visible()

    def check_in(date: datetime.date, value: str, note: str):
        officer.get_by_label("วันที่รายงาน", exact=True).fill(date.isoformat())
        officer.get_by_label("ผลถึงวันที่รายงาน (เรื่อง)").fill(value)
        officer.get_by_label("หมายเหตุ", exact=True).fill(note)
        officer.get_by_role("button", name="บันทึก", exact=True).click()
        expect(officer.get_by_role("alert").or_(officer.locator(".alert-success"))).to_contain_text(
            "บันทึกความก้าวหน้าของตัวชี้วัด PO1-C1 แล้ว"
        )

    check_in(month_ago, "12", "ดำเนินการตามแผนเดือนแรก")
    expect(officer.locator("#latest-status")).to_contain_text("ตามแผน")
    check_in(today, "13", "ติดขัดเรื่องงบประมาณ")
    expect(officer.locator("#latest-status")).to_contain_text("เสี่ยง")
    expect(officer.locator("#projected-level")).to_have_text("2")
    expect(officer.locator("#checkin-history .checkin")).to_have_count(2)
    shot(officer, "monitoring-officer-checkin")
    assert CheckIn.objects.filter(kpi__code="PO1-C1").count() == 2

    # The head: the group's counts show the risk; the at-risk filter lists the KPI.
    head = person("grp_head")
    menu(head, "ติดตามผล").click()
    expect(head.get_by_role("heading", name="ติดตามความก้าวหน้าระหว่างรอบ")).to_be_visible()
    group = head.locator('#watch-tree .watch-unit[data-unit="GRP"]').first
    expect(group.locator(".count-at_risk").first).to_have_text("1")
    expect(group.locator(".count-no_news").first).to_have_text("5")
    expect(head.locator("#watch-chart")).to_be_visible()
    head.get_by_label("สถานะ", exact=True).select_option("at_risk")
    head.get_by_role("button", name="แสดง").click()
    rows = head.locator("#watch-kpi-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("PO1-C1")
    expect(rows.first).to_contain_text("เสี่ยง")
    shot(head, "monitoring-page")
    rows.first.get_by_role("link", name="PO1-C1").click()
    latest = head.locator("#checkin-history .checkin").first
    latest.get_by_label("ความเห็น", exact=True).fill(COMMENT)
    latest.get_by_role("button", name="ส่งความเห็น").click()
    expect(head.locator(".checkin-comment").first).to_contain_text(COMMENT)
    assert CheckInComment.objects.get().by == agency.grp_head.user

    # The officer sees the comment under the check-in it was made on.
    officer.reload()
    comment = officer.locator("#checkin-history .checkin").first.locator(".checkin-comment")
    expect(comment).to_contain_text(COMMENT)
    expect(comment).to_contain_text("นางหัวหน้า กลุ่ม")
    shot(officer, "monitoring-comment")

    # HR: a fixed check-in date a fortnight ago; officer2 never checked in.
    hr = person("hr")
    menu(hr, "ติดตามผล").click()
    hr.get_by_role("link", name="ตั้งค่าการติดตามผลของรอบ").click()
    due = today - datetime.timedelta(days=14)
    hr.get_by_label("กำหนดวันรายงานความก้าวหน้า", exact=False).fill(
        f"{due.day:02d}/{due.month:02d}/{due.year + 543}"
    )
    hr.get_by_role("button", name="บันทึก").click()
    expect(hr.locator(".alert-success")).to_contain_text("บันทึกการตั้งค่าการติดตามผลของรอบ")
    shot(hr, "monitoring-hr-settings")
    hr.get_by_role("link", name="ไปหน้าติดตามความก้าวหน้า").click()
    hr.get_by_role("link", name="ผู้ที่ไม่ได้รายงานตามกำหนด").click()
    # officer1's check-in of a month ago covers one KPI; officer2 has none.
    expect(hr.locator('#missed-table tr[data-owner="P-O2"] td').last).to_have_text("3")
    expect(hr.locator('#missed-table tr[data-owner="P-O1"] td').last).to_have_text("2")
    shot(hr, "monitoring-missed")
