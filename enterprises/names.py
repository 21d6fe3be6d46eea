"""How a person's name is written: the one rule every page, e-mail, export and API answer uses."""


def person_name(user) -> str:
    """Chinese order, family name then given name with no space ("王玉珍"); the username when
    both are blank; "" for no user. Django's ``get_full_name`` puts the given name first."""
    if user is None:
        return ""
    return f"{user.last_name.strip()}{user.first_name.strip()}" or user.username
