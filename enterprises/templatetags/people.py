"""``{{ user|person_name }}``: a built-in filter (settings.TEMPLATES), so no template loads it."""

from django import template

from enterprises.names import person_name as _person_name

register = template.Library()


@register.filter
def person_name(user) -> str:
    return _person_name(user or None)
