"""Who may see, edit and decide on plans; built on orgchart.access."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from indicators.models import KPI, KRA, Plan
from orgchart.access import roles_of, visible_q
from orgchart.hierarchy import head_of, supervisor_of
from orgchart.models import Node

# What a plan page shows about the plan itself, fetched with it in one query.
PLAN_RELATED = (
    "round",
    "owner",
    "owner__parent",
    "submitted_by__node",
    "approved_by__node",
)


def visible_plans(user) -> QuerySet[Plan]:
    """Plans whose owner is within `user`'s view."""
    return Plan.objects.filter(visible_q(user, "owner__"))


def holder_of(owner: Node) -> Node | None:
    """Who fills in `owner`'s plan: the person, or the head of the unit."""
    return owner if not owner.is_unit else head_of(owner)


def can_edit(user, plan: Plan) -> bool:
    """The holder edits the plan's content (the rules of the status apply on top)."""
    me = roles_of(user).node
    if me is None:
        return False
    if plan.owner_id == me.pk:
        return True
    return plan.owner.is_unit and me.is_head and me.parent_id == plan.owner_id


def can_decide(user, plan: Plan) -> bool:
    """The owner's supervisor approves or returns the plan."""
    me = roles_of(user).node
    if me is None or plan.owner_id == me.pk:
        return False
    supervisor = supervisor_of(plan.owner)
    return supervisor is not None and supervisor.pk == me.pk


def can_reopen(user, plan: Plan) -> bool:
    """The supervisor, HR of the department, or an administrator reopens a plan."""
    roles = roles_of(user)
    if roles.is_admin:
        return True
    if roles.is_hr and roles.node.tree_id == plan.owner.tree_id:
        return True
    return can_decide(user, plan)


def get_plan_for(user, pk, *, edit: bool = False, decide: bool = False) -> Plan:
    """The plan, or 404 outside `user`'s view, or 403 when visible but not theirs.

    `edit`: the user must be the plan's holder; `decide`: its approver.
    """
    plan = visible_plans(user).select_related(*PLAN_RELATED).filter(pk=pk).first()
    if plan is None:
        raise Http404
    _check(user, plan, edit=edit, decide=decide)
    return plan


def get_kra_for(user, pk, *, edit: bool = False) -> KRA:
    """A KRA through its plan: 404 outside `user`'s view, 403 unless `edit` is allowed."""
    kra = (
        KRA.objects.filter(visible_q(user, "plan__owner__"), pk=pk)
        .select_related(*(f"plan__{name}" for name in PLAN_RELATED))
        .first()
    )
    if kra is None:
        raise Http404
    _check(user, kra.plan, edit=edit)
    return kra


def get_kpi_for(user, pk, *, edit: bool = False) -> KPI:
    """A KPI through its plan: 404 outside `user`'s view, 403 unless `edit` is allowed."""
    kpi = (
        KPI.objects.filter(visible_q(user, "plan__owner__"), pk=pk)
        .select_related("kra", "parent", *(f"plan__{name}" for name in PLAN_RELATED))
        .first()
    )
    if kpi is None:
        raise Http404
    _check(user, kpi.plan, edit=edit)
    kpi.kra.plan = kpi.plan
    return kpi


def _check(user, plan: Plan, *, edit: bool = False, decide: bool = False) -> None:
    if edit and not can_edit(user, plan):
        raise PermissionDenied
    if decide and not can_decide(user, plan):
        raise PermissionDenied
