"""Writes the pages and the other apps call: workflow events, the notification centre, the rules.

The machinery lives beside it: the schedule rules (``schedule``), the outbox and its scans
(``outbox``), sending (``delivery``), the channels (``channels``), urges (``urges``).
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from progress.models import ChannelConfig, Milestone, Notification, ReminderRule
from progress.reminders import outbox
from progress.reminders.schedule import PlannedNotice


def notify(
    *,
    recipient_ids: list[int],
    kind: str,
    key: str,
    subject: str,
    body: str,
    milestone: Milestone | None = None,
    url: str = "",
    payload: dict | None = None,
) -> list[int]:
    """Tell the people who must act next about a workflow event (a request, a decision, a return):
    an in-app notice each, and their e-mail, webhook and robot deliveries, queued after commit.

    ``key`` names the event (e.g. ``"request-42:approved"``); with the recipient it makes the
    dedupe key, so a retried call tells nobody twice. Call inside the transaction that makes the
    event, with the texts already rendered in the product's language (``settings.LANGUAGE_CODE``).
    Returns the new delivery ids.
    """
    if not recipient_ids:
        return []
    data = {"url": url or settings.SITE_URL} | (payload or {})
    if milestone is not None:
        data |= {
            "milestone_id": milestone.pk,
            "milestone_title": milestone.title,
            "enterprise": milestone.assignment.enterprise.short_name,
            "due_date": milestone.due_date.isoformat(),
        }
    planned = [
        PlannedNotice(
            recipient,
            kind,
            milestone.pk if milestone is not None else None,
            None,
            key,
            subject,
            body,
            data,
        )
        for recipient in dict.fromkeys(recipient_ids)
    ]
    return outbox.write(planned, rule=ReminderRule.current()).delivery_ids


def mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notices read, or all of them when no id is given."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


def update_reminder_rule(*, rule: ReminderRule, by, **values) -> ReminderRule:
    with transaction.atomic():
        for name, value in values.items():
            setattr(rule, name, value)
        rule.updated_by = by
        rule.save()
    return rule


def update_channel_config(*, channel: str, by, enabled: bool, url: str, secret: str, kinds: list[str]) -> ChannelConfig:
    """Save SASAC's settings for one configurable channel (the URL already checked by the form)."""
    with transaction.atomic():
        config, _created = ChannelConfig.objects.select_for_update().get_or_create(channel=channel)
        config.enabled = enabled
        config.url = url
        config.secret = secret
        config.kinds = kinds
        config.updated_by = by
        config.save()
    return config
