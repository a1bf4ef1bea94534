"""The rules a plan must meet to be submitted (indicators.rules.review_plan), as users meet them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicators import rules, services
from indicators.models import KPI, KRA, Plan, Round
from tests.factories_plans import make_plan


def submit_errors(plan, user) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        services.plan_submit(plan=plan, by=user)
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT
    return caught.value.messages


def test_a_valid_plan_is_submitted(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=[40, 35, 25])
    services.plan_submit(plan=plan, by=agency.officer1.user)
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.SUBMITTED


@pytest.mark.parametrize(
    ("weights", "shown"),
    [([60, 30], "90"), ([60, 50], "110"), (["33.33", "33.33", "33.33"], "99.99")],
)
def test_weights_not_adding_to_100_are_refused(agency, the_round, weights, shown):
    plan = make_plan(agency.officer1, the_round, kpis=weights)
    assert f"น้ำหนักรวมต้องเท่ากับ 100 พอดี (ขณะนี้ {shown})" in submit_errors(plan, agency.officer1.user)


def test_a_zero_weight_is_refused_at_submit(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=[100, 0])
    code = plan.kpis.get(weight=0).code
    assert f"{code}: น้ำหนักต้องมากกว่า 0" in submit_errors(plan, agency.officer1.user)


@pytest.mark.parametrize(
    ("scale", "levels", "message"),
    [
        ("higher", (10, 20, 20, 40, 50), "ระดับ 3 ต้องมากกว่าระดับ 2"),
        ("higher", (50, 40, 30, 20, 10), "ระดับ 2 ต้องมากกว่าระดับ 1"),
        ("lower", (10, 20, 30, 40, 50), "ระดับ 2 ต้องน้อยกว่าระดับ 1"),
        ("lower", (None, 35, 30, 31, 20), "ระดับ 4 ต้องน้อยกว่าระดับ 3"),
        ("milestone", ("ก", "ข", "", "ง", "จ"), "กรุณาระบุคำอธิบายขั้นความสำเร็จระดับ 3"),
        ("higher", (None, 20, None, 40, 50), "กรุณาระบุค่าเป้าหมายระดับ 3"),
    ],
)
def test_levels_out_of_order_are_refused_for_each_scale(agency, the_round, scale, levels, message):
    plan = make_plan(agency.officer1, the_round)
    kra = plan.kras.get()
    kpi = KPI(plan=plan, round=the_round, kra=kra, code="X", name="x", scale=scale, weight=100)
    prefix = "milestone" if scale == "milestone" else "level"
    for n, value in enumerate(levels, start=1):
        setattr(
            kpi,
            f"{prefix}_{n}",
            value if scale == "milestone" else (None if value is None else Decimal(value)),
        )
    kpi.save()
    assert f"X: {message}" in submit_errors(plan, agency.officer1.user)
    # ... and the KPI form refuses the same levels, beside the level concerned.
    data = {f"{prefix}_{n}": "" if v is None else str(v) for n, v in enumerate(levels, start=1)}
    data.update(kra=kra.pk, name="y", scale=scale, weight=10)
    with pytest.raises(ValidationError) as caught:
        services.kpi_save(plan=plan, data=data, expected_version=None, by=agency.officer1.user)
    field = f"{prefix}_{message.split('ระดับ ')[1].split()[0]}"
    assert message in caught.value.message_dict[field]
    assert plan.kpis.count() == 1


@pytest.mark.parametrize(
    ("scale", "levels"), [("higher", (None, 20, 30, 40, 50)), ("lower", (None, 35, 30, 25, 20))]
)
def test_an_open_level_1_is_accepted(agency, the_round, scale, levels):
    plan = make_plan(agency.officer1, the_round, kpis=[{"scale": scale, "levels": levels}])
    services.plan_submit(plan=plan, by=agency.officer1.user)
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.SUBMITTED


def test_an_open_level_1_is_not_accepted_for_milestones(agency, the_round):
    plan = make_plan(
        agency.officer1,
        the_round,
        kpis=[{"scale": "milestone", "levels": ("", "ข", "ค", "ง", "จ")}],
    )
    assert any("ขั้นความสำเร็จระดับ 1" in m for m in submit_errors(plan, agency.officer1.user))


def test_an_empty_kra_is_refused(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    KRA.objects.create(plan=plan, job="งาน", name="KRA ว่าง")
    assert "ผลสัมฤทธิ์หลัก “KRA ว่าง” ยังไม่มีตัวชี้วัด" in submit_errors(plan, agency.officer1.user)


def test_a_plan_without_kpis_is_refused(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kras=0)
    assert submit_errors(plan, agency.officer1.user) == ["แผนต้องมีตัวชี้วัดอย่างน้อย 1 ตัว"]


def test_too_many_kpis_are_refused(agency, the_round):
    Round.objects.filter(pk=the_round.pk).update(max_kpis=4, recommended_kpis=3)
    plan = make_plan(agency.officer1, the_round, kpis=5)
    assert "มีตัวชี้วัดได้ไม่เกิน 4 ตัว (ขณะนี้ 5 ตัว)" in submit_errors(plan, agency.officer1.user)


def test_too_few_kpis_are_refused(agency, the_round):
    Round.objects.filter(pk=the_round.pk).update(min_kpis=3)
    plan = make_plan(agency.officer1, the_round, kpis=2)
    assert "ต้องมีตัวชี้วัดอย่างน้อย 3 ตัว (ขณะนี้ 2 ตัว)" in submit_errors(plan, agency.officer1.user)


def test_more_than_recommended_is_a_warning_not_an_error(agency, the_round, client_for):
    Round.objects.filter(pk=the_round.pk).update(recommended_kpis=2)
    plan = make_plan(agency.officer1, the_round, kpis=3)
    html = client_for(agency.officer1).get(reverse("indicators:plan", args=[plan.pk])).content
    assert "มีตัวชี้วัด 3 ตัว มากกว่าที่แนะนำ (2 ตัว)" in html.decode()
    services.plan_submit(plan=plan, by=agency.officer1.user)


def test_smart_warnings_show_beside_the_kpi(agency, the_round, client_for):
    plan = make_plan(
        agency.officer1, the_round, kpis=[{"unit": "", "levels": (1, 2, 100, 101, 102)}]
    )
    html = client_for(agency.officer1).get(reverse("indicators:plan", args=[plan.pk])).content
    html = html.decode()
    row = html[html.index(f'id="kpi-{plan.kpis.get().pk}"') :]
    row = row[: row.index("</tr>")]
    assert "ยังไม่ได้ระบุหน่วยนับของตัวชี้วัด" in row
    assert "ค่าเป้าหมายระดับ 5 ใกล้เคียงระดับ 3 มากเกินไป" in row


def test_review_of_unsaved_objects_needs_no_query(agency, the_round, django_assert_num_queries):
    kra = KRA(job="งาน", name="KRA")
    kpis = [
        KPI(
            kra=kra,
            code=f"N{n}",
            name="n",
            scale="higher",
            level_2=1,
            level_3=2,
            level_4=3,
            level_5=4,
            weight=50,
        )
        for n in range(2)
    ]
    with django_assert_num_queries(0):
        review = rules.review_plan(round=the_round, kras=[kra], kpis=kpis)
    assert review.ok
    assert rules.review_plan(
        round=the_round, kras=[kra, KRA(job="j", name="ว่าง")], kpis=kpis
    ).errors
