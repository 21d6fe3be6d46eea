"""The channels a notice reaches people by, one class each, in one registry.

Adding a channel (SMS through a gateway, say) is one class with its ``Delivery.Channel``
value and a broker queue that ``CELERY_TASK_QUEUES`` declares (check qdsasac.E006 says so
when it does not); the outbox, the sender, the sweep, the rules page and the resend buttons
read this registry.
"""

from progress.reminders.channels.base import (
    Channel,
    Deadline,
    DeadlineExceeded,
    PermanentError,
    SendError,
    Throttled,
    TransientError,
)
from progress.reminders.channels.email import EmailChannel
from progress.reminders.channels.inapp import InAppChannel
from progress.reminders.channels.robots import DingTalkRobotChannel, WeComRobotChannel
from progress.reminders.channels.webhook import WebhookChannel

CHANNELS: dict[str, Channel] = {
    channel.name: channel
    for channel in (InAppChannel(), EmailChannel(), WebhookChannel(), WeComRobotChannel(), DingTalkRobotChannel())
}


def get(name: str) -> Channel:
    return CHANNELS[name]


def outside() -> list[Channel]:
    """The channels whose messages leave the system through a queue (all but in-app)."""
    return [channel for channel in CHANNELS.values() if channel.queue]


def configurable() -> list[Channel]:
    return [channel for channel in CHANNELS.values() if channel.configurable]


__all__ = [
    "CHANNELS",
    "Channel",
    "Deadline",
    "DeadlineExceeded",
    "PermanentError",
    "SendError",
    "Throttled",
    "TransientError",
    "configurable",
    "get",
    "outside",
]
