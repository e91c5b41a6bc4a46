"""Logging in: the lockout after five failures, the second factor, the idle timeout."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kohtaamo.accounts.middleware import LAST_SEEN_KEY
from tests import factories as f

pytestmark = pytest.mark.django_db

LOGIN = "/en/accounts/login/"


def log_in(client: Client, username: str, password: str = f.PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def code_of(device: TOTPDevice) -> str:
    """The code the app would show now. After a wrong code django-otp makes one wait (1 s, then 2, 4 ...);
    the tests do not sleep through that but clear it, as the wait is not what they are about."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


@pytest.fixture
def production_2fa(settings):
    """Production's rule, as KOHTAAMO_ENV=production sets it (REQUIRE_2FA defaults to on there)."""
    settings.REQUIRE_2FA = True


# --- Lockout -------------------------------------------------------------------------------------


def test_alice_is_locked_out_after_five_wrong_passwords_with_a_clear_message(client, alice):
    for _ in range(4):
        assert log_in(client, "alice", "wrong-password").status_code == 200
    locked = log_in(client, "alice", "wrong-password")
    assert locked.status_code == 429
    assert "Logging in failed 5 times in a row" in locked.content.decode()
    assert "Try again in 15 minutes." in locked.content.decode()
    # Now even the right password is refused, so guessing on gains nothing.
    assert log_in(client, "alice").status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_is_the_same_for_a_username_that_does_not_exist(client, alice):
    for _ in range(5):
        response = log_in(client, "nobody-here", "wrong-password")
    assert response.status_code == 429
    assert "Logging in failed 5 times in a row" in response.content.decode()


def test_a_successful_login_resets_the_count_of_failures(client, alice):
    for _ in range(4):
        log_in(client, "alice", "wrong-password")
    assert log_in(client, "alice").status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert log_in(client, "alice", "wrong-password").status_code == 200


def test_carol_is_not_locked_out_by_failures_on_alices_username(client, alice, carol):
    for _ in range(5):
        log_in(client, "alice", "wrong-password")
    assert log_in(client, "carol").status_code == 302


def test_the_lockout_is_finnish_by_default(client, alice):
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "alice", "password": "wrong-password"})
    assert response.status_code == 429
    assert '<html lang="fi">' in response.content.decode()


# --- Second factor ---------------------------------------------------------------------------------


def test_in_production_a_coordinator_without_a_second_factor_cannot_reach_any_staff_page(
    client, alice, tampere_site, production_2fa
):
    assert log_in(client, "alice").status_code == 302
    for page in ["/staff/sites/", f"/staff/sites/{tampere_site.pk}/", "/counsellor/", "/"]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/accounts/2fa/setup/?next="), page


@pytest.mark.parametrize("persona", ["ada", "alice"])
def test_in_production_staff_who_enrol_a_totp_app_then_reach_their_pages(request, client, production_2fa, persona):
    request.getfixturevalue(persona)
    log_in(client, persona)
    setup = client.get("/en/accounts/2fa/setup/?next=/staff/sites/")
    assert setup.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in setup.content.decode()
    device = TOTPDevice.objects.get(user__username=persona, confirmed=False)

    wrong = client.post("/en/accounts/2fa/setup/", {"token": "000000", "next": "/staff/sites/"})
    assert "The code is wrong or has expired" in wrong.content.decode()
    confirmed = client.post("/en/accounts/2fa/setup/", {"token": code_of(device), "next": "/staff/sites/"})
    assert confirmed.status_code == 302 and confirmed["Location"] == "/staff/sites/"
    assert client.get("/staff/sites/").status_code == 200


def test_in_production_the_next_login_asks_for_the_code_and_refuses_a_wrong_one(client, alice, production_2fa):
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    log_in(client, "alice")
    assert client.get("/staff/sites/")["Location"].startswith("/accounts/2fa/verify/?next=")
    refused = client.post("/en/accounts/2fa/verify/", {"token": "123456", "next": "/staff/sites/"})
    assert refused.status_code == 200
    assert "The code is wrong or has expired" in refused.content.decode()
    assert client.get("/staff/sites/").status_code == 302

    accepted = client.post("/en/accounts/2fa/verify/", {"token": code_of(device), "next": "/staff/sites/"})
    assert accepted["Location"] == "/staff/sites/"
    assert client.get("/staff/sites/").status_code == 200


def test_a_password_alone_cannot_enrol_a_second_phone(client, alice, production_2fa):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    log_in(client, "alice")
    assert client.get("/accounts/2fa/setup/")["Location"].startswith("/accounts/2fa/verify/")
    assert not TOTPDevice.objects.filter(user=alice, confirmed=False).exists()


def test_in_production_a_counsellor_is_offered_two_factor_but_not_forced(client, bob, production_2fa):
    log_in(client, "bob")
    assert client.get("/counsellor/").status_code == 200
    assert "Turn two-factor authentication on" in client.get("/en/accounts/2fa/").content.decode()


def test_a_counsellor_who_turned_two_factor_on_is_asked_for_the_code(client, bob):
    TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    log_in(client, "bob")
    assert client.get("/counsellor/")["Location"].startswith("/accounts/2fa/verify/")


def test_a_counsellor_may_turn_two_factor_off_but_a_coordinator_in_production_may_not(
    as_user, bob, alice, production_2fa
):
    TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    bobs = as_user(bob)
    bobs.force_login(bob)
    # force_login gives no second factor; bob proves it with his code first.
    device = TOTPDevice.objects.get(user=bob)
    bobs.post("/accounts/2fa/verify/", {"token": code_of(device)})
    assert bobs.post("/accounts/2fa/disable/").status_code == 302
    assert not TOTPDevice.objects.filter(user=bob).exists()

    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    alices = as_user(alice)
    alices.post("/accounts/2fa/verify/", {"token": code_of(TOTPDevice.objects.get(user=alice))})
    assert alices.post("/accounts/2fa/disable/").status_code == 403
    assert TOTPDevice.objects.filter(user=alice).exists()


def test_in_development_and_tests_staff_log_in_with_a_password_alone(client, alice, settings):
    assert settings.REQUIRE_2FA is False
    log_in(client, "alice")
    assert client.get("/staff/sites/").status_code == 200


def test_the_code_page_does_not_redirect_to_another_site(client, bob):
    device = TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    log_in(client, "bob")
    response = client.post("/accounts/2fa/verify/", {"token": code_of(device), "next": "https://evil.example/"})
    assert response["Location"] == "/accounts/2fa/"


# --- Session timeout -------------------------------------------------------------------------------


def test_a_session_idle_longer_than_the_timeout_is_logged_out(client, bob, settings):
    log_in(client, "bob")
    assert client.get("/counsellor/").status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 1
    session.save()
    response = client.get("/counsellor/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_session_in_use_stays_logged_in(client, bob, settings):
    log_in(client, "bob")
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT + 120
    session.save()
    assert client.get("/counsellor/").status_code == 200
    assert client.session[LAST_SEEN_KEY] >= int(time.time()) - 5


def test_guessing_codes_is_slowed_down_even_the_right_code_waits_after_a_wrong_one(client, bob):
    device = TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    log_in(client, "bob")
    client.post("/accounts/2fa/verify/", {"token": "000000"})
    device.refresh_from_db()
    right = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"
    assert client.post("/accounts/2fa/verify/", {"token": right}).status_code == 200  # refused: too soon
    assert client.get("/counsellor/").status_code == 302
