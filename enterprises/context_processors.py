from enterprises.models import Role
from enterprises.selectors import enterprise_of, role_of


def role(request):
    """The header shows who is signed in, as what, and for which enterprise."""
    user_role = role_of(request.user)
    return {
        "user_role": user_role,
        "user_role_label": Role(user_role).label if user_role else "",
        "user_enterprise": enterprise_of(request.user),
    }
