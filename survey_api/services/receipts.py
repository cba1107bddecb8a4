"""The public receipt check: whether the answer behind a receipt code is counted, and nothing else about it."""

from __future__ import annotations

from enum import Enum

from sqlalchemy import select

from ..domain.codes import looks_like_receipt
from ..errors import AppError
from ..extensions import db
from ..models import Response, ResponseStatus


class ReceiptState(str, Enum):
    COUNTED = "counted"
    UNDER_REVIEW = "under_review"
    REPLACED = "replaced"  # the respondent sent a later answer that replaced this one
    NOT_COUNTED = "not_counted"


def normalise_receipt(text: str) -> str:
    """A receipt code as typed: case and surrounding space do not matter, the dash may be left out."""
    code = "".join((text or "").split()).upper()
    if len(code) == 8 and "-" not in code:
        code = f"{code[:4]}-{code[4:]}"
    return code


def receipt_state(text: str) -> tuple[str, ReceiptState]:
    """The normalised code and the state of its answer, or receipt.not_found."""
    code = normalise_receipt(text)
    if not looks_like_receipt(code):
        raise AppError("receipt.not_found")
    row = db.session.execute(
        select(Response.status, Response.superseded_at).where(Response.receipt_code == code)
    ).first()
    if row is None:
        raise AppError("receipt.not_found")
    status, superseded_at = row
    if superseded_at is not None:
        return code, ReceiptState.REPLACED
    if status is ResponseStatus.INCLUDED:
        return code, ReceiptState.COUNTED
    if status is ResponseStatus.UNDER_REVIEW:
        return code, ReceiptState.UNDER_REVIEW
    return code, ReceiptState.NOT_COUNTED
