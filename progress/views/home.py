from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from enterprises.selectors import enterprise_of, role_of
from progress import scoping
from progress.health import HEALTH_COLOURS, HEALTH_LABELS, WITHDRAWN
from progress.ledger_cache import cached_read
from progress.selectors.ledger import plan_of
from progress.selectors.overview import enterprises_by_overdue, overview_for


@login_required
def home(request):
    """Each role lands on what it works with: SASAC and leaders the city, a liaison its enterprise."""
    user = request.user
    context = cached_read("home", scoping.cache_scope(user), compute=lambda: _home_figures(user))
    context["has_role"] = role_of(user) is not None
    context["long_silent_months"] = settings.LONG_SILENT_MONTHS
    enterprise = enterprise_of(user)
    if enterprise is not None:
        context["enterprise"] = enterprise
        context["plan"] = plan_of(enterprise)
    return render(request, "progress/home.html", context)


def _home_figures(user) -> dict:
    """The home page's counts and lists, cached until the ledger changes (``progress.ledger_cache``)."""
    overview = overview_for(user)
    figures = {
        "overview": overview,
        "health_cards": [
            {"key": key, "label": str(HEALTH_LABELS[key]), "colour": HEALTH_COLOURS[key], "count": count}
            for key, count in overview["health_counts"].items()
            if key != WITHDRAWN
        ],
    }
    if scoping.sees_everything(user):
        figures["enterprises_by_overdue"] = enterprises_by_overdue(user)
    return figures
