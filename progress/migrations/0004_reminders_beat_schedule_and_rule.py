"""Defaults: the reminder rule row and the beat schedule (editable afterwards in the admin)."""

from django.db import migrations

SCHEDULE = [
    # name, task, crontab (minute, hour, day_of_week)
    ("每日到期提醒扫描", "progress.tasks.run_reminder_scan", ("30", "8", "*")),
    ("每周一督办摘要", "progress.tasks.send_weekly_digest", ("0", "9", "1")),
]


def create_defaults(apps, schema_editor):
    ReminderRule = apps.get_model("progress", "ReminderRule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if not ReminderRule.objects.exists():
        ReminderRule.objects.create()
    for name, task, (minute, hour, day_of_week) in SCHEDULE:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone="Asia/Shanghai",
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})
    every_ten_minutes, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="发送待发送的提醒(免打扰结束后、失败重试、接管中断的发送)",
        defaults={"task": "progress.tasks.send_pending_deliveries", "interval": every_ten_minutes},
    )


def remove_defaults(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task__startswith="progress.tasks.").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0003_ledger_snapshot"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
