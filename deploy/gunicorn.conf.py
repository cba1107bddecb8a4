"""gunicorn settings. Every value can be overridden by the environment variable named beside it; deploy/README.md
explains how the numbers were chosen and how they relate to nginx and PostgreSQL."""

import multiprocessing
import os

# Sync workers: each request holds one worker for its few milliseconds of work, and one worker never holds more
# than one database connection. Slow phone connections are absorbed by nginx, which reads the whole request before
# passing it on and takes the whole answer at once (proxy_request_buffering / proxy_buffering), so a worker is
# never tied up by a slow client. Without nginx in front, a sync worker waits on a slow client for up to `timeout`.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
# Two per core, plus one: the app is CPU-bound in Python (tests/bench/RESULTS.md), and a little oversubscription
# covers the database round trips. Each worker is about 106 MB resident (measured in the soak); PostgreSQL
# needs one connection per worker per host (see deploy/README.md, "Connections").
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# A request that takes longer than this is stuck; the worker is replaced and the client may resend safely (every
# submission carries its own id). Keep nginx's proxy_read_timeout above it so the client sees the catalogue error
# or nginx's 504, never a half answer. The longest legitimate requests are large exports and imports.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Sync workers close the connection after each answer; nginx talks HTTP/1.0 to them anyway.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "2"))
# Recycle workers now and then so a slow leak can never take a worker down in the middle of a campaign; the jitter
# keeps all workers from restarting at the same moment.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
# Load the app once in the master so workers fork with the code already imported (faster start, shared pages).
# Consequence: `kill -HUP` does not load new code; an upgrade restarts the service (deploy/README.md).
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() == "true"
# The workers' heartbeat files live in memory, so a full or slow disk can never make gunicorn kill healthy workers.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm" if os.path.isdir("/dev/shm") else None)
# "-" logs to stdout (the journal under systemd); an empty value turns the access log off (nginx keeps its own).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# Request line only: query strings never carry personal data here, but keep the log lean anyway.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# Bounds on what a client can make a worker parse before the app sees the request.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# The control socket (gunicorn 27+) lives at one path per user, so two instances on one host would clash;
# nothing here uses it.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "off") != "on"


def post_fork(server, worker):
    # Connections opened in the master before the fork must not be shared with workers.
    from survey_api.extensions import db
    from survey_api.wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)
