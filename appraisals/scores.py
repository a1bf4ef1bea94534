"""Glue between the models and the pure calculations of appraisals.scoring.

Reading: `kpi_result_score` (one KPI), `plan_scores` (a plan's rows and its
achievement), `appraisal_totals` (competency, total, band).
Writing: `plan_rescore` and `round_rescore` store the computed values on
Result (level, score) and Appraisal (achievement, competency, total, band).
They are called inside the services' transactions (appraisals.services) on
every change of a result, an assessment, a rating or the policy, and never
for a closed round: a closed round's stored values are frozen.

The level the assessor sets (`Result.assessed_level`) overrides the level
computed from the actual result, and the score is then that level exactly
(4 decimals): the assessor judges the level, so an interpolated share between
levels no longer applies. `Result.level` and `Result.score` hold the values
that count (with the override applied); the computed level is
`computed_level`.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from appraisals import scoring
from appraisals.models import Appraisal, Result
from appraisals.tallies import tallies_refresh
from indicators import targets
from indicators.models import KPI, Plan, Round
from orgchart.models import Kind

BULK_BATCH = 500


@dataclass(frozen=True)
class Rules:
    """A round's scoring policy as plain values (see appraisals.policy.rules_for)."""

    method: str = scoring.DISCRETE
    floor: int = 0
    published: bool = True
    weights: dict[str, tuple[Decimal, Decimal, Decimal]] = field(default_factory=dict)
    bands: tuple[tuple[str, Decimal], ...] = scoring.DEFAULT_BANDS

    def weights_for(self, staff_type: str) -> tuple[Decimal, Decimal, Decimal]:
        default = tuple(Decimal(w) for w in scoring.DEFAULT_WEIGHTS)
        return self.weights.get(staff_type, default)


def result_actual(kpi: KPI, result: Result | None):
    """The value the level is computed from: the actual, or the milestones done."""
    if result is None:
        return None
    return result.milestones_done if kpi.scale == KPI.Scale.MILESTONE else result.actual


def computed_level(kpi: KPI, result: Result | None) -> int | None:
    """The level reached by the recorded result alone (None when nothing is recorded)."""
    actual = result_actual(kpi, result)
    if actual is None:
        return None
    try:
        return targets.level_for(kpi.scale, kpi.levels, actual)
    except ValueError:
        # An approved plan has valid levels; a broken one scores nothing rather
        # than crashing a page.
        return None


def kpi_result_score(kpi: KPI, result: Result | None, policy) -> tuple[int | None, Decimal | None]:
    """(level, score) of one KPI under `policy` (anything with `method` and `floor`).

    The assessor's level, when set, wins: score = that level. Without a
    recorded result (and no assessor's level) both are None.
    """
    if result is not None and result.assessed_level is not None:
        return result.assessed_level, scoring.quantize4(result.assessed_level)
    actual = result_actual(kpi, result)
    if actual is None:
        return None, None
    try:
        level = targets.level_for(kpi.scale, kpi.levels, actual)
        score = scoring.kpi_score(
            kpi.scale, kpi.levels, actual, method=policy.method, floor=policy.floor
        )
    except ValueError:
        return None, None
    return level, score


@dataclass
class KPIScore:
    """One row of the achievement form: KPI | five levels | score (ก) | weight (ข) | ก x ข."""

    kpi: KPI
    result: Result | None
    level: int | None
    score: Decimal | None
    computed_level: int | None

    @property
    def weighted(self) -> Decimal | None:
        if self.score is None:
            return None
        return scoring.weighted_score(self.score, self.kpi.weight)

    @property
    def changed_by_assessor(self) -> bool:
        return self.result is not None and self.result.assessed_level is not None


@dataclass
class PlanScores:
    rows: list[KPIScore]
    achievement: Decimal

    @property
    def weighted_total(self) -> Decimal:
        return sum((row.weighted or Decimal(0) for row in self.rows), Decimal(0))

    @property
    def weight_total(self) -> Decimal:
        return sum((row.kpi.weight for row in self.rows), Decimal(0))


def kpi_result(kpi: KPI) -> Result | None:
    """The KPI's result without a query when it was select_related (None if absent)."""
    try:
        return kpi.result
    except Result.DoesNotExist:
        return None


def score_rows(kpis: Iterable[KPI], rules, *, stored: bool = False) -> PlanScores:
    """Scores of KPIs already loaded with their results (no query).

    `stored`: show the values kept on the results (a closed round's frozen
    scores) instead of computing them.
    """
    rows = []
    for kpi in kpis:
        result = kpi_result(kpi)
        if stored:
            level = result.level if result is not None else None
            score = result.score if result is not None else None
        else:
            level, score = kpi_result_score(kpi, result, rules)
        rows.append(KPIScore(kpi, result, level, score, computed_level(kpi, result)))
    # A KPI without a score counts as 0 but keeps its weight: achievement is of
    # the whole plan, not of the KPIs reported so far.
    achievement = scoring.achievement(
        (row.score if row.score is not None else 0, row.kpi.weight) for row in rows
    )
    return PlanScores(rows, achievement)


