"""Browser journey: the rounds page's dates follow the round typed, in B.E. (issue 14.1).

HR types another round over the suggested one: the static script moves both
dates to that round's (dd/mm/yyyy, B.E.); a date HR edits stays as edited;
the round is saved with those dates. Dates outside the fiscal year are refused.
"""

import datetime

import pytest
from playwright.sync_api import expect

from indicators.models import Round
from tests.e2e.helpers import field

pytestmark = pytest.mark.django_db(transaction=True)


def test_dates_follow_the_round_typed_unless_edited(person, agency, the_round, watch):
    hr = person("hr")
    hr.goto("/kpi/rounds/")
    code, start, end = field(hr, "รหัสรอบ"), field(hr, "วันเริ่มต้น"), field(hr, "วันสิ้นสุด")
    expect(code).to_have_value("2569/2")
    expect(start).to_have_value("01/04/2569")
    code.fill("2553/1")
    expect(start).to_have_value("01/10/2552")
    expect(end).to_have_value("31/03/2553")
    end.fill("15/03/2553")  # HR chooses the end date
    code.fill("๒๕๕๔/๑")  # Thai digits
    expect(start).to_have_value("01/10/2553")
    expect(end).to_have_value("15/03/2553")  # edited: kept
    code.fill("2553/1")
    hr.get_by_role("button", name="สร้างรอบ").click()
    expect(hr.get_by_text("สร้างรอบ 2553/1 แล้ว")).to_be_visible()
    created = Round.objects.get(fiscal_year=2553, number=1)
    assert (created.start, created.end) == (datetime.date(2009, 10, 1), datetime.date(2010, 3, 15))
    expect(hr.locator('tr[data-round="2553/1"]')).to_contain_text("1 ต.ค. 2552 – 15 มี.ค. 2553")

    # Dates of another fiscal year are refused, on the page.
    field(hr, "รหัสรอบ").fill("2554/2")
    field(hr, "วันสิ้นสุด").fill("15/10/2554")
    hr.get_by_role("button", name="สร้างรอบ").click()
    expect(hr.get_by_text("ต้องอยู่ในปีงบประมาณ 2554")).to_be_visible()
    assert not Round.objects.filter(fiscal_year=2554, number=2).exists()
    watch.finish()
