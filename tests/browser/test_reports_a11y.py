"""The reports pages in a real browser: no axe violations, no CSP errors, in Finnish, Swedish and English."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests import factories_reports as fr
from tests.browser.support import (
    axe,
    console_errors,
    format_violations,
    language_prefix,
    phone_size,
    sideways_overflow,
    submit,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PAGES = ["/reports/", f"/reports/municipalities/837/?{fr.Q1_QUERY}", "/reports/costs/new/"]


def test_reports_pages_have_no_axe_violations_or_console_errors_in_fi_sv_and_en(
    browser, live_server, log_in, alice, tampere_site
):
    fr.cost(tampere_site)
    log_in(alice)
    problems = []
    for language in ("fi", "sv", "en"):
        for path in PAGES:
            url = live_server.url + language_prefix(language) + path
            browser.get(url)
            if browser.find_element(By.TAG_NAME, "html").get_attribute("lang") != language:
                problems.append(f"{url}: not in {language}")
            if violations := axe(browser):
                problems.append(f"{url}: {format_violations(violations)}")
            problems += [f"{url}: console: {message}" for message in console_errors(browser)]
    assert not problems, "\n".join(problems)


def test_a_refused_narrative_keeps_the_text_and_passes_axe_at_phone_size(browser, live_server, log_in, alice):
    log_in(alice)
    phone_size(browser)
    browser.get(live_server.url + f"/reports/municipalities/837/?{fr.Q1_QUERY}")
    summary = browser.find_element(By.NAME, "summary")
    summary.send_keys("Soita 040 123 4567")
    submit(browser)

    assert browser.find_element(By.NAME, "summary").get_attribute("value") == "Soita 040 123 4567"
    assert browser.find_elements(By.CSS_SELECTOR, ".error-summary")
    violations = axe(browser)
    assert not violations, format_violations(violations)
    assert not sideways_overflow(browser)
