"""Fields the API shares: a month as YYYY-MM, the short forms of an enterprise and a directive."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from progress.forms import ledger as ledger_forms


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "example": "2026-01"})
class MonthField(serializers.Field):
    """A reporting period as ``YYYY-MM``; stored as the first day of the month."""

    def to_internal_value(self, data):
        # The report form's own month field parses it: one rule for the page and the API. Anything
        # but a string (a number, a list) reads as a malformed month.
        try:
            return ledger_forms.MonthField().clean(data if isinstance(data, str) else "?")
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def to_representation(self, value):
        return value.strftime("%Y-%m")


class EnterpriseRefSerializer(serializers.Serializer):
    code = serializers.CharField(label=_("代码"))
    short_name = serializers.CharField(label=_("简称"))


class DirectiveRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(label=_("序号"))
    title = serializers.CharField(label=_("标题"))


@extend_schema_field(OpenApiTypes.STR)
class LabelField(serializers.Field):
    """The translated label of a choice (``get_<field>_display``), read only."""

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return str(self.labels.get(value, value))
