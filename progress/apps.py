from django.apps import AppConfig


class ProgressConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'progress'

    def ready(self):
        from progress.ledger_cache import watch_ledger_models

        watch_ledger_models()
