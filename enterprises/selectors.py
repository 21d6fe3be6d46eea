from django.contrib.auth.models import AnonymousUser, User

from enterprises.models import Enterprise, Profile, Role


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


def liaison_ids(enterprise: Enterprise) -> list[int]:
    """The active liaisons of ``enterprise``: who is told when SASAC decides on its work."""
    return list(
        Profile.objects.filter(role=Role.LIAISON, enterprise=enterprise, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def sasac_staff_ids() -> list[int]:
    """The active SASAC officers: who is told when a liaison asks for a decision."""
    return list(
        Profile.objects.filter(role=Role.SASAC_STAFF, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
