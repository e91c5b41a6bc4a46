"""gunicorn's settings for Kohtaamo behind nginx: `gunicorn -c deploy/gunicorn.conf.py kohtaamo.wsgi`.

Under systemd, kohtaamo.socket hands gunicorn its listening socket (LISTEN_FDS) and `bind` is ignored.
Each value can be overridden from the environment (the unit's EnvironmentFile), for the drills too.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the app does short database-bound requests; (2 x cores) + 1 is gunicorn's own advice.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# A batch of 500 encounters takes well under a second; anything near 30 s is stuck, and the master
# replaces the worker. nginx waits a little longer (proxy_read_timeout 60s) so it sees gunicorn's verdict.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so that a slow leak in any library cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files in memory (gunicorn's advice): a worker blocked on a slow disk must not be taken for a hung one.
# They hold no data, so a shared directory is harmless.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Only nginx on this host may set X-Forwarded-*; Django trusts X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# nginx writes the access log; gunicorn's own messages go to stderr, which journald keeps.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "kohtaamo"
# Request line and header limits as gunicorn's defaults; the body size is limited by nginx (client_max_body_size).
limit_request_line = 4094
limit_request_fields = 100
