"""Geometry of the dashboard's SVG charts, computed here so the templates only draw.

Charts are drawn from suppressed cells only: a hidden cell has no bar and reads "<5", exactly as in
the data table beside the chart. No JavaScript, no inline styles (colours come from stats.css).
"""

from __future__ import annotations

from dataclasses import dataclass

from kohtaamo.stats.queries import Table

WIDTH = 640
LABEL_WIDTH = 230
BAR_HEIGHT = 20
GAP = 6
COLUMN_AREA = 180


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as shown, "<5" when hidden
    x: float
    y: float
    width: float
    height: float
    suppressed: bool
    text_x: float = 0
    text_y: float = 0


@dataclass(frozen=True)
class Chart:
    kind: str  # "bars" (horizontal, one per row) or "columns" (a trend over time)
    width: int
    height: int
    bars: list[Bar]
    axis_labels: list[tuple[float, str]]


def _largest(table: Table) -> int:
    return max([row.cell.value or 0 for row in table.rows] + [1])


def bars(table: Table) -> Chart:
    """Horizontal bars with the label at the left and the value at the bar's end."""
    scale = (WIDTH - LABEL_WIDTH - 60) / _largest(table)
    drawn = []
    for index, row in enumerate(table.rows):
        y = index * (BAR_HEIGHT + GAP)
        width = (row.cell.value or 0) * scale
        drawn.append(
            Bar(
                label=row.label,
                text=str(row.cell),
                x=LABEL_WIDTH,
                y=y,
                width=round(width, 1),
                height=BAR_HEIGHT,
                suppressed=row.cell.suppressed,
                text_x=round(LABEL_WIDTH + width + 6, 1),
                text_y=y + BAR_HEIGHT - 5,
            )
        )
    return Chart("bars", WIDTH, max(1, len(drawn) * (BAR_HEIGHT + GAP)), drawn, [])


def columns(table: Table) -> Chart:
    """Columns over time, with a few period labels under them (the table beside has every one)."""
    count = max(1, len(table.rows))
    step = WIDTH / count
    scale = COLUMN_AREA / _largest(table)
    drawn = []
    for index, row in enumerate(table.rows):
        height = (row.cell.value or 0) * scale
        drawn.append(
            Bar(
                label=row.label,
                text=str(row.cell),
                x=round(index * step + 1, 1),
                y=round(COLUMN_AREA - height, 1),
                width=round(max(step - 2, 1), 1),
                height=round(height, 1),
                suppressed=row.cell.suppressed,
            )
        )
    every = max(1, count // 6)
    labels = [(round(index * step, 1), row.label) for index, row in enumerate(table.rows) if index % every == 0]
    return Chart("columns", WIDTH, COLUMN_AREA + 24, drawn, labels)
