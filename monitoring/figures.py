"""Monitoring figures: KPIs by status, per unit, in a fixed number of queries.

A KPI counts when its plan is approved in the round and its owner is in the
viewer's scope (appraisals.summary.node_scope, optionally one unit's
subtree). Its status is the latest check-in's (monitoring.Progress, kept by
the services), or "no news" when there is none or it is older than the
round's no-news days. A person's KPIs count in the person's unit; a unit's
own plan counts in that unit. The counts per unit are kept by the database
as KPIs, plans, people and check-ins change (monitoring.UnitFigure, kept by
the triggers of monitoring.kept): one grouped query over a few rows per unit
(whatever the number of KPIs), the units one more, then rolled up the tree
in Python.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Sum,
    Value,
    When,
)

from appraisals.summary import node_scope, scope_units
from indicators.models import KPI, Plan, Round
from monitoring.models import CheckIn, Status, UnitFigure
from orgchart.models import Kind, Node

STATUSES = [Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.NO_NEWS]
BADGE_COLOURS = {
    Status.ON_TRACK.value: "text-bg-success",
    Status.AT_RISK.value: "text-bg-warning",
    Status.OFF_TRACK.value: "text-bg-danger",
    Status.NO_NEWS.value: "text-bg-secondary",
}


def kpi_scope(round: Round, user, unit: Node | None = None) -> QuerySet[KPI]:
    """KPIs of approved plans of the round whose owner is in scope."""
    return KPI.objects.filter(
        node_scope(user, unit, "plan__owner__"),
        round=round,
        plan__round=round,
        plan__status=Plan.Status.APPROVED,
    )


def status_expression(no_news_days: int, today: datetime.date) -> Case:
    cutoff = today - datetime.timedelta(days=no_news_days)
    return Case(
        When(progress__isnull=True, then=Value(Status.NO_NEWS.value)),
        When(progress__date__lt=cutoff, then=Value(Status.NO_NEWS.value)),
        default=F("progress__status"),
        output_field=CharField(),
    )


def unit_key_expression() -> Case:
    """The unit a KPI counts in (its pk): a person's unit, or the unit owning the plan."""
    return Case(
        When(plan__owner__kind=Kind.INDIVIDUAL, then=F("plan__owner__parent_id")),
        default=F("plan__owner_id"),
        output_field=IntegerField(),
    )


def with_status(queryset: QuerySet[KPI], no_news_days: int, today: datetime.date):
    return queryset.annotate(watch=status_expression(no_news_days, today))


def kept_counts(
    round: Round, user, unit: Node | None, *, no_news_days: int, today: datetime.date
) -> QuerySet:
    """(unit pk, status, KPIs) of the units in scope, from the kept figures (UnitFigure).

    The same counts as grouping `kpi_scope` by unit and status, but over a
    few rows per unit (one per latest status and date) instead of every KPI:
    rows older than the cutoff (and the KPIs without a check-in, dated
    NO_CHECKIN_DATE) are "no news". Scope is on the unit: a unit in the
    viewer's view holds only KPIs of people the viewer sees.
    """
    cutoff = today - datetime.timedelta(days=no_news_days)
    watch = Case(
        When(latest__lt=cutoff, then=Value(Status.NO_NEWS.value)),
        default=F("status"),
        output_field=CharField(),
    )
    return (
        UnitFigure.objects.filter(node_scope(user, unit, "unit__"), round=round)
        .annotate(watch=watch)
        .values_list("unit_id", "watch")
        .annotate(n=Sum("kpis"))
        .order_by()
    )


@dataclass
class UnitStatus:
    pk: int
    parent_id: int | None
    code: str
    name: str
    kind: str
    level: int
    lft: int
    rght: int
    direct: Counter = field(default_factory=Counter)
    subtree: Counter = field(default_factory=Counter)
    has_sub_units: bool = False

    @property
    def total(self) -> int:
        return sum(self.subtree.values())

    def counts(self) -> list[int]:
        return [self.subtree.get(status.value, 0) for status in STATUSES]

    def badges(self) -> list[tuple[str, str, int]]:
        """(status, Bootstrap colour, count) for the tree row, in STATUSES order."""
        return [
            (status.value, BADGE_COLOURS[status.value], self.subtree.get(status.value, 0))
            for status in STATUSES
        ]


def unit_statuses(
    round: Round, user, unit: Node | None, *, no_news_days: int, today: datetime.date
) -> list[UnitStatus]:
    """Every unit in scope (tree order) with its KPIs' statuses, rolled up. Two queries."""
    units = [
        UnitStatus(*values)
        for values in scope_units(user, unit).values_list(
            "pk", "parent_id", "code", "name", "kind", "level", "lft", "rght"
        )
    ]
    by_pk = {u.pk: u for u in units}
    for u in units:
        if u.parent_id in by_pk:
            by_pk[u.parent_id].has_sub_units = True
    rows = kept_counts(round, user, unit, no_news_days=no_news_days, today=today)
    for unit_pk, status, n in rows:
        home = by_pk.get(unit_pk)
        if home is None:
            continue
        home.direct[status] += n
        node = home
        while node is not None:
            node.subtree[status] += n
            node = by_pk.get(node.parent_id)
    return units


def due_dates(schedule) -> list[datetime.date]:
    return [datetime.date.fromisoformat(text) for text in schedule.due_dates or ()]


@dataclass
class Missed:
    """One holder who missed a fixed check-in date: how many KPIs had no check-in."""

    due: datetime.date
    owner_pk: int
    owner_name: str
    owner_code: str
    unit_name: str
    kpis: int
    plan_pk: int | None = None


MISSED_LIMIT = 500


def missed_checkins(
    round: Round,
    user,
    unit: Node | None,
    schedule,
    *,
    today: datetime.date,
    limit: int | None = MISSED_LIMIT,
) -> list[Missed]:
    """Plans with KPIs lacking a check-in in a passed fixed period, per due date.

    Period of a due date: after the previous due date (or from the round's
    start) up to and including the due date. One query per passed due date
    (a round has a handful), whatever the number of people. `user` None: the
    whole agency (the missed check-in notifications, monitoring.notify);
    `limit` None: every holder.
    """
    missed: list[Missed] = []
    previous = round.start - datetime.timedelta(days=1)
    for due in due_dates(schedule):
        if due > today:
            break
        window = CheckIn.objects.filter(kpi_id=OuterRef("pk"), date__gt=previous, date__lte=due)
        rows = (
            kpi_scope(round, user, unit)
            .filter(~Exists(window))
            .values_list(
                "plan__owner_id",
                "plan__owner__name",
                "plan__owner__code",
                "plan__owner__parent__name",
                "plan_id",
            )
            .annotate(n=Count("pk"))
            .order_by("plan__owner__tree_id", "plan__owner__lft")[:limit]
        )
        missed.extend(
            Missed(due, owner, name, code, unit_name, n, plan_pk)
            for owner, name, code, unit_name, plan_pk, n in rows
        )
        previous = due
    return missed
