"""The root URLconf: pages and the API side by side."""

from django.urls import get_resolver, resolve
from django.utils import translation

from kohtaamo.urls import PagesPrefix


def test_api_requests_skip_the_pages_and_no_page_lives_under_the_api_paths():
    pages = next(pattern for pattern in get_resolver().url_patterns if isinstance(pattern.pattern, PagesPrefix))
    assert not [page for page in pages.url_patterns if str(page.pattern).startswith(PagesPrefix.API_PATHS)]
    assert pages.pattern.match("api/v1/encounters/batch") is None and pages.pattern.match("hsds/services") is None
    assert (resolve("/api/v1/encounters/batch").url_name, resolve("/hsds/services").url_name) == (
        "batch",
        "list_services",
    )
    assert (resolve("/").url_name, resolve("/sites/").url_name) == ("home", "site_list")
    with translation.override("sv"):
        assert resolve("/sv/sites/").url_name == "site_list"
