"""Helpers for the notification tests: who got what, and their e-mails."""

from django.core import mail

from notifications.models import Delivery, Notification


def kinds_for(node_or_user) -> list[str]:
    user = getattr(node_or_user, "user", node_or_user)
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def recipients_of(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def mails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def with_addresses(agency) -> None:
    """Give every person of the standard agency an address: <username>@example.go.th."""
    for node in vars(agency).values():
        if getattr(node, "user_id", None):
            node.email = f"{node.user.username}@example.go.th"
            node.save(update_fields=["email"])


def make_notification(user, kind="plan_approved", **fields) -> Notification:
    fields.setdefault("params", {"owner": "นายสมชาย ตั้งใจ", "round": "2569/1", "by": "นางหัวหน้า"})
    return Notification.objects.create(recipient=user, kind=kind, **fields)


__all__ = ["Delivery", "kinds_for", "mails_to", "make_notification", "recipients_of"]
