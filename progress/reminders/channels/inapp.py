from django.utils.translation import gettext_lazy as _

from progress.reminders.channels.base import Channel


class InAppChannel(Channel):
    """The notification centre. The notice row is the message: it is written with the scan's
    (or the event's) own transaction and needs no queue, so nothing outside can delay it."""

    name = "inapp"
    label = _("站内消息")

    def wants(self, *, kind: str, email: str, config) -> bool:
        return False
