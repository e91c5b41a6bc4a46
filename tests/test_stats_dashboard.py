"""The dashboard: who sees it, what it shows, and that its XLSX holds no small number."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from kohtaamo.audit.models import LogEntry
from tests import factories as f
from tests import factories_stats as fs

MARCH = dt.date(2026, 3, 10)
QUARTER = {"date_from": "2026-01", "date_to": "2026-03"}


def test_a_coordinator_sees_the_figures_of_her_county(as_user, alice, tampere_site):
    fs.encounters(tampere_site, MARCH, 40, topics=("housing",))
    response = as_user(alice).get("/stats/", QUARTER)
    assert response.status_code == 200
    board = response.context["board"]
    assert board.cells["encounters"].value == 40
    assert "Asuminen" in response.content.decode()


def test_a_viewer_sees_the_dashboard_in_swedish_and_english(as_user, vera):
    for prefix in ("/sv", "/en"):
        assert as_user(vera).get(f"{prefix}/stats/").status_code == 200


def test_a_counsellor_is_refused_the_dashboard(as_user, bob):
    assert as_user(bob).get("/stats/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/stats/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_countys_coordinator_is_not_offered_a_pirkanmaa_site(as_user, carol, tampere_site):
    # The form refuses a site outside her area and shows her own county's figures (the API answers 404).
    response = as_user(carol).get("/stats/", {"site": tampere_site.pk})
    assert response.status_code == 200 and response.context["board"].filt.site is None


def test_the_xlsx_download_is_audited_with_its_filters(as_user, vera, tampere_site):
    fs.encounters(tampere_site, MARCH, 12)
    response = as_user(vera).get("/stats/dashboard.xlsx", {**QUARTER, "municipality": f.TAMPERE})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) > 5
    entry = LogEntry.objects.get(action="stats.export")
    assert entry.actor == vera and entry.data["filters"]["municipality"] == f.TAMPERE


@pytest.mark.parametrize("language", ["", "/sv", "/en"])
def test_the_dashboard_has_no_inline_styles_or_scripts(as_user, alice, tampere_site, language):
    fs.encounters(tampere_site, MARCH, 9)
    html = as_user(alice).get(f"{language}/stats/", QUARTER).content.decode()
    assert "style=" not in html and "<script>" not in html
