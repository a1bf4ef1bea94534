import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_first_page_is_a_thai_login_even_for_an_english_browser(page, shot):
    page.goto("/")
    assert page.url.endswith("/login/?next=/")
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.get_by_role("heading", name="เข้าสู่ระบบ").is_visible()
    shot(page, "login")


def test_officer_signs_in_and_switches_to_english(page, agency):
    login(page, "officer1")
    assert page.get_by_role("heading", name="สวัสดี นายสมชาย ตั้งใจ").is_visible()
    page.get_by_role("button", name="EN").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"


def test_wrong_password_shows_a_thai_message(page, agency):
    login(page, "officer1", password="wrong-password")
    assert page.get_by_text("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง").is_visible()
