"""Small factories for test data, written through the services like real callers. Each commits, so a request
that rolls back (the request shares the test's session) keeps the data the test set up."""

from __future__ import annotations

import uuid
from datetime import datetime

from survey_api.domain.campaigns import CampaignState
from survey_api.domain.identity import IdentityMode
from survey_api.extensions import db
from survey_api.models import Campaign, Channel, Response, Unit
from survey_api.services.audit import SYSTEM
from survey_api.services.campaigns import NewCampaign, campaign_definitions, transition
from survey_api.services.campaigns import create_campaign as service_create_campaign
from survey_api.services.units import create_unit as service_create_unit

INDEX_FORMS = ["happiness", "satisfaction", "security", "profile"]


def create_unit(code: str | None = None, name: str = "城关街道", category: str = "乡镇街道") -> Unit:
    unit = service_create_unit(SYSTEM, code or f"U{uuid.uuid4().hex[:8]}", name, category, "示范区")
    db.session.commit()  # in tests this only releases a savepoint; the test's outer transaction is rolled back
    return unit


def create_campaign(
    units: list[Unit] | None = None,
    forms: list[str] | None = None,
    state: str = "open",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    title: str = "2026年度群众满意度测评",
    identity_mode: str = "none",
    allow_replacement: bool = False,
) -> Campaign:
    """A campaign in the given state ("draft", "open" or "closed") over the given units; without identity keys
    unless asked (the product's default is one answer per device)."""
    units = units or [create_unit()]
    campaign = service_create_campaign(
        SYSTEM,
        NewCampaign(
            title=title,
            period="2026年度",
            form_keys=forms or INDEX_FORMS,
            unit_codes=[u.code for u in units],
            opens_at=opens_at,
            closes_at=closes_at,
            identity_mode=IdentityMode(identity_mode),
            allow_replacement=allow_replacement,
        ),
    )
    if state in ("open", "closed"):
        transition(SYSTEM, campaign.id, CampaignState.OPEN)
    if state == "closed":
        transition(SYSTEM, campaign.id, CampaignState.CLOSED)
    db.session.commit()
    return campaign


def full_answers(campaign: Campaign) -> dict:
    """A complete, valid answer set for every questionnaire of a campaign: the first option everywhere."""
    answers: dict = {}
    for form in campaign_definitions(campaign):
        given: dict = {}
        for q in form.questions:
            if q.type == "single_choice":
                given[q.key] = q.options[0].key
            elif q.type == "multiple_choice":
                given[q.key] = [q.options[0].key]
            elif q.type == "rating":
                given[q.key] = 8
            elif q.type == "text":
                given[q.key] = "路灯坏了很久，希望尽快修好。"
        answers[form.key] = given
    return answers


def random_answers(definitions, rng, dont_know_share: float = 0.1) -> dict:
    """A valid answer set with options drawn at random (some 不了解), for the questionnaires given."""
    answers: dict = {}
    for form in definitions:
        given = {}
        for q in form.questions:
            if q.type == "single_choice":
                substantive = [o for o in q.options if o.is_substantive]
                others = [o for o in q.options if not o.is_substantive]
                pool = others if others and rng.random() < dont_know_share else substantive
                given[q.key] = rng.choice(pool).key
            elif q.type == "rating":
                given[q.key] = rng.randint(0, 10)
        answers[form.key] = given
    return answers


PERSONA_PASSWORD = "Persona-pass-2026"


def create_account(username: str, role: str, unit: Unit | None = None):
    """A staff account committed like the other factories."""
    from survey_api.domain.access import Role
    from survey_api.services.accounts import create_user

    user = create_user(SYSTEM, username, PERSONA_PASSWORD, Role(role), unit_code=unit.code if unit else None)
    db.session.commit()
    return user


def issue_token(user) -> str:
    """A fresh API token for the account."""
    from survey_api.services.api_tokens import create_token

    secret = create_token(SYSTEM, user, "tests").secret
    db.session.commit()
    return secret


def store_response(campaign: Campaign, unit_index: int, answers: dict, **columns) -> Response:
    """A response written straight to the table (status, stratum, cluster... as given), for scoring tests."""
    link = campaign.links[unit_index]
    response = Response(
        submission_id=uuid.uuid4().hex,
        campaign_id=campaign.id,
        unit_id=link.unit_id,
        campaign_unit_id=link.id,
        channel=columns.pop("channel", Channel.API),
        form_versions={f.form_version.key: f.form_version_id for f in campaign.forms},
        answers=answers,
        answers_digest=uuid.uuid4().hex,
        receipt_code=uuid.uuid4().hex[:16],
        **columns,
    )
    db.session.add(response)
    db.session.flush()
    return response


