from django.apps import AppConfig


class ProgressConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'progress'

    def ready(self):
        # Milestone.forecast_at_risk follows every save of a milestone or a report.
        from progress.forecast import connect_signals
        from progress.services.indicators import connect_signals as connect_indicator_signals

        connect_signals()
        # IndicatorValue.milestone and .is_latest follow every save of a value or a report.
        connect_indicator_signals()
