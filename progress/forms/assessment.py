from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from progress.forms.bounds import check_year
from progress.services.assessment import QUARTER_RE

WEIGHT_ATTRS = {"class": "form-control", "step": "0.01", "min": "0", "max": "100"}


class AssessmentWeightsForm(forms.Form):
    """The four weights; each 0-100, together exactly 100."""

    on_time_closure = forms.DecimalField(
        label=_("按期销号权重"), min_value=0, max_value=100, decimal_places=2, widget=forms.NumberInput(WEIGHT_ATTRS)
    )
    report_timeliness = forms.DecimalField(
        label=_("按时报送权重"), min_value=0, max_value=100, decimal_places=2, widget=forms.NumberInput(WEIGHT_ATTRS)
    )
    overdue_work = forms.DecimalField(
        label=_("逾期事项权重"), min_value=0, max_value=100, decimal_places=2, widget=forms.NumberInput(WEIGHT_ATTRS)
    )
    extensions = forms.DecimalField(
        label=_("延期事项权重"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.NumberInput(WEIGHT_ATTRS),
        help_text=_("无延期率:考核期内在办的时间节点中,未获批延期的比例。设为 0 则不计延期。"),
    )

    def clean(self):
        cleaned = super().clean()
        parts = [cleaned.get(name) for name in ("on_time_closure", "report_timeliness", "overdue_work", "extensions")]
        if all(part is not None for part in parts) and sum(parts) != Decimal(100):
            raise forms.ValidationError(_("各项权重之和必须为 100,当前为 %(total)s。"), params={"total": sum(parts)})
        return cleaned


class QuarterForm(forms.Form):
    quarter = forms.RegexField(
        label=_("季度"),
        regex=QUARTER_RE,
        error_messages={"invalid": _("季度格式应为 2026Q3。")},
        widget=forms.TextInput({"class": "form-control form-control-sm", "placeholder": "2026Q3"}),
    )

    def clean_quarter(self):
        quarter = self.cleaned_data["quarter"]
        check_year(int(quarter[:4]))
        return quarter
