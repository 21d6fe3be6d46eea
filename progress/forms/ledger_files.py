"""Forms for ledger import and closing a reporting period. They validate; the services act."""

from django import forms
from django.utils.translation import gettext_lazy as _

from progress.forms.ledger import MonthField, style
from progress.services.ledger import current_period, period_is_closed
from progress.services.ledger_import import LIMITS


class LedgerImportForm(forms.Form):
    file = forms.FileField(
        label=_("台账文件(.xlsx)"),
        help_text=_("使用本系统导出的台账填写后上传;最大 5 MB。上传后先预览,确认后才导入。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    period = MonthField(label=_("报送期"), required=False, help_text=_("默认为本月。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].initial = current_period()
        style(self)

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的文件。"))
        if file.size > LIMITS.max_bytes:
            raise forms.ValidationError(_("文件超过 5 MB,请分批导入。"))
        return file

    def clean_period(self):
        period = self.cleaned_data.get("period") or current_period()
        if period > current_period():
            raise forms.ValidationError(_("不能为未来月份报送进展。"))
        if period_is_closed(period):
            raise forms.ValidationError(_("%(p)s 报送期已关账,不能再导入。") % {"p": period.strftime("%Y-%m")})
        return period


class PeriodCloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("我已确认:关账后该月报送不能再新增或修改,且不能撤销。"),
        error_messages={"required": _("请勾选确认后再关账。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
