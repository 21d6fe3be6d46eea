"""Milestones, progress reports and evidence: detail, forms and the workflow steps.

Views parse, authorise through ``progress.scoping``, call a service, and respond. Every
form works as a plain POST + redirect; under htmx the workspace row is swapped in place.
Once a plan is approved, the milestone paths that used to change a commitment file a
request instead (``/edit/`` a change request, ``/withdraw/`` a withdrawal request); SASAC
decides requests here (``/requests/<id>/approve|refuse/``, ``/close/`` for a closure).
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from progress import scoping, workflow
from progress.forecast import forecast_of
from progress.forms.ledger import (
    ChangeRequestForm,
    ClosureRequestForm,
    DecisionForm,
    ExtensionRequestForm,
    MilestoneForm,
    ReasonForm,
    ReportForm,
    VersionForm,
)
from progress.health import HEALTH_LABELS, health_of, today
from progress.ledger_cache import cached_read
from progress.models import Evidence, Milestone, ProgressReport, RequestKind, RequestState, ReviewState
from progress.orders import selectors as order_selectors
from progress.reminders.selectors import urge_panel_context
from progress.selectors import ledger as selectors
from progress.selectors.requests import pending_request, request_card, requests_of_milestone
from progress.services import ledger as services
from progress.services import requests as request_services
from progress.views.helpers import (
    act,
    back,
    conflict_context,
    milestone_url,
    refresh_response,
    row_response,
    saved_response,
    workspace_url,
)
from qdsasac.security import next_url


def _milestone_for(request, milestone_id: int) -> Milestone:
    return scoping.get_milestone_for_user(
        request.user,
        milestone_id,
        Milestone.objects.select_related(
            "assignment__enterprise", "assignment__directive", "latest_report", "accepted_report"
        ),
    )


def milestone_actions(request, milestone: Milestone, pending=None) -> frozenset[str]:
    committed = services.plan_is_approved(milestone.assignment.enterprise)
    return scoping.milestone_actions(request.user, milestone, committed=committed, pending=pending)


def _refusal(milestone: Milestone, pending, action: str) -> str:
    """Why ``action`` is not open to the liaison now, in words a user reads."""
    if pending is not None:
        return _("该时间节点已有待审批的%(kind)s,请等待国资委审批或撤回后再申请。") % {
            "kind": pending.get_kind_display()
        }
    return workflow.refusal(workflow.MILESTONE, milestone.status, action)


@login_required
def milestone_detail(request, milestone_id: int):
    milestone = _milestone_for(request, milestone_id)
    enterprise = milestone.assignment.enterprise
    milestone.health = health_of(milestone)
    milestone.health_label = HEALTH_LABELS[milestone.health]
    can_edit = scoping.can_edit_enterprise(request.user, enterprise)

    def reports() -> list[ProgressReport]:
        found = list(selectors.reports_of_milestone(milestone))
        for report in found:
            report.editable = can_edit and workflow.allows(workflow.REPORT, report.review_state, "edit")
        return found

    requests = requests_of_milestone(milestone)
    pending = next((item for item in requests if item.state == RequestState.PENDING), None)
    if pending is not None:
        pending.milestone = milestone
        milestone.pending_reports = [r for r in reversed(reports()) if r.review_state == ReviewState.PENDING]
    return render(
        request,
        "progress/milestone_detail.html",
        {
            "milestone": milestone,
            "enterprise": enterprise,
            # The same for everyone who may (or may not) edit them; made again after each ledger write.
            "reports_html": cached_read(
                "milestone-reports",
                milestone.pk,
                can_edit,
                compute=lambda: render_to_string("progress/_milestone_reports.html", {"reports": reports()}),
            ),
            "requests": requests,
            "pending": pending,
            "actions": milestone_actions(request, milestone, pending),
            "history_html": cached_read(
                "milestone-history",
                milestone.pk,
                compute=lambda: render_to_string(
                    "progress/_milestone_history.html", {"history": selectors.milestone_history(milestone)}
                ),
            ),
            "urges": urge_panel_context(request.user, milestone),
            "orders": order_selectors.decorate(
                order_selectors.orders_on_milestone(scoping.visible_orders(request.user), milestone), on=today()
            ),
            "can_instruct": scoping.can_write_instruction(request.user),
            "can_issue_order": scoping.is_sasac(request.user),
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
            return redirect(workspace_url(milestone))
    return render(
        request,
        "progress/milestone_form.html",
        {"form": form, "assignment": assignment, "enterprise": assignment.enterprise, "milestone": None},
    )


@login_required
def milestone_edit(request, milestone_id: int):
    """Before the plan is approved the liaison edits; after, the same page files a change request."""
    milestone = _milestone_for(request, milestone_id)
    enterprise = milestone.assignment.enterprise
    scoping.require_edit_enterprise(request.user, enterprise)
    pending = pending_request(milestone)
    committed = services.plan_is_approved(enterprise)
    actions = scoping.milestone_actions(request.user, milestone, committed=committed, pending=pending)
    if "edit" not in actions and "request_change" not in actions:
        messages.error(request, _refusal(milestone, pending, "request" if committed else "edit"))
        return redirect(milestone_url(milestone))
    # The form writes the user's input into its instance; the page keeps showing the saved milestone.
    form_class = ChangeRequestForm if committed else MilestoneForm
    form = form_class(request.POST or None, instance=copy.copy(milestone))
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if committed:
                request_services.request_file(
                    milestone=milestone,
                    by=request.user,
                    kind=RequestKind.CHANGE,
                    reason=data["reason"],
                    changes=form.changes(),
                    expected_version=data["version"],
                )
            else:
                services.milestone_update(
                    milestone=milestone,
                    by=request.user,
                    expected_version=data["version"],
                    **{name: data[name] for name in services.MILESTONE_FIELDS},
                )
        except services.VersionConflict as error:
            conflict = conflict_context(form, error)
        except services.LedgerError as error:
            form.add_error(None, str(error))
        else:
            if committed:
                messages.success(request, _("变更申请已提交,国资委审批同意前时间节点保持不变。"))
            else:
                messages.success(request, _("时间节点已保存。"))
            return back(request, milestone_url(milestone))
    return render(
        request,
        "progress/milestone_form.html",
        {
            "form": form,
            "assignment": milestone.assignment,
            "enterprise": enterprise,
            "milestone": milestone,
            "conflict": conflict,
            "change_request": committed,
        },
    )


@login_required
def milestone_request_extension(request, milestone_id: int):
    """延期申请: a new due date and why; nothing moves until SASAC approves."""
    milestone = _milestone_for(request, milestone_id)
    scoping.require_edit_enterprise(request.user, milestone.assignment.enterprise)
    pending = pending_request(milestone)
    if "request_extension" not in milestone_actions(request, milestone, pending):
        messages.error(request, _refusal(milestone, pending, "request"))
        return redirect(milestone_url(milestone))
    form = ExtensionRequestForm(request.POST or None, milestone=milestone, initial={"version": milestone.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            request_services.request_file(
                milestone=milestone,
                by=request.user,
                kind=RequestKind.EXTENSION,
                reason=form.cleaned_data["reason"],
                changes={"due_date": form.cleaned_data["due_date"]},
                expected_version=form.cleaned_data["version"],
            )
        except services.VersionConflict as error:
            conflict = conflict_context(form, error)
        except services.LedgerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("延期申请已提交,国资委审批同意前时间节点保持不变。"))
            return redirect(milestone_url(milestone))
    return render(
        request,
        "progress/request_form.html",
        {"form": form, "milestone": milestone, "kind": RequestKind.EXTENSION, "conflict": conflict},
    )


@login_required
def milestone_request_closure(request, milestone_id: int):
    """申请销号 with the completion statement and evidence; SASAC verifies in its queue."""
    milestone = _milestone_for(request, milestone_id)
    scoping.require_edit_enterprise(request.user, milestone.assignment.enterprise)
    pending = pending_request(milestone)
    template = "progress/_request_form.html" if request.htmx else "progress/request_form.html"
    if "request_closure" not in milestone_actions(request, milestone, pending):
        refusal = _refusal(milestone, pending, "request_closure")
        if request.htmx and request.method == "GET":
            return render(request, "progress/_report_refused.html", {"message": refusal})
        messages.error(request, refusal)
        if request.htmx:
            return row_response(request, milestone)
        return back(request, milestone_url(milestone))
    form = ClosureRequestForm(request.POST or None, request.FILES or None, initial={"version": milestone.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            request_services.request_file(
                milestone=milestone,
                by=request.user,
                kind=RequestKind.CLOSURE,
                reason=form.cleaned_data["reason"],
                evidence_files=form.cleaned_data["evidence"],
                expected_version=form.cleaned_data["version"],
            )
        except services.VersionConflict as error:
            conflict = conflict_context(form, error)
        except services.LedgerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已申请销号,等待国资委核实。"))
            if request.htmx:
                return row_response(request, milestone)
            return back(request, milestone_url(milestone))
    context = {"form": form, "milestone": milestone, "kind": RequestKind.CLOSURE, "conflict": conflict}
    return render(request, template, context)


@require_POST
@login_required
def milestone_withdraw(request, milestone_id: int):
    """Before approval the liaison withdraws (撤销); after, this files a withdrawal request."""
    milestone = _milestone_for(request, milestone_id)
    scoping.require_edit_enterprise(request.user, milestone.assignment.enterprise)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return back(request, milestone_url(milestone))
    reason, version = form.cleaned_data["reason"], form.cleaned_data["version"]
    if services.plan_is_approved(milestone.assignment.enterprise):
        act(
            request,
            lambda: request_services.request_file(
                milestone=milestone,
                by=request.user,
                kind=RequestKind.WITHDRAWAL,
                reason=reason,
                expected_version=version,
            ),
            done=_("撤销申请已提交,国资委审批同意前时间节点照常跟踪。"),
        )
    else:
        act(
            request,
            lambda: services.milestone_withdraw(
                milestone=milestone, by=request.user, reason=reason, expected_version=version
            ),
            done=_("时间节点已撤销。"),
        )
    return back(request, milestone_url(milestone))


@require_POST
@login_required
def milestone_reopen(request, milestone_id: int):
    milestone = _milestone_for(request, milestone_id)
    scoping.require_sasac(request.user)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写原因。"))
    else:
        act(
            request,
            lambda: services.milestone_reopen(
                milestone=milestone,
                by=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            ),
            done=_("时间节点已重新打开。"),
        )
    return back(request, milestone_url(milestone))


# --- requests -----------------------------------------------------------------------


def _decide(request, pending, *, approve: bool):
    """SASAC decides ``pending`` in one step. Under htmx (the queue) the card leaves, or a refusal
    shows beside it with what the officer typed."""
    form = DecisionForm(request.POST)
    error = ""
    if not form.is_valid():
        error = " ".join(e for errors in form.errors.values() for e in errors)
    else:
        try:
            request_services.request_decide(
                request=pending,
                by=request.user,
                approve=approve,
                comment=form.cleaned_data["comment"],
                shortfall_reason=form.cleaned_data["shortfall_reason"],
                expected_version=form.cleaned_data["version"],
            )
        except services.LedgerError as refused:
            error = str(refused)
        else:
            values = {"k": pending.get_kind_display(), "t": pending.milestone.title}
            if pending.kind == RequestKind.CLOSURE:
                done = _("已核实销号:%(t)s") if approve else _("已不予销号:%(t)s")
            else:
                done = _("已同意%(k)s:%(t)s") if approve else _("已不同意%(k)s:%(t)s")
            messages.success(request, done % values)
    if request.htmx:
        if not error:
            return saved_response(request, extra={"queueChanged": True})
        item = request_card(pending.pk)
        context = {
            "item": item,
            "in_queue": True,
            "actions": frozenset({"decide"} if workflow.allows(workflow.REQUEST, item.state, "approve") else ()),
            "error": error,
            "comment": request.POST.get("comment", ""),
            "shortfall_reason": request.POST.get("shortfall_reason", ""),
            "next": next_url(request, ""),
        }
        return render(request, "progress/_request_card.html", context)
    if error:
        messages.error(request, error)
    return back(request, milestone_url(pending.milestone))


@require_POST
@login_required
def request_decide(request, request_id: int, decision: str):
    pending = scoping.get_request_for_user(request.user, request_id)
    scoping.require_sasac(request.user)
    return _decide(request, pending, approve=decision == "approve")


@require_POST
@login_required
def milestone_close(request, milestone_id: int):
    """核实销号: SASAC verifies the milestone's pending closure request, with a verification note."""
    milestone = _milestone_for(request, milestone_id)
    scoping.require_sasac(request.user)
    pending = pending_request(milestone)
    if pending is None or pending.kind != RequestKind.CLOSURE:
        messages.error(request, _("该时间节点没有待核实的销号申请:销号须由企业申请,国资委核实。"))
        if request.htmx:
            return refresh_response()
        return back(request, milestone_url(milestone))
    return _decide(request, pending, approve=True)


