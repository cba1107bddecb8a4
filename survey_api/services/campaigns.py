"""Campaigns: create with questionnaires and units, list, open and close."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..domain.campaigns import CampaignState, can_transition, check_window
from ..domain.codes import LINK_TOKEN_BYTES, link_token
from ..domain.forms import FormDefinition
from ..domain.identity import IdentityMode
from ..errors import AppError
from ..extensions import db
from ..models import Campaign, CampaignForm, CampaignUnit, Response
from .audit import Actor, record
from .clock import utcnow
from .forms_catalogue import definition_of, load_form, publish_form
from .rule_sets import store_rules_file
from .units import units_by_codes


@dataclass(frozen=True)
class NewCampaign:
    title: str
    period: str
    form_keys: list[str]
    unit_codes: list[str]
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    series: str | None = None
    rule_set_key: str = "default"
    identity_mode: IdentityMode = IdentityMode.DEVICE
    allow_replacement: bool = False


IDENTITY_MODE_LABELS = {
    IdentityMode.DEVICE: _l("one answer per phone (a random id kept by the browser)"),
    IdentityMode.HOUSEHOLD: _l("one answer per household (household number from the sampling frame)"),
    IdentityMode.PERSONAL_PHONE: _l("one answer per mobile number (stored only as a keyed hash)"),
    IdentityMode.PERSONAL_ID_SUFFIX: _l("one answer per ID card ending (stored only as a keyed hash)"),
    IdentityMode.INVITATION: _l("one answer per printed or sent invitation code"),
    IdentityMode.NONE: _l("no check: every submission counts"),
}


def create_campaign(actor: Actor, spec: NewCampaign) -> Campaign:
    """A draft campaign with the current version of each questionnaire and a fresh link per unit."""
    if check_window(spec.opens_at, spec.closes_at):
        raise AppError("campaign.window_invalid")
    units = units_by_codes(list(dict.fromkeys(spec.unit_codes)))
    definitions = [load_form(key) for key in dict.fromkeys(spec.form_keys)]
    ballots = [d.key for d in definitions if d.kind == "ballot"]
    if ballots:
        raise AppError(
            "form.invalid", details=[f"{key} is a ballot: ballots are cast at evaluation meetings" for key in ballots]
        )
    versions = [publish_form(actor, definition) for definition in definitions]
    rules = store_rules_file(actor, spec.rule_set_key)
    campaign = Campaign(
        title=spec.title,
        period=spec.period,
        series=spec.series,
        rule_set_version_id=rules.id,
        state=CampaignState.DRAFT,
        opens_at=spec.opens_at,
        closes_at=spec.closes_at,
        identity_mode=spec.identity_mode,
        allow_replacement=spec.allow_replacement,
    )
    campaign.forms = [CampaignForm(form_version_id=v.id, position=i) for i, v in enumerate(versions)]
    campaign.links = [CampaignUnit(unit_id=u.id, link_token=new_link_token()) for u in units]
    db.session.add(campaign)
    db.session.flush()
    record(
        actor,
        "campaign.create",
        "campaign",
        campaign.id,
        {
            "title": spec.title,
            "period": spec.period,
            "opens_at": spec.opens_at,
            "closes_at": spec.closes_at,
            "identity_mode": spec.identity_mode.value,
            "allow_replacement": spec.allow_replacement,
            "forms": [f"{v.key} v{v.version}" for v in versions],
            "series": spec.series,
            "rules": f"{rules.key} v{rules.version}",
            "units": [u.code for u in units],
        },
    )
    return campaign


def new_link_token() -> str:
    return link_token(secrets.token_bytes(LINK_TOKEN_BYTES))


def list_campaigns(state: CampaignState | None = None) -> list[Campaign]:
    """Campaigns, newest first."""
    query = (
        select(Campaign)
        .options(selectinload(Campaign.forms), selectinload(Campaign.links))
        .order_by(Campaign.id.desc())
    )
    if state is not None:
        query = query.where(Campaign.state == state)
    return list(db.session.scalars(query))


def get_campaign(campaign_id: int) -> Campaign:
    """The campaign with this id, or campaign.not_found."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise AppError("campaign.not_found")
    return campaign


def transition(actor: Actor, campaign_id: int, target: CampaignState, now: datetime | None = None) -> Campaign:
    """Open or close a campaign; an impossible move (closed → open, say) is a conflict."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.id == campaign_id).with_for_update())
    if campaign is None:
        raise AppError("campaign.not_found")
    if campaign.state is target:
        return campaign  # repeating an open or a close changes nothing, so a retried request is harmless
    if not can_transition(campaign.state, target):
        raise AppError("campaign.invalid_transition", current=campaign.state, target=target)
    now = now or utcnow()
    record(
        actor,
        f"campaign.{'open' if target is CampaignState.OPEN else 'close'}",
        "campaign",
        campaign.id,
        {"state": [campaign.state, target]},
    )
    campaign.state = target
    if target is CampaignState.OPEN:
        campaign.opened_at = now
    else:
        campaign.closed_at = now
    db.session.flush()
    return campaign


def campaign_definitions(campaign: Campaign) -> list[FormDefinition]:
    """The parsed questionnaires of a campaign, in page order."""
    return [definition_of(cf.form_version) for cf in campaign.forms]


def campaigns_of_unit(unit_id: int) -> list[Campaign]:
    """The campaigns a unit takes part in, newest first."""
    query = (
        select(Campaign)
        .join(CampaignUnit, CampaignUnit.campaign_id == Campaign.id)
        .where(CampaignUnit.unit_id == unit_id)
        .options(selectinload(Campaign.forms), selectinload(Campaign.links))
        .order_by(Campaign.id.desc())
    )
    return list(db.session.scalars(query))


def response_totals(campaign_ids: list[int], only_unit_id: int | None = None) -> dict[int, int]:
    """Responses per campaign id (of one unit, if given), replaced answers left out, counted in SQL."""
    if not campaign_ids:
        return {}
    query = select(Response.campaign_id, func.count()).where(
        Response.campaign_id.in_(campaign_ids), Response.superseded_at.is_(None)
    )
    if only_unit_id is not None:
        query = query.where(Response.unit_id == only_unit_id)
    return dict(db.session.execute(query.group_by(Response.campaign_id)).all())


def response_counts(campaign_id: int) -> dict[int, int]:
    """Responses per unit id for a campaign, replaced answers left out, counted in SQL."""
    rows = db.session.execute(
        select(Response.unit_id, func.count())
        .where(Response.campaign_id == campaign_id, Response.superseded_at.is_(None))
        .group_by(Response.unit_id)
    )
    return {unit_id: count for unit_id, count in rows}
