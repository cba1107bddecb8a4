"""The shipped nginx site (deploy/nginx) in front of gunicorn with deploy/gunicorn.conf.py: its body limits agree
with the app's settings and upload routes, it passes `nginx -t`, and run for real it serves static files itself,
refuses oversized bodies in the catalogue's shape, lets answers files through to the upload routes only, and
replaces a client's X-Forwarded-For so that a client cannot buy fresh rate-limit counters."""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from survey_api import create_app
from survey_api.config import load_config
from survey_api.extensions import db

from ..conftest import skip_or_fail
from ..factories import create_account, issue_token
from .test_rate_limits_redis import free_port, running_servers, server_env, shared_database  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "survey-api.conf"
SNIPPET = ROOT / "deploy" / "nginx" / "survey-api-proxy.conf"
UNITS = {"k": 1024, "m": 1024 * 1024}


def size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([km]?)", value).groups()
    return int(number) * UNITS.get(unit, 1)


def site_limits() -> tuple[int, str, int]:
    """The server-wide body limit, the upload location's pattern and its body limit."""
    text = SITE.read_text()
    server_wide = size(re.search(r"^    client_max_body_size (\w+);", text, re.M).group(1))
    upload = re.search(r"location ~ (\S+) \{\s*client_max_body_size (\w+);", text)
    return server_wide, upload.group(1), size(upload.group(2))


def upload_paths(app) -> list[str]:
    """A concrete path of every view that takes a file upload (marked with accepts_upload)."""
    paths = []
    for rule in app.url_map.iter_rules():
        if getattr(app.view_functions[rule.endpoint], "upload_limit_key", None):
            paths.append(re.sub(r"<int:\w+>", "7", rule.rule))
    return paths


def test_the_site_body_limits_follow_the_app_settings_and_its_upload_routes(app):
    defaults = load_config()
    server_wide, pattern, upload_limit = site_limits()
    assert server_wide > defaults["MAX_CONTENT_LENGTH"]  # the app answers request.too_large itself up to here
    assert upload_limit >= defaults["IMPORT_MAX_BYTES"] + 64 * 1024  # the app's own allowance for the framing
    uploads = upload_paths(app)
    assert uploads, "no upload route found"
    assert all(re.fullmatch(pattern.strip("^$"), path) for path in uploads), uploads
    assert not re.fullmatch(pattern.strip("^$"), "/api/v1/links/abc/responses")


