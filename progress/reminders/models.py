import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from progress.models.ledger import Milestone


def default_offsets() -> list[int]:
    return [7, 3, 1, 0]


class ReminderRule(models.Model):
    """The reminder settings SASAC staff edit; the scan reads the single active row."""

    offsets_days = models.JSONField(_("提前提醒天数"), default=default_offsets)
    overdue_repeat_days = models.PositiveSmallIntegerField(_("逾期重复提醒间隔(天)"), default=3)
    escalate_after_days = models.PositiveSmallIntegerField(_("逾期多少天后上报国资委"), default=7)
    report_day = models.PositiveSmallIntegerField(_("每月报送日"), default=25)
    # Capped at 27 so a period's reminders stay within the months next to it (the scan looks no further).
    report_grace_days = models.PositiveSmallIntegerField(
        _("报送宽限天数"), default=3, validators=[MaxValueValidator(27)]
    )
    report_notice_days = models.PositiveSmallIntegerField(
        _("报送日前几天提醒"), default=3, validators=[MaxValueValidator(27)]
    )
    quiet_hours_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("免打扰结束"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("提醒规则")
        verbose_name_plural = _("提醒规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(report_day__gte=1) & Q(report_day__lte=28), name="reminder_report_day_1_28"
            ),
        ]

    def __str__(self) -> str:
        return str(_("提醒规则"))

    @classmethod
    def current(cls) -> "ReminderRule":
        """The single rule row (a data migration creates it); the unsaved defaults if someone deleted it.

        Reading never writes, so a dry run leaves the database as it found it.
        """
        rule = cls.objects.order_by("pk").first()
        return rule if rule is not None else cls()

    def in_quiet_hours(self, moment: datetime.time) -> bool:
        """Quiet hours may wrap midnight (22:00-07:00)."""
        start, end = self.quiet_hours_start, self.quiet_hours_end
        if start is None or end is None or start == end:
            return False
        if start < end:
            return start <= moment < end
        return moment >= start or moment < end


class NotificationKind(models.TextChoices):
    DUE_SOON = "due_soon", _("即将到期")
    DUE_TODAY = "due_today", _("今日到期")
    OVERDUE = "overdue", _("已逾期")
    ESCALATION = "escalation", _("逾期上报")
    REPORT_DUE = "report_due", _("月度报送提醒")
    URGE = "urge", _("催办")
    URGE_UNSIGNED = "urge_unsigned", _("催办未签收")
    URGE_SIGNED = "urge_signed", _("催办已签收")
    DIGEST = "digest", _("每周摘要")
    # Workflow events (progress.services.notices): the party that acts next is told.
    REPORT_RETURNED = "report_returned", _("报送被退回")
    REPORT_ACCEPTED = "report_accepted", _("报送已通过")
    REQUEST_FILED = "request_filed", _("新申请待审批")
    REQUEST_DECIDED = "request_decided", _("申请已审批")
    CLOSURE_REQUESTED = "closure_requested", _("申请销号待核实")
    CLOSURE_DECIDED = "closure_decided", _("销号核实结果")
    PLAN_SUBMITTED = "plan_submitted", _("实施方案待审批")
    PLAN_DECIDED = "plan_decided", _("实施方案已审批")
    MILESTONE_REOPENED = "reopened", _("时间节点重新打开")
    INSTRUCTION = "instruction", _("领导批示")
    SUPERVISION_ORDER = "order", _("督办单")


