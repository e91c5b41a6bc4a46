"""Browser tests: real headless Chromium, driven by Selenium, against pytest-django's live server.

How to write one (see test_public_pages_a11y.py for examples)::

    import pytest

    from tests.browser.support import axe, format_violations

    pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


    def test_counsellor_screen_has_no_axe_violations(browser, live_server, log_in, bob):
        log_in(bob)                                   # the real login form, in Finnish
        browser.get(live_server.url + "/counsellor/")
        violations = axe(browser)                     # WCAG 2.1 A and AA rules of axe-core
        assert not violations, format_violations(violations)

Fixtures:

- ``browser``: the Selenium WebDriver of one headless Chromium (fresh profile, 1280x900 window), started
  once per test session and reused. Before each test its cookies are cleared (nobody is logged in), its
  window is back at 1280x900 and its console log is empty.
- ``live_server`` (pytest-django): the site under test, ``live_server.url + "/sv/sites/"``. Every test
  here is transactional, so what the test creates the server sees: each starts from the migrated database
  (the reference data of the migrations restored: counties, municipalities, languages, terms) and its rows
  are deleted afterwards.
- ``log_in(user, language="fi")``: logs `user` (a persona of tests/conftest.py or a factories.user())
  in through ``/accounts/login/`` with ``tests.factories.PASSWORD``; fails the test if refused.

Helpers in ``tests.browser.support``: ``axe(driver)`` returns axe-core's violations (a list of dicts) and
``format_violations(violations)`` makes an assertion message of them (after the first scan, Chromium adds
axe-core to every page it opens, so ``window.axe`` exists in later pages); ``submit(driver)`` and
``click_through(driver, selector)`` click and wait for the next page (a bare ``.click()`` returns before the
browser has navigated); ``phone_size(driver)`` and ``desktop_size(driver)`` resize the window;
``sideways_overflow(driver)`` checks reflow at 320px; ``console_errors(driver)`` reads (and empties) the console
log; ``fetch(driver, url)`` requests a URL from the page, with its cookies.

The marks matter: ``browser`` lets ``-m "not browser"`` leave these out, and ``xdist_group("browser")``
makes ``pytest -n 2 --dist loadgroup`` (``make test``) run every browser test on one worker, so only one
Chromium starts. A test here without both marks fails with a reminder.
"""

from __future__ import annotations

import shutil

import pytest

from tests import factories
from tests.browser import support


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Put the xdist group into the test ids where pytest-xdist no longer manages to.

    `--dist loadgroup` sends tests with the same id suffix `@group` to one worker. pytest-xdist 3.8 writes the
    suffix to `item._nodeid`, which pytest 9.2 no longer reads (its ids became structured), so the groups are
    silently ignored and every worker starts a Chromium: https://github.com/pytest-dev/pytest-xdist/issues/1386.
    This does what xdist means to, and does nothing once xdist's own suffix is there.
    """
    if not getattr(config.option, "loadgroup", False):  # set in xdist workers for --dist loadgroup
        return
    for item in items:
        names = {
            str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in item.iter_markers("xdist_group")
        }
        suffix = "@" + "_".join(sorted(names))
        if not names or item.nodeid.endswith(suffix):
            continue
        if hasattr(item, "_id"):
            item._id = type(item._id).parse(item.nodeid + suffix)
        else:
            item._nodeid = item.nodeid + suffix


@pytest.fixture(scope="session")
def _chromium():
    profile = support.fresh_profile_dir()
    driver = support.start_chromium(profile)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(_chromium):
    support.reset(_chromium)
    return _chromium


@pytest.fixture(autouse=True)
def _browser_test(request, live_server, django_db_serialized_rollback):
    """Every test in this folder runs against the live server in a transactional, restorable database."""
    group = request.node.get_closest_marker("xdist_group")
    if request.node.get_closest_marker("browser") is None or group is None or group.args[:1] != ("browser",):
        pytest.fail(
            'Browser tests need pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]',
            pytrace=False,
        )


@pytest.fixture
def log_in(browser, live_server):
    def log_in_as(user, *, language: str = "fi") -> None:
        support.log_in(browser, live_server.url, user.get_username(), factories.PASSWORD, language=language)

    return log_in_as
