"""Upgrading keeps the webhook SASAC had configured, now as a channel setting, and drops the fixed
ten-minute sweep row (the sweep now follows the lease)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("progress", "0020_reminders_outbox_channels_scans")]
OLD_SWEEP = "发送待发送的提醒(免打扰结束后、失败重试、接管中断的发送)"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_configured_webhook_becomes_the_webhook_channel_setting():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate(BEFORE)
        # The one rule row (migration 0004's may be gone: transactional tests before this one flush tables).
        ReminderRule = old.get_model("progress", "ReminderRule")
        ReminderRule.objects.all().delete()
        ReminderRule.objects.create(webhook_url="https://sms-gw.example/hook", webhook_secret="k3y")
        PeriodicTask = old.get_model("django_celery_beat", "PeriodicTask")
        IntervalSchedule = old.get_model("django_celery_beat", "IntervalSchedule")
        every, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
        PeriodicTask.objects.get_or_create(
            name=OLD_SWEEP, defaults={"task": "progress.tasks.send_pending_deliveries", "interval": every}
        )
        new = migrate(latest)
        config = new.get_model("progress", "ChannelConfig").objects.get(channel="webhook")
        assert (config.enabled, config.url, config.secret) == (True, "https://sms-gw.example/hook", "k3y")
        assert not new.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=OLD_SWEEP).exists()
    finally:
        migrate(latest)