def nginx_config(tmp_path: Path, port: int, upstream_port: int) -> Path:
    """The shipped site, with only what a test must change: ports, certificate, paths of this checkout."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    snippet = SNIPPET.read_text()
    (tmp_path / "proxy.conf").write_text(snippet)
    site = SITE.read_text()
    site = site.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{upstream_port}")
    site = re.sub(r"listen 80;\s*listen \[::\]:80;", f"listen 127.0.0.1:{free_port()};", site)
    site = re.sub(r"listen 443 ssl http2;\s*listen \[::\]:443 ssl http2;", f"listen 127.0.0.1:{port} ssl;", site)
    site = site.replace("/etc/ssl/survey-api/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/ssl/survey-api/privkey.pem", str(tmp_path / "key.pem"))
    site = site.replace("/etc/nginx/snippets/survey-api-proxy.conf", str(tmp_path / "proxy.conf"))
    site = site.replace("/opt/survey-api/survey_api/static/", f"{ROOT}/survey_api/static/")
    user = "user root;" if os.geteuid() == 0 else ""
    main = f"""
{user}
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
    default_type application/octet-stream;
    access_log {tmp_path}/nginx-access.log;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
{site}
}}
"""
    path = tmp_path / "nginx.conf"
    path.write_text(main)
    return path


def require_nginx() -> str:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None or shutil.which("openssl") is None:
        skip_or_fail("nginx and openssl are not installed (Debian: nginx-light, openssl)")
    return nginx


def test_the_site_passes_nginx_own_check(tmp_path):
    nginx = require_nginx()
    config = nginx_config(tmp_path, free_port(), free_port())
    checked = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def request(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the test's own self-signed certificate
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=20, context=context) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def admin_token(database_url: str, tmp_path: Path) -> str:
    """An admin's API token in the servers' database."""
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        token = issue_token(create_account(f"admin_{uuid.uuid4().hex[:6]}", "admin"))
        db.engine.dispose()
    return token


def wait_for_tls(process: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx stopped:\n{log.read_text(errors='replace')}")
        try:
            if request(f"{base}/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nginx did not answer in time:\n{log.read_text(errors='replace')}")


@pytest.fixture
def site(tmp_path, shared_database):  # noqa: F811  (the fixture imported above)
    """gunicorn with the deploy settings (TRUSTED_PROXY_COUNT=1) behind the shipped nginx site over TLS."""
    nginx = require_nginx()
    database_url, token, _answers = shared_database
    api_token = admin_token(database_url, tmp_path)
    env = server_env(tmp_path, database_url, TRUSTED_PROXY_COUNT="1", RATE_LIMIT_PAGES_PER_ADDRESS="3/minute")
    with running_servers(tmp_path, env, ("app",)) as [app_base]:
        port = free_port()
        config = nginx_config(tmp_path, port, int(app_base.rsplit(":", 1)[1]))
        proxy = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(config), "-g", "daemon off;"])
        try:
            wait_for_tls(proxy, f"https://127.0.0.1:{port}", tmp_path / "nginx-error.log")
            yield f"https://127.0.0.1:{port}", token, api_token
        finally:
            proxy.terminate()
            proxy.wait(timeout=20)


def test_behind_the_site_static_files_limits_and_forwarded_addresses_hold(site, tmp_path):
    base, token, api_token = site
    status, headers, body = request(f"{base}/static/app.css")
    assert status == 200 and "Expires" in headers and body  # served by nginx itself
    status, headers, body = request(f"{base}/healthz")
    assert status == 200 and headers.get("Strict-Transport-Security")

    json_headers = {"Content-Type": "application/json"}
    status, _, body = request(f"{base}/api/v1/links/{token}/responses", b"{" + b" " * 100_000 + b"}", json_headers)
    assert status == 413 and b'"request.too_large"' in body and b"65536" in body  # the app's own answer
    status, _, body = request(f"{base}/api/v1/links/{token}/responses", b" " * 1_000_000, json_headers)
    assert status == 413 and b'"request.too_large"' in body  # stopped by nginx, in the same shape
    upload = (
        b'--x\r\nContent-Disposition: form-data; name="file"; filename="answers.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + b"unit,record_id\r\n" + b"T01,1\r\n" * 200_000 + b"\r\n--x--\r\n"
    )
    headers = {"Content-Type": "multipart/form-data; boundary=x", "Authorization": f"Bearer {api_token}"}
    status, _, body = request(f"{base}/api/v1/campaigns/999999/imports", upload, headers)
    assert len(upload) > 1_000_000 and status == 404 and b'"campaign.not_found"' in body  # through nginx to the app

    # Every page view from this client counts under the one address nginx saw, whatever it claims to be.
    statuses = [request(f"{base}/s/no-such-link", headers={"X-Forwarded-For": f"10.9.0.{n}"})[0] for n in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_the_systemd_units_parse_without_a_complaint():
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (the units are checked where systemd is)")
    units = sorted(str(path) for path in (ROOT / "deploy" / "systemd").iterdir())
    checked = subprocess.run([analyze, "verify", "--man=no", *units], capture_output=True, text=True, timeout=60)
    # Paths of the installed layout (/opt/survey-api) do not exist here; anything else is a mistake in a unit.
    complaints = [line for line in checked.stderr.splitlines() if line and "/opt/survey-api" not in line]
    assert complaints == []
