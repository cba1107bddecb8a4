"""Rate limits: which requests are counted, by what key, and against which setting.

Counters live in Redis when REDIS_URL is set, so every app process and host shares them, and in process memory
otherwise. When Redis cannot be reached the limiter logs it and counts in memory until Redis answers again: a
lost Redis weakens the limits for a while but never fails a request.

Flask-Limiter keeps its storage on the Limiter object, not per app, so each app gets a limiter of its own here
(tests build apps with different storages side by side); the rules below are data, read on every request."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Callable

from flask import Flask, current_app, request
from flask_limiter import Limit, Limiter, RateLimitExceeded
from limits import parse_many

log = logging.getLogger(__name__)

SUBMIT_ENDPOINTS = frozenset({"public.submit_questionnaire", "public_api.post_response"})
PAGE_ENDPOINTS = frozenset({"public.index", "public.questionnaire", "public.thanks", "public_api.get_link"})
PUBLIC_API_BLUEPRINT = "public_api"
SIGN_IN_ENDPOINT = "console.login_post"
BALLOT_BLUEPRINT = "ballot"  # ballot pages and submissions: counted apart, never keyed by the slip code
BALLOT_MISS_STATUS = 404  # an unknown (or voided) slip code: what someone guessing codes mostly gets
SIGN_IN_FAILED_STATUS = 401


def client_key() -> str:
    """The client's address, as far as the trusted proxies (TRUSTED_PROXY_COUNT, applied by ProxyFix) vouch."""
    return request.remote_addr or "unknown"


def link_token_key() -> str:
    return (request.view_args or {}).get("token") or "-"


def username_key() -> str:
    # Normalised as sign-in does, so "Kaohe " and "kaohe" share one counter.
    return request.form.get("username", "")[:64].strip().lower() or "-"


def api_token_key() -> str:
    # Only a digest goes to the shared storage: a counter key must never reveal a usable token.
    token = request.headers.get("Authorization", "")[7:].strip()
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def _is_submission() -> bool:
    return request.endpoint in SUBMIT_ENDPOINTS


def _is_page_view() -> bool:
    return request.endpoint in PAGE_ENDPOINTS


def _is_sign_in() -> bool:
    return request.endpoint == SIGN_IN_ENDPOINT


def _is_token_api_call() -> bool:
    return (
        request.path.startswith("/api/")
        and request.blueprint != PUBLIC_API_BLUEPRINT
        and request.headers.get("Authorization", "").startswith("Bearer ")
    )


def _is_ballot_request() -> bool:
    return request.blueprint == BALLOT_BLUEPRINT


def _ballot_missed(response) -> bool:
    return response.status_code == BALLOT_MISS_STATUS


def _sign_in_failed(response) -> bool:
    return response.status_code == SIGN_IN_FAILED_STATUS


@dataclass(frozen=True)
class Rule:
    """One counter: requests for which `applies` is true are counted per `key` against the limit in `setting`.
    With `counts`, only requests whose response passes it are counted (e.g. failed sign-ins)."""

    name: str
    setting: str
    applies: Callable[[], bool]
    key: Callable[[], str]
    counts: Callable[..., bool] | None = None


RULES = (
    Rule("submit-link", "RATE_LIMIT_SUBMIT_PER_LINK", _is_submission, link_token_key),
    Rule("submit-address", "RATE_LIMIT_SUBMIT_PER_ADDRESS", _is_submission, client_key),
    Rule("page-address", "RATE_LIMIT_PAGES_PER_ADDRESS", _is_page_view, client_key),
    Rule("sign-in-address", "RATE_LIMIT_SIGN_IN_FAILURES_PER_ADDRESS", _is_sign_in, client_key, _sign_in_failed),
    Rule("sign-in-username", "RATE_LIMIT_SIGN_IN_PER_USERNAME", _is_sign_in, username_key),
    Rule("api-token", "RATE_LIMIT_API_PER_TOKEN", _is_token_api_call, api_token_key),
    Rule("ballot-address", "RATE_LIMIT_BALLOTS_PER_ADDRESS", _is_ballot_request, client_key),
    Rule("ballot-miss-address", "RATE_LIMIT_BALLOT_MISSES_PER_ADDRESS", _is_ballot_request, client_key, _ballot_missed),
)


def _limit_for(rule: Rule) -> Limit:
    def provider() -> str:
        # An empty limit string means "no limit here": the rule does not apply to this request.
        return current_app.config[rule.setting] if rule.applies() else ""

    return Limit(provider, key_function=rule.key, scope=rule.name, shared=True, deduct_when=rule.counts)


def check_limit_settings(config: dict) -> None:
    """Refuse to start with a limit that does not parse, naming the setting, rather than fail on a request."""
    for rule in RULES:
        value = config[rule.setting]
        try:
            parse_many(value)
        except ValueError as error:
            raise ValueError(f"{rule.setting}={value!r} is not a rate limit such as '60/minute;600/hour'") from error


def init_rate_limits(app: Flask) -> Limiter:
    """Bind a limiter with the rules above to the app; its storage comes from REDIS_URL (memory without)."""
    config = app.config
    check_limit_settings(config)
    timeout = config["REDIS_TIMEOUT_SECONDS"]
    redis_url = config["REDIS_URL"]
    limiter = Limiter(
        client_key,
        default_limits=[_limit_for(rule) for rule in RULES],
        storage_uri=redis_url or "memory://",
        # Short timeouts: a Redis that hangs must cost a request a fraction of a second, then the memory fallback.
        storage_options={"socket_connect_timeout": timeout, "socket_timeout": timeout} if redis_url else {},
        strategy="fixed-window",  # one INCR per counter and request; the cheapest strategy on Redis
        key_prefix=config["RATE_LIMIT_KEY_PREFIX"],
        in_memory_fallback_enabled=True,
        swallow_errors=True,  # a storage failure after the fallback is logged and the request served
        enabled=config["RATE_LIMIT_ENABLED"],
    )
    limiter.init_app(app)
    app.extensions["rate_limiter"] = limiter
    log.info("rate limits %s, counted in %s", "on" if limiter.enabled else "off", "Redis" if redis_url else "memory")
    return limiter


def retry_after_seconds(exc: RateLimitExceeded) -> int:
    """Whole seconds until the breached counter's window ends (at least 1)."""
    limiter: Limiter = current_app.extensions["rate_limiter"]
    current = limiter.current_limit
    try:
        reset_at = current.reset_at if current is not None else None
    except Exception:  # the storage went away between counting and answering: fall back to the window length
        reset_at = None
    if reset_at is None:
        return max(1, int(exc.limit.limit.get_expiry()))
    return max(1, int(reset_at - time.time()))
