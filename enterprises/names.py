"""How a person's name is written: the one rule every page, e-mail, export and API answer uses."""


def person_name(user) -> str:
    """Chinese order, family name then given name with no space ("王玉珍"); the username when
    both are blank; "" for no user. A Latin-script name reads as its bearer writes it ("John
    Smith"). Django's ``get_full_name`` puts the given name first."""
    if user is None:
        return ""
    family, given = user.last_name.strip(), user.first_name.strip()
    if family.isascii() and given.isascii() and family and given:
        return f"{given} {family}"  # a Latin-script name keeps its own order and its space
    return f"{family}{given}" or user.username
