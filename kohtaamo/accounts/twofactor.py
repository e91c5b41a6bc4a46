"""Who must use a second factor, and the TOTP device of a user: the rules behind the 2FA pages."""

from __future__ import annotations

import base64
import io
from functools import cache

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import transaction
from django_otp import device_classes, devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from kohtaamo.accounts.models import Role
from kohtaamo.lib import rows

# Roles that reach personal data or change what the public sees; counsellors and viewers may opt in.
ROLES_REQUIRING_2FA = frozenset({Role.ADMIN, Role.COORDINATOR, Role.PROFESSIONAL})
OIDC_BACKEND = "kohtaamo.accounts.oidc.StaffOIDCBackend"


def second_factor_required(user) -> bool:
    """Whether the user's role must log in with a second factor here (REQUIRE_2FA is on in production)."""
    return settings.REQUIRE_2FA and (user.is_superuser or user.role in ROLES_REQUIRING_2FA)


def second_factor_missing(request) -> bool:
    """A logged-in user who must give a second factor in this session and has not yet."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    if getattr(settings, "OIDC_COUNTS_AS_SECOND_FACTOR", False) and request.session.get(BACKEND_SESSION_KEY) == (
        OIDC_BACKEND
    ):
        return False
    # Whoever turned 2FA on is asked for it, required or not: otherwise it would protect nothing.
    return second_factor_required(user) or has_device(user)


def has_device(user) -> bool:
    """django_otp's `user_has_device(user)`: a confirmed device of any kind, asked on every logged-in request.

    One small query per device model (kohtaamo/lib/rows.py) instead of loading the user's devices.
    """
    return user.is_authenticated and any(rows.exists(model, user=user.pk, confirmed=True) for model in _device_models())


@cache
def _device_models() -> tuple:
    return tuple(device_classes())


@transaction.atomic
def totp_device_pending(*, user) -> TOTPDevice:
    """The unconfirmed device being set up: the same secret on every reload until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Kohtaamo", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm a new device with a code from the authenticator app; other pending devices go."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return True


def totp_device_matching(*, user, token: str):
    """The user's confirmed device that accepts `token` (throttled by django-otp after failures), or None."""
    for device in devices_for_user(user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


@transaction.atomic
def totp_devices_remove(*, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for those who type it into the app instead of scanning."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code in a data: URI (the CSP allows data: images, not inline SVG styles)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