def remove_campaign(campaign_id: int, unit_ids: tuple[int, ...] = ()) -> None:
    """Delete a committed campaign with everything that hangs on it (and the given units), then commit: for tests
    whose data had to be committed for other connections to see it."""
    from sqlalchemy import delete

    from survey_api.models import CampaignForm, CampaignUnit, Invitation, RectificationTask, ResultRun, UnitMargin

    responses = Response.__table__
    db.session.execute(responses.update().where(responses.c.campaign_id == campaign_id).values(replaced_by_id=None))
    for model in (ResultRun, Response, Invitation, UnitMargin, CampaignUnit, CampaignForm):
        db.session.execute(delete(model).where(model.campaign_id == campaign_id))
    db.session.execute(delete(Campaign).where(Campaign.id == campaign_id))
    if unit_ids:
        # Rectification tasks (with their entries, evidence and reminders, by cascade) hang on the units.
        db.session.execute(delete(RectificationTask).where(RectificationTask.unit_id.in_(unit_ids)))
        db.session.execute(delete(Unit).where(Unit.id.in_(unit_ids)))
    db.session.commit()


def create_meeting(unit: Unit | None = None, cadres: tuple[str, ...] = ("张三", "李四"), state: str = "open"):
    """A meeting of a unit over its leadership team and the given cadres, with the default rater groups (10, 20
    and 30 expected), in the given state."""
    from datetime import date

    from survey_api.domain.meetings import MeetingState, TargetKind
    from survey_api.services import meetings as meeting_service

    unit = unit or create_unit()
    targets = [meeting_service.NewTarget(TargetKind.TEAM, "领导班子")]
    targets += [meeting_service.NewTarget(TargetKind.CADRE, name, "副局长") for name in cadres]
    groups = [meeting_service.group_spec(key, headcount) for key, headcount in (("superiors", 10), ("peers", 20))]
    groups.append(meeting_service.group_spec("public", 30))
    meeting = meeting_service.create_meeting(
        SYSTEM,
        meeting_service.NewMeeting(
            title="2026年度领导班子和领导干部民主测评会",
            unit_code=unit.code,
            held_on=date(2026, 12, 8),
            targets=targets,
            groups=groups,
        ),
    )
    for target_state in {"draft": [], "open": [MeetingState.OPEN], "closed": [MeetingState.OPEN, MeetingState.CLOSED]}[
        state
    ]:
        meeting_service.transition(SYSTEM, meeting.id, target_state)
    db.session.commit()
    return meeting


def issue_codes(meeting, group_key: str = "peers", count: int = 3) -> list[str]:
    """Fresh slip codes of a group, as printed."""
    from survey_api.services.ballot_slips import issue_slips

    codes = [slip.code for slip in issue_slips(SYSTEM, meeting.id, group_key, count).slips]
    db.session.commit()
    return codes


def full_ballot(meeting, grade: str = "good") -> dict[str, dict[str, str]]:
    """Every item of every target graded (the cadres' overall grade as 称职 when grade is good)."""
    overall = {"good": "competent", "fair": "basically_competent", "poor": "incompetent"}.get(grade, grade)
    team = [
        "political_judgement",
        "policy_acuity",
        "big_picture",
        "implementation",
        "overall_command",
        "innovation",
        "personnel",
        "unity",
        "work_style",
        "integrity",
        "overall",
    ]
    cadre = {
        "morality": grade,
        "ability": grade,
        "diligence": grade,
        "performance": grade,
        "honesty": grade,
        "overall": overall,
    }
    return {
        str(t.id): ({key: grade for key in team} if t.kind.value == "team" else dict(cadre)) for t in meeting.targets
    }


def remove_meeting(meeting_id: int, unit_id: int) -> None:
    """Delete a committed meeting with its slips and ballots, and its unit, then commit."""
    from sqlalchemy import delete

    from survey_api.models import Ballot, BallotToken, Meeting, MeetingTarget, PaperEntry, RaterGroup

    for model in (PaperEntry, Ballot, BallotToken, MeetingTarget, RaterGroup):
        db.session.execute(delete(model).where(model.meeting_id == meeting_id))
    db.session.execute(delete(Meeting).where(Meeting.id == meeting_id))
    db.session.execute(delete(Unit).where(Unit.id == unit_id))
    db.session.commit()
