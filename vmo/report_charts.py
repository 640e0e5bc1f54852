"""The monthly report's charts drawn inside the PDF with reportlab.graphics (vector, no image
library): the same three charts as the page. Axis labels go through explicit formatters so no
figure is ever written in scientific notation."""

import datetime as dt

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

WIDTH, HEIGHT = 480, 190
PALETTE = [colors.HexColor(c) for c in ("#90caf9", "#1565c0", "#ef6c00", "#6a1b9a", "#00838f")]


def _grouped(value: float) -> str:
    return f"{value:,.0f}"


def _drawing(title: str) -> Drawing:
    drawing = Drawing(WIDTH, HEIGHT)
    drawing.add(String(0, HEIGHT - 12, title, fontName="Helvetica-Bold", fontSize=10))
    return drawing


def _legend(drawing: Drawing, names: list[str], x: float) -> None:
    legend = Legend()
    legend.x, legend.y = x, HEIGHT - 24
    legend.fontSize = 7
    legend.alignment = "right"
    legend.columnMaximum = 5
    legend.colorNamePairs = list(zip(PALETTE, names, strict=False))
    drawing.add(legend)


def bar_chart(*, title: str, labels: list[str], series: dict[str, list[float | None]], unit: str) -> Drawing:
    """Grouped bars per value stream; a missing figure draws as zero (the table says "no data")."""
    drawing = _drawing(title)
    if not labels:  # no value stream: reportlab cannot draw a bar chart of empty series
        drawing.add(String(0, HEIGHT / 2, "No data yet.", fontName="Helvetica", fontSize=9))
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 55, 45, WIDTH - 170, HEIGHT - 75
    chart.data = [[value or 0 for value in values] for values in series.values()] or [[0] * len(labels)]
    chart.categoryAxis.categoryNames = [label[:14] for label in labels]
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = _grouped
    chart.valueAxis.labels.fontSize = 7
    for index in range(len(chart.data)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    drawing.add(String(0, HEIGHT - 26, unit, fontName="Helvetica", fontSize=7))
    _legend(drawing, list(series), WIDTH)
    return drawing


def line_chart(*, title: str, points: list[tuple[dt.date, float]], unit: str) -> Drawing:
    """A line over dates to scale (x is the day's ordinal), labelled with ISO dates."""
    drawing = _drawing(title)
    if not points:
        drawing.add(String(0, HEIGHT / 2, "No data yet.", fontName="Helvetica", fontSize=9))
        return drawing
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 55, 35, WIDTH - 80, HEIGHT - 65
    plot.data = [[(day.toordinal(), value) for day, value in points]]
    plot.lines[0].strokeColor = colors.HexColor("#2e7d32")
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = 0, 100
    plot.yValueAxis.labelTextFormat = _grouped
    plot.xValueAxis.labelTextFormat = lambda ordinal: dt.date.fromordinal(int(ordinal)).isoformat()
    plot.xValueAxis.labels.fontSize = 6
    plot.yValueAxis.labels.fontSize = 7
    if points[0][0] == points[-1][0]:  # one day: give the axis some width
        plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = points[0][0].toordinal() - 1, points[0][0].toordinal() + 1
    drawing.add(plot)
    drawing.add(String(0, HEIGHT - 26, unit, fontName="Helvetica", fontSize=7))
    return drawing
