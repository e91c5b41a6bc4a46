"""Kohtaamo's URLs plus /bench/hello, the smallest view the same project, middleware and server can answer."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from kohtaamo.urls import urlpatterns as kohtaamo_urlpatterns


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world", content_type="text/plain; charset=utf-8")


# Kohtaamo's patterns are spread in, not include()d: i18n_patterns only work at the top of the root URLconf.
# Hello comes first because Kohtaamo's list ends with the API's catch-all.
urlpatterns = [path("bench/hello", hello, name="bench_hello"), *kohtaamo_urlpatterns]
