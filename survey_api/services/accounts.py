"""Staff accounts: create, sign in with lockout, change password."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.access import Role, check_password_policy, lockout_seconds
from ..errors import AppError
from ..extensions import db
from ..models import User
from .audit import Actor, record
from .clock import utcnow
from .units import get_unit

# Compared against when the username does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-for-timing")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _check_policy(password: str, username: str) -> None:
    problem = check_password_policy(password, username)
    if problem:
        raise AppError("account.weak_password", details={"password": [problem]})


def create_user(
    actor: Actor,
    username: str,
    password: str,
    role: Role,
    display_name: str | None = None,
    unit_code: str | None = None,
) -> User:
    """Add a staff account; a unit account needs its unit, no other role may have one."""
    username = username.strip().lower()
    if (role is Role.UNIT) != bool(unit_code):
        raise AppError("account.unit_mismatch")
    _check_policy(password, username)
    unit = get_unit(unit_code) if unit_code else None
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        unit_id=unit.id if unit else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as exc:
        raise AppError("account.exists", details={"username": username}) from exc
    record(actor, "user.create", "user", user.id, {"username": username, "role": role.value, "unit": unit_code})
    return user


def authenticate(username: str, password: str, ip_address: str | None, now: datetime | None = None) -> User:
    """The active user with these credentials; repeated failures lock the account for a growing time."""
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.is_active:
        check_password_hash(_DUMMY_HASH, password)
        raise AppError("auth.invalid_credentials")
    if user.locked_until is not None and user.locked_until > now:
        raise AppError("auth.locked", details={"retry_after": int((user.locked_until - now).total_seconds()) + 1})
    actor = Actor(user.id, user.username, user.role.value, "web", ip_address)
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        wait = lockout_seconds(user.failed_logins)
        user.locked_until = now + timedelta(seconds=wait) if wait else None
        record(actor, "auth.login_failed", "user", user.id, {"failed_logins": user.failed_logins, "locked_for": wait})
        raise AppError("auth.invalid_credentials")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    record(actor, "auth.login", "user", user.id)
    return user


def change_password(actor: Actor, user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one; every other session of the user ends."""
    if not check_password_hash(user.password_hash, current):
        raise AppError("auth.invalid_credentials")
    _check_policy(new, user.username)
    user.password_hash = hash_password(new)
    user.session_epoch += 1
    record(actor, "user.password_change", "user", user.id)


def get_user(user_id: int) -> User:
    """The account with this id, or account.not_found."""
    user = db.session.get(User, user_id)
    if user is None:
        raise AppError("account.not_found")
    return user


def set_active(actor: Actor, user: User, active: bool) -> User:
    """Enable or disable an account. A disabled account cannot sign in, its sessions end and its API tokens stop
    working at once; nothing it did is removed. An admin cannot disable their own account."""
    if not active and actor.user_id == user.id:
        raise AppError("account.self_disable")
    if user.is_active != active:
        user.is_active = active
        user.session_epoch += 1
        record(actor, "user.enable" if active else "user.disable", "user", user.id, {"is_active": [not active, active]})
    return user


def reset_password(actor: Actor, user: User, new: str) -> None:
    """Set a new password for someone who lost theirs (an admin or the command line); their sessions end."""
    _check_policy(new, user.username)
    user.password_hash = hash_password(new)
    user.session_epoch += 1
    user.failed_logins = 0
    user.locked_until = None
    record(actor, "user.password_reset", "user", user.id)


def load_session_user(session_id: str) -> User | None:
    """The user behind a session id "user_id:epoch", if the account is active and the epoch is current."""
    user_id, _, epoch = session_id.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_epoch != int(epoch):
        return None
    return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))
