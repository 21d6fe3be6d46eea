from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enterprises.models import Enterprise
from progress.instructions.models import Instruction
from progress.models.ledger import Milestone


class DocumentSequence(models.Model):
    """The last number given in a year to one series of documents (督办单, 通报).

    Numbers are taken under this row's lock in the transaction that creates the document,
    and documents are never deleted: a number is never given twice.
    """

    series = models.CharField(_("文号系列"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用最大号"), default=0)

    class Meta:
        verbose_name = _("文号")
        verbose_name_plural = _("文号")
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="document_sequence_once_per_year")]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last}"


def document_number(prefix: str, year: int, serial: int) -> str:
    """The official way to write a document's number: 青国资督〔2026〕17号."""
    return f"{prefix}〔{year}〕{serial}号"


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("待签收")
    SIGNED = "signed", _("办理中")
    ANSWERED = "answered", _("已反馈待审核")
    RETURNED = "returned", _("已退回重办")
    CLOSED = "closed", _("已办结")
    # Issued by mistake (wrong enterprise, duplicate): the number stays used, as on paper.
    CANCELLED = "cancelled", _("已作废")


# Still waiting on someone: the enterprise or SASAC.
OPEN_ORDER_STATUSES = (OrderStatus.ISSUED, OrderStatus.SIGNED, OrderStatus.ANSWERED, OrderStatus.RETURNED)


class SupervisionOrder(models.Model):
    """A numbered supervision order (督办单) from SASAC to one enterprise about its milestones.

    The enterprise signs for it (签收) and answers (办理情况反馈, with evidence); SASAC closes it
    or sends the answer back, or cancels (作废) one issued by mistake. ``closed_at`` is when it
    stopped being open, either way: the circular's "as of" counts read it.
    """

    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("序号"))
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("督办企业"), on_delete=models.PROTECT, related_name="supervision_orders"
    )
    milestones = models.ManyToManyField(
        Milestone, verbose_name=_("涉及时间节点"), blank=True, related_name="supervision_orders"
    )
    instruction = models.ForeignKey(
        Instruction,
        verbose_name=_("来源批示"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    title = models.CharField(_("督办事项"), max_length=200)
    requirement = models.TextField(_("督办要求"))
    answer_due = models.DateField(_("反馈时限"), db_index=True)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=40)
    status = models.CharField(
        _("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.ISSUED, db_index=True
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签发人"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("签发时间"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结或作废人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("办结或作废时间"), null=True, blank=True)
    closing_note = models.TextField(_("办结意见或作废原因"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-serial"]
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="order_number_once_per_year"),
            models.CheckConstraint(
                condition=~Q(status__in=["closed", "cancelled"]) | Q(closed_at__isnull=False),
                name="order_ended_has_time",
            ),
            # An order cancelled before anyone signed for it was never signed.
            models.CheckConstraint(
                condition=Q(status__in=["issued", "cancelled"]) | Q(signed_at__isnull=False),
                name="order_signed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return document_number(settings.SUPERVISION_ORDER_PREFIX, self.year, self.serial)


class AnswerDecision(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("已认可")
    RETURNED = "returned", _("已退回")


class OrderAnswer(models.Model):
    """The enterprise's answer to an order (办理情况反馈); SASAC accepts it (closing the order) or returns it."""

    order = models.ForeignKey(SupervisionOrder, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(_("办理情况"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("反馈时间"))
    decision = models.CharField(
        _("审核结果"), max_length=10, choices=AnswerDecision.choices, default=AnswerDecision.PENDING
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("办理情况反馈")
        verbose_name_plural = _("办理情况反馈")
        indexes = [models.Index(fields=["decision", "submitted_at"], name="order_answer_queue")]

    def __str__(self) -> str:
        return f"{self.order} · {self.submitted_at:%Y-%m-%d}"


class OrderEvidence(models.Model):
    """A file backing an answer, served only through an access-checked view."""

    answer = models.ForeignKey(OrderAnswer, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("文件"), upload_to="orders/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("督办反馈材料")
        verbose_name_plural = _("督办反馈材料")

    def __str__(self) -> str:
        return self.original_name
