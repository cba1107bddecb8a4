"""Fieldwork: households assigned to enumerators in batches, and each visit recorded once (a resend with the same
submission id returns the first record). A completed visit stores the interview as a household-channel response
whose identity key is the household's, so one household can never count twice; a final outcome other than an
interview releases the next reserve household of the same stratum to the same enumerator."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import select

from ..domain.access import Role
from ..domain.fieldwork import DEFAULT_MAX_VISITS, HouseholdState, Outcome, after_visit
from ..errors import AppError
from ..extensions import db
from ..models import CampaignUnit, Channel, Household, Response, SampleDesign, User, Visit
from .audit import Actor, record
from .clock import utcnow
from .identity import RespondentKey
from .responses import Submission, submit

SUBMISSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
OPEN_STATES = (HouseholdState.PENDING,)


def enumerator(username: str) -> User:
    """The active enumerator account with this username, or assignment.invalid."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or user.role is not Role.ENUMERATOR or not user.is_active:
        raise AppError("assignment.invalid", details={"enumerator": [f"{username[:64]}: no active enumerator"]})
    return user


def assign(actor: Actor, campaign_id: int, household_ids: Sequence[int], username: str) -> int:
    """Assign (or reassign) released, unfinished households to one enumerator; returns how many changed hands."""
    target = enumerator(username)
    households = db.session.scalars(
        select(Household).where(
            Household.campaign_id == campaign_id,
            Household.id.in_(list(household_ids)),
            Household.state.in_(OPEN_STATES),
        )
    ).all()
    if len(households) != len(set(household_ids)):
        raise AppError("assignment.invalid", details={"households": ["only released households still being visited"]})
    now = utcnow()
    changed = 0
    for household in households:
        if household.enumerator_id == target.id:
            continue
        household.previous_enumerator_id = household.enumerator_id
        household.enumerator_id, household.assigned_at = target.id, now
        changed += 1
    record(actor, "households.assign", "campaign", campaign_id, {"enumerator": username, "households": changed})
    return changed


def assign_in_batches(actor: Actor, campaign_id: int, unit_id: int | None, usernames: Sequence[str]) -> dict[str, int]:
    """Share the unassigned released households among the enumerators in contiguous batches by community (so each
    walks whole neighbourhoods); returns how many each received."""
    if not usernames:
        raise AppError("assignment.invalid", details={"enumerators": ["name at least one enumerator"]})
    targets = [enumerator(name) for name in usernames]
    query = select(Household).where(
        Household.campaign_id == campaign_id,
        Household.state == HouseholdState.PENDING,
        Household.enumerator_id.is_(None),
    )
    if unit_id is not None:
        query = query.where(Household.unit_id == unit_id)
    households = db.session.scalars(query.order_by(Household.unit_id, Household.community, Household.id)).all()
    now = utcnow()
    counts = {}
    share, extra = divmod(len(households), len(targets))
    start = 0
    for index, user in enumerate(targets):
        batch = households[start : start + share + (1 if index < extra else 0)]
        start += len(batch)
        for household in batch:
            household.enumerator_id, household.assigned_at = user.id, now
        counts[user.username] = len(batch)
    record(actor, "households.assign_batches", "campaign", campaign_id, {"assigned": counts})
    return counts


@dataclass(frozen=True)
class VisitRecord:
    submission_id: str
    household_id: int
    outcome: Outcome
    visited_at: datetime
    answers: Any = None  # the interview's answers, for a completed visit
    duration_seconds: int | None = None


@dataclass(frozen=True)
class VisitReceipt:
    submission_id: str
    household_id: int
    outcome: str
    state: str
    receipt_code: str | None
    is_new: bool


def may_visit(user: User, household: Household) -> bool:
    """The household's enumerator may visit it; the one before a reassignment keeps the visits made before it."""
    if household.enumerator_id == user.id:
        return True
    return household.previous_enumerator_id == user.id and household.assigned_at is not None


def assigned_household(user: User, household_id: int, lock: bool = False) -> Household:
    """A sampled household this enumerator may visit; household.not_found or household.not_assigned otherwise."""
    query = select(Household).where(Household.id == household_id, Household.state.is_not(None))
    household = db.session.scalar(query.with_for_update() if lock else query)
    if household is None or household.state is HouseholdState.RESERVE:
        raise AppError("household.not_found")
    if not may_visit(user, household):
        raise AppError("household.not_assigned")
    return household


