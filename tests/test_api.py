"""The REST API: visibility per role (the pages' rules), filters, pagination, result writes."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from api.models import ApiToken
from appraisals.models import Appraisal, Result, ScoringPolicy
from appraisals.services import result_save
from indicators.models import Plan, Round
from orgchart.models import Kind
from tests.api_helpers import api_for
from tests.factories_appraisals import kpi, make_plan, many_kpis, set_status

pytestmark = pytest.mark.usefixtures("private_media")

PLANS, NODES, RESULTS = "/api/v1/plans/", "/api/v1/nodes/", "/api/v1/results/"
APPRAISALS, ROUNDS = "/api/v1/appraisals/", "/api/v1/rounds/"


def result_url(the_kpi) -> str:
    return reverse("api:kpi-result", args=[the_kpi.pk])


@pytest.fixture
def plans(agency, tracking):
    """Approved plans of officer1, officer2, grp_head, officer3 and the outsider."""
    return {
        name: make_plan(getattr(agency, name), tracking)
        for name in ("officer1", "officer2", "grp_head", "officer3", "outsider")
    }


def owners(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["owner"]["code"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("officer1", {"P-O1"}),
        ("officer2", {"P-O2"}),
        ("grp_head", {"P-O1", "P-O2", "P-GH"}),
        ("sibling_head", {"P-O3"}),
        ("div_head", {"P-O1", "P-O2", "P-GH", "P-O3"}),
        ("hr", {"P-O1", "P-O2", "P-GH", "P-O3"}),
        ("hr_other", {"X-O1"}),
        ("admin", {"P-O1", "P-O2", "P-GH", "P-O3", "X-O1"}),
    ],
)
def test_each_role_sees_the_plans_the_pages_show_it(agency, plans, role, seen):
    assert owners(api_for(getattr(agency, role)).get(PLANS)) == seen


def test_a_plan_outside_the_view_answers_404_json(agency, plans):
    api = api_for(agency.officer1)
    response = api.get(f"{PLANS}{plans['officer2'].pk}/")
    assert response.status_code == 404
    assert response.json()["detail"] == "ไม่พบข้อมูลนี้ หรือคุณไม่มีสิทธิ์เข้าถึง"
    assert api.get(f"{PLANS}{plans['officer1'].pk}/").status_code == 200
    for url in (NODES, RESULTS, APPRAISALS):
        assert api.get(f"{url}999999/").status_code == 404


def test_a_plan_has_its_kras_kpis_and_five_levels(agency, plans):
    data = api_for(agency.officer1).get(f"{PLANS}{plans['officer1'].pk}/").json()
    assert data["owner"]["code"] == "P-O1" and data["status"] == "approved"
    assert data["round"]["code"] == "2569/1"
    (kra,) = data["kras"]
    codes = [row["code"] for row in kra["kpis"]]
    assert codes == ["PO1-K1", "PO1-K2", "PO1-K3"]
    assert kra["kpis"][0]["levels"] == ["65.0000", "70.0000", "75.0000", "80.0000", "85.0000"]
    assert kra["kpis"][1]["levels"][0] is None
    assert kra["kpis"][2]["levels"] == ["ขั้น 1", "ขั้น 2", "ขั้น 3", "ขั้น 4", "ขั้น 5"]
    assert kra["kpis"][0]["weight"] == "40.00"


def test_plans_filter_by_unit_subtree_and_round(agency, plans, tracking):
    hr = api_for(agency.hr)
    assert owners(hr.get(PLANS, {"unit": "GRP"})) == {"P-O1", "P-O2", "P-GH"}
    assert owners(hr.get(PLANS, {"unit": agency.grp2.pk})) == {"P-O3"}
    assert owners(hr.get(PLANS, {"unit": "DIV", "round": "2569/1"})) == {
        "P-O1", "P-O2", "P-GH", "P-O3"
    }  # fmt: skip
    assert owners(hr.get(PLANS, {"unit": "DIV", "round": tracking.pk})) != set()
    start, end = Round.default_dates(2569, 2)
    later = Round.objects.create(fiscal_year=2569, number=2, start=start, end=end)
    assert owners(hr.get(PLANS, {"round": later.pk})) == set()
    assert owners(hr.get(PLANS, {"owner": "P-O3"})) == {"P-O3"}
    # A unit outside the caller's view, or a round that does not exist: 404.
    assert hr.get(PLANS, {"unit": "OTHER"}).status_code == 404
    assert api_for(agency.officer1).get(PLANS, {"unit": "GRP"}).status_code == 404
    assert hr.get(PLANS, {"round": "2500/1"}).status_code == 404
    bad = hr.get(PLANS, {"round": "abc"})
    assert bad.status_code == 400 and bad.json()["errors"]


def test_lists_are_paginated_with_a_maximum_page_size(agency, plans, settings):
    settings.API_MAX_PAGE_SIZE = 3
    admin = api_for(agency.admin)
    first = admin.get(PLANS, {"page_size": 2}).json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["next"]
    assert len(admin.get(PLANS, {"page_size": 100}).json()["results"]) == 3
    last = admin.get(PLANS, {"page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next"] is None
    assert admin.get(PLANS, {"page": 9}).status_code == 404


def test_the_org_tree_as_far_as_each_role_sees(agency):
    codes = lambda response: [row["code"] for row in response.json()["results"]]  # noqa: E731
    assert codes(api_for(agency.officer1).get(NODES)) == ["P-O1"]
    head = api_for(agency.grp_head)
    assert codes(head.get(NODES)) == ["GRP", "P-GH", "P-O1", "P-O2"]
    assert codes(head.get(NODES, {"parent": agency.grp.pk, "kind": Kind.INDIVIDUAL})) == [
        "P-GH", "P-O1", "P-O2"
    ]  # fmt: skip
    hr = api_for(agency.hr)
    assert codes(hr.get(NODES, {"code": "GRP2"})) == ["GRP2"]
    assert codes(hr.get(NODES, {"unit": "GRP2"})) == ["GRP2", "P-SH", "P-O3"]
    assert "X-O1" not in codes(hr.get(NODES, {"page_size": 200}))
    assert hr.get(f"{NODES}{agency.outsider.pk}/").status_code == 404
    detail = hr.get(f"{NODES}{agency.officer1.pk}/").json()
    assert detail["parent_code"] == "GRP" and detail["kind"] == "individual"


def test_rounds_are_listed_for_everyone_signed_in(agency, tracking):
    data = api_for(agency.outsider).get(ROUNDS).json()
    assert [row["code"] for row in data["results"]] == ["2569/1"]
    assert data["results"][0]["status"] == "tracking"


def test_results_and_scores_per_role(agency, plans):
    one = plans["officer1"]
    result_save(kpi=kpi(one, "K1"), actual="80", by=agency.officer1.user)
    mine = api_for(agency.officer1).get(RESULTS, {"plan": one.pk}).json()["results"]
    assert [row["kpi_code"] for row in mine] == ["PO1-K1", "PO1-K2", "PO1-K3"]
    assert mine[0]["actual"] == "80.0000" and mine[0]["level"] == 4
    assert mine[0]["score"] == "4.0000" and mine[1]["actual"] is None
    head_rows = api_for(agency.grp_head).get(RESULTS, {"unit": "GRP"}).json()["results"]
    assert {row["plan"] for row in head_rows} == {
        one.pk, plans["officer2"].pk, plans["grp_head"].pk
    }  # fmt: skip
    assert api_for(agency.officer2).get(RESULTS, {"plan": one.pk}).json()["count"] == 0
    appraisal = api_for(agency.grp_head).get(APPRAISALS, {"unit": "P-O1"}).json()["results"]
    assert len(appraisal) == 1 and appraisal[0]["achievement"] is not None
    assert appraisal[0]["owner"]["code"] == "P-O1"
    assert api_for(agency.officer2).get(f"{APPRAISALS}{appraisal[0]['id']}/").status_code == 404


def test_scores_kept_from_the_assessee_until_published(agency, plans, tracking):
    one = plans["officer1"]
    result_save(kpi=kpi(one, "K1"), actual="80", by=agency.officer1.user)
    ScoringPolicy.objects.filter(round=tracking).update(scores_published=False)
    own = api_for(agency.officer1)
    row = own.get(RESULTS, {"plan": one.pk}).json()["results"][0]
    assert row["computed_level"] == 4 and row["level"] is None and row["score"] is None
    assert own.get(APPRAISALS).json()["results"][0]["total"] is None
    assert own.get(APPRAISALS).json()["results"][0]["achievement"] is None
    head_row = api_for(agency.grp_head).get(RESULTS, {"plan": one.pk}).json()["results"][0]
    assert head_row["score"] == "4.0000"


# Writes ---------------------------------------------------------------------------------


def test_the_holder_records_a_result_through_the_service(agency, plans):
    the_kpi = kpi(plans["officer1"], "K1")
    response = api_for(agency.officer1).put(result_url(the_kpi), {"actual": 77, "note": "ครบ"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["actual"] == "77.0000" and data["level"] == 3 and data["note"] == "ครบ"
    result = Result.objects.get(kpi=the_kpi)
    assert result.actual == Decimal("77") and result.updated_by == agency.officer1.user
    assert plans["officer1"].history.filter(action="result_save").count() == 1
    assert Appraisal.objects.get(plan=plans["officer1"]).achievement is not None
    milestone = kpi(plans["officer1"], "K3")
    done = api_for(agency.officer1).put(result_url(milestone), {"milestones_done": "๔"})
    assert done.status_code == 200 and done.json()["milestones_done"] == 4


def test_the_page_and_the_api_give_the_same_result_and_score(agency, tracking):
    by_api = make_plan(agency.officer1, tracking, many_kpis(3))
    by_page = make_plan(agency.officer2, tracking, many_kpis(3))
    api = api_for(agency.officer1)
    page = Client()
    page.force_login(agency.officer2.user)
    for suffix, value in (("M0", "35"), ("M1", "1,000"), ("M2", "๒๕.๕")):
        assert api.put(result_url(kpi(by_api, suffix)), {"actual": value}).status_code == 200
        page_kpi = kpi(by_page, suffix)
        url = reverse("appraisals:result_save", args=[by_page.pk, page_kpi.pk])
        assert page.post(url, {"actual": value, "note": ""}).status_code == 302
    stored = lambda plan: [  # noqa: E731
        (r.actual, r.level, r.score)
        for r in Result.objects.filter(kpi__plan=plan).order_by("kpi__order")
    ]
    assert stored(by_api) == stored(by_page)
    achievement = lambda plan: Appraisal.objects.get(plan=plan).achievement  # noqa: E731
    assert achievement(by_api) == achievement(by_page) is not None


def _refused(response, status, message):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert message in response.json()["detail"]


def test_a_closed_round_refuses_and_saves_nothing(agency, plans, tracking):
    set_status(tracking, Round.Status.CLOSED)
    the_kpi = kpi(plans["officer1"], "K1")
    response = api_for(agency.officer1).put(result_url(the_kpi), {"actual": "80"})
    _refused(response, 409, "รอบการประเมิน 2569/1 ปิดแล้ว ไม่สามารถแก้ไขได้")
    assert response.json()["code"] == "closed"
    assert not Result.objects.filter(kpi=the_kpi).exists()


def test_an_unapproved_plan_refuses_and_saves_nothing(agency, plans):
    Plan.objects.filter(pk=plans["officer1"].pk).update(status=Plan.Status.SUBMITTED)
    the_kpi = kpi(plans["officer1"], "K1")
    response = api_for(agency.officer1).put(result_url(the_kpi), {"actual": "80"})
    _refused(response, 409, "แผนตัวชี้วัดนี้ยังไม่ได้รับอนุมัติ")
    assert not Result.objects.filter(kpi=the_kpi).exists()


def test_a_planning_round_refuses_in_english_too(agency, plans, tracking):
    set_status(tracking, Round.Status.PLANNING)
    the_kpi = kpi(plans["officer1"], "K1")
    response = api_for(agency.officer1, language="en").put(result_url(the_kpi), {"actual": "80"})
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Results can be recorded only")
    assert response["Content-Language"] == "en"
    assert not Result.objects.filter(kpi=the_kpi).exists()


def test_someone_elses_kpi_is_refused(agency, plans):
    the_kpi = kpi(plans["officer1"], "K1")
    body = {"actual": "80"}
    _refused(api_for(agency.grp_head).put(result_url(the_kpi), body), 403, "บันทึกผลได้เฉพาะ")
    _refused(api_for(agency.hr).put(result_url(the_kpi), body), 403, "บันทึกผลได้เฉพาะ")
    _refused(api_for(agency.officer2).put(result_url(the_kpi), body), 404, "ไม่พบข้อมูลนี้")
    assert not Result.objects.filter(kpi=the_kpi).exists()


def test_bad_values_are_refused_with_the_page_messages(agency, plans):
    api = api_for(agency.officer1)
    numeric, milestone = kpi(plans["officer1"], "K1"), kpi(plans["officer1"], "K3")
    _refused(api.put(result_url(numeric), {"actual": "มาก"}), 400, "ผลการดำเนินงานต้องเป็นตัวเลข")
    _refused(api.put(result_url(milestone), {"milestones_done": 9}), 400, "0 ถึง 5")
    _refused(api.put(result_url(numeric), {"actual": True}), 400, "actual")
    bad_json = api.client.put(
        result_url(numeric), "{not json", content_type="application/json", **api.headers
    )
    assert bad_json.status_code == 400 and bad_json.json()["detail"]
    assert not Result.objects.exists()


def test_a_stale_version_is_refused(agency, plans):
    the_kpi = kpi(plans["officer1"], "K1")
    api = api_for(agency.officer1)
    first = api.put(result_url(the_kpi), {"actual": "70", "expected_version": 0}).json()
    assert first["version"] == 1
    api.put(result_url(the_kpi), {"actual": "75"})
    stale = api.put(result_url(the_kpi), {"actual": "85", "expected_version": 1})
    _refused(stale, 409, "ผลของตัวชี้วัดนี้ถูกบันทึกหลังจากที่คุณเปิดหน้านี้")
    assert Result.objects.get(kpi=the_kpi).actual == Decimal("75")


def test_reading_one_result(agency, plans):
    the_kpi = kpi(plans["officer1"], "K2")
    data = api_for(agency.grp_head).get(result_url(the_kpi)).json()
    assert data["kpi_code"] == "PO1-K2" and data["actual"] is None and data["version"] == 0
    assert api_for(agency.officer2).get(result_url(the_kpi)).status_code == 404


def test_writes_need_a_token_and_refuse_other_methods(agency, plans):
    the_kpi = kpi(plans["officer1"], "K1")
    session = Client()
    session.force_login(agency.officer1.user)
    assert (
        session.put(result_url(the_kpi), "{}", content_type="application/json").status_code == 401
    )
    api = api_for(agency.officer1)
    assert api.post(result_url(the_kpi), {"actual": "1"}).status_code == 405
    assert api.delete(result_url(the_kpi)).status_code == 405
    assert api.post(PLANS, {}).status_code == 405
    assert not Result.objects.exists()
    assert ApiToken.objects.count() == 1


# Bounded queries -----------------------------------------------------------------------


def _agency_of(agency, tracking, people: int):
    from tests.conftest import make_node

    for n in range(people):
        person = make_node(f"P-N{n}", Kind.INDIVIDUAL, agency.grp, name=f"คน {n}")
        make_plan(person, tracking, many_kpis(3 + n % 3))


# Per request: the token (1; last used was touched by the first call), the rate
# limit's database cache (6: read, count for culling, savepoint, read, write,
# release), the caller's roles (1), the unit filter (1), the count and the page (2):
# 11; plus the round filter (plans, results, appraisals) and the plans' KRAs and KPIs.
LIST_QUERIES = {PLANS: 14, RESULTS: 12, APPRAISALS: 12, NODES: 11}


@pytest.mark.parametrize("url", list(LIST_QUERIES))
@pytest.mark.parametrize("people", [3, 12])
def test_a_page_takes_a_fixed_number_of_queries(
    agency, tracking, django_assert_num_queries, url, people
):
    _agency_of(agency, tracking, people)
    for plan in Plan.objects.all():
        for the_kpi in plan.kpis.all()[:2]:
            result_save(kpi=the_kpi, actual="30", by=None)
    api = api_for(agency.hr)
    api.get(ROUNDS)
    with django_assert_num_queries(LIST_QUERIES[url]):
        response = api.get(url, {"round": tracking.pk, "unit": "GRP", "page_size": 200})
    assert response.status_code == 200
    assert response.json()["count"] >= people


def test_a_refused_read_is_logged_like_a_page(agency, plans, caplog):
    api = api_for(agency.officer1)
    with caplog.at_level("WARNING", logger="kpi_portal.security"):
        assert api.get(f"{PLANS}{plans['officer2'].pk}/").status_code == 404
    assert any(
        "status=404" in r.getMessage() and "/api/v1/plans/" in r.getMessage()
        for r in caplog.records
    )
