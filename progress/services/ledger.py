"""Writes of the ledger (台账) workflow: plans, milestones, reports, evidence, reviews.

Every function is keyword-only, assumes its caller has authorised the user through
``progress.scoping``, and does the whole change in one transaction. Which state an action
may start from is the transitions table's (``progress.workflow``); a change the rules refuse
raises ``LedgerError`` (its message is shown to the user as it is) and leaves the database and
the evidence directory as they were. Requests SASAC decides (延期、变更、撤销、销号) are in
``progress.services.requests``; whom each event tells is ``progress.services.notices``.

Concurrent edits: plans, milestones, reports and requests carry ``version``. The caller passes
the version its form was built from; the row is locked, the versions are compared, and a stale
save, or one that carried no version, raises ``VersionConflict`` listing what the other person
changed.

What leaders see is what SASAC accepted: ``Milestone.progress`` and its risk flag are the newest
accepted report's. A milestone also stores facts about its reports so the board and the charts
read columns instead of the whole ledger (``latest_report`` with its ``latest_report_at`` and
``latest_review_state``, ``accepted_report``, ``forecast_at_risk``, and
``IndicatorValue.is_latest``). These services keep them true, explicitly and in the same
transaction as the write that changes them; the admin calls ``milestone_refresh_derived``
after a repair. Nothing else writes them.
"""

import calendar
import datetime
import hashlib
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from directives.models import Assignment, Indicator
from enterprises.models import Enterprise
from progress import workflow
from progress.forecast import store_forecast_at_risk
from progress.history_reasons import stored_reason
from progress.ledger_cache import ledger_changed
from progress.models import (
    Evidence,
    ImplementationPlan,
    IndicatorValue,
    Milestone,
    MilestoneStatus,
    PlanStatus,
    ProgressReport,
    ReminderRule,
    ReportingPeriod,
    ReviewState,
)
from progress.selectors.display import field_display
from progress.services import notices
from progress.services.errors import LedgerError
from progress.services.evidence import check_evidence_file
from progress.services.indicators import refresh_latest_indicator_values


@dataclass(frozen=True)
class FieldChange:
    label: str
    theirs: str
    yours: str


class VersionConflict(LedgerError):
    """Someone saved the row after the user opened the form; nothing was written."""

    def __init__(self, *, current, changes: list[FieldChange]):
        self.current = current
        self.changes = changes
        super().__init__(_("保存未成功:在您编辑期间,他人已修改了这条记录。您的内容仍保留在表单中,请核对后再保存。"))


# --- evidence files (types and checks: progress.services.evidence) -------------------


