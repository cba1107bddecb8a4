"""Quality flags: each campaign's thresholds, the per-response rules decided when an answer is stored, and the
sweep that decides the cross-response rules (duplicates, bursts) over a campaign's answers.

A flagged response is stored as under_review: it is not counted until a statistician includes it. Nothing is
refused and nothing is deleted because of a flag."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Sequence
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, select, update

from ..domain.campaigns import CampaignState
from ..domain.forms import FormDefinition
from ..domain.quality import (
    Flag,
    Neighbour,
    QualityRules,
    QualityRulesError,
    bursts,
    duplicate_answers,
    outside_hours,
    parse_rules,
    straight_lining,
    too_fast,
)
from ..errors import AppError
from ..extensions import db
from ..models import Campaign, Channel, Response, ResponseFlag, ResponseStatus
from .audit import Actor, record

# Answers that came through a unit's link (its QR code or the API): the only ones with a device and a network, and
# the only ones whose arrival times say something about the unit. Imports are keyed in bulk by design.
LINK_CHANNELS = (Channel.QR, Channel.API)
RULES_CACHE_SECONDS = 30.0
CHUNK = 500  # ids per IN list or insert batch: a sweep may flag tens of thousands at once

# What a campaign that sets nothing gets. (The test suite turns flags off here, and its quality tests on.)
DEFAULTS = QualityRules()

_RULES_CACHE: dict[int, tuple[float, QualityRules]] = {}
_RULES_OF = select(Campaign.quality_rules).where(Campaign.id == bindparam("campaign_id"))


def stored_rules(campaign: Campaign) -> QualityRules:
    """The campaign's thresholds (defaults for any not set)."""
    return parse_rules(campaign.quality_rules, base=DEFAULTS)


def forget_cached_rules() -> None:
    _RULES_CACHE.clear()


