"""The monitoring figures the database keeps (monitoring.UnitFigure, monitoring.kept).

After every kind of change (check-ins recorded, updated, imported; plans
approved, returned, reopened, deleted; KPIs added and deleted; people moved
by the service and by the org import; nodes deleted) the kept rows equal a
count made afresh over the KPIs, which is what the monitoring page counted
before the figures were kept. A state machine mixes the changes at random;
on PostgreSQL, threads record check-ins in one unit at once.
"""

import datetime
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, DateField, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from indicators import services
from indicators.models import KPI, Plan, Round
from monitoring.figures import unit_key_expression
from monitoring.importer import checkins_import, checkins_read, progress_rebuild
from monitoring.models import NO_CHECKIN_DATE, CheckIn, Progress, UnitFigure
from monitoring.services import checkin_record
from orgchart.importer import org_import, org_read
from orgchart.models import Kind, Node
from orgchart.services import node_move
from tests.conftest import build_agency, make_node
from tests.factories_monitoring import kpi_of, live_round, watched_plan
from tests.factories_security import csv_bytes, run_at_once

pytestmark = pytest.mark.django_db

APPROVED = Plan.Status.APPROVED
TODAY = timezone.localdate


def fresh(the_round) -> dict:
    """(unit, status, latest) -> KPIs, counted afresh from the KPIs (the page's old query)."""
    rows = (
        KPI.objects.filter(round=the_round, plan__round=the_round, plan__status=APPROVED)
        .annotate(
            unit_key=unit_key_expression(),
            last_status=Coalesce("progress__status", Value("")),
            last_date=Coalesce("progress__date", Value(NO_CHECKIN_DATE), output_field=DateField()),
        )
        .filter(unit_key__isnull=False)
        .values_list("unit_key", "last_status", "last_date")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(unit, status, date): n for unit, status, date, n in rows}


def kept(the_round) -> dict:
    rows = UnitFigure.objects.filter(round=the_round)
    return {(u, s, d): n for u, s, d, n in rows.values_list("unit_id", "status", "latest", "kpis")}


def assert_kept(the_round) -> dict:
    figures = kept(the_round)
    assert figures == fresh(the_round)
    return figures


@pytest.fixture
def live(db):
    return live_round()


def planning(the_round) -> None:
    Round.objects.filter(pk=the_round.pk).update(status=Round.Status.PLANNING)
    the_round.refresh_from_db()


def test_a_plan_approved_with_data_counts_its_kpis_without_a_check_in(agency, live):
    watched_plan(agency.officer1, live)
    assert assert_kept(live) == {(agency.grp.pk, "", NO_CHECKIN_DATE): 3}


def test_a_check_in_recorded_then_updated_moves_its_kpi(agency, live):
    plan = watched_plan(agency.officer1, live)
    c1 = kpi_of(plan, "C1")
    checkin_record(kpi=c1, by=None, date=TODAY(), value=12)  # at risk
    assert assert_kept(live)[(agency.grp.pk, "at_risk", TODAY())] == 1
    checkin_record(kpi=c1, by=None, date=TODAY(), value=12, status="on_track")  # same date
    figures = assert_kept(live)
    assert figures[(agency.grp.pk, "on_track", TODAY())] == 1
    assert (agency.grp.pk, "at_risk", TODAY()) not in figures  # a row at zero goes
    earlier = TODAY() - datetime.timedelta(days=40)
    checkin_record(kpi=c1, by=None, date=earlier, value=3)  # not the latest: nothing moves
    assert assert_kept(live) == figures


def test_import_checkins_keeps_the_figures(agency, live):
    plan = watched_plan(agency.officer1, live)
    other = watched_plan(agency.officer3, live)
    today = TODAY().isoformat()
    rows = [
        (kpi_of(plan, "C1").code, today, 12, "", "", ""),
        (kpi_of(plan, "S1").code, today, "", 2, "", ""),
        (kpi_of(other, "P1").code, today, 80, "", "at_risk", ""),
    ]
    data = csv_bytes(["kpi_code", "date", "value", "milestones_done", "status", "note"], rows)
    report = checkins_import(
        table=checkins_read(data, filename="c.csv"), round=live, by=None, dry_run=False
    )
    assert report.ok, report.errors
    figures = assert_kept(live)
    assert figures[(agency.grp2.pk, "at_risk", TODAY())] == 1
    assert figures[(agency.grp.pk, "", NO_CHECKIN_DATE)] == 1


