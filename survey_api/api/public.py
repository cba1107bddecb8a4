"""The public questionnaire API: /api/v1/links/<token>. No login; the token is the key."""

from __future__ import annotations

from flask import jsonify, request
from flask_smorest import Blueprint
from marshmallow import ValidationError

from ..errors import AppError
from ..models import Channel
from ..services.links import resolve_link
from ..services.responses import Submission, submit
from ..transactions import commit_on_success
from .schemas.responses import PublicLinkSchema, ReceiptSchema, SubmissionSchema

PREFIX = "/links"
blp = Blueprint("public_api", __name__, description="Public questionnaires reached through QR links (no login)")


@blp.route("/<token>")
@blp.response(200, PublicLinkSchema)
@blp.alt_response(404, schema="Error", description="link.not_found")
@blp.alt_response(429, schema="Error", description="request.rate_limited (see the Retry-After header)")
def get_link(token):
    """The questionnaires behind a link, and whether the campaign takes answers now."""
    resolved = resolve_link(token)
    return {
        "campaign_title": resolved.campaign.title,
        "period": resolved.campaign.period,
        "unit_name": resolved.unit.name,
        "accepting": resolved.acceptance().value,
        "closes_at": resolved.campaign.closes_at,
        "identity_mode": resolved.link_forms.identity_mode.value,
        "allow_replacement": resolved.link_forms.allow_replacement,
        "forms": resolved.forms,
    }


def _json(schema: str) -> dict:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _error(description: str) -> dict:
    return {"description": description, **_json("Error")}


# The hottest endpoint of a campaign: it is documented here by hand and parses and answers with the same schemas
# itself, because flask-smorest's argument and response layers cost about a fifth of its time (see
# tests/bench/RESULTS.md). Every other endpoint uses the layers.
SUBMISSION_SCHEMA = SubmissionSchema()
RECEIPT_SCHEMA = ReceiptSchema()
SUBMIT_DOC = {
    "requestBody": {"required": True, **_json("Submission")},
    "responses": {
        "201": {
            "description": "Stored; a resend of the same submission answers 200 with the same receipt",
            **_json("Receipt"),
        },
        "200": {"description": "An identical resend: nothing new stored", **_json("Receipt")},
        "404": _error("link.not_found"),
        "409": _error(
            "response.conflict, response.already_answered (details.can_replace), campaign.closed or campaign.not_open"
        ),
        "413": _error("request.too_large"),
        "415": _error("request.unsupported_media_type"),
        "422": _error(
            "request.invalid (details per field), response.invalid (details per question) or identity.invalid"
        ),
        "429": _error("request.rate_limited: wait the seconds in the Retry-After header, then resend unchanged"),
    },
}


@blp.route("/<token>/responses", methods=["POST"])
@blp.doc(**SUBMIT_DOC)
@commit_on_success
def post_response(token):
    """Submit answers. Resending the same submission_id with the same answers is safe."""
    try:
        body = SUBMISSION_SCHEMA.load(request.get_json(silent=True) or {})
    except ValidationError as error:
        raise AppError("request.invalid", details=error.messages) from error
    receipt = submit(
        Submission(
            link_token=token,
            submission_id=body["submission_id"],
            answers=body["answers"],
            channel=Channel.API,
            duration_seconds=body.get("duration_seconds"),
            identity=body.get("identity"),
            replace=body.get("replace", False),
            address=request.remote_addr,
        )
    )
    return jsonify(RECEIPT_SCHEMA.dump(receipt)), 201 if receipt.is_new else 200
