"""Writes of the ledger (台账) workflow: plans, milestones, reports, evidence, reviews.

Every function is keyword-only, assumes its caller has authorised the user through
``progress.scoping``, and does the whole change in one transaction. A change the rules
refuse raises ``LedgerError`` (its message is shown to the user as it is) and leaves the
database and the evidence directory as they were.

Concurrent edits: plans, milestones and reports carry ``version``. The caller passes the
version its form was built from; the row is locked, the versions are compared, and a
stale save raises ``VersionConflict`` listing what the other person changed.

Derived state: a milestone stores facts about its reports so the board and the charts read
columns instead of the whole ledger (``latest_report`` with its ``latest_report_at`` and
``latest_review_state``, ``forecast_at_risk``, and ``IndicatorValue.is_latest``). These
services keep them true, explicitly and in the same transaction as the write that changes
them; the admin calls ``milestone_refresh_derived`` after a repair. Nothing else writes them.
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

from directives.models import Assignment, Indicator
from enterprises.models import Enterprise
from progress.forecast import store_forecast_at_risk
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
from progress.selectors.ledger import field_display
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


def _store_evidence(*, report: ProgressReport, by, file: UploadedFile, stored: list[str]) -> Evidence:
    content_type = check_evidence_file(file)
    ext = os.path.splitext(file.name)[1].lower()
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    evidence = Evidence(
        report=report,
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


def _discard_files(names: Iterable[str]) -> None:
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


def _check_version(locked, expected_version: int | None, changes: Mapping[str, object]) -> None:
    if expected_version is None or locked.version == expected_version:
        return
    diff = [
        FieldChange(
            label=str(locked._meta.get_field(name).verbose_name),
            theirs=field_display(locked, name, getattr(locked, name)),
            yours=field_display(locked, name, value),
        )
        for name, value in changes.items()
        if getattr(locked, name) != value
    ]
    raise VersionConflict(current=locked, changes=diff)


def _save(instance, *, by, reason: str = "") -> None:
    instance._history_user = by
    if reason:
        instance._change_reason = reason
    instance.save()


def _bump_revision(plan: ImplementationPlan, *, by, note: str) -> None:
    """Record one revision of an approved plan (``revision`` and ``version`` go up) with its note."""
    plan.revision += 1
    plan.version += 1
    _save(plan, by=by, reason=_("第%(n)s次修订:%(note)s") % {"n": plan.revision, "note": note.strip()})


def _record_plan_revision(*, enterprise: Enterprise, by, note: str) -> None:
    """An approved plan's milestones change only through a recorded revision."""
    plan = ImplementationPlan.objects.select_for_update().filter(enterprise=enterprise).first()
    if plan is None or plan.status != PlanStatus.APPROVED:
        return
    if not note.strip():
        raise LedgerError(_("实施方案已批准,修改时间节点须填写修订说明。"))
    _bump_revision(plan, by=by, note=note)


def plan_is_approved(enterprise: Enterprise) -> bool:
    return ImplementationPlan.objects.filter(enterprise=enterprise, status=PlanStatus.APPROVED).exists()


# --- implementation plan ------------------------------------------------------------

PLAN_FIELDS = ("title", "roadmap", "timetable", "responsibility")


def plan_save(
    *, enterprise: Enterprise, by, expected_version: int | None, revision_note: str = "", **changes
) -> ImplementationPlan:
    """Create or edit the enterprise's plan. Editable as draft or returned; an approved plan
    only with a revision note (it stays approved, ``revision`` goes up); not while SASAC reviews it."""
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"plan_save got unknown fields {sorted(unknown)}")
    with transaction.atomic():
        plan = ImplementationPlan.objects.select_for_update().filter(enterprise=enterprise).first()
        if plan is None:
            plan = ImplementationPlan(enterprise=enterprise, **changes)
            _save(plan, by=by, reason=_("起草实施方案"))
            return plan
        _check_version(plan, expected_version, changes)
        if plan.status == PlanStatus.SUBMITTED:
            raise LedgerError(_("实施方案正在审核中,暂不能修改。"))
        if plan.status == PlanStatus.APPROVED and not revision_note.strip():
            raise LedgerError(_("实施方案已批准,修改须填写修订说明。"))
        for name, value in changes.items():
            setattr(plan, name, value)
        if plan.status == PlanStatus.APPROVED:
            _bump_revision(plan, by=by, note=revision_note)
        else:
            plan.version += 1
            _save(plan, by=by)
        return plan


