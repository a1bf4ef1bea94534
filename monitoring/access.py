"""Who may record, comment on and watch check-ins; built on indicators.access.

- the holder of an approved plan records its check-ins (indicators.access.can_edit:
  the person, or the head for a unit's plan), as for results;
- the owner's supervisor comments (indicators.access.can_decide);
- heads (their subtree), HR (their department) and administrators watch
  the monitoring page; HR edits a round's monitoring settings and imports.
Objects outside the user's view answer 404.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from indicators.access import can_decide, can_edit, get_kpi_for
from indicators.models import KPI, Plan
from monitoring.models import CheckIn
from orgchart.access import roles_of, visible_q


def can_checkin(user, plan: Plan) -> bool:
    return can_edit(user, plan)


def can_comment(user, plan: Plan) -> bool:
    return can_decide(user, plan)


def get_checkin_kpi(user, pk) -> KPI:
    """The KPI (404 outside the view)."""
    return get_kpi_for(user, pk)


def get_checkin_for(user, pk) -> CheckIn:
    """A check-in of a plan the user may see, else 404."""
    checkin = (
        CheckIn.objects.filter(visible_q(user, "kpi__plan__owner__"), pk=pk)
        .select_related("kpi__plan__round", "kpi__plan__owner")
        .first()
    )
    if checkin is None:
        raise Http404
    return checkin


def require_watcher(user):
    """Heads, HR and administrators watch the monitoring page; others get 403."""
    roles = roles_of(user)
    if not ({"head", "hr", "admin"} & roles.names):
        raise PermissionDenied
    return roles
