"""The counsellor's common case in real Chromium at phone size: one matter, no referral, in at most three taps.

Taps are counted as the clicks (or key presses) a person makes after logging in. The screen must
also pass axe-core's WCAG 2.1 A/AA rules, break nothing under the Content Security Policy, and
work with the keyboard alone.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from kohtaamo.encounters.models import Encounter, Session
from tests import factories as f
from tests import factories_encounters as fe
from tests.browser.support import axe, console_errors, format_violations, is_csp_violation, phone_size

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def open_today(tampere_site):
    """Hervanta L8 is open all day today (special hours, so a public holiday does not close it)."""
    f.exception(tampere_site, fe.today(), closed=False, starts="00:00", ends="00:00")
    return tampere_site


def text_of(browser: WebDriver, selector: str) -> str:
    """Read in the page itself: an element htmx is swapping out cannot go stale under us."""
    return browser.execute_script(
        "const el = document.querySelector(arguments[0]); return el ? el.textContent : '';", selector
    )


def settled(browser: WebDriver) -> None:
    """Wait until htmx has no request, swap or settle under way."""
    WebDriverWait(browser, 10).until(
        lambda driver: driver.execute_script(
            "return !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added');"
        )
    )


def wait_for_status(browser: WebDriver, text: str) -> str:
    WebDriverWait(browser, 10).until(lambda driver: text in text_of(driver, "#flash"))
    settled(browser)
    return text_of(browser, "#flash")


def focused_id(browser: WebDriver) -> str:
    return browser.execute_script("return document.activeElement ? document.activeElement.id : '';")


def press(browser: WebDriver, key: str) -> None:
    """A key press on whatever has the focus, as a person would make it."""
    ActionChains(browser).send_keys(key).perform()


class Taps:
    """Clicks on the page, counted."""

    def __init__(self, browser: WebDriver):
        self.browser, self.count = browser, 0

    def click(self, by: str, value: str) -> None:
        self.browser.find_element(by, value).click()
        self.count += 1


def test_one_matter_without_referral_is_logged_in_two_taps_on_a_phone(browser, live_server, log_in, bob, open_today):
    log_in(bob)
    phone_size(browser)
    browser.get(live_server.url + "/")
    console_errors(browser)  # start with an empty console
    taps = Taps(browser)

    taps.click(By.CSS_SELECTOR, "header a[href='/counsellor/']")  # 1: the counsellor's screen, today's session open
    session = Session.objects.get()
    assert browser.current_url == f"{live_server.url}/counsellor/sessions/{session.pk}/"
    taps.click(By.ID, "topic-housing")  # 2: the matter; one tap saves
    status = wait_for_status(browser, "Asuminen")

    assert taps.count <= 3
    encounter = Encounter.objects.get()
    assert [term.code for term in encounter.topics.all()] == ["housing"]
    assert not encounter.referrals.exists() and encounter.created_by == bob and encounter.session == session
    assert "Asuminen" in status
    # htmx swapped the panel in place: still the same page, with the new count.
    assert browser.current_url == f"{live_server.url}/counsellor/sessions/{session.pk}/"
    assert "1" in text_of(browser, ".encounter-count")
    violations = axe(browser)
    assert not violations, format_violations(violations)
    assert not [message for message in console_errors(browser) if is_csp_violation(message)]


def test_the_screens_targets_are_big_enough_to_tap(browser, live_server, log_in, bob, open_today):
    log_in(bob)
    phone_size(browser)
    browser.get(live_server.url + "/counsellor/")
    small = browser.execute_script(
        """
        return [...document.querySelectorAll('#session-panel button, #session-panel .choice label')]
          .map(el => [el.id || el.textContent.trim(), el.getBoundingClientRect()])
          .filter(([name, box]) => box.height < 44 || box.width < 44)
          .map(([name, box]) => `${name}: ${Math.round(box.width)}x${Math.round(box.height)}`);
        """
    )
    assert small == []
    overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
    assert overflow <= 0


def test_the_common_case_works_with_the_keyboard_alone(browser, live_server, log_in, bob, open_today):
    log_in(bob)
    phone_size(browser)
    browser.get(live_server.url + "/counsellor/")

    def tab_to(element_id: str, limit: int = 80) -> None:
        presses = 0
        while focused_id(browser) != element_id:
            press(browser, Keys.TAB)
            presses += 1
            assert presses < limit, f"#{element_id} cannot be reached with Tab"

    tab_to("topic-housing")
    outline = browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle;")
    assert outline != "none", "the focused matter button shows no focus outline"
    press(browser, Keys.ENTER)
    wait_for_status(browser, "Asuminen")
    assert Encounter.objects.count() == 1
    # htmx puts the focus back on the same button, so the next visitor is one Enter away.
    assert focused_id(browser) == "topic-housing"

    tab_to("tally-plus")
    press(browser, Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda driver: text_of(driver, ".tally-count .count") == "1")
    settled(browser)
    tab_to("undo-last")
    press(browser, Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda driver: not Encounter.objects.exists())


def test_without_javascript_the_plain_form_post_still_logs_the_encounter(browser, live_server, log_in, bob, open_today):
    log_in(bob)
    browser.get(live_server.url + "/counsellor/")
    # Take htmx away: the buttons are then ordinary submit buttons of an ordinary form.
    browser.execute_script(
        "document.querySelectorAll('[hx-post]').forEach(el => { el.removeAttribute('hx-post'); });"
        "window.htmx && htmx.off && document.body.replaceWith(document.body.cloneNode(true));"
    )
    browser.find_element(By.ID, "topic-forms").click()
    WebDriverWait(browser, 10).until(lambda driver: Encounter.objects.exists())
    WebDriverWait(browser, 10).until(lambda driver: "Lomakkeiden" in text_of(driver, "main .messages"))


def test_every_page_around_the_screen_passes_axe_and_reflows(browser, live_server, log_in, ada, open_today):
    """The session list, the full form (also with errors), the ad-hoc form, tokens and taxonomies."""
    session = fe.session(open_today)
    log_in(ada)
    phone_size(browser)
    problems = []

    def check(path: str, action=None) -> None:
        browser.get(live_server.url + path)
        if action:
            action()
        violations = axe(browser)
        if violations:
            problems.append(f"{path}: {format_violations(violations)}")
        width = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
        if width > 0:
            problems.append(f"{path}: {width}px wider than a phone")

    def submit_a_note_with_an_identity_code() -> None:
        browser.find_element(By.CSS_SELECTOR, "input[name=topics][value=benefits]").click()
        browser.find_element(By.NAME, "note").send_keys("hetu 131052-308T")
        browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        WebDriverWait(browser, 10).until(lambda driver: driver.find_elements(By.ID, "id_note_error"))

    def create_a_token() -> None:
        browser.find_element(By.NAME, "name").send_keys("Työpuhelin")
        browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        WebDriverWait(browser, 10).until(lambda driver: driver.find_elements(By.ID, "new-token"))

    check("/counsellor/?all=1")
    check(f"/counsellor/sessions/{session.pk}/encounters/new/")
    check(f"/counsellor/sessions/{session.pk}/encounters/new/", submit_a_note_with_an_identity_code)
    check("/counsellor/sessions/ad-hoc/")
    check("/counsellor/tokens/", create_a_token)
    check("/counsellor/terms/")
    check("/counsellor/terms/new/")
    check("/sv/counsellor/?all=1")
    assert not problems, "\n".join(problems)
    assert not [message for message in console_errors(browser) if is_csp_violation(message)]


def test_the_full_encounter_form_is_filled_and_saved_with_the_keyboard_alone(
    browser, live_server, log_in, bob, open_today
):
    """Several matters and a referral, from the counsellor's screen to the saved encounter: Tab, Space, Enter."""
    log_in(bob)
    phone_size(browser)
    browser.get(live_server.url + "/counsellor/")

    def tab_to(selector: str, limit: int = 120) -> None:
        presses = 0
        while not browser.execute_script("return document.activeElement.matches(arguments[0]);", selector):
            press(browser, Keys.TAB)
            presses += 1
            assert presses < limit, f"{selector} cannot be reached with Tab"
        outline = browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle;")
        assert outline != "none", f"the focused {selector} shows no focus outline"

    tab_to("a[href$='/encounters/new/']")
    browser.execute_script("window.kohtaamoOldPage = true;")
    press(browser, Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return !window.kohtaamoOldPage;"))
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "input[name=topics]"))
    for selector in ("input[name=topics][value=housing]", "input[name=topics][value=benefits]"):
        tab_to(selector)
        press(browser, Keys.SPACE)
    referral = browser.find_element(By.CSS_SELECTOR, "input[name=referrals]").get_attribute("value")
    tab_to(f"input[name=referrals][value='{referral}']")
    press(browser, Keys.SPACE)
    tab_to("main form button[type=submit]")
    press(browser, Keys.ENTER)

    WebDriverWait(browser, 10).until(lambda driver: Encounter.objects.exists())
    encounter = Encounter.objects.get()
    assert sorted(encounter.topics.values_list("code", flat=True)) == ["benefits", "housing"]
    assert list(encounter.referrals.values_list("code", flat=True)) == [referral]
    assert encounter.created_by == bob
