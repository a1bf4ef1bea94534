"""Closing a round: the last rescore, then everything is locked and frozen.

After `round_close` the round's status is closed, every service of this app
refuses changes (appraisals.guards.lock_open_round) and plan edits are
refused too (indicators.plans.require_editable). Each appraisal keeps its
placement (unit, unit path, position, assessor) and its scores as they were,
so reports of a closed round never change when the tree does.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisals.models import Appraisal
from appraisals.placement import TreeIndex
from appraisals.policy import rules_for
from appraisals.scores import round_rescore
from indicators.models import HistoryEntry, Plan, Round
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


def round_close_counts(the_round: Round) -> CloseSummary:
    """Counts for the confirm page: plans, plans not approved, appraisals not finished."""
    plans = Plan.objects.filter(round=the_round).aggregate(
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


def round_close(*, round: Round, by) -> CloseSummary:
    """Close `round`: rescore it once more, then lock and freeze it for good.

    Creates the missing appraisal of every individual's plan, keeps on each
    appraisal its placement (unit code, unit path, position, position level,
    staff type, assessor) and its scores, and records the close in every
    plan's history. Refused when the round is already closed.
    """
    with transaction.atomic():
        the_round = Round.objects.select_for_update().get(pk=round.pk)
        if the_round.is_closed:
            raise ValidationError(
                _("รอบการประเมิน %(code)s ปิดไปแล้ว") % {"code": the_round.code}, code="closed"
            )
        counts = round_close_counts(the_round)
        missing = Plan.objects.filter(
            round=the_round, owner__kind=Kind.INDIVIDUAL, appraisal__isnull=True
        )
        Appraisal.objects.bulk_create(Appraisal(plan=plan) for plan in missing)
        round_rescore(the_round, rules_for(the_round))
        _freeze_placements(the_round)

        now = timezone.now()
        the_round.status = Round.Status.CLOSED
        the_round.closed_at = now
        the_round.closed_by = by if getattr(by, "is_authenticated", False) else None
        the_round.save(update_fields=["status", "closed_at", "closed_by"])
        HistoryEntry.objects.bulk_create(
            HistoryEntry(
                plan_id=plan_id,
                at=now,
                by=the_round.closed_by,
                action="round_close",
                object_type="round",
                object_id=the_round.pk,
                object_label=the_round.code,
            )
            for plan_id in Plan.objects.filter(round=the_round).values_list("pk", flat=True)
        )
    return counts


def _freeze_placements(the_round: Round) -> None:
    """Copy each appraisal's placement from today's tree onto the appraisal."""
    appraisals = list(Appraisal.objects.filter(plan__round=the_round).select_related("plan__owner"))
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
