"""Login throttling that stops password spraying, beside django-axes' pair lock.

django-axes locks one username from one address after LOGIN_FAILURE_LIMIT
failures. That alone lets one address try a few passwords on every username
(spraying), and many addresses try one username. So two more counters, in
kpi_portal.models.LoginThrottle (the database, so every gunicorn worker sees
the same numbers, on SQLite and PostgreSQL alike):

- per address, across usernames: LOGIN_ADDRESS_FAILURE_LIMIT failures
  within LOGIN_THROTTLE_WINDOW_MINUTES lock the address;
- per username, across addresses: LOGIN_USERNAME_FAILURE_LIMIT failures
  within the window lock the username (from everywhere).

The window runs from the first failure counted; a lock lasts
LOGIN_COOLOFF_MINUTES from the failure that reached the limit. Refused tries
during a lock do not extend it (an attacker could otherwise keep an officer's
username locked for ever), and a successful login does not reset these
counters (else one valid account would reset its address's count between
sprays). A limit of 0 turns its counter off.

The counters run inside django-axes (AXES_HANDLER = ThrottlingHandler), so a
locked address or username gets the same lockout page (429) through
AxesMiddleware, and axes' backend stays first in AUTHENTICATION_BACKENDS.
"""

import logging
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kpi_portal.models import LoginThrottle

logger = logging.getLogger("kpi_portal.security")

# Where the lock that refused this request is kept, for the lockout page.
REQUEST_LOCK = "kpi_throttle_lock"


def _clean(value, limit: int = 150) -> str:
    text = "" if value is None else str(value)
    return "".join(char if char.isprintable() else "?" for char in text)[:limit]


def username_key(username: str | None) -> str:
    """The username as counted: trimmed and case-folded (a directory matches any case)."""
    return (username or "").strip().casefold()[:255]


def _limits() -> list[tuple[str, int]]:
    return [
        (LoginThrottle.Scope.ADDRESS, settings.LOGIN_ADDRESS_FAILURE_LIMIT),
        (LoginThrottle.Scope.USERNAME, settings.LOGIN_USERNAME_FAILURE_LIMIT),
    ]


def _targets(address: str | None, username: str | None) -> list[tuple[str, str, int]]:
    keys = {
        LoginThrottle.Scope.ADDRESS: (address or "")[:255],
        LoginThrottle.Scope.USERNAME: username_key(username),
    }
    return [(scope, keys[scope], limit) for scope, limit in _limits() if limit > 0 and keys[scope]]


def throttle_lock_for(
    *, address: str | None, username: str | None, now: datetime | None = None
) -> LoginThrottle | None:
    """The address or username lock in force for this login, if any (one query, or none)."""
    targets = _targets(address, username)
    if not targets:
        return None
    now = now or timezone.now()
    match = Q()
    for scope, key, _limit in targets:
        match |= Q(scope=scope, key=key)
    return LoginThrottle.objects.filter(match, locked_until__gt=now).order_by("scope").first()


def throttle_failure_record(
    *, address: str | None, username: str | None, now: datetime | None = None
) -> list[LoginThrottle]:
    """Count one failed login for its address and its username; the rows it just locked.

    When it adds a row it also prunes the rows whose window and lock have
    both ended, so the table holds only recent failures.
    """
    now = now or timezone.now()
    window = settings.LOGIN_THROTTLE_WINDOW
    locked: list[LoginThrottle] = []
    targets = _targets(address, username)
    if not targets:
        return locked
    grew = False
    with transaction.atomic():
        for scope, key, limit in targets:
            row, created = LoginThrottle.objects.select_for_update().get_or_create(
                scope=scope,
                key=key,
                defaults={"failures": 1, "window_start": now, "last_failure_at": now},
            )
            is_locked = row.locked_until is not None and row.locked_until > now
            if not created:
                if not is_locked and row.window_start <= now - window:
                    row.failures, row.window_start, row.locked_until = 0, now, None
                row.failures += 1
                row.last_failure_at = now
            if not is_locked and row.failures >= limit:
                row.locked_until = now + settings.AXES_COOLOFF_TIME
                locked.append(row)
            if not created or row.locked_until is not None:
                row.save(
                    update_fields=["failures", "window_start", "last_failure_at", "locked_until"]
                )
            grew = grew or created
        if grew:
            # Only a new row grows the table: then drop the rows whose window
            # and lock have both ended.
            LoginThrottle.objects.filter(last_failure_at__lt=now - window).filter(
                Q(locked_until__isnull=True) | Q(locked_until__lte=now)
            ).delete()
    for row in locked:
        logger.warning(
            "Login locked out: %s=%s after %s failures in %s, until %s",
            row.scope,
            _clean(row.key),
            row.failures,
            window,
            row.locked_until.isoformat(timespec="seconds"),
        )
    return locked


class ThrottlingHandler(AxesDatabaseHandler):
    """django-axes' database handler plus the address and username counters (AXES_HANDLER)."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        lock = throttle_lock_for(
            address=getattr(request, "axes_ip_address", None),
            username=get_client_username(request, credentials),
        )
        if lock is None:
            return False
        setattr(request, REQUEST_LOCK, lock)
        return True

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None:
            return
        if getattr(request, REQUEST_LOCK, None) is None:
            locked = throttle_failure_record(
                address=getattr(request, "axes_ip_address", None),
                username=get_client_username(request, credentials),
            )
            if not locked:
                return
            setattr(request, REQUEST_LOCK, locked[0])
        # Refused by (or just reached) an address or username lock: the
        # lockout page, as axes does for its own lock.
        request.axes_locked_out = True
        request.axes_credentials = credentials


# The lockouts page (kpi_portal.lockout_views) -----------------------------------


class Kind:
    PAIR = "pair"
    ADDRESS = LoginThrottle.Scope.ADDRESS.value
    USERNAME = LoginThrottle.Scope.USERNAME.value
    ALL = (PAIR, ADDRESS, USERNAME)


def locked_pairs(now: datetime | None = None):
    """django-axes' username + address locks in force, latest first."""
    now = now or timezone.now()
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gt=now - settings.AXES_COOLOFF_TIME,
    ).order_by("-attempt_time", "-pk")


def locked_throttles(scope: str, now: datetime | None = None):
    """Address or username locks in force, latest first."""
    now = now or timezone.now()
    return LoginThrottle.objects.filter(scope=scope, locked_until__gt=now).order_by(
        "-locked_until", "-pk"
    )


def lockout_lift(*, kind: str, pk: int, by: AbstractBaseUser) -> str | None:
    """Lift one lockout (forget its failures); what was lifted, or None if it had gone."""
    with transaction.atomic():
        if kind == Kind.PAIR:
            attempt = AccessAttempt.objects.select_for_update().filter(pk=pk).first()
            if attempt is None:
                return None
            what = f"username={_clean(attempt.username)} ip={attempt.ip_address}"
            attempt.delete()
        elif kind in (Kind.ADDRESS, Kind.USERNAME):
            row = LoginThrottle.objects.select_for_update().filter(pk=pk, scope=kind).first()
            if row is None:
                return None
            what = f"{kind}={_clean(row.key)}"
            row.delete()
        else:
            return None
    logger.warning("Lockout lifted: %s by %s#%s", what, _clean(by.get_username()), by.pk)
    return what