def test_plans_approved_returned_and_reopened_come_and_go(agency, live):
    plan = watched_plan(agency.officer1, live)
    checkin_record(kpi=kpi_of(plan, "C1"), by=None, date=TODAY(), value=12)
    planning(live)
    services.plan_reopen(plan=plan, reason="แก้ไขเป้าหมาย", by=agency.hr.user)
    assert assert_kept(live) == {}
    services.plan_submit(plan=plan, by=agency.officer1.user)
    services.plan_return(plan=plan, comment="ขอแก้", by=agency.grp_head.user)
    assert assert_kept(live) == {}
    services.plan_submit(plan=plan, by=agency.officer1.user)
    services.plan_approve(plan=plan, by=agency.grp_head.user)
    figures = assert_kept(live)  # back, with the check-in it had
    assert figures == {
        (agency.grp.pk, "at_risk", TODAY()): 1,
        (agency.grp.pk, "", NO_CHECKIN_DATE): 2,
    }


def test_kpis_added_to_and_deleted_from_an_approved_plan(agency, live):
    plan = watched_plan(agency.officer1, live)
    c1 = kpi_of(plan, "C1")
    checkin_record(kpi=c1, by=None, date=TODAY(), value=40)
    extra = KPI.objects.create(
        round=live, plan=plan, kra=c1.kra, code="PO1-X1", name="เพิ่ม", weight=0, scale="higher"
    )
    assert assert_kept(live)[(agency.grp.pk, "", NO_CHECKIN_DATE)] == 3
    extra.delete()
    c1.delete()  # with its check-in and Progress
    assert assert_kept(live) == {(agency.grp.pk, "", NO_CHECKIN_DATE): 2}


def test_a_kpi_import_that_approves_adds_its_kpis(agency, live):
    from indicators.importer import kpis_import, kpis_read

    header = ["owner_code", "job", "kra", "kpi_code", "kpi", "unit", "scale"]
    header += [f"level_{n}" for n in range(1, 6)] + ["weight"]
    row = ["P-O2", "งาน", "ผลสัมฤทธิ์", "PO2-K1", "ตัวชี้วัด", "ร้อยละ", "มากดี", 10, 20, 30, 40, 50]
    data = csv_bytes(header, [[*row, 100]])
    planning(live)
    report = kpis_import(
        table=kpis_read(data, filename="k.csv"), round=live, by=None, dry_run=False, approve=True
    )
    assert report.ok, report.errors
    assert assert_kept(live) == {(agency.grp.pk, "", NO_CHECKIN_DATE): 1}


def test_a_person_moved_takes_their_kpis_along(agency, live):
    plan = watched_plan(agency.officer1, live)
    checkin_record(kpi=kpi_of(plan, "P1"), by=None, date=TODAY(), value=80)
    node_move(node=agency.officer1, parent=agency.grp2)
    figures = assert_kept(live)
    assert {unit for unit, _s, _d in figures} == {agency.grp2.pk}
    # The org import moves people too (bulk_update of the tree).
    data = csv_bytes(["code", "parent_code", "kind", "name"], [["P-O1", "DIV", "individual", "x"]])
    report = org_import(table=org_read(data, filename="org.csv"), by=None)
    assert report.ok, report.errors
    figures = assert_kept(live)
    assert {unit for unit, _s, _d in figures} == {agency.div.pk}


def test_a_units_own_plan_counts_in_the_unit_wherever_it_moves(agency, live):
    watched_plan(agency.grp, live)
    node_move(node=agency.grp, parent=agency.dept)
    assert assert_kept(live) == {(agency.grp.pk, "", NO_CHECKIN_DATE): 3}


