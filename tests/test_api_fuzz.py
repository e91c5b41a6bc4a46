"""Schemathesis against /api/openapi.json, in process on the WSGI app: no server errors, no answer that
breaks the schema. Bounded by MAX_EXAMPLES per operation so that it stays fast in CI."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from kohtaamo.wsgi import application
from tests import factories as f
from tests import factories_encounters as fe

MAX_EXAMPLES = 30
# Operations with a rule across parameters that OpenAPI 3 cannot state ("from" not after "to", a period of at
# most a year): a schema-valid request may rightly get 422 there, so schemathesis' "valid data is accepted"
# check does not apply to them. Every other check (no 5xx, answers within the schema) still does.
CROSS_FIELD_RULES = {"/api/v1/stats/encounters"}


@pytest.fixture
def _keep_the_test_connection():
    """The WSGI handler closes the database connection after each request, which would end the test's
    transaction; Django's test client avoids that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, _keep_the_test_connection, bob, tampere_site, raisio_site):
    """The schema as the running app serves it, with a little data behind it and bob's API token."""
    organisation = f.organisation(name="Tampereen Setlementti", county=tampere_site.municipality.county)
    tampere_site.organisations.set([organisation])
    f.rule(tampere_site, weekdays=(1, 3), starts="09:00", ends="12:00", partners=[organisation])
    _token, secret = fe.api_token(bob)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    schema.config.headers = {"Authorization": f"Bearer {secret}"}
    return schema


FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,  # no example database left in the worktree; each run starts afresh
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def fuzz(operation) -> None:
    excluded = [positive_data_acceptance] if operation.path in CROSS_FIELD_RULES else []

    @FUZZ
    @given(case=operation.as_strategy())
    def run(case):
        case.call_and_validate(excluded_checks=excluded)

    run()


def test_the_api_answers_every_generated_request_without_a_server_error_and_within_its_schema(api_schema):
    # One plain test looping over the operations: schemathesis' own pytest plugin relies on pytest internals
    # that pytest 9 removed (Function._nodeid), as pytest-xdist does (see tests/browser/conftest.py).
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    failures = []
    for operation in operations:
        try:
            fuzz(operation)
        except Exception as error:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}:\n{error}")
    assert not failures, "\n\n".join(failures)
