"""Services of API tokens: create (the token is returned once), revoke, look up.

A token is "kpi_" and 43 URL-safe characters (256 random bits). With that much
entropy a plain SHA-256 is enough to store it: nobody can guess a token from
its digest, and looking one up stays a single indexed query.
"""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken

TOKEN_PREFIX = "kpi_"  # noqa: S105 (a marker, not a secret)
SHOWN_CHARS = 12  # "kpi_" and 8 characters, kept to tell tokens apart
MAX_ACTIVE_TOKENS = 10


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, user, name: str, by) -> tuple[ApiToken, str]:
    """A new token for `user`: (the stored row, the token text to show once)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("กรุณาตั้งชื่อโทเคน เช่น ชื่อระบบที่จะใช้"), code="name")
    if len(name) > 100:
        raise ValidationError(_("ชื่อโทเคนยาวได้ไม่เกิน 100 ตัวอักษร"), code="name")
    with transaction.atomic():
        active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
        if len(active) >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                _("มีโทเคนที่ใช้งานอยู่ครบ %(count)s รายการแล้ว กรุณายกเลิกโทเคนที่ไม่ใช้ก่อน")
                % {"count": MAX_ACTIVE_TOKENS},
                code="too_many",
            )
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=token[:SHOWN_CHARS],
            digest=token_digest(token),
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
    return row, token


def token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoke at once: the next request with it answers 401. Revoking twice is harmless."""
    with transaction.atomic():
        row = ApiToken.objects.select_for_update().get(pk=token.pk)
        if row.revoked_at is None:
            row.revoked_at = timezone.now()
            row.revoked_by = by if getattr(by, "is_authenticated", False) else None
            row.save(update_fields=["revoked_at", "revoked_by"])
    return row


def token_lookup(token: str) -> ApiToken | None:
    """The active token with this text (and its user), else None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(token), revoked_at__isnull=True)
        .first()
    )
