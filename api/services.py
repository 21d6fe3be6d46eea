"""Writes of API tokens. Callers authorise first (``api.selectors.manageable_tokens`` and
``progress.scoping.can_manage_api_tokens_of``); every function is one transaction."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from api.models import ApiToken

# Keys read as ours at a glance (in a log, a leaked config file): qds_ + 43 URL-safe characters.
TOKEN_PREFIX = "qds_"
SHOWN_CHARACTERS = 12


class TokenError(Exception):
    """A token change the rules refuse; ``str(error)`` is the user-facing reason."""


def digest_of(key: str) -> str:
    """Keys are 256 random bits, so one SHA-256 (no salt, no stretching) keeps them safe at rest."""
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, owner, name: str, by) -> tuple[ApiToken, str]:
    """Make a token for ``owner``; returns it with its key, which exists nowhere else afterwards."""
    name = name.strip()
    if not name:
        raise TokenError(_("请为令牌命名,例如“COSMOPlat 台账同步”。"))
    with transaction.atomic():
        # Lock the owner's row: two simultaneous requests cannot both pass the count.
        list(get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk"))
        active = ApiToken.objects.filter(user=owner, revoked_at__isnull=True).count()
        if active >= settings.API_TOKENS_PER_USER:
            raise TokenError(
                _("每个用户最多持有 %(n)s 个有效令牌,请先撤销不再使用的令牌。") % {"n": settings.API_TOKENS_PER_USER}
            )
        key = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=owner, name=name, prefix=key[:SHOWN_CHARACTERS], digest=digest_of(key), created_by=by
        )
        return token, key


def token_revoke(*, token: ApiToken, by, now: datetime.datetime) -> bool:
    """Revoke ``token``; False when it already was (the first revocation's who and when stay)."""
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=by)
    return changed == 1


def token_touch(*, token: ApiToken, ip: str | None, now: datetime.datetime) -> None:
    """Record a use, at most once per ``API_TOKEN_TOUCH_SECONDS``: a busy client costs no write per request."""
    window = datetime.timedelta(seconds=settings.API_TOKEN_TOUCH_SECONDS)
    if token.last_used_at is not None and now - token.last_used_at < window and token.last_used_ip == ip:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - window) | ~Q(last_used_ip=ip)
    ).update(last_used_at=now, last_used_ip=ip)