def cached_rules(campaign_id: int) -> QualityRules:
    """The campaign's thresholds for the submission path, read again at most every RULES_CACHE_SECONDS per
    process: an edit reaches every worker within that time."""
    now = time.monotonic()
    cached = _RULES_CACHE.get(campaign_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    document = db.session.connection().execute(_RULES_OF, {"campaign_id": campaign_id}).scalar()
    rules = parse_rules(document, base=DEFAULTS)
    _RULES_CACHE[campaign_id] = (now + RULES_CACHE_SECONDS, rules)
    return rules


def set_rules(actor: Actor, campaign: Campaign, document: Any) -> QualityRules:
    """Change some thresholds of a draft or open campaign; audited. Fields not given keep their value."""
    if campaign.state is CampaignState.CLOSED:
        raise AppError("quality.rules_locked")
    before = stored_rules(campaign)
    try:
        rules = parse_rules(document, base=before)
    except QualityRulesError as error:
        raise AppError("quality.rules_invalid", details=_rules_problems(error.problems)) from None
    given = set(document) if isinstance(document, dict) else set()
    kept = {**(campaign.quality_rules or {}), **{k: v for k, v in rules.document().items() if k in given}}
    campaign.quality_rules = kept or None
    changed = {k: [v, rules.document()[k]] for k, v in before.document().items() if rules.document()[k] != v}
    record(actor, "campaign.quality_rules", "campaign", campaign.id, changed)
    db.session.flush()
    _RULES_CACHE.pop(campaign.id, None)
    return rules


_PROBLEM_TEXT = {
    "unknown": "not a quality rule setting",
    "not_boolean": "use true or false",
    "not_number": "use a whole number (burst_factor may have decimals)",
    "out_of_range": "out of range",
    "empty_day": "must be later than day_starts_hour",
    "not_object": "send a JSON object of settings",
}


def _rules_problems(problems: dict[str, str]) -> dict[str, list[str]]:
    from ..domain.quality import bounds_of

    details = {}
    for name, code in problems.items():
        text = _PROBLEM_TEXT[code]
        if code == "out_of_range":
            low, high = bounds_of(name)
            text = f"use a value from {low:g} to {high:g}"
        details[name] = [text]
    return details


def network_key(campaign_id: int, address: str | None) -> str | None:
    """Keyed hash of the client's network (IPv4 /24, IPv6 /48) within the campaign; None without an address.
    The address itself is never stored."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    secret = str(current_app.config["IDENTITY_HASH_KEY"]).encode()
    message = f"network\x1f{campaign_id}\x1f{network.with_prefixlen}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def minimum_seconds(rules: QualityRules, forms: Sequence[FormDefinition]) -> int:
    if rules.min_seconds is not None:
        return rules.min_seconds
    return sum(form.min_seconds or 0 for form in forms)


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def response_flags(
    rules: QualityRules,
    forms: Sequence[FormDefinition],
    scores: Sequence[float],
    duration_seconds: int | None,
    submitted_at: datetime,
    window: tuple[datetime | None, datetime | None] = (None, None),
) -> list[Flag]:
    """The per-response rules that fire for one answer ([] when the campaign's flags are off)."""
    if not rules.enabled:
        return []
    found = (
        too_fast(duration_seconds, minimum_seconds(rules, forms)),
        straight_lining(scores, rules.straight_lining_min_questions),
        outside_hours(submitted_at.astimezone(_zone()), rules, *window, submitted_at=submitted_at),
    )
    return [flag for flag in found if flag is not None]


def status_for(flags: Sequence[Flag]) -> ResponseStatus:
    return ResponseStatus.UNDER_REVIEW if flags else ResponseStatus.INCLUDED


def store_flags(flags_by_response: dict[int, Sequence[Flag]], now: datetime, new_responses: bool = False) -> int:
    """Add the flags not yet stored (one per response and rule); how many were added. `new_responses`: the
    responses were inserted in this transaction, so none has a flag yet (one statement instead of two)."""
    if not flags_by_response:
        return 0
    existing: set = set()
    ids = list(flags_by_response)
    for start in range(0 if not new_responses else len(ids), len(ids), CHUNK):
        query = select(ResponseFlag.response_id, ResponseFlag.rule).where(
            ResponseFlag.response_id.in_(ids[start : start + CHUNK])
        )
        existing.update(tuple(row) for row in db.session.execute(query))
    rows = [
        {"response_id": response_id, "rule": flag.rule.value, "evidence": flag.evidence, "created_at": now}
        for response_id, flags in flags_by_response.items()
        for flag in flags
        if (response_id, flag.rule.value) not in existing
    ]
    for start in range(0, len(rows), CHUNK):
        db.session.execute(ResponseFlag.__table__.insert(), rows[start : start + CHUNK])
    return len(rows)


@dataclass(frozen=True)
class SweepReport:
    campaign_id: int
    examined: int
    new_flags: int
    put_under_review: int


def sweep(campaign: Campaign, now: datetime) -> SweepReport:
    """Decide the cross-response rules over the campaign's link answers and store what is new. Idempotent: a
    second sweep over the same answers adds nothing. A newly flagged response that was counted and never reviewed
    goes under review; a statistician's decision is never overturned by a sweep."""
    rules = stored_rules(campaign)
    rows = _neighbours(campaign.id) if rules.enabled else []
    found: dict[int, list[Flag]] = {}
    for rule_flags in (duplicate_answers(rows, rules), bursts(rows, rules)):
        for response_id, flag in rule_flags.items():
            found.setdefault(response_id, []).append(flag)
    added = store_flags(found, now)
    moved = 0
    if found:
        ids = list(found)
        for start in range(0, len(ids), CHUNK):
            result = db.session.execute(
                update(Response)
                .where(
                    Response.id.in_(ids[start : start + CHUNK]),
                    Response.status == ResponseStatus.INCLUDED,
                    Response.reviewed_at.is_(None),
                )
                .values(status=ResponseStatus.UNDER_REVIEW)
            )
            moved += result.rowcount
    return SweepReport(campaign.id, len(rows), added, moved)


def _neighbours(campaign_id: int) -> list[Neighbour]:
    query = select(
        Response.id,
        Response.unit_id,
        Response.submitted_at,
        Response.answers_digest,
        Response.network_key,
        Response.identity_key,
    ).where(
        Response.campaign_id == campaign_id,
        Response.channel.in_(LINK_CHANNELS),
        Response.superseded_at.is_(None),
    )
    return [Neighbour(*row) for row in db.session.execute(query)]


def sweep_all(now: datetime, campaigns: Iterable[Campaign] | None = None) -> list[SweepReport]:
    """Sweep every open campaign (or the ones given)."""
    if campaigns is None:
        campaigns = db.session.scalars(select(Campaign).where(Campaign.state == CampaignState.OPEN)).all()
    return [sweep(campaign, now) for campaign in campaigns]
