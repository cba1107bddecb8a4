"""Public links: resolve a token to its campaign and unit, and build the URL printed in QR codes."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..domain.campaigns import Acceptance, acceptance
from ..domain.forms import FormDefinition
from ..errors import AppError
from ..extensions import db
from ..models import Campaign, CampaignForm, CampaignUnit
from .campaigns import campaign_definitions
from .clock import utcnow

MAX_TOKEN_LENGTH = 64


@dataclass(frozen=True)
class ResolvedLink:
    link: CampaignUnit
    campaign: Campaign
    forms: list[FormDefinition]

    def acceptance(self, now=None) -> Acceptance:
        c = self.campaign
        return acceptance(c.state, c.opens_at, c.closes_at, now or utcnow())


def resolve_link(token: str) -> ResolvedLink:
    """The campaign × unit behind a public token, with its questionnaires; an unknown token is link.not_found."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise AppError("link.not_found")
    link = db.session.scalar(
        select(CampaignUnit)
        .where(CampaignUnit.link_token == token)
        .options(
            joinedload(CampaignUnit.unit),
            joinedload(CampaignUnit.campaign).selectinload(Campaign.forms).joinedload(CampaignForm.form_version),
        )
    )
    if link is None:
        raise AppError("link.not_found")
    return ResolvedLink(link=link, campaign=link.campaign, forms=campaign_definitions(link.campaign))


def require_accepting(resolved: ResolvedLink, now=None) -> None:
    """Raise campaign.not_open or campaign.closed unless the campaign takes answers now."""
    state = resolved.acceptance(now)
    if state is Acceptance.NOT_YET_OPEN:
        raise AppError("campaign.not_open")
    if state is Acceptance.CLOSED:
        raise AppError("campaign.closed")


def public_url(token: str) -> str:
    """The full address of a link's questionnaire, as printed in its QR code."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/s/{token}"


def campaign_links(campaign: Campaign) -> list[CampaignUnit]:
    """The campaign's links with their units, in unit-code order."""
    links = db.session.scalars(
        select(CampaignUnit).where(CampaignUnit.campaign_id == campaign.id).options(joinedload(CampaignUnit.unit))
    )
    return sorted(links, key=lambda link: link.unit.code)


def get_campaign_link(campaign: Campaign, unit_code: str) -> CampaignUnit:
    """The link of one unit in a campaign, or unit.not_found."""
    for link in campaign_links(campaign):
        if link.unit.code == unit_code:
            return link
    raise AppError("unit.not_found", code=unit_code)
