"""The per-plan tallies the dashboard reads (appraisals.tallies), kept by every writer.

Each kind of change is driven, then the kept rows are compared with a fresh
count from the KPIs and results, and the dashboard's figures with the
per-view KPI scan they replaced (issue 13).
"""

import io
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from appraisals.importer import results_import, results_read
from appraisals.models import Appraisal, Result, ResultTally
from appraisals.services import policy_rescore, result_save
from appraisals.summary import achievement_distribution, direct_tallies
from appraisals.tallies import stale_tallies
from indicators.import_sql import insert_kpis
from indicators.models import KPI, KRA, Plan
from orgchart.models import Kind, Node
from orgchart.services import node_move
from tests.factories_reports import make_kpi, make_kra, make_plan, make_round, standard_results
from tests.test_dashboard import grow
from tests.test_import_results import csv


@pytest.fixture
def data(agency):
    the_round = make_round()
    return the_round, standard_results(agency, the_round)


def scanned_results_in(the_round) -> Counter:
    """Per unit code, the approved plans with every KPI's result: the scan the tally replaced."""
    blank = Q(result__actual__isnull=True, result__milestones_done__isnull=True)
    missing = KPI.objects.filter(plan_id=OuterRef("pk")).filter(Q(result__isnull=True) | blank)
    plans = Plan.objects.filter(
        round=the_round,
        status=Plan.Status.APPROVED,
        owner__kind=Kind.INDIVIDUAL,
        owner__is_active=True,
    ).exclude(Exists(missing))
    return Counter(plans.values_list("owner__parent__code", flat=True))


def scanned_achievements(the_round) -> list:
    """Each scored approved plan's achievement, summed from its KPIs as before."""
    values = []
    for plan in Plan.objects.filter(
        round=the_round, status=Plan.Status.APPROVED, owner__kind=Kind.INDIVIDUAL
    ):
        pairs = [(getattr(k, "result", None), k.weight) for k in plan.kpis.select_related("result")]
        if not any(r is not None and r.score is not None for r, _w in pairs):
            continue
        weighted = sum(((r.score if r and r.score is not None else 0) * w for r, w in pairs), 0)
        weights = sum((w for _r, w in pairs), Decimal(0))
        values.append((weighted / (weights * 5) * 100).quantize(Decimal("0.01")))
    return sorted(values)


def assert_kept(the_round) -> None:
    assert stale_tallies() == []
    shown = {code: t.results_in for code, t in direct_tallies(the_round, None).items()}
    assert {code: n for code, n in shown.items() if n} == dict(scanned_results_in(the_round))
    kept = ResultTally.objects.filter(
        plan__round=the_round,
        plan__status=Plan.Status.APPROVED,
        plan__owner__kind=Kind.INDIVIDUAL,
        achievement__isnull=False,
    )
    assert sorted(kept.values_list("achievement", flat=True)) == scanned_achievements(the_round)
    assert sum(n for _band, n in achievement_distribution(the_round, None)) == len(
        scanned_achievements(the_round)
    )


def test_the_factories_writes_are_counted(agency, data):
    the_round, plans = data
    assert_kept(the_round)
    tally = ResultTally.objects.get(plan=plans.plan2)
    assert (tally.kpis, tally.missing, tally.scored) == (2, 1, 1)
    assert ResultTally.objects.get(plan=plans.plan1).achievement == Decimal("70.00")


def test_a_result_saved_and_cleared_is_counted(agency, data):
    the_round, plans = data
    second = plans.plan2.kpis.get(code="O2-2")
    result_save(kpi=second, actual="75", by=agency.officer2.user)
    assert ResultTally.objects.get(plan=plans.plan2).missing == 0
    assert_kept(the_round)
    result_save(kpi=second, actual="", by=agency.officer2.user)
    assert ResultTally.objects.get(plan=plans.plan2).missing == 1
    assert_kept(the_round)
    Result.objects.get(kpi=second).delete()
    assert_kept(the_round)


def test_imported_results_are_counted(agency, data):
    the_round, plans = data
    report = results_import(
        table=results_read(csv([("O2-2", 70, None, None)]), filename="r.csv"),
        round=the_round,
        by=agency.hr.user,
        dry_run=False,
    )
    assert report.ok, report.errors
    assert ResultTally.objects.get(plan=plans.plan2).missing == 0
    assert_kept(the_round)


def test_kpis_added_and_deleted_one_by_one_or_in_bulk_are_counted(agency, data):
    the_round, plans = data
    kra = plans.plan3.kras.first()
    added = make_kpi(kra, "O3-2", weight=50)
    assert ResultTally.objects.get(plan=plans.plan3).missing == 1
    assert_kept(the_round)
    added.delete()
    assert_kept(the_round)
    insert_kpis([KPI(round=the_round, plan=plans.plan3, kra=kra, code="O3-9", name="ใหม่",
                     weight=Decimal(10))])  # fmt: skip
    assert ResultTally.objects.get(plan=plans.plan3).kpis == 2
    assert_kept(the_round)
    KRA.objects.filter(plan=plans.plan1).delete()  # its KPIs and results go with it
    assert ResultTally.objects.get(plan=plans.plan1).kpis == 0
    assert_kept(the_round)
    plans.plan2.delete()
    assert not ResultTally.objects.filter(plan_id=plans.plan2.pk).exists()
    assert_kept(the_round)


