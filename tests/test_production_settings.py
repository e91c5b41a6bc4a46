"""Production settings: read from the environment, loud on bad values, clean under `check --deploy`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "KOHTAAMO_ENV": "production",
    "SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-deploy-check-only-0123456789",
    "ALLOWED_HOSTS": "kohtaamo.example.fi",
    "DATABASE_URL": "postgres://kohtaamo@db.example.fi:5432/kohtaamo",
}


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh interpreter, as a server would start, with only the given settings."""
    env = {key: value for key, value in os.environ.items() if key not in {*PRODUCTION, "REDIS_URL", "DEBUG"}}
    env |= environment
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_gives_no_warnings_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_turn_on_hsts_secure_cookies_and_the_proxy_header():
    script = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.REQUIRE_2FA, s.DEBUG)"
    )
    result = manage("shell", "-v", "0", "-c", script, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == (
        "31536000 True True True True ('HTTP_X_FORWARDED_PROTO', 'https') True False"
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SECRET_KEY", None, "Environment variable SECRET_KEY is required"),
        ("SECRET_KEY", "too-short", "SECRET_KEY must be at least 50 characters"),
        ("ALLOWED_HOSTS", None, "ALLOWED_HOSTS is required in production"),
        ("DATABASE_URL", None, "Environment variable DATABASE_URL is required"),
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("SECURE_HSTS_SECONDS", "a year", "SECURE_HSTS_SECONDS='a year' is not an integer"),
        ("SESSION_IDLE_TIMEOUT", "10", "SESSION_IDLE_TIMEOUT=10 is below the minimum 60"),
        ("AXES_FAILURE_LIMIT", "0", "AXES_FAILURE_LIMIT=0 is below the minimum 1"),
        ("REQUIRE_2FA", "perhaps", "REQUIRE_2FA='perhaps' is not a boolean"),
        ("KOHTAAMO_ENV", "prod", "KOHTAAMO_ENV='prod' must be one of"),
    ],
)
def test_production_refuses_to_start_on_a_missing_or_bad_setting(variable, value, message):
    environment = dict(PRODUCTION)
    if value is None:
        del environment[variable]
    else:
        environment[variable] = value
    result = manage("check", **environment)
    assert result.returncode != 0
    assert message in result.stderr


def test_single_sign_on_needs_all_its_endpoints_once_a_client_id_is_given():
    result = manage("check", **PRODUCTION, OIDC_RP_CLIENT_ID="kohtaamo")
    assert result.returncode != 0
    assert "Environment variable OIDC_RP_CLIENT_SECRET is required" in result.stderr


def test_single_sign_on_when_configured_adds_its_login_button_and_callback():
    oidc = {
        "OIDC_RP_CLIENT_ID": "kohtaamo",
        "OIDC_RP_CLIENT_SECRET": "secret",
        **{
            f"OIDC_OP_{name}_ENDPOINT": f"https://login.example.fi/{name.lower()}"
            for name in ("AUTHORIZATION", "TOKEN", "USER", "JWKS")
        },
    }
    script = (
        "from django.test import Client; from django.urls import reverse; "
        "print(reverse('oidc_authentication_callback')); "
        "print('/oidc/authenticate/' in Client().get('/en/accounts/login/').content.decode())"
    )
    result = manage("shell", "-v", "0", "-c", script, KOHTAAMO_ENV="test", **oidc)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/oidc/callback/", "True"]
