"""gunicorn settings. Every value can be overridden by the environment variable named beside it."""

import multiprocessing
import os

# Sync workers: each request holds one worker for its few milliseconds of work; no keep-alive pile-up on one
# worker (as gthread can do behind a keep-alive client). Put nginx in front to absorb slow phone connections.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
# Two per core, plus one: the app is CPU-bound in Python, and a little oversubscription covers database waits.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# A request that takes longer than this is stuck; the worker is replaced and the client may resend safely.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "2"))
# Recycle workers now and then so a slow leak can never take a worker down in the middle of a campaign.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
# Load the app once in the master so workers fork with the code already imported.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() == "true"
# "-" logs to stdout; an empty value turns the access log off (nginx keeps its own).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# Request line only: query strings never carry personal data here, but keep the log lean anyway.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
limit_request_line = 4094
# The control socket (gunicorn 27+) lives at one path per user, so two instances on one host would clash;
# nothing here uses it.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "off") != "on"
limit_request_fields = 100


def post_fork(server, worker):
    # Connections opened in the master before the fork must not be shared with workers.
    from survey_api.extensions import db
    from survey_api.wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)