@require_POST
@login_required
def request_cancel(request, request_id: int):
    pending = scoping.get_request_for_user(request.user, request_id)
    scoping.require_edit_enterprise(request.user, pending.milestone.assignment.enterprise)
    form = VersionForm(request.POST)
    form.is_valid()
    act(
        request,
        lambda: request_services.request_cancel(
            request=pending, by=request.user, expected_version=form.cleaned_data.get("version")
        ),
        done=_("已撤回%(k)s。") % {"k": pending.get_kind_display()},
    )
    return back(request, milestone_url(pending.milestone))


# --- reports ------------------------------------------------------------------------


def _report_form_response(request, context: dict, *, status: int = 200):
    template = "progress/_report_form.html" if request.htmx else "progress/report_form.html"
    return render(request, template, context, status=status)


@login_required
def report_create(request, milestone_id: int):
    milestone = _milestone_for(request, milestone_id)
    scoping.require_edit_enterprise(request.user, milestone.assignment.enterprise)
    if not scoping.can_report(request.user, milestone):
        refusal = workflow.refusal(workflow.MILESTONE, milestone.status, "report")
        if request.htmx:
            # The form opens in a modal: answer there, not with a whole page inside it.
            return render(request, "progress/_report_refused.html", {"message": refusal})
        messages.error(request, refusal)
        return redirect(milestone_url(milestone))
    indicators = list(milestone.assignment.directive.indicators.all())
    latest = milestone.latest_report
    initial = {"period": services.current_period(), "progress": latest.progress if latest else 0}
    # 本月待报送 offers to start from last month's report: its text and figures, to be edited.
    previous = latest if request.GET.get("from") == "previous" else None
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
            values = {"p": f"{report.period:%Y-%m}", "late": late}
            messages.success(request, _("已报送 %(p)s 进展%(late)s,国资委审核通过后计入进度。") % values)
            if request.htmx:
                return row_response(request, milestone)
            return back(request, workspace_url(milestone))
    return _report_form_response(
        request, {"form": form, "milestone": milestone, "report": None, "started_from": previous}
    )


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
                return row_response(request, milestone)
            return back(request, milestone_url(milestone))
    elif request.method == "GET" and not workflow.allows(workflow.REPORT, report.review_state, "edit"):
        messages.info(request, _("该报送已审核通过,不能再修改。"))
        return redirect(milestone_url(milestone))
    return _report_form_response(
        request, {"form": form, "milestone": milestone, "report": report, "conflict": conflict}
    )


@login_required
def evidence_download(request, evidence_id: int):
    """Evidence leaves the server only here, after the scoping check; there is no public media URL."""
    return evidence_response(scoping.get_evidence_for_user(request.user, evidence_id))


def evidence_response(evidence: Evidence) -> FileResponse:
    """An evidence file as a private download (the page's and the API's); 404 when the file is gone.

    Call only with evidence fetched through ``progress.scoping``."""
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
