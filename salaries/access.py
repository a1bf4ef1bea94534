"""Who sees salaries: HR of the department and administrators, nobody else (404).

Heads and officers, HR of another department and anonymous visitors learn
nothing, not even that a list exists: every helper answers Http404. Every
view of salary data is logged (salary_view_log).
"""

from django.http import Http404

from indicators.models import Round
from orgchart.access import roles_of
from orgchart.models import Kind, Node
from salaries.models import RaiseList, SalaryRecord, SalaryViewLog

# A log row names the people shown when a page shows up to this many.
LOG_PEOPLE_MAX = 200


def salary_departments(user):
    """The departments whose salaries `user` may see: all (admin), their own (HR), else none."""
    roles = roles_of(user)
    departments = Node.objects.filter(kind=Kind.DEPARTMENT)
    if roles.is_admin:
        return departments
    if roles.is_hr and roles.node is not None:
        return departments.filter(tree_id=roles.node.tree_id)
    return departments.none()


def require_salary_access(user) -> None:
    """404 unless the user sees some department's salaries."""
    roles = roles_of(user)
    if not (roles.is_admin or roles.is_hr):
        raise Http404


def get_department_for(user, pk) -> Node:
    found = salary_departments(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_round_or_404(pk) -> Round:
    found = Round.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_raise_list_for(user, pk) -> RaiseList:
    found = (
        RaiseList.objects.filter(pk=pk, department__in=salary_departments(user))
        .select_related("round", "department")
        .first()
    )
    if found is None:
        raise Http404
    return found


def get_record_for(user, pk) -> SalaryRecord:
    found = (
        SalaryRecord.objects.filter(pk=pk, raise_list__department__in=salary_departments(user))
        .select_related("raise_list__round", "raise_list__department", "salary_range", "person")
        .first()
    )
    if found is None:
        raise Http404
    return found


def salary_view_log(
    *, user, kind: str, raise_list: RaiseList, scope: str, people=(), count: int | None = None
) -> None:
    """One row for this view: who, when, which list, the scope and whose salaries.

    `people` are the codes shown (kept up to LOG_PEOPLE_MAX); a view of the
    whole list passes its `count` and a scope such as "all" instead.
    """
    people = list(people)
    codes = people if len(people) <= LOG_PEOPLE_MAX else []
    SalaryViewLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        kind=kind,
        raise_list=raise_list,
        scope=scope[:255],
        count=len(people) if count is None else count,
        people=codes,
    )
