import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qdsasac.settings")

app = Celery("qdsasac")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Reminder tasks live in progress/reminders/, one level below the app.
app.autodiscover_tasks(["progress.reminders"])
