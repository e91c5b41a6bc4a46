from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import LocalePrefixPattern, URLResolver, include, path
from django.views.i18n import set_language

from kohtaamo.api import api
from kohtaamo.core.views import healthz

# Language-neutral: machine interfaces and the language switch.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
]


class PagesPrefix(LocalePrefixPattern):
    """The pages' language prefix, which the API's paths never match: no page lives under them, and an API
    request (the encounter batch is the busiest) then skips the pages' patterns instead of trying each."""

    API_PATHS = ("api/", "hsds/")

    def match(self, path: str):
        if path.startswith(self.API_PATHS):
            return None
        return super().match(path)


# Pages for people: Finnish without a prefix, /sv/ and /en/ for the others (i18n_patterns() with PagesPrefix).
pages = [
    path("", include("kohtaamo.core.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(extra_context={"oidc_enabled": settings.OIDC_ENABLED}),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("kohtaamo.accounts.urls")),
    path("sites/", include("kohtaamo.directory.urls")),
    path("staff/", include("kohtaamo.directory.staff_urls")),
    path("counsellor/", include("kohtaamo.encounters.urls")),
    path("stats/", include("kohtaamo.stats.urls")),
    path("reports/", include("kohtaamo.reports.urls")),
    path("counsellors/", include("kohtaamo.counsellors.urls")),
    path("admin/", admin.site.urls),
]
urlpatterns += [URLResolver(PagesPrefix(prefix_default_language=False), pages)] if settings.USE_I18N else pages

# Single sign-on callbacks, only when a county's OpenID Connect provider is configured.
if settings.OIDC_ENABLED:
    urlpatterns += [path("oidc/", include("mozilla_django_oidc.urls"))]

# Last, because Ninja also answers its own "/" when nothing before it matched.
urlpatterns += [path("", api.urls)]
