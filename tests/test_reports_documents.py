"""The slide and the social report: what they hold, and that no count under the threshold gets into them."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import translation
from pptx import Presentation
from pypdf import PdfReader

from kohtaamo.directory.models import Site
from kohtaamo.reports import figures
from kohtaamo.reports.areas import COUNTIES, MUNICIPALITIES, Period, get_area
from kohtaamo.reports.slide import build_slide
from kohtaamo.reports.social_report import build_pdf, local_only_fetcher
from tests import factories as f
from tests import factories_reports as fr

pytestmark = pytest.mark.django_db

DATES = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}")
# Euro amounts, whose thousands are set apart by a (no-break) space: "3 200,00 €" is not a 3.
EUROS = re.compile(r"\d{1,3}(?:[ \u00a0]\d{3})*,\d{2}\s?€")


def numbers_in(text: str) -> set[int]:
    """Every standalone number in a document's text, dates and euro amounts left out."""
    text = EUROS.sub(" ", DATES.sub(" ", text))
    return {int(number) for number in re.findall(r"(?<![\d,.])\d+(?![\d,.]\d)", text)}


def pptx_text(data: bytes) -> tuple[str, list]:
    """All the text of a presentation's shapes and charts, and the charts' values."""
    presentation = Presentation(io.BytesIO(data))
    texts, values = [], []
    for slide in presentation.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_chart:
                plot = shape.chart.plots[0]
                texts += [str(category) for category in plot.categories]
                texts.append(shape.chart.chart_title.text_frame.text)
                for series in plot.series:
                    values += list(series.values)
    return "\n".join(texts), values


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def quarter(tampere_site):
    fr.small_counts_quarter(tampere_site)
    return Period(*fr.Q1)


def test_the_slide_shows_no_count_under_the_threshold_in_its_text_or_chart_data(vera, tampere_site, quarter):
    area = get_area(vera, MUNICIPALITIES, f.TAMPERE)
    text, values = pptx_text(build_slide(figures.slide_document(vera, area, quarter)))

    assert not numbers_in(text) & fr.SMALL_COUNTS, text
    assert not {value for value in values if value is not None} & fr.SMALL_COUNTS
    assert "<5" in text  # sessions (3) and the small months are there, hidden
    assert values == [10.0, None, None]  # January's 12 rounded; February's 3 and March's 8 hidden together


def test_the_slide_documents_the_form_of_work_as_seed_002_asks(vera, tampere_site, quarter):
    nekala = f.organisation(name="Valo-valmennus")
    tampere_site.organisations.add(nekala)
    tampere_site.frequency = "weekly"
    tampere_site.metrics = "Kävijätilastot, PEI-mittari"
    tampere_site.consultation_practice = "Aikuissosiaalityö konsultoitavissa"
    tampere_site.work_pair_practice = "Jalkautuminen aina työparina"
    tampere_site.evaluation_schedule = "Arviointi puolivuosittain"
    tampere_site.responsible_person = "Joonas Kiviranta"
    tampere_site.save()
    f.rule(tampere_site, weekdays=(3,), starts="09:00", ends="11:00")
    area = get_area(vera, MUNICIPALITIES, f.TAMPERE)

    text, _values = pptx_text(build_slide(figures.slide_document(vera, area, quarter)))

    for expected in (
        "Alue ja paikka",
        "Hervanta L8",
        "Valo-valmennus",
        str(Site.Frequency.WEEKLY.label),  # the directory's own translation
        "09:00–11:00",
        "PEI-mittari",
        "Aikuissosiaalityö konsultoitavissa",
        "Jalkautuminen aina työparina",
        "Arviointi puolivuosittain",
        "Joonas Kiviranta",
        "Tampere",
    ):
        assert expected in text, expected


def test_the_social_report_shows_no_count_under_the_threshold(vera, tampere_site, quarter):
    area = get_area(vera, MUNICIPALITIES, f.TAMPERE)
    text = pdf_text(build_pdf(figures.report_document(vera, area, quarter, None)))

    assert not numbers_in(text) & fr.SMALL_COUNTS, text
    for heading in ("Tunnusluvut", "Asiat, joissa autettiin", "Jatko-ohjaukset", "Tiedontarpeet", "Kävijöiden toiveet"):
        assert heading in text


def test_a_county_report_shows_no_count_under_the_threshold_either(vera, tampere_site, quarter):
    area = get_area(vera, COUNTIES, f.PIRKANMAA)
    text = pdf_text(build_pdf(figures.report_document(vera, area, quarter, None)))

    assert not numbers_in(text) & fr.SMALL_COUNTS, text
    assert "Kunnittain" in text or "Tampere" in text


def test_the_social_report_gives_the_cost_per_session_and_per_encounter(alice, tampere_site, quarter):
    fr.cost(tampere_site, supplier=f.organisation(name="A-kilta"))
    area = get_area(alice, MUNICIPALITIES, f.TAMPERE)
    document = figures.report_document(alice, area, quarter, None)

    [line] = document.costs
    assert str(line.per_session) == "400.00"  # 3,200 € for eight sessions (seed 004)
    assert str(line.per_encounter) == "128.00"  # 23 encounters, shown as 25
    text = pdf_text(build_pdf(document))
    assert "400,00 €" in text and "128,00 €" in text and "A-kilta" in text
    assert not numbers_in(text) & fr.SMALL_COUNTS, text


def test_no_cost_per_encounter_is_given_when_the_encounters_are_too_few(alice, tampere_site):
    fr.cost(tampere_site)
    area = get_area(alice, MUNICIPALITIES, f.TAMPERE)
    [line] = figures.cost_lines(alice, area, Period(*fr.Q1))
    assert line.per_encounter is None  # 3,200 € divided by a hidden count would give the count away
    assert str(line.per_session) == "400.00"


def test_documents_come_in_the_language_of_the_request(vera, tampere_site, quarter):
    area = get_area(vera, MUNICIPALITIES, f.TAMPERE)
    with translation.override("sv"):
        slide_text, _values = pptx_text(build_slide(figures.slide_document(vera, area, quarter)))
        report_text = pdf_text(build_pdf(figures.report_document(vera, area, quarter, None)))
    assert "Område och plats" in slide_text
    assert "Nyckeltal" in report_text


def test_the_pdf_renderer_fetches_nothing_remote_or_local():
    fetcher = local_only_fetcher()
    for url in ("https://example.com/logo.png", "http://127.0.0.1/", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
