"""A closed round refuses every change: on the pages, in the services and in the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicators import services
from indicators.models import KPI, KRA, HistoryEntry, Plan, Round
from tests.factories_plans import make_plan

CLOSED = "รอบการประเมินนี้ปิดแล้ว ไม่สามารถแก้ไขได้"


@pytest.fixture
def closed(agency, the_round):
    """Officer 1's draft, officer 2's submitted and the group's approved plan, round closed."""
    plans = {
        "draft": make_plan(agency.officer1, the_round, kpis=2),
        "submitted": make_plan(agency.officer2, the_round, kpis=1, status=Plan.Status.SUBMITTED),
        "approved": make_plan(agency.grp, the_round, kpis=1, status=Plan.Status.APPROVED),
    }
    Round.objects.filter(pk=the_round.pk).update(status=Round.Status.CLOSED)
    return plans


def snapshot():
    return (
        list(Plan.objects.order_by("pk").values_list("status", "version")),
        list(KRA.objects.order_by("pk").values_list("job", "name", "order")),
        list(KPI.objects.order_by("pk").values_list("name", "weight", "order", "kra")),
        HistoryEntry.objects.count(),
    )


def test_page_posts_change_nothing(agency, closed, client_for):
    before = snapshot()
    draft, submitted, approved = closed["draft"], closed["submitted"], closed["approved"]
    kpi, kra = draft.kpis.first(), draft.kras.first()
    v = {"version": draft.version}
    kpi_data = {
        **v,
        "kra": kra.pk,
        "name": "ใหม่",
        "scale": "higher",
        "level_2": "1",
        "level_3": "2",
        "level_4": "3",
        "level_5": "4",
        "weight": "10",
    }
    officer = client_for(agency.officer1)
    posts = [
        (officer, "kpi_new", kra.pk, kpi_data),
        (officer, "kpi_edit", kpi.pk, kpi_data),
        (officer, "kpi_move", kpi.pk, {**v, "direction": "down"}),
        (officer, "kpi_delete", kpi.pk, v),
        (officer, "kra_new", draft.pk, {**v, "job": "j", "name": "n"}),
        (officer, "kra_edit", kra.pk, {**v, "job": "j", "name": "n"}),
        (officer, "kra_delete", kra.pk, v),
        (officer, "plan_submit", draft.pk, v),
        (client_for(agency.grp_head), "plan_approve", submitted.pk, {"version": submitted.version}),
        (
            client_for(agency.grp_head),
            "plan_return",
            submitted.pk,
            {"version": submitted.version, "comment": "แก้"},
        ),
        (
            client_for(agency.hr),
            "plan_reopen",
            approved.pk,
            {"version": approved.version, "reason": "เหตุผล"},
        ),
    ]
    for client, name, pk, data in posts:
        response = client.post(reverse(f"indicators:{name}", args=[pk]), data, follow=True)
        assert response.status_code in (200, 403), name
        assert snapshot() == before, name
    response = officer.post(reverse("indicators:kpi_new", args=[kra.pk]), kpi_data)
    assert CLOSED in response.content.decode()


def test_service_calls_are_refused(agency, closed):
    draft, submitted, approved = closed["draft"], closed["submitted"], closed["approved"]
    kpi, kra = draft.kpis.first(), draft.kras.first()
    officer, head = agency.officer1.user, agency.grp_head.user
    calls = [
        lambda: services.kra_save(plan=draft, job="j", name="n", expected_version=None, by=officer),
        lambda: services.kra_delete(kra=kra, expected_version=None, by=officer),
        lambda: services.kpi_save(
            plan=draft, kpi=kpi, data={"weight": 1}, expected_version=None, by=officer
        ),
        lambda: services.kpi_delete(kpi=kpi, expected_version=None, by=officer),
        lambda: services.kpi_move(kpi=kpi, direction="down", expected_version=None, by=officer),
        lambda: services.plan_submit(plan=draft, by=officer),
        lambda: services.plan_approve(plan=submitted, by=head),
        lambda: services.plan_return(plan=submitted, comment="x", by=head),
        lambda: services.plan_reopen(plan=approved, reason="x", by=agency.div_head.user),
    ]
    before = snapshot()
    for call in calls:
        with pytest.raises(ValidationError, match=CLOSED):
            call()
    assert snapshot() == before
    outcome = services.plans_approve(plans=[submitted], by=head)[0]
    assert not outcome.approved and CLOSED in outcome.message


def test_the_plan_page_of_a_closed_round_has_no_edit_or_decision_controls(
    agency, closed, client_for
):
    draft = closed["draft"]
    html = client_for(agency.officer1).get(reverse("indicators:plan", args=[draft.pk])).content
    html = html.decode()
    assert reverse("indicators:kpi_new", args=[draft.kras.first().pk]) not in html
    assert reverse("indicators:plan_submit", args=[draft.pk]) not in html


def test_the_admin_refuses_changes_to_a_closed_round(agency, closed, the_round, client_for):
    admin = client_for(agency.admin)
    approved = closed["approved"]
    before = snapshot()
    round_url = reverse("admin:indicators_round_change", args=[the_round.pk])
    assert admin.get(round_url).status_code == 200  # still viewable
    assert (
        admin.post(
            round_url,
            {
                "start": "2025-10-01",
                "end": "2026-03-31",
                "min_kpis": 1,
                "max_kpis": 20,
                "recommended_kpis": 5,
            },
        ).status_code
        == 403
    )
    assert (
        admin.post(
            reverse("admin:indicators_round_delete", args=[the_round.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    plan_url = reverse("admin:indicators_plan_change", args=[approved.pk])
    page = admin.get(plan_url)
    assert page.status_code == 200
    assert b'name="kpis-0-name"' not in page.content  # inlines are read-only
    assert admin.post(plan_url, {}).status_code == 403
    assert (
        admin.post(
            reverse("admin:indicators_plan_delete", args=[approved.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    add = admin.get(reverse("admin:indicators_plan_add")).content.decode()
    assert f'<option value="{the_round.pk}">' not in add  # no new plans in a closed round
    assert snapshot() == before
    Round.objects.get(pk=the_round.pk)
