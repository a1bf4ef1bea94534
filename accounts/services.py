"""Activation and forced resets: the writes behind the HR page, the command and the public pages.

Every function here is the one place its rule is checked; the views, the
command (issue_activation) and the e-mail task call them. Each writes its
line to the security log ("kpi_portal.security").
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import codes
from accounts.models import ActivationCode
from accounts.sessions import sessions_end

logger = logging.getLogger("kpi_portal.security")
BATCH = 1000


def activation_days() -> int:
    return int(getattr(settings, "ACTIVATION_DAYS", 14))


def max_failures() -> int:
    return int(getattr(settings, "ACTIVATION_MAX_FAILURES", 5))


def email_of(user) -> str:
    """Where to write to a person: the address in the org tree, else the account's."""
    node = getattr(user, "node", None)
    return (node.email if node is not None and node.email else "") or user.email or ""


@dataclass(frozen=True)
class IssuedCode:
    """A code handed out on paper: who it is for and the code itself (never stored)."""

    user_id: int
    code: str
    expires_at: datetime


@dataclass
class IssueOutcome:
    sheet: list[IssuedCode] = field(default_factory=list)
    emailed: int = 0
    expires_at: datetime | None = None


def _revoke_open(user_ids: Sequence[int], now: datetime) -> None:
    for start in range(0, len(user_ids), BATCH):
        ActivationCode.objects.filter(
            user_id__in=user_ids[start : start + BATCH],
            used_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=now)


def activation_codes_create(
    *, user_ids: Sequence[int], by_id: int | None, delivery: str
) -> list[IssuedCode]:
    """New codes for `user_ids`, revoking their open ones; the plain codes are returned once."""
    now = timezone.now()
    expires = now + timedelta(days=activation_days())
    user_ids = list(dict.fromkeys(user_ids))
    issued = [IssuedCode(user_id=pk, code=codes.code_make(), expires_at=expires) for pk in user_ids]
    with transaction.atomic():
        _revoke_open(user_ids, now)
        ActivationCode.objects.bulk_create(
            [
                ActivationCode(
                    user_id=item.user_id,
                    code_hash=codes.code_hash(item.code, item.user_id),
                    delivery=delivery,
                    issued_by_id=by_id,
                    created_at=now,
                    expires_at=expires,
                )
                for item in issued
            ],
            batch_size=BATCH,
        )
    return issued


def activation_issue(
    *,
    users: Iterable,
    by,
    email: bool,
    base_url: str,
    language: str = "th",
    scope: str = "",
) -> IssueOutcome:
    """Issue activation for `users` (chosen and checked by accounts.selection).

    With `email`, people with an address get a one-time link by e-mail (the
    background task makes their codes, so no plain code is ever queued or
    stored); everyone else gets a code on the sheet HR hands out. Issuing
    revokes each person's earlier codes at once.
    """
    from accounts.tasks import send_activation_emails

    users = list(users)
    by_id = by.pk if by is not None else None
    mailed = [user.pk for user in users if email and email_of(user)]
    mailed_set = set(mailed)
    on_paper = [user.pk for user in users if user.pk not in mailed_set]
    outcome = IssueOutcome(expires_at=timezone.now() + timedelta(days=activation_days()))
    with transaction.atomic():
        # The e-mailed codes are made by the task: their old ones end now
        # (activation_codes_create revokes those of the people on paper).
        _revoke_open(mailed, timezone.now())
        if on_paper:
            outcome.sheet = activation_codes_create(
                user_ids=on_paper, by_id=by_id, delivery=ActivationCode.Delivery.SHEET
            )
        if mailed:
            # Inside the transaction: the database backend's task row commits
            # with the revocations (or not at all).
            send_activation_emails.enqueue(
                user_ids=mailed, by_id=by_id, base_url=base_url, language=language
            )
            outcome.emailed = len(mailed)
    logger.info(
        "Activation issued: by=%s scope=%s sheet=%s email=%s",
        by.get_username() if by is not None else "command",
        scope or "-",
        len(outcome.sheet),
        outcome.emailed,
    )
    return outcome


