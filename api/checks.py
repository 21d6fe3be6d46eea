"""A broken API setting is caught when the server starts, not by the first client."""

from django.conf import settings
from django.core.checks import Error, register

PERIODS = ("s", "m", "h", "d")


@register()
def check_rate_limit(app_configs, **kwargs):
    rate = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get("api")
    number, _, period = (rate or "").partition("/")
    if number.isdigit() and int(number) > 0 and period[:1] in PERIODS and period:
        return []
    return [
        Error(
            f"API_RATE_LIMIT must read like 300/minute (requests per second, minute, hour or day), not {rate!r}.",
            id="api.E001",
        )
    ]
