"""The progress board (督办看板): every visible milestone with its health, filtered, sorted, exported."""

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from enterprises.templatetags.punctuation import colon
from progress.exports import build_csv, build_xlsx, file_response
from progress.filters import MilestoneFilter, filter_controls
from progress.health import HEALTH_LABELS, WITHDRAWN, today
from progress.ledger_cache import cached_read
from progress.models import MilestoneStatus
from progress.scoping import cache_scope, require_role
from progress.selectors.board import board_milestones, health_counts, health_summary
from progress.silence import is_long_silent_row
from progress.tables import REVIEW_LABELS, build_milestone_table, sorted_rows

STATUS_LABELS = dict(MilestoneStatus.choices)


def _filterset(request, *, base=None) -> MilestoneFilter:
    on = today()
    return MilestoneFilter(
        request.GET or None, queryset=board_milestones(request.user, on=on, base=base), request=request, on=on
    )


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def milestone_table_context(request, *, base=None, exclude: tuple[str, ...] = (), controls: bool = False) -> dict:
    """Context for ``progress/_milestone_table.html``: counts per health and the sorted, paged table.

    ``base`` narrows the board (the enterprise workspace passes its enterprise's milestones,
    taken from ``progress.scoping``); the query parameters of the request filter, sort and page.
    Cached until the ledger changes (``progress.ledger_cache``), per scope, page and query; made
    again, it runs four or five queries whatever the number of rows: the health counts (two), the
    page (two when a health-sorted page spans two health groups) and the page's relations.
    """
    compute = lambda: _milestone_table(request, base=base, exclude=exclude, controls=controls)  # noqa: E731
    if not _worth_caching(request):
        return compute()
    return cached_read(
        "milestone-table",
        cache_scope(request.user),
        request.path,
        sorted(request.GET.lists()),
        exclude,
        controls,
        compute=compute,
    )


# The query parameters the table reads or echoes in its links (the workspace's "view" too).
TABLE_PARAMETERS = frozenset(MilestoneFilter.base_filters) | {"sort", "page", "per_page", "view"}


def _worth_caching(request) -> bool:
    """Parameters the page ignores would only make new cache entries (in the Redis the
    reminders' queue uses too): such a request is answered without the cache."""
    return set(request.GET) <= TABLE_PARAMETERS


def _milestone_table(request, *, base, exclude: tuple[str, ...], controls: bool) -> dict:
    filterset = _filterset(request, base=base)
    rows = filterset.qs
    counts = health_counts(rows, on=filterset.on)
    table = build_milestone_table(
        request, rows, total=sum(counts.values()), exclude=exclude, on=filterset.on, counts=counts
    )
    form = filterset.form
    return {
        # Plain strings and numbers: the whole context is cached.
        "filter_errors": [f"{field.label}{colon()}{error}" for field in form for error in field.errors],
        "filter_controls": [{**c, "label": str(c["label"])} for c in filter_controls(filterset)] if controls else [],
        "table_html": table.as_html(request),
        "health_summary": [{**item, "label": str(item["label"])} for item in health_summary(counts)],
        "total": sum(counts.values()),
        # The total counts withdrawn milestones too; saying how many squares it with counts of tracked ones.
        "withdrawn": counts[WITHDRAWN],
        "export_query": _query_without(request, "page"),
        "health_query": _query_without(request, "page", "health"),
    }


@login_required
@require_GET
def board(request):
    require_role(request.user)
    context = milestone_table_context(request, controls=True)
    return render(request, "progress/board_list.html", context)


def _export_rows(request):
    require_role(request.user)
    queryset = sorted_rows(request, _filterset(request).qs.annotate(row_health=F("health"))).values_list(
        "assignment__enterprise__short_name",
        "assignment__directive__number",
        "assignment__directive__title",
        "title",
        "responsible_person",
        "start_date",
        "due_date",
        "original_due_date",
        "extension_count",
        "progress",
        "row_health",
        "status",
        "latest_report__submitted_at",
        "latest_report__review_state",
        "accepted_report_at",
        "id",
    )
    health = {key: str(label) for key, label in HEALTH_LABELS.items()}
    status = {key: str(label) for key, label in STATUS_LABELS.items()}
    review = {key: str(label) for key, label in REVIEW_LABELS.items()}
    review[None] = ""
    on, silent = today(), str(_("长期未报送"))

    def long_silent(row) -> str:
        return silent if is_long_silent_row(status=row[11], start_date=row[5], accepted_at=row[14], on=on) else ""

    # The progress is the accepted figure: a report waiting for review shows only as "待审核".
    return (
        (*row[:10], health[row[10]], status[row[11]], row[12], review[row[13]], long_silent(row), row[15])
        for row in queryset.iterator(chunk_size=5000)
    )


def _export_headers() -> list[str]:
    return [
        _("企业"),
        _("条款序号"),
        _("条款"),
        _("工作任务"),
        _("责任人"),
        _("开始日期"),
        pgettext("ledger column", "时间节点"),
        _("原定时间节点"),
        _("延期次数"),
        _("已审核进度(%)"),
        _("健康状态"),
        _("状态"),
        _("最近报送"),
        _("审核状态"),
        _("长期未报送"),
        _("编号"),
    ]


def _export_filename(kind: str) -> str:
    return f"{_('督办看板')}-{timezone.localdate():%Y%m%d}.{kind}"


@login_required
@require_GET
def board_export_xlsx(request):
    content = build_xlsx(
        sheet_title=_("督办看板"),
        headers=_export_headers(),
        rows=_export_rows(request),
        column_widths=[12, 8, 28, 36, 10, 12, 12, 12, 8, 10, 8, 10, 17, 10, 10, 8],
        date_columns=(5, 6, 7),
        datetime_columns=(12,),
    )
    return file_response(content, filename=_export_filename("xlsx"), kind="xlsx")


@login_required
@require_GET
def board_export_csv(request):
    content = build_csv(headers=_export_headers(), rows=_export_rows(request))
    return file_response(content, filename=_export_filename("csv"), kind="csv")
