"""Public links: resolve a token to its campaign and unit, and build the URL printed in QR codes.

Resolving is on the hot path of every questionnaire view and submission, so it is one plain query; the
questionnaires behind a link are cached per process, keyed by the link's random token (a campaign's form
versions are fixed when it is created and a stored version never changes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..domain.campaigns import Acceptance, CampaignState, acceptance
from ..domain.forms import FormDefinition
from ..domain.identity import IdentityMode
from ..errors import AppError
from ..extensions import db
from ..models import Campaign, CampaignForm, CampaignUnit, FormVersion, Unit
from .clock import utcnow
from .forms_catalogue import definition_of

MAX_TOKEN_LENGTH = 64
FORMS_CACHE_LIMIT = 20_000


@dataclass(frozen=True)
class LinkUnit:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class LinkCampaign:
    id: int
    title: str
    period: str
    state: CampaignState
    opens_at: datetime | None
    closes_at: datetime | None


@dataclass(frozen=True)
class LinkForms:
    """What never changes about a link once its campaign exists: its questionnaires, its unit's code and how its
    campaign recognises a respondent (both fixed at creation)."""

    definitions: tuple[FormDefinition, ...]
    version_ids: dict[str, int]
    unit_code: str
    campaign_id: int
    identity_mode: IdentityMode
    allow_replacement: bool


@dataclass(frozen=True)
class ResolvedLink:
    token: str
    link_id: int
    unit: LinkUnit
    campaign: LinkCampaign
    link_forms: LinkForms

    @property
    def forms(self) -> tuple[FormDefinition, ...]:
        return self.link_forms.definitions

    @property
    def form_version_ids(self) -> dict[str, int]:
        return self.link_forms.version_ids

    def acceptance(self, now: datetime | None = None) -> Acceptance:
        c = self.campaign
        return acceptance(c.state, c.opens_at, c.closes_at, now or utcnow())


_FORMS_BY_TOKEN: dict[str, LinkForms] = {}

# Built once: on the hot path, building and coercing a statement costs more than running it.
_LINK_BY_TOKEN = (
    select(
        CampaignUnit.id,
        Unit.id,
        Unit.code,
        Unit.name,
        Campaign.id,
        Campaign.title,
        Campaign.period,
        Campaign.state,
        Campaign.opens_at,
        Campaign.closes_at,
        Campaign.identity_mode,
        Campaign.allow_replacement,
    )
    .join(Unit, Unit.id == CampaignUnit.unit_id)
    .join(Campaign, Campaign.id == CampaignUnit.campaign_id)
    .where(CampaignUnit.link_token == bindparam("token"))
)


def resolve_link(token: str) -> ResolvedLink:
    """The campaign × unit behind a public token, with its questionnaires; an unknown token is link.not_found."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise AppError("link.not_found")
    row = db.session.connection().execute(_LINK_BY_TOKEN, {"token": token}).first()
    if row is None:
        raise AppError("link.not_found")
    link_id, unit_id, unit_code, unit_name, campaign_id, title, period, state, opens_at, closes_at, *identity = row
    forms = _link_forms(token, campaign_id, unit_code, *identity)
    return ResolvedLink(
        token=token,
        link_id=link_id,
        unit=LinkUnit(unit_id, unit_code, unit_name),
        campaign=LinkCampaign(campaign_id, title, period, state, opens_at, closes_at),
        link_forms=forms,
    )


def cached_link_forms(token: str) -> LinkForms | None:
    """The questionnaires of a link this process has resolved before, without touching the database."""
    return _FORMS_BY_TOKEN.get(token)


def _link_forms(
    token: str, campaign_id: int, unit_code: str, identity_mode: IdentityMode, allow_replacement: bool
) -> LinkForms:
    cached = _FORMS_BY_TOKEN.get(token)
    if cached is not None:
        return cached
    versions = db.session.scalars(
        select(FormVersion)
        .join(CampaignForm, CampaignForm.form_version_id == FormVersion.id)
        .where(CampaignForm.campaign_id == campaign_id)
        .order_by(CampaignForm.position)
    ).all()
    forms = LinkForms(
        tuple(definition_of(v) for v in versions),
        {v.key: v.id for v in versions},
        unit_code,
        campaign_id,
        identity_mode,
        allow_replacement,
    )
    if len(_FORMS_BY_TOKEN) >= FORMS_CACHE_LIMIT:
        _FORMS_BY_TOKEN.clear()
    _FORMS_BY_TOKEN[token] = forms
    return forms


def require_accepting(resolved: ResolvedLink, now: datetime | None = None) -> None:
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
