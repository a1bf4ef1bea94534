"""Closing a round closes its raise lists: the bands are final, so is the list.

appraisals.closing knows nothing of salaries (imports run one way), so the
list follows the round through Round's post_save.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from indicators.models import Round
from salaries.services import round_raise_lists_close


@receiver(post_save, sender=Round, dispatch_uid="salaries_round_closed")
def round_closed(sender, instance: Round, **kwargs) -> None:
    if instance.status == Round.Status.CLOSED:
        round_raise_lists_close(round=instance, by=instance.closed_by)
