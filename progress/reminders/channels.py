"""Outside channels for notices: e-mail and a generic signed webhook.

The webhook POSTs JSON and signs the raw body with HMAC-SHA256 under the configured secret:
header ``X-Qdsasac-Signature: sha256=<hex>``. ``X-Qdsasac-Delivery`` carries the notice's
dedupe key, the same on every retry, so a receiver (a WeCom, DingTalk or SMS gateway
adapter) can drop a repeat.
"""

import hashlib
import hmac
import json

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from progress.models import Delivery, Notification, NotificationKind

SIGNATURE_HEADER = "X-Qdsasac-Signature"
DELIVERY_HEADER = "X-Qdsasac-Delivery"
WEBHOOK_TIMEOUT_SECONDS = 10

EMAIL_TEMPLATES = {
    NotificationKind.REPORT_DUE: "report_due",
    NotificationKind.DIGEST: "digest",
    NotificationKind.INSTRUCTION: "followup",
    NotificationKind.SUPERVISION_ORDER: "followup",
}


def email_template_name(notification: Notification) -> str:
    return EMAIL_TEMPLATES.get(notification.kind, "milestone_reminder")


def recipient_name(user) -> str:
    """Chinese order: family name first, no space."""
    return f"{user.last_name}{user.first_name}".strip() or user.username


def render_email(notification: Notification) -> tuple[str, str, str]:
    """Subject, text body and HTML body from the ``emails/<name>-*`` template triple."""
    name = email_template_name(notification)
    context = {
        "notification": notification,
        "payload": notification.payload,
        "kind_label": notification.get_kind_display(),
        "recipient_name": recipient_name(notification.recipient),
        "site_url": settings.SITE_URL,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    return " ".join(subject.split()), text, html


def send_email(delivery: Delivery) -> None:
    notification = delivery.notification
    subject, text, html = render_email(notification)
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [notification.recipient.email],
        headers={"Message-ID": f"<notice-{notification.pk}@qdsasac>"},
    )
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)


def webhook_body(delivery: Delivery) -> dict:
    notification = delivery.notification
    recipient = notification.recipient
    profile = getattr(recipient, "profile", None)
    return {
        "event": notification.kind,
        "dedupe_key": notification.dedupe_key,
        "subject": notification.subject,
        "text": notification.body,
        "url": notification.payload.get("url", settings.SITE_URL),
        "milestone_id": notification.milestone_id,
        "due_on": notification.due_on.isoformat() if notification.due_on else None,
        "recipient": {
            "username": recipient.username,
            "name": recipient.get_full_name(),
            "email": recipient.email,
            "phone": profile.phone if profile else "",
        },
        "payload": notification.payload,
    }


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_webhook(delivery: Delivery, *, url: str, secret: str) -> None:
    if not url:
        raise ValueError("no webhook URL is configured")
    body = json.dumps(webhook_body(delivery), ensure_ascii=False, sort_keys=True).encode()
    response = requests.post(
        url,
        data=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign(body, secret),
            DELIVERY_HEADER: delivery.notification.dedupe_key,
        },
        timeout=WEBHOOK_TIMEOUT_SECONDS,
    )
    response.raise_for_status()
