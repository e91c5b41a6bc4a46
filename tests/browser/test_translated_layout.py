"""Finnish and Swedish words are longer than English ones: the counsellor's screen still fits a phone."""

import pytest
from selenium.webdriver.common.by import By

from tests.browser.support import phone_size, sideways_overflow
from tests.browser.test_counsellor_screen import open_today  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_counsellors_screen_reflows_at_320px_in_finnish_and_swedish(browser, live_server, log_in, bob, open_today):  # noqa: F811
    log_in(bob)
    phone_size(browser)
    for prefix, language, heading in (("", "fi", "Kirjaa kohtaaminen"), ("/sv", "sv", "Registrera ett möte")):
        browser.get(f"{live_server.url}{prefix}/counsellor/")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
        assert browser.find_element(By.ID, "log-heading").text == heading
        assert sideways_overflow(browser, 390) == 0, f"{language} at 390px"
        assert sideways_overflow(browser) == 0, f"{language} at 320px"
