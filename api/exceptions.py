"""Every error of /api/v1/ is JSON with one clear, translated message and the field it is about.

    {"detail": "进度(progress):请确保该值小于或者等于 100。", "code": "max_value", "field": "progress",
     "errors": [{"field": "progress", "message": "请确保该值小于或者等于 100。", "code": "max_value"}]}

``field`` is null when the error is about the request as a whole. A change the supervision
rules refuse (``progress.services.ledger.LedgerError``) is a 409 with the service's own message;
a stale ``version`` is a 409 that also lists what the other person changed.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from progress.services.ledger import LedgerError, VersionConflict

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


class RuleRefused(exceptions.APIException):
    """The supervision rules refuse the change in the row's present state (closed period, closed milestone...)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("当前状态下不能进行该操作。")
    default_code = "refused"


class StaleVersion(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "version_conflict"

    def __init__(self, conflict: VersionConflict):
        self.conflict = conflict
        super().__init__(
            _("保存未成功:您读取之后,他人已修改了这条记录(当前版本 %(version)s)。请重新读取、核对后再提交。")
            % {"version": conflict.current.version}
        )


class InvalidInput(exceptions.ValidationError):
    """Errors per field, with the fields' labels to name them in the message."""

    def __init__(self, errors: dict, *, fields: dict):
        super().__init__(errors)
        self.labels = {name: str(field.label) for name, field in fields.items() if field.label}


def require_valid(serializer: serializers.Serializer) -> dict:
    """The serializer's validated data, or a 400 naming each wrong field."""
    if not serializer.is_valid():
        raise InvalidInput(serializer.errors, fields=serializer.fields)
    return serializer.validated_data


def _flatten(detail, path: str = ""):
    """(field path, ErrorDetail) pairs: nested fields as ``indicator_values.12``."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = str(key)
            inner = path if key == NON_FIELD else (f"{path}.{key}" if path else key)
            yield from _flatten(value, inner)
    elif isinstance(detail, list):
        for item in detail:
            yield from _flatten(item, path)
    else:
        yield path, detail


def error_body(exc: exceptions.APIException) -> dict:
    errors = [
        {"field": field or None, "message": str(message), "code": getattr(message, "code", None) or exc.default_code}
        for field, message in _flatten(exc.detail)
    ]
    first = errors[0] if errors else {"field": None, "message": str(exc.default_detail), "code": exc.default_code}
    detail = first["message"]
    if first["field"]:
        top = first["field"].split(".")[0]
        label = getattr(exc, "labels", {}).get(top)
        name = _("%(label)s(%(field)s)") % {"label": label, "field": first["field"]} if label else first["field"]
        detail = _("%(field)s:%(message)s") % {"field": name, "message": first["message"]}
    body = {"detail": detail, "code": first["code"], "field": first["field"], "errors": errors}
    if isinstance(exc, StaleVersion):
        body["current_version"] = exc.conflict.current.version
        body["changes"] = [
            {"field": change.label, "theirs": change.theirs, "yours": change.yours} for change in exc.conflict.changes
        ]
    return body


def exception_handler(exc, context):
    if isinstance(exc, VersionConflict):
        exc = StaleVersion(exc)
    elif isinstance(exc, LedgerError):
        exc = RuleRefused(str(exc))
    elif isinstance(exc, Http404):  # progress.scoping: missing and not-yours alike
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):  # progress.scoping: visible, but read-only for this user
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = error_body(exc)
    return response
