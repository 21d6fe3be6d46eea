"""``{% colon %}`` after a label: ":" in Chinese, ": " in English (a built-in tag, settings.TEMPLATES)."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def colon() -> str:
    """Chinese runs on after the colon (the product writes ":" as its messages do); English wants a space."""
    return ": " if (get_language() or "").startswith("en") else ":"
