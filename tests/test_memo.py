"""{% memo %}: the markup every page repeats, rendered once per process, language and vary-on values."""

import pytest
from django.template import engines
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_a_memo_keeps_its_first_rendering_per_language_and_vary_on_value():
    template = engines["django"].from_string("{% load i18n kohtaamo %}{% memo who %}{{ who }} {{ what }}{% endmemo %}")
    assert template.render({"who": "a", "what": "first"}) == "a first"
    # Not among the vary-on values: kept as first rendered (why a memo must not read anything else).
    assert template.render({"who": "a", "what": "second"}) == "a first"
    assert template.render({"who": "b", "what": "second"}) == "b second"
    with translation.override("en"):
        assert template.render({"who": "a", "what": "third"}) == "a third"


def test_a_memo_follows_the_language(client):
    assert "Kirjaudu sisään" in client.get("/sites/").content.decode()
    assert "Log in" in client.get("/en/sites/").content.decode()
    assert "Logga in" in client.get("/sv/sites/").content.decode()


def test_the_header_and_footer_follow_the_user_and_the_path(as_user, alice, bob, client, tampere_site):
    anonymous = client.get(f"/sites/{tampere_site.pk}/").content.decode()
    coordinator = as_user(alice).get(f"/sites/{tampere_site.pk}/").content.decode()
    counsellor = as_user(bob).get(f"/sites/{tampere_site.pk}/?from=list").content.decode()
    assert "/accounts/login/" in anonymous and "/accounts/2fa/" not in anonymous
    assert "/accounts/2fa/" in coordinator and "/accounts/2fa/" in counsellor
    assert 'href="/counsellors/"' in coordinator and 'href="/counsellors/"' not in counsellor
    assert 'href="/counsellors/me/"' in counsellor
    assert "Kirjaudu ulos (alice)" in coordinator and "Kirjaudu ulos (bob)" in counsellor
    assert f'href="/en/sites/{tampere_site.pk}/"' in coordinator
    assert f'href="/en/sites/{tampere_site.pk}/?from=list"' in counsellor


def test_a_memo_keeps_a_bounded_number_of_renderings(monkeypatch):
    from kohtaamo.core.templatetags import kohtaamo

    monkeypatch.setattr(kohtaamo, "MEMO_LIMIT", 3)
    template = engines["django"].from_string("{% load kohtaamo %}{% memo n %}{{ n }}{% endmemo %}")
    for n in range(10):
        assert template.render({"n": n}) == str(n)
    (node,) = [node for node in template.template.nodelist if isinstance(node, kohtaamo.MemoNode)]
    assert len(node.rendered) <= 3
