"""The milestone table (django-tables2) shared by the board and the enterprise workspace."""

import datetime
from html import escape as _e
from types import SimpleNamespace

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django_tables2 import Column, RequestConfig, Table
from django_tables2.templatetags.django_tables2 import table_page_range

from progress.health import HEALTH_LABELS, HEALTH_ORDER, HealthRules, health_condition, health_of, today
from progress.models import Milestone, ReviewState
from progress.silence import is_long_silent, silent_since

REVIEW_LABELS = dict(ReviewState.choices)
REVIEW_BADGES = {"pending": "text-bg-warning", "accepted": "text-bg-success", "returned": "text-bg-danger"}
PER_PAGE = 50
# What a page reads from the milestone table, then by primary key from its relations. The latest
# report's date and review state and the accepted report's risk flag are the copies stored on the
# milestone, the same ones the counts and sorts read, so a row's health light always agrees with
# the counts. ``progress`` is the accepted figure: leaders see what SASAC accepted.
PAGE_FIELDS = (
    "id",
    "title",
    "responsible_person",
    "start_date",
    "due_date",
    "original_due_date",
    "extension_count",
    "progress",
    "status",
    "latest_report_at",
    "latest_review_state",
    "accepted_report_at_risk",
    "accepted_report_at",
)
RELATED_FIELDS = (
    "id",
    "assignment__enterprise__code",
    "assignment__enterprise__short_name",
    "assignment__directive_id",
    "assignment__directive__number",
    "assignment__directive__title",
)
MAX_PER_PAGE = 200
# Fits both an int and a slug converter, and appears in no route's own text.
_PLACEHOLDER = 987654321


