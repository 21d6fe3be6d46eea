"""The rate limit: so many requests per minute for each token (each session user, each address)."""

import logging

from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken
from qdsasac.security import client_ip

logger = logging.getLogger(__name__)


class ApiRateThrottle(SimpleRateThrottle):
    """Counts in the ``api`` cache, which all web processes share (Redis in production).

    If that cache is unreachable the request goes through and the failure is logged: a dead
    Redis must not take the API down with it (``/healthz`` reports the broker).
    """

    scope = "api"

    def __init__(self):
        super().__init__()
        self.cache = caches["api"]

    def get_rate(self):
        # Read when the throttle is made, not when the module was imported, so a changed setting counts.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        # The address the login lockouts use: a header only the site's own proxy sets, else REMOTE_ADDR.
        return client_ip(request)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"address:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # the cache's own errors differ by backend (redis, memcached, ...)
            logger.warning("API rate limit skipped: its cache did not answer", exc_info=True)
            return True
