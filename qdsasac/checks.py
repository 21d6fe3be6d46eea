"""System checks for a production configuration that would start but misbehave.

They run with ``manage.py check`` and at every start; ids are stable (qdsasac.E001...).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


@register(Tags.compatibility)
def check_site_url(app_configs=None, **kwargs):
    """Reminder e-mails link to SITE_URL; a localhost address reaches nobody."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    if not settings.DEBUG and host in LOCAL_HOSTS:
        return [
            Error(
                f"SITE_URL is {settings.SITE_URL!r} with DEBUG off.",
                hint="Set SITE_URL to the address users open, e.g. https://qdsasac.example.cn.",
                id="qdsasac.E001",
            )
        ]
    return []


@register(Tags.compatibility)
def check_email_host(app_configs=None, **kwargs):
    """Without EMAIL_HOST, reminder e-mails are written to files under var/mail."""
    if not settings.DEBUG and not settings.EMAIL_HOST:
        return [
            Warning(
                "EMAIL_HOST is not set with DEBUG off: reminder e-mails are not sent.",
                hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, ...) to your SMTP server.",
                id="qdsasac.W001",
            )
        ]
    return []


@register(Tags.compatibility)
def check_email_timeout(app_configs=None, **kwargs):
    """A send that outlives the delivery lease lets another sender take the claim and send again."""
    if settings.EMAIL_TIMEOUT >= settings.REMINDER_DELIVERY_LEASE_SECONDS:
        return [
            Error(
                f"EMAIL_TIMEOUT ({settings.EMAIL_TIMEOUT} s) is not below REMINDER_DELIVERY_LEASE_SECONDS "
                f"({settings.REMINDER_DELIVERY_LEASE_SECONDS} s).",
                hint="Lower EMAIL_TIMEOUT or raise REMINDER_DELIVERY_LEASE_SECONDS, or a hung send goes out twice.",
                id="qdsasac.E002",
            )
        ]
    return []
