"""The assessment and its sign-offs: self-assessment, the assessor, the assessee, the reviewer."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from appraisals.models import Appraisal, Competency, Result
from appraisals.policy import policy_save
from appraisals.services import (
    appraisal_acknowledge,
    appraisal_assess,
    appraisal_refusal_record,
    appraisal_review,
    appraisal_self_assess,
    result_save,
)
from indicators.models import HistoryEntry
from tests.factories_appraisals import (
    kpi,
    make_plan,
)

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def plan(agency, tracking):
    """officer1's plan with DOMAIN's worked-example results: levels 3, 3, 5."""
    plan = make_plan(agency.officer1, tracking)
    by = agency.officer1.user
    result_save(kpi=kpi(plan, "K1"), actual="77", by=by)
    result_save(kpi=kpi(plan, "K2"), actual="27", by=by)
    result_save(kpi=kpi(plan, "K3"), milestones_done="5", by=by)
    return plan


def all_competencies(level: int) -> dict:
    return {pk: level for pk in Competency.objects.values_list("pk", flat=True)}


def assess(plan, agency, **kwargs):
    kwargs.setdefault("levels", {})
    kwargs.setdefault("ratings", all_competencies(1))
    return appraisal_assess(plan=plan, by=agency.grp_head.user, **kwargs)


def assess_url(plan, name="assess"):
    return reverse(f"appraisals:{name}", args=[plan.pk])


def test_self_assessment_needs_every_result(agency, tracking):
    plan = make_plan(agency.officer1, tracking)
    result_save(kpi=kpi(plan, "K1"), actual="77", by=agency.officer1.user)
    with pytest.raises(ValidationError, match="ยังขาด: PO1-K2, PO1-K3"):
        appraisal_self_assess(plan=plan, by=agency.officer1.user)
    assert Appraisal.objects.get(plan=plan).status == Appraisal.Status.OPEN


def test_self_assessment_moves_the_appraisal_on(agency, plan, client_for):
    client = client_for(agency.officer1)
    response = client.post(assess_url(plan, "self_assess"), {"comment": "ทำได้ตามเป้า"})
    assert response.status_code == 302
    appraisal = Appraisal.objects.get(plan=plan)
    assert appraisal.status == Appraisal.Status.SELF_ASSESSED
    assert appraisal.self_comment == "ทำได้ตามเป้า"
    page = client.get(assess_url(plan)).content.decode()
    assert "ส่งผลการประเมินตนเองให้ผู้ประเมินแล้ว" in page


def test_the_assessor_cannot_change_a_level_without_a_reason(agency, plan, client_for):
    k1 = kpi(plan, "K1")
    with pytest.raises(ValidationError, match="กรุณาระบุเหตุผล"):
        assess(plan, agency, levels={k1.pk: 4})
    assert Result.objects.get(kpi=k1).assessed_level is None
    assert Appraisal.objects.get(plan=plan).status == Appraisal.Status.OPEN

    data = {f"level_{k1.pk}": "4", f"reason_{k1.pk}": ""}
    data.update({f"rating_{pk}": "1" for pk in all_competencies(1)})
    response = client_for(agency.grp_head).post(assess_url(plan), data)
    assert response.status_code == 200
    assert "กรุณาระบุเหตุผลเมื่อให้ระดับ 4 ต่างจากระดับที่คำนวณได้" in response.content.decode()
    assert Result.objects.get(kpi=k1).assessed_level is None


def test_a_changed_level_with_a_reason_sets_the_score_to_that_level(agency, plan):
    k1 = kpi(plan, "K1")
    assess(plan, agency, levels={k1.pk: 4}, reasons={k1.pk: "งานยากกว่าที่วางแผน"})
    result = Result.objects.get(kpi=k1)
    assert (result.assessed_level, result.level, result.score) == (4, 4, Decimal("4.0000"))
    # (4 x 40 + 3 x 35 + 5 x 25) / 500 x 100 = 78.00
    assert Appraisal.objects.get(plan=plan).achievement == Decimal("78.00")
    entry = HistoryEntry.objects.get(plan=plan, action="assess")
    assert entry.changes["PO1-K1.assessed_level"] == [None, 4]


def test_confirming_the_computed_level_needs_no_reason(agency, plan):
    k1 = kpi(plan, "K1")
    appraisal = assess(plan, agency, levels={k1.pk: 3})
    assert appraisal.status == Appraisal.Status.ASSESSED
    assert Result.objects.get(kpi=k1).assessed_level is None


def test_every_competency_must_be_rated_for_a_person(agency, plan):
    with pytest.raises(ValidationError, match="กรุณาระบุระดับสมรรถนะที่แสดงออก"):
        assess(plan, agency, ratings={})
    assert not Appraisal.objects.get(plan=plan).ratings.exists()


def test_observed_levels_outside_zero_to_five_are_refused(agency, plan):
    with pytest.raises(ValidationError, match="ระดับต้องเป็น 0 ถึง 5"):
        assess(plan, agency, ratings=all_competencies(7))


def test_the_assessment_scores_competency_total_and_band(agency, plan):
    ratings = all_competencies(1)
    ratings[Competency.objects.get(code="teamwork").pk] = 0  # one level short: 2 points
    appraisal = assess(plan, agency, ratings=ratings)
    # competency 14 / 15 = 93.33; total 70.00 x 0.7 + 93.33 x 0.3 = 77.00
    assert (appraisal.achievement, appraisal.competency) == (Decimal("70.00"), Decimal("93.33"))
    assert (appraisal.total, appraisal.band) == (Decimal("77.00"), "ดี")


@pytest.mark.parametrize("who", ["officer1", "officer2", "hr", "div_head", "admin"])
def test_only_the_supervisor_assesses(agency, plan, client_for, who):
    person = getattr(agency, who)
    data = {f"rating_{pk}": "3" for pk in all_competencies(3)}
    response = client_for(person).post(assess_url(plan), data)
    # admin sees everything, so 403 too; officer2 cannot see the plan: 404
    assert response.status_code == (404 if who == "officer2" else 403)
    assert Appraisal.objects.get(plan=plan).status == Appraisal.Status.OPEN


@pytest.mark.parametrize("who", ["outsider", "sibling_head", "hr_other"])
def test_people_outside_the_view_get_404_on_the_assessment(agency, plan, client_for, who):
    client = client_for(getattr(agency, who))
    assert client.get(assess_url(plan)).status_code == 404
    assert client.post(assess_url(plan), {}).status_code == 404
    assert client.post(assess_url(plan, "acknowledge")).status_code == 404


def test_the_supervisor_assesses_through_the_page(agency, plan, client_for):
    client = client_for(agency.grp_head)
    page = client.get(assess_url(plan)).content.decode()
    assert "บันทึกผลการประเมิน" in page
    data = {f"rating_{pk}": "1" for pk in all_competencies(1)}
    data["comment"] = "ทำงานดี"
    response = client.post(assess_url(plan), data)
    assert response.status_code == 302
    appraisal = Appraisal.objects.get(plan=plan)
    assert appraisal.status == Appraisal.Status.ASSESSED
    assert appraisal.total == Decimal("79.00")  # 70 x 0.7 + 100 x 0.3
    assert appraisal.assessed_by == agency.grp_head.user


def test_the_assessee_acknowledges(agency, plan, client_for):
    assess(plan, agency)
    client = client_for(agency.officer1)
    assert "ลงนามรับทราบผลการประเมิน" in client.get(assess_url(plan)).content.decode()
    response = client.post(assess_url(plan, "acknowledge"))
    assert response.status_code == 302
    appraisal = Appraisal.objects.get(plan=plan)
    assert appraisal.status == Appraisal.Status.ACKNOWLEDGED
    assert appraisal.acknowledged_at is not None and not appraisal.refused
    assert client_for(agency.grp_head).post(assess_url(plan, "acknowledge")).status_code == 403


def test_acknowledging_before_the_assessment_is_refused(agency, plan):
    with pytest.raises(ValidationError, match="ยังรับทราบไม่ได้"):
        appraisal_acknowledge(plan=plan, by=agency.officer1.user)


def test_the_assessor_records_a_refusal_with_the_date_shown_and_a_witness(agency, plan, client_for):
    assess(plan, agency)
    client = client_for(agency.grp_head)
    shown = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(assess_url(plan, "refusal"), {"shown_on": shown.isoformat(),
                                                         "witness": ""})  # fmt: skip
    assert response.status_code == 200
    assert Appraisal.objects.get(plan=plan).status == Appraisal.Status.ASSESSED

    response = client.post(
        assess_url(plan, "refusal"),
        {"shown_on": shown.isoformat(), "witness": "นางสาวพยาน ตัวจริง"},
    )
    assert response.status_code == 302
    appraisal = Appraisal.objects.get(plan=plan)
    assert appraisal.refused and appraisal.shown_on == shown
    assert appraisal.witness == "นางสาวพยาน ตัวจริง"
    page = client_for(agency.officer1).get(assess_url(plan)).content.decode()
    assert "ไม่ลงนามรับทราบ" in page and "นางสาวพยาน ตัวจริง" in page
    assert f"{shown.day} " in page and str(shown.year + 543) in page
    assert client_for(agency.officer1).post(assess_url(plan, "refusal"), {}).status_code == 403


def test_a_refusal_needs_a_witness_and_a_date_not_in_the_future(agency, plan):
    assess(plan, agency)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        appraisal_refusal_record(plan=plan, shown_on=tomorrow, witness=" ", by=agency.grp_head.user)
    assert "ต้องไม่เป็นวันในอนาคต" in " ".join(excinfo.value.messages)
    assert "กรุณาระบุชื่อพยาน" in " ".join(excinfo.value.messages)


def test_the_next_level_supervisor_agrees_or_records_a_different_opinion(agency, plan, client_for):
    assess(plan, agency)
    appraisal_acknowledge(plan=plan, by=agency.officer1.user)
    client = client_for(agency.div_head)
    response = client.post(assess_url(plan, "review"), {"opinion": "different", "comment": ""})
    assert response.status_code == 200
    assert "กรุณาระบุความเห็นเมื่อมีความเห็นต่าง" in response.content.decode()

    response = client.post(
        assess_url(plan, "review"), {"opinion": "different", "comment": "ควรได้ระดับสูงกว่านี้"}
    )
    assert response.status_code == 302
    appraisal = Appraisal.objects.get(plan=plan)
    assert appraisal.status == Appraisal.Status.REVIEWED
    assert (appraisal.opinion, appraisal.opinion_comment) == ("different", "ควรได้ระดับสูงกว่านี้")
    assert "มีความเห็นต่าง" in client_for(agency.officer1).get(assess_url(plan)).content.decode()


@pytest.mark.parametrize("who", ["grp_head", "officer1", "dept_head", "hr"])
def test_only_the_next_level_supervisor_reviews(agency, plan, client_for, who):
    assess(plan, agency)
    appraisal_acknowledge(plan=plan, by=agency.officer1.user)
    response = client_for(getattr(agency, who)).post(
        assess_url(plan, "review"), {"opinion": "agree"}
    )
    assert response.status_code == 403
    assert Appraisal.objects.get(plan=plan).status == Appraisal.Status.ACKNOWLEDGED


def test_a_review_before_the_acknowledgement_is_refused(agency, plan):
    assess(plan, agency)
    with pytest.raises(ValidationError, match="ยังให้ความเห็นไม่ได้"):
        appraisal_review(plan=plan, opinion="agree", by=agency.div_head.user)


def test_the_assessment_cannot_change_after_the_acknowledgement(agency, plan):
    assess(plan, agency)
    appraisal_acknowledge(plan=plan, by=agency.officer1.user)
    with pytest.raises(ValidationError, match="แก้ไขการประเมินไม่ได้"):
        assess(plan, agency, ratings=all_competencies(3))


def test_unpublished_scores_are_hidden_from_the_assessee_only(agency, plan, client_for):
    policy_save(round=plan.round, published=False)
    assess(plan, agency)
    own = client_for(agency.officer1).get(assess_url(plan)).content.decode()
    assert "ยังไม่เผยแพร่ผลคะแนน" in own
    assert 'data-testid="total"' not in own and "79.00" not in own
    results_page = (
        client_for(agency.officer1)
        .get(reverse("appraisals:results", args=[plan.pk]))
        .content.decode()
    )
    assert 'data-testid="achievement"' not in results_page
    assessor = client_for(agency.grp_head).get(assess_url(plan)).content.decode()
    assert "79.00" in assessor
    with pytest.raises(ValidationError, match="ยังไม่เผยแพร่ผลคะแนน"):
        appraisal_acknowledge(plan=plan, by=agency.officer1.user)

    policy_save(round=plan.round, published=True)
    assert "79.00" in client_for(agency.officer1).get(assess_url(plan)).content.decode()


def test_hr_records_the_department_heads_assessment(agency, tracking, client_for):
    # No supervisor in the tree: HR records the assessment made outside it.
    top = make_plan(agency.dept_head, tracking)
    by = agency.dept_head.user
    result_save(kpi=kpi(top, "K1"), actual="77", by=by)
    result_save(kpi=kpi(top, "K2"), actual="27", by=by)
    result_save(kpi=kpi(top, "K3"), milestones_done="5", by=by)
    assert client_for(agency.hr).get(assess_url(top)).status_code == 200
    assert client_for(agency.div_head).get(assess_url(top)).status_code == 404

    appraisal_assess(plan=top, levels={}, ratings=all_competencies(4), by=agency.hr.user)

    appraisal = Appraisal.objects.get(plan=top)
    assert appraisal.status == Appraisal.Status.ASSESSED and appraisal.assessed_by == agency.hr.user
    refused = client_for(agency.dept_head).post(assess_url(top), {})
    assert refused.status_code == 403  # nobody assesses their own plan
