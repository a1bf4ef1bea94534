"""Test data for monitoring: a tracking round around today, approved plans, check-ins."""

import datetime

from django.utils import timezone

from indicators.models import KPI, Plan, Round
from tests.factories_appraisals import make_plan

# (code, scale, levels, weight): a count (additive), a percentage, milestones.
SPECS = (
    ("C1", "higher", (10, 20, 30, 40, 50), 40),
    ("P1", "higher", (65, 70, 75, 80, 85), 35),
    ("S1", "milestone", ("ขั้น 1", "ขั้น 2", "ขั้น 3", "ขั้น 4", "ขั้น 5"), 25),
)


def live_round(status=Round.Status.TRACKING, *, days_before=91, days_after=90) -> Round:
    """A round whose half has passed today: start 91 days ago, end in 90 days (182 days)."""
    today = timezone.localdate()
    return Round.objects.create(
        fiscal_year=2569,
        number=2,
        start=today - datetime.timedelta(days=days_before),
        end=today + datetime.timedelta(days=days_after),
        status=status,
    )


def watched_plan(owner, the_round, *, status=Plan.Status.APPROVED) -> Plan:
    plan = make_plan(owner, the_round, SPECS, status=status)
    plan.kpis.filter(code__endswith="-C1").update(unit="เรื่อง")
    return plan


def kpi_of(plan: Plan, suffix: str) -> KPI:
    return plan.kpis.get(code__endswith=f"-{suffix}")
