"""Approved plans of a generated agency, written in bulk (the benchmarks' data).

    from bench.plans import bulk_plans
    plans, kpis = bulk_plans(agency, the_round, kpis_per_person=5, results=True)

One approved plan per individual of `agency` (bench.generate.make_agency),
its KRAs and the KPIs of bench.generate.kpi_rows, written with bulk_create
in batches, as the KPI import writes them. With `results`, every KPI gets an
actual (scored with the product's scoring functions) and every plan an open
appraisal holding its achievement, as result_save keeps them. Only the
agency's own tree is read, so each department of a ministry is written on
its own.
"""

from __future__ import annotations

import random
from decimal import Decimal

BATCH = 5_000


def bulk_plans(
    agency, the_round, *, kpis_per_person: int = 5, results: bool = False, seed: int = 7
) -> tuple[int, int]:
    """Write the plans, KRAs and KPIs (and results); return (plans, KPIs) written."""
    from django.utils import timezone

    from bench.generate import kpi_rows
    from indicators.models import KPI, KRA, Plan
    from orgchart.models import Kind, Node

    tree_id = Node.objects.get(code=agency.department["code"]).tree_id
    owners = dict(
        Node.objects.filter(tree_id=tree_id, kind=Kind.INDIVIDUAL).values_list("code", "pk")
    )
    now = timezone.now()
    plans = Plan.objects.bulk_create(
        (
            Plan(
                round=the_round,
                owner_id=pk,
                status=Plan.Status.APPROVED,
                submitted_at=now,
                approved_at=now,
            )
            for pk in owners.values()
        ),
        batch_size=BATCH,
    )
    plan_of = {plan.owner_id: plan.pk for plan in plans}
    rows = list(kpi_rows(agency, kpis_per_person))
    kras: list[KRA] = []
    kra_index: dict[tuple, int] = {}
    for row in rows:
        key = (row["owner_code"], row["job"], row["kra"])
        if key not in kra_index:
            kra_index[key] = len(kras)
            plan_id = plan_of[owners[row["owner_code"]]]
            kras.append(KRA(plan_id=plan_id, job=row["job"], name=row["kra"], order=len(kras)))
    KRA.objects.bulk_create(kras, batch_size=BATCH)
    kpis = []
    order_in_plan: dict[int, int] = {}
    for row in rows:
        kra = kras[kra_index[(row["owner_code"], row["job"], row["kra"])]]
        levels = [row[f"level_{i}"] for i in range(1, 6)]
        fields: dict = {"round": the_round, "plan_id": kra.plan_id, "kra_id": kra.pk}
        if row["scale"] == "milestone":
            fields.update({f"milestone_{i}": text for i, text in enumerate(levels, 1)})
        else:
            fields.update({f"level_{i}": Decimal(v) for i, v in enumerate(levels, 1)})
        order = order_in_plan.get(kra.plan_id, 0)
        order_in_plan[kra.plan_id] = order + 1
        kpis.append(
            KPI(
                code=row["kpi_code"],
                name=row["kpi"],
                unit=row["unit"],
                scale=row["scale"],
                weight=Decimal(row["weight"]),
                order=order,
                **fields,
            )
        )
    KPI.objects.bulk_create(kpis, batch_size=BATCH)
    if results:
        bulk_results(kpis, random.Random(agency.seed + seed))
    # bulk_create sends no signals: count what the dashboard reads, as the imports do.
    from appraisals.tallies import tallies_refresh

    tallies_refresh(plan.pk for plan in plans)
    return len(plans), len(kpis)


def bulk_results(kpis, rng: random.Random) -> None:
    """An actual for every KPI, scored; an open appraisal per plan with its achievement."""
    from appraisals.models import Appraisal, Result
    from appraisals.scoring import achievement, kpi_score

    results, pairs = [], {}
    for kpi in kpis:
        if kpi.scale == "milestone":
            actual = rng.randint(0, 5)
        else:
            low, high = sorted((int(kpi.level_1), int(kpi.level_5)))
            actual = Decimal(rng.randint(low - 5, high + 5))
        score = kpi_score(kpi.scale, kpi.levels, actual)
        milestone = kpi.scale == "milestone"
        results.append(
            Result(
                kpi_id=kpi.pk,
                actual=None if milestone else actual,
                milestones_done=actual if milestone else None,
                level=int(score),
                score=score,
            )
        )
        pairs.setdefault(kpi.plan_id, []).append((score, kpi.weight))
    Result.objects.bulk_create(results, batch_size=BATCH)
    Appraisal.objects.bulk_create(
        (
            Appraisal(plan_id=plan_id, status=Appraisal.Status.OPEN, achievement=achievement(p))
            for plan_id, p in pairs.items()
        ),
        batch_size=BATCH,
    )