def store_evidence(
    *, by, file: UploadedFile, stored: list[str], report: ProgressReport | None = None, request=None
) -> Evidence:
    """Keep one checked file as evidence of ``report`` or of a closure ``request``; its storage
    name goes into ``stored`` so the caller can remove it if the transaction fails."""
    content_type = check_evidence_file(file)
    ext = os.path.splitext(file.name)[1].lower()
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    evidence = Evidence(
        report=report,
        request=request,
        original_name=os.path.basename(file.name)[:255],
        content_type=content_type,
        size=file.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    # The stored name is ours (uuid + extension): nothing the user typed reaches the disk path.
    evidence.file.save(f"{uuid.uuid4().hex}{ext}", file, save=False)
    stored.append(evidence.file.name)
    evidence.save()
    return evidence


def discard_files(names: Iterable[str]) -> None:
    storage = Evidence._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


# --- helpers ------------------------------------------------------------------------


def current_period() -> datetime.date:
    """The first day of this month in Asia/Shanghai."""
    return timezone.localdate().replace(day=1)


def report_deadline(period: datetime.date) -> datetime.date:
    """The last on-time day for ``period``: report_day + grace days of the following month."""
    rule = ReminderRule.objects.order_by("pk").first()
    report_day, grace = (rule.report_day, rule.report_grace_days) if rule else (25, 3)
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    day = min(report_day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day) + datetime.timedelta(days=grace)


def period_is_closed(period: datetime.date) -> bool:
    return ReportingPeriod.objects.filter(month=period, closed_at__isnull=False).exists()


def check_version(locked, expected_version: int | None, changes: Mapping[str, object] | None = None) -> None:
    """Refuse a write made from a stale form. A form that carried no version (None) is stale too:
    nothing is ever overwritten without the writer having seen what they overwrite."""
    if expected_version is not None and locked.version == expected_version:
        return
    diff = [
        FieldChange(
            label=str(locked._meta.get_field(name).verbose_name),
            theirs=field_display(locked, name, getattr(locked, name)),
            yours=field_display(locked, name, value),
        )
        for name, value in (changes or {}).items()
        if getattr(locked, name) != value
    ]
    raise VersionConflict(current=locked, changes=diff)


def advance(machine: str, instance, action: str, *, field: str) -> str:
    """The state ``action`` moves ``instance`` to (``progress.workflow``); LedgerError if not allowed."""
    state = getattr(instance, field)
    target = workflow.next_state(machine, state, action)
    if target is None:
        raise LedgerError(workflow.refusal(machine, state, action))
    return target


def save_with_history(instance, *, by, reason: str = "") -> None:
    """Save ``instance`` as a new version, recording who did it and why in its history."""
    instance._history_user = by
    if reason:
        instance._change_reason = reason
    instance.save()


def _bump_revision(plan: ImplementationPlan, *, by, note: str) -> None:
    """Record one revision of an approved plan (``revision`` and ``version`` go up) with its note."""
    plan.revision += 1
    plan.version += 1
    save_with_history(
        plan, by=by, reason=stored_reason(gettext_noop("第%(n)s次修订:%(note)s"), n=plan.revision, note=note.strip())
    )


def _record_plan_revision(*, enterprise: Enterprise, by, note: str) -> None:
    """An approved plan changes (a milestone added, a request approved) only through a recorded revision."""
    plan = ImplementationPlan.objects.select_for_update().filter(enterprise=enterprise).first()
    if plan is None or plan.status != PlanStatus.APPROVED:
        return
    if not note.strip():
        raise LedgerError(_("实施方案已批准,新增时间节点须填写修订说明。"))
    _bump_revision(plan, by=by, note=note)


def plan_is_approved(enterprise: Enterprise) -> bool:
    """Once the plan is approved, its milestones are commitments: they change only through requests."""
    return ImplementationPlan.objects.filter(enterprise=enterprise, status=PlanStatus.APPROVED).exists()


# --- implementation plan ------------------------------------------------------------

PLAN_FIELDS = ("title", "roadmap", "timetable", "responsibility")


def plan_save(
    *, enterprise: Enterprise, by, expected_version: int | None, revision_note: str = "", **changes
) -> ImplementationPlan:
    """Create or edit the enterprise's plan. Editable as draft or returned; an approved plan
    only with a revision note (it stays approved, ``revision`` goes up); not while SASAC reviews it.
    ``expected_version`` is ignored when the plan does not exist yet."""
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"plan_save got unknown fields {sorted(unknown)}")
    with transaction.atomic():
        # The enterprise's row serialises two first saves (a second click), which would otherwise
        # both find no plan and meet the one-plan-per-enterprise constraint as a server error.
        Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
        plan = ImplementationPlan.objects.select_for_update().filter(enterprise=enterprise).first()
        if plan is None:
            plan = ImplementationPlan(enterprise=enterprise, **changes)
            save_with_history(plan, by=by, reason=stored_reason(gettext_noop("起草实施方案")))
            return plan
        approved = plan.status == PlanStatus.APPROVED
        advance(workflow.PLAN, plan, "revise" if approved else "edit", field="status")
        check_version(plan, expected_version, changes)
        if approved and not revision_note.strip():
            raise LedgerError(_("实施方案已批准,修改须填写修订说明。"))
        for name, value in changes.items():
            setattr(plan, name, value)
        if approved:
            _bump_revision(plan, by=by, note=revision_note)
        else:
            plan.version += 1
            save_with_history(plan, by=by)
        return plan


def _lock_plan(plan: ImplementationPlan) -> ImplementationPlan:
    return ImplementationPlan.objects.select_for_update().select_related("enterprise").get(pk=plan.pk)


def plan_submit(*, plan: ImplementationPlan, by, expected_version: int | None) -> ImplementationPlan:
    """Send the plan to SASAC for approval; SASAC staff are told."""
    with transaction.atomic():
        plan = _lock_plan(plan)
        plan.status = advance(workflow.PLAN, plan, "submit", field="status")
        check_version(plan, expected_version)
        plan.submitted_at = timezone.now()
        plan.version += 1
        save_with_history(plan, by=by, reason=stored_reason(gettext_noop("提交审核")))
        notices.plan_submitted(plan)
        return plan


