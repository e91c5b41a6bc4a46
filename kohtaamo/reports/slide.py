"""The municipality slide (seed 002's "kuntakohtainen dia") as a real PowerPoint file.

One 16:9 slide: on the left the documentation of the form of work (area and place, actors,
frequency, metrics, consultation and work-pair practices, follow-up and evaluation, the
responsible person), on the right the period's key figures and a native column chart of
encounters by month, which PowerPoint and LibreOffice can both edit. Suppressed months are
left out of the chart's data (an empty point), never drawn as a small bar.
"""

from __future__ import annotations

import io

from django.utils import formats
from django.utils.translation import gettext as _
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from kohtaamo.reports.figures import Document, SiteSheet

DARK = RGBColor(0x1F, 0x3F, 0x5B)
ACCENT = RGBColor(0x1F, 0x5F, 0x8B)
MUTED = RGBColor(0x44, 0x44, 0x44)


def _distinct(values: list[str]) -> str:
    return "; ".join(dict.fromkeys(value.strip() for value in values if value and value.strip()))


def documentation(sites: list[SiteSheet]) -> list[tuple[str, str]]:
    """The seven headings of seed 002's slide, each summarised over the municipality's sites."""
    none = _("not recorded")
    places = [f"{site.name} ({site.kind}): {site.place}" for site in sites]
    schedule = [
        f"{site.name}: {', '.join(part for part in (site.frequency, ', '.join(site.hours)) if part)}"
        for site in sites
        if site.frequency or site.hours
    ]
    practices = [site.consultation for site in sites] + [site.work_pair for site in sites]
    return [
        (_("Area and place"), _distinct(places) or _("no sites in the directory")),
        (_("Actors"), _distinct([actor for site in sites for actor in site.actors]) or none),
        (_("Frequency"), _distinct(schedule) or none),
        (_("Metrics"), _distinct([site.metrics for site in sites]) or none),
        (_("Consultation and work pairs"), _distinct(practices) or _("no agreed practice recorded")),
        (_("Follow-up and evaluation"), _distinct([site.evaluation for site in sites]) or none),
        (_("Responsible person"), _distinct([site.responsible for site in sites]) or none),
    ]


def period_text(document: Document) -> str:
    return f"{formats.date_format(document.period.date_from, 'SHORT_DATE_FORMAT')}–" + formats.date_format(
        document.period.date_to, "SHORT_DATE_FORMAT"
    )


def _text_box(slide, left, top, width, height):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    return frame


def _add_documentation(slide, document: Document) -> None:
    sections = documentation(document.sites)
    length = sum(len(text) for _heading, text in sections)
    # Seed 002 wants it all on one slide: a long list of sites gets a smaller type.
    size = Pt(13) if length < 700 else Pt(11) if length < 1300 else Pt(9)
    frame = _text_box(slide, Inches(0.5), Inches(1.35), Inches(7.4), Inches(5.8))
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    for index, (heading, text) in enumerate(sections):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(4)
        head = paragraph.add_run()
        head.text = f"{heading}: "
        head.font.bold = True
        head.font.size = size
        head.font.color.rgb = DARK
        body = paragraph.add_run()
        body.text = text
        body.font.size = size


def _add_key_figures(slide, document: Document) -> None:
    rows = document.key_rows()
    left, top, width = Inches(8.3), Inches(1.35), Inches(4.6)
    box_width = Emu(int(width / max(len(rows), 1)))
    for index, (label, cell) in enumerate(rows):
        frame = _text_box(slide, left + box_width * index, top, box_width, Inches(1.1))
        number = frame.paragraphs[0]
        number.alignment = PP_ALIGN.CENTER
        run = number.add_run()
        run.text = str(cell)
        # Four digits would wrap in a quarter of the column at the larger size.
        run.font.size = Pt(30) if len(run.text) <= 3 else Pt(22)
        run.font.bold = True
        run.font.color.rgb = ACCENT
        caption = frame.add_paragraph()
        caption.alignment = PP_ALIGN.CENTER
        run = caption.add_run()
        run.text = label
        run.font.size = Pt(10)
        run.font.color.rgb = MUTED


def _add_chart(slide, document: Document) -> None:
    if not document.tables:
        return
    title, table = document.tables[0]
    data = CategoryChartData()
    # A suppressed month is an empty point; its category says why it is empty.
    data.categories = [f"{row.label} ({row.cell})" if row.cell.suppressed else row.label for row in table.rows]
    data.add_series(title, [None if row.cell.suppressed else row.cell.value for row in table.rows])
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(8.3), Inches(2.6), Inches(4.6), Inches(3.9), data
    )
    chart = frame.chart
    chart.has_legend = False
    chart.has_title = True
    chart.chart_title.text_frame.text = title
    chart.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(13)
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.font.size = Pt(11)
    plot.series[0].format.fill.solid()
    plot.series[0].format.fill.fore_color.rgb = ACCENT
    chart.value_axis.has_major_gridlines = False
    chart.value_axis.visible = False
    chart.category_axis.tick_labels.font.size = Pt(10)


def build_slide(document: Document) -> bytes:
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Inches(13.333), Inches(7.5)
    presentation.core_properties.title = _("Community social work in %(area)s") % {"area": document.area_name}
    presentation.core_properties.author = "Kohtaamo"
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])  # blank

    title = _text_box(slide, Inches(0.5), Inches(0.35), Inches(12.3), Inches(0.7)).paragraphs[0]
    run = title.add_run()
    run.text = presentation.core_properties.title
    run.font.size = Pt(28)
    run.font.bold = True
    run.font.color.rgb = DARK
    subtitle = _text_box(slide, Inches(0.5), Inches(0.95), Inches(12.3), Inches(0.4)).paragraphs[0]
    run = subtitle.add_run()
    run.text = f"{document.county_name} · {period_text(document)}"
    run.font.size = Pt(14)
    run.font.color.rgb = MUTED

    _add_documentation(slide, document)
    _add_key_figures(slide, document)
    _add_chart(slide, document)

    note = _text_box(slide, Inches(8.3), Inches(6.6), Inches(4.6), Inches(0.6)).paragraphs[0]
    run = note.add_run()
    run.text = _("Figures under %(threshold)s are shown as <%(threshold)s so that no visitor can be identified.") % {
        "threshold": document.threshold
    }
    run.font.size = Pt(9)
    run.font.color.rgb = MUTED

    output = io.BytesIO()
    presentation.save(output)
    return output.getvalue()
