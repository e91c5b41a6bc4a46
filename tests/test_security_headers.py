"""Security headers on every page of the permission matrix, for a visitor and for staff, errors included."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.test_permission_matrix import MATRIX, objects, request_row  # noqa: F401 - objects is a fixture

pytestmark = pytest.mark.django_db

GET_ROWS = {name: row for name, row in MATRIX.items() if row.method == "get"}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        if words := part.split():
            parsed[words[0]] = words[1:]
    return parsed


def header_problems(response) -> list[str]:
    problems = []
    csp = directives(response.get("Content-Security-Policy", ""))
    for directive in ("default-src", "script-src", "style-src"):
        sources = csp.get(directive)
        if sources is None:
            problems.append(f"CSP has no {directive}")
        elif {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(sources):
            problems.append(f"CSP {directive} is weak: {sources}")
    if csp.get("frame-ancestors") != ["'none'"]:
        problems.append(f"CSP frame-ancestors is {csp.get('frame-ancestors')}, not 'none'")
    if csp.get("object-src") != ["'none'"]:
        problems.append("CSP object-src is not 'none'")
    # A page behind a secret URL (a shift calendar) may keep even its own origin from seeing it: "no-referrer".
    if response.get("Referrer-Policy") not in ("same-origin", "no-referrer"):
        problems.append(f"Referrer-Policy: {response.get('Referrer-Policy')!r}, expected 'same-origin'")
    expected = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    for header, value in expected.items():
        if response.get(header) != value:
            problems.append(f"{header}: {response.get(header)!r}, expected {value!r}")
    permissions_policy = response.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        if feature not in permissions_policy:
            problems.append(f"Permissions-Policy does not switch off {feature}: {permissions_policy!r}")
    return problems


@pytest.mark.parametrize("persona", ["anonymous", "alice"])
def test_every_page_sends_a_strict_csp_and_the_other_security_headers(request, objects, persona):  # noqa: F811
    found = []
    for name, row in GET_ROWS.items():
        for language in ("", "/sv", "/en"):
            client = Client()
            if persona != "anonymous":
                client.force_login(request.getfixturevalue(persona))
            response = (
                client.get(language + row.path.format(**objects)) if language else request_row(client, row, objects)
            )
            found += [f"{name} {language}{row.path} ({response.status_code}): {p}" for p in header_problems(response)]
    assert not found, "\n".join(found)


def test_error_pages_send_the_headers_too(client):
    response = client.get("/sites/999999/")
    assert response.status_code == 404
    assert not header_problems(response)


def test_the_header_check_notices_a_weakened_policy(client, settings):
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": ["'self'"], "style-src": ["'self'", "'unsafe-inline'"]}
    }
    problems = header_problems(client.get("/"))
    assert "CSP style-src is weak: [\"'self'\", \"'unsafe-inline'\"]" in problems
    assert "CSP has no script-src" in problems


def test_session_and_csrf_cookies_are_httponly_and_samesite(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "correct-horse-battery-staple"})
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
