"""Writing notifications and their e-mails (the outbox), and marking them read.

`notify()` stores one notification per recipient and, for those who want
e-mail of that kind and have an address, a Delivery in the outbox; after
commit it asks the background worker to send the outbox
(notifications.outbox). Nothing here talks to the mail server.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from notifications.models import Delivery, Notification, NotificationPreference, RoundReminder
from orgchart.models import Node


@dataclass(frozen=True)
class Contact:
    address: str
    language: str
    email_off: frozenset


def contacts_of(user_ids: Iterable[int] | None = None) -> dict[int, Contact]:
    """{user id: address, language, kinds without e-mail} (three queries).

    The address is the person's in the tree, else the login's. `None`: every
    user (send_reminders, thousands at once, without long IN lists).
    """
    users = get_user_model().objects.filter(is_active=True)
    nodes = Node.objects.filter(user__isnull=False).exclude(email="")
    prefs = NotificationPreference.objects.all()
    if user_ids is not None:
        user_ids = list(user_ids)
        users = users.filter(pk__in=user_ids)
        nodes = nodes.filter(user_id__in=user_ids)
        prefs = prefs.filter(user_id__in=user_ids)
    from_tree = dict(nodes.values_list("user_id", "email"))
    chosen = {pref.user_id: pref for pref in prefs}
    contacts = {}
    for pk, email in users.values_list("pk", "email"):
        pref = chosen.get(pk)
        contacts[pk] = Contact(
            address=from_tree.get(pk) or email,
            language=pref.language if pref is not None else settings.LANGUAGE_CODE,
            email_off=frozenset(pref.email_off or ()) if pref is not None else frozenset(),
        )
    return contacts


def deliveries_for(notifications: list[Notification], contacts: dict[int, Contact]) -> list:
    """The e-mails of `notifications` (unsaved), in each recipient's language.

    None for someone without an address or who switched that kind off.
    """
    now = timezone.now()
    deliveries = []
    for notification in notifications:
        contact = contacts.get(notification.recipient_id)
        if contact is None or not contact.address or notification.kind in contact.email_off:
            continue
        deliveries.append(
            Delivery(
                notification=notification,
                address=contact.address,
                language=contact.language,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return deliveries


def outbox_kick() -> None:
    """Ask the worker to send the outbox once the current transaction commits."""
    from notifications.tasks import send_outbox

    transaction.on_commit(lambda: send_outbox.enqueue())


def notify(*, kind: str, recipients, by=None, plan=None, round=None, params: dict) -> list:
    """Tell each recipient (a User; the actor `by` is skipped) of an event of `kind`."""
    by_pk = getattr(by, "pk", None)
    users = {user.pk: user for user in recipients if user is not None and user.pk != by_pk}
    if not users:
        return []
    with transaction.atomic():
        now = timezone.now()
        notifications = Notification.objects.bulk_create(
            Notification(
                recipient=user,
                kind=kind,
                plan=plan,
                round=round or getattr(plan, "round", None),
                params=params,
                created_at=now,
            )
            for user in users.values()
        )
        deliveries = deliveries_for(notifications, contacts_of(users))
        if deliveries:
            Delivery.objects.bulk_create(deliveries)
            outbox_kick()
    return notifications


def notifications_mark_read(*, user, pks: Iterable[int] | None = None) -> int:
    """Mark `user`'s notifications read (all of them when `pks` is None); returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pks is not None:
        unread = unread.filter(pk__in=list(pks))
    return unread.update(read_at=timezone.now())


def preference_for(user) -> NotificationPreference:
    """The person's preference, or the defaults (unsaved) when they never chose."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )


def language_remember(*, user, language: str) -> None:
    """Keep the language the person chose, for the e-mails they get later."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        return
    NotificationPreference.objects.update_or_create(user=user, defaults={"language": language})


REMINDER_FIELDS = ("planning_ends", "planning_days", "assessment_ends", "assessment_days")


def round_reminder_save(*, round, values: dict, by) -> RoundReminder:
    """Store a round's deadlines and reminder days (HR; the form checked the values).

    A deadline moved to another date is a new deadline: the people are
    reminded of it again.
    """
    with transaction.atomic():
        reminder, _created = RoundReminder.objects.select_for_update().get_or_create(
            round=round, defaults={name: values[name] for name in REMINDER_FIELDS}
        )
        for name in REMINDER_FIELDS:
            setattr(reminder, name, values[name])
        reminder.save()
    return reminder
