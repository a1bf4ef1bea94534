"""Keeping `ResultTally` (one row per plan) equal to the plan's KPIs and results.

The dashboard (appraisals.summary) reads "has every KPI its result?" and
"what has the plan achieved so far?" from these rows instead of scanning every
KPI of the round on each view. They are recomputed from the source rows, never
incremented, by `tallies_refresh(plan_ids)` in the transaction of the write:

- single writes through the ORM (a result saved or deleted, a KPI created,
  changed or deleted, cascades included) by the model signals connected in
  `connect()`;
- bulk writes, which send no model signals: indicators sends `kpis_written`
  (indicators.signals) after its bulk inserts and updates of KPIs;
  appraisals.scores refreshes after storing scores in bulk (`plan_rescore`,
  `round_rescore`, which every results import ends with).

Two writers of the same plan are serialised by a row lock on the plan taken
before counting (PostgreSQL, READ COMMITTED): the second counts after the
first has committed, so neither's change is lost. SQLite has one writer at a
time anyway. `tallies_rebuild()` (command `rebuild_result_tallies`)
recomputes every row.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.signals import post_delete, post_save

from appraisals.scoring import MAX_SCORE, quantize2

BATCH = 500
FIELDS = ["kpis", "missing", "scored", "weighted", "weights", "achievement"]


def _no_actual(prefix: str = "") -> Q:
    blank = {
        f"{prefix}result__actual__isnull": True,
        f"{prefix}result__milestones_done__isnull": True,
    }
    return Q(**{f"{prefix}result__isnull": True}) | Q(**blank)


def counted(plans: QuerySet) -> QuerySet:
    """(plan id, kpis, missing, scored, weighted, weights) of `plans`, from the source rows."""
    return (
        plans.annotate(
            n_kpis=Count("kpis"),
            n_missing=Count("kpis", filter=_no_actual("kpis__")),
            n_scored=Count("kpis__result__score"),
            sum_weighted=Sum(F("kpis__result__score") * F("kpis__weight")),
            sum_weights=Sum("kpis__weight"),
        )
        .values_list("pk", "n_kpis", "n_missing", "n_scored", "sum_weighted", "sum_weights")
        .order_by()
    )


def _decimal(value, places: int) -> Decimal:
    """A summed decimal as stored (SQLite sums decimals as floats; `places` are all there is)."""
    if value is None:
        return Decimal(0)
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places))


def _row(kpis, missing, scored, weighted, weights) -> tuple:
    """The stored values of one plan's counts and sums (as `FIELDS`)."""
    weighted, weights = _decimal(weighted, 6), _decimal(weights, 2)
    # A KPI without a score counts 0 and keeps its weight (appraisals.scores).
    achievement = None
    if scored and weights:
        achievement = quantize2(weighted / (weights * MAX_SCORE) * 100)
    return kpis, missing, scored, weighted, weights, achievement


def _store(plan_model, tally_model, ids: list[int]) -> int:
    """Recompute and upsert the tallies of the plans `ids` (one batch). Returns rows written."""
    plans = plan_model.objects.filter(pk__in=ids)
    # The row lock orders two writers of one plan (no effect on SQLite).
    list(plans.select_for_update().order_by("pk").values_list("pk", flat=True))
    rows = [
        tally_model(plan_id=pk, **dict(zip(FIELDS, _row(*counts), strict=True)))
        for pk, *counts in counted(plans)
    ]
    tally_model.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["plan"], update_fields=FIELDS
    )
    return len(rows)


def tallies_refresh(plan_ids: Iterable[int | None]) -> None:
    """Recompute the kept tallies of these plans (in the caller's transaction)."""
    from appraisals.models import ResultTally
    from indicators.models import Plan

    ids = sorted({pk for pk in plan_ids if pk is not None})
    if not ids:
        return
    with transaction.atomic(savepoint=False):
        for start in range(0, len(ids), BATCH):
            _store(Plan, ResultTally, ids[start : start + BATCH])


def tallies_rebuild(*, round=None, plan_model=None, tally_model=None) -> int:
    """Recompute every plan's tally (of one round, if given). Returns the number of plans.

    The migration that creates the table passes its historical models.
    """
    if plan_model is None:
        from appraisals.models import ResultTally as tally_model
        from indicators.models import Plan as plan_model
    plans = plan_model.objects.order_by("pk")
    if round is not None:
        plans = plans.filter(round=round)
    ids = list(plans.values_list("pk", flat=True))
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            written += _store(plan_model, tally_model, ids[start : start + BATCH])
    return written


def stale_tallies(round=None) -> list[int]:
    """The plans whose kept tally differs from a fresh count (for tests and checks)."""
    from appraisals.models import ResultTally
    from indicators.models import Plan

    plans = Plan.objects.all() if round is None else Plan.objects.filter(round=round)
    fresh = {pk: _row(*counts) for pk, *counts in counted(plans)}
    kept = {
        row[0]: tuple(row[1:])
        for row in ResultTally.objects.filter(plan__in=plans).values_list("plan_id", *FIELDS)
    }
    empty = (0, 0, 0, 0, 0, None)
    return sorted(pk for pk in fresh if kept.get(pk, empty) != fresh[pk])


# Signals ---------------------------------------------------------------------


def _plan_of_result(result) -> int | None:
    from indicators.models import KPI

    kpi_field = type(result)._meta.get_field("kpi")
    if kpi_field.is_cached(result):
        return result.kpi.plan_id
    return KPI.objects.filter(pk=result.kpi_id).values_list("plan_id", flat=True).first()


def _plan_goes(origin) -> bool:
    """The deletion started from a plan: its tally goes with it, nothing to recount."""
    from indicators.models import Plan

    model = getattr(origin, "model", type(origin))
    return isinstance(model, type) and issubclass(model, Plan)


def _on_result(sender, instance, origin=None, **kwargs) -> None:
    if not _plan_goes(origin):
        tallies_refresh([_plan_of_result(instance)])


def _on_kpi(sender, instance, origin=None, **kwargs) -> None:
    if not _plan_goes(origin):
        tallies_refresh([instance.plan_id])


def _on_kpis_written(sender, plan_ids, **kwargs) -> None:
    tallies_refresh(plan_ids)


def connect() -> None:
    """Connect the model signals (AppraisalsConfig.ready)."""
    from appraisals.models import Result
    from indicators.models import KPI
    from indicators.signals import kpis_written

    post_save.connect(_on_result, sender=Result, dispatch_uid="tally_result_saved")
    post_delete.connect(_on_result, sender=Result, dispatch_uid="tally_result_deleted")
    post_save.connect(_on_kpi, sender=KPI, dispatch_uid="tally_kpi_saved")
    post_delete.connect(_on_kpi, sender=KPI, dispatch_uid="tally_kpi_deleted")
    kpis_written.connect(_on_kpis_written, dispatch_uid="tally_kpis_written")
