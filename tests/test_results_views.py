"""The results pages: what each person sees, saving with htmx, evidence downloads."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from appraisals.models import Evidence, Result
from appraisals.services import result_save
from indicators.models import Round
from tests.factories_appraisals import (
    PDF,
    kpi,
    make_plan,
    many_kpis,
    set_status,
    upload,
)

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def plan(agency, tracking):
    return make_plan(agency.officer1, tracking)


def results_url(plan):
    return reverse("appraisals:results", args=[plan.pk])


def save_url(plan, the_kpi):
    return reverse("appraisals:result_save", args=[plan.pk, the_kpi.pk])


def closed_round_plan(agency):
    """officer1's plan in round 2568/2, closed since."""
    start, end = Round.default_dates(2568, 2)
    closed = Round.objects.create(
        fiscal_year=2568, number=2, start=start, end=end, status=Round.Status.CLOSED
    )
    return make_plan(agency.officer1, closed)


def test_the_results_page_leads_to_the_other_rounds_results(agency, plan, client_for):
    old = closed_round_plan(agency)
    page = client_for(agency.officer1).get(results_url(plan)).content.decode()
    assert 'id="other-rounds"' in page and results_url(old) in page and "2568/2" in page
    back = client_for(agency.officer1).get(results_url(old)).content.decode()
    assert results_url(plan) in back and "รอบนี้ปิดแล้ว" in back


def test_with_no_open_round_the_results_menu_lists_past_rounds(agency, client_for):
    old = closed_round_plan(agency)
    page = client_for(agency.officer1).get(reverse("appraisals:my_results")).content.decode()
    assert "ขณะนี้ยังไม่มีรอบการประเมินที่เปิดให้บันทึกผลการดำเนินงาน" in page
    assert 'id="past-results"' in page and results_url(old) in page
    stranger = client_for(agency.officer2).get(reverse("appraisals:my_results")).content.decode()
    assert results_url(old) not in stranger


def test_my_results_goes_to_my_plan_in_the_newest_open_round(agency, plan, client_for):
    response = client_for(agency.officer1).get(reverse("appraisals:my_results"))
    assert response.status_code == 302
    assert response["Location"] == results_url(plan)


def test_my_results_without_an_open_round_explains_why(agency, the_round, client_for):
    make_plan(agency.officer1, the_round)  # the round is still planning
    response = client_for(agency.officer1).get(reverse("appraisals:my_results"))
    assert response.status_code == 200
    assert "ยังไม่มีรอบการประเมินที่เปิดให้บันทึกผล" in response.content.decode()


def test_the_owner_sees_the_five_levels_and_an_input_per_kpi(agency, plan, client_for):
    response = client_for(agency.officer1).get(results_url(plan))
    page = response.content.decode()
    assert response.status_code == 200
    assert "ตัวชี้วัด PO1-K1" in page
    assert "≥ 65" in page and "≤ 35" in page and "ผลใดก็ได้" in page
    assert page.count('name="actual"') == 2
    assert page.count('name="milestones_done"') == 1
    assert 'name="evidence"' in page