def _lock_plan(plan: ImplementationPlan) -> ImplementationPlan:
    return ImplementationPlan.objects.select_for_update().get(pk=plan.pk)


def plan_submit(*, plan: ImplementationPlan, by) -> ImplementationPlan:
    with transaction.atomic():
        plan = _lock_plan(plan)
        if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
            raise LedgerError(_("只有草稿或已退回的实施方案可以提交。"))
        plan.status = PlanStatus.SUBMITTED
        plan.submitted_at = timezone.now()
        plan.version += 1
        _save(plan, by=by, reason=_("提交审核"))
        return plan


def plan_approve(*, plan: ImplementationPlan, by, comment: str = "") -> ImplementationPlan:
    with transaction.atomic():
        plan = _lock_plan(plan)
        if plan.status != PlanStatus.SUBMITTED:
            raise LedgerError(_("只有已提交的实施方案可以批准。"))
        plan.status = PlanStatus.APPROVED
        plan.reviewed_at, plan.reviewed_by, plan.review_comment = timezone.now(), by, comment.strip()
        plan.version += 1
        _save(plan, by=by, reason=_("批准"))
        return plan


def plan_return(*, plan: ImplementationPlan, by, comment: str) -> ImplementationPlan:
    if not comment.strip():
        raise LedgerError(_("退回实施方案须填写审核意见。"))
    with transaction.atomic():
        plan = _lock_plan(plan)
        if plan.status != PlanStatus.SUBMITTED:
            raise LedgerError(_("只有已提交的实施方案可以退回。"))
        plan.status = PlanStatus.RETURNED
        plan.reviewed_at, plan.reviewed_by, plan.review_comment = timezone.now(), by, comment.strip()
        plan.version += 1
        _save(plan, by=by, reason=_("退回:%(c)s") % {"c": comment.strip()})
        return plan


# --- milestones ---------------------------------------------------------------------

MILESTONE_FIELDS = ("title", "description", "start_date", "due_date", "responsible_person")


def _lock_milestone(milestone: Milestone) -> Milestone:
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
    """Add a milestone; on an approved plan this records a revision, unless the caller
    (an import adding many at once) recorded one itself (``record_revision=False``)."""
    if due_date < start_date:
        raise LedgerError(_("时间节点不能早于开始日期。"))
    with transaction.atomic():
        if record_revision:
            _record_plan_revision(enterprise=assignment.enterprise, by=by, note=revision_note)
        milestone = Milestone(
            assignment=assignment,
            title=title,
            description=description,
            start_date=start_date,
            due_date=due_date,
            responsible_person=responsible_person,
        )
        _save(milestone, by=by, reason=revision_note.strip() or _("新建时间节点"))
        return milestone


def milestone_update(
    *, milestone: Milestone, by, expected_version: int | None, revision_note: str = "", **changes
) -> Milestone:
    unknown = set(changes) - set(MILESTONE_FIELDS)
    if unknown:
        raise TypeError(f"milestone_update got unknown fields {sorted(unknown)}")
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        _check_version(milestone, expected_version, changes)
        if milestone.status in (MilestoneStatus.CLOSED, MilestoneStatus.WITHDRAWN):
            raise LedgerError(_("已销号或已撤销的时间节点不能修改。"))
        start = changes.get("start_date", milestone.start_date)
        due = changes.get("due_date", milestone.due_date)
        if due < start:
            raise LedgerError(_("时间节点不能早于开始日期。"))
        _record_plan_revision(enterprise=milestone.assignment.enterprise, by=by, note=revision_note)
        for name, value in changes.items():
            setattr(milestone, name, value)
        milestone.version += 1
        _save(milestone, by=by, reason=revision_note.strip())
        # The forecast judges the pace against the start and due dates.
        store_forecast_at_risk(milestone)
        return milestone


def milestone_withdraw(*, milestone: Milestone, by, reason: str) -> Milestone:
    """Withdraw (撤销) instead of deleting: the row and its history stay."""
    if not reason.strip():
        raise LedgerError(_("撤销时间节点须填写原因。"))
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        if milestone.status in (MilestoneStatus.CLOSED, MilestoneStatus.WITHDRAWN):
            raise LedgerError(_("已销号或已撤销的时间节点不能撤销。"))
        _record_plan_revision(enterprise=milestone.assignment.enterprise, by=by, note=reason)
        milestone.status = MilestoneStatus.WITHDRAWN
        milestone.withdrawn_reason = reason.strip()
        milestone.version += 1
        _save(milestone, by=by, reason=_("撤销:%(r)s") % {"r": reason.strip()})
        return milestone


