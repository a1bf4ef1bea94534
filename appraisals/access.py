"""Who does what in an appraisal; built on indicators.access and orgchart.access.

- the assessee is the plan's holder (indicators.access.can_edit): the person,
  or the head for a unit's plan; they record results and sign;
- the assessor is the owner's supervisor (indicators.access.can_decide);
- the next-level supervisor is the assessor's own supervisor
  (orgchart.hierarchy.supervisor_chain(owner)[1]);
- HR staff and administrators edit rounds' policies and close rounds.
Objects outside the user's view answer 404 (get_plan_for), visible but not
theirs 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from appraisals.models import Evidence
from indicators.access import can_decide, can_edit, get_plan_for, visible_plans
from indicators.models import Plan
from orgchart.access import is_hr_or_admin, roles_of
from orgchart.hierarchy import supervisor_chain


def is_assessee(user, plan: Plan) -> bool:
    return can_edit(user, plan)


def can_assess(user, plan: Plan) -> bool:
    return can_decide(user, plan)


def next_level_of(plan: Plan):
    """The next-level supervisor of the plan's owner, or None."""
    chain = supervisor_chain(plan.owner)
    return chain[1] if len(chain) > 1 else None


def can_review(user, plan: Plan) -> bool:
    me = roles_of(user).node
    if me is None or plan.owner_id == me.pk:
        return False
    reviewer = next_level_of(plan)
    return reviewer is not None and reviewer.pk == me.pk


def sees_scores(user, plan: Plan, rules) -> bool:
    """Assessees see totals only once HR publishes them; everyone else who sees the plan does."""
    return rules.published or not is_assessee(user, plan)


def get_appraisal_plan(user, pk, *, as_: str | None = None) -> Plan:
    """The plan, 404 outside the view, 403 unless the user plays role `as_`.

    `as_`: "assessee", "assessor" or "reviewer".
    """
    plan = get_plan_for(user, pk)
    checks = {"assessee": is_assessee, "assessor": can_assess, "reviewer": can_review}
    if as_ is not None and not checks[as_](user, plan):
        raise PermissionDenied
    return plan


def get_evidence_for(user, pk) -> Evidence:
    """Evidence of a plan the user may see, else 404 (never 403: no hint it exists)."""
    evidence = (
        Evidence.objects.filter(pk=pk, result__kpi__plan__in=visible_plans(user))
        .select_related("result__kpi__plan__round", "result__kpi__plan__owner")
        .first()
    )
    if evidence is None:
        raise Http404
    return evidence


def require_hr_or_admin(user) -> None:
    if not is_hr_or_admin(user):
        raise PermissionDenied
