from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise


class Notice(models.Model):
    """A SASAC document whose clauses become directives."""

    code = models.SlugField(_("编号"), max_length=64, unique=True)
    title = models.CharField(_("标题"), max_length=300)
    issuer = models.CharField(_("发文机关"), max_length=100)
    issued_on = models.DateField(_("发布日期"))
    source = models.CharField(_("来源"), max_length=200, blank=True)
    full_text = models.TextField(_("全文"))

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self) -> str:
        return self.title


class Category(models.TextChoices):
    GENERAL = "general", _("总体要求")
    VERTICAL_PLATFORM = "vertical_platform", _("垂直领域平台")
    COSMOPLAT = "cosmoplat", _("卡奥斯共建")
    SERVICE_PLATFORM = "service_platform", _("应用服务平台")
    NEW_INFRASTRUCTURE = "new_infrastructure", _("新基建")
    MECHANISM = "mechanism", _("实施机制")
    SASAC_DUTY = "sasac_duty", _("国资委职责")


class DirectiveKind(models.TextChoices):
    SECTION = "section", _("部分")
    DIRECTIVE = "directive", _("任务")
    MEASURE = "measure", _("措施")


class Directive(models.Model):
    """One clause of a notice, in a tree: section -> directive -> measure.

    ``key`` is the data file's stable name for the clause, so a corrected file
    updates the row in place and every assignment keeps pointing at it.
    """

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="directives")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    key = models.SlugField(_("数据键"), max_length=64)
    kind = models.CharField(_("层级"), max_length=12, choices=DirectiveKind.choices)
    number = models.CharField(_("序号"), max_length=20)
    title = models.CharField(_("标题"), max_length=200)
    source_text = models.TextField(_("通知原文"))
    category = models.CharField(_("类别"), max_length=24, choices=Category.choices, db_index=True)
    target_sectors = models.JSONField(_("面向行业"), default=list, blank=True)
    named_enterprises = models.ManyToManyField(
        Enterprise, verbose_name=_("点名企业"), blank=True, related_name="named_in_directives"
    )
    partners = models.JSONField(_("合作方"), default=list, blank=True)
    focus_areas = models.JSONField(_("重点领域"), default=list, blank=True)
    position = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(
        _("有效"), default=True, help_text=_("数据文件中已删除的条款保留为无效,以保全其任务分解。")
    )

    class Meta:
        ordering = ["notice", "position"]
        verbose_name = _("条款")
        verbose_name_plural = _("条款")
        constraints = [
            models.UniqueConstraint(fields=["notice", "key"], name="directive_unique_key_per_notice"),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="directive_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


# Units that count whole things (个、家、项…): their values are shown without decimals.
COUNT_UNITS = frozenset({"个", "家", "项", "份", "台", "人", "次", "人次", "场", "件", "户", "条", "套", "座"})


def format_quantity(value, unit: str) -> str:
    """A value as a Chinese office writes it with its unit: "6家", "85.5%", "1,200.5万元".

    Counts are whole numbers; other units keep the decimals they have (up to the two stored),
    without trailing zeros.
    """
    if value is None:
        return "—"
    value = Decimal(value)
    if unit in COUNT_UNITS:
        number = f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
    else:
        number = f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,f}".rstrip("0").rstrip(".")
    return f"{number}{unit}"


class Indicator(models.Model):
    """A measurable of a directive, reported in ledger rows."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("代码"), max_length=64)
    name = models.CharField(_("名称"), max_length=120)
    unit = models.CharField(_("单位"), max_length=20)
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2, null=True, blank=True)
    min_value = models.DecimalField(_("最小值"), max_digits=14, decimal_places=2, default=0)
    max_value = models.DecimalField(_("最大值"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["directive", "code"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        constraints = [
            models.UniqueConstraint(fields=["directive", "code"], name="indicator_unique_code"),
            models.CheckConstraint(
                condition=Q(max_value__isnull=True) | Q(max_value__gte=F("min_value")),
                name="indicator_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.unit})"

    def format(self, value) -> str:
        return format_quantity(value, self.unit)


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("牵头")
    PARTICIPATING = "participating", _("参与")


class Assignment(models.Model):
    """A directive given to one enterprise, as lead or participant."""

    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="assignments")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("角色"), max_length=16, choices=AssignmentRole.choices)
    due_date = models.DateField(_("完成时限"))
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["enterprise", "directive__position"]
        verbose_name = _("任务分解")
        verbose_name_plural = _("任务分解")
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "enterprise"], name="assignment_unique_directive_enterprise"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.directive.number} ({self.get_role_display()})"
