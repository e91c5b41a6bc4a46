"""Kohtaamo's URLs plus /bench/hello and /bench/hello-post, the smallest views the same project, middleware and
server can answer."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from kohtaamo.urls import urlpatterns as kohtaamo_urlpatterns


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world", content_type="text/plain; charset=utf-8")


@csrf_exempt  # as the API is: a token, not a cookie, authenticates its POSTs
def hello_post(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    return HttpResponse(f"Hello, {len(request.body)} bytes", content_type="text/plain; charset=utf-8")


# Kohtaamo's patterns are spread in, not include()d: i18n_patterns only work at the top of the root URLconf.
# Hello comes first because Kohtaamo's list ends with the API's catch-all.
urlpatterns = [
    path("bench/hello", hello, name="bench_hello"),
    path("bench/hello-post", hello_post, name="bench_hello_post"),
    *kohtaamo_urlpatterns,
]
