"""The leaders' charts as images for the circular: matplotlib (Agg, no display, no browser) with
the Noto CJK font that Debian's fonts-noto-cjk installs, so Chinese shows offline and in the
production image. Each function takes the circular's stored data and returns PNG bytes."""

import io

import matplotlib
from django.utils.translation import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from progress.health import CLOSED, GREEN, HEALTH_COLOURS, HEALTH_LABELS, RED, YELLOW

matplotlib.use("Agg")
STYLE = {
    "font.family": ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"],
    "axes.unicode_minus": False,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
DPI = 130
BLUE = "#5b8def"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def completion_chart(ranking: list[dict]) -> bytes:
    """Each enterprise's average accepted progress, best first."""
    with matplotlib.rc_context(STYLE):
        # Fixed margins: a constrained layout costs more than drawing the chart.
        figure = Figure(figsize=(7.0, 3.2), dpi=DPI)
        figure.subplots_adjust(left=0.08, right=0.99, top=0.97, bottom=0.3)
        axes = figure.add_subplot()
        names = [row["name"] for row in ranking]
        values = [row["average_progress"] for row in ranking]
        colours = [HEALTH_COLOURS[GREEN] if v >= 80 else BLUE for v in values]
        axes.bar(range(len(names)), values, color=colours)
        axes.set_xticks(range(len(names)), names, rotation=90, fontsize=6 if len(names) > 30 else 8)
        axes.set_ylim(0, 105)
        axes.set_ylabel(_("平均进度(%)"))
        axes.grid(axis="y", color="#e9ecef")
        axes.set_axisbelow(True)
        return _png(figure)


def category_chart(categories: list[dict]) -> bytes:
    """Milestones per category and health, stacked."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(7.0, 2.8), dpi=DPI)
        figure.subplots_adjust(left=0.16, right=0.99, top=0.86, bottom=0.16)
        axes = figure.add_subplot()
        labels = [row["label"] for row in categories]
        bottom = [0] * len(labels)
        for health in (RED, YELLOW, GREEN, CLOSED):
            values = [row[health] for row in categories]
            axes.barh(labels, values, left=bottom, color=HEALTH_COLOURS[health], label=str(HEALTH_LABELS[health]))
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axes.invert_yaxis()
        axes.set_xlabel(_("时间节点数"))
        axes.legend(ncols=4, loc="lower right", fontsize=8, frameon=False, bbox_to_anchor=(1, 1))
        return _png(figure)


def trend_chart(points: list[list]) -> bytes:
    """Overdue milestones at each month end."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(7.0, 2.6), dpi=DPI)
        figure.subplots_adjust(left=0.1, right=0.99, top=0.95, bottom=0.12)
        axes = figure.add_subplot()
        labels = [day[:7] for day, _count in points]
        values = [count for _day, count in points]
        positions = range(len(labels))
        axes.plot(positions, values, marker="o", color=HEALTH_COLOURS[RED], linewidth=2)
        axes.set_xticks(positions, labels)
        for x, y in zip(positions, values, strict=True):
            axes.annotate(str(y), (x, y), textcoords="offset points", xytext=(0, 5), ha="center", fontsize=7)
        axes.set_ylim(bottom=0, top=max(values + [1]) * 1.15)
        axes.set_ylabel(_("逾期时间节点数"))
        axes.tick_params(axis="x", labelsize=7)
        axes.grid(axis="y", color="#e9ecef")
        return _png(figure)
