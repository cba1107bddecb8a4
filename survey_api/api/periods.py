"""Assessment periods and unit results under /api/v1/periods: rule sets, inputs, revisions, publishing, corrections
and the results document that the district's performance platform pulls."""

from __future__ import annotations

from flask import g, request
from flask_smorest import Blueprint

from ..auth import api_requires, own_unit_only
from ..downloads import as_download
from ..services import period_results as revisions
from ..services import periods as period_service
from ..services.period_files import FILE_FORMATS, results_file
from ..services.period_inputs import EntryInput, import_scores, list_entries, remove_entry, store_entries
from ..services.period_labels import presented
from ..transactions import commit_on_success
from ..uploads import accepts_upload, uploaded_file
from .schemas.periods import (
    CorrectionSchema,
    EntriesBodySchema,
    NewPeriodSchema,
    PeriodResultsSchema,
    PeriodSchema,
    PeriodSummarySchema,
    PeriodVerificationSchema,
    RevisionQuerySchema,
    RevisionSummarySchema,
    ScoresImportReportSchema,
    SetupSchema,
    StoredEntrySchema,
)
from .security import TOKEN_SECURITY, file_upload_body

PREFIX = "/periods"
blp = Blueprint("periods", __name__, description="Assessment periods: unit results, ranks and grades")
LOCKED = "period.locked: the period is published (open a correction first)"


