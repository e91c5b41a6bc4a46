"""Settings for benchmark runs: Kohtaamo's own, plus a hello-world view to measure against."""

from kohtaamo.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
