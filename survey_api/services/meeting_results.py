"""A closed meeting's results sheet: each target's tally (DOMAIN.md §4) from its anonymous ballots, the slips issued
and the headcounts due, under the meeting's rules. Results exist only once the meeting is closed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.ballot_rules import TallyRules, TallyRulesError, parse_tally_rules
from ..domain.ballots import TargetTally, tally_target
from ..domain.meetings import MeetingState, TargetKind
from ..errors import AppError
from ..models import Meeting, MeetingTarget
from .ballot_box import ballot_forms, meeting_ballots
from .meetings import turnout


@dataclass(frozen=True)
class TargetResult:
    target: MeetingTarget
    tally: TargetTally


def meeting_rules(meeting: Meeting) -> TallyRules:
    """The meeting's tally rules: its rater groups' weights and quorum, then anything its rules document changes."""
    base = TallyRules(
        group_weights={group.key: group.weight for group in meeting.groups}, quorum_share=meeting.quorum_share
    )
    try:
        return parse_tally_rules(meeting.tally_rules, base)
    except TallyRulesError as exc:
        raise AppError("meeting.invalid", details=exc.problems) from exc


def meeting_results(meeting: Meeting) -> list[TargetResult]:
    """Every target's tally, in the meeting's order; refused while ballots may still be cast."""
    if meeting.state is not MeetingState.CLOSED:
        raise AppError("meeting.not_closed")
    rules = meeting_rules(meeting)
    forms = ballot_forms(meeting)
    ballots = meeting_ballots(meeting.id)
    counts = turnout(meeting).groups
    issued = {g.key: g.issued for g in counts}
    due = {g.key: g.headcount for g in counts}
    return [
        TargetResult(target, tally_target(forms[target.kind], ballots.get(target.id, {}), issued, due, rules))
        for target in meeting.targets
    ]


def team_score(meeting: Meeting, results: list[TargetResult]) -> dict[str, Any] | None:
    """The leadership team's weighted score, the unit's "team democratic evaluation" (班子民主测评) component:
    None when the meeting has no team target; `score` is None unless `status` is counted."""
    for result in results:
        if result.target.kind is TargetKind.TEAM:
            return {
                "unit_code": meeting.unit.code,
                "target_id": result.target.id,
                "score": result.tally.score,
                "status": result.tally.status.value,
            }
    return None


def results_document(meeting: Meeting, results: list[TargetResult]) -> dict[str, Any]:
    """The results sheet as JSON: `team_score` is the unit's "team democratic evaluation" input."""
    return {
        "team_score": team_score(meeting, results),
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "unit_code": meeting.unit.code,
            "held_on": meeting.held_on.isoformat(),
        },
        "targets": [
            {
                "id": r.target.id,
                "kind": r.target.kind.value,
                "name": r.target.name,
                "post": r.target.post,
                "tally": r.tally.document(),
            }
            for r in results
        ],
    }
