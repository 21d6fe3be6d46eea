"""How the OpenAPI document describes authentication and errors (drf-spectacular extensions)."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

# Every error: one translated message and the field it is about (null: the request as a whole).
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "field": {"type": "string", "nullable": True},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
                "required": ["field", "message", "code"],
            },
        },
        # Only with code "version_conflict": the row's version now, and what the other person changed.
        "current_version": {"type": "integer"},
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "theirs": {"type": "string"}, "yours": {"type": "string"}},
                "required": ["field", "theirs", "yours"],
            },
        },
    },
    "required": ["detail", "code", "field", "errors"],
}


class AutoSchema(SpectacularAutoSchema):
    """Docstrings are for developers, in English: the document users read takes its texts only from
    the translated ``summary`` and ``description`` given to ``extend_schema`` and the fields' labels."""

    def get_description(self):
        return ""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        schema.pop("description", None)
        return schema


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": _("在“API 令牌”页面创建的令牌:Authorization: Bearer qds_…"),
        }


def _error_statuses(method: str, path: str, operation: dict) -> dict[str, str]:
    statuses = {
        "401": _("未登录,或 API 令牌无效、已撤销。"),
        "403": _("无权进行该操作(例如领导账号的写操作)。"),
        "429": _("请求过于频繁,请按 Retry-After 头所示秒数后重试。"),
    }
    query = any(parameter.get("in") == "query" for parameter in operation.get("parameters", []))
    if query or "requestBody" in operation:
        statuses["400"] = _("输入有误:field 指出哪一项。")
    if "{" in path or query:
        statuses["404"] = _("不存在,或不在您的权限范围内;或没有这一页。")
    if method in ("post", "put", "patch"):
        statuses["409"] = _("监督规则不允许(已关账、已销号、版本已过期等)。")
    return statuses


def add_error_responses(result, generator, request, public):
    """Every operation documents the errors it can answer with, all in the ``Error`` shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code, description in _error_statuses(method, path, operation).items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result
