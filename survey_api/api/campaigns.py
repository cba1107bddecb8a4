"""Campaigns: /api/v1/campaigns — create, list, open, close, links, QR codes and posters."""

from __future__ import annotations

from flask import g, url_for
from flask_smorest import Blueprint

from ..auth import api_requires
from ..domain.campaigns import CampaignState
from ..downloads import as_download
from ..models import Campaign, CampaignUnit
from ..services import campaigns as campaign_service
from ..services.campaign_files import campaign_posters, unit_poster, unit_qr
from ..services.invitations import create_invitations
from ..services.links import campaign_links, get_campaign_link, public_url
from ..transactions import commit_on_success
from .lifecycle import add_transition_routes
from .schemas.campaigns import (
    CampaignCreateSchema,
    CampaignQuerySchema,
    CampaignSchema,
    InvitationCreateSchema,
    InvitationSchema,
    LinkSchema,
)
from .security import TOKEN_SECURITY

PREFIX = "/campaigns"
blp = Blueprint("campaigns", __name__, description="Survey campaigns and their QR links")


@blp.route("")
@api_requires("campaign.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(CampaignQuerySchema, location="query")
@blp.response(200, CampaignSchema(many=True))
def list_campaigns(query):
    """List campaigns, newest first."""
    return campaign_service.list_campaigns(query.get("state"))


@blp.route("", methods=["POST"])
@api_requires("campaign.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(CampaignCreateSchema)
@blp.response(201, CampaignSchema)
@blp.alt_response(404, schema="Error", description="unit.not_found or form.not_found")
@blp.alt_response(422, schema="Error", description="request.invalid or campaign.window_invalid")
@commit_on_success
def create_campaign(body):
    """Create a draft campaign from questionnaires in forms/ and a list of unit codes."""
    return campaign_service.create_campaign(g.actor, campaign_service.NewCampaign(**body))


@blp.route("/<int:campaign_id>")
@api_requires("campaign.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, CampaignSchema)
@blp.alt_response(404, schema="Error", description="campaign.not_found")
def get_campaign(campaign_id):
    """One campaign."""
    return campaign_service.get_campaign(campaign_id)


add_transition_routes(
    blp,
    "campaign",
    "campaign.write",
    CampaignSchema,
    campaign_service.transition,
    {"open": CampaignState.OPEN, "close": CampaignState.CLOSED},
)


@blp.route("/<int:campaign_id>/links")
@api_requires("campaign.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, LinkSchema(many=True))
@blp.alt_response(404, schema="Error", description="campaign.not_found")
def list_links(campaign_id):
    """Each unit's public link, QR images, poster and response count."""
    campaign = campaign_service.get_campaign(campaign_id)
    counts = campaign_service.response_counts(campaign_id)
    return [_link_row(campaign, link, counts.get(link.unit_id, 0)) for link in campaign_links(campaign)]


def _link_row(campaign: Campaign, link: CampaignUnit, responses: int) -> dict:
    def file_url(endpoint: str, **extra: str) -> str:
        return url_for(
            f"campaigns.{endpoint}", campaign_id=campaign.id, unit_code=link.unit.code, _external=True, **extra
        )

    return {
        "unit_code": link.unit.code,
        "unit_name": link.unit.name,
        "category": link.unit.category,
        "token": link.link_token,
        "url": public_url(link.link_token),
        "qr_png": file_url("unit_qr_file", image_format="png"),
        "qr_svg": file_url("unit_qr_file", image_format="svg"),
        "poster_pdf": file_url("unit_poster_file"),
        "responses": responses,
    }


@blp.route("/<int:campaign_id>/units/<unit_code>/qr.<any(png, svg):image_format>")
@api_requires("campaign.read")
@blp.doc(
    security=TOKEN_SECURITY,
    responses={"200": {"content": {"image/png": {}, "image/svg+xml": {}}}},
)
@blp.alt_response(404, schema="Error", description="campaign.not_found or unit.not_found")
def unit_qr_file(campaign_id, unit_code, image_format):
    """The unit's QR code as PNG or SVG; it encodes the full public URL."""
    campaign = campaign_service.get_campaign(campaign_id)
    return as_download(unit_qr(campaign, get_campaign_link(campaign, unit_code), image_format))


@blp.route("/<int:campaign_id>/units/<unit_code>/poster.pdf")
@api_requires("campaign.read")
@blp.doc(security=TOKEN_SECURITY, responses={"200": {"content": {"application/pdf": {}}}})
@blp.alt_response(404, schema="Error", description="campaign.not_found or unit.not_found")
def unit_poster_file(campaign_id, unit_code):
    """A printable A4 poster for one unit."""
    campaign = campaign_service.get_campaign(campaign_id)
    return as_download(unit_poster(campaign, get_campaign_link(campaign, unit_code)))


@blp.route("/<int:campaign_id>/posters.pdf")
@api_requires("campaign.read")
@blp.doc(security=TOKEN_SECURITY, responses={"200": {"content": {"application/pdf": {}}}})
@blp.alt_response(404, schema="Error", description="campaign.not_found")
def all_posters(campaign_id):
    """Every unit's poster for a campaign, one page each, in unit-code order."""
    return as_download(campaign_posters(campaign_service.get_campaign(campaign_id)))


@blp.route("/<int:campaign_id>/invitations", methods=["POST"])
@api_requires("campaign.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(InvitationCreateSchema)
@blp.response(201, InvitationSchema(many=True))
@blp.alt_response(404, schema="Error", description="campaign.not_found or unit.not_found")
@blp.alt_response(409, schema="Error", description="invitation.wrong_mode")
@commit_on_success
def post_invitations(body, campaign_id):
    """Create one-time invitation codes for a unit of an invitation campaign. The codes are in this answer only."""
    return create_invitations(g.actor, campaign_id, body["unit_code"], body["count"])
