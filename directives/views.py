"""The notice (/notice/): every clause, in the notice's order, linked to its directive page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from directives.selectors import current_notice, notice_outline


@login_required
@require_GET
def notice(request):
    """Every signed-in user may read the notice: it is the public document all the work comes from."""
    document = current_notice()
    return render(
        request,
        "directives/notice_detail.html",
        {"notice": document, "outline": notice_outline(document) if document else []},
    )
