import datetime as dt
import json
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kohtaamo.encounters import taxonomies, tokens
from kohtaamo.encounters.models import ApiToken, Coping, Encounter, Session, TermKind
from kohtaamo.lib.hours import HELSINKI
from tests import factories as f
from tests import factories_encounters as fe

pytestmark = pytest.mark.django_db
URL = "/api/v1/encounters/batch"


def item(at_site, **fields) -> dict:
    return {
        "client_uuid": str(uuid.uuid4()),
        "site": at_site.pk,
        "occurred_at": timezone.now().astimezone(HELSINKI).isoformat(),
        "topics": ["e_services"],
        **fields,
    }


def post(items, *, token: str | None = None, client: Client | None = None, body: str | None = None):
    client = client or Client()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = body if body is not None else json.dumps({"encounters": items})
    return client.post(URL, data=data, content_type="application/json", headers=headers)


@pytest.fixture
def bob_token(bob):
    return fe.api_token(bob)[1]


def test_taxonomies_list_every_kind_with_labels_in_three_languages(client):
    body = client.get("/api/v1/taxonomies").json()
    kinds = {kind["kind"]: kind["terms"] for kind in body["kinds"]}
    assert set(kinds) == set(TermKind.values)
    housing = next(term for term in kinds["topic"] if term["code"] == "housing")
    assert housing == {
        "code": "housing",
        "label": {"fi": "Asuminen", "sv": "Boende", "en": "Housing"},
        "active": True,
        "retired_at": None,
        "county": None,
    }
    assert [c["code"] for c in body["coping"]] == Coping.values
    assert {"fi", "sv", "en"} <= {language["code"] for language in body["languages"]}


def test_taxonomies_show_retired_terms_as_inactive_and_county_terms_only_for_their_county(client, ada):
    taxonomies.term_retire(actor=ada, term=fe.term("loneliness"))
    fe.county_term("food_bank", f.VARSINAIS_SUOMI)
    kinds = {k["kind"]: k["terms"] for k in client.get(f"/api/v1/taxonomies?county={f.PIRKANMAA}").json()["kinds"]}
    codes = {term["code"]: term for term in kinds["topic"]}
    assert codes["loneliness"]["active"] is False and codes["loneliness"]["retired_at"]
    assert "food_bank" not in codes
    kinds = {
        k["kind"]: k["terms"] for k in client.get(f"/api/v1/taxonomies?county={f.VARSINAIS_SUOMI}").json()["kinds"]
    }
    assert {"code": "food_bank", "county": f.VARSINAIS_SUOMI}.items() <= next(
        t for t in kinds["topic"] if t["code"] == "food_bank"
    ).items()


def test_a_counsellor_sends_a_batch_with_a_token_and_every_item_is_created(bob, bob_token, tampere_site):
    items = [
        item(tampere_site, topics=["housing", "rent_bills"], referrals=["kela"], coping="better", language="fi"),
        item(tampere_site, topics=["loneliness"], help_forms=["listening"], more_info=["activities"]),
    ]
    response = post(items, token=bob_token)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "results": [{"client_uuid": i["client_uuid"], "status": "created", "errors": []} for i in items]
    }
    stored = Encounter.objects.get(client_uuid=items[0]["client_uuid"])
    assert stored.occurred_at.minute == 0 and stored.occurred_at.second == 0
    assert (stored.site, stored.created_by, stored.coping) == (tampere_site, bob, "better")
    assert stored.session.site == tampere_site
    assert ApiToken.objects.get().last_used_at is not None


def test_a_resent_batch_answers_duplicate_and_makes_no_second_row(bob_token, tampere_site):
    items = [item(tampere_site), item(tampere_site)]
    post(items, token=bob_token)
    again = post(items + [items[0]], token=bob_token).json()["results"]
    assert [result["status"] for result in again] == ["duplicate", "duplicate", "duplicate"]
    assert Encounter.objects.count() == 2


def test_a_resend_answers_duplicate_even_where_the_item_would_now_be_refused(bob, bob_token, ada, tampere_site):
    """Duplicates are found by the INSERT for good items, by a look-up for refused ones: a resend after the
    term was retired, or after the counsellor lost the site, still answers that the item is stored."""
    lonely, other = item(tampere_site, topics=["loneliness"]), item(tampere_site)
    post([lonely, other], token=bob_token)
    taxonomies.term_retire(actor=ada, term=fe.term("loneliness"))
    fresh = item(tampere_site, topics=["loneliness"])
    results = post([lonely, fresh, other], token=bob_token).json()["results"]
    assert [result["status"] for result in results] == ["duplicate", "rejected", "duplicate"]
    assert (results[0]["errors"], results[1]["errors"][0]["code"], results[2]["errors"]) == ([], "retired_code", [])
    bob.sites.clear()
    results = post([other, item(tampere_site)], token=bob_token).json()["results"]
    assert [result["status"] for result in results] == ["duplicate", "rejected"]
    assert Encounter.objects.count() == 2


def test_an_item_repeated_within_one_batch_is_stored_once(bob_token, tampere_site):
    one = item(tampere_site)
    results = post([one, one], token=bob_token).json()["results"]
    assert [result["status"] for result in results] == ["created", "duplicate"]
    assert Encounter.objects.count() == 1


def test_items_during_opening_hours_join_the_scheduled_session(bob_token, tampere_site):
    today = fe.today()
    f.exception(tampere_site, today, closed=False, starts="00:00", ends="00:00")  # open all day, holiday or not
    post([item(tampere_site), item(tampere_site)], token=bob_token)
    session = Session.objects.get()
    assert session.kind == Session.Kind.SCHEDULED and session.date == today
    assert session.encounters.count() == 2