def milestone_request_closure(*, milestone: Milestone, by) -> Milestone:
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        if milestone.status != MilestoneStatus.OPEN:
            raise LedgerError(_("只有进行中的时间节点可以申请销号。"))
        milestone.status = MilestoneStatus.CLOSURE_REQUESTED
        milestone.version += 1
        _save(milestone, by=by, reason=_("申请销号"))
        return milestone


def milestone_close(*, milestone: Milestone, by) -> Milestone:
    """SASAC's verified closure (销号)."""
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        if milestone.status not in (MilestoneStatus.OPEN, MilestoneStatus.CLOSURE_REQUESTED):
            raise LedgerError(_("该时间节点已销号或已撤销。"))
        milestone.status = MilestoneStatus.CLOSED
        milestone.closed_at, milestone.closed_by = timezone.now(), by
        milestone.progress = 100
        milestone.version += 1
        _save(milestone, by=by, reason=_("销号"))
        return milestone


def milestone_reopen(*, milestone: Milestone, by, reason: str) -> Milestone:
    """Undo a closure, or turn down a closure request; the reason is recorded."""
    if not reason.strip():
        raise LedgerError(_("重新打开须填写原因。"))
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        if milestone.status not in (MilestoneStatus.CLOSED, MilestoneStatus.CLOSURE_REQUESTED):
            raise LedgerError(_("只有已销号或申请销号的时间节点可以重新打开。"))
        milestone.status = MilestoneStatus.OPEN
        milestone.closed_at = milestone.closed_by = None
        # Closing set 100%; open again, the milestone shows what its reports say.
        latest = milestone.reports.order_by("-period").first()
        milestone.progress = latest.progress if latest else 0
        milestone.version += 1
        _save(milestone, by=by, reason=_("重新打开:%(r)s") % {"r": reason.strip()})
        return milestone


# --- progress reports ---------------------------------------------------------------

REPORT_FIELDS = ("progress", "work_done", "problems", "next_steps", "support_needed", "at_risk")


def _check_period_open(period: datetime.date) -> None:
    if period_is_closed(period):
        raise LedgerError(
            _("%(p)s 报送期已关账,该期报送不能再新增或修改。") % {"p": period.strftime("%Y-%m")}
        )


def _check_report_editable(report: ProgressReport) -> None:
    if report.review_state == ReviewState.ACCEPTED:
        raise LedgerError(_("该报送已审核通过,不能再修改。"))
    _check_period_open(report.period)


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


def _point_at_latest_report(milestone: Milestone, latest: ProgressReport | None) -> None:
    """Point ``milestone`` (in memory) at its newest report, with the facts the board and health read."""
    milestone.latest_report = latest
    milestone.latest_report_at = latest.submitted_at if latest else None
    milestone.latest_review_state = latest.review_state if latest else None
    milestone.latest_report_at_risk = latest.at_risk if latest else False


def _mirror_latest_report(report: ProgressReport) -> None:
    """The latest report's review state and risk flag are stored on its milestone: follow a change.

    Call holding the milestone's row lock, after saving ``report``.
    """
    Milestone.objects.filter(pk=report.milestone_id, latest_report=report).exclude(
        latest_review_state=report.review_state, latest_report_at_risk=report.at_risk
    ).update(latest_review_state=report.review_state, latest_report_at_risk=report.at_risk)


def _refresh_report_facts(milestone: Milestone) -> None:
    """Recompute what follows from the milestone's reports: the forecast and the newest indicator values."""
    store_forecast_at_risk(milestone)
    refresh_latest_indicator_values(milestone_ids=[milestone.pk])


def _sync_milestone(milestone: Milestone, by, report: ProgressReport) -> None:
    """The milestone shows its newest report's progress; an older period never overrides a newer one.

    Then the derived facts follow: the forecast and the newest indicator values.
    """
    latest = milestone.reports.order_by("-period").first()
    changed = milestone.latest_report_id != latest.pk or milestone.progress != latest.progress
    if changed and milestone.status not in (MilestoneStatus.CLOSED, MilestoneStatus.WITHDRAWN):
        _point_at_latest_report(milestone, latest)
        milestone.progress = latest.progress
        _save(milestone, by=by, reason=_("%(p)s 报送进度") % {"p": report.period.strftime("%Y-%m")})
    _mirror_latest_report(report)
    _refresh_report_facts(milestone)


