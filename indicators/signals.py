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
