"""The reports' charts drawn into PDFs, server side, with reportlab's graphics (the same data
the pages give Chart.js: reports/charts.py): a bar per day (stacked by a grouping, with its
legend) and a share pie with its legend."""

from __future__ import annotations

from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.shapes import String
from reportlab.lib import colors
from reportlab.lib.units import mm

WIDTH = 273 * mm  # landscape A4 less the margins
BAR_HEIGHT = 58 * mm
SHARE_HEIGHT = 48 * mm
MAX_LABELS = 16  # category labels on the axis; longer ranges label every nth bar


def _hours(value: float) -> str:
    return f"{value:g} h"


def bars_drawing(chart: dict[str, Any]) -> Drawing:
    """The bar chart of `chart` (kind bar or stacked: labels, datasets of seconds)."""
    datasets = chart["datasets"]
    stacked = chart.get("kind") == "stacked"
    legend_width = 55 * mm if stacked else 0
    drawing = Drawing(WIDTH, BAR_HEIGHT)
    bars = VerticalBarChart()
    bars.x, bars.y = 14 * mm, 9 * mm
    bars.width = WIDTH - bars.x - legend_width - 4 * mm
    bars.height = BAR_HEIGHT - bars.y - 8 * mm
    bars.data = [[s / 3600 for s in d["seconds"]] for d in datasets] or [[0]]
    if stacked:
        bars.categoryAxis.style = "stacked"
    for i, d in enumerate(datasets):
        bars.bars[i].fillColor = colors.HexColor(d["color"])
        bars.bars[i].strokeColor = None
    labels = list(chart["labels"])
    step = max(1, -(-len(labels) // MAX_LABELS))
    bars.categoryAxis.categoryNames = [
        label if i % step == 0 else "" for i, label in enumerate(labels)
    ]
    bars.categoryAxis.labels.fontSize = 6.5
    bars.categoryAxis.labels.boxAnchor = "n"
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.labelTextFormat = _hours
    bars.valueAxis.visibleGrid = True
    bars.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    bars.barSpacing = 0.5
    drawing.add(bars)
    drawing.add(
        String(
            0,
            BAR_HEIGHT - 5 * mm,
            chart.get("title") or "Time per day",
            fontSize=9,
            fontName="Helvetica-Bold",
        )
    )
    if stacked:
        legend = Legend()
        legend.x, legend.y = WIDTH - legend_width + 2 * mm, BAR_HEIGHT - 10 * mm
        legend.fontSize = 7
        legend.alignment = "right"  # the swatch, then its text
        legend.columnMaximum = 10
        legend.colorNamePairs = [(colors.HexColor(d["color"]), d["label"][:40]) for d in datasets]
        drawing.add(legend)
    return drawing


def share_drawing(share: dict[str, Any], title: str) -> Drawing:
    """The share pie of `share` (reports.charts.share) with a legend of labels and percents."""
    drawing = Drawing(WIDTH, SHARE_HEIGHT)
    pie = Pie()
    pie.x, pie.y = 4 * mm, 2 * mm
    pie.width = pie.height = SHARE_HEIGHT - 10 * mm
    entries = share["legend"]
    pie.data = [e["seconds"] for e in entries] or [1]
    pie.simpleLabels = 1
    pie.labels = None
    pie.slices.strokeColor = colors.white
    for i, e in enumerate(entries):
        pie.slices[i].fillColor = colors.HexColor(e["color"])
    drawing.add(pie)
    drawing.add(String(0, SHARE_HEIGHT - 5 * mm, title, fontSize=9, fontName="Helvetica-Bold"))
    legend = Legend()
    legend.x, legend.y = pie.x + pie.width + 10 * mm, SHARE_HEIGHT - 10 * mm
    legend.fontSize = 7.5
    legend.alignment = "right"  # the swatch, then its text
    legend.columnMaximum = 9
    legend.colorNamePairs = [
        (colors.HexColor(e["color"]), f"{e['label'][:50]}: {e['percent']}%") for e in entries
    ]
    drawing.add(legend)
    return drawing
