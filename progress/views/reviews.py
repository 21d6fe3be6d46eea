"""SASAC's review queue: oldest report first, accept or return with a comment in one step."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from directives.models import Directive
from progress import scoping
from progress.forms.ledger import CommentForm
from progress.orders.selectors import answers_to_review
from progress.selectors import ledger as selectors
from progress.services import ledger as services
from progress.views.ledger import messages_text
from qdsasac.security import next_url

PAGE_SIZE = 50


@login_required
def review_list(request):
    scoping.require_sasac(request.user)
    enterprise = request.GET.get("enterprise", "")
    directive = request.GET.get("directive", "")
    queue = selectors.review_queue(
        scoping.visible_reports(request.user), enterprise=enterprise, directive=directive
    )
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "progress/review_list.html",
        {
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
        error = " ".join(form.errors["comment"])
    else:
        try:
            if decision == "accept":
                services.report_accept(report=report, by=request.user, comment=form.cleaned_data["comment"])
                messages.success(request, _("已审核通过:%(r)s") % {"r": report})
            else:
                services.report_return(report=report, by=request.user, comment=form.cleaned_data["comment"])
                messages.success(request, _("已退回:%(r)s") % {"r": report})
        except services.LedgerError as refused:
            error = str(refused)
    if request.htmx:
        if error:
            # The refusal shows beside the card it belongs to, with what the officer typed.
            context = {"r": report, "error": error, "comment": request.POST.get("comment", "")}
            return render(request, "progress/_review_card.html", {**context, "next": next_url(request, "")})
        # The card leaves the queue; the message travels in a header because the page stays.
        return HttpResponse("", headers={"HX-Trigger": json.dumps({"ledgerSaved": messages_text(request)})})
    if error:
        messages.error(request, error)
    return redirect(next_url(request, reverse("progress:review_list")))