class Notification(models.Model):
    """One notice to one person. ``dedupe_key`` is unique: the same reminder is never made twice."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=20, choices=NotificationKind.choices)
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    urge = models.ForeignKey("Urge", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications")
    # (recipient, milestone, kind, due date or period, step): the database refuses a second copy.
    dedupe_key = models.CharField(max_length=200, unique=True)
    due_on = models.DateField(_("到期日或报送期"), null=True, blank=True)
    subject = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("内容"))
    # What the e-mail and webhook templates need, frozen when the notice is made.
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知消息")
        verbose_name_plural = _("通知消息")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.subject


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class ErrorKind(models.TextChoices):
    """Whether trying again can help: a transient error is retried with backoff, a permanent one
    (a refused recipient, a 4xx answer, an address the outbound policy refuses) waits for SASAC."""

    TRANSIENT = "transient", _("临时错误")
    PERMANENT = "permanent", _("永久错误")


class Delivery(models.Model):
    """A notification's trip over one outside channel, the outbox row its sender claims.

    E-mail and the generic webhook go to each recipient of a notice; a group robot (WeCom,
    DingTalk) gets one message per event, whoever it was for: its row carries ``event_key``,
    unique per channel.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        WEBHOOK = "webhook", _("Webhook")
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    event_key = models.CharField(max_length=200, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    # The sender's claim: a token only it knows, stamped with the database's clock. A claim older
    # than the lease belongs to a dead worker and may be taken over (with a new token).
    claim = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    # When a send task was last put on the broker: the sweep queues a pending row again only
    # after a lease has passed, so a hung channel does not pile up copies of its messages.
    enqueued_at = models.DateTimeField(_("入队时间"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    error_kind = models.CharField(_("错误类型"), max_length=10, choices=ErrorKind.choices, blank=True)
    # A short, stable reason ("http:500", "smtp:550", "deadline"...) that failures are counted by;
    # never the receiver's own answer.
    error_code = models.CharField(_("错误代码"), max_length=40, blank=True)
    last_error = models.TextField(_("最后错误"), blank=True)

    class Meta:
        verbose_name = _("投递")
        verbose_name_plural = _("投递")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
            models.UniqueConstraint(fields=["channel", "event_key"], name="delivery_once_per_event"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_status_next")]

    def __str__(self) -> str:
        return f"{self.notification} · {self.get_channel_display()}"


class ChannelConfig(models.Model):
    """SASAC's settings for one configurable outside channel (the generic webhook, a group robot).

    ``kinds`` lists the notice kinds the channel carries; empty means every kind.
    """

    channel = models.CharField(_("渠道"), max_length=10, choices=Delivery.Channel.choices, unique=True)
    enabled = models.BooleanField(_("启用"), default=False)
    url = models.URLField(_("地址"), max_length=500, blank=True)
    secret = models.CharField(_("密钥"), max_length=200, blank=True)
    kinds = models.JSONField(_("推送的提醒类型"), default=list, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("发送渠道设置")
        verbose_name_plural = _("发送渠道设置")

    def __str__(self) -> str:
        return self.get_channel_display()

    def carries(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


class ReminderScan(models.Model):
    """A scan that completed: written in the same transaction as the notices it made, so a day
    without a row is a day whose scan never finished, and the sweep runs it again."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("每日提醒扫描")
        DIGEST = "digest", _("每周摘要")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    day = models.DateField(_("扫描日"))
    completed_at = models.DateTimeField(_("完成时间"), default=timezone.now)
    notices = models.PositiveIntegerField(_("新建通知数"), default=0)
    deliveries = models.PositiveIntegerField(_("新建投递数"), default=0)

    class Meta:
        verbose_name = _("提醒扫描记录")
        verbose_name_plural = _("提醒扫描记录")
        constraints = [models.UniqueConstraint(fields=["kind", "day"], name="reminder_scan_once_per_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day}"


class Urge(models.Model):
    """A 催办 sent by hand by SASAC staff; the liaison signs for it (签收), with a short reply."""

    REPLY_MAX_LENGTH = 200

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="urges")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(_("催办说明"), blank=True)
    sent_at = models.DateTimeField(_("催办时间"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reply = models.TextField(_("签收回复"), blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("催办")
        verbose_name_plural = _("催办")

    def __str__(self) -> str:
        return f"{self.milestone} · {self.sent_at:%Y-%m-%d}"
