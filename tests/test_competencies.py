"""Core competencies: the seeded five, expected levels by position level, HR's page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from appraisals.competencies import (
    competency_rows,
    default_expected,
    expected_level,
    expected_levels_save,
    expected_table,
)
from appraisals.models import Appraisal, Competency, CompetencyRating, ExpectedLevel
from appraisals.services import appraisal_assess, result_save, round_close
from tests.factories_appraisals import (
    kpi,
    make_plan,
)

pytestmark = pytest.mark.usefixtures("private_media")


def test_the_five_core_competencies_are_seeded_in_order(db):
    assert list(Competency.objects.values_list("name", flat=True)) == [
        "การมุ่งผลสัมฤทธิ์",
        "บริการที่ดี",
        "การสั่งสมความเชี่ยวชาญในงานอาชีพ",
        "การยึดมั่นในความถูกต้องชอบธรรมและจริยธรรม",
        "การทำงานเป็นทีม",
    ]


@pytest.mark.parametrize(
    ("position_level", "expected"),
    [
        ("ปฏิบัติการ", 1),
        ("ชำนาญการ", 2),
        ("ชำนาญการพิเศษ", 3),
        ("เชี่ยวชาญ", 4),
        ("ทรงคุณวุฒิ", 5),
        ("ปฏิบัติงาน", 1),
        ("ชำนาญงาน", 2),
        ("อาวุโส", 3),
        (" ชำนาญการ  พิเศษ ", 1),  # not a known level once spaces are collapsed
        ("อำนวยการต้น", 1),
        ("", 1),
    ],
)
def test_expected_levels_have_sensible_defaults(db, position_level, expected):
    assert default_expected(position_level) == expected
    table = expected_table([position_level])
    for competency in Competency.objects.all():
        assert expected_level(table, competency.pk, position_level) == expected


def test_the_defaults_are_seeded_for_hr_to_edit(db):
    assert ExpectedLevel.objects.filter(position_level="ชำนาญการพิเศษ", level=3).count() == 5


def test_bar_scale_points_follow_the_shortfall(agency):
    rows = competency_rows(None, agency.officer2)  # ชำนาญการ: expected 2
    assert [row.expected for row in rows] == [2] * 5
    observed = [3, 2, 1, 0, 0]
    for row, value in zip(rows, observed, strict=True):
        row.observed = value
    assert [row.points for row in rows] == [3, 3, 2, 1, 1]


def test_hr_changes_an_expected_level_and_open_rounds_are_rescored(agency, tracking):
    plan = make_plan(agency.officer2, tracking)  # ชำนาญการ
    by = agency.officer2.user
    result_save(kpi=kpi(plan, "K1"), actual="77", by=by)
    result_save(kpi=kpi(plan, "K2"), actual="27", by=by)
    result_save(kpi=kpi(plan, "K3"), milestones_done="5", by=by)
    ratings = dict.fromkeys(Competency.objects.values_list("pk", flat=True), 2)
    appraisal_assess(plan=plan, levels={}, ratings=ratings, by=agency.grp_head.user)
    assert Appraisal.objects.get(plan=plan).competency == Decimal("100.00")

    service = Competency.objects.get(code="service")
    changed = expected_levels_save(levels={(service.pk, "ชำนาญการ"): 4}, by=agency.hr.user)

    assert changed == 1
    assert CompetencyRating.objects.get(competency=service).expected == 4
    # four at 3 points, one two short at 1: 13 / 15 = 86.67
    assert Appraisal.objects.get(plan=plan).competency == Decimal("86.67")


def test_a_closed_round_keeps_the_expectations_it_was_assessed_against(agency, tracking):
    plan = make_plan(agency.officer2, tracking)
    ratings = dict.fromkeys(Competency.objects.values_list("pk", flat=True), 2)
    appraisal_assess(plan=plan, levels={}, ratings=ratings, by=agency.grp_head.user)
    round_close(round=tracking, by=agency.hr.user)
    before = Appraisal.objects.get(plan=plan).competency

    service = Competency.objects.get(code="service")
    expected_levels_save(levels={(service.pk, "ชำนาญการ"): 5}, by=agency.hr.user)

    assert CompetencyRating.objects.get(competency=service).expected == 2
    assert Appraisal.objects.get(plan=plan).competency == before


def test_hr_edits_expected_levels_on_the_page_and_adds_a_position_level(agency, client_for):
    client = client_for(agency.hr)
    url = reverse("appraisals:competencies")
    page = client.get(url).content.decode()
    assert "ชำนาญการพิเศษ" in page and "การทำงานเป็นทีม" in page

    form = client.get(url).context["form"]
    data = {"rows": str(form.rows), "new_position_level": "อำนวยการต้น"}
    for row, (level, _hidden, fields) in enumerate(form.table()):
        data[f"pl_{row}"] = level
        for field in fields:
            data[field.html_name] = str(field.value())
    teamwork = Competency.objects.get(code="teamwork")
    expert_row = next(row for row, item in enumerate(form.table()) if item[0] == "เชี่ยวชาญ")
    data[f"e_{expert_row}_{teamwork.pk}"] = "5"
    for competency in Competency.objects.all():
        data[f"new_{competency.pk}"] = "3"
    response = client.post(url, data)

    assert response.status_code == 302
    assert ExpectedLevel.objects.get(competency=teamwork, position_level="เชี่ยวชาญ").level == 5
    assert ExpectedLevel.objects.filter(position_level="อำนวยการต้น", level=3).count() == 5
    assert ExpectedLevel.objects.get(competency=teamwork, position_level="ชำนาญการ").level == 2


def test_an_expected_level_outside_one_to_five_is_refused(agency, client_for):
    client = client_for(agency.hr)
    teamwork = Competency.objects.get(code="teamwork")
    response = client.post(
        reverse("appraisals:competencies"),
        {"rows": "1", "pl_0": "ชำนาญการ", f"e_0_{teamwork.pk}": "9"},
    )
    assert response.status_code == 200
    assert "กรุณาเลือกระดับ 1 ถึง 5" in response.content.decode()
    assert ExpectedLevel.objects.get(competency=teamwork, position_level="ชำนาญการ").level == 2


@pytest.mark.parametrize("who", ["officer1", "grp_head", "dept_head"])
def test_only_hr_and_administrators_edit_expected_levels(agency, client_for, who):
    client = client_for(getattr(agency, who))
    url = reverse("appraisals:competencies")
    assert client.get(url).status_code == 403
    assert client.post(url, {"rows": "0", "new_position_level": "x"}).status_code == 403
    assert not ExpectedLevel.objects.filter(position_level="x").exists()
