"""The generic webhook: signed JSON to one address, one request per recipient.

The body is signed with HMAC-SHA256 under the configured secret: header
``X-Qdsasac-Signature: sha256=<hex of the raw body>``. ``X-Qdsasac-Delivery`` carries the
notice's dedupe key, the same on every retry, so a receiver (an SMS gateway, an adapter to
another messenger) can drop a repeat.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from enterprises.names import person_name
from progress.reminders import outbound
from progress.reminders.channels.base import Channel, Deadline, PermanentError, Throttled, TransientError
from progress.reminders.models import Delivery

SIGNATURE_HEADER = "X-Qdsasac-Signature"
DELIVERY_HEADER = "X-Qdsasac-Delivery"
RETRYABLE_STATUSES = {408, 425}


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def raise_for_status(answer: outbound.Answer, host_label: str) -> None:
    """2xx passes; 429 pauses the channel; 408/425 and 5xx may pass later; redirects (never
    followed) and other 4xx answers need someone to fix the address."""
    status = answer.status
    if 200 <= status < 300:
        return
    if status == 429:
        raise Throttled(f"http:{status}", f"{host_label} answered HTTP 429 (too many requests)")
    if status >= 500 or status in RETRYABLE_STATUSES:
        raise TransientError(f"http:{status}", f"{host_label} answered HTTP {status}")
    raise PermanentError(f"http:{status}", f"{host_label} answered HTTP {status}")


def post_json(url: str, data: dict, *, headers: dict, deadline: Deadline, label: str) -> outbound.Answer:
    if not url:
        raise PermanentError("not_configured", f"no {label} address is configured")
    body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    answer = outbound.post(
        url, body, headers={"Content-Type": "application/json; charset=utf-8", **headers}, deadline=deadline
    )
    raise_for_status(answer, label)
    return answer


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
            "name": person_name(recipient),
            "email": recipient.email,
            "phone": profile.phone if profile else "",
        },
        "payload": notification.payload,
    }


class WebhookChannel(Channel):
    name = Delivery.Channel.WEBHOOK
    label = _("Webhook")
    queue = "reminders.webhook"
    configurable = True
    secret_required = True
    url_help = _("短信网关或其他系统的接收地址;系统对每位收件人以 JSON POST 一次,并用密钥做 HMAC-SHA256 签名。")
    secret_help = _("签名密钥:接收方用它核对 X-Qdsasac-Signature。留空则保持原密钥不变。")

    def send(self, delivery, *, config, deadline: Deadline) -> None:
        body = json.dumps(webhook_body(delivery), ensure_ascii=False, sort_keys=True).encode()
        if not config.url:
            raise PermanentError("not_configured", "no webhook address is configured")
        answer = outbound.post(
            config.url,
            body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                SIGNATURE_HEADER: sign(body, config.secret),
                DELIVERY_HEADER: delivery.notification.dedupe_key,
            },
            deadline=deadline,
        )
        raise_for_status(answer, "webhook")
