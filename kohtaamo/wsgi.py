"""WSGI entry point for gunicorn and the development server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohtaamo.settings")
application = get_wsgi_application()

from kohtaamo.lib import checkpoint  # noqa: E402 (needs the settings loaded above)

checkpoint.start()  # SQLite only: WAL checkpoints in a background thread, not inside a request's commit
