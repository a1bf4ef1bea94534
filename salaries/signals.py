"""Closing a round closes its raise lists: the bands are final, so is the list.

appraisals.closing knows nothing of salaries (imports run one way), so the
list follows the round through Round's post_save (closed for everyone) and
RoundClosure's (closed, or reopened, for one department: that department's
list alone).
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from indicators.models import Round, RoundClosure
from salaries.services import (
    department_raise_list_close,
    department_raise_list_reopen,
    round_raise_lists_close,
)


@receiver(post_save, sender=Round, dispatch_uid="salaries_round_closed")
def round_closed(sender, instance: Round, **kwargs) -> None:
    if instance.status == Round.Status.CLOSED:
        round_raise_lists_close(round=instance, by=instance.closed_by)


@receiver(post_save, sender=RoundClosure, dispatch_uid="salaries_department_closed")
def department_closed(sender, instance: RoundClosure, created: bool, **kwargs) -> None:
    if created and instance.is_active:
        department_raise_list_close(
            round=instance.round, department=instance.department, by=instance.closed_by
        )
    elif not instance.is_active:
        department_raise_list_reopen(
            round=instance.round, department=instance.department, by=instance.reopened_by
        )
