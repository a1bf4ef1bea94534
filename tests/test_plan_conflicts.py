"""Two people saving the same plan at once: the second is told, and overwrites nothing."""

import pytest
from django.urls import reverse

from indicators import services
from indicators.models import KPI, KRA, Plan
from indicators.plans import StaleEdit
from tests.factories_plans import make_plan

CONFLICT = "แผนนี้ถูกแก้ไขหลังจากที่คุณเปิดหน้านี้ การบันทึกของคุณยังไม่ถูกบันทึก"
HTMX = {"HTTP_HX_REQUEST": "true"}


def edit(kpi, version, name):
    return {
        "version": version,
        "kra": kpi.kra_id,
        "code": kpi.code,
        "name": name,
        "scale": "higher",
        "level_1": "10",
        "level_2": "20",
        "level_3": "30",
        "level_4": "40",
        "level_5": "50",
        "weight": str(kpi.weight),
    }


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_the_second_of_two_saves_gets_the_conflict_message(agency, the_round, client_for, headers):
    plan = make_plan(agency.officer1, the_round, kpis=2)
    kpi = plan.kpis.first()
    url = reverse("indicators:kpi_edit", args=[kpi.pk])
    tab1, tab2 = client_for(agency.officer1), client_for(agency.officer1)
    loaded = plan.version  # both tabs opened the page at this version

    first = tab1.post(url, edit(kpi, loaded, "บันทึกแรก"), **headers)
    assert first.status_code in (200, 302)
    second = tab2.post(url, edit(kpi, loaded, "บันทึกที่สอง"), **headers)

    html = second.content.decode()
    assert second.status_code == 200
    assert CONFLICT in html
    assert "ผู้อื่น" not in html  # the same person in another tab: nobody else is blamed
    assert 'value="บันทึกที่สอง"' in html  # the second user's typing is not lost on screen
    assert KPI.objects.get(pk=kpi.pk).name == "บันทึกแรก"
    assert Plan.objects.get(pk=plan.pk).version == loaded + 1
    assert plan.history.filter(action="kpi_update").count() == 1


def test_a_stale_delete_changes_nothing(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=2)
    first, second = plan.kpis.order_by("order")
    loaded = plan.version
    client = client_for(agency.officer1)
    client.post(
        reverse("indicators:kpi_move", args=[second.pk]),
        {"version": loaded, "direction": "up"},
        **HTMX,
    )
    response = client.post(
        reverse("indicators:kpi_delete", args=[first.pk]), {"version": loaded}, **HTMX
    )
    assert response["HX-Retarget"] == "#plan-alert"
    assert CONFLICT in response.content.decode()
    assert KPI.objects.filter(pk=first.pk).exists()


def test_a_stale_kra_rename_changes_nothing(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    kra = plan.kras.get()
    loaded = plan.version
    user = agency.officer1.user
    services.kra_save(plan=plan, kra=kra, job="ก", name="ชื่อแรก", expected_version=loaded, by=user)
    with pytest.raises(StaleEdit):
        services.kra_save(
            plan=Plan.objects.get(pk=plan.pk),
            kra=kra,
            job="ข",
            name="ชื่อสอง",
            expected_version=loaded,
            by=user,
        )
    assert KRA.objects.get(pk=kra.pk).name == "ชื่อแรก"


def test_a_save_after_ones_own_htmx_save_uses_the_new_version(agency, the_round, client_for):
    """The out-of-band version swap keeps the page's other forms current."""
    plan = make_plan(agency.officer1, the_round, kpis=2)
    a, b = plan.kpis.order_by("order")
    client = client_for(agency.officer1)
    response = client.post(
        reverse("indicators:kpi_edit", args=[a.pk]), edit(a, plan.version, "ก"), **HTMX
    )
    new_version = Plan.objects.get(pk=plan.pk).version
    assert f'value="{new_version}" class="plan-version" hx-swap-oob=' in response.content.decode()
    client.post(reverse("indicators:kpi_edit", args=[b.pk]), edit(b, new_version, "ข"), **HTMX)
    assert KPI.objects.get(pk=b.pk).name == "ข"


def test_only_forms_that_saw_the_latest_version_are_brought_forward(agency, the_round, client_for):
    """A form opened before someone else's change keeps its old version and stays stale."""
    plan = make_plan(agency.officer1, the_round, kpis=2)
    x, y = plan.kpis.order_by("order")
    page_version = plan.version  # the page, and the open form of Y, were loaded here
    services.kpi_save(
        plan=plan, kpi=y, data={"name": "แก้โดยผู้อื่น"}, expected_version=None, by=agency.officer1.user
    )
    client = client_for(agency.officer1)
    fresh_version = Plan.objects.get(pk=plan.pk).version  # the form of X, opened just now
    response = client.post(
        reverse("indicators:kpi_edit", args=[x.pk]), edit(x, fresh_version, "ก"), **HTMX
    )
    html = response.content.decode()
    assert f"input.plan-version[value='{fresh_version}']" in html
    assert f"input.plan-version[value='{page_version}']" not in html
    stale = client.post(
        reverse("indicators:kpi_edit", args=[y.pk]), edit(y, page_version, "ทับของผู้อื่น"), **HTMX
    )
    assert CONFLICT in stale.content.decode()
    assert KPI.objects.get(pk=y.pk).name == "แก้โดยผู้อื่น"
