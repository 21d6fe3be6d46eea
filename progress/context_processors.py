from django.utils.functional import SimpleLazyObject

from progress.ledger_cache import cached_read
from progress.reminders.selectors import unread_count
from progress.scoping import cache_scope, is_sasac
from progress.selectors.queue import decision_counts


def unread_notifications(request):
    """The header's bell shows how many notices the signed-in user has not read."""
    if not request.user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count(request.user)}


def decision_queue(request):
    """SASAC's header and home page show what waits for its decision, per queue tab: one query
    (cached until the ledger changes), run only when a template reads it (a partial page does not)."""
    if not request.user.is_authenticated or not is_sasac(request.user):
        return {"queue_counts": None}
    user = request.user
    return {
        "queue_counts": SimpleLazyObject(
            lambda: cached_read("decision-counts", cache_scope(user), compute=lambda: decision_counts(user))
        )
    }
