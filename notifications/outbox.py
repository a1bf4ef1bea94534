"""Sending the outbox: pending e-mails go out in batches, failures wait and retry.

Run by the background worker after each notification (notifications.tasks),
and by `manage.py flush_outbox` / `send_reminders` from cron, which also
picks up whatever a stopped worker or a mail server outage left behind.
A batch is claimed first (its next attempt moved a lease ahead, skipping
rows another sender holds), so two senders never send the same e-mail and
an e-mail claimed by a process that died is tried again after the lease.
A failure keeps the e-mail pending with the error and the time of its next
attempt (backoff); after the last attempt it is marked failed, which the
administrators see (the Django admin and the count on the notifications
page). Nothing is dropped.
"""

import contextlib
import functools
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications import kinds
from notifications.models import Delivery

logger = logging.getLogger(__name__)

# Minutes to wait after the 1st, 2nd, ... failed attempt; after the last one
# the e-mail is marked failed.
BACKOFF_MINUTES = (1, 5, 15, 60, 240, 720)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
LEASE = timedelta(minutes=10)
BATCH = 200
now = timezone.now  # tests move the clock


@dataclass
class FlushReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path else ""


@functools.cache
def _preferences_url() -> str:
    return absolute(reverse("notifications:preferences"))


def message_of(delivery: Delivery) -> EmailMessage:
    """The e-mail of a delivery, written in the recipient's language."""
    notification = delivery.notification
    kind = kinds.get(notification.kind)
    with translation.override(delivery.language):
        label = str(kind.label) if kind else notification.kind
        lines = [kinds.text_of(notification)]
        if link := kinds.link_of(notification):
            lines += ["", _("เปิดดู: %(url)s") % {"url": absolute(link)}]
        lines += [
            "",
            "--",
            _("อีเมลนี้ส่งจาก KPI Portal โดยอัตโนมัติ เลือกประเภทการแจ้งเตือนที่ต้องการรับทางอีเมลได้ที่ %(url)s")
            % {"url": _preferences_url()},
        ]
        subject = f"[KPI Portal] {label}"
    return EmailMessage(
        subject=subject,
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
    )


def _claim(limit: int, due_by) -> list[int]:
    with transaction.atomic():
        pks = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=due_by)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if pks:
            Delivery.objects.filter(pk__in=pks).update(next_attempt_at=now() + LEASE)
    return pks


def _failed(delivery: Delivery, error: Exception, report: FlushReport) -> None:
    attempts = delivery.attempts + 1
    text = f"{type(error).__name__}: {error}"[:2000]
    at = now()
    if attempts >= MAX_ATTEMPTS:
        status, next_at = Delivery.Status.FAILED, at
        report.failed += 1
        logger.error("E-mail %s to %s failed for good: %s", delivery.pk, delivery.address, text)
    else:
        status, next_at = Delivery.Status.PENDING, at + backoff(attempts)
        report.retrying += 1
        logger.warning(
            "E-mail %s to %s failed, retry at %s: %s", delivery.pk, delivery.address, next_at, text
        )
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, attempts=attempts, last_error=text, next_attempt_at=next_at
    )


def _send_batch(pks: list[int], report: FlushReport) -> None:
    deliveries = list(
        Delivery.objects.filter(pk__in=pks).select_related("notification").order_by("pk")
    )
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:  # the mail server is down: every e-mail waits
        for delivery in deliveries:
            _failed(delivery, error, report)
        return
    sent = []
    try:
        for delivery in deliveries:
            try:
                connection.send_messages([message_of(delivery)])
            except Exception as error:  # one refused address must not stop the batch
                _failed(delivery, error, report)
            else:
                sent.append(delivery.pk)
    finally:
        with contextlib.suppress(Exception):  # the messages were already accepted
            connection.close()
        Delivery.objects.filter(pk__in=sent).update(
            status=Delivery.Status.SENT,
            sent_at=now(),
            attempts=F("attempts") + 1,
            last_error="",
        )
        report.sent += len(sent)


def outbox_flush(*, limit: int | None = None) -> FlushReport:
    """Send every e-mail that is due (at most `limit`); returns the counts."""
    report = FlushReport()
    due_by = now()
    left = limit
    while left is None or left > 0:
        pks = _claim(BATCH if left is None else min(BATCH, left), due_by)
        if not pks:
            break
        _send_batch(pks, report)
        if left is not None:
            left -= len(pks)
    return report


def outbox_counts() -> dict[str, int]:
    """Pending (of which retrying) and failed e-mails, for administrators (two queries)."""
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING)
    return {
        "pending": pending.count(),
        "retrying": pending.filter(attempts__gt=0).count(),
        "failed": Delivery.objects.filter(status=Delivery.Status.FAILED).count(),
    }


def next_attempt_due():
    """When the first pending e-mail is due, or None."""
    first = (
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return first