def plan_kpis(plan: Plan):
    return plan.kpis.select_related("kra", "result").order_by(
        "kra__order", "kra__pk", "order", "pk"
    )


def plan_scores(plan: Plan, rules: Rules | None = None) -> PlanScores:
    """A plan's KPI rows and achievement under `rules` (default: its round's policy)."""
    if rules is None:
        from appraisals.policy import rules_for  # policy.py builds on this module

        rules = rules_for(plan.round)
    return score_rows(plan_kpis(plan), rules)


def appraisal_totals(
    *,
    achievement: Decimal | None,
    ratings: Sequence[tuple[int, int]],
    other: Decimal | None,
    staff_type: str,
    individual: bool,
    rules: Rules,
) -> tuple[Decimal | None, Decimal | None, str]:
    """(competency, total, band) of an appraisal.

    Competency needs the assessor's ratings; the total needs the competency
    unless the staff type's competency weight is 0. A unit's plan has an
    achievement only: units have no competencies, total or band.
    """
    competency = scoring.competency_percent(ratings) if ratings else None
    if not individual or achievement is None:
        return competency, None, ""
    weights = rules.weights_for(staff_type)
    if competency is None and weights[1] != 0:
        return None, None, ""
    total = scoring.appraisal_total(achievement, competency or 0, other or 0, weights=weights)
    return competency, total, scoring.rating_band(total, rules.bands) or ""


def _store_results(rows: Iterable[KPIScore]) -> None:
    changed = []
    for row in rows:
        result = row.result
        if result is None:
            continue
        if (result.level, result.score) != (row.level, row.score):
            result.level, result.score = row.level, row.score
            changed.append(result)
    Result.objects.bulk_update(changed, ["level", "score"], batch_size=BULK_BATCH)


def _appraisal_fields(appraisal: Appraisal, achievement: Decimal, rules: Rules) -> bool:
    owner = appraisal.plan.owner
    ratings = [(rating.expected, rating.observed) for rating in appraisal.ratings.all()]
    competency, total, band = appraisal_totals(
        achievement=achievement,
        ratings=ratings,
        other=appraisal.other,
        staff_type=owner.staff_type,
        individual=owner.kind == Kind.INDIVIDUAL,
        rules=rules,
    )
    new = (achievement, competency, total, band)
    old = (appraisal.achievement, appraisal.competency, appraisal.total, appraisal.band)
    if new == old:
        return False
    appraisal.achievement, appraisal.competency, appraisal.total, appraisal.band = new
    return True


APPRAISAL_SCORE_FIELDS = ["achievement", "competency", "total", "band"]


def plan_rescore(plan: Plan, rules: Rules) -> PlanScores:
    """Recompute and store a plan's results and its appraisal (if any)."""
    scores = plan_scores(plan, rules)
    _store_results(scores.rows)
    appraisal = (
        Appraisal.objects.filter(plan=plan)
        .select_related("plan__owner")
        .prefetch_related("ratings")
        .first()
    )
    if appraisal is not None and _appraisal_fields(appraisal, scores.achievement, rules):
        appraisal.save(update_fields=APPRAISAL_SCORE_FIELDS)
    tallies_refresh([plan.pk])  # the scores were stored in bulk
    return scores


def round_rescore(the_round: Round, rules: Rules, *, trees: Iterable[int] | None = None) -> int:
    """Recompute and store every result and appraisal of a round, in bulk.

    Only the departments of `trees` (tree ids) when given; else every
    department the round is not closed for (a closed department's stored
    values are frozen). A fixed number of queries whatever the size of the
    round (plus one per batch of writes). Returns the number of appraisals
    whose scores changed.
    """
    if trees is not None:
        scope = Q(plan__owner__tree_id__in=list(trees))
    else:
        scope = ~Q(plan__owner__tree_id__in=the_round.closed_departments)
    kpis = KPI.objects.filter(scope, round=the_round).select_related("result")
    by_plan: dict[int, list[KPI]] = defaultdict(list)
    for kpi in kpis.order_by("plan_id", "order", "pk"):
        by_plan[kpi.plan_id].append(kpi)
    achievements = {}
    all_rows = []
    for plan_id, plan_kpis_ in by_plan.items():
        scores = score_rows(plan_kpis_, rules)
        achievements[plan_id] = scores.achievement
        all_rows.extend(scores.rows)
    _store_results(all_rows)
    appraisals = (
        Appraisal.objects.filter(scope, plan__round=the_round)
        .select_related("plan__owner")
        .prefetch_related("ratings")
    )
    changed = [
        appraisal
        for appraisal in appraisals
        if _appraisal_fields(
            appraisal, achievements.get(appraisal.plan_id, scoring.quantize2(0)), rules
        )
    ]
    Appraisal.objects.bulk_update(changed, APPRAISAL_SCORE_FIELDS, batch_size=BULK_BATCH)
    tallies_refresh(by_plan)  # the scores of these plans were stored in bulk
    return len(changed)
