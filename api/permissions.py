from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from enterprises.selectors import role_of


class HasRole(BasePermission):
    """Signed in (401 otherwise) with a product role (403 otherwise), as every page asks.

    What the user may see and do beyond that is decided per object by ``progress.scoping``.
    """

    message = _("您的账号尚未分配角色,请联系国资委信息化管理员。")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and role_of(request.user) is not None)


class SignedIn(BasePermission):
    """Any signed-in user (their own notifications, who they are)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)
