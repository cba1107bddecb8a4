"""Supervision of a campaign's household survey: progress and AAPOR response rates per unit and community, quota
cells (sex × age group) against targets from the unit's population margins, each enumerator's productivity and
unusual patterns, and back-checks. Counts come from GROUP BY queries; no address leaves this module."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ..domain.fieldwork import HouseholdState, Outcome, ResponseRates, back_check_sample, burst_starts, response_rates
from ..errors import AppError
from ..extensions import db
from ..models import BackCheck, Household, Response, SampleDesign, Unit, UnitMargin, User, Visit, is_counted
from .audit import Actor, record
from .clock import utcnow

QUOTA_FORM, SEX, AGE = "profile", "sex", "age_group"
SHORT_SHARE = 0.4  # an interview shorter than this share of the campaign's median is unusually short
BURST_WINDOW_SECONDS, BURST_SIZE = 15 * 60, 3  # three interviews within a quarter of an hour by one enumerator
BACK_CHECK_RESULTS = ("confirmed", "not_confirmed", "unreachable")


@dataclass
class AreaProgress:
    label: str
    unit_id: int | None = None  # set on a unit's row, None on a community's
    frame: int = 0
    interviews_needed: int | None = None
    counts: dict[HouseholdState, int] = field(default_factory=dict)
    communities: list[AreaProgress] = field(default_factory=list)

    @property
    def released(self) -> int:
        return sum(n for state, n in self.counts.items() if state is not HouseholdState.RESERVE)

    @property
    def rates(self) -> ResponseRates:
        return response_rates(self.counts)


@dataclass(frozen=True)
class QuotaCell:
    sex: str
    age: str
    completed: int
    target: int | None


@dataclass(frozen=True)
class EnumeratorWork:
    username: str
    name: str
    assigned: int
    visits: int
    completed: int
    refused: int
    short_interviews: int
    burst_interviews: int


def progress(campaign_id: int) -> list[AreaProgress]:
    """Per unit (and within it per community): frame size, interviews needed and households by state."""
    designs = dict(
        db.session.execute(
            select(SampleDesign.unit_id, SampleDesign.interviews_needed).where(SampleDesign.campaign_id == campaign_id)
        ).all()
    )
    rows = db.session.execute(
        select(Unit.id, Unit.code, Unit.name, Household.community, Household.state, func.count())
        .join(Unit, Unit.id == Household.unit_id)
        .where(Household.campaign_id == campaign_id)
        .group_by(Unit.id, Unit.code, Unit.name, Household.community, Household.state)
        .order_by(Unit.code, Household.community)
    ).all()
    units: dict[int, AreaProgress] = {}
    communities: dict[tuple[int, str], AreaProgress] = {}
    for unit_id, code, name, community, state, count in rows:
        unit = units.setdefault(
            unit_id, AreaProgress(f"{code} {name}", unit_id, interviews_needed=designs.get(unit_id))
        )
        place = communities.get((unit_id, community))
        if place is None:
            place = communities[(unit_id, community)] = AreaProgress(community)
            unit.communities.append(place)
        for area in (unit, place):
            area.frame += count
            if state is not None:
                area.counts[state] = area.counts.get(state, 0) + count
    return list(units.values())


def quota_cells(campaign_id: int) -> dict[int, list[QuotaCell]]:
    """Completed household interviews per unit by sex × age group, with targets where margins exist (the unit's
    interviews needed × share of sex × share of age group)."""
    sex = Response.answers[QUOTA_FORM][SEX].as_string()
    age = Response.answers[QUOTA_FORM][AGE].as_string()
    counted = db.session.execute(
        select(Response.unit_id, sex, age, func.count())
        .where(Response.campaign_id == campaign_id, Response.channel == "household", is_counted())
        .group_by(Response.unit_id, sex, age)
    ).all()
    margins: dict[int, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for unit_id, variable, category, share in db.session.execute(
        select(UnitMargin.unit_id, UnitMargin.variable, UnitMargin.category, UnitMargin.share).where(
            UnitMargin.campaign_id == campaign_id, UnitMargin.variable.in_((SEX, AGE))
        )
    ):
        margins[unit_id][variable][category] = share
    needed = dict(
        db.session.execute(
            select(SampleDesign.unit_id, SampleDesign.interviews_needed).where(SampleDesign.campaign_id == campaign_id)
        ).all()
    )
    filled: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    for unit_id, s, a, count in counted:
        filled[unit_id][(s or "?", a or "?")] = count
    cells: dict[int, list[QuotaCell]] = {}
    for unit_id in sorted(set(filled) | set(needed)):
        shares = margins.get(unit_id, {})
        keys = {(s, a) for s in shares.get(SEX, {}) for a in shares.get(AGE, {})} | set(filled[unit_id])
        cells[unit_id] = [
            QuotaCell(s, a, filled[unit_id].get((s, a), 0), _target(needed.get(unit_id), shares, s, a))
            for s, a in sorted(keys)
        ]
    return cells


def _target(needed: int | None, shares, sex: str, age: str) -> int | None:
    if needed is None or sex not in shares.get(SEX, {}) or age not in shares.get(AGE, {}):
        return None
    return round(needed * shares[SEX][sex] * shares[AGE][age])


def enumerator_work(campaign_id: int) -> list[EnumeratorWork]:
    """Each enumerator's assignments and visits, with interviews that were unusually short or bunched in time."""
    assigned = dict(
        db.session.execute(
            select(Household.enumerator_id, func.count())
            .where(Household.campaign_id == campaign_id, Household.enumerator_id.is_not(None))
            .group_by(Household.enumerator_id)
        ).all()
    )
    visits = db.session.execute(
        select(Visit.enumerator_id, Visit.outcome, Visit.visited_at, Response.duration_seconds)
        .join(Household, Household.id == Visit.household_id)
        .outerjoin(Response, Response.id == Visit.response_id)
        .where(Household.campaign_id == campaign_id)
        .order_by(Visit.visited_at)
    ).all()
    durations = [v.duration_seconds for v in visits if v.duration_seconds is not None]
    short_limit = statistics.median(durations) * SHORT_SHARE if durations else None
    by_user: dict[int, list] = defaultdict(list)
    for visit in visits:
        by_user[visit.enumerator_id].append(visit)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(set(assigned) | set(by_user))))}
    work = []
    for user_id, user in sorted(users.items(), key=lambda item: item[1].username):
        mine = by_user.get(user_id, [])
        interviews = [v for v in mine if v.outcome is Outcome.COMPLETED]
        times = [v.visited_at.timestamp() for v in interviews]
        work.append(
            EnumeratorWork(
                username=user.username,
                name=user.display_name,
                assigned=assigned.get(user_id, 0),
                visits=len(mine),
                completed=len(interviews),
                refused=sum(1 for v in mine if v.outcome is Outcome.REFUSED),
                short_interviews=sum(
                    1 for v in interviews if short_limit and (v.duration_seconds or short_limit) < short_limit
                ),
                burst_interviews=burst_starts(times, BURST_WINDOW_SECONDS, BURST_SIZE),
            )
        )
    return work


