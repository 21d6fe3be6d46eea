import math

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from qdsasac.celery import app as celery_app


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "not reachable"; the message says which
        return False, str(error)
    return True, connection.vendor


def _broker_ok() -> tuple[bool, str]:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return True, conn.transport.driver_name
    except Exception as error:
        return False, str(error)


@never_cache
@require_GET
def healthz(request):
    """Database and broker reachability, for load balancers and compose health checks."""
    database_ok, database_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    healthy = database_ok and broker_ok
    body = {
        "status": "ok" if healthy else "error",
        "database": {"ok": database_ok, "detail": database_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
    }
    if settings.DEBUG is False and not healthy:
        # Reasons can carry host names; production shows only the verdicts.
        body["database"].pop("detail")
        body["broker"].pop("detail")
    return JsonResponse(body, status=200 if healthy else 503)


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a login from a locked-out username or address: 429, translated."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else 0,
    }
    return render(request, "registration/locked_out.html", context, status=429)
