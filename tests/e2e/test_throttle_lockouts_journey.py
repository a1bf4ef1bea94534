"""Browser journey: spraying from one machine stopped; an administrator lifts the lock."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_lifts_an_address_lockout(page, person, agency, settings, shot, watch):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    # The lockout page answers 429 on purpose; Chromium logs that status as a console error.
    watch.allow(r"status of 429 .*/login/")
    admin = person("admin")  # signed in before the machine (127.0.0.1) is locked

    for username in ("somsri", "somsak", "somporn"):
        login(page, username, password="123456")
    expect(page.get_by_role("heading", name="ระงับการเข้าสู่ระบบชั่วคราว")).to_be_visible()
    expect(page.get_by_text("จากเครื่องนี้ (ที่อยู่ IP นี้)")).to_be_visible()
    shot(page, "throttle-lockout-address")
    login(page, "officer1")  # the right password is refused while locked
    expect(page.get_by_role("heading", name="ระงับการเข้าสู่ระบบชั่วคราว")).to_be_visible()

    admin.get_by_role("button", name="งานบุคคล").click()
    admin.get_by_role("link", name="การระงับการเข้าสู่ระบบ").click()
    section = admin.locator("#lockouts-address")
    expect(section.get_by_role("cell", name="127.0.0.1")).to_be_visible()
    shot(admin, "throttle-lockouts")
    section.get_by_role("button", name="ยกเลิกการระงับ").click()
    expect(admin.get_by_text("ยกเลิกการระงับแล้ว")).to_be_visible()
    expect(admin.locator("#lockouts-address")).to_contain_text("ไม่มีการระงับในขณะนี้")

    login(page, "officer1")
    expect(page.get_by_role("button", name="ออกจากระบบ")).to_be_visible()
    watch.finish()
