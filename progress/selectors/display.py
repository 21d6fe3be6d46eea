"""How a stored value reads to people, in lists, histories and conflict messages."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _


def field_display(model, name: str, value, users: dict[int, str] | None = None) -> str:
    """A stored value as people read it: choice labels, 是/否, local time, user names (``users``), "—" for empty."""
    users = users or {}
    model_field = model._meta.get_field(name)
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation and model_field.related_model is get_user_model():
        return users.get(value, str(value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)
