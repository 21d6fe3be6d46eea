"""The form that asks which period to draft a circular for."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from progress.circulars.figures import Period
from progress.forms.bounds import bound_dates
from progress.forms.ledger import MonthField, style
from progress.models import CircularKind


class DraftForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=CircularKind.choices, initial=CircularKind.MONTH)
    month = MonthField(label=_("月份"), required=False)
    week = forms.DateField(
        label=_("周(该周任一天)"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["month"].initial = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        self.fields["week"].initial = today - datetime.timedelta(days=7)
        bound_dates(self)
        style(self)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == CircularKind.MONTH and not cleaned.get("month"):
            self.add_error("month", _("请选择月份。"))
        if kind == CircularKind.WEEK and not cleaned.get("week"):
            self.add_error("week", _("请选择该周的任一天。"))
        return cleaned

    def period(self) -> Period:
        if self.cleaned_data["kind"] == CircularKind.WEEK:
            return Period.week(self.cleaned_data["week"])
        return Period.month(self.cleaned_data["month"])


class FinalForm(forms.Form):
    file = forms.FileField(
        label=_("定稿(Word)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
        error_messages={"required": _("请选择定稿文件。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
