"""Who is told of what (the domain rules of orgchart.hierarchy and indicators.access)."""

from django.contrib.auth import get_user_model

from indicators.access import holder_of
from indicators.models import Plan
from orgchart.hierarchy import supervisor_chain
from orgchart.models import Kind, Node


def _users(nodes) -> list:
    return [node.user for node in nodes if node is not None and node.user_id and node.is_active]


def hr_of(tree_id: int) -> list:
    """HR staff of a department (its tree), or the administrators when it has none.

    They record the decisions on plans with no supervisor in the tree.
    """
    hr = Node.objects.filter(
        tree_id=tree_id, kind=Kind.INDIVIDUAL, is_hr=True, is_active=True, user__isnull=False
    ).select_related("user")
    users = [node.user for node in hr]
    if users:
        return users
    return list(get_user_model().objects.filter(is_superuser=True, is_active=True))


def deciders_of(plan: Plan) -> list:
    """Who approves `plan` (and assesses its appraisal): the owner's supervisor, else HR."""
    chain = supervisor_chain(plan.owner)
    if chain:
        return _users(chain[:1])
    return hr_of(plan.owner.tree_id)


def holders_of(plan: Plan) -> list:
    """Who holds `plan`: the person, or the head of the unit."""
    return _users([holder_of(plan.owner)])


def reviewers_of(plan: Plan) -> list:
    """The next-level supervisor of the plan's owner (none when the chain is short)."""
    chain = supervisor_chain(plan.owner)
    return _users(chain[1:2])
