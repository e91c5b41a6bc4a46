"""Who may see and edit directory data: the personas against the public and staff pages."""

import pytest

from kohtaamo.accounts import permissions
from kohtaamo.accounts.models import Role
from kohtaamo.directory.models import Site
from tests import factories as f

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/staff/sites/{pk}/", "/staff/sites/{pk}/hours/"]


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_alice_can_edit_a_tampere_site_in_her_county(as_user, alice, tampere_site, page):
    assert as_user(alice).get(page.format(pk=tampere_site.pk)).status_code == 200


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_ada_the_admin_can_edit_a_tampere_site(as_user, ada, tampere_site, page):
    assert as_user(ada).get(page.format(pk=tampere_site.pk)).status_code == 200


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_carol_from_another_county_gets_not_found_on_a_public_tampere_site(as_user, carol, tampere_site, page):
    assert as_user(carol).get(page.format(pk=tampere_site.pk)).status_code == 404


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_vera_the_viewer_is_forbidden_to_edit_a_site_in_her_county(as_user, vera, tampere_site, page):
    assert as_user(vera).get(page.format(pk=tampere_site.pk)).status_code == 403


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_bob_the_counsellor_is_forbidden_to_edit_his_own_site(as_user, bob, tampere_site, page):
    assert as_user(bob).get(page.format(pk=tampere_site.pk)).status_code == 403


