"""Assessment periods: creating one from a shipped rule set, editing its rules, units and sources while it is a
draft (or being corrected), and the lock that publishing sets."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from flask import current_app
from sqlalchemy import select

from ..domain.period_rules import KINDS, PeriodRules, PeriodRulesError, parse_period_rules
from ..errors import AppError
from ..extensions import db
from ..models import AssessmentPeriod, Campaign, Meeting, PeriodState, PeriodUnit, Unit
from .audit import Actor, record

EDITABLE = (PeriodState.DRAFT, PeriodState.CORRECTING)


def default_rules(kind: str) -> dict[str, Any]:
    """The shipped rule set of this kind (rules/periods/<kind>.yaml)."""
    path = Path(current_app.config["RULES_DIR"]) / "periods" / f"{kind}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def check_period_rules(document: Any) -> PeriodRules:
    """The parsed rules, or period.rules_invalid naming every field with a problem."""
    try:
        return parse_period_rules(document)
    except PeriodRulesError as exc:
        raise AppError("period.rules_invalid", details=exc.problems) from exc


@dataclass(frozen=True)
class NewPeriod:
    title: str
    kind: str = "annual"
    unit_codes: tuple[str, ...] = ()
    campaign_id: int | None = None
    meeting_ids: tuple[int, ...] = ()
    rules: dict[str, Any] | None = None  # None: the shipped rule set of the kind


def create_period(actor: Actor, new: NewPeriod) -> AssessmentPeriod:
    """A draft period over these units (level 1 each) with its rule set; nothing is stored if anything is invalid."""
    title = new.title.strip()
    if not title:
        raise AppError("period.invalid", details={"title": "must not be empty"})
    if new.kind not in KINDS:
        raise AppError("period.invalid", details={"kind": f"must be one of {sorted(KINDS)}"})
    document = copy.deepcopy(new.rules) if new.rules is not None else default_rules(new.kind)
    check_period_rules(document)
    if db.session.scalar(select(AssessmentPeriod.id).where(AssessmentPeriod.title == title)) is not None:
        raise AppError("period.exists")
    units = _units_by_code(new.unit_codes)
    _check_sources(new.campaign_id, new.meeting_ids)
    period = AssessmentPeriod(
        title=title,
        kind=new.kind,
        rules=document,
        campaign_id=new.campaign_id,
        meeting_ids=list(new.meeting_ids),
        units=[PeriodUnit(unit_id=u.id) for u in units],
    )
    db.session.add(period)
    db.session.flush()
    record(actor, "period.create", "assessment_period", period.id, {"title": title, "units": list(new.unit_codes)})
    return period


def get_period(period_id: int) -> AssessmentPeriod:
    period = db.session.get(AssessmentPeriod, period_id)
    if period is None:
        raise AppError("period.not_found")
    return period


def list_periods() -> list[AssessmentPeriod]:
    return list(db.session.scalars(select(AssessmentPeriod).order_by(AssessmentPeriod.id.desc())))


def ensure_editable(period: AssessmentPeriod) -> None:
    """Refuse any change once the period is published (until a correction is opened)."""
    if period.state not in EDITABLE:
        raise AppError("period.locked")


def update_rules(actor: Actor, period: AssessmentPeriod, document: Any) -> AssessmentPeriod:
    """Replace the period's rule set with a valid one; an invalid one changes nothing."""
    ensure_editable(period)
    check_period_rules(document)
    if document != period.rules:
        record(
            actor,
            "period.rules",
            "assessment_period",
            period.id,
            {"version": period.rules_version + 1, "before": period.rules, "after": document},
        )
        period.rules = copy.deepcopy(document)
        period.rules_version += 1
    return period


@dataclass(frozen=True)
class PeriodSetup:
    """Which units are assessed, at which difficulty level, and where the campaign and meeting inputs come from."""

    levels: dict[str, int]  # unit code → difficulty level
    campaign_id: int | None
    meeting_ids: tuple[int, ...]


def update_setup(actor: Actor, period: AssessmentPeriod, setup: PeriodSetup) -> AssessmentPeriod:
    """Replace the units, their levels and the sources; all or nothing."""
    ensure_editable(period)
    rules = check_period_rules(period.rules)
    bad = {
        code: f"must be between 1 and {len(rules.coefficients)}"
        for code, level in setup.levels.items()
        if not 1 <= level <= len(rules.coefficients)
    }
    if bad:
        raise AppError("period.invalid", details={f"levels.{code}": message for code, message in bad.items()})
    units = {u.code: u for u in _units_by_code(tuple(setup.levels))}
    _check_sources(setup.campaign_id, setup.meeting_ids)
    current = {pu.unit.code: pu for pu in period.units}
    for code, pu in current.items():
        if code not in units:
            period.units.remove(pu)
    for code, unit in units.items():
        if code in current:
            current[code].level = setup.levels[code]
        else:
            period.units.append(PeriodUnit(unit_id=unit.id, level=setup.levels[code]))
    period.campaign_id = setup.campaign_id
    period.meeting_ids = list(setup.meeting_ids)
    db.session.flush()
    record(
        actor,
        "period.setup",
        "assessment_period",
        period.id,
        {"levels": setup.levels, "campaign": setup.campaign_id, "meetings": list(setup.meeting_ids)},
    )
    return period


def _units_by_code(codes: tuple[str, ...]) -> list[Unit]:
    found = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(codes)))} if codes else {}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise AppError("period.invalid", details={"units": f"no unit has the code {', '.join(unknown)}"})
    return [found[c] for c in dict.fromkeys(codes)]


def _check_sources(campaign_id: int | None, meeting_ids: tuple[int, ...]) -> None:
    problems = {}
    if campaign_id is not None and db.session.get(Campaign, campaign_id) is None:
        problems["campaign_id"] = f"no campaign has the id {campaign_id}"
    if meeting_ids:
        known = set(db.session.scalars(select(Meeting.id).where(Meeting.id.in_(meeting_ids))))
        missing = [str(m) for m in meeting_ids if m not in known]
        if missing:
            problems["meeting_ids"] = f"no evaluation meeting has the id {', '.join(missing)}"
    if problems:
        raise AppError("period.invalid", details=problems)
