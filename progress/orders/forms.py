"""Forms for supervision orders (督办单). They validate input; ``progress.orders.services`` acts."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from progress.forms.bounds import bound_dates
from progress.forms.ledger import EvidenceField, style
from progress.services.evidence import EVIDENCE_TYPES, evidence_max_bytes


class MilestoneChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.assignment.directive.number} {obj.title}({obj.due_date:%Y-%m-%d})"


class OrderForm(forms.Form):
    title = forms.CharField(label=_("督办事项"), max_length=200)
    requirement = forms.CharField(label=_("督办要求"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5}))
    milestones = MilestoneChoiceField(
        label=_("涉及时间节点"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    answer_due = forms.DateField(label=_("反馈时限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=40)

    def __init__(self, *args, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestones"].queryset = milestones
        bound_dates(self)
        style(self)
        self.fields["milestones"].widget.attrs["class"] = "form-check-input"

    def clean_answer_due(self):
        due = self.cleaned_data["answer_due"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("反馈时限不能早于今天。"))
        return due

    def clean(self):
        cleaned = super().clean()
        for name in ("title", "requirement", "contact_name", "contact_phone"):
            if name in cleaned and not cleaned[name].strip():
                self.add_error(name, _("此项不能为空。"))
        return cleaned


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("办理情况"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("请填写办理情况。")},
    )
    evidence = EvidenceField(label=_("佐证材料"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_mb = round(evidence_max_bytes() / 1024 / 1024, 1)
        total_mb = round(settings.REQUEST_BODY_MAX_BYTES / 1024 / 1024, 1)
        self.fields["evidence"].help_text = _(
            "可多选。允许 %(types)s,单个文件不超过 %(mb)s MB,一次提交合计不超过 %(total)s MB。"
        ) % {
            "types": str(_("、")).join(ext.lstrip(".") for ext in EVIDENCE_TYPES),
            "mb": limit_mb,
            "total": total_mb,
        }
        # static/js/qdsasac.js checks the sizes before sending, as on the report form.
        self.fields["evidence"].widget.attrs.update(
            {
                "data-max-file-bytes": evidence_max_bytes(),
                "data-max-total-bytes": settings.REQUEST_BODY_MAX_BYTES - 1024 * 1024,
                "data-file-too-large": _("“%(name)s”超过大小限制(%(limit)s MB),请压缩或拆分后再上传。")
                % {"name": "{name}", "limit": limit_mb},
                "data-total-too-large": _("所选文件合计超过 %(total)s MB,请分次提交。") % {"total": total_mb},
            }
        )
        style(self)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("请填写办理情况。"))
        return text


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("审核意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("作废原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("作废须写明原因。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("作废须写明原因。"))
        return reason
