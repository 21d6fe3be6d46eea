"""Fields the API shares: a month as YYYY-MM, the short forms of an enterprise and a directive."""

import datetime
import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MONTH = re.compile(r"(\d{4})-(\d{2})")


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "example": "2026-01"})
class MonthField(serializers.Field):
    """A reporting period as ``YYYY-MM``; stored as the first day of the month."""

    default_error_messages = {"invalid": _("请按“年-月”填写报送期,例如 2026-01。")}

    def to_internal_value(self, data):
        match = MONTH.fullmatch(data) if isinstance(data, str) else None
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
            self.fail("invalid")
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)

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
