"""Evaluation meetings: /api/v1/meetings — create, open, close, issue and void ballot slips, turnout, results."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from ..auth import api_requires
from ..domain.meetings import MeetingState
from ..downloads import as_download
from ..services import meetings as meeting_service
from ..services.ballot_slips import issue_slips, slips_file, void_slip
from ..services.meeting_results import meeting_results, results_document
from ..services.meeting_sheet import SHEET_FORMATS, results_file
from ..transactions import commit_on_success
from .lifecycle import add_transition_routes
from .schemas.meetings import (
    MeetingCreateSchema,
    MeetingResultsSchema,
    MeetingSchema,
    SlipRequestSchema,
    SlipSchema,
    TurnoutSchema,
    VoidedSchema,
    VoidSchema,
)
from .security import TOKEN_SECURITY

PREFIX = "/meetings"
blp = Blueprint("meetings", __name__, description="Evaluation meetings (测评会), ballot slips and turnout")


@blp.route("")
@api_requires("meeting.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, MeetingSchema(many=True))
def list_meetings():
    """Every evaluation meeting, the latest sitting first."""
    return meeting_service.list_meetings()


@blp.route("", methods=["POST"])
@api_requires("meeting.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(MeetingCreateSchema)
@blp.response(201, MeetingSchema)
@blp.alt_response(404, schema="Error", description="unit.not_found")
@blp.alt_response(422, schema="Error", description="request.invalid or meeting.invalid")
@commit_on_success
def create_meeting(body):
    """Create a draft meeting: its targets (at most one team, any cadres) and rater groups with weights."""
    groups = [meeting_service.group_spec(**group) for group in body.pop("groups")]
    targets = [meeting_service.NewTarget(**target) for target in body.pop("targets")]
    return meeting_service.create_meeting(g.actor, meeting_service.NewMeeting(targets=targets, groups=groups, **body))


@blp.route("/<int:meeting_id>")
@api_requires("meeting.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, MeetingSchema)
@blp.alt_response(404, schema="Error", description="meeting.not_found")
def get_meeting(meeting_id):
    """One meeting with its targets and rater groups."""
    return meeting_service.get_meeting(meeting_id)


add_transition_routes(
    blp,
    "meeting",
    "meeting.write",
    MeetingSchema,
    meeting_service.transition,
    {"open": MeetingState.OPEN, "close": MeetingState.CLOSED},
)


@blp.route("/<int:meeting_id>/groups/<group_key>/slips.pdf", methods=["POST"])
@api_requires("meeting.write")
@blp.doc(security=TOKEN_SECURITY, responses={"201": {"content": {"application/pdf": {}}}})
@blp.arguments(SlipRequestSchema)
@blp.alt_response(404, schema="Error", description="meeting.not_found or meeting.group_not_found")
@blp.alt_response(409, schema="Error", description="meeting.closed")
@commit_on_success
def issue_slip_sheet(body, meeting_id, group_key):
    """Issue `count` new slips for a rater group and answer with their A4 sheet (PDF). The codes exist only in
    this answer: keep the file safe or print it at once; to reprint, void the slips and issue new ones."""
    issued = issue_slips(g.actor, meeting_id, group_key, body["count"])
    response = as_download(slips_file(issued, meeting_id, group_key))
    response.status_code = 201
    return response


@blp.route("/<int:meeting_id>/groups/<group_key>/slips", methods=["POST"])
@api_requires("meeting.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(SlipRequestSchema)
@blp.response(201, SlipSchema(many=True))
@blp.alt_response(404, schema="Error", description="meeting.not_found or meeting.group_not_found")
@blp.alt_response(409, schema="Error", description="meeting.closed")
@commit_on_success
def issue_slip_codes(body, meeting_id, group_key):
    """Issue `count` new slips and answer with their codes and addresses, to print elsewhere (shown once)."""
    return issue_slips(g.actor, meeting_id, group_key, body["count"]).slips


@blp.route("/<int:meeting_id>/slips/void", methods=["POST"])
@api_requires("meeting.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(VoidSchema)
@blp.response(200, VoidedSchema)
@blp.alt_response(404, schema="Error", description="meeting.not_found or slip.not_found")
@blp.alt_response(409, schema="Error", description="slip.used or meeting.closed")
@commit_on_success
def void(body, meeting_id):
    """Void an unused slip (spoiled or lost) by its printed code; it can no longer cast a ballot."""
    return {"group": void_slip(g.actor, meeting_id, body["code"]), "state": "voided"}


@blp.route("/<int:meeting_id>/turnout")
@api_requires("meeting.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, TurnoutSchema)
@blp.alt_response(404, schema="Error", description="meeting.not_found")
def get_turnout(meeting_id):
    """Slips issued, used, voided and remaining per rater group, and whether the quorum is reached. Never which
    slip, never who."""
    return meeting_service.turnout(meeting_service.get_meeting(meeting_id))


@blp.route("/<int:meeting_id>/results")
@api_requires("meeting.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, MeetingResultsSchema)
@blp.alt_response(404, schema="Error", description="meeting.not_found")
@blp.alt_response(409, schema="Error", description="meeting.not_closed")
def get_results(meeting_id):
    """The results sheet of a closed meeting: per target, the round's validity, per rater group the turnout and
    (unless hidden for anonymity) the grades, rates and mean score, the group-weighted score and the flags. The
    team's weighted score is the unit's "team democratic evaluation" input."""
    found = meeting_service.get_meeting(meeting_id)
    return results_document(found, meeting_results(found))


def _sheet_view(file_format: str):
    mimetype = SHEET_FORMATS[file_format][1]

    @api_requires("meeting.read")
    @blp.doc(security=TOKEN_SECURITY, responses={"200": {"description": "the file", "content": {mimetype: {}}}})
    @blp.alt_response(404, schema="Error", description="meeting.not_found")
    @blp.alt_response(409, schema="Error", description="meeting.not_closed")
    def view(meeting_id):
        return as_download(results_file(meeting_service.get_meeting(meeting_id), file_format))

    view.__name__ = f"get_results_{file_format}"
    view.__doc__ = (
        f"The results sheet of a closed meeting as {file_format.upper()} (in Chinese): per target its status, "
        "weighted score, rates and flags; per rater group its weight, ballots cast/issued/due, valid ballots and "
        "mean score, or 不显示 where anonymity hides them."
    )
    return view


for _format in SHEET_FORMATS:
    blp.route(f"/<int:meeting_id>/results.{_format}")(_sheet_view(_format))