def test_saving_with_htmx_answers_with_the_card_level_score_and_achievement(
    agency, plan, client_for
):
    response = client_for(agency.officer1).post(
        save_url(plan, kpi(plan, "K1")),
        {"actual": "77", "note": "ตามรายงาน", "version": "0"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="kpi-{kpi(plan, "K1").pk}"' in page
    assert "บันทึกแล้ว" in page
    assert "3.0000" in page  # the score
    assert "120.0000" in page  # 3 x 40, the weighted score
    assert 'hx-swap-oob="true"' in page and "24.00" in page  # the achievement so far
    assert Result.objects.get().actual == Decimal("77")


def test_a_bad_actual_shows_the_message_in_the_card_and_keeps_the_input(agency, plan, client_for):
    response = client_for(agency.officer1).post(
        save_url(plan, kpi(plan, "K1")),
        {"actual": "เจ็ดสิบ", "note": "ร่าง", "version": "0"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "ผลการดำเนินงานต้องเป็นตัวเลข" in page
    assert 'value="เจ็ดสิบ"' in page
    assert not Result.objects.exists()


def test_without_htmx_a_save_redirects_back_to_the_kpi(agency, plan, client_for):
    the_kpi = kpi(plan, "K3")
    response = client_for(agency.officer1).post(
        save_url(plan, the_kpi), {"milestones_done": "5", "version": "0"}
    )
    assert response.status_code == 302
    assert response["Location"] == results_url(plan) + f"#kpi-{the_kpi.pk}"
    assert Result.objects.get().level == 5


def test_uploading_a_renamed_file_is_refused_on_the_page(agency, plan, client_for):
    response = client_for(agency.officer1).post(
        save_url(plan, kpi(plan, "K1")),
        {"actual": "77", "version": "0", "evidence": upload("report.pdf", b"MZ\x90 not pdf")},
        HTTP_HX_REQUEST="true",
    )
    assert "ไม่ใช่ไฟล์ PDF จริง" in response.content.decode()
    assert not Result.objects.exists() and not Evidence.objects.exists()


def test_the_supervisor_sees_the_results_but_cannot_record_them(agency, plan, client_for):
    client = client_for(agency.grp_head)
    page = client.get(results_url(plan)).content.decode()
    assert 'name="actual"' not in page
    response = client.post(save_url(plan, kpi(plan, "K1")), {"actual": "77"})
    assert response.status_code == 403
    assert not Result.objects.exists()


@pytest.mark.parametrize("who", ["officer2", "sibling_head", "outsider", "hr_other"])
def test_people_who_cannot_see_the_plan_get_404(agency, plan, client_for, who):
    client = client_for(getattr(agency, who))
    assert client.get(results_url(plan)).status_code == 404
    assert client.post(save_url(plan, kpi(plan, "K1")), {"actual": "77"}).status_code == 404
    assert not Result.objects.exists()


def test_a_kpi_of_another_plan_in_the_url_answers_404(agency, plan, tracking, client_for):
    other = make_plan(agency.officer2, tracking)
    response = client_for(agency.officer1).post(save_url(plan, kpi(other, "K1")), {"actual": "1"})
    assert response.status_code == 404


def test_saving_is_post_only(agency, plan, client_for):
    response = client_for(agency.officer1).get(save_url(plan, kpi(plan, "K1")))
    assert response.status_code == 405


def test_the_page_of_a_closed_round_has_no_inputs(agency, plan, client_for):
    result_save(kpi=kpi(plan, "K1"), actual="77", by=agency.officer1.user)
    set_status(plan.round, Round.Status.CLOSED)
    page = client_for(agency.officer1).get(results_url(plan)).content.decode()
    assert "รอบนี้ปิดแล้ว" in page
    assert 'name="actual"' not in page


def test_evidence_downloads_as_an_attachment_with_its_original_name(agency, plan, client_for):
    result = result_save(
        kpi=kpi(plan, "K1"),
        actual="77",
        files=[upload("รายงาน ก.pdf", PDF)],
        by=agency.officer1.user,
    )
    evidence = result.evidence.get()
    for who in (agency.officer1, agency.grp_head, agency.hr):
        response = client_for(who).get(reverse("appraisals:evidence", args=[evidence.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("who", ["officer2", "sibling_head", "outsider", "hr_other"])
def test_an_officer_cannot_download_another_officers_evidence(agency, plan, client_for, who):
    result = result_save(
        kpi=kpi(plan, "K1"), actual="77", files=[upload("a.pdf", PDF)], by=agency.officer1.user
    )
    url = reverse("appraisals:evidence", args=[result.evidence.get().pk])
    assert client_for(getattr(agency, who)).get(url).status_code == 404


def test_the_owner_deletes_evidence_and_the_file_goes(
    agency, plan, client_for, django_capture_on_commit_callbacks
):
    result = result_save(
        kpi=kpi(plan, "K1"), actual="77", files=[upload("a.pdf", PDF)], by=agency.officer1.user
    )
    evidence = result.evidence.get()
    path = Path(evidence.file.path)
    url = reverse("appraisals:evidence_delete", args=[evidence.pk])
    assert client_for(agency.grp_head).post(url).status_code == 403
    assert client_for(agency.officer2).post(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(agency.officer1).post(url)
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert not path.exists()


# session, user, roles, plan, policy + weights + bands, KPIs with results, evidence,
# appraisal, the latest check-ins panel (schedule, KPIs with their latest check-in),
# the development plan (one joined query), and the session save (savepoint, update,
# release): none per KPI.
QUERIES = 17


@pytest.mark.parametrize("size", [2, 12])
def test_the_results_page_has_a_fixed_query_count(
    agency, tracking, client_for, django_assert_num_queries, size
):
    plan = make_plan(agency.officer1, tracking, many_kpis(size))
    for the_kpi in plan.kpis.all():
        result_save(kpi=the_kpi, actual="25", files=[upload("a.pdf", PDF)], by=agency.officer1.user)
    client = client_for(agency.officer1)
    client.get(results_url(plan))  # warm the session
    with django_assert_num_queries(QUERIES):
        response = client.get(results_url(plan))
    assert response.content.decode().count("kpi-card") == size
