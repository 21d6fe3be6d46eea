"""Milestones, progress reports and evidence: detail, forms and the workflow steps.

Views parse, authorise through ``progress.scoping``, call a service, and respond. Every
form works as a plain POST + redirect; under htmx the workspace row is swapped in place.
"""

import copy
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from progress import scoping
from progress.forecast import forecast_of
from progress.forms.ledger import MilestoneForm, ReasonForm, ReportForm
from progress.health import today
from progress.models import Milestone, MilestoneStatus, ProgressReport, ReviewState
from progress.orders import selectors as order_selectors
from progress.reminders.selectors import urge_panel_context
from progress.selectors import ledger as selectors
from progress.services import ledger as services
from qdsasac.security import next_url


def conflict_context(form, error: services.VersionConflict) -> dict:
    """Keep the user's input, show what the other person changed, and arm the form for a deliberate re-save."""
    form.set_version(error.current.version)
    return {"message": str(error), "changes": error.changes, "current": error.current}


def _workspace_url(milestone: Milestone) -> str:
    code = milestone.assignment.enterprise.code
    return reverse("progress:workspace", kwargs={"code": code}) + f"#m-{milestone.pk}"


def _milestone_for(request, milestone_id: int) -> Milestone:
    return scoping.get_milestone_for_user(
        request.user,
        milestone_id,
        Milestone.objects.select_related("assignment__enterprise", "assignment__directive", "latest_report"),
    )


def _row_response(request, milestone: Milestone) -> HttpResponse:
    """The workspace row of ``milestone``, re-rendered after an inline change (htmx)."""
    row = selectors.milestone_row(scoping.visible_milestones(request.user), milestone.pk)
    html = render_to_string(
        "progress/_milestone_row.html",
        {
            "m": row,
            "enterprise": row.assignment.enterprise,
            "can_edit": scoping.can_edit_enterprise(request.user, row.assignment.enterprise),
            "is_sasac": scoping.is_sasac(request.user),
        },
        request=request,
    )
    response = HttpResponse(html)
    response["HX-Retarget"] = f"#m-{milestone.pk}"
    response["HX-Reswap"] = "outerHTML"
    # The page stays: the action's message travels in a header and shows as a toast.
    response["HX-Trigger"] = json.dumps({"ledgerSaved": messages_text(request)})
    return response


@login_required
def milestone_detail(request, milestone_id: int):
    milestone = _milestone_for(request, milestone_id)
    enterprise = milestone.assignment.enterprise
    return render(
        request,
        "progress/milestone_detail.html",
        {
            "milestone": milestone,
            "enterprise": enterprise,
            "health": selectors.milestone_row(scoping.visible_milestones(request.user), milestone.pk),
            "reports": selectors.reports_of_milestone(milestone),
            "history": selectors.milestone_history(milestone),
            "can_edit": scoping.can_edit_enterprise(request.user, enterprise),
            "can_report": scoping.can_report(request.user, milestone),
            "is_sasac": scoping.is_sasac(request.user),
            "urges": urge_panel_context(request.user, milestone),
            "orders": order_selectors.decorate(
                order_selectors.orders_on_milestone(scoping.visible_orders(request.user), milestone), on=today()
            ),
            "can_instruct": scoping.can_write_instruction(request.user),
            "instruct_query": f"milestone={milestone.pk}",
            "forecast": forecast_of(milestone),
        },
    )


@login_required
def milestone_create(request, assignment_id: int):
    assignment = scoping.get_assignment_for_user(request.user, assignment_id)
    scoping.require_edit_enterprise(request.user, assignment.enterprise)
    require_revision = services.plan_is_approved(assignment.enterprise)
    form = MilestoneForm(request.POST or None, require_revision=require_revision)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            milestone = services.milestone_create(
                assignment=assignment,
                by=request.user,
                revision_note=data.get("revision_note", ""),
                **{name: data[name] for name in services.MILESTONE_FIELDS},
            )
        except services.LedgerError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已新建时间节点“%(t)s”。") % {"t": milestone.title})
            return redirect(_workspace_url(milestone))
    return render(
        request,
        "progress/milestone_form.html",
        {"form": form, "assignment": assignment, "enterprise": assignment.enterprise, "milestone": None},
    )


@login_required
def milestone_edit(request, milestone_id: int):
    milestone = _milestone_for(request, milestone_id)
    enterprise = milestone.assignment.enterprise
    scoping.require_edit_enterprise(request.user, enterprise)
    if milestone.status in (MilestoneStatus.CLOSED, MilestoneStatus.WITHDRAWN):
        messages.error(request, _("已销号或已撤销的时间节点不能修改。"))
        return redirect("progress:milestone_detail", milestone_id=milestone.pk)
    # The form writes the user's input into its instance; the page keeps showing the saved milestone.
    form = MilestoneForm(
        request.POST or None, instance=copy.copy(milestone), require_revision=services.plan_is_approved(enterprise)
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.milestone_update(
                milestone=milestone,
                by=request.user,
                expected_version=data["version"],
                revision_note=data.get("revision_note", ""),
                **{name: data[name] for name in services.MILESTONE_FIELDS},
            )
        except services.VersionConflict as error:
            conflict = conflict_context(form, error)
        except services.LedgerError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("时间节点已保存。"))
            return redirect(next_url(request, reverse("progress:milestone_detail", args=[milestone.pk])))
    return render(
        request,
        "progress/milestone_form.html",
        {
            "form": form,
            "assignment": milestone.assignment,
            "enterprise": enterprise,
            "milestone": milestone,
            "conflict": conflict,
        },
    )


