"""Reads of API tokens."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from api.models import ApiToken
from api.services import TOKEN_PREFIX, digest_of
from enterprises.models import Role
from progress.scoping import manages_all_api_tokens


def token_for_key(key: str) -> ApiToken | None:
    """The token whose key is ``key`` (revoked or not), with its owner and the owner's role, in one query."""
    if not key.startswith(TOKEN_PREFIX) or len(key) > 100:
        return None
    return ApiToken.objects.select_related("user__profile__enterprise").filter(digest=digest_of(key)).first()


def manageable_tokens(user) -> QuerySet[ApiToken]:
    """The tokens ``user`` may see and revoke: their own; SASAC staff everyone's."""
    tokens = ApiToken.objects.select_related("user", "created_by", "revoked_by")
    if manages_all_api_tokens(user):
        return tokens
    return tokens.filter(user=user) if user.is_authenticated else tokens.none()


def token_owners(user) -> QuerySet:
    """Whom ``user`` may make a token for: SASAC staff any active user with a role, others themselves."""
    # A superuser without a profile acts as SASAC staff (enterprises.selectors.role_of).
    users = get_user_model().objects.filter(Q(profile__role__in=Role.values) | Q(is_superuser=True), is_active=True)
    if manages_all_api_tokens(user):
        return users.select_related("profile__enterprise").order_by("username")
    return users.filter(pk=user.pk)
