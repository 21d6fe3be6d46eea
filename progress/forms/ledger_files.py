"""Forms for ledger import and closing a reporting period. They validate; the services act."""

from django import forms
from django.utils.translation import gettext_lazy as _

from progress.forms.ledger import style

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class LedgerImportForm(forms.Form):
    file = forms.FileField(
        label=_("台账文件(.xlsx)"),
        help_text=_("使用下载的模板或导出的台账填写;最大 5 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的文件。"))
        if file.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("文件超过 5 MB,请分批导入。"))
        return file


class PeriodCloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("我已确认:关账后该月报送不能再新增或修改,且不能撤销。"),
        error_messages={"required": _("请勾选确认后再关账。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
