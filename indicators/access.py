"""Who may see, edit and decide on plans; built on orgchart.access."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from indicators.models import KPI, KRA, Plan
from orgchart.access import roles_of, visible_q
from orgchart.hierarchy import head_of, supervisor_of
from orgchart.models import Kind, Node

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
    """The owner's supervisor approves or returns the plan (and assesses its appraisal).

    A plan with no supervisor in the tree (the department head's, the
    department's own, or one whose chain has no head up to the top) is
    agreed outside the agency's tree, with the minister or the permanent
    secretary: HR of the department, or an administrator, records that
    decision. Nobody decides on a plan they hold.
    """
    roles = roles_of(user)
    me = roles.node
    if me is not None and me.pk in (plan.owner_id, getattr(holder_of(plan.owner), "pk", None)):
        return False
    supervisor = supervisor_of(plan.owner)
    if supervisor is None:
        return roles.is_admin or (roles.is_hr and me.tree_id == plan.owner.tree_id)
    return me is not None and supervisor.pk == me.pk


def plans_awaiting_hr(user) -> list[Plan]:
    """Submitted plans in `user`'s view that HR decides (no supervisor in the tree).

    The department's own plan, its head's, and, when the department has no
    head, the plans of the people placed directly under it. Two queries.
    """
    plans = (
        visible_plans(user)
        .filter(status=Plan.Status.SUBMITTED)
        .filter(Q(owner__level=0) | Q(owner__level=1, owner__kind=Kind.INDIVIDUAL))
        .select_related("owner", "round")
        .order_by("round__fiscal_year", "round__number", "owner__lft")
    )
    headed = set(
        Node.objects.filter(
            level=1, kind=Kind.INDIVIDUAL, is_head=True, is_active=True
        ).values_list("parent_id", flat=True)
    )
    return [
        plan
        for plan in plans
        if plan.owner.level == 0 or plan.owner.is_head or plan.owner.parent_id not in headed
    ]


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
