from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from progress.models import ChannelConfig, Delivery, NotificationKind, ReminderRule, Urge
from progress.reminders import channels, outbound
from progress.reminders.channels import TransientError


class ReminderRuleForm(forms.ModelForm):
    """SASAC staff edit the reminder rules. Offsets are typed as "7,3,1,0"."""

    offsets_text = forms.CharField(
        label=_("提前提醒天数"),
        help_text=_("到期日前多少个日历日提醒,用逗号分隔,例如 7,3,1,0(0 表示到期当天)。"),
        max_length=100,
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
        self.order_fields(["offsets_text", *self.Meta.fields])
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
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
        return cleaned

    def rule_values(self) -> dict:
        """The cleaned values as the rule's field names, for the service."""
        data = self.cleaned_data
        values = {name: data[name] for name in self.Meta.fields}
        values["offsets_days"] = data["offsets_text"]
        return values


class UrgeForm(forms.Form):
    message = forms.CharField(
        label=_("催办说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("可选:说明催办事项")}),
    )


class UrgeAcknowledgeForm(forms.Form):
    reply = forms.CharField(
        label=_("签收回复"),
        required=False,
        max_length=Urge.REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("可选:简要回复国资委,例如预计完成时间")}),
        error_messages={"max_length": _("签收回复不能超过 %(limit_value)d 字(现在 %(show_value)d 字)。")},
    )


class ChannelConfigForm(forms.Form):
    """SASAC's settings for one configurable channel. A URL is checked against the outbound policy
    (https, public address, resolved now) before it is saved; the secret is never shown again."""

    enabled = forms.BooleanField(label=_("启用"), required=False)
    url = forms.URLField(label=_("地址"), required=False, max_length=500, assume_scheme="https")
    secret = forms.CharField(
        label=_("密钥"), required=False, max_length=200, widget=forms.PasswordInput(render_value=False)
    )
    kinds = forms.MultipleChoiceField(
        label=_("推送的提醒类型"),
        required=False,
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("都不勾选即推送全部类型。"),
    )

    def __init__(self, *args, channel: channels.Channel, config: ChannelConfig | None, **kwargs):
        self.channel = channel
        self.config = config
        initial = {"enabled": False, "url": "", "kinds": []}
        if config is not None:
            initial = {"enabled": config.enabled, "url": config.url, "kinds": config.kinds}
        super().__init__(*args, initial=initial, prefix=channel.name, **kwargs)
        self.fields["url"].help_text = channel.url_help
        self.fields["url"].widget.attrs.update({"class": "form-control", "autocomplete": "off"})
        self.fields["enabled"].widget.attrs["class"] = "form-check-input"
        if channel.secret_help:
            self.fields["secret"].help_text = channel.secret_help
            self.fields["secret"].widget.attrs.update({"class": "form-control", "autocomplete": "new-password"})
            if config is not None and config.secret:
                self.fields["secret"].widget.attrs["placeholder"] = _("已设置(留空保持不变)")
        else:
            del self.fields["secret"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if not url:
            return url
        try:
            outbound.check(url)
        except outbound.OutboundRefused as refused:
            raise forms.ValidationError(refused.message) from None
        except TransientError:
            host = urlsplit(url).hostname or url
            raise forms.ValidationError(outbound.OutboundRefused("unresolved", host=host).message) from None
        self.channel.check_url(url)
        return url

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("enabled") and not cleaned.get("url"):
            self.add_error("url", _("启用前须填写地址。"))
        kept_secret = self.config.secret if self.config is not None else ""
        if self.channel.secret_required and cleaned.get("enabled") and not (cleaned.get("secret") or kept_secret):
            self.add_error("secret", _("启用此渠道须设置密钥。"))
        return cleaned

    def config_values(self) -> dict:
        data = self.cleaned_data
        kept_secret = self.config.secret if self.config is not None else ""
        return {
            "enabled": data["enabled"],
            "url": data["url"],
            "secret": (data.get("secret") or kept_secret) if data["url"] else "",
            "kinds": data["kinds"],
        }


class ResendForm(forms.Form):
    """Which failed deliveries SASAC resends: all, one channel's, or one channel's with one error."""

    channel = forms.ChoiceField(required=False, choices=[("", "")] + list(Delivery.Channel.choices))
    # Set with error_code when one group (channel and error) is resent; the code itself may be empty.
    one_error = forms.BooleanField(required=False)
    error_code = forms.CharField(required=False, max_length=40)

    def filters(self) -> dict:
        data = self.cleaned_data
        return {"channel": data["channel"] or None, "error_code": data["error_code"] if data["one_error"] else None}
