"""The plan page: what the holder, the supervisor and others see; in-place editing with htmx."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import KPI, KRA, Plan, Round
from tests.factories_plans import make_kpi, make_plan, make_round

HTMX = {"HTTP_HX_REQUEST": "true"}


def plan_url(plan):
    return reverse("indicators:plan", args=[plan.pk])


def kpi_post(plan, the_kra, **overrides):
    data = {
        "version": plan.version,
        "kra": the_kra.pk,
        "code": "",
        "name": "ร้อยละของงานที่เสร็จตามกำหนด",
        "unit": "ร้อยละ",
        "scale": "higher",
        "level_1": "60",
        "level_2": "70",
        "level_3": "80",
        "level_4": "90",
        "level_5": "100",
        "weight": "40",
    }
    data.update(overrides)
    return data


# Viewing -----------------------------------------------------------------------


def test_holder_sees_kpis_levels_and_a_green_total_at_100(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=[60, 40])
    response = client_for(agency.officer1).get(plan_url(plan))
    assert response.status_code == 200
    html = response.content.decode()
    kpi = plan.kpis.first()
    assert kpi.code in html and kpi.name in html
    assert 'weight-total fs-5 good"' in html
    assert "100.00" in html
    assert '<td class="text-center level" data-label="ระดับ 3">30</td>' in html


def test_a_total_other_than_100_is_red_and_listed_as_a_problem(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=[60, 30])
    html = client_for(agency.officer1).get(plan_url(plan)).content.decode()
    assert 'weight-total fs-5 bad"' in html
    assert "น้ำหนักรวมต้องเท่ากับ 100 พอดี (ขณะนี้ 90)" in html


def test_open_level_1_and_milestones_are_shown_as_such(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round)
    kra = plan.kras.get()
    make_kpi(plan, kra, scale="lower", levels=(None, 35, 30, 25, 20), weight=50)
    make_kpi(
        plan, kra, scale="milestone", levels=("ร่าง", "เสนอ", "อนุมัติ", "ใช้", "ประเมิน"), weight=50
    )
    html = client_for(agency.officer1).get(plan_url(plan)).content.decode()
    assert "ไม่กำหนด" in html
    assert '<td class="text-center level" data-label="ระดับ 3">อนุมัติ</td>' in html


def test_a_cascaded_kpi_shows_its_source_and_is_read_only_except_weight(
    agency, the_round, client_for
):
    boss_plan = make_plan(agency.grp_head, the_round, kpis=1)
    parent = boss_plan.kpis.get()
    plan = make_plan(agency.officer1, the_round)
    make_kpi(plan, plan.kras.get(), parent=parent, cascade="direct", code="C-1")
    html = client_for(agency.officer1).get(plan_url(plan)).content.decode()
    assert f"ถ่ายทอดจาก {parent.code} (ถ่ายทอดโดยตรง)" in html
    assert "แก้ไขได้เฉพาะน้ำหนัก" in html


def test_a_split_share_is_edited_by_its_weight_alone(agency, the_round, client_for):
    parent = make_plan(agency.grp_head, the_round, kpis=1).kpis.get()
    plan = make_plan(agency.officer1, the_round)
    share = make_kpi(plan, plan.kras.get(), parent=parent, cascade="split", unit="เรื่อง")
    form = client_for(agency.officer1).get(reverse("indicators:kpi_edit", args=[share.pk]), **HTMX)
    html = form.content.decode()
    assert f"ตัวชี้วัดนี้แบ่งค่าเป้าหมายจาก {parent.code}" in html
    assert 'name="weight"' in html and 'name="level_5"' not in html and 'name="name"' not in html


def test_supervisor_sees_the_plan_read_only_with_decision_buttons(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=2, status=Plan.Status.SUBMITTED)
    html = client_for(agency.grp_head).get(plan_url(plan)).content.decode()
    assert reverse("indicators:plan_approve", args=[plan.pk]) in html
    assert reverse("indicators:plan_return", args=[plan.pk]) in html
    assert reverse("indicators:kpi_new", args=[plan.kras.first().pk]) not in html
    assert reverse("indicators:plan_submit", args=[plan.pk]) not in html


def test_holder_of_a_draft_sees_edit_controls_and_no_decision(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=2)
    html = client_for(agency.officer1).get(plan_url(plan)).content.decode()
    assert reverse("indicators:kpi_new", args=[plan.kras.first().pk]) in html
    assert reverse("indicators:plan_submit", args=[plan.pk]) in html
    assert reverse("indicators:plan_approve", args=[plan.pk]) not in html


def test_returned_plan_shows_the_comment(agency, the_round, client_for):
    plan = make_plan(
        agency.officer1,
        the_round,
        kpis=1,
        status=Plan.Status.RETURNED,
        return_comment="เพิ่มตัวชี้วัดด้านคุณภาพ",
    )
    html = client_for(agency.officer1).get(plan_url(plan)).content.decode()
    assert "เพิ่มตัวชี้วัดด้านคุณภาพ" in html


def test_someone_outside_the_tree_gets_404(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    assert client_for(agency.officer2).get(plan_url(plan)).status_code == 404
    assert client_for(agency.outsider).get(plan_url(plan)).status_code == 404
    assert client_for(agency.hr_other).get(plan_url(plan)).status_code == 404


def test_hr_sees_but_cannot_edit(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    client = client_for(agency.hr)
    assert client.get(plan_url(plan)).status_code == 200
    url = reverse("indicators:kpi_new", args=[plan.kras.get().pk])
    response = client.post(url, kpi_post(plan, plan.kras.get()))
    assert response.status_code == 403
    assert plan.kpis.count() == 1


@pytest.mark.parametrize("viewer", ["holder", "supervisor"])
def test_plan_page_costs_the_same_queries_for_2_and_12_kpis(
    agency, the_round, client_for, django_assert_num_queries, viewer
):
    small = make_plan(agency.officer1, the_round, kpis=2, kras=1)
    big = make_plan(agency.officer2, the_round, kpis=12, kras=4)
    make_kpi(
        big,
        big.kras.first(),
        parent=small.kpis.first(),
        cascade="direct",
        weight=0,
        overseer=agency.officer1,
    )
    for plan in (small, big):
        kpi = plan.kpis.first()
        for n in range(3 if plan is small else 30):
            plan.history.create(
                action="kpi_update",
                object_type="kpi",
                object_id=kpi.pk,
                changes={"name": [str(n), str(n + 1)]},
                by=agency.officer1.user,
            )
    if viewer == "holder":
        client_small, client_big = client_for(agency.officer1), client_for(agency.officer2)
    else:
        client_small = client_big = client_for(agency.grp_head)
    with CaptureQueriesContext(connection) as small_queries:
        assert client_small.get(plan_url(small)).status_code == 200
    with django_assert_num_queries(len(small_queries.captured_queries)):
        assert client_big.get(plan_url(big)).status_code == 200


# My plan -----------------------------------------------------------------------


def test_my_plan_creates_the_draft_of_the_newest_open_round(agency, the_round, client_for):
    make_round(2568, 2, status=Round.Status.CLOSED)
    make_round(2569, 2, status=Round.Status.CLOSED)
    response = client_for(agency.officer1).get(reverse("indicators:my_plan"))
    plan = Plan.objects.get(owner=agency.officer1)
    assert plan.round == the_round and plan.status == Plan.Status.DRAFT
    assert response.status_code == 302 and response.url == plan_url(plan)


def test_my_plan_with_unit_goes_to_the_heads_unit_plan(agency, the_round, client_for):
    response = client_for(agency.grp_head).get(reverse("indicators:my_plan") + "?unit=1")
    plan = Plan.objects.get(owner=agency.grp)
    assert response.url == plan_url(plan)
    page = client_for(agency.grp_head).get(plan_url(plan))
    assert reverse("indicators:plan_submit", args=[plan.pk]) in page.content.decode()


def test_my_plan_without_a_round_is_a_friendly_page(agency, client_for):
    response = client_for(agency.officer1).get(reverse("indicators:my_plan"))
    assert response.status_code == 200
    assert "ยังไม่มีรอบการประเมินที่เปิดอยู่" in response.content.decode()
    assert not Plan.objects.exists()


def test_my_plan_for_an_account_outside_the_tree_is_a_friendly_page(agency, the_round, client_for):
    response = client_for(agency.admin).get(reverse("indicators:my_plan"))
    assert response.status_code == 200
    assert "ยังไม่ได้ผูกกับบุคลากร" in response.content.decode()


# Editing with htmx ---------------------------------------------------------------


def test_htmx_new_kpi_form_is_a_row_partial(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round)
    kra = plan.kras.get()
    response = client_for(agency.officer1).get(reverse("indicators:kpi_new", args=[kra.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<tr id="kpi-form-new-{kra.pk}"')
    assert "<html" not in html
    assert f'name="version" value="{plan.version}"' in html


def test_htmx_add_kpi_returns_the_kra_block_and_out_of_band_parts(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round)
    kra = plan.kras.get()
    url = reverse("indicators:kpi_new", args=[kra.pk])
    response = client_for(agency.officer1).post(url, kpi_post(plan, kra, weight="100"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#kra-{kra.pk}"
    assert html.startswith(f'<div id="kra-{kra.pk}"')
    assert 'id="plan-summary"' in html and 'hx-swap-oob="true"' in html
    assert f"hx-swap-oob=\"outerHTML:input.plan-version[value='{plan.version}']\"" in html
    kpi = KPI.objects.get(plan=plan)
    assert kpi.code == "P-O1-1" and kpi.level_3 == Decimal(80)
    plan.refresh_from_db()
    assert f'value="{plan.version}" class="plan-version" hx-swap-oob' in html
    assert "weight-total fs-5 good" in html


def test_htmx_errors_come_back_beside_the_fields_and_nothing_is_saved(
    agency, the_round, client_for
):
    plan = make_plan(agency.officer1, the_round)
    kra = plan.kras.get()
    url = reverse("indicators:kpi_new", args=[kra.pk])
    data = kpi_post(plan, kra, level_2="50", name="ตัวชี้วัดที่ผิด")
    response = client_for(agency.officer1).post(url, data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#kpi-form-new-{kra.pk}"
    assert 'data-field="level_2">ระดับ 2 ต้องมากกว่าระดับ 1' in html
    assert 'value="ตัวชี้วัดที่ผิด"' in html  # the user's input is kept
    assert not KPI.objects.exists()


def test_htmx_edit_row_then_save(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=2)
    kpi = plan.kpis.first()
    client = client_for(agency.officer1)
    url = reverse("indicators:kpi_edit", args=[kpi.pk])
    form = client.get(url, **HTMX).content.decode()
    assert form.startswith(f'<tr id="kpi-form-{kpi.pk}"')
    assert f'value="{kpi.name}"' in form
    data = kpi_post(plan, kpi.kra, code=kpi.code, name="ชื่อใหม่", weight=str(kpi.weight))
    response = client.post(url, data, **HTMX)
    assert response["HX-Retarget"] == f"#kra-{kpi.kra_id}"
    kpi.refresh_from_db()
    assert kpi.name == "ชื่อใหม่"


def test_moving_a_kpi_to_another_kra_rerenders_all_kras(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=2, kras=2)
    kpi = plan.kpis.first()
    other = plan.kras.exclude(pk=kpi.kra_id).get()
    data = kpi_post(plan, other, code=kpi.code, weight=str(kpi.weight))
    url = reverse("indicators:kpi_edit", args=[kpi.pk])
    response = client_for(agency.officer1).post(url, data, **HTMX)
    assert response["HX-Retarget"] == "#plan-kras"
    kpi.refresh_from_db()
    assert kpi.kra == other


def test_htmx_move_and_delete_rerender_the_kra(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=3)
    first, second, third = plan.kpis.order_by("order")
    client = client_for(agency.officer1)
    response = client.post(
        reverse("indicators:kpi_move", args=[second.pk]),
        {"version": plan.version, "direction": "up"},
        **HTMX,
    )
    assert response["HX-Retarget"] == f"#kra-{second.kra_id}"
    assert list(plan.kpis.order_by("order").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
        third.pk,
    ]
    plan.refresh_from_db()
    response = client.post(
        reverse("indicators:kpi_delete", args=[third.pk]), {"version": plan.version}, **HTMX
    )
    assert response.status_code == 200
    assert not KPI.objects.filter(pk=third.pk).exists()


def test_kra_add_edit_and_delete_in_place(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round)
    client = client_for(agency.officer1)
    response = client.post(
        reverse("indicators:kra_new", args=[plan.pk]),
        {"version": plan.version, "job": "งานใหม่", "name": "KRA ใหม่"},
        **HTMX,
    )
    assert response["HX-Retarget"] == "#plan-kras"
    assert "งานใหม่" in response.content.decode()
    kra = KRA.objects.get(name="KRA ใหม่")
    plan.refresh_from_db()
    edit_form = client.get(reverse("indicators:kra_edit", args=[kra.pk]), **HTMX)
    assert edit_form.content.decode().startswith(f'<form id="kra-form-{kra.pk}"')
    client.post(
        reverse("indicators:kra_edit", args=[kra.pk]),
        {"version": plan.version, "job": "งานใหม่", "name": "KRA แก้แล้ว"},
        **HTMX,
    )
    kra.refresh_from_db()
    assert kra.name == "KRA แก้แล้ว"
    plan.refresh_from_db()
    client.post(reverse("indicators:kra_delete", args=[kra.pk]), {"version": plan.version}, **HTMX)
    assert not KRA.objects.filter(pk=kra.pk).exists()


def test_htmx_refusal_of_a_move_goes_to_the_alert_box(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=2)
    first = plan.kpis.order_by("order").first()
    response = client_for(agency.officer1).post(
        reverse("indicators:kpi_move", args=[first.pk]),
        {"version": plan.version, "direction": "up"},
        **HTMX,
    )
    assert response["HX-Retarget"] == "#plan-alert"
    assert "เลื่อนตัวชี้วัดไปตำแหน่งนั้นไม่ได้" in response.content.decode()


# Without JavaScript ----------------------------------------------------------------


def test_without_javascript_forms_post_and_redirect(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round)
    kra = plan.kras.get()
    client = client_for(agency.officer1)
    page = client.get(reverse("indicators:kpi_new", args=[kra.pk]))
    assert page.status_code == 200 and "<html" in page.content.decode()
    response = client.post(reverse("indicators:kpi_new", args=[kra.pk]), kpi_post(plan, kra))
    assert response.status_code == 302
    # Back to the plan at the saved row.
    assert response.url == plan_url(plan) + f"#kpi-{KPI.objects.get(plan=plan).pk}"
    assert KPI.objects.filter(plan=plan).count() == 1


def test_without_javascript_errors_show_on_the_form_page(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round)
    kra = plan.kras.get()
    data = kpi_post(plan, kra, scale="lower")
    response = client_for(agency.officer1).post(reverse("indicators:kpi_new", args=[kra.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert "ระดับ 2 ต้องน้อยกว่าระดับ 1" in html
    assert not KPI.objects.exists()


def test_garbage_input_does_not_crash_the_page(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round)
    kra = plan.kras.get()
    client = client_for(agency.officer1)
    data = kpi_post(plan, kra, weight="abc", level_3="สามสิบ", scale="bogus", kra="x", version="")
    response = client.post(reverse("indicators:kpi_new", args=[kra.pk]), data)
    assert response.status_code == 200
    assert not KPI.objects.exists()
    response = client.post(reverse("indicators:kpi_move", args=[1]), {"direction": "sideways"})
    assert response.status_code == 404


def test_thai_digits_and_thousands_separators_are_read_as_numbers(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round)
    kra = plan.kras.get()
    data = kpi_post(
        plan, kra, level_1="", level_2="๑,๐๐๐", level_3="1,500", level_4="2000", level_5="2500"
    )
    client_for(agency.officer1).post(reverse("indicators:kpi_new", args=[kra.pk]), data)
    kpi = KPI.objects.get()
    assert kpi.level_1 is None and kpi.level_2 == Decimal(1000)