def select_back_checks(actor: Actor, campaign_id: int, share: float, seed: int) -> int:
    """Select a share of the completed households not yet back-checked for re-contact; returns how many."""
    if not 0 < share <= 1:
        raise AppError("request.invalid", details={"share": ["a share from 0 to 1"]})
    done = select(BackCheck.household_id)
    completed = list(
        db.session.scalars(
            select(Household.id).where(
                Household.campaign_id == campaign_id,
                Household.state == HouseholdState.COMPLETED,
                Household.id.not_in(done),
            )
        )
    )
    chosen = back_check_sample(completed, share, seed) if completed else []
    db.session.add_all(BackCheck(household_id=hid, seed=seed) for hid in chosen)
    db.session.flush()
    record(
        actor, "back_checks.select", "campaign", campaign_id, {"share": share, "seed": seed, "selected": len(chosen)}
    )
    return len(chosen)


def record_back_check(actor: Actor, back_check_id: int, result: str, note: str | None, now: datetime | None = None):
    """What the re-contact found: confirmed, not_confirmed or unreachable."""
    if result not in BACK_CHECK_RESULTS:
        raise AppError("request.invalid", details={"result": list(BACK_CHECK_RESULTS)})
    check = db.session.get(BackCheck, back_check_id)
    if check is None:
        raise AppError("household.not_found")
    check.result, check.note = result, (note or "")[:300] or None
    check.checked_at, check.checked_by_id = now or utcnow(), actor.user_id
    record(actor, "back_check.record", "household", check.household_id, {"result": result})
    return check


def back_checks(campaign_id: int) -> list[tuple[BackCheck, Household]]:
    """The campaign's back-checks with their households (addresses: for the bureau's roles only)."""
    return list(
        db.session.execute(
            select(BackCheck, Household)
            .join(Household, Household.id == BackCheck.household_id)
            .where(Household.campaign_id == campaign_id)
            .order_by(BackCheck.id)
        ).all()
    )
