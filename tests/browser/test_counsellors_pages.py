"""The counsellor's own page and the coordinator's rota in real Chromium: axe-clean in Finnish, Swedish and English."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By

from kohtaamo.encounters.models import Session
from kohtaamo.lib import hours
from tests import factories_counsellors as fc
from tests import factories_encounters as fe
from tests.browser.support import axe, console_errors, format_violations, language_prefix, phone_size, submit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NEXT_MONDAY = hours.monday(hours.today()) + dt.timedelta(days=7)


@pytest.fixture
def next_week_session(tampere_site):
    return fe.session(
        tampere_site,
        starts_at=hours.local(NEXT_MONDAY, dt.time(9)),
        ends_at=hours.local(NEXT_MONDAY, dt.time(11)),
        kind=Session.Kind.SCHEDULED,
    )


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_bobs_own_page_and_shifts_are_axe_clean_on_a_phone(
    browser, live_server, log_in, bob, next_week_session, language
):
    profile = fc.profile(bob)
    fc.participation(profile, "volunteer")
    fc.shift(next_week_session, bob)
    log_in(bob, language=language)
    phone_size(browser)
    prefix = language_prefix(language)
    browser.get(f"{live_server.url}{prefix}/counsellors/me/")
    assert browser.find_element(By.TAG_NAME, "h1").text
    violations = axe(browser)
    assert not violations, format_violations(violations)
    browser.get(f"{live_server.url}{prefix}/counsellors/shifts/")
    assert "Hervanta L8" in browser.find_element(By.TAG_NAME, "main").text
    violations = axe(browser)
    assert not violations, format_violations(violations)
    assert browser.find_element(By.ID, "feed-url").get_attribute("value").endswith(".ics")
    assert not console_errors(browser)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_alice_is_warned_on_the_rota_and_staffs_the_session(
    browser, live_server, log_in, alice, paula, next_week_session, language
):
    log_in(alice, language=language)
    prefix = language_prefix(language)
    browser.get(f"{live_server.url}{prefix}/counsellors/rota/?week={NEXT_MONDAY}")
    assert browser.find_elements(By.CSS_SELECTOR, ".rota-warning")
    violations = axe(browser)
    assert not violations, format_violations(violations)
    select = browser.find_element(By.ID, f"user-{next_week_session.pk}")
    select.find_element(By.CSS_SELECTOR, f"option[value='{paula.pk}']").click()
    submit(browser, f"#session-{next_week_session.pk} button[type=submit]:not(.link-button)")
    assert not browser.find_elements(By.CSS_SELECTOR, ".rota-warning")
    assert browser.find_elements(By.CSS_SELECTOR, ".rota-ok")
    violations = axe(browser)
    assert not violations, format_violations(violations)
    assert not console_errors(browser)
