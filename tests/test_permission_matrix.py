"""Every URL of the project, for every persona, against county A's (Pirkanmaa's) objects.

The matrix below is the whole access policy as the outside sees it. A URL pattern that is not in it fails
`test_every_url_pattern_is_in_the_matrix`, so a new view cannot be forgotten.

To add a URL: one line in MATRIX, keyed by its view name (namespace:name), with the path to request
({site}, {session}, ... are county A's objects from the `objects` fixture) and the answer for each persona:

    "stats:dashboard": get("/stats/", LOGIN, 403, 200, 200, 200, 200),
    #                                 anon   bob  alice vera ada  carol

Answers: a status code, or LOGIN for a redirect to the login page (ADMIN_LOGIN for the admin's).
Personas: anonymous; bob the counsellor at a Tampere site, alice the coordinator, vera the viewer and ada
the admin of Pirkanmaa (county A); carol the coordinator of Varsinais-Suomi (county B).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kohtaamo.counsellors import services as counsellor_services
from kohtaamo.counsellors.models import HoursEntry, OnboardingItem, SupervisionSession
from kohtaamo.directory import hsds_mapping
from kohtaamo.reports.models import PublishedReport
from tests import factories as f
from tests import factories_counsellors as fc
from tests import factories_encounters as fe
from tests import factories_reports as fr

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "bob", "alice", "vera", "ada", "carol")
LOGIN = "login"  # 302 to /accounts/login/?next=...
ADMIN_LOGIN = "admin-login"  # 302 to /admin/login/?next=...


@dataclasses.dataclass(frozen=True)
class Row:
    method: str
    path: str
    answers: tuple
    data: dict = dataclasses.field(default_factory=dict)


def get(path: str, *answers) -> Row:
    return Row("get", path, answers)


def post(path: str, *answers, data: dict | None = None) -> Row:
    return Row("post", path, answers, data or {})


# fmt: off
MATRIX: dict[str, Row] = {
    #                                                                 anon   bob  alice vera  ada  carol
    "healthz":                      get("/healthz",                    200,   200, 200,  200,  200, 200),
    "set_language":                 post("/i18n/setlang/",             302,   302, 302,  302,  302, 302, data={"language": "sv"}),  # noqa: E501
    "core:home":                    get("/",                           200,   200, 200,  200,  200, 200),
    "core:accessibility":           get("/accessibility/",             200,   200, 200,  200,  200, 200),
    "core:feedback":                get("/feedback/",                  200,   200, 200,  200,  200, 200),
    "login":                        get("/accounts/login/",            200,   200, 200,  200,  200, 200),
    "logout":                       post("/accounts/logout/",          302,   302, 302,  302,  302, 302),
    "accounts:two_factor":          get("/accounts/2fa/",              LOGIN, 200, 200,  200,  200, 200),
    "accounts:two_factor_setup":    get("/accounts/2fa/setup/",        LOGIN, 200, 200,  200,  200, 200),
    "accounts:two_factor_verify":   get("/accounts/2fa/verify/",       LOGIN, 302, 302,  302,  302, 302),
    "accounts:two_factor_disable":  post("/accounts/2fa/disable/",     LOGIN, 302, 302,  302,  302, 302),
    "directory:site_list":          get("/sites/",                     200,   200, 200,  200,  200, 200),
    # An internal site in Nokia: outside bob's own sites, so hidden from him as from carol.
    "directory:site":               get("/sites/{internal_site}/",     404,   404, 200,  200,  200, 404),
    "directory:site_calendar":      get("/sites/{internal_site}/calendar.ics", 404, 404, 200, 200, 200, 404),
    "directory_staff:site_list":    get("/staff/sites/",               LOGIN, 403, 200,  403,  200, 200),
    "directory_staff:site_create":  get("/staff/sites/new/",           LOGIN, 403, 200,  403,  200, 200),
    "directory_staff:site_edit":    get("/staff/sites/{site}/",        LOGIN, 403, 200,  403,  200, 404),
    "directory_staff:site_hours":   get("/staff/sites/{site}/hours/",  LOGIN, 403, 200,  403,  200, 404),
    # A session is open at the Tampere site, so those who log there go straight to it.
    "encounters:home":              get("/counsellor/",                LOGIN, 302, 302,  403,  302, 200),
    "encounters:session_open":      post("/counsellor/sessions/open/", LOGIN, 302, 302,  403,  302, 404, data={"site": "{site}"}),  # noqa: E501
    "encounters:session_ad_hoc":    get("/counsellor/sessions/ad-hoc/", LOGIN, 200, 200, 403,  200, 200),
    # Vera is in the county but a viewer reads aggregates only: 403. Carol, outside it: 404.
    "encounters:session":           get("/counsellor/sessions/{session}/", LOGIN, 200, 200, 403, 200, 404),
    "encounters:encounter_quick":   post("/counsellor/sessions/{session}/quick/", LOGIN, 302, 302, 403, 302, 404, data={"topic": "housing", "client_uuid": "{uuid}"}),  # noqa: E501
    "encounters:tally":             post("/counsellor/sessions/{session}/tally/", LOGIN, 302, 302, 403, 302, 404, data={"delta": "1"}),  # noqa: E501
    "encounters:undo":              post("/counsellor/sessions/{session}/undo/", LOGIN, 302, 302, 403, 302, 404),
    "encounters:encounter_new":     get("/counsellor/sessions/{session}/encounters/new/", LOGIN, 200, 200, 403, 200, 404),  # noqa: E501
    "encounters:wish_new":          post("/counsellor/sessions/{session}/wishes/", LOGIN, 200, 200, 403, 200, 404),
    # Only the counsellor who logged an encounter may correct it (services.check_editable).
    "encounters:encounter_edit":    get("/counsellor/encounters/{encounter}/", LOGIN, 200, 403, 403, 403, 404),
    "encounters:term_list":         get("/counsellor/terms/",          LOGIN, 403, 403,  403,  200, 403),
    "encounters:term_create":       get("/counsellor/terms/new/",      LOGIN, 403, 403,  403,  200, 403),
    "encounters:term_edit":         get("/counsellor/terms/{term}/",   LOGIN, 403, 403,  403,  200, 403),
    "encounters:term_retire":       post("/counsellor/terms/{term}/retire/", LOGIN, 403, 403, 403, 302, 403),
    "encounters:token_list":        get("/counsellor/tokens/",         LOGIN, 200, 200,  403,  200, 200),
    "encounters:token_revoke":      post("/counsellor/tokens/{token}/revoke/", LOGIN, 302, 404, 403, 404, 404),
    # The counsellor's path (issue 5). {profile} is bob's own: he sees it and exports it, but only a coordinator
    # of the county edits it or records on it. A viewer sees no personal data: the profile and its entries are
    # not even visible to vera, so she gets 404 where a viewer elsewhere gets 403 (a variant of the same
    # refusal). Carol, in another county: 404. Anonymous: the login page.
    "counsellors:index":            get("/counsellors/",               LOGIN, 302, 200,  302,  200, 200),
    "counsellors:me":               get("/counsellors/me/",            LOGIN, 302, 302,  302,  302, 302),
    "counsellors:profile_new":      get("/counsellors/new/",           LOGIN, 403, 200,  403,  200, 200),
    "counsellors:profile":          get("/counsellors/{profile}/",     LOGIN, 200, 200,  404,  200, 404),
    "counsellors:profile_edit":     get("/counsellors/{profile}/edit/", LOGIN, 403, 200, 404,  200, 404),
    # Coping check-ins are for the coordinator only, not even for the counsellor himself.
    "counsellors:entry_add":        get("/counsellors/{profile}/add/check-in/", LOGIN, 403, 200, 404, 200, 404),
    "counsellors:next_step":        post("/counsellors/{profile}/next-step/", LOGIN, 403, 302, 404, 302, 404),
    "counsellors:export":           get("/counsellors/{profile}/export.json", LOGIN, 200, 200, 404, 200, 404),
    "counsellors:erase":            get("/counsellors/{profile}/erase/", LOGIN, 403, 200, 404, 200, 404),
    "counsellors:onboarding_done":  post("/counsellors/onboarding/{onboarding_item}/done/", LOGIN, 403, 302, 404, 302, 404),  # noqa: E501
    # Bob's own hours: nobody approves their own (and a counsellor approves nobody's).
    "counsellors:hours_approve":    post("/counsellors/hours/{hours_entry}/approve/", LOGIN, 403, 302, 404, 302, 404),
    "counsellors:rota":             get("/counsellors/rota/",          LOGIN, 403, 200,  403,  200, 200),
    "counsellors:shift_add":        post("/counsellors/rota/sessions/{session}/add/", LOGIN, 403, 302, 403, 302, 404, data={"user": "{bob}"}),  # noqa: E501
    # Bob's own shift: he sees it, but only a coordinator of the county takes him off the rota.
    "counsellors:shift_remove":     post("/counsellors/rota/shifts/{shift}/remove/", LOGIN, 403, 302, 404, 302, 404),
    # Everyone's own shifts (none but bob has any) and their own calendar address.
    "counsellors:my_shifts":        get("/counsellors/shifts/",        LOGIN, 200, 200,  200,  200, 200),
    # Calendar programs cannot log in: bob's secret address is the key, whoever holds it (asked before
    # bob's row of feed_rotate below gives him a new one).
    "counsellors:shift_feed":       get("/counsellors/shifts/{feed_token}.ics", 200, 200, 200, 200, 200, 200),
    "counsellors:feed_rotate":      post("/counsellors/shifts/new-address/", LOGIN, 302, 302, 302, 302, 302),
    "counsellors:templates":        get("/counsellors/templates/",     LOGIN, 403, 200,  403,  200, 200),
    "counsellors:template_new":     get("/counsellors/templates/new/", LOGIN, 403, 200,  403,  200, 200),
    "counsellors:template_edit":    get("/counsellors/templates/{template}/", LOGIN, 403, 200, 403, 200, 404),
    "counsellors:supervision":      get("/counsellors/supervision/",   LOGIN, 403, 200,  403,  200, 200),
    "counsellors:teams":            get("/counsellors/teams/",         LOGIN, 403, 200,  403,  200, 200),
    # A team is invisible to those who don't coordinate: 404 for bob and vera (the template answers 403,
    # refusing the role before looking the template up; both keep the team's existence to the county).
    "counsellors:team":             get("/counsellors/teams/{team}/",  LOGIN, 404, 200,  404,  200, 404),
    # Aggregates, small counts hidden; still the coordinators' page, not a viewer's.
    "counsellors:report":           get("/counsellors/reports/",       LOGIN, 403, 200,  403,  200, 200),
    "api-1:openapi-json":           get("/api/openapi.json",           200,   200, 200,  200,  200, 200),
    "api-1:list_sites":             get("/api/v1/sites",               200,   200, 200,  200,  200, 200),
    "api-1:get_site":               get("/api/v1/sites/{internal_site}", 404, 404, 200,  200,  200, 404),
    "api-1:hsds_info":              get("/hsds/",                      200,   200, 200,  200,  200, 200),
    "api-1:list_services":          get("/hsds/services",              200,   200, 200,  200,  200, 200),
    "api-1:get_service":            get("/hsds/services/{service}",    200,   200, 200,  200,  200, 200),
    "api-1:list_organizations":     get("/hsds/organizations",         200,   200, 200,  200,  200, 200),
    "api-1:get_organization":       get("/hsds/organizations/{organization}", 200, 200, 200, 200, 200, 200),
    "api-1:list_service_at_locations": get("/hsds/service_at_locations", 200, 200, 200, 200,  200, 200),
    "api-1:list_taxonomies":        get("/api/v1/taxonomies",          200,   200, 200,  200,  200, 200),
    "api-1:batch":                  post("/api/v1/encounters/batch",   401,   200, 200,  403,  200, 200, data={"encounters": []}),  # noqa: E501
    # Statistics: aggregates for those with the STATS action (coordinators, viewers, admins), each in their own area;
    # On the dashboard Pirkanmaa is not among carol's choices: the form refuses it and she sees her own area (200);
    # the API, which has no form, answers 404.
    "stats:dashboard":              get("/stats/?county=08",           LOGIN, 403, 200,  200,  200, 200),
    "stats:dashboard_xlsx":         get("/stats/dashboard.xlsx?county=08", LOGIN, 403, 200, 200, 200, 200),
    "api-1:encounters":             get("/api/v1/stats/encounters?group_by=topic&from=2026-01-01&to=2026-03-31&county=08", 401, 403, 200, 200, 200, 404),  # noqa: E501
    "reports:index":                get("/reports/",                   LOGIN, 403, 200,  200,  200, 200),
    "reports:area":                 get("/reports/municipalities/837/?from=2026-01-01&to=2026-03-31", LOGIN, 403, 200, 200, 200, 404),  # noqa: E501
    "reports:slide":                get("/reports/municipalities/837/slide.pptx?from=2026-01-01&to=2026-03-31", LOGIN, 403, 200, 200, 200, 404),  # noqa: E501
    "reports:report_pdf":           get("/reports/counties/08/report.pdf?from=2026-01-01&to=2026-03-31", LOGIN, 403, 200, 200, 200, 404),  # noqa: E501
    "reports:publish":              post("/reports/municipalities/837/publish/?from=2026-01-01&to=2026-03-31", LOGIN, 403, 302, 403, 302, 404),  # noqa: E501
    "reports:published_pdf":        get("/reports/published/{published}/report.pdf", LOGIN, 403, 200, 200, 200, 404),
    "reports:cost_create":          get("/reports/costs/new/",         LOGIN, 403, 200,  403,  200, 200),
    "reports:cost_delete":          post("/reports/costs/{cost}/delete/", LOGIN, 403, 302, 403, 302, 404),
    # Ninja's own root; "/" is the front page, which comes first in urls.py.
    "api-1:api-root":               get("/",                           200,   200, 200,  200,  200, 200),
}
# fmt: on

# Django's admin is for superusers only; no persona is one (ada administers her county in Kohtaamo itself).
ADMIN_NAMESPACE = "admin"
ADMIN_ANSWERS = {"admin:login": (200,) * 6, "admin:logout": (302,) * 6}  # logout leads to /admin/
ADMIN_DEFAULT = (ADMIN_LOGIN,) * 6


def url_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    """(view name, route) of every URL pattern of the project, through every include()."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name or prefix + str(pattern.pattern)}", prefix + str(pattern.pattern)