def url_pattern(viewname: str) -> str:
    """The URL of ``viewname`` with ``{}`` where its one argument goes: reversed once per page, filled per row."""
    return reverse(viewname, args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")


class KnownCountPaginator(Paginator):
    """A paginator told the row count, so the board runs no second COUNT(*) (the health counts add up to it)."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, min(int(per_page), MAX_PER_PAGE), **kwargs)
        self.count = count


def _tie(*fields: str) -> tuple[str, ...]:
    # Every sort ends on the id, so the page and the export list tied rows in the same order.
    return (*fields, "id")


class MilestoneTable(Table):
    enterprise = Column(
        verbose_name=_("企业"),
        accessor="assignment__enterprise__short_name",
        order_by=_tie("assignment__enterprise__code", "due_date"),
    )
    directive = Column(
        verbose_name=_("条款"),
        accessor="assignment__directive__number",
        order_by=_tie("assignment__directive__position", "due_date"),
    )
    title = Column(verbose_name=_("工作任务"), order_by=_tie("title"))
    responsible_person = Column(verbose_name=_("责任人"), order_by=_tie("responsible_person"))
    due_date = Column(verbose_name=pgettext_lazy("ledger column", "时间节点"), order_by=_tie("due_date"))
    progress = Column(verbose_name=_("已审核进度"), order_by=_tie("progress"), attrs={"td": {"class": "text-nowrap"}})
    health = Column(verbose_name=_("健康"), order_by=_tie("health_rank", "due_date"))
    latest_report = Column(
        verbose_name=_("最近报送"),
        accessor="latest_report__submitted_at",
        order_by=_tie("latest_report_at"),
        default="—",
    )
    review_state = Column(
        verbose_name=_("审核状态"),
        accessor="latest_report__review_state",
        order_by=_tie("latest_review_state"),
        default="—",
    )

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle milestone-table", "data-testid": "milestone-table"}
        order_by = ("due_date", "id")
        empty_text = _("没有符合条件的时间节点。")
        per_page = PER_PAGE

    # Cells are built with f-strings and html.escape rather than format_html: the same output,
    # several times faster over a page of 50 rows x 9 columns. URLs are reversed once per page.
    def _urls(self) -> dict[str, str]:
        if not hasattr(self, "urls"):
            self.urls = {
                "enterprise": url_pattern("progress:workspace"),
                "directive": url_pattern("progress:directive_detail"),
                "milestone": url_pattern("progress:milestone_detail"),
            }
        return self.urls

    def render_enterprise(self, record):
        enterprise = record.assignment.enterprise
        href = self._urls()["enterprise"].format(_e(enterprise.code))
        return mark_safe(f'<a href="{href}">{_e(enterprise.short_name)}</a>')

    def render_directive(self, record):
        directive = record.assignment.directive
        title = directive.title if len(directive.title) <= 14 else directive.title[:13] + "…"
        href = self._urls()["directive"].format(directive.id)
        return mark_safe(
            f'<a href="{href}" title="{_e(directive.title)}">{_e(directive.number)}</a> '
            f'<span class="text-muted small">{_e(title)}</span>'
        )

    def render_title(self, record):
        return mark_safe(f'<a href="{self._urls()["milestone"].format(record.id)}">{_e(record.title)}</a>')

    def render_due_date(self, record):
        """The due date; after an extension, the original commitment and the number of extensions beside it."""
        due = record.due_date.isoformat()
        if not record.extension_count:
            return due
        extended = ngettext("延期 %(n)d 次", "延期 %(n)d 次", record.extension_count) % {"n": record.extension_count}
        original = _("原定 %(d)s") % {"d": record.original_due_date.isoformat()}
        return mark_safe(
            f'{due} <span class="badge text-bg-warning" data-testid="extended">{_e(extended)}</span>'
            f'<div class="small text-muted">{_e(str(original))}</div>'
        )

    def render_progress(self, value):
        return mark_safe(
            f'<div class="progress board-progress" role="progressbar" aria-label="{_e(_("进度"))}" '
            f'aria-valuenow="{value}" aria-valuemin="0" aria-valuemax="100">'
            f'<div class="progress-bar" style="width: {value}%"></div></div> {value}%'
        )

    def render_health(self, value):
        return mark_safe(
            f'<span class="health-light health-{value}" aria-hidden="true"></span> '
            f'<span class="small">{_e(str(HEALTH_LABELS[value]))}</span>'
        )

    def render_silence(self, record) -> str:
        if not is_long_silent(record, on=self.on):
            return ""
        since = silent_since(record).isoformat()
        title = _("自 %(d)s 起没有审核通过的报送") % {"d": since}
        return mark_safe(
            f' <span class="badge text-bg-dark" data-testid="long-silent" title="{_e(str(title))}">'
            f"{_e(str(_('长期未报送')))}</span>"
        )

    def render_latest_report(self, value):
        return timezone.localtime(value).date().isoformat()

    def render_review_state(self, record):
        state = record.latest_report.review_state
        if state is None:
            return "—"
        return mark_safe(f'<span class="badge {REVIEW_BADGES[state]}">{_e(str(REVIEW_LABELS[state]))}</span>')

    def _cells(self, record) -> dict:
        latest = record.latest_report
        return {
            "enterprise": lambda: self.render_enterprise(record),
            "directive": lambda: self.render_directive(record),
            "title": lambda: self.render_title(record),
            "responsible_person": lambda: _e(record.responsible_person),
            "due_date": lambda: self.render_due_date(record),
            "progress": lambda: self.render_progress(record.progress),
            "health": lambda: self.render_health(health_of(record, on=self.on, rules=self.rules))
            + self.render_silence(record),
            "latest_report": lambda: self.render_latest_report(latest.submitted_at) if latest else "—",
            "review_state": lambda: self.render_review_state(record) if latest else "—",
        }

    def _page_queries(self) -> list:
        """The querysets (already sliced) whose rows make this page, in order.

        Sorted by health, the page is cut from the health groups in turn, each read in
        due-date order (an index scan), using the counts per health the view already has:
        ordering every row by its computed health rank took 15 ms at city scale. If the page
        spans more than two groups (small groups, a long page) it is one query as usual.
        """
        paged = hasattr(self, "page")
        sliced = self.page.object_list.data if paged else self.data.data
        counts = getattr(self, "health_counts", None)
        order = self.order_by[0] if self.order_by else None
        if not (paged and counts and order in ("health", "-health")):
            return [sliced]
        descending = order.startswith("-")
        healths = sorted(counts, key=lambda h: HEALTH_ORDER[h], reverse=descending)
        within = ("-due_date", "-id") if descending else ("due_date", "id")
        first, last = self.page.start_index() - 1, self.page.end_index()
        base = self.data.data.order_by()
        queries, start = [], 0
        for health in healths:
            end = start + counts[health]
            low, high = max(first, start), min(last, end)
            if low < high:
                queries.append(
                    base.filter(health_condition(health, on=self.on, rules=self.rules)).order_by(*within)[
                        low - start : high - start
                    ]
                )
            start = end
        return queries if len(queries) <= 2 else [sliced]

    def page_records(self) -> list[SimpleNamespace]:
        """The page's rows as plain objects shaped like milestones (``record.assignment.enterprise``...).

        One query reads the page's own columns (with the latest report's stored copies), one more
        their enterprise and directive by primary key: no model instances, no prefetch machinery.
        """
        rows = []
        for queryset in self._page_queries():
            rows += queryset.values_list(*PAGE_FIELDS)
        if not rows:
            return []
        related = {
            row[0]: row[1:]
            for row in Milestone.objects.filter(pk__in=[row[0] for row in rows]).order_by().values_list(*RELATED_FIELDS)
        }
        records = []
        for row in rows:
            pk, title, person, start_date, due_date, original, extensions, progress, status = row[:9]
            report_at, review, at_risk, accepted_at = row[9:]
            code, short_name, directive_id, number, directive_title = related[pk]
            records.append(
                SimpleNamespace(
                    id=pk,
                    title=title,
                    responsible_person=person,
                    start_date=start_date,
                    due_date=due_date,
                    original_due_date=original,
                    extension_count=extensions,
                    progress=progress,
                    status=status,
                    accepted_report_at_risk=bool(at_risk),
                    accepted_report_at=accepted_at,
                    assignment=SimpleNamespace(
                        enterprise=SimpleNamespace(code=code, short_name=short_name),
                        directive=SimpleNamespace(id=directive_id, number=number, title=directive_title),
                    ),
                    latest_report=None
                    if report_at is None
                    else SimpleNamespace(submitted_at=report_at, review_state=review),
                )
            )
        return records

    def body_html(self):
        """The page's rows as HTML, the same cells as the render_* methods give, in one pass."""
        names = [column.name for column in self.columns]
        self.on = getattr(self, "on", None) or today()
        self.rules = HealthRules.from_settings()
        opening = {}
        for column in self.columns:
            css = column.attrs.get("td", {}).get("class", "")
            opening[column.name] = f'<td class="{css}">' if css else "<td>"
        rows = []
        for record in self.page_records():
            cells = self._cells(record)
            rows.append("<tr>" + "".join(f"{opening[name]}{cells[name]()}</td>" for name in names) + "</tr>")
        if not rows:
            rows.append(f'<tr><td colspan="{len(names)}">{_e(str(self.empty_text))}</td></tr>')
        return mark_safe("".join(rows))

    def as_html(self, request) -> str:
        """The whole table: header with sort links, body and pager, as django-tables2's
        bootstrap5 template lays them out, built in Python (the template engine took a
        fifth of the board's server time)."""
        query = request.GET.copy()

        def link(**changes) -> str:
            for key, value in changes.items():
                query[key] = value
            return "?" + _e(query.urlencode())

        heads = []
        for column in self.columns:
            attrs = column.attrs["th"].as_html()
            header = _e(str(column.header))
            if column.orderable:
                heads.append(
                    f'<th {attrs} scope="col"><a href="{link(sort=column.order_by_alias.next)}">{header}</a></th>'
                )
            else:
                heads.append(f'<th {attrs} scope="col">{header}</th>')
        query = request.GET.copy()
        parts = [
            f'<div class="table-container"><table {self.attrs.as_html()}><thead><tr>{"".join(heads)}</tr></thead>',
            f"<tbody>{self.body_html()}</tbody></table>",
        ]
        page = getattr(self, "page", None)
        if page is not None and self.paginator.num_pages > 1:
            items = []
            if page.has_previous():
                items.append(
                    f'<li class="previous page-item"><a href="{link(page=page.previous_page_number())}" '
                    f'class="page-link"><span aria-hidden="true">&laquo;</span> {_e(str(_("上一页")))}</a></li>'
                )
            for number in table_page_range(page, self.paginator):
                active = " active" if number == page.number else ""
                href = f' href="{link(page=number)}"' if number != "..." else ""
                items.append(f'<li class="page-item{active}"><a class="page-link"{href}>{number}</a></li>')
            if page.has_next():
                items.append(
                    f'<li class="next page-item"><a href="{link(page=page.next_page_number())}" '
                    f'class="page-link">{_e(str(_("下一页")))} <span aria-hidden="true">&raquo;</span></a></li>'
                )
            parts.append(
                f'<nav aria-label="{_e(str(_("分页")))}"><ul class="pagination justify-content-center">'
                f"{''.join(items)}</ul></nav>"
            )
        parts.append("</div>")
        return mark_safe("".join(parts))


def build_milestone_table(
    request,
    queryset,
    *,
    total: int,
    exclude: tuple[str, ...] = (),
    on: datetime.date | None = None,
    counts: dict[str, int] | None = None,
) -> MilestoneTable:
    """A sorted, paginated table over ``queryset`` (from ``board_milestones``, already filtered).

    ``total`` is the filtered row count (``sum(health_counts(...).values())``), so pagination
    costs no extra query. Sorting is the ``sort`` query parameter, paging ``page``.
    """
    table = MilestoneTable(queryset, exclude=exclude)
    table.on = on or today()
    table.rules = HealthRules.from_settings()
    table.health_counts = counts
    RequestConfig(
        request, paginate={"paginator_class": KnownCountPaginator, "per_page": PER_PAGE, "count": total}
    ).configure(table)
    return table


def sorted_rows(request, queryset):
    """``queryset`` in the order the table shows it for this request (the export's order)."""
    table = MilestoneTable(queryset)
    RequestConfig(request, paginate=False).configure(table)
    return table.data.data