def test_bad_items_are_rejected_one_by_one_while_the_good_ones_are_stored(
    bob, bob_token, tampere_site, raisio_site, ada
):
    taxonomies.term_retire(actor=ada, term=fe.term("substance_use"))
    far = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    items = [
        item(tampere_site),
        item(tampere_site, topics=["no_such_code"]),
        item(raisio_site),
        item(tampere_site, occurred_at=far),
        item(tampere_site, occurred_at="2026-11-24T10:00:00"),
        item(tampere_site, occurred_at="yesterday at ten"),
        item(tampere_site, note="Asiakkaan hetu 131052-308T"),
        item(tampere_site, topics=["substance_use"]),
        item(tampere_site, coping="fine"),
        item(tampere_site, site=999999),
        {"site": tampere_site.pk, "topics": ["health"]},
        "not an object",
        item(tampere_site, topics=["health"]),
    ]
    results = post(items, token=bob_token).json()["results"]
    assert [r["status"] for r in results] == ["created"] + ["rejected"] * 11 + ["created"]
    codes = [sorted({(e["code"], e["field"]) for e in r["errors"]}) for r in results]
    assert codes[1] == [("unknown_code", "topics")]
    assert codes[2] == [("site_not_allowed", "site")]
    assert codes[3] == [("in_future", "occurred_at")]
    assert codes[4] == [("naive_datetime", "occurred_at")]
    assert codes[5] == [("invalid", "occurred_at")]
    assert codes[6] == [("personal_data", "note")]
    assert codes[7] == [("retired_code", "topics")]
    assert codes[8] == [("invalid", "coping")]
    assert codes[9] == [("site_not_allowed", "site")]
    assert ("missing", "client_uuid") in codes[10] and results[10]["client_uuid"] is None
    assert codes[11] == [("invalid", None)]
    assert all(error["message"] for result in results for error in result["errors"])
    assert Encounter.objects.count() == 2
    # A rejected future item opens no session for tomorrow.
    assert Session.objects.count() == 1


def test_more_than_five_hundred_items_is_refused_as_a_whole(bob_token, tampere_site):
    response = post([item(tampere_site) for _ in range(501)], token=bob_token)
    assert response.status_code == 422
    assert not Encounter.objects.exists()


def test_malformed_json_is_a_client_error(bob_token):
    response = post(None, token=bob_token, body='{"encounters": [')
    assert 400 <= response.status_code < 500
    response = post(None, token=bob_token, body='{"encounters": "many"}')
    assert response.status_code == 422


def test_a_viewer_is_forbidden_the_batch_even_with_a_token(vera, tampere_site):
    raw = fe.api_token(vera)[1]
    assert post([item(tampere_site)], token=raw).status_code == 403
    assert post([item(tampere_site)], client=_logged_in(vera)).status_code == 403
    assert not Encounter.objects.exists()


def test_no_token_an_unknown_one_and_a_revoked_one_are_all_unauthorised(bob, tampere_site):
    token, raw = fe.api_token(bob)
    assert post([item(tampere_site)]).status_code == 401
    assert post([item(tampere_site)], token="kht_not-a-real-token").status_code == 401
    tokens.api_token_revoke(actor=bob, token=token)
    assert post([item(tampere_site)], token=raw).status_code == 401
    bob.is_active = False
    bob.save()
    assert post([item(tampere_site)], token=fe.api_token(bob)[1]).status_code == 401


def test_only_the_tokens_hash_is_stored(bob):
    token, raw = fe.api_token(bob)
    assert raw not in {token.token_hash, token.prefix} and len(token.token_hash) == 64
    assert tokens.api_token_user(raw) == bob


def _logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_a_browser_session_must_send_the_csrf_token(bob, tampere_site):
    client = _logged_in(bob, enforce_csrf_checks=True)
    assert post([item(tampere_site)], client=client).status_code == 403
    client.get("/counsellor/sessions/ad-hoc/")  # any page with a form sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        URL,
        data=json.dumps({"encounters": [item(tampere_site)]}),
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "created"


def test_a_batch_reads_the_terms_once_whatever_its_size(bob_token, tampere_site):
    items = [item(tampere_site, topics=["housing", "health"], referrals=["kela"]) for _ in range(40)]
    with CaptureQueriesContext(connection) as queries:
        results = post(items, token=bob_token).json()["results"]
    assert {r["status"] for r in results} == {"created"}
    term_reads = [q for q in queries if 'FROM "encounters_term"' in q["sql"]]
    session_reads = [q for q in queries if 'FROM "encounters_session"' in q["sql"]]
    assert len(term_reads) <= 1  # none when this process has them from an earlier batch (taxonomies.py)
    assert len(session_reads) <= 2
    assert len(queries) <= 40 * 6 + 20


def test_the_openapi_document_describes_the_new_endpoints(client):
    document = client.get("/api/openapi.json").json()
    assert "/api/v1/taxonomies" in document["paths"]
    body = document["paths"]["/api/v1/encounters/batch"]["post"]["requestBody"]["content"]["application/json"]
    name = body["schema"]["$ref"].rsplit("/", 1)[-1]
    items = document["components"]["schemas"][name]["properties"]["encounters"]
    assert items["maxItems"] == 500
    assert {"client_uuid", "site", "occurred_at", "topics", "coping", "note"} <= set(items["items"]["properties"])
    coping = items["items"]["properties"]["coping"]["anyOf"][0]
    assert coping["enum"] == Coping.values
