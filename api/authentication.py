"""Token authentication: ``Authorization: Bearer qds_…``. The browser uses its session instead."""

import ipaddress

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from api import selectors, services
from qdsasac.security import client_ip

KEYWORD = "Bearer"


def _address(request) -> str | None:
    """Where the call came from (the same reading as the login audit's), if it is an address at all."""
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class ApiTokenAuthentication(BaseAuthentication):
    """The token's owner is the request's user; ``request.auth`` is the ``ApiToken``.

    No header, or another scheme, leaves the request to the session; a Bearer header that
    does not name a usable token is refused (401), never ignored.
    """

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Authorization 头的格式应为“Bearer <令牌>”。"))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("API 令牌无效。")) from None
        token = selectors.token_for_key(key)
        if token is None:
            raise AuthenticationFailed(_("API 令牌无效。"))
        if not token.is_active:
            raise AuthenticationFailed(_("该 API 令牌已撤销。"))
        if not token.user.is_active:
            raise AuthenticationFailed(_("该令牌所属的账号已停用。"))
        services.token_touch(token=token, ip=_address(request), now=timezone.now())
        return token.user, token

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="api"'
