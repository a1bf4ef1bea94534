"""Authentication of API requests: `Authorization: Bearer kpi_...` (api.tokens)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api.models import ApiToken
from api.tokens import token_lookup

# last_used_at is written at most this often per token, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    """A hashed API token; unknown, revoked, or of an inactive user: 401."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("รูปแบบส่วนหัว Authorization ไม่ถูกต้อง"))
        try:
            text = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("โทเคนไม่ถูกต้องหรือถูกยกเลิกแล้ว")) from None
        token = token_lookup(text)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("โทเคนไม่ถูกต้องหรือถูกยกเลิกแล้ว"))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
