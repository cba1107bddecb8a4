"""Everything a period's computation reads, gathered into one plain snapshot: the 民评 composite and satisfaction
index from the campaign's latest published run, the team score from the period's closed evaluation meetings, the
entered component scores and the adjustments. A missing input is named with its reason, never taken as zero."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..domain.meetings import MeetingState
from ..domain.unit_results import Adjustment, PublicEval, UnitInput
from ..extensions import db
from ..models import AssessmentPeriod, Meeting, ResultRun
from .meeting_results import meeting_results, team_score
from .period_inputs import SCORE, list_entries
from .periods import check_period_rules


def gather_inputs(period: AssessmentPeriod) -> dict[str, Any]:
    """The snapshot of every input of the period's computation, as plain JSON-ready data."""
    rules = check_period_rules(period.rules)
    meeting_sources = [c.key for c in rules.components if c.source == "meeting"]
    run = _published_run(period.campaign_id)
    public = _public_by_unit(run) if run else {}
    no_public = "no_campaign" if period.campaign_id is None else "no_published_run"
    team, team_missing = _team_scores(period.meeting_ids)
    entries: dict[int, list] = {}
    for entry in list_entries(period.id):
        entries.setdefault(entry.unit_id, []).append(entry)
    units = []
    for pu in sorted(period.units, key=lambda pu: pu.unit.code):
        unit = pu.unit
        scores: dict[str, float | None] = {}
        missing: dict[str, str] = {}
        for key in meeting_sources:
            scores[key] = team.get(unit.id)
            if scores[key] is None:
                missing[key] = team_missing.get(unit.id, "no_meeting")
        own = entries.get(unit.id, [])
        scores.update({e.key: e.value for e in own if e.kind == SCORE})
        units.append(
            {
                "unit_id": unit.id,
                "code": unit.code,
                "name": unit.name,
                "category": unit.category,
                "level": pu.level,
                "scores": scores,
                "missing": missing,
                "public": public.get(unit.id, _no_public("not_in_campaign" if run else no_public)),
                "adjustments": [
                    {"kind": e.kind, "points": e.value, "reason": e.reason, "attachment": e.attachment}
                    for e in sorted(own, key=lambda e: (e.kind, e.key))
                    if e.kind != SCORE
                ],
            }
        )
    sources = {
        "campaign_id": period.campaign_id,
        "result_run_id": run.id if run else None,
        "meeting_ids": list(period.meeting_ids),
    }
    return {"sources": sources, "units": units}


def unit_inputs(snapshot: dict[str, Any]) -> list[UnitInput]:
    """The domain's inputs from a snapshot (a stored one or one gathered now)."""
    return [
        UnitInput(
            unit_id=u["unit_id"],
            code=u["code"],
            name=u["name"],
            category=u["category"],
            level=u["level"],
            scores=u["scores"],
            missing=u["missing"],
            public=PublicEval(**u["public"]),
            adjustments=tuple(Adjustment(**a) for a in u["adjustments"]),
        )
        for u in snapshot["units"]
    ]


def _no_public(reason: str) -> dict[str, Any]:
    return {"composite": None, "satisfaction": None, "missing": reason}


def _published_run(campaign_id: int | None) -> ResultRun | None:
    if campaign_id is None:
        return None
    query = (
        select(ResultRun)
        .where(ResultRun.campaign_id == campaign_id, ResultRun.published_at.is_not(None))
        .order_by(ResultRun.published_at.desc(), ResultRun.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def _public_by_unit(run: ResultRun) -> dict[int, dict[str, Any]]:
    found = {}
    for unit in run.results["units"]:
        satisfaction = unit["indices"].get("satisfaction", {}).get("value")
        if unit.get("ranked") and unit.get("composite") is not None:
            found[unit["unit_id"]] = {"composite": unit["composite"], "satisfaction": satisfaction, "missing": None}
        else:
            found[unit["unit_id"]] = {**_no_public("insufficient_sample"), "satisfaction": satisfaction}
    return found


def _team_scores(meeting_ids: list[int]) -> tuple[dict[int, float], dict[int, str]]:
    """Each unit's team score from the latest of its listed meetings, and why a unit has none."""
    scores: dict[int, float] = {}
    missing: dict[int, str] = {}
    meetings = db.session.scalars(select(Meeting).where(Meeting.id.in_(meeting_ids)).order_by(Meeting.id))
    for meeting in meetings:
        scores.pop(meeting.unit_id, None)
        if meeting.state is not MeetingState.CLOSED:
            missing[meeting.unit_id] = "meeting_not_closed"
            continue
        team = team_score(meeting, meeting_results(meeting))
        if team is None:
            missing[meeting.unit_id] = "meeting_without_team"
        elif team["score"] is None or team["status"] != "counted":
            missing[meeting.unit_id] = f"meeting_{team['status']}"
        else:
            scores[meeting.unit_id] = team["score"]
            missing.pop(meeting.unit_id, None)
    return scores, missing
