"""GET /api/v1/stats/encounters: the dashboard's tables as JSON, CSV or XLSX, suppressed like everything else."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from kohtaamo.audit.services import log_action
from kohtaamo.encounters.api import AUTH
from kohtaamo.lib.schema import DetailOut
from kohtaamo.stats import exports, rollups
from kohtaamo.stats.queries import GROUP_LABELS, GROUPS, StatsFilter, breakdown, scoped_filter

router = Router()
GroupBy = Literal[
    "topic", "referral", "more_info", "help_form", "site", "municipality", "month", "week", "coping", "wish_theme"
]
assert set(GroupBy.__args__) == set(GROUPS)  # noqa: S101 -- the schema must offer exactly the groupings


class CellOut(Schema):
    count: int | None = Field(description="Rounded count; null when suppressed")
    suppressed: bool


class RowOut(CellOut):
    key: str
    label: str


class TableOut(Schema):
    group_by: str
    measure: str
    date_from: dt.date = Field(description="The period, snapped to whole months")
    date_to: dt.date
    rows: list[RowOut]
    total: CellOut
    additive: bool = Field(description="Whether the rows add up to the total (not for multi-valued matters)")


class StatsQuery(Schema):
    group_by: GroupBy = "topic"
    date_from: dt.date = Field(..., alias="from", description="YYYY-MM-DD; the period starts at its month's start")
    date_to: dt.date = Field(..., alias="to", description="YYYY-MM-DD, inclusive; the period ends at its month's end")
    county: str | None = Field(None, description="Wellbeing services county code, e.g. 08")
    municipality: str | None = Field(None, description="Municipality code, e.g. 837")
    site: int | None = None
    kind: str | None = Field(None, description="Kind of site, e.g. meeting_place")
    partner: int | None = Field(None, description="Organisation id: sessions with this partner present")
    format: Literal["json", "csv", "xlsx"] = "json"


@router.get(
    "/encounters",
    response={200: TableOut, 403: DetailOut, 404: DetailOut, 422: DetailOut},
    auth=AUTH,
    summary="Encounter statistics grouped by one dimension",
    description=(
        "Counts from 1 to the threshold minus one are suppressed (count null, suppressed true), further cells "
        "are hidden so that none can be worked out from the total, shown counts are rounded, and periods are "
        "whole months (docs/privacy.md). format=csv or format=xlsx return the same table as a file."
    ),
)
def encounters(request: HttpRequest, query: Query[StatsQuery]):
    if query.date_from > query.date_to:
        raise HttpError(422, "from is after to")
    chosen = StatsFilter(**query.dict(exclude={"group_by", "format"}))
    try:
        filt = scoped_filter(request.auth, chosen)
    except PermissionDenied:
        raise HttpError(403, "Your role does not read statistics.") from None
    rollups.ensure_fresh()
    table = breakdown(filt, query.group_by)
    if query.format != "json":
        log_action(request.auth, "stats.export", format=query.format, what=query.group_by, filters=filt.describe())
    if query.format == "csv":
        return exports.csv_response(filt, table)
    if query.format == "xlsx":
        return exports.xlsx_response(filt, [(str(GROUP_LABELS[query.group_by]), table)], name=query.group_by)
    return {
        "group_by": table.dimension,
        "measure": table.measure,
        "date_from": filt.date_from,
        "date_to": filt.date_to,
        "rows": [{"key": r.key, "label": r.label, **_cell(r.cell)} for r in table.rows],
        "total": _cell(table.total),
        "additive": table.additive,
    }


def _cell(cell) -> dict:
    return {"count": cell.value, "suppressed": cell.suppressed}
