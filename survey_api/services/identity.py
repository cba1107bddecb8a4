"""Respondent identity keys for submissions: turn what the respondent (or their browser) gave into the keyed hash
that the responses table stores, check invitation codes, and replace an earlier answer when a campaign allows it.

The clear value never leaves this module: not into the database, not into a log, not into an error's details."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update

from ..domain.identity import IdentityError, IdentityMode, identity_key, invitation_hash, normalise
from ..errors import AppError
from ..extensions import db
from ..models import Invitation, Response
from .links import LinkForms, ResolvedLink

IDENTITY_MESSAGES = {
    "required": _l("Please fill in this field; it is how the survey counts one answer per person."),
    "phone_not_mainland": _l("Enter a mainland China mobile number (11 digits starting with 1)."),
    "phone_not_digits": _l("A mobile number has digits only; please check what you typed."),
    "phone_invalid": _l("Enter an 11-digit mobile number starting with 1, e.g. 138 1234 5678."),
    "id_suffix_invalid": _l("Enter the last 4 to 6 characters of your ID card: digits, possibly ending in X."),
    "household_invalid": _l("Enter the household number as printed on the list (letters and digits)."),
    "invitation_invalid": _l("Enter the 10-character invitation code printed on your invitation."),
    "invitation_unknown": _l("This invitation code is not valid for this survey. Check it against your invitation."),
    "device_invalid": _l("Send the device id as 16–64 letters, digits, - or _."),
}

FIELD_LABELS = {
    IdentityMode.HOUSEHOLD: _l("Household number"),
    IdentityMode.PERSONAL_PHONE: _l("Your mobile number"),
    IdentityMode.PERSONAL_ID_SUFFIX: _l("Last 4–6 characters of your ID card"),
    IdentityMode.INVITATION: _l("Invitation code"),
    IdentityMode.DEVICE: _l("Device id"),
}

_CURRENT_WITH_KEY = select(Response.id).where(
    Response.campaign_id == bindparam("campaign_id"),
    Response.unit_id == bindparam("unit_id"),
    Response.identity_key == bindparam("identity_key"),
    Response.superseded_at.is_(None),
)
_INVITATION = select(Invitation.id).where(
    Invitation.code_hash == bindparam("code_hash"), Invitation.campaign_unit_id == bindparam("link_id")
)


@dataclass(frozen=True)
class RespondentKey:
    """The stored identity key of a submission, and for an invitation the hash its code is looked up by."""

    value: str
    invitation_hash: str | None = None


def _secret() -> bytes:
    return str(current_app.config["IDENTITY_HASH_KEY"]).encode()


def invalid_identity(code: str) -> AppError:
    """identity.invalid with a message naming what to type; the typed value is never echoed."""
    return AppError("identity.invalid", details={"identity": [str(IDENTITY_MESSAGES[code])]})


def respondent_key(forms: LinkForms, given: str | None) -> RespondentKey | None:
    """The key for what was given under the link's campaign mode; None for a campaign that uses no keys."""
    mode = forms.identity_mode
    if mode is IdentityMode.NONE:
        return None
    try:
        normalised = normalise(mode, given)
    except IdentityError as error:
        raise invalid_identity(error.code) from None  # no chained exception carrying the clear value into a log
    key = identity_key(_secret(), forms.campaign_id, mode, normalised)
    code_hash = invitation_hash(_secret(), normalised) if mode is IdentityMode.INVITATION else None
    return RespondentKey(key, code_hash)


def require_invitation(resolved: ResolvedLink, key: RespondentKey) -> int:
    """The id of the invitation behind the code, which must belong to this link (used or not)."""
    found = (
        db.session.connection()
        .execute(_INVITATION, {"code_hash": key.invitation_hash, "link_id": resolved.link_id})
        .scalar()
    )
    if found is None:
        raise invalid_identity("invitation_unknown")
    return found


def consume_invitation(invitation_id: int, now: datetime) -> None:
    """Mark the invitation used, in the same transaction as the response; a second use leaves the first time."""
    db.session.connection().execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.consumed_at.is_(None))
        .values(consumed_at=now)
    )


def current_answer(resolved: ResolvedLink, key: RespondentKey) -> int | None:
    """The id of the counted-or-pending (not replaced) response already stored under this key, if any."""
    params = {"campaign_id": resolved.campaign.id, "unit_id": resolved.unit.id, "identity_key": key.value}
    return db.session.connection().execute(_CURRENT_WITH_KEY, params).scalar()


def supersede(response_id: int, now: datetime) -> bool:
    """Mark a response replaced so that a new one may take its key; False if another request replaced it first."""
    result = db.session.connection().execute(
        update(Response).where(Response.id == response_id, Response.superseded_at.is_(None)).values(superseded_at=now)
    )
    return result.rowcount == 1


def link_replacement(old_id: int, new_id: int) -> None:
    """Point the replaced response at the one that replaced it, so the history reads forwards."""
    db.session.connection().execute(update(Response).where(Response.id == old_id).values(replaced_by_id=new_id))