def milestone_refresh_derived(*, milestone: Milestone) -> Milestone:
    """Recompute everything the milestone stores about its reports, after IT repaired data in
    the admin: which report is the newest (with its date and review state), the forecast
    verdict and the newest indicator values. The milestone's progress stays as IT left it,
    and no history row is written: none of these fields is history.
    """
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        _point_at_latest_report(milestone, milestone.reports.order_by("-period").first())
        Milestone.objects.filter(pk=milestone.pk).update(
            latest_report=milestone.latest_report,
            latest_report_at=milestone.latest_report_at,
            latest_review_state=milestone.latest_review_state,
            latest_report_at_risk=milestone.latest_report_at_risk,
        )
        _refresh_report_facts(milestone)
        return milestone


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
    """File the ledger row for ``milestone`` and ``period`` (default: this month).

    ``deadline``: the period's ``report_deadline``, when the caller (an import) already read it."""
    period = (period or current_period()).replace(day=1)
    if period > current_period():
        raise LedgerError(_("不能为未来月份(%(p)s)报送进展。") % {"p": period.strftime("%Y-%m")})
    stored: list[str] = []
    try:
        with transaction.atomic():
            milestone = _lock_milestone(milestone)
            if milestone.status != MilestoneStatus.OPEN:
                raise LedgerError(_("只有进行中的时间节点可以报送进展。"))
            _check_period_open(period)
            if ProgressReport.objects.filter(milestone=milestone, period=period).exists():
                raise LedgerError(
                    _("该时间节点 %(p)s 已有报送,请修改原报送。") % {"p": period.strftime("%Y-%m")}
                )
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
            _save(report, by=by, reason=_("报送"))
            _save_indicator_values(report, indicator_values or {})
            for file in evidence_files:
                _store_evidence(report=report, by=by, file=file, stored=stored)
            _sync_milestone(milestone, by, report)
            return report
    except BaseException:
        _discard_files(stored)
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
            # Milestone first, then report: the same lock order as report_file, so the two never deadlock.
            milestone = _lock_milestone(report.milestone)
            report = ProgressReport.objects.select_for_update().get(pk=report.pk)
            report.milestone = milestone
            _check_report_editable(report)
            _check_version(report, expected_version, changes)
            reason = _("修改报送")
            for name, value in changes.items():
                setattr(report, name, value)
            if report.review_state == ReviewState.RETURNED:
                report.review_state = ReviewState.PENDING
                reason = _("按退回意见修改后重新报送")
            report.version += 1
            _save(report, by=by, reason=reason)
            _save_indicator_values(report, indicator_values or {})
            for file in evidence_files:
                _store_evidence(report=report, by=by, file=file, stored=stored)
            _sync_milestone(milestone, by, report)
            return report
    except BaseException:
        _discard_files(stored)
        raise


def _lock_pending_report(report: ProgressReport) -> ProgressReport:
    # Milestone first, then report: the order report_file and report_update lock in, since the
    # review also writes the milestone (its stored review state).
    list(Milestone.objects.select_for_update().filter(pk=report.milestone_id).values_list("pk"))
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.review_state != ReviewState.PENDING:
        raise LedgerError(_("该报送已审核过(%(s)s)。") % {"s": report.get_review_state_display()})
    return report


def report_accept(*, report: ProgressReport, by, comment: str = "") -> ProgressReport:
    with transaction.atomic():
        report = _lock_pending_report(report)
        report.review_state = ReviewState.ACCEPTED
        report.review_comment = comment.strip()
        report.reviewed_by, report.reviewed_at = by, timezone.now()
        report.version += 1
        _save(report, by=by, reason=_("审核通过"))
        _mirror_latest_report(report)
        return report


def report_return(*, report: ProgressReport, by, comment: str) -> ProgressReport:
    if not comment.strip():
        raise LedgerError(_("退回报送须填写审核意见。"))
    with transaction.atomic():
        report = _lock_pending_report(report)
        report.review_state = ReviewState.RETURNED
        report.review_comment = comment.strip()
        report.reviewed_by, report.reviewed_at = by, timezone.now()
        report.version += 1
        _save(report, by=by, reason=_("退回:%(c)s") % {"c": comment.strip()})
        _mirror_latest_report(report)
        return report
