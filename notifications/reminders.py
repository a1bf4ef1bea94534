"""Deadline reminders (`manage.py send_reminders`): once per person and deadline.

A round's RoundReminder holds its planning and assessment deadlines and how
many days ahead to remind. From that day until the deadline, each run finds
the people who still have something to do and writes a reminder for those
who have none for that deadline yet; the unique constraint on (recipient,
kind, round, deadline) makes a second run (or two at once) write nothing.

Who is reminded:
- planning: everyone active in the tree with a login whose own plan of the
  round is not yet submitted or approved (or who has none), and the heads
  holding a unit plan still in draft or returned;
- assessment: the holders of the round's approved plans whose appraisal is
  not yet acknowledged, and the assessors (the owner's supervisor, or HR of
  the department when there is none) of those not yet assessed.
A fixed number of queries per round and deadline, whatever the agency's size.

Other apps add reminders of their own with `register_source()`: a function
of today returning Due rows (the missed check-ins, registered by
monitoring.notify when both apps are installed). This module never imports
them; the same unique key, dry run and e-mail rules apply.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from appraisals.models import Appraisal
from appraisals.placement import TreeIndex
from indicators.models import Plan, Round
from notifications import kinds
from notifications.models import Delivery, Notification, RoundReminder
from notifications.services import contacts_of, deliveries_for, outbox_kick
from orgchart.models import Kind, Node

BULK = 2000


@dataclass
class Due:
    """One deadline that is near, and whom it concerns."""

    round: Round
    kind: str
    deadline: datetime.date
    recipients: dict[int, dict]  # user id -> extra params
    new: int = 0
    emails: int = 0


SOURCES: list[Callable[[datetime.date], list[Due]]] = []


def register_source(source: Callable[[datetime.date], list[Due]]) -> None:
    """Add a function of today giving Due rows (recipients before the already-reminded)."""
    if source not in SOURCES:
        SOURCES.append(source)


def deadlines_near(today: datetime.date) -> list[tuple[Round, str, datetime.date]]:
    """(round, kind, deadline) of each deadline within its reminder window today."""
    near = []
    windows = RoundReminder.objects.select_related("round").exclude(
        round__status=Round.Status.CLOSED
    )
    for reminder in windows:
        the_round = reminder.round
        planning_window = today + datetime.timedelta(reminder.planning_days)
        if (
            the_round.status == Round.Status.PLANNING
            and reminder.planning_ends is not None
            and today <= reminder.planning_ends <= planning_window
        ):
            near.append((the_round, kinds.PLANNING_DEADLINE.key, reminder.planning_ends))
        deadline = reminder.assessment_deadline
        if the_round.status in (
            Round.Status.TRACKING,
            Round.Status.ASSESSMENT,
        ) and today <= deadline <= today + datetime.timedelta(reminder.assessment_days):
            near.append((the_round, kinds.ASSESSMENT_DEADLINE.key, deadline))
    return near


def _people(the_round: Round):
    """Active people with a login, outside the departments the round is closed for."""
    return Node.objects.filter(kind=Kind.INDIVIDUAL, is_active=True, user__isnull=False).exclude(
        tree_id__in=the_round.closed_departments
    )


def planning_recipients(the_round: Round) -> dict[int, dict]:
    """{user id: {}} of the people whose plan still waits to be sent (three queries)."""
    sent = set(
        Plan.objects.filter(
            round=the_round, status__in=(Plan.Status.SUBMITTED, Plan.Status.APPROVED)
        ).values_list("owner_id", flat=True)
    )
    open_units = set(
        Plan.objects.filter(round=the_round, status__in=(Plan.Status.DRAFT, Plan.Status.RETURNED))
        .exclude(owner__kind=Kind.INDIVIDUAL)
        .values_list("owner_id", flat=True)
    )
    recipients = {}
    for pk, user_id, is_head, parent_id in _people(the_round).values_list(
        "pk", "user_id", "is_head", "parent_id"
    ):
        if pk not in sent or (is_head and parent_id in open_units):
            recipients[user_id] = {}
    return recipients


def assessment_recipients(the_round: Round) -> dict[int, dict]:
    """{user id: {"assessor": bool}}: assessees not yet acknowledged, assessors not yet done.

    Loads the trees once (appraisals.placement.TreeIndex) for the supervisors.
    """
    done = (Appraisal.Status.ACKNOWLEDGED, Appraisal.Status.REVIEWED)
    assessed = (Appraisal.Status.ASSESSED, *done)
    status_of = dict(
        Appraisal.objects.filter(plan__round=the_round).values_list("plan_id", "status")
    )
    plans = list(
        Plan.objects.filter(round=the_round, status=Plan.Status.APPROVED)
        .exclude(owner__tree_id__in=the_round.closed_departments)
        .values_list("pk", "owner_id", "owner__tree_id")
    )
    index = TreeIndex.for_trees({tree_id for _pk, _owner, tree_id in plans})
    hr = {}
    for node in index.nodes.values():
        if node.is_hr and node.is_active and node.user_id:
            hr.setdefault(node.tree_id, []).append(node.user_id)
    recipients: dict[int, dict] = {}

    def add(user_id, assessor: bool):
        if user_id is None:
            return
        current = recipients.setdefault(user_id, {})
        if assessor:
            current["assessor"] = True

    for pk, owner_id, tree_id in plans:
        status = status_of.get(pk, Appraisal.Status.OPEN)
        if status in done:
            continue
        owner = index.nodes.get(owner_id)
        if owner is None:
            continue
        holder = owner if owner.kind == Kind.INDIVIDUAL else index.heads.get(owner.pk)
        if holder is not None and holder.is_active:
            add(holder.user_id, False)
        if status not in assessed:
            chain = index.supervisor_chain(owner)
            if chain:
                if chain[0].is_active:
                    add(chain[0].user_id, True)
            else:
                for user_id in hr.get(tree_id, ()):
                    add(user_id, True)
    return recipients


def reminders_plan(today: datetime.date) -> list[Due]:
    """What a run today would send: each near deadline, the people not yet reminded."""
    found = []
    for the_round, kind, deadline in deadlines_near(today):
        if kind == kinds.PLANNING_DEADLINE.key:
            recipients = planning_recipients(the_round)
        else:
            recipients = assessment_recipients(the_round)
        found.append(Due(the_round, kind, deadline, recipients))
    for source in SOURCES:
        found.extend(source(today))
    for due in found:
        reminded = set(
            Notification.objects.filter(
                kind=due.kind, round=due.round, deadline=due.deadline
            ).values_list("recipient_id", flat=True)
        )
        due.recipients = {pk: extra for pk, extra in due.recipients.items() if pk not in reminded}
    return found


def reminders_send(*, today: datetime.date | None = None, dry_run: bool = False) -> list[Due]:
    """Write the reminders due today and their e-mails (outbox); `dry_run` writes nothing.

    Returns, for each near deadline, how many reminders and e-mails were (or
    would be) written.
    """
    today = today or timezone.localdate()
    plan = reminders_plan(today)
    contacts = contacts_of() if any(due.recipients for due in plan) else {}
    for due in plan:
        due.new = len(due.recipients)
        due.emails = sum(
            1
            for pk in due.recipients
            if pk in contacts and contacts[pk].address and due.kind not in contacts[pk].email_off
        )
        if dry_run or not due.recipients:
            continue
        _write(due, contacts)
    return plan


def _write(due: Due, contacts) -> None:
    now = timezone.now()
    with transaction.atomic():
        Notification.objects.bulk_create(
            (
                Notification(
                    recipient_id=pk,
                    kind=due.kind,
                    round=due.round,
                    deadline=due.deadline,
                    params={
                        "round": due.round.code,
                        "deadline": due.deadline.isoformat(),
                        **extra,
                    },
                    created_at=now,
                )
                for pk, extra in due.recipients.items()
            ),
            batch_size=BULK,
            ignore_conflicts=True,
        )
        # Only the rows this run wrote (a concurrent run's have another time).
        written = list(
            Notification.objects.filter(
                kind=due.kind, round=due.round, deadline=due.deadline, created_at=now
            ).only("pk", "recipient_id", "kind")
        )
        due.new = len(written)
        deliveries = deliveries_for(written, contacts)
        due.emails = len(deliveries)
        Delivery.objects.bulk_create(deliveries, batch_size=BULK)
        if deliveries:
            outbox_kick()
