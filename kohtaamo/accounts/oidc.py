"""Single sign-on for staff through the county's OpenID Connect provider (settings.OIDC_ENABLED)."""

from __future__ import annotations

from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from kohtaamo.accounts.models import User


class StaffOIDCBackend(OIDCAuthenticationBackend):
    """Match an active user by verified e-mail; never create one, roles are granted in Kohtaamo."""

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email or claims.get("email_verified") is False:
            return User.objects.none()
        return User.objects.filter(email__iexact=email, is_active=True)