def _plan_decide(plan, *, by, expected_version, action: str, comment: str, reason: str) -> ImplementationPlan:
    with transaction.atomic():
        plan = _lock_plan(plan)
        plan.status = advance(workflow.PLAN, plan, action, field="status")
        check_version(plan, expected_version)
        plan.reviewed_at, plan.reviewed_by, plan.review_comment = timezone.now(), by, comment.strip()
        plan.version += 1
        save_with_history(plan, by=by, reason=reason)
        notices.plan_decided(plan)
        return plan


def plan_approve(
    *, plan: ImplementationPlan, by, expected_version: int | None, comment: str = ""
) -> ImplementationPlan:
    """From now on the plan's milestones are commitments (``plan_is_approved``)."""
    reason = (
        stored_reason(gettext_noop("批准:%(c)s"), c=comment.strip())
        if comment.strip()
        else stored_reason(gettext_noop("批准"))
    )
    return _plan_decide(
        plan, by=by, expected_version=expected_version, action="approve", comment=comment, reason=reason
    )


def plan_return(*, plan: ImplementationPlan, by, expected_version: int | None, comment: str) -> ImplementationPlan:
    if not comment.strip():
        raise LedgerError(_("退回实施方案须填写审核意见。"))
    reason = stored_reason(gettext_noop("退回:%(c)s"), c=comment.strip())
    return _plan_decide(plan, by=by, expected_version=expected_version, action="return", comment=comment, reason=reason)


# --- milestones ---------------------------------------------------------------------

MILESTONE_FIELDS = ("title", "description", "start_date", "due_date", "responsible_person")


def lock_milestone(milestone: Milestone) -> Milestone:
    return Milestone.objects.select_for_update().select_related("assignment__enterprise").get(pk=milestone.pk)


def milestone_create(
    *,
    assignment: Assignment,
    by,
    title: str,
    start_date: datetime.date,
    due_date: datetime.date,
    responsible_person: str,
    description: str = "",
    revision_note: str = "",
    record_revision: bool = True,
) -> Milestone:
    """Add a milestone; its due date is also its original commitment. On an approved plan this
    records a revision, unless the caller (an import adding many at once) recorded one itself
    (``record_revision=False``)."""
    if due_date < start_date:
        raise LedgerError(_("时间节点不能早于开始日期。"))
    with transaction.atomic():
        # The assignment's row serialises two creations: a second click, or the same file imported
        # twice, finds the first one's milestone instead of adding it again.
        Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
        same = "".join(title.split())
        existing = assignment.milestones.exclude(status=MilestoneStatus.WITHDRAWN).values_list("title", flat=True)
        if any("".join(other.split()) == same for other in existing):
            raise LedgerError(_("该任务下已有同名时间节点“%(t)s”,没有重复新增。") % {"t": title.strip()})
        if record_revision:
            _record_plan_revision(enterprise=assignment.enterprise, by=by, note=revision_note)
        milestone = Milestone(
            assignment=assignment,
            title=title,
            description=description,
            start_date=start_date,
            due_date=due_date,
            original_due_date=due_date,
            responsible_person=responsible_person,
        )
        save_with_history(milestone, by=by, reason=revision_note.strip() or stored_reason(gettext_noop("新建时间节点")))
        return milestone


def _refuse_if_committed(milestone: Milestone, message: str) -> None:
    if plan_is_approved(milestone.assignment.enterprise):
        raise LedgerError(message)


