"""Personal API tokens: created and revoked by their owner, stored only as a SHA-256, shown once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..errors import AppError
from ..extensions import db
from ..models import ApiToken, User
from .audit import Actor, record
from .clock import utcnow

TOKEN_PREFIX = "sa_"
TOUCH_INTERVAL = timedelta(minutes=10)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the only time the plain token exists outside the client


def _digest(secret: str) -> str:
    # The token is 256 random bits, so a fast unsalted hash is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(actor: Actor, user: User, name: str, valid_days: int | None = None) -> IssuedToken:
    """A new token for the user; the secret is returned once and never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=valid_days) if valid_days else None
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:10], token_hash=_digest(secret), expires_at=expires)
    db.session.add(token)
    db.session.flush()
    record(actor, "token.create", "api_token", token.id, {"name": name, "expires_at": expires})
    return IssuedToken(token, secret)


def list_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_token(actor: Actor, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; someone else's token is not found."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise AppError("token.not_found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(actor, "token.revoke", "api_token", token.id, {"name": token.name})
    return token


def user_for_token(secret: str, now: datetime | None = None) -> User | None:
    """The active owner of a valid, unrevoked, unexpired token, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    now = now or utcnow()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL:
        token.last_used_at = now  # roughly current, without a write on every call
    return token.user
