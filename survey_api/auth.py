"""Who is asking: staff sign in with a cookie session for the pages, scripts send a personal API token.
Every protected view names its action; the permission table in domain/access.py decides."""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any, Callable

from flask import Flask, g, redirect, request, url_for
from flask_login import current_user

from .domain.access import Role, is_allowed, may_see_unit
from .errors import AppError
from .extensions import db, login_manager
from .models import User
from .services.accounts import load_session_user
from .services.api_tokens import user_for_token
from .services.audit import Actor

log = logging.getLogger(__name__)


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)
    login_manager.unauthorized_handler(_unauthorized)


def _unauthorized():
    if request.path.startswith("/api/"):
        raise AppError("auth.required")
    return redirect(url_for("console.login", next=request.full_path.rstrip("?")))


def client_address() -> str | None:
    return request.remote_addr


def actor_for(user: User, via: str) -> Actor:
    return Actor(user.id, user.username, user.role.value, via, client_address())


def _token_user() -> User | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    user = user_for_token(header[7:].strip())
    if db.session.dirty:
        db.session.commit()  # the token's last-used time, in its own small transaction before the view's
    return user


def _authorise(user: User | None, action: str) -> User:
    if user is None:
        raise AppError("auth.required")
    if not is_allowed(user.role, action):
        log.warning(
            "refused %s (%s) for %s on %s %s", user.username, user.role.value, action, request.method, request.path
        )
        raise AppError("auth.forbidden")
    return user


def api_requires(action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An API view for this action: a valid API token whose owner's role may take it (401, then 403)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = _authorise(_token_user(), action)
            g.user, g.actor = user, actor_for(user, "api")
            return view(*args, **kwargs)

        wrapper.required_action = action  # read by the permission-matrix test
        return wrapper

    return decorator


def page_requires(action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A console page for this action: signed in (else to the login page) with a role that may take it (403)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return _unauthorized()
            user = _authorise(current_user._get_current_object(), action)
            g.user, g.actor = user, actor_for(user, "web")
            return view(*args, **kwargs)

        wrapper.required_action = action
        return wrapper

    return decorator


def ensure_unit_visible(unit_id: int, unit_code: str) -> None:
    """A unit user asking for another unit's data gets the same answer as for a unit that does not exist."""
    user: User = g.user
    if not may_see_unit(user.role, user.unit_id, unit_id):
        log.warning("refused %s (unit %s) access to unit %s", user.username, user.unit_id, unit_code)
        raise AppError("unit.not_found", code=unit_code)


def own_unit_only() -> int | None:
    """The unit id a unit user is limited to, or None for roles that see every unit."""
    user: User = g.user
    return user.unit_id if user.role is Role.UNIT else None