def milestone_update(*, milestone: Milestone, by, expected_version: int | None, **changes) -> Milestone:
    """The liaison edits a milestone of a plan not yet approved; the due date it sets is the
    commitment (``original_due_date`` follows it). Once the plan is approved a change is a
    request SASAC decides (``progress.services.requests``)."""
    unknown = set(changes) - set(MILESTONE_FIELDS)
    if unknown:
        raise TypeError(f"milestone_update got unknown fields {sorted(unknown)}")
    with transaction.atomic():
        milestone = lock_milestone(milestone)
        advance(workflow.MILESTONE, milestone, "edit", field="status")
        check_version(milestone, expected_version, changes)
        _refuse_if_committed(milestone, _("实施方案已批准,时间节点的调整须提交延期申请或变更申请,由国资委审批。"))
        start = changes.get("start_date", milestone.start_date)
        due = changes.get("due_date", milestone.due_date)
        if due < start:
            raise LedgerError(_("时间节点不能早于开始日期。"))
        for name, value in changes.items():
            setattr(milestone, name, value)
        milestone.original_due_date = milestone.due_date
        milestone.version += 1
        save_with_history(milestone, by=by, reason=stored_reason(gettext_noop("修改时间节点")))
        # The forecast judges the pace against the start and due dates.
        store_forecast_at_risk(milestone)
        return milestone


def milestone_withdraw(*, milestone: Milestone, by, reason: str, expected_version: int | None) -> Milestone:
    """Withdraw (撤销) a milestone of a plan not yet approved, instead of deleting it: the row and
    its history stay. After approval a withdrawal is a request SASAC decides."""
    if not reason.strip():
        raise LedgerError(_("撤销时间节点须填写原因。"))
    with transaction.atomic():
        milestone = lock_milestone(milestone)
        milestone.status = advance(workflow.MILESTONE, milestone, "withdraw", field="status")
        check_version(milestone, expected_version)
        _refuse_if_committed(milestone, _("实施方案已批准,撤销时间节点须提交撤销申请,由国资委审批。"))
        milestone.withdrawn_reason = reason.strip()
        milestone.version += 1
        save_with_history(milestone, by=by, reason=stored_reason(gettext_noop("撤销:%(r)s"), r=reason.strip()))
        return milestone


def milestone_reopen(*, milestone: Milestone, by, reason: str, expected_version: int | None) -> Milestone:
    """SASAC undoes a closure; the reason is recorded and the liaisons are told. The progress
    stays what the accepted reports say: closing never changed it."""
    if not reason.strip():
        raise LedgerError(_("重新打开须填写原因。"))
    with transaction.atomic():
        milestone = lock_milestone(milestone)
        milestone.status = advance(workflow.MILESTONE, milestone, "reopen", field="status")
        check_version(milestone, expected_version)
        milestone.closed_at = milestone.closed_by = None
        milestone.version += 1
        save_with_history(milestone, by=by, reason=stored_reason(gettext_noop("重新打开:%(r)s"), r=reason.strip()))
        notices.milestone_reopened(milestone, reason=reason.strip())
        return milestone


# --- derived facts --------------------------------------------------------------------


def _newest(milestone: Milestone, *, accepted: bool) -> ProgressReport | None:
    reports = ProgressReport.objects.filter(milestone_id=milestone.pk)
    if accepted:
        reports = reports.filter(review_state=ReviewState.ACCEPTED)
    return reports.order_by("-period").first()


def _store_latest_report(milestone: Milestone) -> None:
    """Point the milestone at its newest report (any review state), with the facts the board sorts on.

    Call holding the milestone's row lock. Bookkeeping, not history: a plain UPDATE (the board
    reads these columns, so the ledger's stamp changes with it).
    """
    ledger_changed()
    latest = _newest(milestone, accepted=False)
    milestone.latest_report = latest
    milestone.latest_report_at = latest.submitted_at if latest else None
    milestone.latest_review_state = latest.review_state if latest else None
    Milestone.objects.filter(pk=milestone.pk).update(
        latest_report=latest,
        latest_report_at=milestone.latest_report_at,
        latest_review_state=milestone.latest_review_state,
    )


def _store_accepted_report(milestone: Milestone, *, by, reason: str) -> None:
    """``progress`` and the risk flag follow the newest accepted report; a changed figure is
    recorded in the milestone's history (``reason``), for it is what leaders see.

    Call holding the milestone's row lock (``milestone`` is the locked instance).
    """
    accepted = _newest(milestone, accepted=True)
    progress = accepted.progress if accepted else 0
    at_risk = accepted.at_risk if accepted else False
    if milestone.progress != progress:
        milestone.progress = progress
        milestone.version += 1
        save_with_history(milestone, by=by, reason=reason)
    milestone.accepted_report, milestone.accepted_report_at_risk = accepted, at_risk
    # The silence clock restarts in the same transaction as the acceptance (progress.silence).
    milestone.accepted_report_at = accepted.submitted_at if accepted else None
    Milestone.objects.filter(pk=milestone.pk).update(
        accepted_report=accepted, accepted_report_at_risk=at_risk, accepted_report_at=milestone.accepted_report_at
    )
    ledger_changed()
    # The forecast and the leaders' indicator totals read accepted reports only.
    store_forecast_at_risk(milestone)
    refresh_latest_indicator_values(milestone_ids=[milestone.pk])


