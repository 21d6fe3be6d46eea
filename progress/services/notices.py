"""Who is told about a workflow event, and what they read: the party that acts next.

A liaison's request, closure request or plan submission tells SASAC staff; SASAC's decision,
return, acceptance or reopening tells the enterprise's liaisons (and the milestone's
responsible user). Each goes out in-app and by the reminder channels through
``progress.reminders.services.notify``, once per (recipient, event). Call inside the
transaction that makes the event; the texts are written in the product's language.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from enterprises.selectors import liaison_ids, sasac_staff_ids
from progress.models import (
    ImplementationPlan,
    Milestone,
    MilestoneRequest,
    NotificationKind,
    PlanStatus,
    ProgressReport,
    RequestKind,
    RequestState,
    ReviewState,
)
from progress.reminders.services import notify


def _url(name: str, *args, query: str = "") -> str:
    return settings.SITE_URL + reverse(name, args=args) + (f"?{query}" if query else "")


def _liaisons_of(milestone: Milestone) -> list[int]:
    ids = liaison_ids(milestone.assignment.enterprise)
    if milestone.responsible_user_id and milestone.responsible_user_id not in ids:
        ids.append(milestone.responsible_user_id)
    return ids


def report_reviewed(report: ProgressReport) -> None:
    milestone = report.milestone
    returned = report.review_state == ReviewState.RETURNED
    with translation.override(settings.LANGUAGE_CODE):
        values = {"title": milestone.title, "period": report.period.strftime("%Y-%m"), "comment": report.review_comment}
        if returned:
            subject = _("【报送被退回】%(title)s %(period)s") % values
            body = _("国资委退回了“%(title)s”%(period)s 的进展报送,请按审核意见修改后重新报送。\n审核意见:%(comment)s")
        else:
            subject = _("【报送已通过】%(title)s %(period)s") % values
            body = _("国资委已审核通过“%(title)s”%(period)s 的进展报送。")
            if report.review_comment:
                body += "\n" + _("审核意见:%(comment)s")
        notify(
            recipient_ids=_liaisons_of(milestone),
            kind=NotificationKind.REPORT_RETURNED if returned else NotificationKind.REPORT_ACCEPTED,
            key=f"report-{report.pk}-v{report.version}",
            subject=subject,
            body=body % values,
            milestone=milestone,
            url=_url("progress:milestone_detail", milestone.pk),
        )


def _request_values(request: MilestoneRequest) -> dict:
    return {
        "kind": request.get_kind_display(),
        "title": request.milestone.title,
        "enterprise": request.milestone.assignment.enterprise.short_name,
        "reason": request.reason,
        "comment": request.decision_comment,
    }


def request_filed(request: MilestoneRequest) -> None:
    """A new request waits in SASAC's queue: SASAC staff are told."""
    closure = request.kind == RequestKind.CLOSURE
    with translation.override(settings.LANGUAGE_CODE):
        values = _request_values(request)
        if closure:
            subject = _("【申请销号】%(enterprise)s:%(title)s") % values
            body = _("%(enterprise)s 申请对“%(title)s”销号,请核实。\n完成情况:%(reason)s") % values
        else:
            subject = _("【%(kind)s】%(enterprise)s:%(title)s") % values
            body = _("%(enterprise)s 对“%(title)s”提出%(kind)s,请审批。\n理由:%(reason)s") % values
        notify(
            recipient_ids=sasac_staff_ids(),
            kind=NotificationKind.CLOSURE_REQUESTED if closure else NotificationKind.REQUEST_FILED,
            key=f"request-{request.pk}-filed",
            subject=subject,
            body=body,
            milestone=request.milestone,
            url=_url("progress:review_list", query=f"tab={'closures' if closure else 'requests'}"),
        )


def request_decided(request: MilestoneRequest) -> None:
    """SASAC decided: the enterprise's liaisons are told what, and why."""
    closure = request.kind == RequestKind.CLOSURE
    approved = request.state == RequestState.APPROVED
    with translation.override(settings.LANGUAGE_CODE):
        values = _request_values(request)
        if closure and approved:
            subject = _("【已销号】%(title)s") % values
            body = _("国资委已核实并同意“%(title)s”销号。\n核验意见:%(comment)s")
        elif closure:
            subject = _("【不予销号】%(title)s") % values
            body = _("国资委核实后不同意“%(title)s”销号,请继续推进。\n核验意见:%(comment)s")
        elif approved:
            subject = _("【%(kind)s已同意】%(title)s") % values
            body = _("国资委同意了“%(title)s”的%(kind)s。\n审批意见:%(comment)s")
        else:
            subject = _("【%(kind)s未同意】%(title)s") % values
            body = _("国资委不同意“%(title)s”的%(kind)s,原承诺不变。\n审批意见:%(comment)s")
        notify(
            recipient_ids=_liaisons_of(request.milestone),
            kind=NotificationKind.CLOSURE_DECIDED if closure else NotificationKind.REQUEST_DECIDED,
            key=f"request-{request.pk}-{request.state}",
            subject=subject,
            body=body % values,
            milestone=request.milestone,
            url=_url("progress:milestone_detail", request.milestone_id),
        )


def milestone_reopened(milestone: Milestone, *, reason: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        values = {"title": milestone.title, "reason": reason}
        notify(
            recipient_ids=_liaisons_of(milestone),
            kind=NotificationKind.MILESTONE_REOPENED,
            key=f"reopen-{milestone.pk}-v{milestone.version}",
            subject=_("【重新打开】%(title)s") % values,
            body=_("国资委撤回了“%(title)s”的销号,该时间节点重新进行中,请继续推进并报送进展。\n原因:%(reason)s")
            % values,
            milestone=milestone,
            url=_url("progress:milestone_detail", milestone.pk),
        )


def plan_submitted(plan: ImplementationPlan) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        values = {"enterprise": plan.enterprise.short_name, "title": plan.title}
        notify(
            recipient_ids=sasac_staff_ids(),
            kind=NotificationKind.PLAN_SUBMITTED,
            key=f"plan-{plan.pk}-v{plan.version}",
            subject=_("【实施方案待审批】%(enterprise)s") % values,
            body=_("%(enterprise)s 提交了实施方案“%(title)s”,请审阅后批准或退回。") % values,
            url=_url("progress:review_list", query="tab=plans"),
        )


def plan_decided(plan: ImplementationPlan) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        values = {"title": plan.title, "comment": plan.review_comment}
        if plan.status == PlanStatus.APPROVED:
            subject = _("【实施方案已批准】%(title)s") % values
            body = _("国资委批准了实施方案“%(title)s”。此后时间节点的延期、变更和撤销须提出申请,由国资委审批。")
        else:
            subject = _("【实施方案被退回】%(title)s") % values
            body = _("国资委退回了实施方案“%(title)s”,请按审核意见修改后重新提交。")
        if plan.review_comment:
            body += "\n" + _("审核意见:%(comment)s")
        notify(
            recipient_ids=liaison_ids(plan.enterprise),
            kind=NotificationKind.PLAN_DECIDED,
            key=f"plan-{plan.pk}-v{plan.version}",
            subject=subject,
            body=body % values,
            url=_url("progress:workspace", plan.enterprise.code),
        )
