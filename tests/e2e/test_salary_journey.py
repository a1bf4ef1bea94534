"""Browser journey: HR fills the raise list to the pool's limit and is refused one step past it.

DEPT's list of round 2569/1 (tests.factories_salaries): a payroll of 108,000
baht, so a 3% pool of 3,240.00; the band defaults use 3,790. HR lowers two
people (the preview shows the pool before saving), raises officer1 to 6%
(3,230 used, 10 baht left), then asks 3.5% for the group head: the preview
warns, saving is refused with the Thai message, and nothing changes.
"""

import pytest
from playwright.sync_api import expect

from salaries.models import SalaryRecord
from tests.e2e.helpers import hr_menu
from tests.factories_salaries import salary_world

pytestmark = pytest.mark.django_db(transaction=True)


def _percent(page, name: str):
    return page.get_by_label(f"ร้อยละที่เลื่อน {name}")


def _save(page, name: str, value: str) -> None:
    box = _percent(page, name)
    box.fill(value)
    box.locator("xpath=ancestor::form").get_by_role("button", name="บันทึก").click()


def test_hr_fills_the_raise_list_to_the_pool(person, agency, shot, watch):
    world = salary_world(agency)
    hr = person("hr")
    hr_menu(hr, "การเลื่อนเงินเดือน").click()
    hr.locator("#raise-lists tr", has_text="2569/1").get_by_role("link", name="เปิดบัญชี").click()
    expect(hr.locator("#pool-total")).to_have_text("3,240.00")
    expect(hr.locator("#pool-used")).to_have_text("3,790.00")

    # The preview: the pool as it would be, before anything is saved.
    _percent(hr, agency.officer2.name).fill("2")
    expect(hr.locator("#pool-used")).to_have_text("3,320.00")
    assert SalaryRecord.objects.get(person=agency.officer2).percent == 3
    _save(hr, agency.officer2.name, "2")
    expect(hr.get_by_text("บันทึก นางสาวสมหญิง ขยัน ร้อยละ 2 แล้ว")).to_be_visible()
    _save(hr, agency.grp_head.name, "3")
    _save(hr, agency.officer1.name, "6")
    expect(hr.locator("#pool-used")).to_have_text("3,230.00")
    expect(hr.locator("#pool-left")).to_have_text("10.00")
    shot(hr, "reward-raise-list")

    # One step past the pool: the preview warns, the save is refused, nothing changes.
    _percent(hr, agency.grp_head.name).fill("3.5")
    head = world.records["P-GH"]
    expect(hr.locator(f"#preview-{head.pk}")).to_contain_text("เกินวงเงิน")
    shot(hr, "reward-raise-preview-over-pool")
    _save(hr, agency.grp_head.name, "3.5")
    expect(hr.get_by_role("alert").filter(has_text="เกินวงเงิน")).to_be_visible()
    expect(hr.locator("#pool-used")).to_have_text("3,230.00")
    assert SalaryRecord.objects.get(pk=head.pk).percent == 3

    hr.get_by_role("button", name="ปิดบัญชี").click()
    expect(hr.locator("#list-status")).to_have_text("ปิดบัญชีแล้ว")
    watch.finish()