def test_plan_decisions_assessment_and_moves_are_read_live(agency, data):
    the_round, plans = data
    # Plan status, sign-offs and placement are not kept: the dashboard reads them.
    Plan.objects.filter(pk=plans.plan3.pk).update(status=Plan.Status.DRAFT)  # reopened
    assert_kept(the_round)
    Plan.objects.filter(pk=plans.plan3.pk).update(status=Plan.Status.APPROVED)
    Appraisal.objects.filter(plan=plans.plan2).update(status=Appraisal.Status.ASSESSED)
    assert_kept(the_round)
    node_move(node=agency.officer1, parent=Node.objects.get(code="GRP2"))
    assert direct_tallies(the_round, None)["GRP2"].results_in == 2
    assert_kept(the_round)
    newcomer = Node.objects.create(code="P-N", kind=Kind.INDIVIDUAL, parent=agency.grp, name="ใหม่")
    Node.objects.rebuild()
    assert direct_tallies(the_round, None)["GRP"].officers == 3  # officer1 has left
    newcomer.delete()
    Node.objects.rebuild()
    assert direct_tallies(the_round, None)["GRP"].officers == 2
    assert_kept(the_round)


def test_a_policy_rescore_recounts_the_round(agency, data):
    the_round, plans = data
    Result.objects.filter(kpi__plan=plans.plan3).update(score=None)  # as a bulk write leaves it
    assert stale_tallies() == [plans.plan3.pk]
    policy_rescore(round=the_round)
    assert_kept(the_round)


def test_the_rebuild_command_recounts_every_plan(agency, data):
    the_round, _plans = data
    ResultTally.objects.all().delete()
    ResultTally.objects.create(plan=make_plan(agency.dept_head, the_round), missing=7)
    assert stale_tallies()
    out = io.StringIO()
    call_command("rebuild_result_tallies", "2569/1", stdout=out)
    assert "6 แผน" in out.getvalue()
    assert stale_tallies() == []
    assert_kept(the_round)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has one writer at a time: two writers of one plan cannot overlap there",
)
@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_plan_at_once_lose_nothing(agency):
    the_round = make_round()
    plan = make_plan(agency.officer1, the_round)
    kra = make_kra(plan)
    first, second = make_kpi(kra, "C1", weight=50), make_kpi(kra, "C2", weight=50, order=1)
    from django.db import connections, transaction

    written, waiting = threading.Event(), threading.Event()
    errors = []

    def writer_a():
        try:
            with transaction.atomic():
                Result.objects.create(kpi=first, actual=Decimal(80))  # counts, holds the plan
                written.set()
                waiting.wait(timeout=30)  # until B is blocked on the plan's lock
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    def writer_b():
        try:
            written.wait(timeout=30)
            with transaction.atomic():
                Result.objects.create(kpi=second, actual=Decimal(70))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    a, b = threading.Thread(target=writer_a), threading.Thread(target=writer_b)
    a.start()
    b.start()
    written.wait(timeout=30)
    with connection.cursor() as cursor:
        for _poll in range(3000):  # B waits on a lock held by A's transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
    waiting.set()
    a.join(timeout=60)
    b.join(timeout=60)
    assert not errors
    tally = ResultTally.objects.get(plan=plan)
    assert (tally.kpis, tally.missing, tally.scored) == (2, 0, 0)
    assert stale_tallies() == []


def test_a_plan_of_someone_no_longer_active_counts_in_the_distribution_only(agency, data):
    the_round, _plans = data
    Appraisal.objects.update(status=Appraisal.Status.OPEN)
    before = achievement_distribution(the_round, agency.hr.user)
    Node.objects.filter(pk=agency.officer3.pk).update(is_active=False)
    assert achievement_distribution(the_round, agency.hr.user) == before  # as the plan scan did
    assert direct_tallies(the_round, agency.hr.user)["GRP2"].officers == 1


def test_an_administrator_sees_the_distribution_of_every_department(agency, data, client_for):
    the_round, _plans = data
    Appraisal.objects.update(status=Appraisal.Status.OPEN)
    url = reverse("appraisals:dashboard")
    response = client_for(agency.admin).get(url, {"round": the_round.pk})
    assert response.status_code == 200
    # 70.00 (ดี), 48.00 (ต้องปรับปรุง), 100.00 twice (ดีเด่น: officer3, the other department)
    assert response.context["distribution"] == [
        ("ดีเด่น", 2), ("ดีมาก", 0), ("ดี", 1), ("พอใช้", 0), ("ต้องปรับปรุง", 1),
    ]  # fmt: skip


@pytest.mark.parametrize(("groups", "people"), [(1, 1), (6, 5)])
def test_the_administrators_dashboard_query_count_does_not_grow(
    agency, data, client_for, django_assert_num_queries, groups, people
):
    the_round, _plans = data
    grow(agency, the_round, groups, people)
    Appraisal.objects.update(status=Appraisal.Status.OPEN)  # the distribution is shown too
    client = client_for(agency.admin)
    # session, user, roles, rounds, bands, units, tallies (with the achievement bands),
    # the units' own plans, and the session saved (savepoint, update, release)
    with django_assert_num_queries(11):
        response = client.get(reverse("appraisals:dashboard"), {"round": the_round.pk})
    assert sum(n for _band, n in response.context["distribution"]) == 4 + groups * people
