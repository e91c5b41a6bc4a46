"""Logging configuration: plain lines by default, JSON lines with LOG_FORMAT=json; a request id on each record."""

from __future__ import annotations

import contextvars
import re
import uuid

from django.core.signals import request_finished

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# nginx's $request_id is 32 hex digits; accept what a proxy sends only when it is short and harmless in a log.
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s %(process)d"


def current_request_id() -> str:
    return _request_id.get()


class RequestIdFilter:
    """Puts the current request's id on every record, "-" outside a request."""

    def filter(self, record) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    """Takes the proxy's X-Request-ID (nginx sets it from $request_id) or makes one; answers with it."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Cleared when the response is finished, not when this middleware returns: Django logs 5xx answers
        # (django.request) after the middleware chain, and those records should carry the id too.
        request_finished.connect(_forget_request_id, dispatch_uid="kohtaamo.lib.logs.forget_request_id")

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _SAFE_ID.fullmatch(offered) else uuid.uuid4().hex
        _request_id.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def _forget_request_id(**kwargs) -> None:
    _request_id.set("-")


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING setting: one console handler (journald keeps it), plain or JSON lines."""
    formatters = {
        "plain": {"format": PLAIN_FORMAT},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {"levelname": "level", "name": "logger"},
            # ISO 8601 in UTC, whatever the process's time zone (Django sets Europe/Helsinki).
            "timestamp": "time",
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "kohtaamo.lib.logs.RequestIdFilter"}},
        "formatters": formatters,
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["request_id"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.request": {"level": "ERROR"}},
    }
