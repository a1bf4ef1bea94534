"""Signals the plan workflow sends once its write has committed.

Apps above `indicators` (notifications) listen to them; `indicators` never
imports its listeners. Each is sent with `plan` (the Plan), `by` (the acting
user) and `comment` (the return comment or the reason to reopen, or "").
"""

from django.db import transaction
from django.dispatch import Signal

plan_submitted = Signal()
plan_returned = Signal()
plan_approved = Signal()
plan_reopened = Signal()

# Sent inside the transaction, with `plan_ids`, after KPIs were inserted or
# changed in bulk (bulk_create / bulk_update / plain INSERT send no model
# signals). Apps keeping figures per plan (appraisals.tallies) recount them.
kpis_written = Signal()


def kpis_written_in(plan_ids) -> None:
    """Tell the listeners that the KPIs of `plan_ids` were written in bulk."""
    kpis_written.send(sender=None, plan_ids=set(plan_ids))


# The history action of each decision (indicators.services) -> its signal.
BY_ACTION = {
    "plan_submit": plan_submitted,
    "plan_return": plan_returned,
    "plan_approve": plan_approved,
    "plan_reopen": plan_reopened,
}


def send_on_commit(action: str, *, plan, by, comment: str = "") -> None:
    """Send the signal of `action` after the current transaction commits.

    Nothing is sent when the write rolls back (a savepoint of a bulk approval
    included: Django drops the callbacks registered inside it).
    """
    signal = BY_ACTION.get(action)
    if signal is not None:
        # robust: a failing listener is logged; the committed decision stands.
        transaction.on_commit(
            lambda: signal.send(sender=plan.__class__, plan=plan, by=by, comment=comment),
            robust=True,
        )
