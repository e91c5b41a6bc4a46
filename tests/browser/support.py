"""Helpers for the browser tests: start Chromium, log in, run axe-core, read the console, resize."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

VENDOR = Path(__file__).parent / "vendor"
AXE_VERSION = "4.11.4"  # keep in step with vendor/README.md
# The WCAG 2.1 A and AA rules: what Finnish public-sector services must meet (EN 301 549).
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
DESKTOP = (1280, 900)
PHONE = (390, 844)
# WCAG 1.4.10 Reflow: content must fit 320 CSS pixels without scrolling sideways.
REFLOW_WIDTH = 320
# Debian's packages. Selenium Manager must never run: it would try to download a browser.
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",  # Chromium refuses to run as root with its sandbox on
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling Google's servers, which the test machines cannot reach.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def _installed(path: str, package: str) -> str:
    found = path if Path(path).is_file() else shutil.which(Path(path).name)
    if not found:
        pytest.fail(
            f"The browser tests need Debian's {package} at {path}. Install it with `make browser-deps` (as root) "
            "or `sudo apt-get install chromium chromium-driver`.",
            pytrace=False,
        )
    return found


def start_chromium(user_data_dir: str) -> WebDriver:
    """A headless Chromium with a fresh profile and its console log readable through `get_log('browser')`."""
    browser, driver = _installed(CHROMIUM, "chromium"), _installed(CHROMEDRIVER, "chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in CHROMIUM_ARGS:
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.add_argument(f"--window-size={DESKTOP[0]},{DESKTOP[1]}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chromium = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    chromium.set_page_load_timeout(30)
    chromium.set_script_timeout(30)
    return chromium


def fresh_profile_dir() -> str:
    return tempfile.mkdtemp(prefix="kohtaamo-chromium-")


def reset(driver: WebDriver) -> None:
    """Forget the previous test: cookies (so its login), window size and console messages."""
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    desktop_size(driver)
    driver.get("about:blank")
    driver.get_log("browser")


def desktop_size(driver: WebDriver) -> None:
    driver.set_window_size(*DESKTOP)


def phone_size(driver: WebDriver) -> None:
    """An ordinary phone's viewport (390x844 CSS pixels, as an iPhone 12–15)."""
    driver.set_window_size(*PHONE)


def sideways_overflow(driver: WebDriver, width: int = REFLOW_WIDTH) -> int:
    """In a window `width` CSS pixels wide, by how many pixels the page scrolls sideways (0 when it reflows).

    Compared with the viewport less its vertical scrollbar, so a page exactly as wide as the window
    but hidden under the scrollbar counts too.
    """
    driver.set_window_size(width, DESKTOP[1])
    inner, visible, scroll = driver.execute_script(
        "const root = document.documentElement; return [window.innerWidth, root.clientWidth, root.scrollWidth];"
    )
    assert inner == width, f"Chromium made the window {inner}px wide, not {width}px"
    return max(0, scroll - visible)


def click_through(driver: WebDriver, selector: str, timeout: float = 10) -> None:
    """Click a link or button that loads another page, and wait until that page has loaded.

    A click returns before the browser has navigated; looking for the answer at once would find the old page.
    The old page is marked, and the wait ends when a complete page without the mark is there. Calls made while
    Chromium swaps the documents may fail ("Node ... does not belong to the document"): they count as "not yet".
    """
    driver.execute_script("window.kohtaamoOldPage = true;")
    driver.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(driver, timeout, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return !window.kohtaamoOldPage && document.readyState === 'complete';"),
        f"no new page loaded within {timeout} s of clicking {selector}",
    )


def submit(driver: WebDriver, button: str = "main form button[type=submit]") -> None:
    """Submit the page's form (the first submit button in <main>) and wait for the answer."""
    click_through(driver, button)


def log_in(driver: WebDriver, base_url: str, username: str, password: str, *, language: str = "fi") -> None:
    """Log in through the real login form, as a person would; fails the test if the login is refused."""
    driver.get(f"{base_url}{language_prefix(language)}/accounts/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    submit(driver)
    if driver.find_elements(By.CSS_SELECTOR, "main .error-summary"):
        pytest.fail(f"Logging in as {username} was refused: {driver.find_element(By.TAG_NAME, 'main').text}")
    assert "/accounts/login/" not in driver.current_url, f"Still on the login page after logging in as {username}"


def language_prefix(language: str) -> str:
    """Finnish pages have no prefix; the others live under /sv/ and /en/."""
    return "" if language == "fi" else f"/{language}"


def axe(driver: WebDriver, tags: tuple[str, ...] = WCAG_TAGS) -> list[dict]:
    """Run axe-core on the page in `driver` and return its violations (axe's own dicts).

    The script is injected through the WebDriver protocol, which the page's Content Security
    Policy does not govern; the page itself never loads it.
    """
    if not driver.execute_script("return typeof axe === 'object'"):
        source = (VENDOR / "axe.min.js").read_text(encoding="utf-8")
        driver.execute_script(source)
        # Sending 0.5 MB of script with every scan costs a third of a second; Chromium can instead add it to
        # every page it opens from now on (also outside the page's CSP).
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})
    result = driver.execute_async_script(
        """
        const [tags, done] = arguments;
        axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
          .then(results => done({version: axe.version, violations: results.violations}))
          .catch(error => done({error: String(error)}));
        """,
        list(tags),
    )
    if "error" in result:
        raise RuntimeError(f"axe-core failed on {driver.current_url}: {result['error']}")
    assert result["version"] == AXE_VERSION, f"vendored axe-core is {result['version']}, expected {AXE_VERSION}"
    return result["violations"]


def format_violations(violations: list[dict], *, targets: int = 3) -> str:
    """axe violations as lines a person can act on: rule, impact, what to fix and where."""
    if not violations:
        return "no axe violations"
    lines = [f"{len(violations)} axe violation(s):"]
    for violation in violations:
        nodes = violation.get("nodes", [])
        where = ", ".join(
            " ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
            for node in nodes[:targets]
        )
        more = f" (+{len(nodes) - targets} more)" if len(nodes) > targets else ""
        lines.append(f"- {violation['id']} [{violation.get('impact')}]: {violation['help']}")
        lines.append(f"    at {where}{more}")
        if nodes and nodes[0].get("failureSummary"):
            summary = " ".join(nodes[0]["failureSummary"].split())
            lines.append(f"    {summary[:300]}")
    return "\n".join(lines)


def console_errors(driver: WebDriver) -> list[str]:
    """Console messages of level SEVERE since the last call (reading the log empties it)."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        # Chromium asks for /favicon.ico on its own; the site has no icon, and that is no page's fault.
        if entry["level"] == "SEVERE" and "/favicon.ico " not in entry["message"]
    ]


def is_csp_violation(message: str) -> bool:
    return "Content Security Policy" in message


def fetch(driver: WebDriver, url: str, method: str = "GET") -> dict:
    """Fetch `url` from the page in the browser (same origin, same cookies): status, headers and text."""
    return driver.execute_async_script(
        """
        const [url, method, done] = arguments;
        fetch(url, {method, credentials: 'same-origin', cache: 'no-store'})
          .then(async response => done({
            status: response.status,
            headers: Object.fromEntries(response.headers.entries()),
            text: method === 'HEAD' ? '' : await response.text(),
          }))
          .catch(error => done({status: 0, headers: {}, text: String(error)}));
        """,
        url,
        method,
    )
