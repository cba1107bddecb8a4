"""The printable files of a campaign: each unit's QR code and poster, and the pack of all posters."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Campaign, CampaignUnit
from .links import campaign_links, public_url
from .posters import PosterContent, posters_pdf
from .qr import qr_png, qr_svg

QR_FORMATS = {"png": (qr_png, "image/png"), "svg": (qr_svg, "image/svg+xml")}


@dataclass(frozen=True)
class FileBody:
    body: bytes
    mimetype: str
    filename: str


def unit_qr(campaign: Campaign, link: CampaignUnit, image_format: str) -> FileBody:
    """The unit's QR code (PNG or SVG), encoding the full public URL."""
    render, mimetype = QR_FORMATS[image_format]
    return FileBody(render(public_url(link.link_token)), mimetype, f"qr-{campaign.id}-{link.unit.code}.{image_format}")


def _poster(campaign: Campaign, link: CampaignUnit) -> PosterContent:
    return PosterContent(campaign.title, campaign.period, link.unit.name, public_url(link.link_token))


def unit_poster(campaign: Campaign, link: CampaignUnit) -> FileBody:
    """One unit's A4 poster."""
    return FileBody(
        posters_pdf([_poster(campaign, link)]), "application/pdf", f"poster-{campaign.id}-{link.unit.code}.pdf"
    )


def campaign_posters(campaign: Campaign) -> FileBody:
    """Every unit's poster, one page each, in unit-code order."""
    pages = [_poster(campaign, link) for link in campaign_links(campaign)]
    return FileBody(posters_pdf(pages), "application/pdf", f"posters-{campaign.id}.pdf")
