from django import forms
from django.utils.translation import gettext_lazy as _

from progress.models import ReminderRule


class ReminderRuleForm(forms.ModelForm):
    """SASAC staff edit the reminder rules. Offsets are typed as "7,3,1,0"."""

    offsets_text = forms.CharField(
        label=_("提前提醒天数"),
        help_text=_("到期日前多少个日历日提醒,用逗号分隔,例如 7,3,1,0(0 表示到期当天)。"),
        max_length=100,
    )
    webhook_url = forms.URLField(
        label=_("Webhook 地址"),
        required=False,
        assume_scheme="https",
        help_text=_("企业微信、钉钉或短信网关的适配地址;系统以 JSON POST,并用密钥做 HMAC-SHA256 签名。"),
    )
    webhook_secret = forms.CharField(
        label=_("Webhook 签名密钥"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("留空则保持原密钥不变。"),
    )

    class Meta:
        model = ReminderRule
        fields = [
            "overdue_repeat_days",
            "escalate_after_days",
            "report_day",
            "report_grace_days",
            "report_notice_days",
            "quiet_hours_start",
            "quiet_hours_end",
            "webhook_url",
        ]
        widgets = {
            "quiet_hours_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_hours_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "overdue_repeat_days": _("逾期后第 1 天提醒一次,此后每隔多少天重复提醒;0 表示不重复。"),
            "escalate_after_days": _("逾期(或催办未签收)满多少天后告知国资委督办人员;0 表示不上报。"),
            "report_day": _("每月几号为进展报送日(1-28)。"),
            "report_grace_days": _("报送日后的宽限天数;宽限期最后一天再提醒一次。"),
            "report_notice_days": _("报送日前多少天提醒尚未报送的企业。"),
            "quiet_hours_start": _("免打扰时段内只写站内消息,邮件和 Webhook 在时段结束后的下一次发送时发出。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["offsets_text", *self.Meta.fields[:2], *self.Meta.fields[2:], "webhook_secret"])
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        if self.instance.webhook_secret:
            self.fields["webhook_secret"].widget.attrs["placeholder"] = _("已设置(留空保持不变)")
        self.fields["offsets_text"].initial = ",".join(str(o) for o in self.instance.offsets_days)
        for field in ("overdue_repeat_days", "escalate_after_days"):
            self.fields[field].widget.attrs["max"] = 365
        self.fields["report_day"].widget.attrs.update(min=1, max=28)

    def clean_offsets_text(self) -> list[int]:
        raw = self.cleaned_data["offsets_text"].replace(",", ",")
        try:
            offsets = sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True)
        except ValueError:
            raise forms.ValidationError(_("请输入用逗号分隔的整数天数,例如 7,3,1,0。")) from None
        if not offsets or any(o < 0 or o > 365 for o in offsets):
            raise forms.ValidationError(_("天数须在 0 到 365 之间,且至少填写一个。"))
        return offsets

    def clean_report_day(self) -> int:
        day = self.cleaned_data["report_day"]
        if not 1 <= day <= 28:
            raise forms.ValidationError(_("报送日须在每月 1 日到 28 日之间。"))
        return day

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_hours_start"), cleaned.get("quiet_hours_end")
        if (start is None) != (end is None):
            raise forms.ValidationError(_("免打扰时段的开始和结束须同时填写或同时留空。"))
        for field in ("overdue_repeat_days", "escalate_after_days"):
            if (cleaned.get(field) or 0) > 365:
                self.add_error(field, _("不能超过 365 天。"))
        if cleaned.get("webhook_url") and not (cleaned.get("webhook_secret") or self.instance.webhook_secret):
            self.add_error("webhook_secret", _("设置 Webhook 地址时须同时设置签名密钥。"))
        return cleaned

    def rule_values(self) -> dict:
        """The cleaned values as the rule's field names, for the service."""
        data = self.cleaned_data
        values = {name: data[name] for name in self.Meta.fields}
        values["offsets_days"] = data["offsets_text"]
        values["webhook_secret"] = data["webhook_secret"] or (
            self.instance.webhook_secret if data["webhook_url"] else ""
        )
        return values


class UrgeForm(forms.Form):
    message = forms.CharField(
        label=_("催办说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("可选:说明催办事项")}),
    )
