from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directives.models import Directive
from enterprises.models import Enterprise
from progress.models.ledger import Milestone


class InstructionStatus(models.TextChoices):
    NEW = "new", _("待交办")
    ASSIGNED = "assigned", _("落实中")
    DONE = "done", _("已办结")


class Assignee(models.TextChoices):
    SASAC = "sasac", _("国资委自办")
    ENTERPRISE = "enterprise", _("督办企业")


class Instruction(models.Model):
    """A leader's instruction (批示) on a milestone, an enterprise, a directive or a chart selection.

    It is a follow-up action: SASAC assigns it with a due date, either to one of its officers or
    to enterprises through supervision orders (``progress.orders``), and closes it (办结).
    Health is derived like a milestone's (``progress.instructions.health``).
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批示领导"), on_delete=models.PROTECT, related_name="instructions"
    )
    text = models.TextField(_("批示内容"))
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("时间节点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructions",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructions",
    )
    directive = models.ForeignKey(
        Directive,
        verbose_name=_("条款"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructions",
    )
    # A chart selection is the board query behind the bar the leader clicked, with what it showed.
    selection = models.CharField(_("图表选择"), max_length=500, blank=True)
    selection_label = models.CharField(_("图表选择说明"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=InstructionStatus.choices, default=InstructionStatus.NEW, db_index=True
    )
    assignee = models.CharField(_("承办方式"), max_length=10, choices=Assignee.choices, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date = models.DateField(_("办理时限"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("交办人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closing_note = models.TextField(_("办结情况"), blank=True)
    created_at = models.DateTimeField(_("批示时间"), default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        indexes = [models.Index(fields=["author", "-created_at"], name="instruction_author_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(milestone__isnull=False)
                | Q(enterprise__isnull=False)
                | Q(directive__isnull=False)
                | ~Q(selection=""),
                name="instruction_has_subject",
            ),
            models.CheckConstraint(
                condition=Q(status="new") | Q(due_date__isnull=False), name="instruction_assigned_has_due_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(closed_at__isnull=False) & ~Q(closing_note="")),
                name="instruction_done_has_note",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class InstructionUpdate(models.Model):
    """What SASAC reports back on an instruction it handles itself (落实情况)."""

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("落实情况"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(_("填写时间"), default=timezone.now)

    class Meta:
        ordering = ["written_at", "id"]
        verbose_name = _("批示落实情况")
        verbose_name_plural = _("批示落实情况")

    def __str__(self) -> str:
        return self.text[:40]
