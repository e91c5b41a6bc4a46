"""The social report (sosiaalinen raportti) as a PDF: figures, charts, costs and the coordinator's narrative.

WeasyPrint renders a template with its own stylesheet, passed server-side (this is not a page, so
the site's CSP does not apply). Its URL fetcher accepts only data: URLs, so a document can never
make the server fetch anything, local file or remote.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import get_language
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from kohtaamo.reports.charts import bar_chart_svg
from kohtaamo.reports.figures import Document
from kohtaamo.reports.slide import period_text
from kohtaamo.stats.queries import Table

STYLESHEET = Path(__file__).with_name("pdf.css")


def local_only_fetcher() -> URLFetcher:
    """A fetcher that refuses http, https, ftp and file: the document carries everything it shows."""
    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)


def without_zeros(table: Table) -> Table:
    """Rows that were recorded: a list of every matter nobody had would bury the ones that count."""
    return replace(table, rows=[row for row in table.rows if row.cell.suppressed or row.cell.value])


def report_html(document: Document, *, version: int | None = None) -> str:
    sections = []
    for title, table in document.tables:
        shown = without_zeros(table)
        sections.append({"title": title, "table": shown, "chart": bar_chart_svg(shown, title=title)})
    return render_to_string(
        "reports/social_report_pdf.html",
        {
            "document": document,
            "period": period_text(document),
            "sections": sections,
            "version": version,
            "language": get_language(),
        },
    )


def build_pdf(document: Document, *, version: int | None = None) -> bytes:
    fetcher = local_only_fetcher()
    stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher)
    html = HTML(string=report_html(document, version=version), url_fetcher=fetcher, base_url=None)
    return html.write_pdf(stylesheets=[stylesheet])