def admin_path(route: str) -> str:
    """A concrete path for an admin route: its parameters filled with something that matches."""
    import re

    path = route.removeprefix("^").removesuffix("$")
    path = re.sub(r"<path:object_id>|<int:content_type_id>|<path:object_id>", "1", path)
    path = re.sub(r"\(\?P<app_label>[^)]*\)", "accounts", path)
    path = re.sub(r"\(\?P<url>\.\*\)", "nothing-here/", path)
    path = re.sub(r"<[^>]+>", "1", path)
    return "/" + path


def test_every_url_pattern_is_in_the_matrix():
    names = {name for name, _route in url_patterns() if not name.startswith(f"{ADMIN_NAMESPACE}:")}
    missing = sorted(names - MATRIX.keys())
    stale = sorted(MATRIX.keys() - names)
    assert not missing, f"URL patterns with no row in tests/test_permission_matrix.py MATRIX: {missing}"
    assert not stale, f"Rows in MATRIX for URLs that no longer exist: {stale}"
    assert all(len(row.answers) == len(PERSONAS) for row in MATRIX.values())


@pytest.fixture
def objects(tampere_site, bob, alice, vera, ada, carol):
    """County A's objects: bob's public Tampere site, an internal Nokia site, a session, an encounter, a
    Pirkanmaa term and bob's API token; bob's counsellor profile with an onboarding item, his own hours and a
    supervision session, his shift at the session and his shift calendar's secret, an onboarding template and a
    team."""
    internal = f.site(name="Sisäinen", municipality=f.municipality(f.NOKIA), is_public=False)
    session = fe.session(tampere_site)
    organisation = f.organisation(name="Tampereen Setlementti", county=tampere_site.municipality.county)
    tampere_site.organisations.set([organisation])
    token, _secret = fe.api_token(bob)
    published = PublishedReport.objects.create(
        municipality=tampere_site.municipality,
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 3, 31),
        version=1,
        language="fi",
        pdf=b"%PDF-1.7",
        sha256="0" * 64,
        published_by=alice,
    )
    profile = fc.profile(bob, full_name="Bob Neuvoja")
    profile.sites.set([tampere_site])
    supervision = SupervisionSession.objects.create(county=profile.county, date=fc.START, supervisor="Työnohjaaja")
    supervision.attendees.set([profile])
    return {
        "site": tampere_site.pk,
        "internal_site": internal.pk,
        "session": session.pk,
        "encounter": fe.encounter(session, by=bob).pk,
        "term": fe.county_term("pirkanmaa-sauna", f.PIRKANMAA).pk,
        "token": token.pk,
        "published": published.pk,
        "cost": fr.cost(tampere_site).pk,
        "bob": bob.pk,
        "profile": profile.pk,
        "onboarding_item": OnboardingItem.objects.create(profile=profile, title="Vaitiolo", due_on=fc.START).pk,
        "hours_entry": HoursEntry.objects.create(profile=profile, date=fc.START, hours=3, what="Tapahtuma").pk,
        "shift": fc.shift(session, bob).pk,
        "feed_token": counsellor_services.feed_for(bob).token,
        "template": fc.template().pk,
        "team": fc.team(site=tampere_site).pk,
        "service": hsds_mapping.service_id(tampere_site.municipality.code, tampere_site.name_fi),
        "organization": hsds_mapping.organization_key_id(
            organisation.business_id, organisation.kind, organisation.name_fi
        ),
    }


