"""Browser journey: the assessor agrees a development plan with an officer, who acknowledges it.

officer1's appraisal of round 2569/1 is assessed: one KPI at level 1 and the
competency การทำงานเป็นทีม (or the first one) observed at 1 of an expected 3.
grp_head opens the officer's results, the development plan, picks the
competency from the gaps, fills method, period, outcome and hours; officer1
sees it on the results page and acknowledges it; the printable form shows it
as part 3.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from appraisals.models import Appraisal, Competency, CompetencyRating, DevelopmentItem, Result
from indicators.models import Round
from tests.factories_appraisals import make_plan, set_status

pytestmark = pytest.mark.django_db(transaction=True)


def _assessed(agency, the_round):
    set_status(the_round, Round.Status.ASSESSMENT)
    plan = make_plan(agency.officer1, the_round)
    low = plan.kpis.order_by("order").first()
    Result.objects.create(kpi=low, actual=Decimal(66), level=1, score=Decimal(1))
    appraisal = Appraisal.objects.create(plan=plan, status=Appraisal.Status.ASSESSED, band="ดี")
    competency = Competency.objects.order_by("order").first()
    CompetencyRating.objects.create(
        appraisal=appraisal, competency=competency, expected=3, observed=1
    )
    return plan, competency


def test_assessor_agrees_a_plan_and_the_officer_acknowledges(
    person, agency, the_round, shot, watch
):
    plan, competency = _assessed(agency, the_round)
    head = person("grp_head")
    head.goto(f"/appraisal/plan/{plan.pk}/")
    head.get_by_role("link", name="เปิดแผนพัฒนารายบุคคล").click()
    head.get_by_label("เรื่องที่ต่ำกว่าเป้าหมาย").select_option(
        label=f"{competency.name} (ระดับ 1 จากที่คาดหวัง 3)"
    )
    head.get_by_label("วิธีการพัฒนา").select_option(label="การสอนงาน")
    head.get_by_label("ช่วงเวลา").fill("ต.ค.-ธ.ค. 2569")
    head.get_by_label("จำนวนชั่วโมงที่วางแผน").fill("12")
    head.get_by_role("button", name="เพิ่มรายการ").click()
    expect(head.get_by_role("alert")).to_contain_text("กรุณาระบุผลที่คาดว่าจะได้รับ")
    assert not DevelopmentItem.objects.exists()
    head.get_by_label("ผลที่คาดว่าจะได้รับ").fill("ทำงานร่วมกับทีมได้ตามเป้าหมาย")
    head.get_by_role("button", name="เพิ่มรายการ").click()
    expect(head.get_by_text("เพิ่มรายการแผนพัฒนาแล้ว")).to_be_visible()
    expect(head.locator("#development-items")).to_contain_text("การสอนงาน")
    shot(head, "reward-development-plan-assessor")

    officer = person("officer1")
    officer.goto(f"/appraisal/plan/{plan.pk}/")
    expect(officer.locator("#development-plan")).to_contain_text("ทำงานร่วมกับทีมได้ตามเป้าหมาย")
    officer.get_by_role("link", name="เปิดแผนพัฒนารายบุคคล").click()
    officer.get_by_role("button", name="รับทราบแผนพัฒนา").click()
    expect(officer.locator("#development-status")).to_contain_text("ผู้รับการประเมินรับทราบแผนพัฒนาแล้ว")
    assert Appraisal.objects.get(plan=plan).development_acknowledged_at is not None
    officer.goto(f"/appraisal/plan/{plan.pk}/form/")
    expect(officer.locator("#development-plan")).to_contain_text("ส่วนที่ 3")
    shot(officer, "reward-development-plan-form")
    watch.finish()
