"""The public questionnaire API: /api/v1/links/<token>. No login; the token is the key."""

from __future__ import annotations

from flask_smorest import Blueprint

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
def get_link(token):
    """The questionnaires behind a link, and whether the campaign takes answers now."""
    resolved = resolve_link(token)
    return {
        "campaign_title": resolved.campaign.title,
        "period": resolved.campaign.period,
        "unit_name": resolved.unit.name,
        "accepting": resolved.acceptance().value,
        "closes_at": resolved.campaign.closes_at,
        "forms": resolved.forms,
    }


@blp.route("/<token>/responses", methods=["POST"])
@blp.arguments(SubmissionSchema)
@blp.response(
    201, ReceiptSchema, description="Stored; a resend of the same submission answers 200 with the same receipt"
)
@blp.alt_response(200, schema=ReceiptSchema, description="An identical resend: nothing new stored")
@blp.alt_response(404, schema="Error", description="link.not_found")
@blp.alt_response(409, schema="Error", description="response.conflict, campaign.closed or campaign.not_open")
@blp.alt_response(413, schema="Error", description="request.too_large")
@blp.alt_response(415, schema="Error", description="request.unsupported_media_type")
@blp.alt_response(422, schema="Error", description="response.invalid: details name each question")
@commit_on_success
def post_response(body, token):
    """Submit answers. Resending the same submission_id with the same answers is safe."""
    receipt = submit(
        Submission(
            link_token=token,
            submission_id=body["submission_id"],
            answers=body["answers"],
            channel=Channel.API,
            duration_seconds=body.get("duration_seconds"),
        )
    )
    return receipt, 201 if receipt.is_new else 200
