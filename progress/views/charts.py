"""Leaders' summary charts (/charts/): plotly figures built here, plotly.js served by the app itself.

Each bar carries its board URL in ``customdata``; static/js/charts.js opens it on click.
Access: SASAC staff and leaders. A liaison gets 403: the charts compare SOEs with each other,
and their own enterprise's rows are on the board (scoped) and in their ledger.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

import plotly.graph_objects as go
import plotly.io as pio
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from directives.models import Category
from progress.health import CLOSED, GREEN, HEALTH_COLOURS, HEALTH_LABELS, RED, YELLOW, today
from progress.scoping import sees_everything, visible_milestones
from progress.selectors import charts as data
from progress.selectors.assessment import ranking
from progress.services.assessment import current_weights

FONT = dict(family='"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif', size=12)
CONFIG = {"responsive": True, "displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
CATEGORY_LABELS = dict(Category.choices)
# No plotly theme: a theme ships thousands of properties in every figure; the few styles the
# charts need are set here.
GRID = dict(gridcolor="#e9ecef", zerolinecolor="#ced4da", automargin=True)


def board_url(**params) -> str:
    return "/board/?" + urlencode({key: value for key, value in params.items() if value not in (None, "")})


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
    """Traces built (and validated) with plotly.graph_objects; the shared layout as a dict.

    Wrapping them in a ``go.Figure`` would validate the layout again property by property,
    which cost about 10 ms per chart; the traces are what varies and they are checked.
    """

    traces: list
    layout: dict
    shapes: list = field(default_factory=list)

    def to_html(self, div_id: str) -> str:
        layout = {**self.layout, "shapes": self.shapes} if self.shapes else self.layout
        figure = {"data": [trace.to_plotly_json() for trace in self.traces], "layout": layout}
        return pio.to_html(
            figure, full_html=False, include_plotlyjs=False, div_id=div_id, config=CONFIG, validate=False
        )


def _html(chart: Chart, div_id: str) -> str:
    return chart.to_html(div_id)


def completion_figure(rows: list[data.EnterpriseCompletion]) -> Chart:
    traces = [
        go.Bar(
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
    layout = _layout(height=380, yaxis=dict(title=_("平均进度(%)"), range=[0, 105]), xaxis=dict(tickangle=-60))
    return Chart(traces, layout)


def health_category_figure(rows: dict[str, dict[str, int]]) -> Chart:
    categories = list(rows)
    traces = [
        go.Bar(
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
    trace = go.Scatter(
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
        go.Bar(
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
    trace = go.Bar(
        orientation="h",
        y=[f"{row.name}({row.unit})" for row in with_target],
        x=shares,
        text=[f"{row.total:,.0f} / {row.target:,.0f}" for row in with_target],
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
    ]
    traces = [
        go.Bar(
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
    if not sees_everything(request.user):
        raise PermissionDenied
    on = today()
    milestones = visible_milestones(request.user)
    breakdown = data.health_breakdown(milestones, on=on)
    completion = data.completion_by_enterprise(breakdown)
    by_category = data.health_by_category(breakdown)
    trend = data.overdue_trend(milestones, on=on)
    due_soon = data.due_soon_by_week(milestones, on=on)
    indicators = data.indicator_totals(milestones)
    quarter = data.latest_assessment_quarter()
    ranked = ranking(quarter=quarter, weights=current_weights()) if quarter else []
    context = {
        "on": on,
        "quarter": quarter,
        "charts": [
            {
                "id": "completion",
                "title": _("各企业完成进度(按平均进度排序)"),
                "html": _html(completion_figure(completion), "chart-completion"),
                "empty": not completion,
            },
            {
                "id": "category",
                "title": _("各类任务健康状态"),
                "html": _html(health_category_figure(by_category), "chart-category"),
                "empty": not by_category,
            },
            {
                "id": "trend",
                "title": _("逾期时间节点趋势(近 26 周,按历史日期推算)"),
                "html": _html(overdue_trend_figure(trend), "chart-trend"),
                "empty": False,
            },
            {
                "id": "due-soon",
                "title": _("未来 90 天到期(按周)"),
                "html": _html(due_soon_figure(due_soon), "chart-due-soon"),
                "empty": not any(w[YELLOW] or w[GREEN] for w in due_soon),
            },
            {
                "id": "indicators",
                "title": _("指标累计值与目标"),
                "html": _html(indicator_figure(indicators), "chart-indicators"),
                "empty": not any(row.target for row in indicators),
            },
            {
                "id": "ranking",
                "title": _("考核排名") + (f"({quarter})" if quarter else ""),
                "html": _html(ranking_figure(ranked), "chart-ranking"),
                "empty": not ranked,
            },
        ],
    }
    return render(request, "progress/charts_summary.html", context)
