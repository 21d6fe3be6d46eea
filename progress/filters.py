"""The board's filters (django-filter). Every filter is a query parameter, so a URL is a view."""

from html import escape as _e

import django_filters
from django import forms
from django.db.models import Q
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from directives.models import Assignment, Category, Directive, DirectiveKind
from directives.selectors import subtree_condition
from enterprises.models import Enterprise, Sector
from progress.forecast import STORED_AT_RISK
from progress.health import HEALTH_CHOICES, HealthRules, health_condition, today
from progress.models import MilestoneStatus
from progress.scoping import visible_enterprises
from progress.silence import long_silent_condition

SMALL = {"class": "form-select form-select-sm"}
SMALL_INPUT = {"class": "form-control form-control-sm"}


def _enterprises(request):
    if request is None:  # a filterset built without a request (a form rendered alone) lists none
        return Enterprise.objects.none()
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
        # The method filters (the directive and its measures); the field names what the value is,
        # for the API's OpenAPI document: an assignment's directive, by id.
        field_name="assignment__directive",
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
    extended = django_filters.BooleanFilter(
        label=_("已延期"),
        method="filter_extended",
        widget=forms.Select(attrs=SMALL, choices=[("", _("全部")), ("true", _("仅已延期"))]),
    )
    at_risk = django_filters.BooleanFilter(
        label=_("预测延期"),
        method="filter_at_risk",
        widget=forms.Select(attrs=SMALL, choices=[("", _("全部")), ("true", _("仅预测延期"))]),
    )

    long_silent = django_filters.BooleanFilter(
        label=_("长期未报送"),
        method="filter_long_silent",
        widget=forms.Select(attrs=SMALL, choices=[("", _("全部")), ("true", _("仅长期未报送"))]),
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
        # Chinese has no letter case: then a plain LIKE gives the same rows as ILIKE/UPPER
        # without converting every title (a third of the search's time at city scale).
        contains = "icontains" if value.lower() != value.upper() else "contains"

        def matches(*fields: str) -> Q:
            found = Q()
            for field in fields:
                found |= Q(**{f"{field}__{contains}": value})
            return found

        enterprises = Enterprise.objects.filter(matches("short_name", "name"))
        directives = Directive.objects.filter(matches("number", "title"))
        assignments = Assignment.objects.filter(Q(enterprise__in=enterprises) | Q(directive__in=directives))
        return queryset.filter(matches("title", "responsible_person") | Q(assignment__in=assignments))

    def filter_directive(self, queryset, name, value):
        # A directive stands for its measures too: the tree is section -> directive -> measure.
        return queryset.filter(subtree_condition(value, path="assignment__directive"))

    def filter_health(self, queryset, name, value):
        return queryset.filter(health_condition(value, on=self.on, rules=HealthRules.from_settings()))

    def filter_extended(self, queryset, name, value):
        # Only "yes" narrows: milestones SASAC granted at least one extension (a partial index).
        if not value:
            return queryset
        return queryset.filter(extension_count__gt=0)

    def filter_at_risk(self, queryset, name, value):
        # Only "yes" narrows. The verdict is stored by the ledger services
        # (``store_forecast_at_risk``): reading each milestone's recent reports here
        # took 200 ms at city scale.
        if not value:
            return queryset
        return queryset.filter(STORED_AT_RISK)


    def filter_long_silent(self, queryset, name, value):
        # Only "yes" narrows: open milestones with no accepted report for LONG_SILENT_MONTHS.
        if not value:
            return queryset
        return queryset.filter(long_silent_condition(on=self.on))


def _choices(field) -> list[tuple[str, str]]:
    """A select's (value, label) pairs; model choices read as plain columns, not model instances."""
    if isinstance(field, DirectiveChoiceField):
        rows = field.queryset.values_list("pk", "number", "title")
        return [(str(pk), f"{number} {title}") for pk, number, title in rows]
    if isinstance(field, forms.ModelChoiceField):  # enterprises: labelled by short name (Enterprise.__str__)
        return [(str(pk), name) for pk, name in field.queryset.values_list("pk", "short_name")]
    return [(str(value), str(label)) for value, label in field.choices if value != ""]


def filter_controls(filterset: MilestoneFilter) -> list[dict]:
    """The filter form's controls as HTML, selects built in one pass with f-strings.

    Django renders every <option> through its own widget template, and builds a model
    instance per enterprise and directive; with a city's enterprises and the notice's
    directives that was a third of the board's server time. Text and date inputs keep
    Django's rendering.
    """
    controls = []
    for bound in filterset.form:
        widget = bound.field.widget
        if isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
            current = bound.value()
            current = "" if current is None else str(current)
            choices = _choices(bound.field) if hasattr(bound.field, "choices") else widget.choices
            # Every select starts with "all" (全部), whatever empty label the field carries.
            options = [f'<option value="">{_e(str(_("全部")))}</option>']
            options += [
                f'<option value="{_e(value)}"{" selected" if value == current else ""}>{_e(label)}</option>'
                for value, label in ((str(v), str(lbl)) for v, lbl in choices if v != "")
            ]
            html = mark_safe(
                f'<select name="{_e(bound.html_name)}" id="{_e(bound.auto_id)}" '
                f'class="{_e(widget.attrs.get("class", ""))}">{"".join(options)}</select>'
            )
        else:
            html = str(bound)
        controls.append({"name": bound.name, "label": bound.label, "id": bound.auto_id, "html": html})
    return controls
