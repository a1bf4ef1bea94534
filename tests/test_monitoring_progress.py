"""monitoring.Progress (the latest check-in per KPI, read by the monitoring counts) never drifts.

Progress is derived data kept by the check-in service and the import inside
their transactions; these tests recompute it from the check-ins themselves
(latest by date, then id) after each kind of write and compare every field.
"""

import datetime
import io

import pytest
from django.utils import timezone

from monitoring.figures import unit_statuses
from monitoring.importer import checkins_import, checkins_read
from monitoring.models import CheckIn, Progress
from monitoring.services import checkin_record
from tests.factories_monitoring import kpi_of, live_round, watched_plan

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def live(db):
    """A tracking round half-way through today (tests.factories_monitoring.live_round)."""
    return live_round()


def recomputed() -> dict[int, tuple]:
    """{kpi id: (check-in id, date, status, projected level)} from the check-ins alone."""
    latest: dict[int, tuple] = {}
    for checkin in CheckIn.objects.order_by("kpi_id", "-date", "-pk"):
        latest.setdefault(
            checkin.kpi_id,
            (checkin.pk, checkin.date, checkin.status, checkin.projected_level),
        )
    return latest


def stored() -> dict[int, tuple]:
    return {
        p.kpi_id: (p.checkin_id, p.date, p.status, p.projected_level)
        for p in Progress.objects.all()
    }


def import_csv(rows, the_round):
    lines = ["kpi_code,date,value,milestones_done,status,note"]
    lines += [",".join("" if v is None else str(v) for v in row) for row in rows]
    content = ("\n".join(lines) + "\n").encode()
    report = checkins_import(
        table=checkins_read(io.BytesIO(content)), round=the_round, by=None, dry_run=False
    )
    assert report.ok, report.errors
    return report


def test_an_older_check_in_recorded_later_leaves_the_newest_as_latest(agency, live):
    kpi = kpi_of(watched_plan(agency.officer1, live), "C1")  # a count: 10/20/30/40/50
    by = agency.officer1.user
    newest = checkin_record(kpi=kpi, by=by, date=TODAY(), value="40")  # on track
    checkin_record(kpi=kpi, by=by, date=TODAY() - datetime.timedelta(days=20), value="1")
    progress = Progress.objects.get(kpi=kpi)
    assert (progress.checkin_id, progress.date, progress.status) == (
        newest.pk, TODAY(), "on_track",
    )  # fmt: skip
    # Updating the newest date's check-in changes the latest status too.
    checkin_record(kpi=kpi, by=by, date=TODAY(), value="12")
    assert Progress.objects.get(kpi=kpi).status == "at_risk"
    assert stored() == recomputed()


def test_the_import_keeps_the_latest_of_each_kpi_exact(agency, live):
    plan = watched_plan(agency.officer1, live)
    by = agency.officer1.user
    today, before = TODAY(), TODAY() - datetime.timedelta(days=15)
    checkin_record(kpi=kpi_of(plan, "C1"), by=by, date=before, value="40")
    # An older row for C1 (the recorded one stays latest), a newer one for P1 over a
    # recorded older one, a first one for S1.
    checkin_record(kpi=kpi_of(plan, "P1"), by=by, date=before, value="80")
    import_csv(
        [
            ("PO1-C1", (before - datetime.timedelta(days=5)).isoformat(), 2, None, None, None),
            ("PO1-P1", today.isoformat(), 50, None, "ล่าช้า", None),
            ("PO1-S1", today.isoformat(), None, 2, None, None),
        ],
        live,
    )
    assert stored() == recomputed()
    statuses = {p.kpi.code: (p.date, p.status) for p in Progress.objects.select_related("kpi")}
    assert statuses["PO1-C1"] == (before, "on_track")
    assert statuses["PO1-P1"] == (today, "off_track")
    assert statuses["PO1-S1"][0] == today
    # The same file with the latest row's status changed: the latest follows.
    import_csv([("PO1-P1", today.isoformat(), 50, None, "ตามแผน", None)], live)
    assert Progress.objects.get(kpi__code="PO1-P1").status == "on_track"
    assert stored() == recomputed()


def test_counts_follow_the_latest_check_in_and_the_no_news_days(agency, live):
    plan = watched_plan(agency.officer1, live)
    by = agency.officer1.user
    kpi = kpi_of(plan, "C1")
    checkin_record(kpi=kpi, by=by, date=TODAY() - datetime.timedelta(days=40), value="40")

    def counted(no_news_days: int):
        units = unit_statuses(live, None, None, no_news_days=no_news_days, today=TODAY())
        home = next(u for u in units if u.pk == agency.officer1.parent_id)
        return home.direct

    # 40 days old: no news at 30 days, on track at 60.
    assert counted(30)["on_track"] == 0 and counted(30)["no_news"] >= 1
    assert counted(60)["on_track"] == 1
    checkin_record(kpi=kpi, by=by, date=TODAY(), value="12")  # at risk, today
    assert counted(30)["at_risk"] == 1 and counted(30)["on_track"] == 0
