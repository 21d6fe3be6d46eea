"""Forms of the ledger workflow. They validate input; the services in progress.services act.

Every form that changes an existing row carries the ``version`` the user saw; the service
refuses a stale or missing one as a conflict.
"""

import datetime
import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from directives.models import Indicator
from progress.forms.bounds import TEXT_MAX_CHARS, bound_dates, check_year
from progress.models import ImplementationPlan, Milestone, ProgressReport
from progress.services.evidence import EVIDENCE_TYPES, check_evidence_file, evidence_max_bytes
from progress.services.ledger import REPORT_FIELDS, LedgerError, current_period


def style(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget, so templates render fields in one loop; evidence
    fields get their help text (the allowed types and size) in the request's language."""
    # Walks form.fields, not bound fields: those are cached and would freeze labels and help texts.
    for field in form.fields.values():
        if isinstance(field, EvidenceField):
            describe_evidence(field)
        widget = field.widget
        if widget.is_hidden:
            continue
        css = {forms.CheckboxInput: "form-check-input", forms.Select: "form-select"}.get(type(widget), "form-control")
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            widget.attrs["class"] = " ".join([*classes, css])


def note_field(label, *, required: bool = True, rows: int = 2, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX_CHARS,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


MILESTONE_WIDGETS = {
    "description": forms.Textarea(attrs={"rows": 3}),
    "start_date": date_input(),
    "due_date": date_input(),
}


class VersionedForm(forms.ModelForm):
    """Carries the row version the user started from, so a stale save is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
        bound_dates(self)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean(self):
        cleaned = super().clean()
        # Without the version a stale save could not be told from a fresh one: it would overwrite
        # whatever someone else saved meanwhile.
        if self.instance.pk and cleaned.get("version") is None and "version" not in self.errors:
            raise forms.ValidationError(
                _("这张表单缺少版本信息,无法判断期间是否有人修改过。请重新打开页面后再保存。"), code="version_required"
            )
        return cleaned

    def set_version(self, version: int) -> None:
        """After a conflict: the user's input stays; the next save knowingly replaces the newer row."""
        data = self.data.copy()
        data[self.add_prefix("version")] = str(version)
        self.data = data


class RevisionNoteMixin(forms.Form):
    revision_note = forms.CharField(
        label=_("修订说明"),
        required=False,
        max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("实施方案已批准:修改须说明理由,将记入修订记录。"),
    )

    def __init__(self, *args, require_revision: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_revision = require_revision
        if not require_revision:
            del self.fields["revision_note"]
        style(self)

    def clean_revision_note(self):
        note = self.cleaned_data.get("revision_note", "").strip()
        if self.require_revision and not note:
            raise forms.ValidationError(_("实施方案已批准,请填写修订说明。"))
        return note


class PlanForm(RevisionNoteMixin, VersionedForm):
    class Meta:
        model = ImplementationPlan
        fields = ["title", "roadmap", "timetable", "responsibility"]
        widgets = {
            "roadmap": forms.Textarea(attrs={"rows": 5}),
            "timetable": forms.Textarea(attrs={"rows": 5}),
            "responsibility": forms.Textarea(attrs={"rows": 4}),
        }


class MilestoneForm(RevisionNoteMixin, VersionedForm):
    """A new milestone (on an approved plan, with a revision note), or an edit before approval."""

    class Meta:
        model = Milestone
        fields = ["title", "description", "start_date", "due_date", "responsible_person"]
        widgets = MILESTONE_WIDGETS

    def clean(self):
        cleaned = super().clean()
        start, due = cleaned.get("start_date"), cleaned.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", _("时间节点不能早于开始日期。"))
        return cleaned


class ChangeRequestForm(VersionedForm):
    """变更申请: what should change in an approved milestone, and why. The due date is shown but
    moves only by an extension request: a form that sends another one is refused."""

    reason = note_field(_("变更理由"), rows=3)

    class Meta:
        model = Milestone
        fields = ["title", "description", "start_date", "due_date", "responsible_person"]
        widgets = MILESTONE_WIDGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        due = self.fields["due_date"]
        due.disabled = True
        due.help_text = _("时间节点的调整请提交延期申请。")

    def clean(self):
        cleaned = super().clean()
        sent = self.data.get(self.add_prefix("due_date"))
        if sent and sent != self.instance.due_date.isoformat():
            self.add_error("due_date", _("时间节点的调整须提交延期申请,不能在变更申请中修改。"))
        start = cleaned.get("start_date")
        if start and start > self.instance.due_date:
            self.add_error("start_date", _("开始日期不能晚于时间节点。"))
        return cleaned

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("title", "description", "start_date", "responsible_person")}


class VersionForm(forms.Form):
    """An action on a row the user saw at ``version``."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
        bound_dates(self)

    set_version = VersionedForm.set_version


class ReasonForm(VersionForm):
    reason = note_field(_("原因"))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("请填写原因。"))
        return reason


class CommentForm(VersionForm):
    comment = note_field(_("审核意见"), required=False)


class DecisionForm(VersionForm):
    """SASAC's decision on a request: a comment (the verification note of a closure), and for a
    closure below 100 % the reason to close it anyway."""

    comment = note_field(_("审批意见"), required=False)
    shortfall_reason = note_field(_("未达100%销号说明"), required=False)


class ExtensionRequestForm(VersionForm):
    """延期申请: the new due date and why."""

    due_date = forms.DateField(label=_("延期后的时间节点"), widget=date_input())
    reason = note_field(_("延期理由"), rows=3)

    def __init__(self, *args, milestone: Milestone, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestone = milestone
        self.fields["due_date"].help_text = _("当前时间节点:%(due)s;原定时间节点:%(original)s。") % {
            "due": milestone.due_date.isoformat(),
            "original": milestone.original_due_date.isoformat(),
        }

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due <= self.milestone.due_date:
            raise forms.ValidationError(
                _("延期后的时间节点须晚于当前时间节点(%(d)s)。") % {"d": self.milestone.due_date.isoformat()}
            )
        return due


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (the browser's month input); cleans to the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", value.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(_("请按“年-月”填写报送期,例如 2026-01。"))
        check_year(int(match.group(1)))
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)

    def prepare_value(self, value):
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m")
        return value


def describe_evidence(field: forms.FileField) -> None:
    """The allowed types and sizes, in the request's language, as help text and as data attributes:
    static/js/qdsasac.js checks the sizes before sending, so nothing typed is lost to a refusal."""
    limit_mb = round(evidence_max_bytes() / 1024 / 1024, 1)
    total_mb = round(settings.REQUEST_BODY_MAX_BYTES / 1024 / 1024, 1)
    field.help_text = _("可多选。允许 %(types)s,单个文件不超过 %(mb)s MB,一次提交合计不超过 %(total)s MB。") % {
        "types": str(_("、")).join(ext.lstrip(".") for ext in EVIDENCE_TYPES),
        "mb": limit_mb,
        "total": total_mb,
    }
    field.widget.attrs.update(
        {
            "data-max-file-bytes": evidence_max_bytes(),
            "data-max-total-bytes": settings.REQUEST_BODY_MAX_BYTES - 1024 * 1024,
            "data-file-too-large": _("“%(name)s”超过大小限制(%(limit)s MB),请压缩或拆分后再上传。")
            % {"name": "{name}", "limit": limit_mb},
            "data-total-too-large": _("所选文件合计超过 %(total)s MB,请分次提交。") % {"total": total_mb},
        }
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several evidence files at once, each checked for size and type before anything is stored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(EVIDENCE_TYPES)}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(EvidenceField, self).clean(f, initial) for f in files]
        errors = []
        for file in cleaned:
            try:
                check_evidence_file(file)
            except LedgerError as error:
                errors.append(str(error))
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class ClosureRequestForm(VersionForm):
    """申请销号: what was delivered, with the completion evidence."""

    reason = note_field(
        _("完成情况说明"), rows=4, help_text=_("说明交付成果和完成情况;国资委据此和佐证材料核实销号。")
    )
    evidence = EvidenceField(label=_("完成佐证材料"))


class ReportForm(VersionedForm):
    period = MonthField(label=_("报送期"))
    evidence = EvidenceField(label=_("佐证材料"))

    class Meta:
        model = ProgressReport
        fields = ["period", "progress", "work_done", "problems", "next_steps", "support_needed", "at_risk"]
        widgets = {
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
            "work_done": forms.Textarea(attrs={"rows": 3}),
            "problems": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
            "support_needed": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, indicators: list[Indicator] = (), **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The period of a filed report is fixed: it is part of the ledger row's identity.
            del self.fields["period"]
        self.indicators = list(indicators)
        existing = {}
        if self.instance.pk:
            existing = {v.indicator_id: v.value for v in self.instance.indicator_values.all()}
        for indicator in self.indicators:
            self.fields[self.indicator_field(indicator)] = forms.DecimalField(
                label=f"{indicator.name}({indicator.unit})",
                required=False,
                max_digits=14,
                decimal_places=2,
                min_value=indicator.min_value,
                max_value=indicator.max_value,
                initial=existing.get(indicator.pk),
            )
        style(self)

    @staticmethod
    def indicator_field(indicator: Indicator) -> str:
        return f"indicator_{indicator.pk}"

    def indicator_fields(self):
        return [self[self.indicator_field(i)] for i in self.indicators]

    def indicator_values(self) -> dict:
        return {i: self.cleaned_data.get(self.indicator_field(i)) for i in self.indicators}

    def clean_period(self):
        period = self.cleaned_data.get("period")
        if period and period > current_period():
            raise forms.ValidationError(_("不能为未来月份报送进展。"))
        return period

    def report_changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in REPORT_FIELDS}
