"""Bar charts as SVG, drawn on the server from suppressed cells (no JavaScript, nothing fetched).

A suppressed row gets no bar, only its "<5" label: a bar's length would give the number away.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from kohtaamo.stats.queries import Table

ROW_HEIGHT = 22
LABEL_WIDTH = 230
BAR_AREA = 300
VALUE_WIDTH = 50
WIDTH = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
BAR_COLOUR = "#1f5f8b"  # 7.0:1 against white, so it also reads in greyscale print
TEXT_COLOUR = "#1a1a1a"


def _shorten(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart_svg(table: Table, *, title: str) -> str:
    """A horizontal bar chart of a table's rows; empty string when there are no rows."""
    if not table.rows:
        return ""
    largest = max((row.cell.value or 0 for row in table.rows if not row.cell.suppressed), default=0) or 1
    height = ROW_HEIGHT * len(table.rows) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" font-family="DejaVu Sans, sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for index, row in enumerate(table.rows):
        y = 4 + index * ROW_HEIGHT
        middle = y + ROW_HEIGHT / 2 + 4
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{middle}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f"{escape(_shorten(row.label))}</text>"
        )
        if not row.cell.suppressed and row.cell.value:
            length = max(1, round(BAR_AREA * row.cell.value / largest))
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{ROW_HEIGHT - 6}" fill="{BAR_COLOUR}"/>'
            )
            value_x = LABEL_WIDTH + length + 4
        else:
            value_x = LABEL_WIDTH + 4
        parts.append(f'<text x="{value_x}" y="{middle}" fill={quoteattr(TEXT_COLOUR)}>{escape(str(row.cell))}</text>')
    parts.append("</svg>")
    return "".join(parts)
