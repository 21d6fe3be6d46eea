"""Every answer under /api/v1/ is JSON, also when it comes from outside the API's views.

The site's own guards answer before any view with an HTML page meant for a person: a NUL byte
in the query (400), a body over the size limit (413), an unexpected error (500). Under the
API those pages become the API's error shape, with a translated message. The docs page, the
one page of the API that people open, keeps the site's pages.
"""

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _


def _error(status: int) -> tuple[str, str]:
    """(code, message) for an error status."""
    if status == 413:
        limit = round(settings.REQUEST_BODY_MAX_BYTES / 1024 / 1024, 1)
        return "too_large", _("请求内容超过上限(%(mb)s MB),系统未处理,也未更改任何内容。") % {"mb": limit}
    if status >= 500:
        return "server_error", _("服务器出错,请求未完成,也未更改任何内容。请稍后重试;如仍出错,请联系系统管理员。")
    return "invalid", _("请求无效,系统未处理,也未更改任何内容。")


class JsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = self.docs = None

    def __call__(self, request):
        response = self.get_response(request)
        if self.prefix is None:
            self.prefix, self.docs = reverse("api:root"), reverse("api:docs")
        if (
            response.status_code >= 400
            and request.path.startswith(self.prefix)
            and request.path != self.docs
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _error(response.status_code)
            return JsonResponse(
                {"detail": message, "code": code, "field": None, "errors": []},
                status=response.status_code,
                json_dumps_params={"ensure_ascii": False},
            )
        return response
