"""Rate limit per token (settings.API_RATE), counted in the shared database cache.

The project's default cache is per process (LocMemCache): with several
gunicorn workers each would keep its own count. The "api" cache is Django's
DatabaseCache (table api_rate_cache, created by api's first migration), so
every worker and machine sees one count per token.
"""

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    @property
    def cache(self):
        return caches["api"]

    def get_rate(self):
        return settings.API_RATE

    def get_cache_key(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
