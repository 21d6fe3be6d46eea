from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QdsasacConfig(AppConfig):
    """The project itself, registered as an app so its system checks run at start."""

    name = "qdsasac"
    verbose_name = "qdsasac"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from qdsasac import checks  # noqa: F401  (registers the checks)
        from qdsasac.security import mark_session_touched

        user_logged_in.connect(mark_session_touched, dispatch_uid="qdsasac.mark_session_touched")


class AxesConfig(AxesAppConfig):
    """django-axes as it is, under a name the admin shows in the reader's language (not "AXES")."""

    verbose_name = _("登录记录")
