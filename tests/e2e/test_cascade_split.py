"""Browser journey: a head splits a KPI's targets and sees the sums per level while typing."""

import pytest
from django.urls import reverse

from indicators.models import KPI
from tests.e2e.conftest import login
from tests.factories_cascade import make_kpi, make_plan

pytestmark = pytest.mark.django_db(transaction=True)


def test_split_table_shows_live_sums_and_saves_only_a_covering_split(page, agency, the_round, shot):
    kpi = make_kpi(make_plan(agency.grp_head, the_round), "K1")
    login(page, "grp_head")
    page.goto(reverse("indicators:cascade", args=[kpi.pk]) + "?method=split")
    one, two = agency.officer1, agency.officer2
    page.check(f"#split-{one.pk}")
    page.check(f"#split-{two.pk}")
    for officer, values in ((one, (5, 10, 15, 20, 25)), (two, (5, 10, 14, 20, 25))):
        for level, value in enumerate(values, start=1):
            page.fill(f'input[name="alloc-{officer.pk}-{level}"]', str(value))
    level3 = page.locator('[data-sum-level="3"]')
    assert level3.inner_text() == "29"
    assert "table-danger" in level3.get_attribute("class")
    assert page.locator('[data-gap-level="3"]').inner_text() == "1"
    assert "table-danger" not in page.locator('[data-sum-level="2"]').get_attribute("class")
    shot(page, "cascade-split")

    page.get_by_role("button", name="บันทึกการแบ่งค่าเป้าหมาย").click()
    assert page.get_by_text("ขาดอีก 1").is_visible()
    assert not KPI.objects.filter(parent=kpi).exists()

    page.fill(f'input[name="alloc-{two.pk}-3"]', "๑๕")  # Thai digits count too
    assert page.locator('[data-sum-level="3"]').inner_text() == "30"
    assert "table-danger" not in page.locator('[data-sum-level="3"]').get_attribute("class")
    page.get_by_role("button", name="บันทึกการแบ่งค่าเป้าหมาย").click()
    page.wait_for_url("**/tree/")
    assert KPI.objects.filter(parent=kpi, cascade="split").count() == 2
    shot(page, "cascade-tree")
