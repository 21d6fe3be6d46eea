"""The board's filters (django-filter). Every filter is a query parameter, so a URL is a view."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from directives.models import Assignment, Category, Directive, DirectiveKind
from enterprises.models import Enterprise, Sector
from progress.forecast import AT_RISK, annotate_forecast
from progress.health import HEALTH_CHOICES, HealthRules, health_condition, today
from progress.models import MilestoneStatus
from progress.scoping import visible_enterprises

SMALL = {"class": "form-select form-select-sm"}
SMALL_INPUT = {"class": "form-control form-control-sm"}


def _enterprises(request):
    if request is None:
        return visible_enterprises(None).none()
    return visible_enterprises(request.user).only("id", "short_name", "code")


class DirectiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} {obj.title}"


class DirectiveFilter(django_filters.ModelChoiceFilter):
    field_class = DirectiveChoiceField


class MilestoneFilter(django_filters.FilterSet):
    """Filters for ``progress.selectors.board.board_milestones`` rows (health already annotated)."""

    q = django_filters.CharFilter(
        label=_("关键词"),
        method="filter_text",
        widget=forms.TextInput(attrs={**SMALL_INPUT, "placeholder": _("任务、责任人、企业、条款")}),
    )
    enterprise = django_filters.ModelChoiceFilter(
        label=_("企业"),
        field_name="assignment__enterprise",
        queryset=_enterprises,
        widget=forms.Select(attrs=SMALL),
    )
    sector = django_filters.ChoiceFilter(
        label=_("行业"),
        field_name="assignment__enterprise__sector",
        choices=Sector.choices,
        widget=forms.Select(attrs=SMALL),
    )
    category = django_filters.ChoiceFilter(
        label=_("类别"),
        field_name="assignment__directive__category",
        choices=Category.choices,
        widget=forms.Select(attrs=SMALL),
    )
    directive = DirectiveFilter(
        label=_("条款"),
        method="filter_directive",
        queryset=Directive.objects.exclude(kind=DirectiveKind.SECTION)
        .only("id", "number", "title")
        .order_by("position"),
        widget=forms.Select(attrs=SMALL),
    )
    health = django_filters.ChoiceFilter(
        label=_("健康状态"), method="filter_health", choices=HEALTH_CHOICES, widget=forms.Select(attrs=SMALL)
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=MilestoneStatus.choices, widget=forms.Select(attrs=SMALL)
    )
    due_from = django_filters.DateFilter(
        label=_("到期自"),
        field_name="due_date",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={**SMALL_INPUT, "type": "date"}),
    )
    due_to = django_filters.DateFilter(
        label=_("到期至"),
        field_name="due_date",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={**SMALL_INPUT, "type": "date"}),
    )
    at_risk = django_filters.BooleanFilter(
        label=_("预测延期"),
        method="filter_at_risk",
        widget=forms.Select(attrs=SMALL, choices=[("", _("全部")), ("true", _("仅预测延期"))]),
    )

    def __init__(self, *args, on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.on = on or today()

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Enterprises and directives are few: match them first (subqueries), so the search
        # scans only the milestone table's own two columns and joins nothing.
        enterprises = Enterprise.objects.filter(Q(short_name__icontains=value) | Q(name__icontains=value))
        directives = Directive.objects.filter(Q(number__icontains=value) | Q(title__icontains=value))
        assignments = Assignment.objects.filter(Q(enterprise__in=enterprises) | Q(directive__in=directives))
        return queryset.filter(
            Q(title__icontains=value) | Q(responsible_person__icontains=value) | Q(assignment__in=assignments)
        )

    def filter_directive(self, queryset, name, value):
        # A directive stands for its measures too: the tree is section -> directive -> measure.
        return queryset.filter(Q(assignment__directive=value) | Q(assignment__directive__parent=value))

    def filter_health(self, queryset, name, value):
        return queryset.filter(health_condition(value, on=self.on, rules=HealthRules.from_settings()))

    def filter_at_risk(self, queryset, name, value):
        # Only "yes" narrows: the rule is a WHERE clause, so PostgreSQL checks the cheap
        # conditions (open, has a report) before the per-row velocity look-ups.
        if not value:
            return queryset
        return annotate_forecast(queryset).filter(AT_RISK)


def filter_controls(filterset: MilestoneFilter) -> list[dict]:
    """The filter form's controls as HTML, selects built in one pass.

    Django renders every <option> through its own widget template; with a city's enterprises
    and the notice's directives that was a third of the board's server time.
    """
    controls = []
    for bound in filterset.form:
        widget = bound.field.widget
        if isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
            current = bound.value()
            current = "" if current is None else str(current)
            choices = getattr(bound.field, "choices", None) or widget.choices
            # Every select starts with "all" (全部), whatever empty label the field carries.
            choices = [("", _("全部")), *((v, label) for v, label in choices if v != "")]
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((value, " selected" if str(value) == current else "", label) for value, label in choices),
            )
            html = format_html(
                '<select name="{}" id="{}" class="{}">{}</select>',
                bound.html_name,
                bound.auto_id,
                widget.attrs.get("class", ""),
                options,
            )
        else:
            html = str(bound)
        controls.append({"name": bound.name, "label": bound.label, "id": bound.auto_id, "html": html})
    return controls
