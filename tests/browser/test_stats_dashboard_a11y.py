"""The statistics dashboard in a real browser: axe-core's WCAG 2.1 AA rules in Finnish, Swedish and English."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories as f
from tests import factories_stats as fs
from tests.browser.support import axe, console_errors, format_violations, is_csp_violation, language_prefix

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_dashboard_has_no_axe_violations(browser, live_server, log_in, vera, tampere_site, language):
    today = dt.date.today()
    fs.encounters(tampere_site, today.replace(day=1), 23, topics=("housing", "benefits"), coping="better")
    fs.encounters(f.site(name="Nokian tupa", municipality=f.municipality(f.NOKIA)), today.replace(day=1), 2)
    log_in(vera, language=language)
    browser.get(f"{live_server.url}{language_prefix(language)}/stats/?trend=week")
    assert browser.find_element("css selector", "html").get_attribute("lang") == language
    violations = axe(browser)
    assert not violations, format_violations(violations)
    assert not [m for m in console_errors(browser) if is_csp_violation(m)]
