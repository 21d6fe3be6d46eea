"""Requests SASAC decides: extension (延期), change (变更), withdrawal (撤销) and closure (销号).

Once an enterprise's plan is approved, its liaison never moves a milestone's commitments
itself: it files a request, nothing changes until SASAC approves it, and the request keeps
the original values beside the ones asked for. Closure is always a request: the liaison asks
with a completion statement and evidence, SASAC verifies with a verification note (核验意见).
Closing never rewrites the milestone's progress; a milestone whose accepted progress is below
100 % closes only with an explicit reason, and never while reports on it await review.

Same contract as ``progress.services.ledger``: keyword-only, authorised by the caller through
``progress.scoping``, one transaction, ``LedgerError`` / ``VersionConflict`` for refusals.
"""

from collections.abc import Iterable, Mapping

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from progress import workflow
from progress.forecast import store_forecast_at_risk
from progress.history_reasons import stored_reason
from progress.models import Milestone, MilestoneRequest, RequestKind, ReviewState
from progress.selectors.requests import as_json, pending_request, proposed_values
from progress.services import notices
from progress.services.ledger import (
    LedgerError,
    _record_plan_revision,
    advance,
    check_version,
    discard_files,
    lock_milestone,
    plan_is_approved,
    save_with_history,
    store_evidence,
)

# What a change request (变更申请) may ask for; the due date moves only by an extension.
CHANGE_FIELDS = ("title", "description", "start_date", "responsible_person")
# The request kinds that exist only because the plan is approved (before it, the liaison edits).
COMMITMENT_KINDS = (RequestKind.EXTENSION, RequestKind.CHANGE, RequestKind.WITHDRAWAL)


def _refuse_if_pending(milestone: Milestone) -> None:
    pending = pending_request(milestone)
    if pending is not None:
        raise LedgerError(
            _("该时间节点已有待审批的%(kind)s(%(at)s 提出),请等待国资委审批或撤回后再申请。")
            % {"kind": pending.get_kind_display(), "at": timezone.localtime(pending.filed_at).strftime("%Y-%m-%d")}
        )


def _proposal(milestone: Milestone, kind: str, changes: Mapping[str, object]) -> dict:
    """Check what the request asks for against the milestone as it stands; return only what changes."""
    if kind == RequestKind.EXTENSION:
        due = changes.get("due_date")
        if due is None:
            raise LedgerError(_("延期申请须填写延期后的时间节点。"))
        if due <= milestone.due_date:
            raise LedgerError(_("延期后的时间节点须晚于当前时间节点(%(d)s)。") % {"d": milestone.due_date.isoformat()})
        return {"due_date": due}
    if kind == RequestKind.CHANGE:
        unknown = set(changes) - set(CHANGE_FIELDS)
        if "due_date" in unknown:
            raise LedgerError(_("时间节点的调整须提交延期申请。"))
        if unknown:
            raise TypeError(f"a change request cannot change {sorted(unknown)}")
        proposed = {name: value for name, value in changes.items() if getattr(milestone, name) != value}
        if not proposed:
            raise LedgerError(_("申请内容与当前时间节点相同,没有需要变更的内容。"))
        if proposed.get("start_date", milestone.start_date) > milestone.due_date:
            raise LedgerError(_("开始日期不能晚于时间节点(%(d)s)。") % {"d": milestone.due_date.isoformat()})
        return proposed
    return {}


def request_file(
    *,
    milestone: Milestone,
    by,
    kind: str,
    reason: str,
    expected_version: int | None,
    changes: Mapping[str, object] | None = None,
    evidence_files: Iterable[UploadedFile] = (),
) -> MilestoneRequest:
    """File a request about ``milestone`` (``expected_version`` is the milestone's): SASAC staff are told.

    ``changes``: for an extension ``{"due_date": date}``, for a change some of ``CHANGE_FIELDS``.
    A closure request carries the completion statement as ``reason`` and ``evidence_files``.
    """
    if not reason.strip():
        raise LedgerError(_("申请销号须填写完成情况说明。") if kind == RequestKind.CLOSURE else _("申请须填写理由。"))
    stored: list[str] = []
    try:
        with transaction.atomic():
            milestone = lock_milestone(milestone)
            closure = kind == RequestKind.CLOSURE
            target = advance(workflow.MILESTONE, milestone, "request_closure" if closure else "request", field="status")
            check_version(milestone, expected_version)
            if kind in COMMITMENT_KINDS and not plan_is_approved(milestone.assignment.enterprise):
                raise LedgerError(_("实施方案尚未批准,可直接修改或撤销该时间节点,无需申请。"))
            _refuse_if_pending(milestone)
            proposed = _proposal(milestone, kind, changes or {})
            request = MilestoneRequest(
                milestone=milestone,
                kind=kind,
                reason=reason.strip(),
                original={name: as_json(getattr(milestone, name)) for name in proposed},
                proposed={name: as_json(value) for name, value in proposed.items()},
                filed_by=by,
                filed_at=timezone.now(),
            )
            save_with_history(request, by=by, reason=stored_reason(gettext_noop("提出%(kind)s"), kind=request.kind))
            for file in evidence_files:
                store_evidence(request=request, by=by, file=file, stored=stored)
            if target != milestone.status:
                milestone.status = target
                milestone.version += 1
                save_with_history(
                    milestone, by=by, reason=stored_reason(gettext_noop("申请销号:%(r)s"), r=request.reason)
                )
            notices.request_filed(request)
            return request
    except BaseException:
        discard_files(stored)
        raise