def test_nodes_and_plans_deleted_leave_nothing_behind(agency, live):
    plan = watched_plan(agency.officer3, live)
    checkin_record(kpi=kpi_of(plan, "C1"), by=None, date=TODAY(), value=12)
    watched_plan(agency.officer1, live)
    Node.objects.filter(parent=agency.grp2).update(is_head=False)  # GRP has its own head
    for person in Node.objects.filter(parent=agency.grp2):
        node_move(node=person, parent=agency.grp)
    Node.objects.get(pk=agency.grp2.pk).delete()  # the emptied unit
    Node.objects.get(pk=agency.officer2.pk).delete()  # a person without a plan
    assert set(assert_kept(live).values()) == {1, 5}
    plan.delete()
    assert assert_kept(live) == {(agency.grp.pk, "", NO_CHECKIN_DATE): 3}


def test_emptying_every_table_in_any_order_leaves_no_figures(agency, live):
    """As a flush does on SQLite: one DELETE per table, figures first in the worst case."""
    plan = watched_plan(agency.officer1, live)
    checkin_record(kpi=kpi_of(plan, "C1"), by=None, date=TODAY(), value=12)
    UnitFigure.objects.all().delete()
    Progress.objects.all().delete()  # would take the figures below zero
    KPI.objects.all().delete()
    assert not UnitFigure.objects.exists()


def test_the_rebuild_command_recomputes_from_scratch(agency, live):
    plan = watched_plan(agency.officer1, live)
    checkin_record(kpi=kpi_of(plan, "C1"), by=None, date=TODAY(), value=12)
    other_round = Round.objects.create(
        fiscal_year=2569, number=1, start=TODAY().replace(month=1, day=1), end=TODAY()
    )
    watched_plan(agency.officer3, other_round)
    expected = kept(live), kept(other_round)
    UnitFigure.objects.all().update(kpis=99)  # as if something had gone wrong
    call_command("rebuild_monitoring_figures", "--round", "2569/2", stdout=io.StringIO())
    assert kept(live) == expected[0]
    assert set(kept(other_round).values()) == {99}  # another round: untouched
    call_command("rebuild_monitoring_figures", stdout=io.StringIO())
    assert (kept(live), kept(other_round)) == expected
    with pytest.raises(CommandError, match="2569/9"):
        call_command("rebuild_monitoring_figures", "--round", "2569/9")


# Any mix of changes, at random -------------------------------------------------------


class FiguresMachine(RuleBasedStateMachine):
    """The agency, a tracking round and four plans; any change keeps kept == fresh."""

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.agency = build_agency()
        self.round = live_round()
        people = [self.agency.officer1, self.agency.officer2, self.agency.officer3]
        self.plans = [watched_plan(p, self.round) for p in [*people, self.agency.grp]]
        self.units = [self.agency.grp, self.agency.grp2, self.agency.div, self.agency.dept]
        self.people = people
        self.added = 0

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def _kpis(self):
        return list(KPI.objects.filter(round=self.round).order_by("pk"))

    @rule(
        which=st.integers(0, 50),
        days=st.integers(0, 60),
        status=st.sampled_from(["on_track", "at_risk", "off_track"]),
    )
    def check_in(self, which, days, status):
        kpis = [k for k in self._kpis() if k.plan.status == APPROVED]
        if kpis:
            kpi = kpis[which % len(kpis)]
            date = TODAY() - datetime.timedelta(days=days)
            value = None if kpi.scale == "milestone" else 10
            checkin_record(
                kpi=kpi, by=None, date=date, value=value, milestones_done=1, status=status
            )

    @rule(which=st.integers(0, 50))
    def forget_a_check_in(self, which):
        checkins = list(CheckIn.objects.order_by("pk"))
        if checkins:
            gone = checkins[which % len(checkins)]
            gone.delete()  # its Progress with it (cascade), then the one before, if any
            progress_rebuild([gone.kpi_id])

    @rule(which=st.integers(0, 3), status=st.sampled_from(list(Plan.Status.values)))
    def set_plan_status(self, which, status):
        Plan.objects.filter(pk=self.plans[which].pk).update(status=status)
        self.plans[which].refresh_from_db()

    @rule(who=st.integers(0, 2), where=st.integers(0, 3))
    def move_a_person(self, who, where):
        node = Node.objects.get(pk=self.people[who].pk)
        node_move(node=node, parent=Node.objects.get(pk=self.units[where].pk))

    @rule(which=st.integers(0, 3))
    def add_a_kpi(self, which):
        plan = self.plans[which]
        self.added += 1
        levels = {f"level_{n}": n * 10 for n in range(1, 6)}
        KPI.objects.create(
            round=self.round,
            plan=plan,
            kra=plan.kras.first(),
            code=f"NEW-{self.added}",
            name="ใหม่",
            weight=0,
            scale="higher",
            **levels,
        )

    @rule(which=st.integers(0, 50))
    def delete_a_kpi(self, which):
        kpis = self._kpis()
        if kpis:
            kpis[which % len(kpis)].delete()

    @rule(which=st.integers(0, 3))
    def move_a_kpi_to_another_plan(self, which):
        kpis = self._kpis()
        if kpis:
            target = self.plans[which]
            KPI.objects.filter(pk=kpis[0].pk).update(plan=target, kra=target.kras.first())

    @invariant()
    def kept_equals_fresh(self):
        assert kept(self.round) == fresh(self.round)


