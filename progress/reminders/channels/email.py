"""E-mail from the ``emails/<name>-*`` template triple, over SMTP within the send's deadline."""

import math
import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from enterprises.names import person_name
from progress.reminders.channels.base import (
    Channel,
    Deadline,
    DeadlineExceeded,
    PermanentError,
    TransientError,
)
from progress.reminders.models import Delivery, Notification, NotificationKind

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

EMAIL_TEMPLATES = {
    NotificationKind.REPORT_DUE: "report_due",
    NotificationKind.DIGEST: "digest",
    NotificationKind.INSTRUCTION: "followup",
    NotificationKind.SUPERVISION_ORDER: "followup",
}


def email_template_name(notification: Notification) -> str:
    return EMAIL_TEMPLATES.get(notification.kind, "milestone_reminder")


def message_id(notification: Notification) -> str:
    """The same on every try, so a mail server or client can drop a repeat."""
    return f"<notice-{notification.pk}@{urlsplit(settings.SITE_URL).hostname or 'qdsasac'}>"


def render_email(notification: Notification) -> tuple[str, str, str]:
    """Subject, text body and HTML body from the ``emails/<name>-*`` template triple."""
    name = email_template_name(notification)
    context = {
        "notification": notification,
        "payload": notification.payload,
        "kind_label": notification.get_kind_display(),
        "recipient_name": person_name(notification.recipient),
        "site_url": settings.SITE_URL,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    return " ".join(subject.split()), text, html


class DeadlineSMTPBackend(SMTPBackend):
    """Django's SMTP backend whose connection gives up when the send's deadline passes,
    however slowly the server answers each line."""

    def __init__(self, *, deadline: Deadline, **kwargs):
        timeout = min(settings.EMAIL_TIMEOUT or math.inf, deadline.remaining())
        super().__init__(timeout=timeout, **kwargs)
        self.deadline = deadline

    @property
    def connection_class(self):
        deadline = self.deadline

        class GuardedSMTP(super().connection_class):
            def _get_socket(self, host, port, timeout):
                deadline.guard(self)
                return super()._get_socket(host, port, min(timeout or math.inf, deadline.remaining()))

        return GuardedSMTP


def _smtp_failure(error: smtplib.SMTPException) -> tuple[int | None, str]:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, _reply = next(iter(error.recipients.values()))
        return code, "recipient refused"
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code, type(error).__name__
    return None, type(error).__name__


class EmailChannel(Channel):
    name = Delivery.Channel.EMAIL
    label = _("电子邮件")
    queue = "reminders.email"

    def wants(self, *, kind: str, email: str, config) -> bool:
        return bool(email)

    def connection(self, deadline: Deadline):
        if settings.EMAIL_BACKEND == SMTP_BACKEND:
            return DeadlineSMTPBackend(deadline=deadline)
        return get_connection()

    def send(self, delivery, *, config, deadline: Deadline) -> None:
        notification = delivery.notification
        address = notification.recipient.email
        if not address:
            raise PermanentError("no_address", f"user {notification.recipient_id} has no e-mail address")
        subject, text, html = render_email(notification)
        message = EmailMultiAlternatives(
            subject,
            text,
            settings.DEFAULT_FROM_EMAIL,
            [address],
            headers={"Message-ID": message_id(notification)},
            connection=self.connection(deadline),
        )
        message.attach_alternative(html, "text/html")
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPException as error:
            if deadline.passed:
                raise DeadlineExceeded("the mail server did not finish in time") from None
            code, what = _smtp_failure(error)
            if code is not None and 500 <= code < 600:
                raise PermanentError(f"smtp:{code}", f"{what} ({code}) for {address}") from None
            raise TransientError(f"smtp:{code}" if code else "smtp", f"{what} ({code}) for {address}") from None
        except OSError as error:
            if deadline.passed:
                raise DeadlineExceeded("the mail server did not finish in time") from None
            raise TransientError("connect", f"mail server: {type(error).__name__}: {error}") from None
