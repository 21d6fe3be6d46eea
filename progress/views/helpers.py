"""What several view modules share: where to go after an action, how a refusal or a conflict
is shown, and the htmx answers that keep the page where it is."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse

from progress import scoping
from progress.models import Milestone
from progress.selectors import ledger as selectors
from progress.services.ledger import LedgerError, VersionConflict, plan_is_approved
from qdsasac.security import next_url


def messages_text(request) -> str:
    """Under htmx the page does not reload: hand the queued messages to the client instead."""
    return " ".join(str(m) for m in messages.get_messages(request))


def conflict_context(form, error: VersionConflict) -> dict:
    """Keep the user's input, show what the other person changed, and arm the form for a deliberate re-save."""
    form.set_version(error.current.version)
    return {"message": str(error), "changes": error.changes, "current": error.current}


def act(request, action, *, done: str) -> bool:
    """Run a service call; say ``done`` or why it was refused (a conflict says the row moved on).
    True when it went through."""
    try:
        action()
    except LedgerError as error:
        messages.error(request, str(error))
        return False
    messages.success(request, done)
    return True


def milestone_url(milestone: Milestone) -> str:
    return reverse("progress:milestone_detail", args=[milestone.pk])


def workspace_url(milestone: Milestone) -> str:
    code = milestone.assignment.enterprise.code
    return reverse("progress:workspace", kwargs={"code": code}) + f"#m-{milestone.pk}"


def saved_response(request, *, extra: dict | None = None) -> HttpResponse:
    """An htmx action done in place: no content, the message (and ``extra`` events) in a header."""
    events = {"ledgerSaved": messages_text(request), **(extra or {})}
    return HttpResponse("", headers={"HX-Trigger": json.dumps(events)})


def refresh_response() -> HttpResponse:
    """Under htmx, reload the page: a refusal then shows where every message shows."""
    return HttpResponse("", headers={"HX-Refresh": "true"})


def row_response(request, milestone: Milestone) -> HttpResponse:
    """The workspace row of ``milestone``, re-rendered after an inline change (htmx)."""
    row = selectors.milestone_row(scoping.visible_milestones(request.user), milestone.pk)
    committed = plan_is_approved(row.assignment.enterprise)
    row.actions = scoping.milestone_actions(request.user, row, committed=committed, pending=row.pending)
    html = render_to_string(
        "progress/_milestone_row.html",
        {
            "m": row,
            "enterprise": row.assignment.enterprise,
            "can_edit": scoping.can_edit_enterprise(request.user, row.assignment.enterprise),
        },
        request=request,
    )
    response = HttpResponse(html)
    response["HX-Retarget"] = f"#m-{milestone.pk}"
    response["HX-Reswap"] = "outerHTML"
    # The page stays: the action's message travels in a header and shows as a toast.
    response["HX-Trigger"] = json.dumps({"ledgerSaved": messages_text(request)})
    return response


def back(request, default: str):
    """After a plain POST: where the form asked to go (if it stays on this site), or ``default``."""
    return redirect(next_url(request, default))
