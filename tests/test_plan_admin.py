"""The admin: locked plans and closed rounds stay read-only; its edits move the version on."""

from django.urls import reverse

from indicators.models import HistoryEntry, Plan
from tests.factories_plans import make_plan


def inline_data(plan, **kpi_changes) -> dict:
    kra, kpi = plan.kras.get(), plan.kpis.get()
    data = {
        "kras-TOTAL_FORMS": 1,
        "kras-INITIAL_FORMS": 1,
        "kras-MIN_NUM_FORMS": 0,
        "kras-MAX_NUM_FORMS": 1000,
        "kras-0-id": kra.pk,
        "kras-0-plan": plan.pk,
        "kras-0-job": kra.job,
        "kras-0-name": kra.name,
        "kras-0-order": kra.order,
        "kpis-TOTAL_FORMS": 1,
        "kpis-INITIAL_FORMS": 1,
        "kpis-MIN_NUM_FORMS": 0,
        "kpis-MAX_NUM_FORMS": 1000,
        "kpis-0-id": kpi.pk,
        "kpis-0-plan": plan.pk,
        "kpis-0-kra": kra.pk,
        "kpis-0-code": kpi.code,
        "kpis-0-name": kpi.name,
        "kpis-0-unit": kpi.unit,
        "kpis-0-scale": kpi.scale,
        "kpis-0-weight": "100",
        "kpis-0-order": kpi.order,
    }
    for n in range(1, 6):
        data[f"kpis-0-level_{n}"] = str(getattr(kpi, f"level_{n}"))
        data[f"kpis-0-milestone_{n}"] = ""
    data.update({f"kpis-0-{k}": v for k, v in kpi_changes.items()})
    return data


def test_admin_edit_of_a_draft_bumps_the_version_and_leaves_history(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    url = reverse("admin:indicators_plan_change", args=[plan.pk])
    response = client_for(agency.admin).post(url, inline_data(plan, name="แก้โดยผู้ดูแล"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert plan.kpis.get().name == "แก้โดยผู้ดูแล"
    assert Plan.objects.get(pk=plan.pk).version == plan.version + 1
    assert HistoryEntry.objects.filter(plan=plan, action="admin_edit").exists()


def test_admin_refuses_levels_out_of_order(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    url = reverse("admin:indicators_plan_change", args=[plan.pk])
    response = client_for(agency.admin).post(url, inline_data(plan, level_4="5"))
    assert response.status_code == 200
    assert "ระดับ 4 ต้องมากกว่าระดับ 3" in response.content.decode()
    assert plan.kpis.get().level_4 == 40


def test_admin_shows_a_locked_plans_kpis_read_only(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.APPROVED)
    url = reverse("admin:indicators_plan_change", args=[plan.pk])
    admin = client_for(agency.admin)
    assert b'name="kpis-0-name"' not in admin.get(url).content
    admin.post(url, inline_data(plan, name="แอบแก้"))
    assert plan.kpis.get().name != "แอบแก้"


def test_history_is_read_only_in_the_admin(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    entry = HistoryEntry.objects.create(plan=plan, action="plan_submit", object_type="plan")
    admin = client_for(agency.admin)
    assert admin.get(reverse("admin:indicators_historyentry_changelist")).status_code == 200
    url = reverse("admin:indicators_historyentry_change", args=[entry.pk])
    assert admin.post(url, {"action": "x"}).status_code == 403
    delete = reverse("admin:indicators_historyentry_delete", args=[entry.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 403
    assert HistoryEntry.objects.get(pk=entry.pk).action == "plan_submit"
