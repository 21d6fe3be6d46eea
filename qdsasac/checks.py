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
def check_reminder_timing(app_configs=None, **kwargs):
    """A send must end well inside its claim's lease, or another sender takes the claim over and
    the message goes out twice. Workers run this at start (qdsasac/celery.py) and refuse to start."""
    lease = settings.REMINDER_DELIVERY_LEASE_SECONDS
    deadline = settings.REMINDER_SEND_DEADLINE_SECONDS
    errors = []
    if deadline <= 0 or 2 * deadline > lease:
        errors.append(
            Error(
                f"REMINDER_SEND_DEADLINE_SECONDS ({deadline} s) must be positive and at most half of "
                f"REMINDER_DELIVERY_LEASE_SECONDS ({lease} s).",
                hint="Lower the send deadline or raise the lease, or a slow send outlives its claim and goes twice.",
                id="qdsasac.E002",
            )
        )
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    if settings.REDIS_URL and (visibility is None or visibility < 2 * lease):
        errors.append(
            Error(
                f"The broker's visibility timeout ({visibility}) must be at least twice the lease ({lease} s).",
                hint="A live worker's message would be handed to a second worker while it runs.",
                id="qdsasac.E007",
            )
        )
    return errors


@register(Tags.compatibility)
def check_reminder_queues(app_configs=None, **kwargs):
    """Every outside channel's send tasks go to a queue that workers consume."""
    from progress.reminders import channels

    declared = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    return [
        Error(
            f"The {channel.name} channel sends on queue {channel.queue!r}, which CELERY_TASK_QUEUES does not declare.",
            hint="Add the queue to CELERY_TASK_QUEUES (and a worker for it in docker-compose.yml).",
            id="qdsasac.E006",
        )
        for channel in channels.outside()
        if channel.queue not in declared
    ]


@register(Tags.security)
def check_login_lockout(app_configs=None, **kwargs):
    """A lockout without a cool-off would let an attacker lock officers out for good."""
    errors = []
    if not 1 <= settings.LOGIN_FAILURE_LIMIT <= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        errors.append(
            Error(
                "LOGIN_FAILURE_LIMIT must be at least 1 and not above LOGIN_ADDRESS_FAILURE_LIMIT.",
                id="qdsasac.E003",
            )
        )
    if not settings.AXES_COOLOFF_TIME or settings.AXES_COOLOFF_TIME.total_seconds() <= 0:
        errors.append(
            Error(
                "LOGIN_COOLOFF_MINUTES must be at least 1: without a cool-off a lockout lasts for good.",
                hint="Set LOGIN_COOLOFF_MINUTES, e.g. 15.",
                id="qdsasac.E003",
            )
        )
    if settings.SESSION_IDLE_MINUTES < 1:
        errors.append(Error("SESSION_IDLE_MINUTES must be at least 1.", id="qdsasac.E003"))
    return errors


@register(Tags.security)
def check_upload_limits(app_configs=None, **kwargs):
    """A request limit below the evidence limit would refuse files the form says are allowed."""
    if settings.REQUEST_BODY_MAX_BYTES < settings.EVIDENCE_MAX_BYTES:
        return [
            Error(
                f"REQUEST_BODY_MAX_BYTES ({settings.REQUEST_BODY_MAX_BYTES}) is below EVIDENCE_MAX_BYTES "
                f"({settings.EVIDENCE_MAX_BYTES}).",
                hint="Raise REQUEST_BODY_MAX_BYTES (and the proxy's client_max_body_size) or lower EVIDENCE_MAX_BYTES.",
                id="qdsasac.E004",
            )
        ]
    return []


@register(Tags.security)
def check_content_sniffer(app_configs=None, **kwargs):
    """Evidence files are typed by libmagic; without it no upload could be checked."""
    try:
        import magic

        magic.from_buffer(b"%PDF-1.4\n", mime=True)
    except Exception as error:  # ImportError when libmagic1 is missing, MagicException when it is broken
        return [
            Error(
                f"libmagic cannot be loaded: {error}",
                hint="Install Debian's libmagic1 (the Dockerfile and scripts/setup.sh do).",
                id="qdsasac.E005",
            )
        ]
    return []


@register(Tags.compatibility)
def check_long_silence(app_configs=None, **kwargs):
    """Zero or fewer months would flag every open milestone as long silent on the board and home pages."""
    if settings.LONG_SILENT_MONTHS < 1:
        return [
            Error(
                f"LONG_SILENT_MONTHS is {settings.LONG_SILENT_MONTHS}: it must be at least 1.",
                hint="The months without an accepted report after which a milestone is flagged (default 3).",
                id="qdsasac.E008",
            )
        ]
    return []
