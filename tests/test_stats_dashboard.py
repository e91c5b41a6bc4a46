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


def test_demo_viewer_downloads_a_quarter_of_one_municipality_and_sees_no_small_number(db, client):
    """The issue's "done when": demo data, demo-viewer, Pirkanmaa → Tampere → a quarter → XLSX."""
    import re
    from io import StringIO

    from django.core.management import call_command

    from kohtaamo.directory import demo
    from tests.test_stats_suppression import _assert_no_small, _xlsx_values

    call_command("load_demo", "--force", stdout=StringIO())
    assert client.login(username="demo-viewer", password=demo.PASSWORD)
    today = dt.date.today()
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    start = dt.date(quarter_start.year - (quarter_start.month == 1), (quarter_start.month - 4) % 12 + 1, 1)
    chosen = {"date_from": f"{start:%Y-%m}", "date_to": f"{quarter_start - dt.timedelta(days=1):%Y-%m}"}
    page = client.get("/stats/", {**chosen, "municipality": f.TAMPERE})
    assert page.status_code == 200 and page.context["board"].cells["encounters"].value
    html = page.content.decode()
    shown = re.findall(r'class="num">([^<]*)<', html) + re.findall(r'class="stats-figure-value">([^<]*)<', html)
    _assert_no_small([s.strip() for s in shown], "demo dashboard")
    download = client.get("/stats/dashboard.xlsx", {**chosen, "municipality": f.TAMPERE})
    _assert_no_small(_xlsx_values(load_workbook(io.BytesIO(download.content))), "demo XLSX")


@pytest.mark.parametrize(
    "choice",
    [{}, {"county": "08"}, {"municipality": "tampere"}, {"site": "one"}, {"kind": "one"}],
    ids=["everywhere", "county", "municipality", "site", "kind"],
)
def test_a_dashboard_page_reads_the_rollups_in_five_queries_however_many_sites_and_months(tampere_site, choice):
    """What the page costs must not grow with the data: the SiteMonth rows once (both periods), which rows
    to read, the sites' names, every breakdown at once, and the vocabulary's version."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kohtaamo.stats import dashboard, rollups
    from kohtaamo.stats.queries import StatsFilter

    others = [f.site(name=f"Paikka {n}", municipality=tampere_site.municipality) for n in range(3)]
    for month in (1, 2, 3):
        for site in (tampere_site, *others):
            fs.encounters(site, dt.date(2026, month, 10), 6, topics=("housing",), partners=())
    rollups.refresh()
    values = {"municipality": f.TAMPERE, "site": tampere_site.pk, "kind": tampere_site.kind, "county": "08"}
    filt = StatsFilter(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 31), **{k: values[k] for k in choice})
    dashboard.dashboard_build(filt=filt)  # the term list is read once per process and vocabulary version
    with CaptureQueriesContext(connection) as queries:
        board = dashboard.dashboard_build(filt=filt)
    assert board.cells["encounters"].value > 0
    assert len(queries) == 5, [q["sql"][:120] for q in queries]