def record_visit(user: User, visit: VisitRecord) -> VisitReceipt:
    """Store one visit once: the same submission id again returns the first receipt, with different content it is
    visit.conflict; a visit to a finished household is household.finished."""
    if not SUBMISSION_ID.match(visit.submission_id or ""):
        raise AppError("request.invalid", details={"submission_id": ["Use 8–64 letters, digits, - or _ (a UUID)."]})
    household = assigned_household(user, visit.household_id, lock=True)
    if household.previous_enumerator_id == user.id and household.enumerator_id != user.id:
        if visit.visited_at > household.assigned_at:
            raise AppError("household.not_assigned")
    earlier = db.session.scalar(select(Visit).where(Visit.submission_id == visit.submission_id))
    if earlier is not None:
        return _resend(user, household, earlier, visit)
    if household.state.is_final:
        raise AppError("household.finished", state=household.state)
    design = db.session.scalar(
        select(SampleDesign).where(
            SampleDesign.campaign_id == household.campaign_id, SampleDesign.unit_id == household.unit_id
        )
    )
    receipt_code, response_id = None, None
    if visit.outcome is Outcome.COMPLETED:
        receipt_code, response_id = _store_interview(household, visit)
    effect = after_visit(visit.outcome, household.visit_count, design.max_visits if design else DEFAULT_MAX_VISITS)
    now = utcnow()
    household.visit_count += 1
    household.state = effect.state
    if effect.state.is_final:
        household.finished_at = now
    if effect.release_replacement:
        release_replacement(household, now)
    db.session.add(
        Visit(
            submission_id=visit.submission_id,
            household_id=household.id,
            enumerator_id=user.id,
            outcome=visit.outcome,
            visited_at=visit.visited_at,
            response_id=response_id,
        )
    )
    db.session.flush()
    actor = Actor(user.id, user.username, user.role.value, "web")
    record(actor, "household.visit", "household", household.id, {"outcome": visit.outcome.value})
    return VisitReceipt(
        visit.submission_id, household.id, visit.outcome.value, household.state.value, receipt_code, True
    )


def _resend(user: User, household: Household, earlier: Visit, visit: VisitRecord) -> VisitReceipt:
    if earlier.household_id != household.id or earlier.outcome is not visit.outcome:
        raise AppError("visit.conflict")
    receipt_code = None
    if visit.outcome is Outcome.COMPLETED:
        receipt_code, _ = _store_interview(household, visit)  # the responses table settles a changed answer
    return VisitReceipt(
        visit.submission_id, household.id, visit.outcome.value, household.state.value, receipt_code, False
    )


def _store_interview(household: Household, visit: VisitRecord) -> tuple[str, int]:
    """Store the interview through the one submission path, under the household's identity key."""
    token = db.session.scalar(
        select(CampaignUnit.link_token).where(
            CampaignUnit.campaign_id == household.campaign_id, CampaignUnit.unit_id == household.unit_id
        )
    )
    receipt = submit(
        Submission(
            link_token=token,
            submission_id=visit.submission_id,
            answers=visit.answers,
            channel=Channel.HOUSEHOLD,
            duration_seconds=visit.duration_seconds,
            key=RespondentKey(household.identity_key),
        )
    )
    response_id = db.session.scalar(select(Response.id).where(Response.submission_id == visit.submission_id))
    # Households are drawn one by one within their stratum, so each interview is its own primary sampling unit:
    # the stratum is recorded and no cluster (domain/design.py then treats every respondent as a PSU).
    db.session.execute(
        Response.__table__.update().where(Response.id == response_id).values(stratum=household.stratum[:64])
    )
    return receipt.code, response_id


def release_replacement(household: Household, now: datetime) -> Household | None:
    """Release the next reserve household of the same unit and stratum to the same enumerator, if one is left."""
    replacement = db.session.scalar(
        select(Household)
        .where(
            Household.campaign_id == household.campaign_id,
            Household.unit_id == household.unit_id,
            Household.stratum == household.stratum,
            Household.state == HouseholdState.RESERVE,
        )
        .order_by(Household.reserve_rank)
        .limit(1)
    )
    if replacement is None:
        return None
    replacement.state = HouseholdState.PENDING
    replacement.released_at = now
    replacement.replaces_id = household.id
    replacement.enumerator_id, replacement.assigned_at = household.enumerator_id, now
    return replacement


def households_of(user: User) -> list[Household]:
    """The enumerator's list: households to visit first, then those finished, by community and id."""
    households = db.session.scalars(
        select(Household).where(Household.enumerator_id == user.id).order_by(Household.community, Household.id)
    ).all()
    return sorted(households, key=lambda h: h.state.is_final)


def reassign(actor: Actor, campaign_id: int, from_username: str, to_username: str, community: str | None) -> int:
    """Move an enumerator's households still being visited (optionally of one community) to another enumerator."""
    source = enumerator(from_username)
    query = select(Household.id).where(
        Household.campaign_id == campaign_id,
        Household.enumerator_id == source.id,
        Household.state == HouseholdState.PENDING,
    )
    if community:
        query = query.where(Household.community == community)
    return assign(actor, campaign_id, list(db.session.scalars(query)), to_username)
