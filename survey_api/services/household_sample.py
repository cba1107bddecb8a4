"""Drawing a unit's household sample from the campaign's frame (domain/sampling.py), once, with its seed and
design recorded so that anyone can redraw it and get the same households."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update

from ..domain.fieldwork import DEFAULT_MAX_VISITS, HouseholdState
from ..domain.sampling import Allocation, SizeTarget, allocate, draw, reserve_sizes, sample_size
from ..errors import AppError
from ..extensions import db
from ..models import CampaignUnit, Household, SampleDesign, Unit
from .audit import Actor, record
from .campaigns import get_campaign
from .clock import utcnow

MAX_SEED = 2**48


@dataclass(frozen=True)
class DesignRequest:
    unit_code: str
    target: SizeTarget = SizeTarget()
    allocation: Allocation = Allocation.PROPORTIONAL
    reserve_share: float = 0.5  # reserve households per main household of a stratum
    max_visits: int = DEFAULT_MAX_VISITS
    seed: int | None = None  # None: a fresh random seed, recorded


def campaign_unit(campaign_id: int, unit_code: str) -> Unit:
    """The unit with this code among the campaign's units, or unit.not_found."""
    unit = db.session.scalar(
        select(Unit)
        .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == campaign_id, Unit.code == unit_code)
    )
    if unit is None:
        raise AppError("unit.not_found", code=unit_code[:32])
    return unit


def _check(request: DesignRequest) -> None:
    problems = {name: ["out of range"] for name in request.target.problems()}
    if not 0 <= request.reserve_share <= 3:
        problems["reserve_share"] = ["from 0 to 3"]
    if not 1 <= request.max_visits <= 10:
        problems["max_visits"] = ["from 1 to 10"]
    if request.seed is not None and not 0 <= request.seed < MAX_SEED:
        problems["seed"] = [f"from 0 to {MAX_SEED - 1}"]
    if problems:
        raise AppError("sample.invalid", details=problems)


def draw_sample(actor: Actor, campaign_id: int, request: DesignRequest, now: datetime | None = None) -> SampleDesign:
    """Draw the unit's sample: main households released at once, the reserve kept in its drawn order."""
    get_campaign(campaign_id)
    _check(request)
    unit = campaign_unit(campaign_id, request.unit_code)
    existing = db.session.scalar(
        select(SampleDesign.id).where(SampleDesign.campaign_id == campaign_id, SampleDesign.unit_id == unit.id)
    )
    if existing is not None:
        raise AppError("sample.exists", unit=unit.code)
    frame = db.session.execute(
        select(Household.id, Household.stratum).where(
            Household.campaign_id == campaign_id, Household.unit_id == unit.id
        )
    ).all()
    if not frame:
        raise AppError("sample.no_frame", unit=unit.code)
    strata: dict[str, list[int]] = {}
    for household_id, stratum in frame:
        strata.setdefault(stratum, []).append(household_id)
    sizes = {name: len(ids) for name, ids in strata.items()}
    size = sample_size(request.target, len(frame))
    main = allocate(size.released, sizes, request.allocation)
    reserve = reserve_sizes(main, sizes, request.reserve_share)
    seed = request.seed if request.seed is not None else secrets.randbelow(MAX_SEED)
    drawn = draw(strata, main, reserve, seed)
    now = now or utcnow()
    _mark(drawn, now)
    design = SampleDesign(
        campaign_id=campaign_id,
        unit_id=unit.id,
        seed=seed,
        allocation=request.allocation,
        sigma=request.target.sigma,
        margin=request.target.margin,
        design_effect=request.target.design_effect,
        response_rate=request.target.response_rate,
        reserve_share=request.reserve_share,
        max_visits=request.max_visits,
        frame_size=len(frame),
        interviews_needed=size.interviews,
        released=size.released,
        strata={name: {"size": sizes[name], "main": main[name], "reserve": reserve[name]} for name in sorted(sizes)},
        created_by_id=actor.user_id,
    )
    db.session.add(design)
    db.session.flush()
    record(
        actor,
        "sample.draw",
        "campaign",
        campaign_id,
        {"unit": unit.code, "seed": seed, "released": size.released, "interviews_needed": size.interviews},
    )
    return design


def _mark(drawn, now: datetime) -> None:
    """Set the drawn households' states in two executemany statements."""
    rows_main = [{"hid": hid} for d in drawn.values() for hid in d.main]
    rows_reserve = [{"hid": hid, "rank": rank} for d in drawn.values() for rank, hid in enumerate(d.reserve, 1)]
    connection = db.session.connection()
    table = Household.__table__
    if rows_main:
        connection.execute(
            update(table)
            .where(table.c.id == bindparam("hid"))
            .values(state=HouseholdState.PENDING.value, released_at=now),
            rows_main,
        )
    if rows_reserve:
        connection.execute(
            update(table)
            .where(table.c.id == bindparam("hid"))
            .values(state=HouseholdState.RESERVE.value, reserve_rank=bindparam("rank")),
            rows_reserve,
        )
