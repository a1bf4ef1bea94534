"""Closing a round, for one department or for all, and reopening it for one.

After `round_close` the round is closed for the department (its tree id is in
`Round.closed_departments`, with a RoundClosure row saying who and when) or,
without a department, for everyone (status closed). Every service of this
app then refuses changes to that department's plans (appraisals.guards.
lock_open_round), and plan edits are refused too (indicators.plans.
require_editable). Each appraisal keeps its placement (unit, unit path,
position, assessor) and its scores as they were, so reports of a closed round
never change when the tree does. Closing one department writes nothing on
another's plans, appraisals or history.

`round_reopen` (administrators) undoes a department's close: its plans follow
the round's status again, its placements are released (reports place people by
the live tree until the next close freezes them anew) and its scores follow
the round's policy as it is now.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisals.models import Appraisal
from appraisals.placement import TreeIndex
from appraisals.policy import rules_for
from appraisals.scores import round_rescore
from indicators.models import HistoryEntry, Plan, Round, RoundClosure
from orgchart.models import Kind, Node

FINISHED = (Appraisal.Status.ACKNOWLEDGED, Appraisal.Status.REVIEWED)
PLACEMENT_FIELDS = [
    "owner_code",
    "owner_name",
    "unit_code",
    "unit_name",
    "unit_path",
    "position",
    "position_level",
    "staff_type",
    "assessor_name",
    "assessor_position",
]


@dataclass(frozen=True)
class CloseSummary:
    """What closing a round finds (the confirm page) or did (the command)."""

    plans: int
    individual_plans: int
    not_approved: int
    appraisals_created: int
    unfinished: int


def closing_plans(the_round: Round, department: Node | None = None) -> QuerySet[Plan]:
    """The plans a close acts on: the department's, or those of every department still open."""
    plans = Plan.objects.filter(round=the_round)
    if department is not None:
        return plans.filter(owner__tree_id=department.tree_id)
    if the_round.closed_departments:
        return plans.exclude(owner__tree_id__in=the_round.closed_departments)
    return plans


def round_close_counts(the_round: Round, department: Node | None = None) -> CloseSummary:
    """Counts for the confirm page: plans, plans not approved, appraisals not finished."""
    plans = closing_plans(the_round, department).aggregate(
        total=Count("pk"),
        individual=Count("pk", filter=Q(owner__kind=Kind.INDIVIDUAL)),
        not_approved=Count("pk", filter=~Q(status=Plan.Status.APPROVED)),
        without=Count("pk", filter=Q(owner__kind=Kind.INDIVIDUAL, appraisal__isnull=True)),
        unfinished=Count(
            "pk",
            filter=Q(owner__kind=Kind.INDIVIDUAL)
            & (Q(appraisal__isnull=True) | ~Q(appraisal__status__in=FINISHED)),
        ),
    )
    return CloseSummary(
        plans=plans["total"],
        individual_plans=plans["individual"],
        not_approved=plans["not_approved"],
        appraisals_created=plans["without"],
        unfinished=plans["unfinished"],
    )


def require_department(node: Node) -> Node:
    """`node` when it is a department (the root of a tree); ValidationError otherwise."""
    if node.parent_id is not None or node.kind != Kind.DEPARTMENT:
        raise ValidationError(
            _("%(code)s ไม่ใช่ส่วนราชการ (ต้องเป็นหน่วยงานบนสุดของโครงสร้าง)") % {"code": node.code},
            code="not_department",
        )
    return node


def department_named(code: str) -> Node:
    """The department of code `code` (commands); ValidationError when none or not one."""
    node = Node.objects.filter(code=(code or "").strip()).first()
    if node is None:
        raise ValidationError(_("ไม่พบส่วนราชการรหัส %(code)s") % {"code": code}, code="missing")
    return require_department(node)


def _lock_open(round: Round) -> Round:
    the_round = Round.objects.select_for_update().get(pk=round.pk)
    if the_round.is_closed:
        raise ValidationError(
            _("รอบการประเมิน %(code)s ปิดไปแล้ว") % {"code": the_round.code}, code="closed"
        )
    return the_round


