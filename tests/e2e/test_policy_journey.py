"""Browser journey: HR switches a round to interpolated scoring and sees it rescored and logged.

Round 2569/1 is tracking, officer1 has DOMAIN's worked example recorded
(levels 3, 3, 5: achievement 70.00). HR opens the round's scoring policy
from the rounds page, chooses interpolated scoring, saves, and finds the
change in the policy's history; officer1's achievement is now 77.40 (3.4,
3.6, 5), as DOMAIN.md works it out.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from appraisals.models import Appraisal
from indicators.models import Round
from tests.e2e.helpers import hr_menu
from tests.factories_reports import make_appraisal, worked_example_plan

pytestmark = pytest.mark.django_db(transaction=True)


def test_hr_switches_to_interpolated_scoring(person, agency, the_round, shot, watch):
    Round.objects.filter(pk=the_round.pk).update(status=Round.Status.TRACKING)
    plan = worked_example_plan(agency.officer1, the_round)
    make_appraisal(plan, status=Appraisal.Status.OPEN)
    assert Appraisal.objects.get(plan=plan).achievement == Decimal("70.00")

    hr = person("hr")
    hr_menu(hr, "รอบการประเมิน").click()
    hr.locator('tr[data-round="2569/1"]').get_by_role("link", name="นโยบายการคิดคะแนน").click()
    hr.get_by_label("วิธีคิดคะแนน").select_option(label="แบบเทียบสัดส่วนระหว่างระดับ")
    hr.get_by_role("button", name="บันทึกและคำนวณคะแนนใหม่").click()

    expect(hr.get_by_text("บันทึกนโยบายการคิดคะแนนและคำนวณคะแนนของรอบใหม่แล้ว")).to_be_visible()
    changes = hr.locator("#policy-changes")
    expect(changes).to_contain_text("นางสาวบุคคล ใจดี")
    expect(changes).to_contain_text(re.compile(r"แบบขั้น \(ระดับที่ได้\)\s*→\s*แบบเทียบสัดส่วนระหว่างระดับ"))
    shot(hr, "hr-policy-history")
    assert Appraisal.objects.get(plan=plan).achievement == Decimal("77.40")
    watch.check()