def _lock_request(request: MilestoneRequest) -> tuple[Milestone, MilestoneRequest]:
    # Milestone first, then request: the order every ledger writer locks in.
    milestone = lock_milestone(request.milestone)
    request = MilestoneRequest.objects.select_for_update().get(pk=request.pk)
    request.milestone = milestone
    return milestone, request


def _close(milestone: Milestone, request: MilestoneRequest, *, by, note: str, shortfall_reason: str) -> str:
    """Verify the closure: the reported progress stays as accepted."""
    if not note:
        raise LedgerError(_("核实销号须填写核验意见。"))
    pending = list(
        milestone.reports.filter(review_state=ReviewState.PENDING).order_by("period").values_list("period", flat=True)
    )
    if pending:
        raise LedgerError(
            _("该时间节点还有 %(n)s 份待审核的报送(%(periods)s),请先审核这些报送,再核实销号。")
            % {"n": len(pending), "periods": _("、").join(p.strftime("%Y-%m") for p in pending)}
        )
    if milestone.progress < 100 and not shortfall_reason:
        raise LedgerError(
            _("该时间节点经审核的进度为 %(p)s%%,未达到 100%%:须说明按此进度销号的理由。") % {"p": milestone.progress}
        )
    milestone.status = advance(workflow.MILESTONE, milestone, "close", field="status")
    milestone.closed_at, milestone.closed_by = timezone.now(), by
    request.shortfall_reason = shortfall_reason if milestone.progress < 100 else ""
    return stored_reason(gettext_noop("核实销号:%(note)s"), note=note)


def _approve(milestone: Milestone, request: MilestoneRequest, *, by, comment: str, shortfall_reason: str) -> str:
    """Apply what the request asks for to the locked milestone; the history reason."""
    if request.kind == RequestKind.CLOSURE:
        return _close(milestone, request, by=by, note=comment, shortfall_reason=shortfall_reason)
    reason = stored_reason(
        gettext_noop("同意%(kind)s:%(comment)s"), kind=request.kind, comment=comment or request.reason
    )
    if request.kind == RequestKind.WITHDRAWAL:
        milestone.status = advance(workflow.MILESTONE, milestone, "withdraw", field="status")
        milestone.withdrawn_reason = request.reason
    else:
        advance(
            workflow.MILESTONE,
            milestone,
            "extend" if request.kind == RequestKind.EXTENSION else "change",
            field="status",
        )
        values = proposed_values(request)
        if values.get("due_date", milestone.due_date) < values.get("start_date", milestone.start_date):
            raise LedgerError(_("时间节点不能早于开始日期。"))
        for name, value in values.items():
            setattr(milestone, name, value)
        if request.kind == RequestKind.EXTENSION:
            milestone.extension_count += 1
    # The approved plan's timetable changed: one recorded revision, in SASAC's name.
    _record_plan_revision(enterprise=milestone.assignment.enterprise, by=by, note=reason)
    return reason


def request_decide(
    *,
    request: MilestoneRequest,
    by,
    approve: bool,
    comment: str,
    expected_version: int | None,
    shortfall_reason: str = "",
) -> MilestoneRequest:
    """SASAC approves or refuses a pending request (``expected_version`` is the request's).

    Refusing needs a comment; verifying a closure needs a verification note (``comment``), and
    ``shortfall_reason`` when the accepted progress is below 100 %. The liaisons are told.
    """
    comment, shortfall_reason = comment.strip(), shortfall_reason.strip()
    with transaction.atomic():
        milestone, request = _lock_request(request)
        closure = request.kind == RequestKind.CLOSURE
        state = advance(workflow.REQUEST, request, "approve" if approve else "refuse", field="state")
        check_version(request, expected_version)
        request.state = state
        if approve:
            reason = _approve(milestone, request, by=by, comment=comment, shortfall_reason=shortfall_reason)
        else:
            if not comment:
                raise LedgerError(_("不予销号须填写核验意见。") if closure else _("不同意须填写审批意见。"))
            if closure:
                milestone.status = advance(workflow.MILESTONE, milestone, "refuse_closure", field="status")
            reason = stored_reason(gettext_noop("不同意%(kind)s:%(comment)s"), kind=request.kind, comment=comment)
        request.decided_by, request.decided_at, request.decision_comment = by, timezone.now(), comment
        request.version += 1
        save_with_history(request, by=by, reason=reason)
        if approve or closure:
            milestone.version += 1
            save_with_history(milestone, by=by, reason=reason)
            # The forecast judges the pace against the start and due dates.
            store_forecast_at_risk(milestone)
        notices.request_decided(request)
        return request


def request_cancel(*, request: MilestoneRequest, by, expected_version: int | None) -> MilestoneRequest:
    """The liaison takes back its own pending request; a closure request leaves the milestone open again."""
    with transaction.atomic():
        milestone, request = _lock_request(request)
        request.state = advance(workflow.REQUEST, request, "cancel", field="state")
        check_version(request, expected_version)
        request.decided_by, request.decided_at = by, timezone.now()
        request.version += 1
        reason = stored_reason(gettext_noop("撤回%(kind)s"), kind=request.kind)
        save_with_history(request, by=by, reason=reason)
        if request.kind == RequestKind.CLOSURE:
            milestone.status = advance(workflow.MILESTONE, milestone, "cancel_closure", field="status")
            milestone.version += 1
            save_with_history(milestone, by=by, reason=reason)
        return request
