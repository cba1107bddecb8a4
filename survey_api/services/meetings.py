"""Evaluation meetings: create one with its targets and rater groups, list, open and close, and turnout counts."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select

from ..domain.ballot_rules import TallyRules, TallyRulesError, parse_tally_rules
from ..domain.meetings import (
    BALLOT_FORMS,
    DEFAULT_GROUPS,
    DEFAULT_QUORUM_SHARE,
    GroupSpec,
    MeetingState,
    TargetKind,
    TokenState,
    can_transition,
    group_problems,
    quorum_met,
    target_problems,
)
from ..errors import AppError
from ..extensions import db
from ..models import Ballot, BallotToken, Meeting, MeetingTarget, PaperEntry, RaterGroup, Unit
from .audit import Actor, record
from .forms_catalogue import load_form, publish_form

DEFAULTS_BY_KEY = {g.key: g for g in DEFAULT_GROUPS}
_SHUFFLE = random.SystemRandom()


@dataclass(frozen=True)
class NewTarget:
    kind: TargetKind
    name: str
    post: str | None = None


@dataclass(frozen=True)
class NewMeeting:
    title: str
    unit_code: str
    held_on: date
    targets: list[NewTarget]
    groups: list[GroupSpec] = field(default_factory=lambda: list(DEFAULT_GROUPS))
    quorum_share: float = DEFAULT_QUORUM_SHARE
    # The tally's other rules (DOMAIN.md §4), e.g. {"min_valid_to_show": 10, "trim_above": null}; weights and quorum
    # come from the groups and quorum_share above.
    tally_rules: dict[str, Any] | None = None


def tally_rule_problems(spec: NewMeeting) -> list[str]:
    """What is wrong with the meeting's own tally rules, checked over its groups' weights and its quorum."""
    if not spec.tally_rules:
        return []
    if not isinstance(spec.tally_rules, dict):
        return ["a mapping of rule names to values"]
    owned = sorted({"group_weights", "quorum_share"} & set(spec.tally_rules))
    if owned:
        return [f"{name}: set it on the groups and the meeting, not here" for name in owned]
    base = TallyRules(group_weights={g.key: g.weight for g in spec.groups}, quorum_share=spec.quorum_share)
    try:
        parse_tally_rules(spec.tally_rules, base)
    except TallyRulesError as exc:
        return [f"{name}: {problem}" for name, problem in sorted(exc.problems.items())]
    except ValueError as exc:  # the groups' own weights are reported under "groups"
        return [str(exc)] if not group_problems(spec.groups) else []
    return []


def group_spec(key: str, headcount: int, label: str | None = None, weight: float | None = None) -> GroupSpec:
    """A rater group, with the label and weight of the default group of that key where they are not given."""
    default = DEFAULTS_BY_KEY.get(key)
    if (label is None or weight is None) and default is None:
        raise AppError("meeting.invalid", details={"groups": [f"{key[:32]}: give its label and weight"]})
    return GroupSpec(
        key=key,
        label=label if label is not None else default.label,  # type: ignore[union-attr]
        weight=weight if weight is not None else default.weight,  # type: ignore[union-attr]
        headcount=headcount,
    )


def create_meeting(actor: Actor, spec: NewMeeting) -> Meeting:
    """A draft meeting with its targets and groups; the ballot forms in use are published and pinned now."""
    problems = {
        name: found
        for name, found in (
            ("targets", target_problems([t.kind for t in spec.targets], [t.name for t in spec.targets])),
            ("groups", group_problems(spec.groups)),
            ("quorum_share", [] if 0 < spec.quorum_share < 1 else ["a share between 0 and 1, e.g. 0.5"]),
            ("tally_rules", tally_rule_problems(spec)),
        )
        if found
    }
    if problems:
        raise AppError("meeting.invalid", details=problems)
    unit = db.session.scalar(select(Unit).where(Unit.code == spec.unit_code))
    if unit is None:
        raise AppError("unit.not_found", code=spec.unit_code)
    kinds = {t.kind for t in spec.targets}
    versions = {kind: publish_form(actor, load_form(BALLOT_FORMS[kind])) for kind in kinds}
    meeting = Meeting(
        title=spec.title,
        unit_id=unit.id,
        held_on=spec.held_on,
        state=MeetingState.DRAFT,
        team_form_version=versions.get(TargetKind.TEAM),
        cadre_form_version=versions.get(TargetKind.CADRE),
        quorum_share=spec.quorum_share,
        tally_rules=spec.tally_rules or None,
        targets=[
            MeetingTarget(kind=t.kind, name=t.name.strip(), post=(t.post or "").strip() or None, position=i)
            for i, t in enumerate(spec.targets)
        ],
        groups=[
            RaterGroup(key=g.key, label=g.label.strip(), weight=g.weight, headcount=g.headcount, position=i)
            for i, g in enumerate(spec.groups)
        ],
    )
    db.session.add(meeting)
    db.session.flush()
    record(
        actor,
        "meeting.create",
        "meeting",
        meeting.id,
        {
            "title": meeting.title,
            "unit": unit.code,
            "held_on": meeting.held_on.isoformat(),
            "targets": [{"kind": t.kind, "name": t.name, "post": t.post} for t in meeting.targets],
            "groups": [{"key": g.key, "weight": g.weight, "headcount": g.headcount} for g in meeting.groups],
            "quorum_share": meeting.quorum_share,
            "tally_rules": meeting.tally_rules,
        },
    )
    return meeting


def get_meeting(meeting_id: int) -> Meeting:
    """The meeting, or meeting.not_found."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise AppError("meeting.not_found")
    return meeting