@pytest.mark.parametrize("page", [*STAFF_PAGES, "/staff/sites/", "/staff/sites/new/"])
def test_anonymous_visitors_are_sent_to_log_in(client, tampere_site, page):
    response = client.get(page.format(pk=tampere_site.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_carols_post_to_a_tampere_site_changes_nothing(as_user, carol, tampere_site):
    post = {"name_fi": "Kaapattu", "kind": "meeting_place", "municipality": str(f.municipality(f.RAISIO).pk)}
    assert as_user(carol).post(f"/staff/sites/{tampere_site.pk}/", post).status_code == 404
    tampere_site.refresh_from_db()
    assert tampere_site.name_fi == "Hervanta L8"


def test_veras_post_is_forbidden_and_changes_nothing(as_user, vera, tampere_site):
    post = {"rules-TOTAL_FORMS": "1", "rules-INITIAL_FORMS": "0", "exceptions-TOTAL_FORMS": "0"}
    post |= {
        "exceptions-INITIAL_FORMS": "0",
        "rules-0-weekdays": "2",
        "rules-0-starts": "11:00",
        "rules-0-ends": "13:00",
    }
    assert as_user(vera).post(f"/staff/sites/{tampere_site.pk}/hours/", post).status_code == 403
    assert not tampere_site.opening_rules.exists()


@pytest.mark.parametrize(("persona", "status"), [("vera", 403), ("bob", 403), ("alice", 200), ("carol", 200)])
def test_only_editing_roles_reach_the_staff_list_and_the_new_site_form(request, as_user, persona, status):
    browser = as_user(request.getfixturevalue(persona))
    assert browser.get("/staff/sites/").status_code == status
    assert browser.get("/staff/sites/new/").status_code == status


def test_carols_staff_list_has_no_tampere_site(as_user, carol, tampere_site, raisio_site):
    assert list(as_user(carol).get("/staff/sites/").context["sites"]) == [raisio_site]


# --- An internal site --------------------------------------------------------------------------


@pytest.fixture
def internal_site(tampere_site):
    Site.objects.filter(pk=tampere_site.pk).update(is_public=False)
    tampere_site.refresh_from_db()
    return tampere_site


@pytest.mark.parametrize("path", ["/sites/{pk}/", "/sites/{pk}/calendar.ics", "/api/v1/sites/{pk}"])
def test_an_internal_site_is_not_found_for_anonymous_visitors(client, internal_site, path):
    assert client.get(path.format(pk=internal_site.pk)).status_code == 404


@pytest.mark.parametrize("path", ["/sites/{pk}/", "/sites/{pk}/calendar.ics", "/api/v1/sites/{pk}"])
def test_an_internal_site_is_not_found_for_carol_from_another_county(as_user, carol, internal_site, path):
    assert as_user(carol).get(path.format(pk=internal_site.pk)).status_code == 404


@pytest.mark.parametrize("path", ["/sites/{pk}/", "/sites/{pk}/calendar.ics", "/api/v1/sites/{pk}"])
def test_an_internal_site_is_visible_to_alice(as_user, alice, internal_site, path):
    assert as_user(alice).get(path.format(pk=internal_site.pk)).status_code == 200


@pytest.mark.parametrize("persona", ["bob", "vera"])
def test_an_internal_site_is_visible_to_bob_and_vera_but_not_editable(request, as_user, internal_site, persona):
    browser = as_user(request.getfixturevalue(persona))
    response = browser.get(f"/sites/{internal_site.pk}/")
    assert response.status_code == 200
    assert not response.context["can_edit"]
    assert browser.get(f"/staff/sites/{internal_site.pk}/").status_code == 403


def test_an_internal_site_is_not_in_the_public_list_even_for_alice(as_user, alice, internal_site):
    assert list(as_user(alice).get("/sites/").context["page"]) == []


# --- The rules themselves ---------------------------------------------------------------------


def test_the_permission_helper_agrees_with_the_pages(alice, bob, vera, carol, ada, tampere_site):
    assert [permissions.can(user, permissions.EDIT, tampere_site) for user in (alice, ada, bob, vera, carol)] == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert alice.can_edit_site(tampere_site) and not carol.can_edit_site(tampere_site)
    assert carol.can_view_site(tampere_site)  # public


def test_alice_may_not_move_a_site_to_another_county(as_user, alice, tampere_site):
    post = {"name_fi": "Hervanta L8", "kind": "meeting_place", "municipality": str(f.municipality(f.RAISIO).pk)}
    response = as_user(alice).post(f"/en/staff/sites/{tampere_site.pk}/", post)
    assert response.status_code == 200
    assert "Unknown municipality, or one outside your area." in response.content.decode()
    tampere_site.refresh_from_db()
    assert tampere_site.municipality.code == f.TAMPERE


def test_site_in_scope_agrees_with_scoped_for_every_persona_and_action(alice, ada, bob, vera, carol, paula):
    """The encounter batch checks its sites in Python (permissions.site_in_scope): it must say what scoped() says."""
    f.site(name="Nokian olkkari", municipality=f.municipality(f.NOKIA))
    raisio = f.site(name="Olkkari", municipality=f.municipality(f.RAISIO))
    in_nokia = f.user("mira", role=Role.COUNSELLOR, municipality=f.NOKIA)
    named_far = f.user("nina", role=Role.PROFESSIONAL, county=f.PIRKANMAA, sites=[raisio])
    root = f.user("root", role=Role.VIEWER, is_superuser=True)
    gone = f.user("gone", role=Role.COORDINATOR, county=f.PIRKANMAA, is_active=False)
    users = [alice, ada, bob, vera, carol, paula, in_nokia, named_far, root, gone]
    rows = list(Site.objects.values_list("pk", "municipality_id", "municipality__county_id"))
    assert len(rows) >= 3
    for user in users:
        named = set(user.sites.values_list("pk", flat=True))
        for action in (permissions.LOG, permissions.EDIT, permissions.STATS, permissions.MANAGE):
            expected = set(permissions.scoped(user, Site, action).values_list("pk", flat=True))
            found = {
                pk
                for pk, municipality_id, county_id in rows
                if permissions.site_in_scope(
                    user, action, site_id=pk, municipality_id=municipality_id, county_id=county_id, named=pk in named
                )
            }
            assert found == expected, (user.username, action)


def test_the_site_rule_in_python_agrees_with_the_rule_in_sql(tampere_site, raisio_site):
    """permissions.site_covers answers from the fetched columns what the SQL rule answers, for every scope."""
    from kohtaamo.accounts.models import Role

    internal = f.site(name="Sisäinen", municipality=f.municipality(f.TAMPERE), is_public=False)
    elsewhere = f.site(name="Muualla", municipality=f.municipality(f.RAISIO), is_public=False)
    users = [
        f.user(role=Role.COORDINATOR, county=f.PIRKANMAA),
        f.user(role=Role.COORDINATOR, county=f.PIRKANMAA, sites=[elsewhere]),
        f.user(role=Role.PROFESSIONAL, municipality=f.municipality(f.TAMPERE)),
        f.user(role=Role.PROFESSIONAL, municipality=f.municipality(f.RAISIO), sites=[internal]),
        f.user(role=Role.COUNSELLOR, sites=[tampere_site]),
        f.user(role=Role.COORDINATOR),  # no scope at all
        f.user(role=Role.COORDINATOR, county=f.PIRKANMAA, is_active=False),
        f.user(role=Role.VIEWER, is_superuser=True),
    ]
    from django.contrib.auth.models import AnonymousUser

    fetched = Site.objects.select_related("municipality").only("pk", "is_public", "municipality__county_id")
    plain = Site.objects.only("pk", "is_public")  # nothing to tell by: the database answers
    for user in [*users, AnonymousUser()]:
        for site in (tampere_site, raisio_site, internal, elsewhere):
            for action in (permissions.VIEW, permissions.EDIT, permissions.LOG):
                in_sql = Site.objects.filter(permissions._RULES[Site](user, action), pk=site.pk).exists()
                answer = permissions._COVERS[Site](user, action, fetched.get(pk=site.pk))
                assert answer == in_sql, (user.pk, site, action)
                assert permissions._covered(user, action, plain.get(pk=site.pk)) == in_sql
                assert permissions.can(user, action, fetched.get(pk=site.pk)) == (
                    permissions.allows(user, action) and in_sql
                )


def test_a_superuser_sees_internal_sites_too():
    """site_q() of a superuser must survive the VIEW rule's `public | in scope` (an empty Q() would drop out)."""
    from kohtaamo.accounts.models import Role

    internal = f.site(name="Sisäinen", municipality=f.municipality(f.TAMPERE), is_public=False)
    root = f.user("root", role=Role.VIEWER, is_superuser=True)
    assert permissions.scoped(root, Site).filter(pk=internal.pk).exists()
    assert permissions.get_object(root, Site, pk=internal.pk) == internal
