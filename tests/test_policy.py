"""A round's scoring policy: scores follow every change, until the round closes."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appraisals.models import Appraisal, Competency, ComponentWeight, RatingBand, Result
from appraisals.policy import policy_for, policy_save
from appraisals.scores import plan_scores
from appraisals.services import appraisal_assess, policy_rescore, result_save
from indicators.models import Round
from orgchart.models import StaffType
from tests.factories_appraisals import (
    kpi,
    make_plan,
    many_kpis,
    set_status,
)

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def plan(agency, tracking):
    plan = make_plan(agency.officer1, tracking)
    by = agency.officer1.user
    result_save(kpi=kpi(plan, "K1"), actual="77", by=by)
    result_save(kpi=kpi(plan, "K2"), actual="27", by=by)
    result_save(kpi=kpi(plan, "K3"), milestones_done="5", by=by)
    return plan


def scores(plan) -> list[Decimal]:
    return list(Result.objects.filter(kpi__plan=plan).order_by("kpi__order").values_list(
        "score", flat=True))  # fmt: skip


def policy_data(**overrides) -> dict:
    data = {"method": "discrete", "floor": "0", "scores_published": "on"}
    for staff_type in StaffType.values:
        data.update({f"w_{staff_type}_achievement": "70", f"w_{staff_type}_competency": "30",
                     f"w_{staff_type}_other": "0"})  # fmt: skip
    bands = [("ดีเด่น", 90), ("ดีมาก", 80), ("ดี", 70), ("พอใช้", 60), ("ต้องปรับปรุง", 0)]
    for index, (name, minimum) in enumerate(bands):
        data[f"band_name_{index}"], data[f"band_min_{index}"] = name, str(minimum)
    data.update(overrides)
    return data


def test_switching_to_interpolated_rescores_results_and_achievement(plan):
    assert scores(plan) == [Decimal("3.0000"), Decimal("3.0000"), Decimal("5.0000")]
    assert Appraisal.objects.get(plan=plan).achievement == Decimal("70.00")

    policy_save(round=plan.round, method="interpolated")

    assert scores(plan) == [Decimal("3.4000"), Decimal("3.6000"), Decimal("5.0000")]
    assert Appraisal.objects.get(plan=plan).achievement == Decimal("77.40")
    assert list(Result.objects.filter(kpi__plan=plan).values_list("level", flat=True)) == [3, 3, 5]


def test_the_floor_scores_results_below_level_one(agency, plan):
    result_save(kpi=kpi(plan, "K1"), actual="63", by=agency.officer1.user)
    policy_save(round=plan.round, method="interpolated")
    assert Result.objects.get(kpi=kpi(plan, "K1")).score == Decimal("0.0000")
    policy_save(round=plan.round, floor=1)
    assert Result.objects.get(kpi=kpi(plan, "K1")).score == Decimal("1.0000")


def test_weights_and_bands_rescore_the_total_and_band(agency, plan):
    ratings = dict.fromkeys(Competency.objects.values_list("pk", flat=True), 1)
    appraisal = appraisal_assess(plan=plan, levels={}, ratings=ratings, by=agency.grp_head.user)
    assert (appraisal.total, appraisal.band) == (Decimal("79.00"), "ดี")
    policy_save(
        round=plan.round,
        weights_by_type={StaffType.CIVIL_SERVANT: (Decimal(50), Decimal(50), Decimal(0))},
        bands=[("ผ่าน", Decimal(80)), ("ไม่ผ่าน", Decimal(0))],
    )
    appraisal.refresh_from_db()
    assert (appraisal.total, appraisal.band) == (Decimal("85.00"), "ผ่าน")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights_by_type": {"civil_servant": (Decimal(70), Decimal(20), Decimal(0))}},
         "รวมกันต้องได้ 100"),
        ({"weights_by_type": {"civil_servant": (Decimal(110), Decimal(-10), Decimal(0))}},
         "ต้องไม่ติดลบ"),
        ({"bands": [("ดี", Decimal(50))]}, "เริ่มต้นที่ 0"),
        ({"bands": [("ดี", Decimal(0)), ("ดี", Decimal(50))]}, "ต้องไม่ซ้ำกัน"),
        ({"bands": [("ก", Decimal(0)), ("ข", Decimal(0))]}, "ต้องไม่ซ้ำกัน"),
        ({"bands": []}, "อย่างน้อยหนึ่งระดับ"),
    ],
)  # fmt: skip
def test_bad_policies_are_refused_and_nothing_changes(plan, kwargs, message):
    with pytest.raises(ValidationError) as excinfo:
        policy_save(round=plan.round, method="interpolated", **kwargs)
    assert message in " ".join(excinfo.value.messages)
    policy = policy_for(plan.round)
    assert policy.method == "discrete"
    assert RatingBand.objects.filter(policy=policy).count() == 5


def test_a_closed_round_refuses_policy_changes_and_rescoring(plan):
    set_status(plan.round, Round.Status.CLOSED)
    with pytest.raises(ValidationError, match="ปิดแล้ว"):
        policy_save(round=plan.round, method="interpolated")
    with pytest.raises(ValidationError, match="ปิดแล้ว"):
        policy_rescore(round=plan.round)
    assert scores(plan)[0] == Decimal("3.0000")


def test_rescoring_a_round_costs_the_same_queries_for_few_or_many_plans(agency, tracking):
    def count(people) -> int:
        for person in people:
            plan = make_plan(person, tracking, many_kpis(6))
            for the_kpi in plan.kpis.all():
                result_save(kpi=the_kpi, actual="35", by=person.user)
        policy_save(round=tracking, method="interpolated")  # results change: writes happen
        policy_save(round=tracking, method="discrete")
        with CaptureQueriesContext(connection) as context:
            policy_save(round=tracking, method="interpolated")
        return len(context)

    few = count([agency.officer1])
    many = count([agency.officer2, agency.officer3, agency.grp_head, agency.hr])
    assert few == many


def test_hr_edits_the_policy_on_its_page(agency, plan, client_for):
    url = reverse("appraisals:policy", args=[plan.round.pk])
    client = client_for(agency.hr)
    assert client.get(url).status_code == 200
    response = client.post(url, policy_data(method="interpolated"))
    assert response.status_code == 302
    assert Appraisal.objects.get(plan=plan).achievement == Decimal("77.40")


def test_a_weight_row_not_adding_up_to_100_is_shown_and_nothing_is_saved(agency, plan, client_for):
    url = reverse("appraisals:policy", args=[plan.round.pk])
    data = policy_data(method="interpolated", w_probationer_competency="20")
    response = client_for(agency.hr).post(url, data)
    assert response.status_code == 200
    assert "รวมกันต้องได้ 100 (ได้ 90" in response.content.decode()
    assert policy_for(plan.round).method == "discrete"
    weight = ComponentWeight.objects.get(staff_type=StaffType.PROBATIONER)
    assert weight.competency == Decimal(30)


def test_a_band_without_a_minimum_is_shown_on_the_page(agency, plan, client_for):
    url = reverse("appraisals:policy", args=[plan.round.pk])
    response = client_for(agency.admin).post(url, policy_data(band_min_4=""))
    assert "ระบุทั้งชื่อระดับและคะแนนขั้นต่ำ" in response.content.decode()


@pytest.mark.parametrize("who", ["officer1", "grp_head", "dept_head"])
def test_only_hr_and_administrators_open_the_policy_page(agency, plan, client_for, who):
    url = reverse("appraisals:policy", args=[plan.round.pk])
    client = client_for(getattr(agency, who))
    assert client.get(url).status_code == 403
    assert client.post(url, policy_data(method="interpolated")).status_code == 403
    assert policy_for(plan.round).method == "discrete"


def test_hr_of_any_department_edits_the_policy_of_the_global_round(agency, plan, client_for):
    url = reverse("appraisals:policy", args=[plan.round.pk])
    assert client_for(agency.hr_other).get(url).status_code == 200


def test_the_policy_page_of_a_closed_round_is_read_only(agency, plan, client_for):
    set_status(plan.round, Round.Status.CLOSED)
    url = reverse("appraisals:policy", args=[plan.round.pk])
    client = client_for(agency.hr)
    assert "disabled" in client.get(url).content.decode()
    response = client.post(url, policy_data(method="interpolated"))
    assert "ปิดแล้ว" in response.content.decode()
    assert policy_for(plan.round).method == "discrete"


def test_create_round_command_rescores_when_the_method_changes(plan):
    call_command("create_round", "2569/1", "--scoring", "interpolated")
    assert Appraisal.objects.get(plan=plan).achievement == Decimal("77.40")


def test_plan_scores_reads_the_rounds_policy_by_default(plan):
    policy_save(round=plan.round, method="interpolated")
    scores = plan_scores(plan)
    assert scores.achievement == Decimal("77.40")
    assert [row.score for row in scores.rows] == [Decimal("3.4000"), Decimal("3.6000"),
                                                  Decimal("5.0000")]  # fmt: skip
    assert scores.weighted_total == Decimal("387.0000")
