"""GET /api/v1/stats/encounters: scope, suppression, files, audit, and the OpenAPI document."""

from __future__ import annotations

import datetime as dt

from kohtaamo.audit.models import LogEntry
from tests import factories as f
from tests import factories_encounters as fe
from tests import factories_stats as fs

URL = "/api/v1/stats/encounters"
MARCH = dt.date(2026, 3, 10)
QUARTER = {"from": "2026-01-01", "to": "2026-03-31"}


def test_a_viewer_gets_rows_with_small_cells_as_null(as_user, vera, tampere_site):
    fs.encounters(tampere_site, MARCH, 20, topics=("housing",))
    fs.encounters(tampere_site, MARCH, 2, topics=("health",), hour=12)
    body = as_user(vera).get(URL, {**QUARTER, "group_by": "topic"}).json()
    rows = {row["key"]: row for row in body["rows"]}
    assert rows["housing"] == {"key": "housing", "label": "Asuminen", "count": 20, "suppressed": False}
    assert rows["health"]["count"] is None and rows["health"]["suppressed"] is True
    assert body["date_from"] == "2026-01-01" and body["additive"] is False


def test_a_bearer_token_works_like_the_session(client, vera, tampere_site):
    _token, raw = fe.api_token(vera)
    response = client.get(URL, {**QUARTER, "group_by": "month"}, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and [row["key"] for row in response.json()["rows"]][0] == "2026-01"


def test_without_credentials_the_answer_is_401(client):
    assert client.get(URL, QUARTER).status_code == 401


def test_a_counsellor_gets_403(as_user, bob):
    assert as_user(bob).get(URL, QUARTER).status_code == 403


def test_another_countys_site_or_municipality_is_404(as_user, carol, tampere_site):
    assert as_user(carol).get(URL, {**QUARTER, "site": tampere_site.pk}).status_code == 404
    assert as_user(carol).get(URL, {**QUARTER, "municipality": f.TAMPERE}).status_code == 404


def test_csv_and_xlsx_are_files_and_audited(as_user, alice, tampere_site):
    fs.encounters(tampere_site, MARCH, 8)
    csv = as_user(alice).get(URL, {**QUARTER, "group_by": "site", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and "attachment" in csv["Content-Disposition"]
    xlsx = as_user(alice).get(URL, {**QUARTER, "group_by": "site", "format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert LogEntry.objects.filter(action="stats.export", actor=alice).count() == 2


def test_the_endpoint_is_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    parameters = {p["name"] for p in paths[URL]["get"]["parameters"]}
    assert {"group_by", "from", "to", "county", "municipality", "site", "kind", "partner", "format"} <= parameters
