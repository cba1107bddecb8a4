"""One-time invitation codes: created in batches for one unit of a campaign, shown once, stored as keyed hashes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app

from ..domain.identity import INVITATION_BYTES, IdentityMode, invitation_code, invitation_hash, normalise_invitation
from ..errors import AppError
from ..extensions import db
from ..models import Invitation
from .audit import Actor, record
from .campaigns import get_campaign
from .links import get_campaign_link, public_url

MAX_BATCH = 5000


@dataclass(frozen=True)
class IssuedInvitation:
    unit_code: str
    code: str
    url: str


def create_invitations(actor: Actor, campaign_id: int, unit_code: str, count: int) -> list[IssuedInvitation]:
    """A batch of fresh codes for one unit. Only their hashes are kept: print or send them now."""
    if not 1 <= count <= MAX_BATCH:
        raise AppError("request.invalid", details={"count": [f"Ask for 1 to {MAX_BATCH} codes."]})
    campaign = get_campaign(campaign_id)
    if campaign.identity_mode is not IdentityMode.INVITATION:
        raise AppError("invitation.wrong_mode")
    link = get_campaign_link(campaign, unit_code)
    secret = str(current_app.config["IDENTITY_HASH_KEY"]).encode()
    codes = list(dict.fromkeys(invitation_code(secrets.token_bytes(INVITATION_BYTES)) for _ in range(count)))
    db.session.add_all(
        Invitation(
            campaign_id=campaign.id,
            campaign_unit_id=link.id,
            code_hash=invitation_hash(secret, normalise_invitation(code)),
        )
        for code in codes
    )
    db.session.flush()
    record(actor, "invitation.create", "campaign", campaign.id, {"unit": unit_code, "count": len(codes)})
    url = public_url(link.link_token)
    return [IssuedInvitation(unit_code, code, f"{url}?invite={code}") for code in codes]
