"""The notification centre, the reminder rules page, urging (催办) and signing (签收)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from progress.models import ReminderRule, Urge
from progress.reminders import selectors, services
from progress.reminders.forms import ReminderRuleForm, UrgeForm
from progress.scoping import get_milestone_for_user, require_edit_enterprise, require_sasac
from qdsasac.security import next_url


def _back(request, fallback: str):
    return redirect(next_url(request, fallback))


@login_required
def notification_list(request):
    notifications = selectors.notifications_of(request.user)
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "progress/notification_list.html",
        {"page": page, "unread": selectors.unread_count(request.user)},
    )


@login_required
@require_POST
def notification_read(request, notification_id: int):
    if not selectors.notifications_of(request.user).filter(pk=notification_id).exists():
        raise Http404
    services.mark_read(user=request.user, notification_id=notification_id)
    return _back(request, "progress:notification_list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.mark_read(user=request.user)
    messages.success(request, _("已将 %(count)s 条消息标为已读。") % {"count": count})
    return redirect("progress:notification_list")


@login_required
@require_http_methods(["GET", "POST"])
def reminder_rules(request):
    require_sasac(request.user)
    rule = ReminderRule.current()
    form = ReminderRuleForm(request.POST or None, instance=rule)
    if request.method == "POST":
        if form.is_valid():
            services.update_reminder_rule(rule=rule, by=request.user, **form.rule_values())
            messages.success(request, _("提醒规则已保存。"))
            return redirect("progress:reminder_rules")
        messages.error(request, _("提醒规则未保存,请修改标出的内容。"))
    return render(
        request,
        "progress/reminder_rules_form.html",
        {"form": form, "rule": rule, "failed_deliveries": selectors.failed_deliveries()},
    )


@login_required
@require_POST
def milestone_urge(request, milestone_id: int):
    milestone = get_milestone_for_user(request.user, milestone_id)
    require_sasac(request.user)
    fallback = reverse("progress:milestone_detail", args=[milestone.pk])
    if not selectors.milestone_can_be_urged(milestone):
        messages.error(request, _("已销号或已撤销的时间节点不能催办。"))
        return _back(request, fallback)
    form = UrgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("催办说明不能超过 500 字。"))
        return _back(request, fallback)
    services.urge_milestone(milestone=milestone, by=request.user, message=form.cleaned_data["message"])
    messages.success(request, _("已催办“%(title)s”,联络员将收到通知。") % {"title": milestone.title})
    return _back(request, fallback)


@login_required
@require_POST
def urge_acknowledge(request, milestone_id: int, urge_id: int):
    milestone = get_milestone_for_user(request.user, milestone_id)
    require_edit_enterprise(request.user, milestone.assignment.enterprise)
    try:
        urge = Urge.objects.get(pk=urge_id, milestone=milestone)
    except Urge.DoesNotExist:
        raise Http404 from None
    if services.acknowledge_urge(urge=urge, by=request.user):
        messages.success(request, _("已签收催办。"))
    else:
        messages.info(request, _("该催办已签收过。"))
    return _back(request, reverse("progress:milestone_detail", args=[milestone.pk]))