def round_close(*, round: Round, by, department: Node | None = None) -> CloseSummary:
    """Close `round` for `department`, or (None) for every department still open.

    Rescores the department's plans (or every open one) once more, creates the
    missing appraisal of every individual's plan, keeps on each appraisal its
    placement (unit code, unit path, position, position level, staff type,
    assessor) and its scores, and records the close in each of those plans'
    history. Plans of other departments are not touched. Refused when the
    round is already closed (for everyone, or for the department).
    """
    with transaction.atomic():
        the_round = _lock_open(round)
        if department is not None:
            require_department(department)
            if department.tree_id in the_round.closed_departments:
                raise ValidationError(
                    _("รอบการประเมิน %(code)s ปิดไปแล้วสำหรับ%(department)s")
                    % {"code": the_round.code, "department": department.name},
                    code="closed",
                )
        counts = round_close_counts(the_round, department)
        plans = closing_plans(the_round, department)
        missing = plans.filter(owner__kind=Kind.INDIVIDUAL, appraisal__isnull=True)
        Appraisal.objects.bulk_create(Appraisal(plan=plan) for plan in missing)
        trees = None if department is None else [department.tree_id]
        round_rescore(the_round, rules_for(the_round), trees=trees)
        _freeze_placements(plans)

        now = timezone.now()
        closer = by if getattr(by, "is_authenticated", False) else None
        plan_ids = list(plans.values_list("pk", flat=True))
        if department is None:
            the_round.status = Round.Status.CLOSED
            the_round.closed_at = now
            the_round.closed_by = closer
            the_round.save(update_fields=["status", "closed_at", "closed_by"])
        else:
            the_round.closed_departments = sorted(
                {*the_round.closed_departments, department.tree_id}
            )
            the_round.save(update_fields=["closed_departments"])
            RoundClosure.objects.create(
                round=the_round, department=department, closed_at=now, closed_by=closer
            )
        _record(the_round, plan_ids, "round_close", now, closer, department)
    return counts


def round_reopen(*, round: Round, department: Node, reason: str, by) -> int:
    """Reopen `round` for `department` alone (administrators), saying why.

    The department's plans follow the round's status again, its appraisals'
    placements are released and rescored under the round's current policy,
    and every one of its plans records the reopening and the reason in its
    history. Refused when the round is closed for every department, or not
    closed for this one. Returns the number of the department's plans.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("กรุณาระบุเหตุผลที่เปิดรอบการประเมินใหม่"), code="reason")
    require_department(department)
    with transaction.atomic():
        the_round = Round.objects.select_for_update().get(pk=round.pk)
        if the_round.is_closed:
            raise ValidationError(
                _("รอบการประเมิน %(code)s ปิดพร้อมกันทุกส่วนราชการแล้ว จึงเปิดใหม่ให้ส่วนราชการเดียวไม่ได้")
                % {"code": the_round.code},
                code="closed_for_all",
            )
        closure = (
            RoundClosure.objects.select_for_update()
            .filter(round=the_round, department=department, reopened_at__isnull=True)
            .first()
        )
        if closure is None or department.tree_id not in the_round.closed_departments:
            raise ValidationError(
                _("รอบการประเมิน %(code)s ยังไม่ได้ปิดสำหรับ%(department)s")
                % {"code": the_round.code, "department": department.name},
                code="not_closed",
            )
        now = timezone.now()
        opener = by if getattr(by, "is_authenticated", False) else None
        closure.reopened_at, closure.reopened_by, closure.reopen_reason = now, opener, reason
        closure.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
        the_round.closed_departments = [
            tree_id for tree_id in the_round.closed_departments if tree_id != department.tree_id
        ]
        the_round.save(update_fields=["closed_departments"])
        plans = closing_plans(the_round, department)
        Appraisal.objects.filter(plan__in=plans).update(frozen_at=None)
        round_rescore(the_round, rules_for(the_round), trees=[department.tree_id])
        plan_ids = list(plans.values_list("pk", flat=True))
        _record(the_round, plan_ids, "round_reopen", now, opener, department, comment=reason)
    return len(plan_ids)


def _record(the_round, plan_ids, action, at, by, department, comment="") -> None:
    """One history entry per plan: the round closed or reopened (for which department)."""
    label = the_round.code if department is None else f"{the_round.code} {department.name}"
    HistoryEntry.objects.bulk_create(
        (
            HistoryEntry(
                plan_id=plan_id,
                at=at,
                by=by,
                action=action,
                object_type="round",
                object_id=the_round.pk,
                object_label=label[:255],
                comment=comment,
            )
            for plan_id in plan_ids
        ),
        batch_size=1000,
    )


def _freeze_placements(plans: QuerySet[Plan]) -> None:
    """Copy each appraisal's placement (of `plans`) from today's tree onto the appraisal."""
    appraisals = list(Appraisal.objects.filter(plan__in=plans).select_related("plan__owner"))
    index = TreeIndex.for_trees({appraisal.plan.owner.tree_id for appraisal in appraisals})
    # The assessor is who scored; without an assessment, the owner's supervisor.
    assessors = {
        node.user_id: node
        for node in Node.objects.filter(
            user_id__in={a.assessed_by_id for a in appraisals if a.assessed_by_id}
        )
    }
    now = timezone.now()
    for appraisal in appraisals:
        owner = index.nodes.get(appraisal.plan.owner_id, appraisal.plan.owner)
        placement = index.placement(owner, assessors.get(appraisal.assessed_by_id))
        for field in PLACEMENT_FIELDS:
            setattr(appraisal, field, getattr(placement, field))
        appraisal.frozen_at = now
    Appraisal.objects.bulk_update(appraisals, [*PLACEMENT_FIELDS, "frozen_at"], batch_size=500)
