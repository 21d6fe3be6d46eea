"""``{% colon %}`` after a label: "：" in Chinese, ": " in English (a built-in tag, settings.TEMPLATES)."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def colon() -> str:
    """Chinese writes the full-width colon with no space; English wants a space after it."""
    return ": " if (get_language() or "").startswith("en") else "："
