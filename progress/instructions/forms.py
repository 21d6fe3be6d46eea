"""Forms for instructions (批示). They validate input; ``progress.instructions.services`` acts."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import Role
from enterprises.names import person_name
from progress.forms.bounds import bound_dates
from progress.forms.ledger import style

TEXT_LIMIT = 1000


class InstructionForm(forms.Form):
    text = forms.CharField(
        label=_("批示内容"),
        max_length=TEXT_LIMIT,
        error_messages={"required": _("请填写批示内容。")},
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("例如:请华通加快 5G 项目进度,月底前报送整改措施。")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("请填写批示内容。"))
        return text


def sasac_officers():
    return (
        get_user_model()
        .objects.filter(profile__role=Role.SASAC_STAFF, is_active=True)
        .order_by("last_name", "first_name", "username")
    )


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)


class AssignForm(forms.Form):
    handler = OfficerChoiceField(label=_("承办人"), queryset=sasac_officers(), empty_label=None)
    due_date = forms.DateField(label=_("办理时限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(
        label=_("交办说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = sasac_officers()
        bound_dates(self)
        style(self)

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("办理时限不能早于今天。"))
        return due


class TextForm(forms.Form):
    """One required text: a progress update or a closing note."""

    text = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": _("此项不能为空。")}
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label
        style(self)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("此项不能为空。"))
        return text
