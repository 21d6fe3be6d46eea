from django.contrib.auth.models import AnonymousUser, User

from enterprises.models import Enterprise, Role


def role_of(user: User | AnonymousUser) -> str | None:
    """The user's product role, or None for anonymous users and users with no profile.

    Superusers without a profile act as SASAC staff so IT can look around.
    """
    if not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    if profile is not None:
        return profile.role
    return Role.SASAC_STAFF if user.is_superuser else None


def enterprise_of(user: User | AnonymousUser) -> Enterprise | None:
    """The enterprise a liaison speaks for; None for everyone else."""
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    return profile.enterprise if profile is not None else None
