"""Every setting, read from the environment here and nowhere else."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"
DEV_SECRET = "dev-only-secret-change-me"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    raw = _env(name)
    return int(raw) if raw is not None else default


def _float(name: str, default: float) -> float:
    raw = _env(name)
    return float(raw) if raw is not None else default


def rate_limit_settings() -> dict[str, Any]:
    """Rate limits (see README for the reasoning behind each number); several limits are joined with ';'."""
    return {
        "REDIS_URL": _env("REDIS_URL"),
        "REDIS_TIMEOUT_SECONDS": _float("REDIS_TIMEOUT_SECONDS", 0.5),
        "RATE_LIMIT_ENABLED": (_env("RATE_LIMIT_ENABLED", "true") or "").lower() in ("true", "1", "yes", "on"),
        "RATE_LIMIT_KEY_PREFIX": _env("RATE_LIMIT_KEY_PREFIX", "survey-api"),
        "RATE_LIMIT_SUBMIT_PER_LINK": _env("RATE_LIMIT_SUBMIT_PER_LINK", "120/minute;2000/hour"),
        "RATE_LIMIT_SUBMIT_PER_ADDRESS": _env("RATE_LIMIT_SUBMIT_PER_ADDRESS", "60/minute;1000/hour"),
        "RATE_LIMIT_PAGES_PER_ADDRESS": _env("RATE_LIMIT_PAGES_PER_ADDRESS", "300/minute;6000/hour"),
        "RATE_LIMIT_SIGN_IN_FAILURES_PER_ADDRESS": _env(
            "RATE_LIMIT_SIGN_IN_FAILURES_PER_ADDRESS", "20/minute;100/hour"
        ),
        "RATE_LIMIT_SIGN_IN_PER_USERNAME": _env("RATE_LIMIT_SIGN_IN_PER_USERNAME", "10/minute;60/hour"),
        "RATE_LIMIT_API_PER_TOKEN": _env("RATE_LIMIT_API_PER_TOKEN", "600/minute;20000/hour"),
        "RATE_LIMIT_BALLOTS_PER_ADDRESS": _env("RATE_LIMIT_BALLOTS_PER_ADDRESS", "600/minute;5000/hour"),
        "RATE_LIMIT_BALLOT_MISSES_PER_ADDRESS": _env("RATE_LIMIT_BALLOT_MISSES_PER_ADDRESS", "30/minute;200/hour"),
    }


def normalise_database_url(url: str) -> str:
    """Let operators write postgres:// or postgresql:// and still get the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment, then apply overrides (tests pass theirs)."""
    instance = Path(_env("INSTANCE_PATH", str(DEFAULT_INSTANCE)))
    default_db = f"sqlite:///{instance / 'survey.db'}"
    config: dict[str, Any] = {
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(_env("DATABASE_URL", default_db)),
        "SECRET_KEY": _env("SECRET_KEY", DEV_SECRET),
        "IDENTITY_HASH_KEY": _env("IDENTITY_HASH_KEY", DEV_SECRET),
        "PUBLIC_BASE_URL": (_env("PUBLIC_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/"),
        "FORMS_DIR": _env("FORMS_DIR", str(PROJECT_ROOT / "forms")),
        "RULES_DIR": _env("RULES_DIR", str(PROJECT_ROOT / "rules")),
        # Largest request body accepted anywhere; a full questionnaire is a few kilobytes.
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 64 * 1024),
        # Largest answers file an import accepts (CSV or XLSX; tens of thousands of rows fit in a few MB).
        "IMPORT_MAX_BYTES": _int("IMPORT_MAX_BYTES", 20 * 1024 * 1024),
        # 限期整改: days a unit has to rectify an item, days before the deadline a reminder goes out, the folder
        # evidence files are kept in (outside the database), the largest evidence file, and the fewest comments on
        # a question that a unit's feedback report shows (fewer could point to a respondent).
        "RECTIFICATION_DEADLINE_DAYS": _int("RECTIFICATION_DEADLINE_DAYS", 30),
        "REMINDER_DAYS_BEFORE": _int("REMINDER_DAYS_BEFORE", 7),
        "EVIDENCE_DIR": _env("EVIDENCE_DIR"),  # default: the evidence folder in INSTANCE_PATH
        "EVIDENCE_MAX_BYTES": _int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024),
        "FEEDBACK_MIN_COMMENTS": _int("FEEDBACK_MIN_COMMENTS", 5),
        # werkzeug's scrypt: memory-hard, the modern default; only tests choose a cheaper one.
        "PASSWORD_HASH_METHOD": "scrypt",
        "TRUSTED_PROXY_COUNT": _int("TRUSTED_PROXY_COUNT", 0),
        "BABEL_DEFAULT_LOCALE": _env("DEFAULT_LOCALE", "zh_CN"),
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        # Stored times are UTC; staff pages show them, and read typed times, in this zone.
        "DISPLAY_TIMEZONE": _env("DISPLAY_TIMEZONE", "Asia/Shanghai"),
        # Pre-ping costs one round trip per request but turns a database restart into no error at all;
        # without it the first request on each stale connection fails (and the client's resend succeeds).
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": _env("DATABASE_POOL_PRE_PING", "true") == "true",
            "pool_recycle": _int("DATABASE_POOL_RECYCLE_SECONDS", 1800),
        },
        "API_TITLE": "survey-api",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "JSON_AS_ASCII": False,
    }
    public_is_https = config["PUBLIC_BASE_URL"].startswith("https://")
    config.update(
        # Staff sessions: HttpOnly, same-site, secure whenever the site is served over HTTPS; a working day long.
        SESSION_COOKIE_SECURE=_env("SESSION_COOKIE_SECURE", "true" if public_is_https else "false") == "true",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=_int("SESSION_HOURS", 8) * 3600,
        WTF_CSRF_TIME_LIMIT=_int("SESSION_HOURS", 8) * 3600,
        WTF_CSRF_SSL_STRICT=public_is_https,
    )
    config.update(rate_limit_settings())
    if overrides:
        config.update(overrides)
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    return config


SUPPORTED_LOCALES = ("zh_CN", "en")
