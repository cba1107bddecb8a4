"""After a rectification: a short pulse questionnaire posted at the unit's QR code (a one-unit campaign with the
pulse form, so the usual links, posters and answers machinery serves it), and the residents' notice
"你们提出的 / 我们做了", shown on the unit's public pages once the office approves it."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from ..domain.campaigns import CampaignState
from ..domain.identity import IdentityMode
from ..domain.rectification import TaskState
from ..errors import AppError
from ..extensions import db
from ..models import Campaign, CampaignUnit, NoticeState, RectificationTask, Response, is_counted
from . import clock
from .audit import Actor, record
from .campaigns import NewCampaign, create_campaign, transition
from .forms_catalogue import definition_of

PULSE_FORM = "rectification_pulse"
PULSE_QUESTION = "improved"
PUBLIC_NOTICES_SHOWN = 5
# The questionnaire page runs one query when warm; the notices under it are kept per process for a minute (a new
# approval shows at once in the approving process, within a minute in the others).
NOTICE_CACHE_SECONDS = 60
_notice_cache: dict[int, tuple[float, list[PublicNotice]]] = {}


@dataclass(frozen=True)
class PublicNotice:
    title: str  # 你们提出的
    notice_text: str  # 我们做了


def attach_pulse(actor: Actor, task: RectificationTask, form_key: str = PULSE_FORM) -> Campaign:
    """Open a pulse questionnaire for the task at the unit's own link (and QR code)."""
    if task.pulse_campaign_id is not None:
        raise AppError("pulse.exists")
    campaign = create_campaign(
        actor,
        NewCampaign(
            title=f"整改回访：{task.title}"[:200],
            period=clock.utcnow().strftime("%Y-%m"),
            form_keys=[form_key],
            unit_codes=[task.unit.code],
            identity_mode=IdentityMode.DEVICE,
        ),
    )
    transition(actor, campaign.id, CampaignState.OPEN)
    task.pulse_campaign_id = campaign.id
    record(actor, "task.pulse", "rectification_task", task.id, {"campaign": campaign.id, "form": form_key})
    return campaign


@dataclass(frozen=True)
class PulseResult:
    campaign: Campaign
    link_token: str
    answers: int
    shown: bool  # False while too few answers to show without pointing to a respondent
    counts: dict[str, int]  # option label → answers
    improved_share: float | None  # share of substantive answers that see an improvement


def pulse_result(task: RectificationTask) -> PulseResult | None:
    """The pulse questionnaire's answers so far, or None when the task has none."""
    if task.pulse_campaign_id is None:
        return None
    campaign = db.session.get(Campaign, task.pulse_campaign_id)
    link = campaign.links[0]
    definition = next(cf.form_version for cf in campaign.forms)
    form = definition_of(definition)
    question = next(q for q in form.questions if q.key == PULSE_QUESTION)
    answer = Response.answers[form.key][PULSE_QUESTION].as_string()
    rows = db.session.execute(
        select(answer, func.count()).where(Response.campaign_id == campaign.id, is_counted()).group_by(answer)
    ).all()
    by_key = {key: count for key, count in rows if key is not None}
    total = sum(count for _, count in rows)
    counts = {option.label: by_key.get(option.key, 0) for option in question.options}
    substantive = sum(by_key.get(o.key, 0) for o in question.options if o.is_substantive)
    improved = sum(by_key.get(key, 0) for key in question.top_box)
    shown = total >= current_app.config["FEEDBACK_MIN_COMMENTS"]
    return PulseResult(
        campaign=campaign,
        link_token=link.link_token,
        answers=total,
        shown=shown,
        counts=counts if shown else {},
        improved_share=improved / substantive if shown and substantive else None,
    )


def draft_notice(actor: Actor, task: RectificationTask, text: str, approve: bool) -> RectificationTask:
    """The text residents will read under "我们做了"; the office's approval (approve=True) makes it public."""
    if task.state is not TaskState.ACCEPTED or not text.strip():
        raise AppError("notice.not_accepted")
    task.notice_text = text.strip()[:500]
    task.notice_state = NoticeState.APPROVED if approve else NoticeState.PENDING
    task.notice_approved_at = clock.utcnow() if approve else None
    record(actor, "task.notice", "rectification_task", task.id, {"state": task.notice_state, "text": task.notice_text})
    forget_notices(task.unit_id)
    return task


def forget_notices(unit_id: int | None = None) -> None:
    """Drop this process's cached notices of a unit (or of all units)."""
    if unit_id is None:
        _notice_cache.clear()
    else:
        _notice_cache.pop(unit_id, None)


def public_notices(unit_id: int) -> list[PublicNotice]:
    """The unit's approved notices, newest first: what residents read on its public pages."""
    now = time.monotonic()
    cached = _notice_cache.get(unit_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    statement = (
        select(RectificationTask)
        .where(RectificationTask.unit_id == unit_id, RectificationTask.notice_state == NoticeState.APPROVED)
        .order_by(RectificationTask.notice_approved_at.desc())
        .limit(PUBLIC_NOTICES_SHOWN)
    )
    notices = [PublicNotice(task.title, task.notice_text) for task in db.session.scalars(statement)]
    _notice_cache[unit_id] = (now + NOTICE_CACHE_SECONDS, notices)
    return notices


def open_pulse_links(unit_id: int) -> list[str]:
    """Link tokens of the unit's open pulse questionnaires, to point residents to from its other pages."""
    statement = (
        select(CampaignUnit.link_token)
        .join(RectificationTask, RectificationTask.pulse_campaign_id == CampaignUnit.campaign_id)
        .join(Campaign, Campaign.id == CampaignUnit.campaign_id)
        .where(RectificationTask.unit_id == unit_id, Campaign.state == CampaignState.OPEN)
    )
    return list(db.session.scalars(statement))
