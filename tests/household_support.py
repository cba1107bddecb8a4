"""Shared set-up for the household-survey tests: a household campaign with a frame, a drawn sample and
enumerators, built through the services like real callers."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from survey_api.domain.fieldwork import Outcome
from survey_api.domain.sampling import Allocation, SizeTarget
from survey_api.extensions import db
from survey_api.services.audit import SYSTEM
from survey_api.services.fieldwork import VisitRecord, assign_in_batches, households_of, record_visit
from survey_api.services.household_frame import import_frame
from survey_api.services.household_sample import DesignRequest, draw_sample

from .factories import create_account, create_campaign, create_unit, full_answers


def frame_file(unit_code: str, count: int, communities: int = 3, prefix: str = "H") -> bytes:
    lines = ["household,unit,community,address,size"]
    for n in range(count):
        lines.append(f"{prefix}{n:05d},{unit_code},第{n % communities + 1}社区,幸福路{n}号,{n % 5 + 1}")
    return ("\n".join(lines) + "\n").encode()


def household_campaign(count: int = 60, communities: int = 3):
    """An open household-mode campaign over one unit whose frame holds `count` households."""
    unit = create_unit(code=f"T{uuid.uuid4().hex[:6]}")
    campaign = create_campaign([unit], identity_mode="household")
    report = import_frame(SYSTEM, campaign.id, "frame.csv", frame_file(unit.code, count, communities))
    assert not report.is_rejected, report.problems
    db.session.commit()
    return campaign, unit


def drawn(campaign, unit, seed: int = 11, margin: float = 8.0, max_visits: int = 3, reserve_share: float = 0.5):
    design = draw_sample(
        SYSTEM,
        campaign.id,
        DesignRequest(unit.code, SizeTarget(margin=margin), Allocation.PROPORTIONAL, reserve_share, max_visits, seed),
    )
    db.session.commit()
    return design


def enumerators(*names: str):
    return [create_account(f"{name}{uuid.uuid4().hex[:6]}", "enumerator") for name in names]


def now() -> datetime:
    return datetime.now(timezone.utc)


def visit(user, household, outcome: Outcome, campaign=None) -> None:
    """One visit recorded now by the enumerator; a completed one carries a full interview of the campaign's forms."""
    answers = full_answers(campaign) if outcome is Outcome.COMPLETED else None
    record_visit(user, VisitRecord(uuid.uuid4().hex, household.id, outcome, now(), answers, 600 if answers else None))


def surveyed_campaign():
    """A drawn household campaign with three interviews, one refusal and one household nobody was home at (once),
    all by one enumerator; returns the campaign, its unit, the enumerator and their households."""
    campaign, unit = household_campaign(count=60)
    drawn(campaign, unit)
    (user,) = enumerators("rates")
    assign_in_batches(SYSTEM, campaign.id, None, [user.username])
    mine = households_of(user)
    for household in mine[:3]:
        visit(user, household, Outcome.COMPLETED, campaign)
    visit(user, mine[3], Outcome.REFUSED)
    visit(user, mine[4], Outcome.NOBODY_HOME)
    db.session.commit()
    return campaign, unit, user, mine


def remove_household_campaign(campaign_id: int, unit_ids: tuple[int, ...] = ()) -> None:
    """Delete a committed household campaign: its visits, back-checks, households and designs, then the rest."""
    from sqlalchemy import delete, select

    from survey_api.models import BackCheck, Household, SampleDesign, Visit

    households = select(Household.id).where(Household.campaign_id == campaign_id)
    db.session.execute(delete(Visit).where(Visit.household_id.in_(households)))
    db.session.execute(delete(BackCheck).where(BackCheck.household_id.in_(households)))
    db.session.execute(
        Household.__table__.update().where(Household.campaign_id == campaign_id).values(replaces_id=None)
    )
    db.session.execute(delete(Household).where(Household.campaign_id == campaign_id))
    db.session.execute(delete(SampleDesign).where(SampleDesign.campaign_id == campaign_id))
    from .factories import remove_campaign

    remove_campaign(campaign_id, unit_ids)