def milestone_refresh_derived(*, milestone: Milestone) -> Milestone:
    """Recompute everything the milestone stores about its reports, after IT repaired data in
    the admin: the newest report (with its date and review state), the newest accepted one
    (with the progress and risk flag it carries), the forecast verdict and the newest indicator
    values. Derived from the reports, so no history row is written for them.
    """
    with transaction.atomic():
        milestone = lock_milestone(milestone)
        _store_latest_report(milestone)
        accepted = _newest(milestone, accepted=True)
        milestone.progress = accepted.progress if accepted else 0
        Milestone.objects.filter(pk=milestone.pk).update(
            progress=milestone.progress,
            accepted_report=accepted,
            accepted_report_at_risk=accepted.at_risk if accepted else False,
            accepted_report_at=accepted.submitted_at if accepted else None,
        )
        store_forecast_at_risk(milestone)
        refresh_latest_indicator_values(milestone_ids=[milestone.pk])
        return milestone


# --- progress reports ---------------------------------------------------------------

REPORT_FIELDS = ("progress", "work_done", "problems", "next_steps", "support_needed", "at_risk")


def _check_period_open(period: datetime.date) -> None:
    if period_is_closed(period):
        raise LedgerError(_("%(p)s 报送期已关账,该期报送不能再新增或修改。") % {"p": period.strftime("%Y-%m")})


def _save_indicator_values(report: ProgressReport, values: Mapping[Indicator, Decimal | None]) -> None:
    for indicator, value in values.items():
        if indicator.directive_id != report.milestone.assignment.directive_id:
            raise LedgerError(_("指标“%(i)s”不属于该任务。") % {"i": indicator.name})
        if value is None:
            IndicatorValue.objects.filter(report=report, indicator=indicator).delete()
            continue
        if value < indicator.min_value or (indicator.max_value is not None and value > indicator.max_value):
            raise LedgerError(_("指标“%(i)s”的数值超出允许范围。") % {"i": indicator.name})
        IndicatorValue.objects.update_or_create(report=report, indicator=indicator, defaults={"value": value})


def report_file(
    *,
    milestone: Milestone,
    by,
    period: datetime.date | None = None,
    progress: int,
    work_done: str,
    problems: str = "",
    next_steps: str = "",
    support_needed: str = "",
    at_risk: bool = False,
    indicator_values: Mapping[Indicator, Decimal | None] | None = None,
    evidence_files: Iterable[UploadedFile] = (),
    deadline: datetime.date | None = None,
) -> ProgressReport:
    """File the ledger row for ``milestone`` and ``period`` (default: this month). It waits for
    SASAC's review: until accepted, its figures count nowhere leaders look.

    ``deadline``: the period's ``report_deadline``, when the caller (an import) already read it."""
    period = (period or current_period()).replace(day=1)
    if period > current_period():
        raise LedgerError(_("不能为未来月份(%(p)s)报送进展。") % {"p": period.strftime("%Y-%m")})
    stored: list[str] = []
    try:
        with transaction.atomic():
            milestone = lock_milestone(milestone)
            advance(workflow.MILESTONE, milestone, "report", field="status")
            _check_period_open(period)
            if ProgressReport.objects.filter(milestone=milestone, period=period).exists():
                raise LedgerError(_("该时间节点 %(p)s 已有报送,请修改原报送。") % {"p": period.strftime("%Y-%m")})
            now = timezone.now()
            report = ProgressReport(
                milestone=milestone,
                period=period,
                progress=progress,
                work_done=work_done,
                problems=problems,
                next_steps=next_steps,
                support_needed=support_needed,
                at_risk=at_risk,
                submitted_by=by,
                submitted_at=now,
                # Late is decided at first submission and never dated back.
                is_late=timezone.localdate(now) > (deadline or report_deadline(period)),
            )
            save_with_history(report, by=by, reason=stored_reason(gettext_noop("报送")))
            _save_indicator_values(report, indicator_values or {})
            for file in evidence_files:
                store_evidence(report=report, by=by, file=file, stored=stored)
            _store_latest_report(milestone)
            # Tie the new values to their milestone; they count for leaders once the report is accepted.
            refresh_latest_indicator_values(milestone_ids=[milestone.pk])
            return report
    except BaseException:
        discard_files(stored)
        raise


