"""Statistics as files: CSV and XLSX of suppressed tables. A hidden cell is written as "<5", never its number."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from kohtaamo.stats.queries import StatsFilter, Table
from kohtaamo.stats.suppression import Cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def shown(cell: Cell) -> int | str:
    """What a file holds for a cell: the number, or the hidden marker."""
    return str(cell) if cell.suppressed else cell.value


def table_lines(table: Table) -> list[list]:
    lines = [[_("key"), _("label"), _("count"), _("suppressed")]]
    lines += [[row.key, row.label, shown(row.cell), row.cell.suppressed] for row in table.rows]
    lines.append(["", _("total"), shown(table.total), table.total.suppressed])
    return lines


def _filename(filt: StatsFilter, name: str, extension: str) -> str:
    return f"kohtaamo-{name}-{filt.date_from:%Y-%m}-{filt.date_to:%Y-%m}.{extension}"


def csv_response(filt: StatsFilter, table: Table) -> HttpResponse:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table_lines(table))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(filt, table.dimension, "csv")}"'
    return response


def _sheet_title(title: str, taken: set[str]) -> str:
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title))[:28].strip() or "-"
    candidate, n = clean, 2
    while candidate in taken:
        candidate, n = f"{clean} {n}", n + 1
    taken.add(candidate)
    return candidate


def xlsx_response(
    filt: StatsFilter, sheets: Sequence[tuple[str, Table]], *, name: str, figures: dict[str, Cell] | None = None
) -> HttpResponse:
    """One sheet per (title, table) (and one of key figures first), with the filter written at the top of each."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    about = [[_("period"), f"{filt.date_from:%Y-%m} – {filt.date_to:%Y-%m}"]]
    about += [[key, str(value)] for key, value in filt.describe().items() if key not in ("from", "to")]
    if figures is not None:
        sheet = book.create_sheet(_sheet_title(_("Key figures"), taken))
        for line in [*about, [], *([label, shown(cell)] for label, cell in figures.items())]:
            sheet.append(line)
    for title, table in sheets:
        sheet = book.create_sheet(_sheet_title(title, taken))
        for line in [*about, [str(title)], *table_lines(table)]:
            sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(filt, name, "xlsx")}"'
    return response
