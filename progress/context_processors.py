from progress.reminders.selectors import unread_count


def unread_notifications(request):
    """The header's bell shows how many notices the signed-in user has not read."""
    if not request.user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count(request.user)}