def report_update(
    *,
    report: ProgressReport,
    by,
    expected_version: int | None,
    indicator_values: Mapping[Indicator, Decimal | None] | None = None,
    evidence_files: Iterable[UploadedFile] = (),
    **changes,
) -> ProgressReport:
    """Edit a pending or returned report; a returned one goes back into the review queue."""
    unknown = set(changes) - set(REPORT_FIELDS)
    if unknown:
        raise TypeError(f"report_update got unknown fields {sorted(unknown)}")
    stored: list[str] = []
    try:
        with transaction.atomic():
            # Milestone first, then report: the same lock order everywhere, so no two writers deadlock.
            milestone = lock_milestone(report.milestone)
            report = ProgressReport.objects.select_for_update().get(pk=report.pk)
            report.milestone = milestone
            # As for a new report: a closed or withdrawn milestone takes no more progress (a
            # resubmission accepted after a verified closure would rewrite what was verified).
            advance(workflow.MILESTONE, milestone, "report", field="status")
            _check_period_open(report.period)
            returned = report.review_state == ReviewState.RETURNED
            state = advance(workflow.REPORT, report, "edit", field="review_state")
            check_version(report, expected_version, changes)
            report.review_state = state
            for name, value in changes.items():
                setattr(report, name, value)
            if returned:
                # A resubmission is a new submission: the queue and the report's header show it,
                # while ``is_late`` keeps the first one's verdict.
                report.submitted_by, report.submitted_at = by, timezone.now()
            report.version += 1
            save_with_history(
                report,
                by=by,
                reason=stored_reason(gettext_noop("按退回意见修改后重新报送"))
                if returned
                else stored_reason(gettext_noop("修改报送")),
            )
            _save_indicator_values(report, indicator_values or {})
            for file in evidence_files:
                store_evidence(report=report, by=by, file=file, stored=stored)
            _store_latest_report(milestone)
            # Tie the new values to their milestone; they count for leaders once the report is accepted.
            refresh_latest_indicator_values(milestone_ids=[milestone.pk])
            return report
    except BaseException:
        discard_files(stored)
        raise


def _review(report: ProgressReport, *, by, expected_version, action: str, comment: str, reason: str):
    with transaction.atomic():
        # Milestone first, then report: the order report_file and report_update lock in.
        milestone = lock_milestone(report.milestone)
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        report.milestone = milestone
        report.review_state = advance(workflow.REPORT, report, action, field="review_state")
        check_version(report, expected_version)
        report.review_comment = comment.strip()
        report.reviewed_by, report.reviewed_at = by, timezone.now()
        report.version += 1
        save_with_history(report, by=by, reason=reason)
        _store_latest_report(milestone)
        if action == "accept":
            _store_accepted_report(
                milestone,
                by=by,
                reason=stored_reason(gettext_noop("采纳 %(p)s 报送的进度"), p=report.period.strftime("%Y-%m")),
            )
        notices.report_reviewed(report)
        return report


def report_accept(*, report: ProgressReport, by, expected_version: int | None, comment: str = "") -> ProgressReport:
    """SASAC accepts the report: if it is the newest accepted one, its figures become the milestone's."""
    reason = (
        stored_reason(gettext_noop("审核通过:%(c)s"), c=comment.strip())
        if comment.strip()
        else stored_reason(gettext_noop("审核通过"))
    )
    return _review(report, by=by, expected_version=expected_version, action="accept", comment=comment, reason=reason)


def report_return(*, report: ProgressReport, by, expected_version: int | None, comment: str) -> ProgressReport:
    """SASAC sends the report back with a comment; the liaisons are told."""
    if not comment.strip():
        raise LedgerError(_("退回报送须填写审核意见。"))
    reason = stored_reason(gettext_noop("退回:%(c)s"), c=comment.strip())
    return _review(report, by=by, expected_version=expected_version, action="return", comment=comment, reason=reason)
