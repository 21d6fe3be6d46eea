"""The webhook settings move from the reminder rule to the channel settings; the ten-minute
sweep row goes, since the sweep now runs on a beat entry that follows the delivery lease
(settings.CELERY_BEAT_SCHEDULE)."""

from django.db import migrations

OLD_SWEEP_NAME = "发送待发送的提醒(免打扰结束后、失败重试、接管中断的发送)"


def forwards(apps, schema_editor):
    ReminderRule = apps.get_model("progress", "ReminderRule")
    ChannelConfig = apps.get_model("progress", "ChannelConfig")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    rule = ReminderRule.objects.order_by("pk").first()
    if rule is not None and rule.webhook_url:
        ChannelConfig.objects.update_or_create(
            channel="webhook",
            defaults={"enabled": True, "url": rule.webhook_url, "secret": rule.webhook_secret},
        )
    PeriodicTask.objects.filter(name=OLD_SWEEP_NAME, task="progress.tasks.send_pending_deliveries").delete()


def backwards(apps, schema_editor):
    ReminderRule = apps.get_model("progress", "ReminderRule")
    ChannelConfig = apps.get_model("progress", "ChannelConfig")
    config = ChannelConfig.objects.filter(channel="webhook", enabled=True).first()
    if config is not None:
        ReminderRule.objects.update(webhook_url=config.url, webhook_secret=config.secret)


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0020_reminders_outbox_channels_scans"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
