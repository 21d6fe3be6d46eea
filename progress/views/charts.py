"""Leaders' summary charts (/charts/): plotly figures built here, plotly.js served by the app itself.

Each figure travels as JSON beside its div; static/js/charts.js draws it with the plotly.js the
app serves, and opens the board URL a bar carries in ``customdata`` on click.
Access: SASAC staff and leaders. A liaison gets 403: the charts compare SOEs with each other,
and their own enterprise's rows are on the board (scoped) and in their ledger.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html, json_script
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from plotly.utils import PlotlyJSONEncoder

from directives.models import Category, format_quantity
from progress.health import CLOSED, GREEN, HEALTH_COLOURS, HEALTH_LABELS, RED, YELLOW, today
from progress.ledger_cache import cached_read
from progress.scoping import cache_scope, can_write_instruction, require_sees_everything, visible_milestones
from progress.selectors import charts as data
from progress.selectors.assessment import ranking
from progress.selectors.period_comparison import period_comparison, previous_month, sparkline
from progress.services.assessment import current_weights

FONT = dict(family='"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif', size=12)
CONFIG = {"responsive": True, "displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
CATEGORY_LABELS = dict(Category.choices)
# No plotly theme: a theme ships thousands of properties in every figure; the few styles the
# charts need are set here.
GRID = dict(gridcolor="#e9ecef", zerolinecolor="#ced4da", automargin=True)


def _trace(kind: str, **properties) -> dict:
    """A plotly trace as a dict; ``marker_color`` is spelt as graph_objects allow."""
    if "marker_color" in properties:
        properties["marker"] = {"color": properties.pop("marker_color")}
    return {"type": kind, **properties}


def board_url(**params) -> str:
    return reverse("progress:board") + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _layout(*, height: int, **extra) -> dict:
    """The layout every chart shares, as a plain dict (see ``Chart``)."""
    extra.setdefault("margin", dict(l=50, r=20, t=20, b=40))
    return {
        "height": height,
        "font": FONT,
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "legend": dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        "hoverlabel": dict(font=FONT),
        **extra,
        "xaxis": {**GRID, **extra.get("xaxis", {})},
        "yaxis": {**GRID, **extra.get("yaxis", {})},
    }


@dataclass
class Chart:
    """Traces and the shared layout as plain dicts, in plotly's figure format.

    plotly.graph_objects validates every property of every trace and layout in Python,
    which cost a third of the page's server time; the figures are fixed in shape and
    ``test_charts`` checks what they carry.
    """

    traces: list
    layout: dict
    shapes: list = field(default_factory=list)

    def to_html(self, div_id: str) -> str:
        """The chart's empty div and its figure as JSON data; static/js/charts.js draws it.

        No inline script (the Content-Security-Policy forbids them): the figure travels in a
        ``<script type="application/json">``, which the browser never runs.
        """
        layout = {**self.layout, "shapes": self.shapes} if self.shapes else self.layout
        figure = {"data": self.traces, "layout": layout, "config": CONFIG}
        return format_html(
            '<div id="{}" class="plotly-graph-div" data-figure="{}"></div>{}',
            div_id,
            f"{div_id}-figure",
            json_script(figure, f"{div_id}-figure", encoder=PlotlyJSONEncoder),
        )


def completion_figure(rows: list[data.EnterpriseCompletion]) -> Chart:
    traces = [
        _trace(
            "bar",
            x=[row.short_name for row in rows],
            y=[row.average_progress for row in rows],
            customdata=[board_url(enterprise=row.enterprise_id) for row in rows],
            text=[f"{row.average_progress:.0f}" for row in rows],
            textposition="outside",
            marker_color=[HEALTH_COLOURS[GREEN] if row.average_progress >= 80 else "#5b8def" for row in rows],
            hovertext=[f"{row.closed} / {row.milestones}" for row in rows],
            hovertemplate=_("%{x}<br>平均进度 %{y}%<br>已销号/全部 %{hovertext}") + "<extra></extra>",
        )
    ]
    # Close averages (85–92 on a 0–100 axis) look identical: the axis starts below the lowest
    # one, in tens, and says so; the bars carry their values.
    low = completion_axis_start([row.average_progress for row in rows])
    title = _("平均进度(%)") if low == 0 else _("平均进度(%%,纵轴自 %(low)s 起)") % {"low": low}
    layout = _layout(height=380, yaxis=dict(title=title, range=[low, 105]), xaxis=dict(tickangle=-60))
    return Chart(traces, layout)


def completion_axis_start(averages: list[float]) -> int:
    """0, unless every average is at least 50: then the ten below the lowest, less one ten."""
    lowest = min(averages, default=0)
    if lowest < 50:
        return 0
    return int(lowest // 10) * 10 - 10


def health_category_figure(rows: dict[str, dict[str, int]]) -> Chart:
    categories = list(rows)
    traces = [
        _trace(
            "bar",
            name=str(HEALTH_LABELS[health]),
            x=[str(CATEGORY_LABELS[c]) for c in categories],
            y=[rows[c][health] for c in categories],
            marker_color=HEALTH_COLOURS[health],
            customdata=[board_url(category=c, health=health) for c in categories],
            hovertemplate="%{x}<br>" + str(HEALTH_LABELS[health]) + " %{y}<extra></extra>",
        )
        for health in (RED, YELLOW, GREEN, CLOSED)
    ]
    return Chart(traces, _layout(height=360, barmode="stack", yaxis=dict(title=_("时间节点数"))))


def overdue_trend_figure(points: list[tuple[datetime.date, int]]) -> Chart:
    trace = _trace(
        "scatter",
        x=[day.isoformat() for day, _count in points],
        y=[count for _day, count in points],
        mode="lines+markers",
        line=dict(color=HEALTH_COLOURS[RED], width=3),
        customdata=[board_url(health=RED) for _point in points],
        hovertemplate=_("%{x}<br>逾期 %{y} 个") + "<extra></extra>",
    )
    return Chart([trace], _layout(height=320, yaxis=dict(title=_("逾期时间节点数"), rangemode="tozero")))


def due_soon_figure(weeks: list[dict]) -> Chart:
    labels = [f"{w['start']:%m-%d}~{w['end']:%m-%d}" for w in weeks]
    traces = [
        _trace(
            "bar",
            name=str(HEALTH_LABELS[health]),
            x=labels,
            y=[w[health] for w in weeks],
            marker_color=HEALTH_COLOURS[health],
            customdata=[
                board_url(due_from=w["start"].isoformat(), due_to=w["end"].isoformat(), health=health) for w in weeks
            ],
            hovertemplate=_("%{x} 到期") + "<br>" + str(HEALTH_LABELS[health]) + " %{y}<extra></extra>",
        )
        for health in (YELLOW, GREEN)
    ]
    return Chart(traces, _layout(height=320, barmode="stack", yaxis=dict(title=_("到期时间节点数"))))


def indicator_figure(rows: list[data.IndicatorTotal]) -> Chart:
    with_target = [row for row in rows if row.target]
    shares = [round(float(row.total / row.target * 100), 1) for row in with_target]
    trace = _trace(
        "bar",
        orientation="h",
        y=[f"{row.name}({row.unit})" for row in with_target],
        x=shares,
        # The unit is in the bar's label: the figures read as the ledger writes them (a rate keeps its decimal).
        text=[
            f"{format_quantity(row.total, row.unit).removesuffix(row.unit)} / "
            f"{format_quantity(row.target, row.unit).removesuffix(row.unit)}"
            for row in with_target
        ],
        textposition="auto",
        marker_color=[HEALTH_COLOURS[GREEN] if share >= 100 else "#5b8def" for share in shares],
        customdata=[board_url(directive=row.directive_id) for row in with_target],
        hovertemplate=_("%{y}<br>累计/目标 %{text}<br>完成 %{x}%") + "<extra></extra>",
    )
    target_line = dict(
        type="line", xref="x", yref="paper", x0=100, x1=100, y0=0, y1=1, line=dict(color="#6c757d", dash="dash")
    )
    layout = _layout(
        height=max(220, 40 * len(with_target) + 80),
        xaxis=dict(title=_("目标完成率(%)")),
        yaxis=dict(autorange="reversed"),
        margin=dict(l=220, r=20, t=20, b=40),
    )
    return Chart([trace], layout, shapes=[target_line])


def ranking_figure(rows) -> Chart:
    parts = [
        ("closure_points", _("按期销号"), "#0d6efd"),
        ("timeliness_points", _("按时报送"), "#20c997"),
        ("overdue_points", _("无逾期"), "#6f42c1"),
        ("extension_points", _("无延期"), "#fd7e14"),
    ]
    traces = [
        _trace(
            "bar",
            name=label,
            x=[row.enterprise.short_name for row in rows],
            y=[float(getattr(row, attribute)) for row in rows],
            marker_color=colour,
            customdata=[board_url(enterprise=row.enterprise.pk) for row in rows],
            hovertemplate="%{x}<br>" + label + " %{y:.1f}<extra></extra>",
        )
        for attribute, label, colour in parts
    ]
    layout = _layout(
        height=380, barmode="stack", yaxis=dict(title=_("得分"), range=[0, 100]), xaxis=dict(tickangle=-60)
    )
    return Chart(traces, layout)


@login_required
@require_GET
def charts(request):
    require_sees_everything(request.user)
    on = today()
    drawn = cached_read("charts", cache_scope(request.user), compute=lambda: _charts(request.user, on=on))
    context = {
        "on": on,
        "quarter": drawn["quarter"],
        "compare": request.GET.get("compare", ""),
        # A leader may instruct (批示) on what a bar shows: a click offers it beside the board.
        "can_instruct": can_write_instruction(request.user),
        "charts": drawn["charts"],
    }
    return render(request, "progress/charts_summary.html", context)


def _charts(user, *, on: datetime.date) -> dict:
    """The charts' figures as HTML, cached until the ledger changes (``progress.ledger_cache``)."""
    figures = data.leaders_figures(visible_milestones(user), on=on)
    breakdown, completion, by_category = figures.breakdown, figures.completion, figures.by_category
    trend, due_soon, indicators, quarter = figures.trend, figures.due_soon, figures.indicators, figures.quarter
    ranked = ranking(quarter=quarter, weights=current_weights()) if quarter else []
    charts = [
        # (id, title, figure builder, empty?, what to say when there is nothing to draw)
        (
            "completion",
            _("各企业完成进度(按平均进度排序)"),
            lambda: completion_figure(completion),
            not completion,
            _("暂无数据:还没有可统计的时间节点。"),
        ),
        (
            "category",
            _("各类任务健康状态"),
            lambda: health_category_figure(by_category),
            not by_category,
            _("暂无数据:还没有可统计的时间节点。"),
        ),
        (
            "trend",
            _("逾期时间节点趋势(近 %(weeks)s 周,按历史日期推算)") % {"weeks": data.TREND_WEEKS},
            lambda: overdue_trend_figure(trend),
            not breakdown,
            _("暂无数据:还没有可统计的时间节点。"),
        ),
        (
            "due-soon",
            _("未来 %(days)s 天到期(按周)") % {"days": data.DUE_SOON_DAYS},
            lambda: due_soon_figure(due_soon),
            not any(w[YELLOW] or w[GREEN] for w in due_soon),
            _("未来 %(days)s 天内没有到期的未完成时间节点。") % {"days": data.DUE_SOON_DAYS},
        ),
        (
            "indicators",
            _("指标累计值与目标"),
            lambda: indicator_figure(indicators),
            not any(row.target for row in indicators),
            _("暂无指标数据:尚无报送填报设有目标的指标值。"),
        ),
        (
            "ranking",
            _("考核排名") + (f"({quarter})" if quarter else ""),
            lambda: ranking_figure(ranked),
            not ranked,
            _("暂无考核得分:请先在“考核”页面计算本季度得分。"),
        ),
    ]
    return {
        "quarter": quarter,
        # An empty chart is a sentence, not a figure: empty axes read as "zero".
        "charts": [
            {
                "id": chart_id,
                "title": str(title),
                "html": "" if empty else build().to_html(f"chart-{chart_id}"),
                "empty": empty,
                "empty_message": str(message),
            }
            for chart_id, title, build, empty, message in charts
        ],
    }