def user_for_login(login: str):
    """The account a person names on the activation page: username, or their code in the tree."""
    login = (login or "").strip()
    if not login:
        return None
    model = get_user_model()
    users = model.objects.filter(is_active=True).select_related("node")
    for lookup in (
        Q(username=login),
        Q(node__code=login),
        Q(username__iexact=login),
        Q(node__code__iexact=login),
    ):
        found = list(users.filter(lookup)[:2])
        if len(found) == 1:
            return found[0]
    return None


def activation_check(*, login: str, code: str, ip: str = "-") -> ActivationCode | None:
    """The live activation code `code` of the person `login` names, or None.

    A wrong code counts against the person's open code; at
    ACTIVATION_MAX_FAILURES wrong tries the code is burnt (revoked) and HR
    must issue a new one. The answer for an unknown person is the same None.
    """
    user = user_for_login(login)
    shown = (login or "")[:150]
    if user is None:
        logger.warning("Activation failed: unknown login=%r ip=%s", shown, ip)
        return None
    with transaction.atomic():
        activation = (
            ActivationCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, revoked_at__isnull=True)
            .first()
        )
        if activation is None or activation.expires_at <= timezone.now():
            logger.warning("Activation failed: no live code user=%s#%s ip=%s", shown, user.pk, ip)
            return None
        if codes.code_matches(code, user.pk, activation.code_hash):
            return activation
        activation.failures += 1
        fields = ["failures"]
        if activation.failures >= max_failures():
            activation.revoked_at = timezone.now()
            fields.append("revoked_at")
        activation.save(update_fields=fields)
    if activation.revoked_at is not None:
        logger.warning(
            "Activation code burnt after %s wrong tries: user=%s#%s ip=%s",
            activation.failures,
            shown,
            user.pk,
            ip,
        )
    else:
        logger.warning("Activation failed: wrong code user=%s#%s ip=%s", shown, user.pk, ip)
    return None


class ActivationGone(Exception):
    """The code was used, revoked or expired between the check and the new password."""


def activation_complete(*, activation_id: int, password: str, ip: str = "-"):
    """Set the person's password with their checked code; the code is spent. Returns the user.

    The password has passed Django's validators (SetPasswordForm). Every
    session the person had is ended.
    """
    with transaction.atomic():
        activation = (
            ActivationCode.objects.select_for_update()
            .select_related("user")
            .filter(pk=activation_id)
            .first()
        )
        if activation is None or not activation.is_live():
            raise ActivationGone
        user = activation.user
        user.set_password(password)
        user.save(update_fields=["password"])
        activation.used_at = timezone.now()
        activation.save(update_fields=["used_at"])
        sessions_end(user=user, reason="activation")
    logger.info("Activation completed: user=%s#%s ip=%s", user.get_username(), user.pk, ip)
    return user


@dataclass(frozen=True)
class ResetOutcome:
    emailed: bool
    code: IssuedCode | None


def password_force_reset(*, user, by, base_url: str, language: str = "th") -> ResetOutcome:
    """Make `user` set a new password: the old one stops working, every session ends.

    A new activation goes out at once: a one-time link by e-mail where the
    person has an address, otherwise a code that HR hands over.
    """
    with transaction.atomic():
        user.set_unusable_password()
        user.save(update_fields=["password"])
        sessions_end(user=user, reason="forced reset")
        issued = activation_issue(
            users=[user], by=by, email=True, base_url=base_url, language=language, scope="reset"
        )
    logger.warning(
        "Password reset forced: user=%s#%s by=%s#%s",
        user.get_username(),
        user.pk,
        by.get_username(),
        by.pk,
    )
    return ResetOutcome(emailed=issued.emailed > 0, code=issued.sheet[0] if issued.sheet else None)
