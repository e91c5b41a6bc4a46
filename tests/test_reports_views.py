"""The reports pages and downloads: who may do what, the audit log, narratives, publishing and costs."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation

from kohtaamo.audit.models import LogEntry
from kohtaamo.reports.models import Narrative, PublishedReport, SessionSeriesCost
from tests import factories as f
from tests import factories_reports as fr
from tests.factories_reports import SMALL_COUNTS as SMALL
from tests.test_reports_documents import numbers_in, pdf_text, pptx_text

pytestmark = pytest.mark.django_db

SLIDE = f"/reports/municipalities/{f.TAMPERE}/slide.pptx?{fr.Q1_QUERY}"
REPORT = f"/reports/municipalities/{f.TAMPERE}/report.pdf?{fr.Q1_QUERY}"
AREA = f"/reports/municipalities/{f.TAMPERE}/?{fr.Q1_QUERY}"
PUBLISH = f"/reports/municipalities/{f.TAMPERE}/publish/?{fr.Q1_QUERY}"


def test_viewer_downloads_the_slide_and_the_report_of_a_pirkanmaa_municipality_for_a_quarter(
    as_user, vera, tampere_site
):
    fr.small_counts_quarter(tampere_site)
    client = as_user(vera)

    slide = client.get(SLIDE)
    report = client.get(REPORT)

    assert slide.status_code == 200 and report.status_code == 200
    assert slide["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.presentationml")
    assert report["Content-Type"] == "application/pdf"
    assert len(Presentation(io.BytesIO(slide.content)).slides) == 1
    slide_text, chart_values = pptx_text(slide.content)
    assert not numbers_in(slide_text) & SMALL
    assert not set(chart_values) & SMALL
    assert not numbers_in(pdf_text(report.content)) & SMALL


def test_every_download_is_written_to_the_audit_log_with_its_filters(as_user, vera, tampere_site):
    client = as_user(vera)
    client.get(SLIDE)
    client.get(REPORT)

    entries = LogEntry.objects.filter(actor=vera).order_by("pk")
    assert [entry.action for entry in entries] == ["reports.download_slide", "reports.download_report"]
    assert entries[0].data == {
        "area": "municipalities",
        "code": f.TAMPERE,
        "from": "2026-01-01",
        "to": "2026-03-31",
        "language": "fi",
    }
    assert entries[0].object_repr == "Tampere"


@pytest.mark.parametrize("url", [SLIDE, REPORT, AREA])
def test_a_coordinator_of_another_county_gets_404(as_user, carol, url):
    assert as_user(carol).get(url).status_code == 404


@pytest.mark.parametrize("url", [SLIDE, REPORT, AREA, "/reports/"])
def test_a_counsellor_gets_403(as_user, bob, url):
    assert as_user(bob).get(url).status_code == 403


def test_nobody_logged_in_is_sent_to_the_login_page(client):
    response = client.get(SLIDE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_bad_period_is_a_bad_request(as_user, vera):
    client = as_user(vera)
    assert client.get(f"/reports/municipalities/{f.TAMPERE}/slide.pptx?from=2026-13-01&to=x").status_code == 400
    assert (
        client.get(f"/reports/municipalities/{f.TAMPERE}/slide.pptx?from=2026-03-01&to=2026-01-31").status_code == 400
    )
    assert (
        client.get(f"/reports/municipalities/{f.TAMPERE}/slide.pptx?from=2024-01-01&to=2026-01-31").status_code == 400
    )


def test_the_reports_page_lists_what_the_viewer_can_download(as_user, vera, tampere_site, raisio_site):
    page = as_user(vera).get("/reports/?date_from=2026-01-01&date_to=2026-03-31").content.decode()
    assert SLIDE.replace("&", "&amp;") in page
    assert REPORT.replace("&", "&amp;") in page
    assert f"/reports/municipalities/{f.RAISIO}/" not in page  # Raisio is in Varsinais-Suomi
    assert "Add a cost" not in page and "Lisää kustannus" not in page  # a viewer does not edit


def test_a_viewer_may_not_write_a_narrative_or_publish(as_user, vera):
    client = as_user(vera)
    assert client.post(AREA, {"summary": "Hyvä neljännes"}).status_code == 403
    assert client.post(PUBLISH).status_code == 403
    assert not Narrative.objects.exists() and not PublishedReport.objects.exists()


def test_a_narrative_with_personal_data_is_refused_and_what_was_typed_is_kept(as_user, alice):
    typed = "Soita Maijalle 040 123 4567, hän tietää lisää."
    response = as_user(alice).post(AREA, {"summary": typed, "proposals": "Lisää aukioloa"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Poista puhelinnumero" in page or "Remove the phone number" in page
    assert typed in page and "Lisää aukioloa" in page
    assert not Narrative.objects.exists()


def test_the_coordinators_narrative_goes_into_the_social_report(as_user, alice, tampere_site):
    client = as_user(alice)
    response = client.post(AREA, {"summary": "Kävijämäärä kasvoi Hervannassa.", "proposals": "Lähitori Multisiltaan."})
    assert response.status_code == 302

    text = pdf_text(client.get(REPORT).content)
    assert "Kävijämäärä kasvoi Hervannassa." in text and "Lähitori Multisiltaan." in text
    assert LogEntry.objects.filter(action="reports.narrative_create", actor=alice).exists()


def test_a_published_version_is_frozen_and_each_publication_gets_the_next_number(as_user, alice, vera, tampere_site):
    client = as_user(alice)
    client.post(AREA, {"summary": "Ensimmäinen versio."})
    client.post(PUBLISH)
    first = PublishedReport.objects.get()
    frozen = bytes(first.pdf)

    # New figures and a new narrative change the draft, not the published version.
    fr.small_counts_quarter(tampere_site)
    client.post(AREA, {"summary": "Toinen versio."})
    client.post(PUBLISH)

    assert list(PublishedReport.objects.order_by("version").values_list("version", flat=True)) == [1, 2]
    download = as_user(vera).get(f"/reports/published/{first.pk}/report.pdf")
    assert download.status_code == 200 and download.content == frozen
    assert "Ensimmäinen versio." in pdf_text(download.content)
    assert LogEntry.objects.filter(action="reports.publish", actor=alice).count() == 2
    assert LogEntry.objects.filter(action="reports.download_published_report", actor=vera).exists()


def test_a_published_report_of_another_county_is_not_found(as_user, alice, carol, tampere_site):
    as_user(alice).post(PUBLISH)
    report = PublishedReport.objects.get()
    assert as_user(carol).get(f"/reports/published/{report.pk}/report.pdf").status_code == 404


def test_a_coordinator_records_what_a_series_of_sessions_cost(as_user, alice, tampere_site):
    akilta = f.organisation(name="A-kilta")
    response = as_user(alice).post(
        "/reports/costs/new/",
        {
            "site": tampere_site.pk,
            "supplier": akilta.pk,
            "description": "Yhteisöneuvonta ostopalveluna, ke 9–11",
            "date_from": "2026-01-01",
            "date_to": "2026-03-31",
            "sessions": "8",
            "amount": "3200",
        },
    )
    assert response.status_code == 302
    cost = SessionSeriesCost.objects.get()
    assert str(cost.per_session) == "400.00" and cost.created_by == alice
    assert LogEntry.objects.filter(action="reports.cost_create", actor=alice).exists()


def test_a_cost_can_only_be_recorded_for_a_site_in_ones_own_area(as_user, carol, tampere_site):
    response = as_user(carol).post(
        "/reports/costs/new/",
        {"site": tampere_site.pk, "description": "x", "date_from": "2026-01-01", "date_to": "2026-01-31"}
        | {"sessions": "1", "amount": "10"},
    )
    assert response.status_code == 200 and not SessionSeriesCost.objects.exists()


def test_a_cost_of_another_county_cannot_be_removed(as_user, carol, tampere_site):
    cost = fr.cost(tampere_site)
    assert as_user(carol).post(f"/reports/costs/{cost.pk}/delete/").status_code == 404
    assert SessionSeriesCost.objects.filter(pk=cost.pk).exists()


def test_the_demo_loader_adds_seed_004s_cost_and_a_narrative_once(tampere_site):
    from kohtaamo.directory.models import Site
    from kohtaamo.reports import demo

    Site.objects.filter(pk=tampere_site.pk).update(name_fi="Yhteisöneuvonta Multisilta (Suklis)")
    assert demo.load_demo() == (1, 1)
    assert demo.load_demo() == (0, 0)
    cost = SessionSeriesCost.objects.get()
    assert (cost.sessions, str(cost.amount), str(cost.per_session)) == (8, "3200.00", "400.00")