@blp.route("")
@api_requires("period.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, PeriodSummarySchema(many=True))
def list_periods():
    """Every assessment period, newest first."""
    return period_service.list_periods()


@blp.route("", methods=["POST"])
@api_requires("period.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(NewPeriodSchema)
@blp.response(201, PeriodSchema)
@blp.alt_response(409, schema="Error", description="period.exists")
@blp.alt_response(422, schema="Error", description="period.invalid or period.rules_invalid (details per field)")
@commit_on_success
def create_period(body):
    """Create a draft period over these units with the shipped rule set of its kind (or the rules given)."""
    new = period_service.NewPeriod(
        title=body["title"],
        kind=body["kind"],
        unit_codes=tuple(body["unit_codes"]),
        campaign_id=body["campaign_id"],
        meeting_ids=tuple(body["meeting_ids"]),
        rules=body["rules"],
    )
    return period_service.create_period(g.actor, new)


@blp.route("/<int:period_id>")
@api_requires("period.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, PeriodSchema)
@blp.alt_response(404, schema="Error", description="period.not_found")
def get_period(period_id):
    """A period with its rule set, units and levels."""
    return period_service.get_period(period_id)


@blp.route("/<int:period_id>/rules", methods=["PUT"])
@api_requires("period.write")
@blp.doc(
    security=TOKEN_SECURITY,
    requestBody={"content": {"application/json": {"schema": {"type": "object"}}}, "required": True},
)
@blp.response(200, PeriodSchema)
@blp.alt_response(404, schema="Error", description="period.not_found")
@blp.alt_response(409, schema="Error", description=LOCKED)
@blp.alt_response(422, schema="Error", description="period.rules_invalid: details name each field")
@commit_on_success
def replace_rules(period_id):
    """Replace the period's rule set (the fields of rules/periods/annual.yaml); an invalid one changes nothing."""
    return period_service.update_rules(g.actor, period_service.get_period(period_id), request.get_json(silent=True))


@blp.route("/<int:period_id>/setup", methods=["PUT"])
@api_requires("period.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(SetupSchema)
@blp.response(200, PeriodSchema)
@blp.alt_response(404, schema="Error", description="period.not_found")
@blp.alt_response(409, schema="Error", description=LOCKED)
@blp.alt_response(422, schema="Error", description="period.invalid: unknown unit, level, campaign or meeting")
@commit_on_success
def replace_setup(body, period_id):
    """Set the units assessed with their difficulty levels, the campaign and the evaluation meetings."""
    setup = period_service.PeriodSetup(body["levels"], body["campaign_id"], tuple(body["meeting_ids"]))
    return period_service.update_setup(g.actor, period_service.get_period(period_id), setup)


@blp.route("/<int:period_id>/inputs")
@api_requires("period.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, StoredEntrySchema(many=True))
@blp.alt_response(404, schema="Error", description="period.not_found")
def get_inputs(period_id):
    """The entered scores and adjustments (a unit user sees its own)."""
    period_service.get_period(period_id)
    return list_entries(period_id, own_unit_only())


@blp.route("/<int:period_id>/inputs", methods=["POST"])
@api_requires("period.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(EntriesBodySchema)
@blp.response(200, StoredEntrySchema(many=True))
@blp.alt_response(404, schema="Error", description="period.not_found")
@blp.alt_response(409, schema="Error", description=LOCKED)
@blp.alt_response(422, schema="Error", description="period.invalid: details name each entry and field")
@commit_on_success
def add_inputs(body, period_id):
    """Enter component scores and adjustments; all or none. The same score or the same adjustment reason sent
    again replaces the earlier one."""
    entries = [EntryInput(**e) for e in body["entries"]]
    return store_entries(g.actor, period_service.get_period(period_id), entries)


@blp.route("/<int:period_id>/inputs/<int:entry_id>", methods=["DELETE"])
@api_requires("period.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(204)
@blp.alt_response(404, schema="Error", description="period.not_found")
@blp.alt_response(409, schema="Error", description=LOCKED)
@commit_on_success
def delete_input(period_id, entry_id):
    """Take back an entry."""
    remove_entry(g.actor, period_service.get_period(period_id), entry_id)


@blp.route("/<int:period_id>/inputs/import", methods=["POST"])
@accepts_upload("IMPORT_MAX_BYTES")
@api_requires("period.write")
@blp.doc(
    security=TOKEN_SECURITY,
    requestBody=file_upload_body("CSV or XLSX: unit_code and one column per entered component"),
)
@blp.response(200, ScoresImportReportSchema)
@blp.alt_response(409, schema="Error", description=LOCKED)
@blp.alt_response(422, schema="Error", description="period.import_rejected (details: the report), import.bad_columns")
@commit_on_success
def import_inputs(period_id):
    """Import component scores from a table; all rows or none, with a report per row."""
    filename, data = uploaded_file()
    return import_scores(g.actor, period_service.get_period(period_id), filename, data)


@blp.route("/<int:period_id>/revisions", methods=["POST"])
@api_requires("period.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(201, RevisionSummarySchema)
@blp.alt_response(409, schema="Error", description=LOCKED + ", or period.no_units")
@commit_on_success
def compute(period_id):
    """Compute the results from the rules and current inputs, stored as a new revision."""
    return revisions.compute_revision(g.actor, period_service.get_period(period_id))


@blp.route("/<int:period_id>/revisions")
@api_requires("period.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, RevisionSummarySchema(many=True))
def list_revisions(period_id):
    """Every revision, newest first (a unit user sees the published one only)."""
    period_service.get_period(period_id)
    own_unit = own_unit_only()
    found = revisions.list_revisions(period_id)
    return [revisions.revision_summary(r, own_unit) for r in found if r.published_at or own_unit is None]


@blp.route("/<int:period_id>/revisions/<int:number>/publish", methods=["POST"])
@api_requires("period.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, RevisionSummarySchema)
@blp.alt_response(409, schema="Error", description="period.stale (compute again) or " + LOCKED)
@commit_on_success
def publish(period_id, number):
    """Publish a revision and lock the period; publishing it again changes nothing."""
    return revisions.publish_revision(g.actor, period_service.get_period(period_id), number)


@blp.route("/<int:period_id>/revisions/<int:number>/verification")
@api_requires("period.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, PeriodVerificationSchema)
def verify(period_id, number):
    """Recompute a revision from its frozen rules and inputs: are all its numbers identical?"""
    revisions.visible_revision(period_id, own_unit_only(), number)
    return revisions.verify_revision(period_id, number)


@blp.route("/<int:period_id>/correction", methods=["POST"])
@api_requires("period.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(CorrectionSchema)
@blp.response(200, PeriodSchema)
@blp.alt_response(409, schema="Error", description="period.not_published")
@commit_on_success
def correct(body, period_id):
    """Reopen a published period for a correction, with its reason; the next revision shows what changed."""
    return revisions.open_correction(g.actor, period_service.get_period(period_id), body["reason"])


@blp.route("/<int:period_id>/results")
@api_requires("period.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(RevisionQuerySchema, location="query")
@blp.response(200, PeriodResultsSchema)
@blp.alt_response(404, schema="Error", description="period.not_found, period.not_computed or period.revision_not_found")
def results(query, period_id):
    """Each unit's score, rank, grade and full breakdown with explanations, per category (the latest revision
    unless revision= is given; a unit user gets its own unit in the published revision)."""
    period = period_service.get_period(period_id)
    revision = revisions.visible_revision(period_id, own_unit_only(), query["revision"])
    shown = presented(revisions.visible_results(revision, own_unit_only()), revision.rules_snapshot)
    return {"period": period, "revision": revisions.revision_summary(revision, own_unit_only()), **shown}


def _file_view(file_format: str):
    mimetype = FILE_FORMATS[file_format][1]

    @api_requires("period.read")
    @blp.doc(security=TOKEN_SECURITY, responses={"200": {"description": "the file", "content": {mimetype: {}}}})
    @blp.arguments(RevisionQuerySchema, location="query")
    @blp.alt_response(404, schema="Error", description="period.not_found or period.not_computed")
    def view(query, period_id):
        period = period_service.get_period(period_id)
        revision = revisions.visible_revision(period_id, own_unit_only(), query["revision"])
        return as_download(results_file(period, revision, own_unit_only(), file_format))

    view.__name__ = f"results_{file_format}"
    view.__doc__ = f"The ranking per category with scores and grades as {file_format.upper()} (in Chinese)."
    return view


for _format in FILE_FORMATS:
    blp.route(f"/<int:period_id>/results.{_format}")(_file_view(_format))
