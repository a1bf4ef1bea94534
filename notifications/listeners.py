"""The workflow signals (indicators.signals, appraisals.signals) -> notifications."""

from django.dispatch import receiver

from appraisals import signals as appraisal_signals
from appraisals.policy import policy_for
from indicators import signals as plan_signals
from notifications import kinds, recipients
from notifications.services import notify


def _name(user) -> str:
    node = getattr(user, "node", None) if user is not None else None
    if node is not None:
        return node.name
    return user.get_full_name() or user.get_username() if user is not None else ""


def _params(plan, by, comment: str = "") -> dict:
    params = {"owner": plan.owner.name, "round": plan.round.code, "by": _name(by)}
    if comment:
        params["comment"] = comment
    return params


@receiver(plan_signals.plan_submitted)
def on_plan_submitted(sender, *, plan, by, comment="", **extra):
    notify(
        kind=kinds.PLAN_SUBMITTED.key,
        recipients=recipients.deciders_of(plan),
        by=by,
        plan=plan,
        params=_params(plan, by),
    )


@receiver(plan_signals.plan_returned)
def on_plan_returned(sender, *, plan, by, comment="", **extra):
    notify(
        kind=kinds.PLAN_RETURNED.key,
        recipients=recipients.holders_of(plan),
        by=by,
        plan=plan,
        params=_params(plan, by, comment),
    )


@receiver(plan_signals.plan_approved)
def on_plan_approved(sender, *, plan, by, comment="", **extra):
    notify(
        kind=kinds.PLAN_APPROVED.key,
        recipients=recipients.holders_of(plan),
        by=by,
        plan=plan,
        params=_params(plan, by),
    )


@receiver(plan_signals.plan_reopened)
def on_plan_reopened(sender, *, plan, by, comment="", **extra):
    # The holder edits again; the supervisor (or HR) learns the plan left them.
    notify(
        kind=kinds.PLAN_REOPENED.key,
        recipients=[*recipients.holders_of(plan), *recipients.deciders_of(plan)],
        by=by,
        plan=plan,
        params=_params(plan, by, comment),
    )


@receiver(appraisal_signals.appraisal_assessment_due)
def on_assessment_due(sender, *, plan, by, **extra):
    notify(
        kind=kinds.ASSESSMENT_DUE.key,
        recipients=recipients.deciders_of(plan),
        by=by,
        plan=plan,
        params=_params(plan, by),
    )


@receiver(appraisal_signals.appraisal_acknowledgement_due)
def on_acknowledgement_due(sender, *, plan, by, **extra):
    # Acknowledging waits for HR to publish the round's scores.
    if not policy_for(plan.round).scores_published:
        return
    notify(
        kind=kinds.ACKNOWLEDGEMENT_DUE.key,
        recipients=recipients.holders_of(plan),
        by=by,
        plan=plan,
        params=_params(plan, by),
    )


@receiver(appraisal_signals.appraisal_review_due)
def on_review_due(sender, *, plan, by, **extra):
    notify(
        kind=kinds.REVIEW_DUE.key,
        recipients=recipients.reviewers_of(plan),
        by=by,
        plan=plan,
        params=_params(plan, by),
    )
