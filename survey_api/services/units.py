"""Evaluated units."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import AppError
from ..extensions import db
from ..models import Unit
from .audit import Actor, record


def create_unit(actor: Actor, code: str, name: str, category: str, parent_area: str | None = None) -> Unit:
    """Add a unit; a code already in use is a conflict."""
    unit = Unit(code=code, name=name, category=category, parent_area=parent_area)
    try:
        with db.session.begin_nested():
            db.session.add(unit)
    except IntegrityError as exc:
        raise AppError("unit.exists", details={"code": code}) from exc
    record(
        actor,
        "unit.create",
        "unit",
        unit.id,
        {"code": code, "name": name, "category": category, "parent_area": parent_area},
    )
    return unit


def list_units(category: str | None = None, only_unit_id: int | None = None) -> list[Unit]:
    """Units in code order, optionally of one category, or only one unit (for a unit's own staff)."""
    query = select(Unit).order_by(Unit.code)
    if only_unit_id is not None:
        query = query.where(Unit.id == only_unit_id)
    if category:
        query = query.where(Unit.category == category)
    return list(db.session.scalars(query))


def get_unit(code: str) -> Unit:
    """The unit with this code, or unit.not_found."""
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise AppError("unit.not_found", code=code)
    return unit


def units_by_codes(codes: list[str]) -> list[Unit]:
    """The units with these codes, in the given order; any unknown code is reported."""
    found = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(codes)))}
    missing = [c for c in codes if c not in found]
    if missing:
        raise AppError("unit.not_found", code=", ".join(missing), details={"missing": missing})
    return [found[c] for c in codes]
