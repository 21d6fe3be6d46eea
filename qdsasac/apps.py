from django.apps import AppConfig


class QdsasacConfig(AppConfig):
    """The project itself, registered as an app so its system checks run at start."""

    name = "qdsasac"
    verbose_name = "qdsasac"

    def ready(self):
        from qdsasac import checks  # noqa: F401  (registers the checks)