def test_any_mix_of_changes_keeps_the_figures(db):
    run_state_machine_as_test(
        FiguresMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


# Two writers at once, on PostgreSQL --------------------------------------------------

only_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="real concurrency needs PostgreSQL; SQLite runs one writer at a time",
)


@pytest.mark.postgres
@only_postgres
@pytest.mark.django_db(transaction=True)
def test_writes_at_once_in_one_unit_lose_no_count(agency):
    """Check-ins (the round locked) and Progress written outside the service, all at once."""
    the_round = live_round()
    people = [make_node(f"P-N{n}", Kind.INDIVIDUAL, agency.grp) for n in range(4)]
    plans = [watched_plan(person, the_round) for person in people]
    barrier = threading.Barrier(4)

    def record(plan, status):
        def job():
            for suffix in ("C1", "P1"):
                barrier.wait(timeout=10)
                checkin_record(
                    kpi=kpi_of(plan, suffix), by=None, date=TODAY(), value=12, status=status
                )

        return job

    def progress(plan, status):
        def job():
            for suffix in ("C1", "P1"):
                barrier.wait(timeout=10)
                kpi = kpi_of(plan, suffix)
                with transaction.atomic():
                    checkin = CheckIn.objects.create(
                        kpi=kpi,
                        date=TODAY(),
                        value=1,
                        status=status,
                        suggested_status=status,
                        projected_level=3,
                    )
                    Progress.objects.create(
                        kpi=kpi, checkin=checkin, date=TODAY(), status=status, projected_level=3
                    )

        return job

    outcomes = run_at_once(
        {
            "a": record(plans[0], "on_track"),
            "b": record(plans[1], "on_track"),
            "c": progress(plans[2], "on_track"),
            "d": progress(plans[3], "at_risk"),
        }
    )
    assert all(outcome.ok for outcome in outcomes.values()), outcomes
    figures = assert_kept(the_round)
    assert figures[(agency.grp.pk, "on_track", TODAY())] == 6
    assert figures[(agency.grp.pk, "at_risk", TODAY())] == 2
    assert figures[(agency.grp.pk, "", NO_CHECKIN_DATE)] == 4


def test_an_administrator_pays_the_same_queries_for_one_or_two_departments(
    django_assert_num_queries,
):
    """The whole ministry: a second department of 5,000 adds no query (kept figures)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.test_monitoring_page import counts_of, page_text, watched_department

    the_round = live_round()
    small = watched_department(50, the_round)
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("minister", password="x"))
    watch = reverse("monitoring:watch")
    page_text(client, watch)
    with CaptureQueriesContext(connection) as counted:
        page_text(client, watch)
    big = watched_department(5000, the_round)
    with django_assert_num_queries(len(counted)):
        text = page_text(client, watch)
    assert counts_of(text, small.dept.code) == [25, 25, 0, 50]
    assert counts_of(text, big.dept.code) == [2500, 2500, 0, 5000]
