from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    APPLIANCES = "appliances", _("家电")
    MACHINERY = "machinery", _("机械装备")
    CHEMICALS = "chemicals", _("化工")
    BEER = "beer", _("啤酒")
    BEVERAGES = "beverages", _("饮料")
    DIGITAL = "digital", _("数字与平台服务")
    CAPITAL = "capital", _("资本运营与投资")
    OTHER = "other", _("其他")


class Enterprise(models.Model):
    """A city-owned enterprise (市属企业) that carries out the notice."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("全称"), max_length=200, unique=True)
    short_name = models.CharField(_("简称"), max_length=50)
    sector = models.CharField(_("行业"), max_length=20, choices=Sector.choices, db_index=True)
    is_demo = models.BooleanField(
        _("演示数据"), default=False, help_text=_("未在通知中点名、仅用于演示的企业。")
    )
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self) -> str:
        return self.short_name


class Role(models.TextChoices):
    SASAC_STAFF = "sasac_staff", _("国资委督办人员")
    LIAISON = "liaison", _("企业联络员")
    LEADER = "leader", _("领导")


class Profile(models.Model):
    """A user's role in the product and, for a liaison, the enterprise they speak for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("所属企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
    )
    phone = models.CharField(_("手机"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="liaison") & Q(enterprise__isnull=False))
                | (~Q(role="liaison") & Q(enterprise__isnull=True)),
                name="profile_liaison_has_enterprise",
                violation_error_message=_("联络员必须属于一家企业,其他角色不属于企业。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