def list_meetings() -> list[Meeting]:
    """Every meeting, the latest sitting first."""
    return list(db.session.scalars(select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc())))


def get_group(meeting: Meeting, key: str) -> RaterGroup:
    """The meeting's rater group with this key, or meeting.group_not_found."""
    for group in meeting.groups:
        if group.key == key:
            return group
    raise AppError("meeting.group_not_found", key=key[:32])


def transition(actor: Actor, meeting_id: int, target: MeetingState) -> Meeting:
    """Open or close a meeting; repeating the current state changes nothing. The row is locked first, so a
    close waits for ballots being cast at that moment (they hold a share lock on it) and none slips in after."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id).with_for_update(of=Meeting))
    if meeting is None:
        raise AppError("meeting.not_found")
    if meeting.state is target:
        return meeting
    if not can_transition(meeting.state, target):
        raise AppError("meeting.invalid_transition", current=meeting.state, target=target)
    previous = meeting.state
    meeting.state = target
    db.session.flush()
    changes: dict = {"state": [previous, target]}
    if target is MeetingState.CLOSED:
        changes["ballots"] = rewrite_in_random_order(meeting.id)
        changes["paper_discarded"] = discard_paper_entries(meeting.id)
    record(actor, f"meeting.{target.value}", "meeting", meeting.id, changes)
    return meeting


def rewrite_in_random_order(meeting_id: int) -> int:
    """Store the meeting's ballots again under new random ids and in random order (done at close), so whatever
    physical order the database kept them in while the meeting was open is gone from the live table."""
    rows = db.session.execute(
        select(Ballot.meeting_id, Ballot.rater_group_id, Ballot.target_id, Ballot.answers).where(
            Ballot.meeting_id == meeting_id
        )
    ).all()
    if not rows:
        return 0
    db.session.execute(delete(Ballot).where(Ballot.meeting_id == meeting_id))
    fresh = [{"id": uuid.uuid4(), **row._asdict()} for row in rows]
    _SHUFFLE.shuffle(fresh)
    db.session.execute(insert(Ballot), fresh)
    return len(fresh)


def discard_paper_entries(meeting_id: int) -> int:
    """Delete the paper readings that never agreed (at close: they were never counted); returns how many slips
    they covered. Those slips stay unused."""
    count = db.session.scalar(
        select(func.count(func.distinct(PaperEntry.code_hash))).where(PaperEntry.meeting_id == meeting_id)
    )
    if count:
        db.session.execute(delete(PaperEntry).where(PaperEntry.meeting_id == meeting_id))
    return count or 0


@dataclass(frozen=True)
class GroupTurnout:
    key: str
    label: str
    headcount: int
    issued: int  # slips printed and not voided
    used: int
    voided: int

    @property
    def remaining(self) -> int:
        return self.issued - self.used


@dataclass(frozen=True)
class Turnout:
    groups: list[GroupTurnout]
    quorum_share: float

    @property
    def used(self) -> int:
        return sum(g.used for g in self.groups)

    @property
    def headcount(self) -> int:
        return sum(g.headcount for g in self.groups)

    @property
    def has_quorum(self) -> bool:
        return quorum_met(self.used, self.headcount, self.quorum_share)


def turnout(meeting: Meeting) -> Turnout:
    """Slips per rater group and state, counted in one GROUP BY: never which slip, never who."""
    counts = db.session.execute(
        select(BallotToken.rater_group_id, BallotToken.state, func.count())
        .where(BallotToken.meeting_id == meeting.id)
        .group_by(BallotToken.rater_group_id, BallotToken.state)
    ).all()
    by_group: dict[int, dict[TokenState, int]] = {}
    for group_id, state, count in counts:
        by_group.setdefault(group_id, {})[state] = count
    rows = []
    for group in meeting.groups:
        found = by_group.get(group.id, {})
        used, voided = found.get(TokenState.USED, 0), found.get(TokenState.VOIDED, 0)
        rows.append(
            GroupTurnout(
                key=group.key,
                label=group.label,
                headcount=group.headcount,
                issued=found.get(TokenState.ISSUED, 0) + used,
                used=used,
                voided=voided,
            )
        )
    return Turnout(groups=rows, quorum_share=meeting.quorum_share)
