"""The statisticians' review queue and each unit's integrity: flagged responses with their evidence, decisions to
include or exclude them (audited, changeable later), and per unit the share flagged and the burst timeline.

A decision changes only the response's status: its flags, answers and history stay, and an excluded response
stays in the database and in exports with its status."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import func, select, update

from ..domain.quality import Rule, burst_threshold, timeline, usual_rate
from ..errors import AppError
from ..extensions import db
from ..models import Campaign, Response, ResponseFlag, ResponseStatus, Unit
from .audit import Actor, record
from .links import get_campaign_link
from .quality import LINK_CHANNELS, stored_rules

DECISIONS = {"include": ResponseStatus.INCLUDED, "exclude": ResponseStatus.EXCLUDED}
MAX_QUEUE = 1000
MAX_DECISION_IDS = 5000


@dataclass(frozen=True)
class QueueItem:
    response_id: int
    unit_code: str
    unit_name: str
    channel: str
    submitted_at: datetime
    duration_seconds: int | None
    status: str
    reviewed_at: datetime | None
    superseded: bool
    flags: list[dict[str, Any]]


def review_queue(
    campaign: Campaign,
    unit_code: str | None = None,
    rule: str | None = None,
    status: str | None = None,
    limit: int = 200,
) -> list[QueueItem]:
    """Flagged responses of the campaign, newest first, each with all its flags; filtered by unit, by a rule
    that fired and by status."""
    query = (
        select(Response, Unit.code, Unit.name)
        .join(Unit, Unit.id == Response.unit_id)
        .where(Response.campaign_id == campaign.id)
        .where(select(ResponseFlag.id).where(ResponseFlag.response_id == Response.id).exists())
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(min(max(limit, 1), MAX_QUEUE))
    )
    if unit_code:
        query = query.where(Response.unit_id == get_campaign_link(campaign, unit_code).unit_id)
    if rule:
        query = query.where(
            select(ResponseFlag.id).where(ResponseFlag.response_id == Response.id, ResponseFlag.rule == rule).exists()
        )
    if status:
        query = query.where(Response.status == ResponseStatus(status))
    rows = db.session.execute(query).all()
    flags = _flags_of([response.id for response, _code, _name in rows])
    return [
        QueueItem(
            response.id,
            code,
            name,
            response.channel.value,
            response.submitted_at,
            response.duration_seconds,
            response.status.value,
            response.reviewed_at,
            response.superseded_at is not None,
            flags.get(response.id, []),
        )
        for response, code, name in rows
    ]


def _flags_of(response_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for start in range(0, len(response_ids), 500):
        query = (
            select(ResponseFlag)
            .where(ResponseFlag.response_id.in_(response_ids[start : start + 500]))
            .order_by(ResponseFlag.response_id, ResponseFlag.rule)
        )
        for flag in db.session.scalars(query):
            found[flag.response_id].append(
                {"rule": flag.rule, "evidence": flag.evidence, "created_at": flag.created_at}
            )
    return found


@dataclass(frozen=True)
class DecisionReport:
    decision: str
    changed: list[int]
    unchanged: list[int]


def decide(
    actor: Actor, campaign: Campaign, response_ids: Sequence[int], decision: str, reason: str, now: datetime
) -> DecisionReport:
    """Include or exclude responses of this campaign, all or none: an id that is not a response of the campaign
    refuses the whole request. Each response decided is one audit event (with the reason and its flags); a
    response already decided this way is left as it is and not recorded again. Including a response that was
    never reviewed records the decision too, so that no later sweep puts it under review."""
    target = DECISIONS[decision]
    wanted = list(dict.fromkeys(response_ids))
    responses = {
        r.id: r
        for start in range(0, len(wanted), 500)
        for r in db.session.scalars(
            select(Response).where(Response.id.in_(wanted[start : start + 500]), Response.campaign_id == campaign.id)
        )
    }
    missing = [i for i in wanted if i not in responses]
    if missing:
        raise AppError("review.unknown_responses", details={"response_ids": missing[:100]})
    flags = _flags_of(wanted)
    changed, unchanged = [], []
    for response_id in wanted:
        response = responses[response_id]
        if response.status is target and response.reviewed_at is not None:
            unchanged.append(response_id)
            continue
        before = response.status
        db.session.execute(update(Response).where(Response.id == response_id).values(status=target, reviewed_at=now))
        record(
            actor,
            f"response.{decision}",
            "response",
            response_id,
            {
                "campaign_id": campaign.id,
                "status": [before, target],
                "reason": reason,
                "rules": [f["rule"] for f in flags.get(response_id, [])],
            },
        )
        changed.append(response_id)
    return DecisionReport(decision, changed, unchanged)


# --- unit integrity --------------------------------------------------------------------------------------------


@dataclass
class UnitIntegrity:
    unit_code: str
    unit_name: str
    responses: int = 0
    flagged: int = 0
    under_review: int = 0
    excluded: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)

    @property
    def flagged_share(self) -> float:
        return self.flagged / self.responses if self.responses else 0.0

    def share_of(self, rule: str) -> float:
        return self.by_rule.get(rule, 0) / self.responses if self.responses else 0.0


def integrity(campaign: Campaign) -> list[UnitIntegrity]:
    """Per unit of the campaign: its answers (not replaced), how many are flagged (by any rule and by each), under
    review and excluded; the units with the largest flagged share first."""
    units = {link.unit_id: UnitIntegrity(link.unit.code, link.unit.name) for link in campaign.links}
    current = (Response.campaign_id == campaign.id, Response.superseded_at.is_(None))
    counts = select(Response.unit_id, Response.status, func.count()).where(*current)
    for unit_id, status, count in db.session.execute(counts.group_by(Response.unit_id, Response.status)):
        row = units[unit_id]
        row.responses += count
        if status is ResponseStatus.UNDER_REVIEW:
            row.under_review += count
        elif status is ResponseStatus.EXCLUDED:
            row.excluded += count
    joined = select(Response.unit_id).join(ResponseFlag, ResponseFlag.response_id == Response.id).where(*current)
    flagged = select(Response.unit_id, func.count(func.distinct(Response.id))).join(
        ResponseFlag, ResponseFlag.response_id == Response.id
    )
    for unit_id, count in db.session.execute(flagged.where(*current).group_by(Response.unit_id)):
        units[unit_id].flagged = count
    by_rule = joined.add_columns(ResponseFlag.rule, func.count()).group_by(Response.unit_id, ResponseFlag.rule)
    for unit_id, rule, count in db.session.execute(by_rule):
        units[unit_id].by_rule[rule] = count
    return sorted(units.values(), key=lambda u: (-u.flagged_share, -u.responses, u.unit_code))


@dataclass(frozen=True)
class UnitTimeline:
    unit_code: str
    unit_name: str
    window_minutes: int
    usual_per_window: float
    threshold: int
    windows: list[tuple[datetime, int]]
    burst_answers: int


def unit_timeline(campaign: Campaign, unit_code: str) -> UnitTimeline:
    """Answers through the unit's link per window (the burst rule's window), around the busiest stretch, with the
    unit's usual count per window and the count that makes a burst."""
    link = get_campaign_link(campaign, unit_code)
    rules = stored_rules(campaign)
    times = sorted(
        db.session.scalars(
            select(Response.submitted_at).where(
                Response.campaign_id == campaign.id,
                Response.unit_id == link.unit_id,
                Response.channel.in_(LINK_CHANNELS),
                Response.superseded_at.is_(None),
            )
        )
    )
    usual = usual_rate(times, rules)
    burst_answers = db.session.scalar(
        select(func.count())
        .select_from(ResponseFlag)
        .join(Response, Response.id == ResponseFlag.response_id)
        .where(
            Response.campaign_id == campaign.id,
            Response.unit_id == link.unit_id,
            ResponseFlag.rule == Rule.BURST.value,
        )
    )
    return UnitTimeline(
        link.unit.code,
        link.unit.name,
        rules.burst_window_minutes,
        usual,
        burst_threshold(usual, rules),
        timeline(times, rules.burst_window_minutes),
        burst_answers or 0,
    )