COMPARE_DEFAULT_MONTHS_BACK = 3


def _compare_month(value: str, *, this_month: datetime.date) -> datetime.date:
    """The chosen earlier month (``YYYY-MM``), before last month; three months back when missing or unusable."""
    default = this_month
    for _i in range(COMPARE_DEFAULT_MONTHS_BACK):
        default = previous_month(default)
    try:
        chosen = datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return default
    return chosen if chosen < previous_month(this_month) else default


@login_required
@require_GET
def charts_periods(request):
    """The period-over-period part of /charts/, loaded after the page: this month, last month and a
    chosen earlier one, city-wide and per enterprise with a year's trend line each."""
    require_sees_everything(request.user)
    on = today()
    compare = _compare_month(request.GET.get("compare", ""), this_month=on.replace(day=1))
    months, trends, totals, trend_days = period_comparison(visible_milestones(request.user), on=on, compare=compare)
    city_trend = [sum(t.overdue_trend[i] for t in trends) for i in range(len(trend_days))]
    return render(
        request,
        "progress/_period_comparison.html",
        {
            "on": on,
            "months": months,
            "compare": compare,
            "totals": list(zip(months, totals, strict=True)),
            "rows": [{"trend": t, "points": sparkline(t.overdue_trend)} for t in trends],
            "city_points": sparkline(city_trend, width=480, height=60),
            "city_trend": city_trend,
            "trend_from": trend_days[0],
            "trend_to": trend_days[-1],
        },
    )
