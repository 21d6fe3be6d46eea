from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The JSON API at /api/v1/ and its per-user tokens. Imports go one way: api -> progress."""

    name = "api"
    verbose_name = _("开放接口")

    def ready(self):
        # The system checks, and how the token authentication appears in the OpenAPI document.
        from api import checks, schema  # noqa: F401
