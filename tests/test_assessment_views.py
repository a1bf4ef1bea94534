"""The assessment page and the team list: who is listed, and fixed query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appraisals.models import Competency
from appraisals.services import appraisal_assess, result_save
from tests.factories_appraisals import (
    make_plan,
    many_kpis,
)

pytestmark = pytest.mark.usefixtures("private_media")


def queries_for(client, url) -> int:
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def test_the_assessment_page_has_a_fixed_query_count(agency, tracking, client_for):
    counts = []
    for person, size in ((agency.officer1, 2), (agency.officer2, 12)):
        plan = make_plan(person, tracking, many_kpis(size))
        for the_kpi in plan.kpis.all():
            result_save(kpi=the_kpi, actual="25", by=person.user)
        ratings = dict.fromkeys(Competency.objects.values_list("pk", flat=True), 2)
        appraisal_assess(plan=plan, levels={}, ratings=ratings, by=agency.grp_head.user)
        url = reverse("appraisals:assess", args=[plan.pk])
        counts.append(queries_for(client_for(agency.grp_head), url))
    assert counts[0] == counts[1]


def test_the_assessment_page_shows_the_official_form_columns(agency, tracking, client_for):
    plan = make_plan(agency.officer1, tracking)
    page = client_for(agency.officer1).get(reverse("appraisals:assess", args=[plan.pk]))
    text = page.content.decode()
    for column in ("คะแนน (ก)", "น้ำหนัก (ข)", "ก x ข", "ผลรวม / 5", "ส่วนที่ 2 สมรรถนะ"):
        assert column in text
    assert 'name="level_' not in text  # the assessee does not score


def test_the_team_page_lists_whom_i_assess_and_whom_i_review(agency, tracking, client_for):
    for person in (agency.officer1, agency.officer2, agency.officer3, agency.grp_head):
        make_plan(person, tracking)
    page = client_for(agency.grp_head).get(reverse("appraisals:team")).content.decode()
    assert "นายสมชาย ตั้งใจ" in page and "นางสาวสมหญิง ขยัน" in page
    assert "นายสมศักดิ์ วิเคราะห์" not in page  # another group's officer

    page = client_for(agency.div_head).get(reverse("appraisals:team")).content.decode()
    assert "นางหัวหน้า กลุ่ม" in page  # div_head assesses the group head
    assert "นายสมชาย ตั้งใจ" in page  # and reviews the group's officers
    assert "ผู้บังคับบัญชาเหนือขึ้นไป" in page


@pytest.mark.parametrize("who", ["officer1", "admin"])
def test_the_team_page_is_for_heads_and_hr_only(agency, tracking, client_for, who):
    assert client_for(getattr(agency, who)).get(reverse("appraisals:team")).status_code == 403


def test_hr_finds_the_department_heads_appraisal_on_the_team_page(agency, tracking, client_for):
    top = make_plan(agency.dept_head, tracking)
    make_plan(agency.officer1, tracking)
    page = client_for(agency.hr).get(reverse("appraisals:team")).content.decode()
    assert reverse("appraisals:assess", args=[top.pk]) in page
    assert "นายสมชาย ตั้งใจ" not in page  # grp_head assesses officer1
    other = client_for(agency.hr_other).get(reverse("appraisals:team")).content.decode()
    assert reverse("appraisals:assess", args=[top.pk]) not in other


def test_the_team_page_has_a_fixed_query_count(agency, tracking, client_for):
    make_plan(agency.officer1, tracking)
    few = queries_for(client_for(agency.div_head), reverse("appraisals:team"))
    for person in (agency.officer2, agency.officer3, agency.grp_head, agency.sibling_head):
        make_plan(person, tracking)
    many = queries_for(client_for(agency.div_head), reverse("appraisals:team"))
    assert few == many
