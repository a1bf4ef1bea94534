"""Signals the assessment workflow sends once its write has committed.

Apps above `appraisals` (notifications) listen to them. Each is sent with
`plan` (the appraisal's Plan) and `by` (the acting user):

- appraisal_assessment_due: the assessee has assessed themselves; the
  assessor (the owner's supervisor, or HR when there is none) has to assess;
- appraisal_acknowledgement_due: the assessor has scored; the assessee has
  to acknowledge;
- appraisal_review_due: the assessee has acknowledged (or the refusal was
  recorded); the next-level supervisor gives an opinion.
"""

from django.db import transaction
from django.dispatch import Signal

appraisal_assessment_due = Signal()
appraisal_acknowledgement_due = Signal()
appraisal_review_due = Signal()


def send_on_commit(signal: Signal, *, plan, by) -> None:
    """Send `signal` after the current transaction commits (never for a rollback)."""
    # robust: a failing listener is logged; the committed sign-off stands.
    transaction.on_commit(lambda: signal.send(sender=plan.__class__, plan=plan, by=by), robust=True)
