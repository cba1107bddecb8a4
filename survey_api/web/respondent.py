"""How the questionnaire page knows a returning respondent: the device id in a signed, long-lived cookie (which
the page's script mirrors in local storage, so clearing cookies alone keeps the identity), and the signed ticket
that lets a respondent confirm a replacement without typing their key again or seeing it echoed in the page."""

from __future__ import annotations

import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from ..domain.identity import DEVICE_ID_PATTERN

DEVICE_COOKIE = "sa_device"
DEVICE_FIELD = "device"
DEVICE_COOKIE_DAYS = 730  # two years: longer than any campaign, so a phone keeps one identity across a survey
TICKET_FIELD = "identity_ticket"
TICKET_SECONDS = 3600


def _device_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="device-id")


def _ticket_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="identity-ticket")


def _device_id(signed: str | None) -> str | None:
    if not signed:
        return None
    try:
        value = _device_signer().loads(signed)
    except BadSignature:
        return None
    return value if isinstance(value, str) and DEVICE_ID_PATTERN.match(value) else None


def signed_device() -> str:
    """This browser's signed device id: the one the page's script sent back (from local storage), else the
    cookie's, else a new one."""
    for signed in (request.form.get(DEVICE_FIELD), request.cookies.get(DEVICE_COOKIE)):
        if _device_id(signed):
            return str(signed)
    return _device_signer().dumps(secrets.token_urlsafe(18))


def device_id(signed: str) -> str:
    """The clear device id inside a signed value from signed_device()."""
    value = _device_id(signed)
    if value is None:
        raise ValueError("not a signed device id")
    return value


def keep_device(response: Response, signed: str) -> Response:
    """Set (or renew) the device cookie on a page's answer."""
    response.set_cookie(
        DEVICE_COOKIE,
        signed,
        max_age=DEVICE_COOKIE_DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response


def replacement_ticket(token: str, identity_key: str) -> str:
    """A signed, short-lived ticket naming the identity key that already answered through this link."""
    return _ticket_signer().dumps([token, identity_key])


def ticket_identity_key(token: str) -> str | None:
    """The identity key from a posted replacement ticket for this link, or None if absent, forged or stale."""
    ticket = request.form.get(TICKET_FIELD)
    if not ticket:
        return None
    try:
        signed_token, key = _ticket_signer().loads(ticket, max_age=TICKET_SECONDS)
    except (BadSignature, ValueError, TypeError):
        return None
    return key if signed_token == token and isinstance(key, str) else None
