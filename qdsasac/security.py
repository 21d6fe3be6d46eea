"""Request-level protections: body size, response headers, idle sessions, the client's address.

Settings (all from the environment, see qdsasac/settings.py): REQUEST_BODY_MAX_BYTES,
PERMISSIONS_POLICY, SESSION_IDLE_MINUTES, CLIENT_IP_HEADER.
"""

import time

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request) -> str:
    """The client's address, for lockouts (django-axes) and the login audit.

    Only a header that the site's own reverse proxy sets (CLIENT_IP_HEADER, e.g. X-Real-IP)
    may name it; without one it is the connection's own address, which a client cannot forge.
    """
    header = settings.CLIENT_IP_HEADER
    if header:
        forwarded = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        # A proxy chain may append; the first address is the one the trusted proxy saw.
        address = forwarded.split(",")[0].strip()
        if address:
            return address
    return request.META.get("REMOTE_ADDR", "")


def login_failure_limit(request, credentials) -> int:
    """django-axes' failure limit: LOGIN_FAILURE_LIMIT for a username, LOGIN_ADDRESS_FAILURE_LIMIT for an address.

    django-axes compares one limit with the larger of the username's and the address's failure
    counts. Answering the username's limit once that username has reached it, and the address's
    otherwise, gives each its own limit (the address limit is the higher one).
    """
    username = get_client_username(request, credentials)
    failures = AccessAttempt.objects.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0
    if username and failures >= settings.LOGIN_FAILURE_LIMIT:
        return settings.LOGIN_FAILURE_LIMIT
    return settings.LOGIN_ADDRESS_FAILURE_LIMIT


def next_url(request, default: str) -> str:
    """The ``next`` page a form asks to return to, if it is a path on this site; else ``default``.

    Only a local path (``/...``) is followed: anything else could leave the site, or be taken
    by ``redirect()`` for a view name.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body exceeds REQUEST_BODY_MAX_BYTES, without reading it.

    Django's own DATA_UPLOAD_MAX_MEMORY_SIZE leaves file uploads out, and the evidence check
    sees a file only once it was received in full. The WSGI server reads no more than
    Content-Length, so the declared length bounds what could ever be read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_BODY_MAX_BYTES
        if length > limit:
            response = render(
                request,
                "413.html",
                {"limit_mb": round(limit / 1024 / 1024, 1), "received_mb": round(length / 1024 / 1024, 1)},
                status=413,
            )
            if request.META.get("SERVER_SOFTWARE", "").startswith("gunicorn"):
                # gunicorn honours this and drops the connection instead of draining the unread body
                # before the next request on it (wsgiref, under runserver, forbids the header).
                response["Connection"] = "close"
            return response
        return self.get_response(request)


class QueryStringMiddleware:
    """Refuse a path or query string carrying a NUL byte: no database can store or compare one.

    No browser sends one from a link a person clicked, so the answer is a translated 400 page
    rather than a message beside a field; form fields refuse NUL on their own (Django's
    CharField), with the user's input kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.GET.lists()
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values) for key, values in query):
            return render(request, "400.html", {"reason": "nul"}, status=400)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every answer; no copy of a signed-in page or export in any cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Shared computers and proxies: the back button after logging out shows nothing.
            patch_cache_control(response, no_store=True, private=True)
        return response


SESSION_TOUCHED_KEY = "_qdsasac_touched"


class SessionIdleMiddleware:
    """Keep an active signed-in session alive; an idle one ends after SESSION_IDLE_MINUTES.

    The session's life is SESSION_COOKIE_AGE (the idle time) from its last save. Saving on every
    request would write the session row on every page, so the session is saved again only when
    a tenth of the idle time (at most a minute) has passed since its last save.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.refresh_after = min(60, settings.SESSION_COOKIE_AGE // 10)

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and session is not None and user.is_authenticated and session.session_key:
            now = int(time.time())
            if now - session.get(SESSION_TOUCHED_KEY, 0) >= self.refresh_after:
                session[SESSION_TOUCHED_KEY] = now
        return response


def mark_session_touched(sender, request, user, **kwargs) -> None:
    """On login (user_logged_in): the new session counts as just saved."""
    if hasattr(request, "session"):
        request.session[SESSION_TOUCHED_KEY] = int(time.time())
