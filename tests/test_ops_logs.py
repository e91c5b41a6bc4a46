"""Structured logs: LOG_FORMAT=json writes JSON lines with the request id; the default stays plain."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings

from kohtaamo.lib import logs


@pytest.fixture
def console():
    """Configures logging as the settings would and returns what the console handler writes."""
    stream = io.StringIO()

    def configure(log_format: str) -> io.StringIO:
        config = logs.logging_config(log_format=log_format, level="INFO")
        config["handlers"]["console"]["stream"] = stream
        logging.config.dictConfig(config)
        return stream

    yield configure
    logging.config.dictConfig(settings.LOGGING)


def test_json_format_writes_one_json_object_a_line(console):
    stream = console("json")
    logging.getLogger("kohtaamo.test").warning("Batch of %d stored", 3)
    record = json.loads(stream.getvalue().splitlines()[-1])
    assert record["message"] == "Batch of 3 stored"
    assert record["level"] == "WARNING"
    assert record["logger"] == "kohtaamo.test"
    assert record["request_id"] == "-"
    assert {"time", "process"} <= set(record)
    assert record["time"].endswith("+00:00")


def test_plain_format_is_the_default_and_stays_one_readable_line(console, monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "plain"
    stream = console("plain")
    logging.getLogger("kohtaamo.test").info("Hello")
    line = stream.getvalue().splitlines()[-1]
    assert line.endswith("INFO kohtaamo.test [-] Hello")


@pytest.mark.django_db
def test_a_log_record_written_during_a_request_carries_its_request_id(client, console, monkeypatch):
    stream = console("json")
    from kohtaamo.core import views

    def logging_state(alias):
        views.logger.warning("Health check for %s", alias)
        return "ok"

    monkeypatch.setattr(views, "_database_state", logging_state)
    response = client.get("/healthz", headers={"X-Request-ID": "0123456789abcdef0123456789abcdef"})
    assert response["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    record = json.loads(stream.getvalue().splitlines()[-1])
    assert record["message"] == "Health check for default"
    assert record["request_id"] == "0123456789abcdef0123456789abcdef"


@pytest.mark.django_db
def test_an_unsafe_request_id_from_outside_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "bad id\nforged log line"})
    assert response["X-Request-ID"] != "bad id\nforged log line"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_the_error_django_logs_for_a_503_carries_the_request_id_too(client, console, monkeypatch):
    stream = console("json")
    from kohtaamo.core import views

    monkeypatch.setattr(views, "_database_state", lambda alias: "unavailable")
    response = client.get("/healthz")
    assert response.status_code == 503
    record = json.loads(stream.getvalue().splitlines()[-1])
    assert record["logger"] == "django.request"
    assert record["request_id"] == response["X-Request-ID"]
    assert logs.current_request_id() == "-"
