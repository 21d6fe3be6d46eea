"""SASAC's decision queue (审核队列): one page, a tab per kind of decision, oldest first, each
item decided in one step with a comment.

Tabs: reports (accept / return), closure requests (verify with a note / refuse), extension,
change and withdrawal requests (approve / refuse), plans (approve / return, read in place).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from directives.models import Directive
from progress import scoping
from progress.forms.bounds import positive_int
from progress.forms.ledger import CommentForm
from progress.orders.selectors import answers_to_review
from progress.selectors import ledger as selectors
from progress.selectors.queue import TABS, plans_awaiting
from progress.selectors.requests import describe_changes, pending_requests
from progress.services import ledger as services
from progress.views.helpers import back, saved_response
from qdsasac.security import next_url

PAGE_SIZE = 50
TAB_LABELS = {
    "reports": gettext_lazy("待审核报送"),
    "closures": pgettext_lazy("decision queue", "销号申请"),
    "requests": gettext_lazy("延期/变更/撤销申请"),
    "plans": gettext_lazy("待批实施方案"),
}


def _queue(request, tab: str, *, enterprise: str, directive: str):
    user = request.user
    if tab == "plans":
        return plans_awaiting(user, enterprise=enterprise)
    if tab == "reports":
        return selectors.review_queue(scoping.visible_reports(user), enterprise=enterprise, directive=directive)
    queue = pending_requests(scoping.visible_requests(user), closures=tab == "closures")
    if enterprise:
        queue = queue.filter(milestone__assignment__enterprise__code=enterprise)
    if positive_int(directive):
        queue = queue.filter(milestone__assignment__directive_id=positive_int(directive))
    return queue


@login_required
def review_list(request):
    scoping.require_sasac(request.user)
    tab = request.GET.get("tab", "")
    tab = tab if tab in TABS else TABS[0]
    enterprise = request.GET.get("enterprise", "")
    directive = request.GET.get("directive", "")
    page = Paginator(_queue(request, tab, enterprise=enterprise, directive=directive), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if tab in ("closures", "requests"):
        for item in page:
            item.changes = describe_changes(item)
    return render(
        request,
        "progress/review_list.html",
        {
            "tab": tab,
            "tabs": [(key, TAB_LABELS[key]) for key in TABS],
            # Only SASAC opens the queue (checked above), and each item in it waits for its decision.
            "actions": frozenset({"decide"}),
            "page": page,
            "enterprises": scoping.visible_enterprises(request.user).only("code", "short_name"),
            "directives": Directive.objects.filter(assignments__isnull=False)
            .distinct()
            .only("id", "number", "title")
            .order_by("position"),
            "enterprise": enterprise,
            "directive": directive,
            "order_answers": answers_to_review(scoping.visible_orders(request.user)),
        },
    )


@require_POST
@login_required
def report_review(request, report_id: int, decision: str):
    report = scoping.get_report_for_user(request.user, report_id)
    scoping.require_sasac(request.user)
    form = CommentForm(request.POST)
    error = ""
    if not form.is_valid():
        error = " ".join(e for errors in form.errors.values() for e in errors)
    else:
        review = services.report_accept if decision == "accept" else services.report_return
        try:
            review(
                report=report,
                by=request.user,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            )
        except services.LedgerError as refused:
            error = str(refused)
        else:
            done = _("已审核通过:%(r)s") if decision == "accept" else _("已退回:%(r)s")
            messages.success(request, done % {"r": report})
    if request.htmx:
        if error:
            # The refusal shows beside the card it belongs to, with what the officer typed.
            report.refresh_from_db()
            context = {"r": report, "error": error, "comment": request.POST.get("comment", "")}
            return render(request, "progress/_review_card.html", {**context, "next": next_url(request, "")})
        # The card leaves the queue; the message travels in a header because the page stays.
        return saved_response(request, extra={"queueChanged": True})
    if error:
        messages.error(request, error)
    return back(request, reverse("progress:review_list"))
