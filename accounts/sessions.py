"""Each person's sessions: the index kept on sign-in, counting and ending them.

The index (UserSession) names the session keys of one person, so ending
their sessions deletes a handful of rows instead of decoding every session
of a 20,000-person agency. It works with any session engine that can delete
a session by key (database, cache, cached_db); counting is one query with the
database engines.
"""

import logging
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import UserSession
from kpi_portal.security import client_ip

logger = logging.getLogger("kpi_portal.security")

# Sessions kept in the index per person; older ones fall out of it (and are
# ended) when a new one starts, so the index stays bounded.
MAX_TRACKED = 20


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _live_keys(keys: list[str]) -> set[str]:
    """The keys among `keys` whose session still exists and has not expired."""
    store = _store()
    if not keys:
        return set()
    if hasattr(store, "get_model_class"):
        model = store.get_model_class()
        found = model.objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
        return set(found.values_list("session_key", flat=True))
    return {key for key in keys if store().exists(key)}


def session_track(*, user, request) -> None:
    """Record the request's session as one of `user`'s; prune the index to MAX_TRACKED."""
    session = request.session
    if session.session_key is None:
        session.save()
    key = session.session_key
    agent = request.META.get("HTTP_USER_AGENT", "")[:200]
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={"user": user, "ip_address": client_ip(request)[:45], "user_agent": agent},
    )
    rows = list(
        UserSession.objects.filter(user=user)
        .order_by("-created_at", "-pk")
        .values_list("pk", "session_key")
    )
    live = _live_keys([k for _pk, k in rows if k != key]) | {key}
    gone = [pk for pk, k in rows if k not in live]
    kept = [(pk, k) for pk, k in rows if k in live]
    for pk, old_key in kept[MAX_TRACKED:]:
        _store()(old_key).delete()
        gone.append(pk)
    if gone:
        UserSession.objects.filter(pk__in=gone).delete()


def on_login(sender, request, user, **kwargs):
    """user_logged_in receiver (every backend, force_login included)."""
    if request is not None and hasattr(request, "session"):
        session_track(user=user, request=request)


def on_logout(sender, request, user, **kwargs):
    """user_logged_out receiver: the session is flushed, so forget its key."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


def sessions_active_count(*, user) -> int:
    """How many of `user`'s sessions are still alive (two queries)."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    return len(_live_keys(keys))


def sessions_active(*, user) -> list[UserSession]:
    """`user`'s live sessions, newest first."""
    rows = list(UserSession.objects.filter(user=user).order_by("-created_at", "-pk"))
    live = _live_keys([row.session_key for row in rows])
    return [row for row in rows if row.session_key in live]


def sessions_end(*, user, keep: str | None = None, reason: str) -> int:
    """End every session of `user` but `keep`; returns how many were ended.

    Deletes the sessions themselves (through the session engine) and their
    index rows, and logs it to the security log.
    """
    store = _store()
    with transaction.atomic():
        rows = UserSession.objects.select_for_update().filter(user=user)
        if keep:
            rows = rows.exclude(session_key=keep)
        keys = list(rows.values_list("session_key", flat=True))
        live = _live_keys(keys)
        for key in keys:
            store(key).delete()
        UserSession.objects.filter(user=user, session_key__in=keys).delete()
    logger.info(
        "Sessions ended: user=%s#%s count=%s reason=%s",
        user.get_username(),
        user.pk,
        len(live),
        reason,
    )
    return len(live)
