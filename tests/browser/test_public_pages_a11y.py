"""Every public and staff page, in Finnish, Swedish and English, checked in real Chromium.

Each page must pass axe-core's WCAG 2.1 A/AA rules, declare its language, reflow at 320px, be served
with a Content Security Policy that nothing on it breaks, and link to itself in the other languages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from kohtaamo.directory.models import Site
from kohtaamo.lib import hours
from tests import factories as f
from tests.browser.support import (
    axe,
    click_through,
    console_errors,
    desktop_size,
    fetch,
    format_violations,
    is_csp_violation,
    language_prefix,
    phone_size,
    sideways_overflow,
    submit,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LANGUAGES = ["fi", "sv", "en"]


@pytest.fixture
def directory(live_server):
    """A site with weekly hours, partners and exceptions this week, a site without hours, and enough
    other sites for the list to have a second page."""
    tampere = f.municipality(f.TAMPERE)
    city = f.organisation(name="Tampereen kaupunki", kind="municipality")
    settlement = f.organisation(name="Setlementti Tampere ry", short_name="Setlementti")
    parish = f.organisation(name="Tampereen seurakuntayhtymä", kind="parish")
    hervanta = f.site(
        name="Hervanta L8",
        kind="community_centre",
        municipality=tampere,
        organisations=[city],
        languages=["fi", "sv", "en"],
        street_address="Insinöörinkatu 8",
        postal_code="33720",
        post_office="Tampere",
        phone="+358 40 123 4567",
        email="hervanta@example.org",
        website="https://example.org/hervanta",
        description="Avoin olohuone ja sosiaalineuvontaa ilman ajanvarausta.",
        accessibility="Esteetön sisäänkäynti Insinöörinkadun puolelta.",
    )
    f.rule(hervanta, weekdays=(1, 2, 3, 4, 5), starts="09:00", ends="15:00", activity="open_doors")
    f.rule(
        hervanta,
        weekdays=(3,),
        starts="16:00",
        ends="18:00",
        activity="counselling",
        description="Sosiaalineuvonta",
        partners=[settlement, parish],
    )
    monday = hours.monday(timezone.now().astimezone(hours.HELSINKI).date())
    f.exception(hervanta, monday + dt.timedelta(days=1), closed=True, note="Henkilökunnan koulutuspäivä")
    f.exception(
        hervanta, monday + dt.timedelta(days=3), closed=False, starts="12:00", ends="14:00", note="Lyhennetty päivä"
    )
    without_hours = f.site(name="Nekalan olohuone", municipality=tampere)
    municipalities = [tampere, f.municipality(f.NOKIA), f.municipality(f.RAISIO)]
    Site.objects.bulk_create(
        Site(name=f"Kohtaamispaikka {n:02}", kind=Site.Kind.MEETING_PLACE, municipality=municipalities[n % 3])
        for n in range(1, 51)
    )
    return {"site": hervanta.pk, "site_without_hours": without_hours.pk}


@dataclasses.dataclass(frozen=True)
class Page:
    name: str
    path: str  # the Finnish path; {site} and {site_without_hours} are filled in from the data
    shows: str = "main h1"  # a selector that proves the page is the one meant
    action: Callable[[WebDriver], None] | None = None  # what a person does on the page after opening it

    def url_path(self, data: dict, language: str) -> str:
        return language_prefix(language) + self.path.format(**data)


def submit_wrong_password(driver: WebDriver) -> None:
    driver.find_element(By.NAME, "username").send_keys("alice")
    driver.find_element(By.NAME, "password").send_keys("not-the-password")
    submit(driver)


def submit_wrong_password_five_times(driver: WebDriver) -> None:
    for _ in range(5):
        if not driver.find_elements(By.NAME, "password"):
            return  # locked out already (the lockout outlasts the switch of language)
        submit_wrong_password(driver)


def submit_feedback_with_a_phone_number(driver: WebDriver) -> None:
    driver.find_element(By.NAME, "message").send_keys("Soittakaa minulle 040 123 4567")
    submit(driver)


PUBLIC_PAGES = [
    Page("front-page", "/"),
    Page("site-list", "/sites/", shows="nav.pagination"),
    Page("site-list-second-page", "/sites/?page=2", shows="nav.pagination a[rel=prev]"),
    Page("site-list-filtered", f"/sites/?q=Hervanta&county={f.PIRKANMAA}&kind=community_centre&language=sv"),
    Page("site-list-invalid-filter", "/sites/?date=31.2.2026&time=25%3A00&county=99", shows=".error-summary"),
    Page("site-page", "/sites/{site}/", shows="table.hours"),
    Page("site-without-hours", "/sites/{site_without_hours}/", shows="#hours-heading"),
    Page("login", "/accounts/login/", shows="input[name=password]"),
    Page("login-wrong-password", "/accounts/login/", shows=".error-summary", action=submit_wrong_password),
    Page("login-locked-out", "/accounts/login/", shows=".error-summary", action=submit_wrong_password_five_times),
    Page("accessibility-statement", "/accessibility/"),
    Page("feedback-form", "/feedback/", shows="textarea[name=message]"),
    Page("feedback-with-errors", "/feedback/", shows=".has-error", action=submit_feedback_with_a_phone_number),
]


def open_page(driver: WebDriver, base_url: str, page: Page, data: dict, language: str) -> str:
    path = page.url_path(data, language)
    driver.get(base_url + path)
    if page.action:
        page.action(driver)
    assert driver.find_elements(By.CSS_SELECTOR, page.shows), f"{path} does not show {page.shows!r}"
    return path


def page_problems(driver: WebDriver, base_url: str, path: str, language: str) -> list[str]:
    """Everything wrong with the open page: one line per problem, so one run shows them all."""
    problems = []
    lang = driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
    if lang != language:
        problems.append(f'<html lang="{lang}">, expected "{language}"')

    if violations := axe(driver):
        problems.append(format_violations(violations))
    # A screen reader reads a field's error only if the field points at it (WCAG 3.3.1); axe cannot tell.
    unlinked = driver.execute_script(
        """
        const described = new Set([...document.querySelectorAll('[aria-describedby]')]
          .flatMap(el => el.getAttribute('aria-describedby').split(/\\s+/)));
        return [...document.querySelectorAll('.field .error')]
          .filter(p => !described.has(p.id)).map(p => p.id || p.textContent);
        """
    )
    if unlinked:
        problems.append(f"error messages no field refers to with aria-describedby: {unlinked}")
    # axe 4.11 no longer reports duplicate ids in general, yet labels and aria-describedby rely on them.
    duplicates = driver.execute_script(
        "const ids = [...document.querySelectorAll('[id]')].map(el => el.id);"
        "return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];"
    )
    if duplicates:
        problems.append(f"duplicate ids: {duplicates}")

    policy = fetch(driver, driver.current_url, "HEAD")["headers"].get("content-security-policy", "")
    if "script-src 'self'" not in policy or "default-src 'self'" not in policy:
        problems.append(f"Content-Security-Policy header missing or weakened: {policy!r}")
    errors = console_errors(driver)
    problems += [f"CSP violation in the console: {message}" for message in errors if is_csp_violation(message)]
    problems += [f"error in the console: {message}" for message in errors if not is_csp_violation(message)]

    neutral = path.removeprefix(language_prefix(language))
    links = driver.execute_script(
        "return [...document.querySelectorAll('nav.languages a')].map(a => [a.hreflang, a.href]);"
    )
    expected = {code: base_url + language_prefix(code) + neutral for code in LANGUAGES}
    if dict(links) != expected:
        problems.append(f"language links {dict(links)}, expected {expected}")

    if overflow := sideways_overflow(driver):
        problems.append(f"at 320px wide the page scrolls sideways by {overflow}px (WCAG 1.4.10 Reflow)")
    return problems


def problems_in_every_language(driver: WebDriver, base_url: str, page: Page, data: dict) -> list[str]:
    problems = []
    for language in LANGUAGES:
        desktop_size(driver)
        path = open_page(driver, base_url, page, data, language)
        problems += [f"{path}: {problem}" for problem in page_problems(driver, base_url, path, language)]
    return problems


@pytest.mark.parametrize("page", PUBLIC_PAGES, ids=lambda page: page.name)
def test_public_page_passes_axe_reflows_and_keeps_its_language_and_csp_in_fi_sv_and_en(
    browser, live_server, directory, page
):
    problems = problems_in_every_language(browser, live_server.url, page, directory)
    assert not problems, "\n".join(problems)


def test_front_page_site_list_and_site_page_have_no_axe_violations_at_phone_size(browser, live_server, directory):
    phone_size(browser)
    found = {}
    for path in ["/", "/sites/", f"/sites/{directory['site']}/"]:
        browser.get(live_server.url + path)
        if violations := axe(browser):
            found[path] = format_violations(violations)
    assert not found, "\n".join(f"{path}: {text}" for path, text in found.items())


def test_language_switcher_leads_to_the_same_site_page_in_each_language(browser, live_server, directory):
    site = directory["site"]
    browser.get(f"{live_server.url}/sites/{site}/?from=switcher")
    heading = browser.find_element(By.TAG_NAME, "h1").text
    for language in ["sv", "en", "fi"]:
        click_through(browser, f"nav.languages a[hreflang={language}]")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
        url = urlsplit(browser.current_url)
        assert (url.path, url.query) == (f"{language_prefix(language)}/sites/{site}/", "from=switcher")
        assert browser.find_element(By.TAG_NAME, "h1").text == heading
        current = browser.find_element(By.CSS_SELECTOR, "nav.languages a[aria-current]")
        assert current.get_attribute("hreflang") == language


def test_language_switcher_keeps_the_filters_of_the_site_list(browser, live_server, directory):
    browser.get(f"{live_server.url}/sites/?q=Hervanta")
    click_through(browser, "nav.languages a[hreflang=en]")
    assert urlsplit(browser.current_url)[2:4] == ("/en/sites/", "q=Hervanta")
    assert browser.find_element(By.ID, "id_q").get_attribute("value") == "Hervanta"
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".card h3 a")] == ["Hervanta L8"]


def test_site_page_offers_its_opening_hours_as_a_working_icalendar_feed_in_each_language(
    browser, live_server, directory
):
    for language in LANGUAGES:
        page = f"{live_server.url}{language_prefix(language)}/sites/{directory['site']}/"
        browser.get(page)
        alternate = browser.find_element(By.CSS_SELECTOR, 'head link[rel=alternate][type="text/calendar"]')
        feed = alternate.get_attribute("href")
        assert feed == f"{page}calendar.ics"
        assert alternate.get_attribute("title")
        visible = browser.find_elements(By.CSS_SELECTOR, 'main a[href$="/calendar.ics"]')
        assert [a.get_attribute("href") for a in visible] == [feed]

        response = fetch(browser, feed)
        assert response["status"] == 200
        assert response["headers"]["content-type"].startswith("text/calendar")
        calendar = response["text"].replace("\r\n ", "")  # unfold long lines (RFC 5545 3.1)
        assert calendar.startswith("BEGIN:VCALENDAR")
        assert "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR;WKST=MO" in calendar
        assert "Hervanta L8" in calendar


# The checks above are only as good as their instruments: show that each one notices a real fault.


def test_the_axe_check_reports_an_image_without_a_text_alternative(browser, live_server, directory):
    browser.get(live_server.url + "/")
    browser.execute_script(
        "const img = document.createElement('img'); img.src = '/static/kohtaamo/missing.png';"
        " document.querySelector('main').append(img);"
    )
    violations = axe(browser)
    assert "image-alt" in [violation["id"] for violation in violations]
    assert "image-alt" in format_violations(violations)


def test_the_console_check_catches_an_inline_script_the_csp_blocks(browser, live_server, directory):
    browser.get(live_server.url + "/")
    assert not [message for message in console_errors(browser) if is_csp_violation(message)]
    browser.execute_script(
        "const script = document.createElement('script'); script.textContent = 'window.ran = true';"
        " document.body.append(script);"
    )
    assert browser.execute_script("return window.ran === undefined")
    assert [message for message in console_errors(browser) if is_csp_violation(message)]


# Staff pages, as a coordinator of Pirkanmaa (alice).


def submit_an_incomplete_slot(driver: WebDriver) -> None:
    # A weekday ticked in the first empty slot, with no times: the form must say which fields are missing.
    empty = driver.find_element(By.NAME, "rules-INITIAL_FORMS").get_attribute("value")
    driver.find_element(By.CSS_SELECTOR, f"input[name='rules-{empty}-weekdays'][value='1']").click()
    submit(driver)


def submit_a_site_without_a_name(driver: WebDriver) -> None:
    driver.find_element(By.NAME, "name_fi").clear()
    submit(driver)


STAFF_PAGES = [
    Page("manage-sites", "/staff/sites/", shows="main table"),
    Page("site-edit-form", "/staff/sites/{site}/", shows="input[name=name_fi]"),
    Page("site-edit-form-with-errors", "/staff/sites/{site}/", shows=".has-error", action=submit_a_site_without_a_name),
    Page("site-create-form", "/staff/sites/new/", shows="input[name=name_fi]"),
    Page("hours-form", "/staff/sites/{site}/hours/", shows="fieldset.slot"),
    Page("hours-form-with-errors", "/staff/sites/{site}/hours/", shows=".has-error", action=submit_an_incomplete_slot),
]


@pytest.mark.parametrize("page", STAFF_PAGES, ids=lambda page: page.name)
def test_staff_page_passes_axe_reflows_and_keeps_its_language_and_csp_in_fi_sv_and_en(
    browser, live_server, log_in, alice, directory, page
):
    log_in(alice)
    problems = problems_in_every_language(browser, live_server.url, page, directory)
    assert not problems, "\n".join(problems)


# The counsellor's screens and the account pages, as alice (a coordinator logs encounters too) and as ada
# (an admin manages the taxonomies). To add a page: one Page line in the list of the persona who sees it.


@pytest.fixture
def screens(directory, alice):
    from kohtaamo.directory.models import Site
    from tests import factories_encounters as fe

    hervanta = Site.objects.get(pk=directory["site"])
    session = fe.session(hervanta)
    return {
        **directory,
        "session": session.pk,
        "encounter": fe.encounter(session, by=alice).pk,
        "term": fe.county_term("pirkanmaa-sauna", f.PIRKANMAA).pk,
    }


def submit_a_note_with_an_identity_code(driver: WebDriver) -> None:
    driver.find_element(By.CSS_SELECTOR, "input[name=topics][value=benefits]").click()
    driver.find_element(By.NAME, "note").send_keys("hetu 131052-308T")
    submit(driver)


def submit_a_wrong_code(driver: WebDriver) -> None:
    driver.find_element(By.NAME, "token").send_keys("12345")
    submit(driver)


COORDINATOR_PAGES = [
    Page("counsellor-sessions", "/counsellor/?all=1"),
    Page("counsellor-session", "/counsellor/sessions/{session}/", shows="#session-panel"),
    Page("encounter-form", "/counsellor/sessions/{session}/encounters/new/", shows="input[name=topics]"),
    Page(
        "encounter-form-with-errors",
        "/counsellor/sessions/{session}/encounters/new/",
        shows="#id_note_error",
        action=submit_a_note_with_an_identity_code,
    ),
    Page("encounter-edit", "/counsellor/encounters/{encounter}/", shows="input[name=topics]"),
    Page("ad-hoc-session", "/counsellor/sessions/ad-hoc/"),
    Page("api-tokens", "/counsellor/tokens/"),
    Page("two-factor", "/accounts/2fa/"),
    Page("two-factor-setup", "/accounts/2fa/setup/", shows="img.qr-code"),
    Page("two-factor-setup-with-errors", "/accounts/2fa/setup/", shows=".has-error", action=submit_a_wrong_code),
]

ADMIN_PAGES = [
    Page("taxonomies", "/counsellor/terms/"),
    Page("taxonomy-new", "/counsellor/terms/new/", shows="main form"),
    Page("taxonomy-edit", "/counsellor/terms/{term}/", shows="main form"),
]


@pytest.mark.parametrize("page", COORDINATOR_PAGES, ids=lambda page: page.name)
def test_counsellor_and_account_page_passes_axe_reflows_and_keeps_its_language_and_csp_in_fi_sv_and_en(
    browser, live_server, log_in, alice, screens, page
):
    log_in(alice)
    problems = problems_in_every_language(browser, live_server.url, page, screens)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", ADMIN_PAGES, ids=lambda page: page.name)
def test_admin_page_passes_axe_reflows_and_keeps_its_language_and_csp_in_fi_sv_and_en(
    browser, live_server, log_in, ada, screens, page
):
    log_in(ada)
    problems = problems_in_every_language(browser, live_server.url, page, screens)
    assert not problems, "\n".join(problems)


def test_the_two_factor_code_page_passes_axe_in_fi_sv_and_en(browser, live_server, log_in, bob, screens):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    log_in_page = Page("two-factor-verify", "/accounts/2fa/verify/", shows="input[name=token]")
    # bob turned 2FA on, so after his password every page leads to the code page.
    support_log_in_without_check(browser, live_server.url, bob)
    problems = problems_in_every_language(browser, live_server.url, log_in_page, screens)
    assert not problems, "\n".join(problems)


def support_log_in_without_check(driver: WebDriver, base_url: str, user) -> None:
    driver.get(base_url + "/accounts/login/")
    driver.find_element(By.NAME, "username").send_keys(user.get_username())
    driver.find_element(By.NAME, "password").send_keys(f.PASSWORD)
    submit(driver)
    assert "/accounts/2fa/verify/" in driver.current_url


# The counsellors' pages (kohtaamo/counsellors): the coordinator's, as alice, and the counsellor's own, as bob.
# tests/browser/test_counsellors_pages.py scans bob's page and shifts at phone size and the rota's warning and
# staffing flow; these are the same checks as every page above (axe at desktop size, language, CSP, reflow).


@pytest.fixture
def counsellors_screens(screens, alice, bob):
    from kohtaamo.counsellors.models import CheckIn, HoursEntry, OnboardingItem, SupervisionSession
    from kohtaamo.encounters.models import Session
    from tests import factories_counsellors as fc

    hervanta = Site.objects.get(pk=screens["site"])
    profile = fc.profile(bob, full_name="Bob Neuvoja")
    profile.sites.set([hervanta])
    fc.participation(profile, "volunteer")
    OnboardingItem.objects.create(profile=profile, title="Vaitiolo", due_on=fc.START)
    HoursEntry.objects.create(profile=profile, date=fc.START, hours=3, what="Tapahtuman järjestelyt")
    CheckIn.objects.create(profile=profile, date=fc.START, coping=3, note="Jaksaa hyvin")
    supervision = SupervisionSession.objects.create(county=profile.county, date=fc.START, supervisor="Työnohjaaja")
    supervision.attendees.set([profile])
    fc.shift(Session.objects.get(pk=screens["session"]), bob)
    return {
        **screens,
        "profile": profile.pk,
        "template": fc.template().pk,
        "team": fc.team(site=hervanta).pk,
    }


COUNSELLORS_COORDINATOR_PAGES = [
    Page("counsellors-list", "/counsellors/", shows="main table"),
    Page("counsellor-profile", "/counsellors/{profile}/", shows="#h-coping"),
    Page("counsellor-profile-new", "/counsellors/new/", shows="input[name=full_name]"),
    Page("counsellors-rota", "/counsellors/rota/", shows="main h1"),
    Page("counsellors-teams", "/counsellors/teams/", shows="main form"),
    Page("counsellors-team", "/counsellors/teams/{team}/", shows="main form"),
    Page("counsellors-templates", "/counsellors/templates/"),
    Page("counsellors-template-edit", "/counsellors/templates/{template}/", shows="main form"),
    Page("counsellors-supervision", "/counsellors/supervision/", shows="main form"),
    Page("counsellors-reports", "/counsellors/reports/", shows="main table"),
]

# /counsellors/me/ leads bob to his own profile, whose address the language links then carry.
COUNSELLOR_OWN_PAGES = [
    Page("counsellor-my-path", "/counsellors/{profile}/", shows="#h-basics"),
    Page("counsellor-my-shifts", "/counsellors/shifts/", shows="#feed-url"),
]


@pytest.mark.parametrize("page", COUNSELLORS_COORDINATOR_PAGES, ids=lambda page: page.name)
def test_counsellors_coordinator_page_passes_axe_reflows_and_keeps_its_language_and_csp_in_fi_sv_and_en(
    browser, live_server, log_in, alice, counsellors_screens, page
):
    log_in(alice)
    problems = problems_in_every_language(browser, live_server.url, page, counsellors_screens)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", COUNSELLOR_OWN_PAGES, ids=lambda page: page.name)
def test_counsellors_own_page_passes_axe_reflows_and_keeps_its_language_and_csp_in_fi_sv_and_en(
    browser, live_server, log_in, bob, counsellors_screens, page
):
    log_in(bob)
    browser.get(live_server.url + "/counsellors/me/")
    assert browser.current_url.endswith(f"/counsellors/{counsellors_screens['profile']}/")
    problems = problems_in_every_language(browser, live_server.url, page, counsellors_screens)
    assert not problems, "\n".join(problems)