def _reason_step(request, milestone_id: int, *, sasac: bool, action, done: str):
    milestone = _milestone_for(request, milestone_id)
    if sasac:
        scoping.require_sasac(request.user)
    else:
        scoping.require_edit_enterprise(request.user, milestone.assignment.enterprise)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
    else:
        try:
            action(milestone=milestone, by=request.user, reason=form.cleaned_data["reason"])
        except services.LedgerError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
    return redirect(next_url(request, reverse("progress:milestone_detail", args=[milestone.pk])))


@require_POST
@login_required
def milestone_withdraw(request, milestone_id: int):
    return _reason_step(
        request, milestone_id, sasac=False, action=services.milestone_withdraw, done=_("时间节点已撤销。")
    )


@require_POST
@login_required
def milestone_reopen(request, milestone_id: int):
    return _reason_step(
        request, milestone_id, sasac=True, action=services.milestone_reopen, done=_("时间节点已重新打开。")
    )


@require_POST
@login_required
def milestone_request_closure(request, milestone_id: int):
    milestone = _milestone_for(request, milestone_id)
    scoping.require_edit_enterprise(request.user, milestone.assignment.enterprise)
    try:
        services.milestone_request_closure(milestone=milestone, by=request.user)
    except services.LedgerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已申请销号,等待国资委核实。"))
    if request.htmx:
        return _row_response(request, milestone)
    return redirect(next_url(request, reverse("progress:milestone_detail", args=[milestone.pk])))


@require_POST
@login_required
def milestone_close(request, milestone_id: int):
    milestone = _milestone_for(request, milestone_id)
    scoping.require_sasac(request.user)
    try:
        services.milestone_close(milestone=milestone, by=request.user)
    except services.LedgerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("时间节点已销号。"))
    if request.htmx:
        return _row_response(request, milestone)
    return redirect(next_url(request, reverse("progress:milestone_detail", args=[milestone.pk])))


# --- reports ------------------------------------------------------------------------


def _report_form_response(request, context: dict, *, status: int = 200):
    template = "progress/_report_form.html" if request.htmx else "progress/report_form.html"
    return render(request, template, context, status=status)


@login_required
def report_create(request, milestone_id: int):
    milestone = _milestone_for(request, milestone_id)
    scoping.require_edit_enterprise(request.user, milestone.assignment.enterprise)
    if not scoping.can_report(request.user, milestone):
        refusal = _("只有进行中的时间节点可以报送进展。")
        if request.htmx:
            # The form opens in a modal: answer there, not with a whole page inside it.
            return render(request, "progress/_report_refused.html", {"message": refusal})
        messages.error(request, refusal)
        return redirect("progress:milestone_detail", milestone_id=milestone.pk)
    indicators = list(milestone.assignment.directive.indicators.all())
    initial = {"period": services.current_period(), "progress": milestone.progress}
    # 本月待报送 offers to start from last month's report: its text and figures, to be edited.
    previous = milestone.latest_report if request.GET.get("from") == "previous" else None
    if previous is not None:
        initial.update({name: getattr(previous, name) for name in services.REPORT_FIELDS})
        initial.update(
            {ReportForm.indicator_field(value.indicator): value.value for value in previous.indicator_values.all()}
        )
    form = ReportForm(request.POST or None, request.FILES or None, indicators=indicators, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_file(
                milestone=milestone,
                by=request.user,
                period=form.cleaned_data["period"],
                indicator_values=form.indicator_values(),
                evidence_files=form.cleaned_data["evidence"],
                **form.report_changes(),
            )
        except services.LedgerError as error:
            form.add_error(None, str(error))
        else:
            late = _("(逾期报送)") if report.is_late else ""
            messages.success(request, _("已报送 %(p)s 进展%(late)s。") % {"p": f"{report.period:%Y-%m}", "late": late})
            if request.htmx:
                return _row_response(request, milestone)
            return redirect(next_url(request, _workspace_url(milestone)))
    return _report_form_response(
        request, {"form": form, "milestone": milestone, "report": None, "started_from": previous}
    )


def messages_text(request) -> str:
    """Under htmx the page does not reload: hand the queued messages to the client instead."""
    return " ".join(str(m) for m in messages.get_messages(request))


@login_required
def report_edit(request, report_id: int):
    report = scoping.get_report_for_user(
        request.user,
        report_id,
        ProgressReport.objects.select_related(
            "milestone__assignment__enterprise", "milestone__assignment__directive", "reviewed_by"
        ),
    )
    milestone = report.milestone
    scoping.require_edit_enterprise(request.user, milestone.assignment.enterprise)
    indicators = list(milestone.assignment.directive.indicators.all())
    form = ReportForm(request.POST or None, request.FILES or None, instance=copy.copy(report), indicators=indicators)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.report_update(
                report=report,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                indicator_values=form.indicator_values(),
                evidence_files=form.cleaned_data["evidence"],
                **form.report_changes(),
            )
        except services.VersionConflict as error:
            conflict = conflict_context(form, error)
        except services.LedgerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("报送已保存,等待国资委审核。"))
            if request.htmx:
                return _row_response(request, milestone)
            return redirect(next_url(request, reverse("progress:milestone_detail", args=[milestone.pk])))
    elif request.method == "GET" and report.review_state == ReviewState.ACCEPTED:
        messages.info(request, _("该报送已审核通过,不能再修改。"))
        return redirect("progress:milestone_detail", milestone_id=milestone.pk)
    return _report_form_response(
        request, {"form": form, "milestone": milestone, "report": report, "conflict": conflict}
    )


@login_required
def evidence_download(request, evidence_id: int):
    """Evidence leaves the server only here, after the scoping check; there is no public media URL."""
    evidence = scoping.get_evidence_for_user(request.user, evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
