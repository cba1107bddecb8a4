"""The public receipt check: /api/v1/receipts/<code>. No login; it tells only whether the answer counts."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..services.receipts import receipt_state
from .schemas.responses import ReceiptStateSchema

PREFIX = "/receipts"
blp = Blueprint("receipts", __name__, description="Check that an answer was counted, by its receipt code (no login)")


@blp.route("/<code>")
@blp.response(200, ReceiptStateSchema)
@blp.alt_response(404, schema="Error", description="receipt.not_found")
def get_receipt(code):
    """Whether the answer with this receipt code is counted, under review, replaced or not counted."""
    normalised, state = receipt_state(code)
    return {"receipt": normalised, "state": state.value}
