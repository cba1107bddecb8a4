"""The one catalogue of client-visible errors: every error's stable machine code, HTTP status and a message a person
can act on (translatable, formatted with the error's parameters). errors.py raises and renders them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class ErrorKind:
    status: int
    message: Any  # a lazy translatable string, formatted with the error's params


CATALOGUE: dict[str, ErrorKind] = {
    "request.bad_request": ErrorKind(400, _l("The request could not be understood.")),
    "request.malformed_json": ErrorKind(
        400, _l("The request body is not valid JSON. Check quotes, commas and brackets.")
    ),
    "request.unsupported_media_type": ErrorKind(
        415, _l("Send the request body as JSON with Content-Type: application/json.")
    ),
    "request.too_large": ErrorKind(413, _l("The request body is too large; the limit is %(limit)s bytes.")),
    "request.invalid": ErrorKind(422, _l("Some fields are missing or invalid; see details for each field.")),
    "request.not_found": ErrorKind(404, _l("Nothing exists at this address.")),
    "request.method_not_allowed": ErrorKind(405, _l("This address does not accept that method.")),
    "request.conflict": ErrorKind(409, _l("This change conflicts with data that already exists.")),
    "auth.required": ErrorKind(401, _l("Sign in, or send a valid API token (Authorization: Bearer …), to use this.")),
    "auth.invalid_credentials": ErrorKind(401, _l("The username or password is wrong.")),
    "auth.locked": ErrorKind(429, _l("Too many failed sign-ins. This account is locked for a while; try again later.")),
    "auth.forbidden": ErrorKind(403, _l("Your role does not allow this.")),
    "request.csrf_failed": ErrorKind(
        403, _l("This form has expired or did not come from this site. Reload the page and try again.")
    ),
    "account.exists": ErrorKind(409, _l("An account with this username already exists.")),
    "account.weak_password": ErrorKind(
        422, _l("Choose a password of at least 10 characters that does not contain the username and is not too simple.")
    ),
    "account.unit_mismatch": ErrorKind(422, _l("A unit account needs its unit, and only unit accounts have one.")),
    "token.not_found": ErrorKind(404, _l("You have no API token with this id.")),
    "account.not_found": ErrorKind(404, _l("No account has this id.")),
    "account.self_disable": ErrorKind(409, _l("You cannot disable your own account; ask another admin.")),
    "link.not_found": ErrorKind(
        404, _l("This survey link is not valid. Check the address, or scan the QR code again.")
    ),
    "campaign.not_found": ErrorKind(404, _l("No campaign has this id.")),
    "campaign.not_open": ErrorKind(409, _l("This survey has not opened yet. Please come back once it opens.")),
    "campaign.closed": ErrorKind(
        409, _l("This survey has closed and no longer takes answers. Thank you for your interest.")
    ),
    "campaign.invalid_transition": ErrorKind(409, _l("A %(current)s campaign cannot move to %(target)s.")),
    "campaign.window_invalid": ErrorKind(422, _l("The closing time must be later than the opening time.")),
    "unit.not_found": ErrorKind(404, _l("No unit has the code %(code)s.")),
    "unit.exists": ErrorKind(409, _l("A unit with this code already exists.")),
    "form.not_found": ErrorKind(404, _l("No questionnaire named %(key)s exists in the forms folder.")),
    "form.invalid": ErrorKind(422, _l("The questionnaire file is not valid; see details.")),
    "file.encoding": ErrorKind(
        422, _l("The file is neither UTF-8 nor GBK/GB18030 text. Save it again as CSV (UTF-8) and retry.")
    ),
    "rules.not_found": ErrorKind(404, _l("No scoring rule set named %(key)s exists.")),
    "rules.invalid": ErrorKind(422, _l("The scoring rule set is not valid; see details for each field.")),
    "rules.locked": ErrorKind(
        409, _l("This campaign's results are published, so its scoring rule set can no longer change.")
    ),
    "margins.invalid": ErrorKind(422, _l("The population margins are not valid; see details for each unit.")),
    "margins.not_fitted": ErrorKind(
        422,
        _l(
            "The answers of unit %(unit)s cannot be weighted to its population margins (%(reason)s). "
            "Check that unit's margins or collect more answers in the group named."
        ),
    ),
    "results.no_responses": ErrorKind(
        409, _l("This campaign has no counted answers yet, so there are no results to compute.")
    ),
    "results.not_found": ErrorKind(404, _l("No results have been computed for this campaign yet. Compute them first.")),
    "results.run_not_found": ErrorKind(404, _l("This campaign has no computed results with this number.")),
    "response.invalid": ErrorKind(422, _l("Some answers need attention; see details for each question.")),
    "response.conflict": ErrorKind(
        409,
        _l(
            "This submission id was already used with different answers. Start a new "
            "submission with a new id; the earlier answers are kept."
        ),
    ),
    "response.not_found": ErrorKind(404, _l("No answer with this receipt code exists for this survey.")),
    "request.upload_required": ErrorKind(415, _l("Send the file as multipart/form-data, in a field named file.")),
    "import.campaign_draft": ErrorKind(409, _l("This campaign is still a draft; open it before importing answers.")),
    "import.too_large": ErrorKind(413, _l("The file is larger than %(limit)s MB; split it into several files.")),
    "import.unreadable": ErrorKind(422, _l("The file could not be read: %(reason)s")),
    "import.bad_columns": ErrorKind(
        422, _l("The file's columns do not fit this campaign's questionnaires, so nothing was imported; see details.")
    ),
    "import.rejected": ErrorKind(
        422,
        _l(
            "%(rejected)s of %(total)s rows have problems, so nothing was imported. Fix those rows, or import "
            "only the valid rows (accept_valid); details holds the report."
        ),
    ),
    "response.already_answered": ErrorKind(
        409,
        _l(
            "An answer from you to this survey already exists, and only one answer per person counts. "
            "Your new answers were not saved. If the survey allows it and is still open, you may replace the "
            "earlier answer (details.can_replace; resend with replace: true)."
        ),
    ),
    "invitation.wrong_mode": ErrorKind(
        409, _l("This campaign does not use invitation codes; choose the invitation identity mode when creating it.")
    ),
    "identity.invalid": ErrorKind(422, _l("The identity field needs attention; see details.")),
    "receipt.not_found": ErrorKind(
        404, _l("No answer has this receipt code. Check the code as it is written on your receipt.")
    ),
    "quality.rules_invalid": ErrorKind(422, _l("Some quality-flag settings are not valid; see details for each.")),
    "quality.rules_locked": ErrorKind(
        409, _l("This campaign has closed, so its quality-flag settings can no longer change.")
    ),
    "review.unknown_responses": ErrorKind(
        422,
        _l("Some of the responses are not in this campaign; nothing was changed. Reload the review queue and retry."),
    ),
    "meeting.not_found": ErrorKind(404, _l("No evaluation meeting has this id.")),
    "meeting.invalid": ErrorKind(422, _l("The meeting's targets or rater groups need attention; see details.")),
    "meeting.invalid_transition": ErrorKind(409, _l("A %(current)s evaluation meeting cannot move to %(target)s.")),
    "meeting.group_not_found": ErrorKind(404, _l("This meeting has no rater group with the key %(key)s.")),
    "meeting.not_open": ErrorKind(
        409, _l("Voting has not started yet. Keep your slip and scan it again when the organiser opens the ballot.")
    ),
    "meeting.closed": ErrorKind(409, _l("This evaluation meeting has closed and takes no more ballots.")),
    "meeting.not_closed": ErrorKind(
        409, _l("Results are shown once the meeting is closed, so that nothing can be read while ballots are cast.")
    ),
    "ballot.token_invalid": ErrorKind(
        404, _l("This slip is not valid. Check the code as printed on your slip, or ask the organiser for help.")
    ),
    "ballot.token_used": ErrorKind(
        409, _l("This slip has already been used. Each slip casts one ballot, and its ballot was counted once.")
    ),
    "ballot.invalid": ErrorKind(422, _l("Some grades on the ballot need attention; nothing was stored. See details.")),
    "ballot.unknown_target": ErrorKind(
        422,
        _l("The ballot names someone who is not evaluated at this meeting; nothing was stored. Reload the ballot."),
    ),
    "slip.not_found": ErrorKind(404, _l("No slip of this meeting has this code. Check it against the printed slip.")),
    "slip.used": ErrorKind(409, _l("This slip has already cast its ballot, so it can no longer be voided.")),
    "paper.account_required": ErrorKind(403, _l("Paper ballots are keyed in by a signed-in teller's own account.")),
    "paper.slip_used": ErrorKind(
        409,
        _l("This slip has already cast its ballot (by phone or on paper); set this paper ballot aside as not counted."),
    ),
    "paper.slip_voided": ErrorKind(409, _l("This slip was voided, so its paper ballot cannot be counted.")),
    "paper.same_teller": ErrorKind(
        409, _l("You keyed in the first entry of this ballot; the second entry must come from another teller.")
    ),
    "paper.both_entered": ErrorKind(
        409, _l("Both tellers have keyed in this ballot and the entries differ; resolve them by replacing one side.")
    ),
    "paper.nothing_to_resolve": ErrorKind(
        409, _l("This ballot has no two differing entries to resolve; key it in as a first or second entry.")
    ),
    "paper.not_teller": ErrorKind(403, _l("Only one of the two tellers who keyed in this ballot can resolve it.")),
    "period.not_found": ErrorKind(404, _l("No assessment period has this id.")),
    "period.exists": ErrorKind(409, _l("An assessment period with this title already exists; choose another title.")),
    "period.invalid": ErrorKind(422, _l("Some fields of the assessment period need attention; see details.")),
    "period.rules_invalid": ErrorKind(
        422, _l("The period's rule set is not valid, so nothing was changed; see details for each field.")
    ),
    "period.locked": ErrorKind(
        409,
        _l(
            "This period's results are published, so its rules, units and inputs are locked. "
            "Open a correction with a reason to change them."
        ),
    ),
    "period.not_published": ErrorKind(409, _l("Only a published period can be corrected.")),
    "period.reason_required": ErrorKind(422, _l("Give the reason for the correction; it is kept in the audit trail.")),
    "period.no_units": ErrorKind(409, _l("Add the units to be assessed before computing the period's results.")),
    "period.not_computed": ErrorKind(404, _l("This period has no computed results yet. Compute them first.")),
    "period.revision_not_found": ErrorKind(404, _l("This period has no revision with this number.")),
    "period.stale": ErrorKind(
        409,
        _l("The rules or inputs changed after this revision was computed. Compute again, then publish the new one."),
    ),
    "period.import_rejected": ErrorKind(
        422,
        _l(
            "%(rejected)s of %(total)s rows have problems, so nothing was imported. "
            "Fix those rows; details holds the report."
        ),
    ),
    "request.rate_limited": ErrorKind(
        429,
        _l(
            "Too many requests arrived from your network or for this link. "
            "Please wait %(seconds)s seconds and try again."
        ),
    ),
    "export.too_many_rows": ErrorKind(
        422, _l("This export has %(rows)s rows, but an XLSX sheet holds at most %(limit)s. Export CSV or JSON instead.")
    ),
    "household.campaign_mode": ErrorKind(
        409,
        _l(
            "Household frames belong to campaigns that recognise respondents by household number; "
            "create the household survey as such a campaign."
        ),
    ),
    "household.frame_rejected": ErrorKind(
        422,
        _l("The frame has problems in %(rows)s rows; nothing was stored. Correct the rows listed and import again."),
    ),
    "household.frame_columns": ErrorKind(
        422,
        _l(
            "The frame has no column for: %(columns)s. Head the columns household, unit, community and address "
            "(size and stratum are optional)."
        ),
    ),
    "household.not_found": ErrorKind(404, _l("No household of the sample has this id.")),
    "household.not_assigned": ErrorKind(
        403, _l("This household is not assigned to you. Ask your supervisor to assign it before visiting.")
    ),
    "household.finished": ErrorKind(
        409, _l("The visits to this household are finished (%(state)s); no further visit can be recorded.")
    ),
    "visit.conflict": ErrorKind(
        409, _l("A different visit was already recorded under this submission id. Record it again as a new visit.")
    ),
    "sample.invalid": ErrorKind(422, _l("The sample design needs attention; see details for each field.")),
    "sample.no_frame": ErrorKind(
        409, _l("Unit %(unit)s has no households in this campaign's frame; import the frame first.")
    ),
    "sample.exists": ErrorKind(
        409, _l("A sample was already drawn for unit %(unit)s; its seed is recorded and it cannot be drawn again.")
    ),
    "assignment.invalid": ErrorKind(422, _l("The assignment needs attention; see details.")),
    "feedback.not_published": ErrorKind(
        404, _l("No published results include this unit yet, so there is no feedback report to show.")
    ),
    "task.not_found": ErrorKind(404, _l("No rectification task has this number.")),
    "task.invalid_transition": ErrorKind(
        409, _l("A rectification task that is %(current)s cannot be %(target)s. Reload the task to see its state.")
    ),
    "task.closed": ErrorKind(
        409, _l("This rectification has been accepted and is closed; its reports and evidence can no longer change.")
    ),
    "task.owner_not_unit": ErrorKind(
        422, _l("Only an account of the evaluated unit can own its rectification task; this account is not one.")
    ),
    "task.owner_other_unit": ErrorKind(
        422, _l("This account belongs to another unit; choose an account of %(unit)s as the task's owner.")
    ),
    "task.owner_inactive": ErrorKind(
        422, _l("This account is disabled; choose an active account of the unit, or enable this one first.")
    ),
    "task.deadline_past": ErrorKind(422, _l("The deadline must lie in the future.")),
    "task.report_missing": ErrorKind(
        422, _l("Write the closing report (what was done and with what result) before submitting the task.")
    ),
    "evidence.too_large": ErrorKind(413, _l("The evidence file is larger than %(limit)s MB; upload a smaller one.")),
    "evidence.bad_type": ErrorKind(
        415,
        _l("Evidence must be a PDF, PNG or JPEG file whose content matches its name; this file is %(found)s."),
    ),
    "evidence.not_found": ErrorKind(404, _l("This task has no evidence file with this number.")),
    "evidence.damaged": ErrorKind(
        409, _l("The stored evidence file no longer matches its checksum. Report this to the administrator.")
    ),
    "notice.not_accepted": ErrorKind(
        409, _l("Only an accepted rectification can be announced to residents, and only with a text to show.")
    ),
    "pulse.exists": ErrorKind(409, _l("This task already has a follow-up questionnaire.")),
    "server.unavailable": ErrorKind(503, _l("The service is temporarily unavailable. Please try again shortly.")),
    "server.error": ErrorKind(
        500, _l("Something went wrong on our side. Your request may not have been completed; please try again.")
    ),
}

# Unique constraints (named by the convention in extensions.py) that clients can run into, mapped to catalogue codes.
UNIQUE_VIOLATIONS = {
    "uq_units_code": "unit.exists",
    "uq_users_username": "account.exists",
    "uq_assessment_periods_title": "period.exists",
}

HTTP_STATUS_CODES = {
    400: "request.bad_request",
    404: "request.not_found",
    405: "request.method_not_allowed",
    409: "request.conflict",
    413: "request.too_large",
    415: "request.unsupported_media_type",
    422: "request.invalid",
}