def client_for(request, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def answer_of(response) -> int | str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/accounts/login/"):
            return LOGIN
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
    return response.status_code


def request_row(client: Client, row: Row, objects: dict):
    values = {**objects, "uuid": str(uuid.uuid4())}
    path = row.path.format(**values)
    if row.method == "get":
        return client.get(path)
    data = {key: value.format(**values) if isinstance(value, str) else value for key, value in row.data.items()}
    if path.startswith("/api/"):
        return client.post(path, data, content_type="application/json")
    return client.post(path, data)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_the_expected_answer_from_every_url(request, objects, persona):
    column = PERSONAS.index(persona)
    wrong = []
    for name, row in MATRIX.items():
        client = client_for(request, persona)  # fresh, so that a logout or a language cookie does not carry over
        got = answer_of(request_row(client, row, objects))
        if got != row.answers[column]:
            wrong.append(f"{name} {row.method.upper()} {row.path}: expected {row.answers[column]}, got {got}")
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_persona_reaches_djangos_admin_site(request, objects, persona):
    column = PERSONAS.index(persona)
    wrong = []
    client = client_for(request, persona)
    admin_routes = [(name, route) for name, route in url_patterns() if name.startswith(f"{ADMIN_NAMESPACE}:")]
    assert len(admin_routes) > 50
    for name, route in admin_routes:
        path = admin_path(route)
        expected = ADMIN_ANSWERS.get(name, ADMIN_DEFAULT)[column]
        got = answer_of(client.get(path))
        if got != expected:
            wrong.append(f"{name} {path}: expected {expected}, got {got}")
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)
