"""The notification centre, the reminder rules page (rules, channels, failed deliveries), urging (催办)
and signing (签收)."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from progress.models import ReminderRule, Urge
from progress.reminders import channels, delivery, selectors, services, urges
from progress.reminders.forms import ChannelConfigForm, ReminderRuleForm, ResendForm, UrgeAcknowledgeForm, UrgeForm
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


def _rules_page(request, *, rule_form: ReminderRuleForm | None = None, bound: ChannelConfigForm | None = None):
    """The rules page: the rule, each configurable channel's settings and the failed deliveries."""
    rule = ReminderRule.current()
    configs = selectors.channel_configs()
    channel_forms = [
        bound
        if bound is not None and bound.channel.name == channel.name
        else ChannelConfigForm(channel=channel, config=configs.get(channel.name))
        for channel in channels.configurable()
    ]
    return render(
        request,
        "progress/reminder_rules_form.html",
        {
            "form": rule_form or ReminderRuleForm(instance=rule),
            "rule": rule,
            "channel_forms": channel_forms,
            "configs": configs,
            "failure_groups": selectors.failure_groups(),
            "failed_deliveries": selectors.failed_deliveries(),
            "delivery_counts": selectors.delivery_counts(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reminder_rules(request):
    require_sasac(request.user)
    if request.method != "POST":
        return _rules_page(request)
    rule = ReminderRule.current()
    form = ReminderRuleForm(request.POST, instance=rule)
    if not form.is_valid():
        messages.error(request, _("提醒规则未保存,请修改标出的内容。"))
        return _rules_page(request, rule_form=form)
    services.update_reminder_rule(rule=rule, by=request.user, **form.rule_values())
    messages.success(request, _("提醒规则已保存。"))
    return redirect("progress:reminder_rules")


@login_required
@require_POST
def reminder_channel(request, channel: str):
    require_sasac(request.user)
    found = channels.CHANNELS.get(channel)
    if found is None or not found.configurable:
        raise Http404
    form = ChannelConfigForm(request.POST, channel=found, config=selectors.channel_configs().get(found.name))
    if not form.is_valid():
        messages.error(request, _("“%(channel)s”的设置未保存,请修改标出的内容。") % {"channel": found.label})
        return _rules_page(request, bound=form)
    config = services.update_channel_config(channel=found.name, by=request.user, **form.config_values())
    if config.enabled:
        messages.success(request, _("“%(channel)s”已启用,此后的提醒将同时推送到这里。") % {"channel": found.label})
    else:
        messages.success(request, _("“%(channel)s”的设置已保存(未启用)。") % {"channel": found.label})
    return redirect(reverse("progress:reminder_rules") + f"#channel-{found.name}")


@login_required
@require_POST
def reminder_resend(request):
    require_sasac(request.user)
    form = ResendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("无法识别要重新发送的提醒,请刷新页面后重试。"))
        return redirect("progress:reminder_rules")
    resent = delivery.resend_failed(**form.filters())
    if not resent:
        messages.info(request, _("没有需要重新发送的提醒。"))
    elif delivery.in_quiet_hours():
        messages.success(
            request, _("已将 %(count)s 条发送失败的提醒改为待发送,免打扰时段结束后发出。") % {"count": len(resent)}
        )
    else:
        counts = Counter(channel for _id, channel in resent)
        by_channel = _("、").join(f"{channels.get(name).label} {count}" for name, count in sorted(counts.items()))
        messages.success(
            request,
            _("已重新发送 %(count)s 条提醒(%(by_channel)s)。") % {"count": len(resent), "by_channel": by_channel},
        )
    return redirect(reverse("progress:reminder_rules") + "#failed-deliveries")


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
    urges.urge_milestone(milestone=milestone, by=request.user, message=form.cleaned_data["message"])
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
    back = reverse("progress:milestone_detail", args=[milestone.pk])
    form = UrgeAcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reply"]))
        return _back(request, back)
    if urges.acknowledge_urge(urge=urge, by=request.user, reply=form.cleaned_data["reply"]):
        messages.success(request, _("已签收催办,国资委将看到您的签收和回复。"))
    else:
        messages.info(request, _("该催办已签收过,本次回复未保存。"))
    return _back(request, back)
