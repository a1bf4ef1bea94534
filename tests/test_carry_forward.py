"""Carry plans forward to the next round (indicators.carry, manage.py carry_forward)."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from indicators import cascade
from indicators.carry import plans_carry_forward
from indicators.models import KPI, HistoryEntry, Plan, Round
from tests.factories_cascade import make_kpi, make_plan


@pytest.fixture
def next_round(db):
    start, end = Round.default_dates(2569, 2)
    return Round.objects.create(fiscal_year=2569, number=2, start=start, end=end)


@pytest.fixture
def first_round_plans(agency, the_round):
    """grp_head's KPI split to officer1 and officer2; officer1 also has a milestone KPI."""
    head = make_kpi(make_plan(agency.grp_head, the_round), "G1", category="quantity")
    cascade.kpi_cascade_split(
        kpi=head,
        allocations={agency.officer1: (5, 10, 15, 20, 25), agency.officer2: (5, 10, 15, 20, 25)},
        by=agency.grp_head.user,
    )
    own = make_kpi(
        Plan.objects.get(owner=agency.officer1),
        "O1-OWN",
        scale="milestone",
        levels=("ก", "ข", "ค", "ง", "จ"),
        weight=40,
        kra="งานของฉัน",
    )
    KPI.objects.filter(plan__owner=agency.officer1, parent=head).update(weight=60)
    Plan.objects.filter(round=the_round).update(status=Plan.Status.APPROVED)
    the_round.status = Round.Status.CLOSED
    the_round.save()
    return head, own


def test_carry_forward_copies_kras_kpis_targets_weights_as_drafts(
    agency, the_round, next_round, first_round_plans
):
    result = plans_carry_forward(source=the_round, target=next_round, by=agency.hr.user)

    assert (result.plans, result.kpis, result.skipped) == (3, 4, 0)
    plan = Plan.objects.get(round=next_round, owner=agency.officer1)
    assert plan.status == Plan.Status.DRAFT
    assert sorted(plan.kras.values_list("name", flat=True)) == ["งานของฉัน", "บริการรวดเร็ว"]
    own = KPI.objects.get(round=next_round, code="O1-OWN")
    assert own.levels == ("ก", "ข", "ค", "ง", "จ") and own.weight == 40 and own.plan == plan
    assert HistoryEntry.objects.filter(plan=plan, action="plan_carry_forward").count() == 1
    # the first round is untouched
    assert KPI.objects.filter(round=the_round).count() == 4


def test_cascade_links_point_to_the_copies_of_the_parents(
    agency, the_round, next_round, first_round_plans
):
    plans_carry_forward(source=the_round, target=next_round, by=None)
    parent = KPI.objects.get(round=next_round, code="G1")
    children = KPI.objects.filter(round=next_round, parent=parent)
    assert children.count() == 2
    assert set(children.values_list("cascade", flat=True)) == {"split"}
    assert children.get(plan__owner=agency.officer1).levels == (5, 10, 15, 20, 25)


def test_owners_with_kpis_in_the_target_round_are_skipped(
    agency, the_round, next_round, first_round_plans
):
    make_kpi(make_plan(agency.officer2, next_round), "NEW-O2")
    result = plans_carry_forward(source=the_round, target=next_round, by=None)
    assert result.skipped == 1
    assert list(
        KPI.objects.filter(plan__owner=agency.officer2, round=next_round).values_list(
            "code", flat=True
        )
    ) == ["NEW-O2"]


def test_running_it_twice_changes_nothing(agency, the_round, next_round, first_round_plans):
    plans_carry_forward(source=the_round, target=next_round, by=None)
    count = KPI.objects.filter(round=next_round).count()
    again = plans_carry_forward(source=the_round, target=next_round, by=None)
    assert (again.plans, again.kpis, again.skipped) == (0, 0, 3)
    assert KPI.objects.filter(round=next_round).count() == count


def test_taken_codes_get_a_number_and_a_lost_parent_drops_the_link(
    agency, the_round, next_round, first_round_plans
):
    make_kpi(make_plan(agency.officer3, next_round), "O1-OWN")  # code taken by someone else
    plans_carry_forward(source=the_round, target=next_round, owners=[agency.officer1], by=None)
    # A taken code gives way to the owner's own next code (the pattern the form uses).
    assert KPI.objects.filter(round=next_round, code="P-O1-2", plan__owner=agency.officer1)
    child = KPI.objects.get(round=next_round, plan__owner=agency.officer1, code="P-O1-1")
    assert child.parent is None and child.cascade == ""


def test_a_parent_already_in_the_target_round_keeps_the_link(
    agency, the_round, next_round, first_round_plans
):
    plans_carry_forward(source=the_round, target=next_round, owners=[agency.grp_head], by=None)
    plans_carry_forward(source=the_round, target=next_round, owners=[agency.officer2], by=None)
    child = KPI.objects.get(round=next_round, plan__owner=agency.officer2)
    assert child.parent == KPI.objects.get(round=next_round, code="G1")


def test_target_round_must_be_planning_and_later(agency, the_round, next_round, first_round_plans):
    with pytest.raises(ValidationError):
        plans_carry_forward(source=next_round, target=the_round, by=None)
    Round.objects.filter(pk=next_round.pk).update(status=Round.Status.TRACKING)
    next_round.refresh_from_db()
    with pytest.raises(ValidationError):
        plans_carry_forward(source=the_round, target=next_round, by=None)
    assert not KPI.objects.filter(round=next_round).exists()


def test_carry_forward_command(agency, the_round, next_round, first_round_plans):
    out = StringIO()
    call_command("carry_forward", "2569/1", "2569/2", "--owner", "P-O1", stdout=out)
    assert "1 แผน 2 ตัวชี้วัด" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("carry_forward", "2569/1", "2570/1")


def test_carry_forward_button_is_for_hr_of_their_department(
    agency, the_round, next_round, first_round_plans, client_for
):
    url = reverse("indicators:carry_forward", args=[next_round.pk])
    assert client_for(agency.officer1).post(url, {"source": the_round.pk}).status_code == 403
    response = client_for(agency.hr_other).post(url, {"source": the_round.pk})
    assert response.status_code == 302 and not KPI.objects.filter(round=next_round).exists()
    response = client_for(agency.hr).post(url, {"source": the_round.pk})
    assert response.status_code == 302
    assert KPI.objects.filter(round=next_round).count() == 4
    assert client_for(agency.hr).get(url).status_code == 405
