"""Console pages for evaluation meetings: create, open and close, print slips (a PDF made in the request that
issues them), void a slip, and live turnout per rater group — never which slip or who."""

from __future__ import annotations

from datetime import date

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from ...auth import page_requires
from ...domain.access import is_allowed
from ...domain.meetings import DEFAULT_GROUPS, MeetingState, TargetKind
from ...downloads import as_download
from ...errors import AppError
from ...services import meetings as meeting_service
from ...services.ballot_slips import issue_slips, slips_file, void_slip
from ...services.meeting_results import meeting_results
from ...services.meeting_sheet import results_file
from ...services.units import list_units
from ...transactions import commit_on_success
from ..form_fields import form_texts
from . import bp

MAX_CADRES = 30


@bp.get("/meetings")
@page_requires("meeting.read")
def meetings():
    return render_template("console/meetings.html", meetings=meeting_service.list_meetings())


@bp.get("/meetings/new")
@page_requires("meeting.write")
def new_meeting():
    return _meeting_form({"team": "领导班子"}, None)


def _meeting_form(values: dict, error: AppError | None, status: int = 200):
    page = render_template(
        "console/meeting_new.html",
        units=list_units(),
        values=values,
        error=error,
        default_groups=DEFAULT_GROUPS,
        cadre_rows=range(MAX_CADRES),
    )
    return page, status


@bp.post("/meetings/new")
@page_requires("meeting.write")
@commit_on_success
def create_meeting():
    """Create a draft meeting from the form: title, unit, day, team, cadres and each group's headcount."""
    form = request.form
    values = {key: form.get(key, "") for key in ("title", "unit_code", "held_on", "team", "quorum_share")}
    values["cadres"] = form.getlist("cadre_name")
    values["posts"] = form.getlist("cadre_post")
    values["headcounts"] = {g.key: form.get(f"headcount_{g.key}", "") for g in DEFAULT_GROUPS}
    try:
        texts = form_texts(form, {"title": 200, "unit_code": 32, "team": 100}, required=("title", "unit_code"))
        targets = [meeting_service.NewTarget(TargetKind.TEAM, texts["team"])] if texts["team"] else []
        for name, post in zip(values["cadres"], values["posts"] + [""] * MAX_CADRES):
            if name.strip():
                targets.append(meeting_service.NewTarget(TargetKind.CADRE, name.strip()[:100], post.strip()[:100]))
        spec = meeting_service.NewMeeting(
            title=texts["title"],
            unit_code=texts["unit_code"],
            held_on=_day(values["held_on"]),
            targets=targets,
            groups=[meeting_service.group_spec(key, _count(text)) for key, text in values["headcounts"].items()],
            quorum_share=_share(values["quorum_share"]),
        )
        meeting = meeting_service.create_meeting(g.actor, spec)
    except AppError as error:
        return _meeting_form(values, error, error.status)
    return redirect(url_for("console.meeting", meeting_id=meeting.id), code=303)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise AppError("request.invalid", details={"held_on": ["Give the day of the meeting."]}) from None


def _count(text: str) -> int:
    if not text.strip().isdigit() or int(text) > 100000:
        raise AppError("request.invalid", details={"headcount": ["Give each group's expected headcount (0 or more)."]})
    return int(text)


def _share(text: str) -> float:
    try:
        return float(text) if text.strip() else 0.5
    except ValueError:
        raise AppError("request.invalid", details={"quorum_share": ["A share such as 0.5."]}) from None


@bp.get("/meetings/<int:meeting_id>")
@page_requires("meeting.read")
def meeting(meeting_id: int):
    """The meeting: targets, groups, turnout per group (refreshing by itself while open), slips and states."""
    found = meeting_service.get_meeting(meeting_id)
    return render_template(
        "console/meeting.html",
        meeting=found,
        turnout=meeting_service.turnout(found),
        can_write=is_allowed(g.user.role, "meeting.write"),
        states=MeetingState,
    )


@bp.post("/meetings/<int:meeting_id>/<any(open, close):move>")
@page_requires("meeting.write")
@commit_on_success
def move_meeting(meeting_id: int, move: str):
    target = MeetingState.OPEN if move == "open" else MeetingState.CLOSED
    meeting_service.transition(g.actor, meeting_id, target)
    return redirect(url_for("console.meeting", meeting_id=meeting_id), code=303)


@bp.post("/meetings/<int:meeting_id>/slips")
@page_requires("meeting.write")
@commit_on_success
def print_slips(meeting_id: int):
    """Issue slips for a group and answer with their PDF sheet: the only time their codes are shown."""
    group_key = request.form.get("group", "")[:32]
    text = request.form.get("count", "")
    if not text.strip().isdigit():
        raise AppError("request.invalid", details={"count": ["Give how many slips to print."]})
    issued = issue_slips(g.actor, meeting_id, group_key, int(text))
    response = as_download(slips_file(issued, meeting_id, group_key))
    response.headers["Content-Disposition"] = response.headers["Content-Disposition"].replace("inline", "attachment")
    return response


@bp.post("/meetings/<int:meeting_id>/void")
@page_requires("meeting.write")
@commit_on_success
def void(meeting_id: int):
    """Void an unused slip by the code printed on it."""
    try:
        group_key = void_slip(g.actor, meeting_id, request.form.get("code", "")[:40])
    except AppError as error:
        if error.code not in ("slip.not_found", "slip.used"):
            raise
        flash(error.message, "error")
    else:
        flash(str(VOIDED).format(group=group_key), "ok")
    return redirect(url_for("console.meeting", meeting_id=meeting_id), code=303)


VOIDED = _l("The slip is void and can no longer cast a ballot (group {group}).")


@bp.get("/meetings/<int:meeting_id>/results")
@page_requires("meeting.read")
def meeting_results_page(meeting_id: int):
    """The results sheet of a closed meeting, per target and rater group; groups too small to stay anonymous show
    turnout only."""
    found = meeting_service.get_meeting(meeting_id)
    return render_template(
        "console/meeting_results.html",
        meeting=found,
        results=meeting_results(found),
        labels={g.key: g.label for g in found.groups},
    )


@bp.get("/meetings/<int:meeting_id>/results.pdf", defaults={"file_format": "pdf"})
@bp.get("/meetings/<int:meeting_id>/results.xlsx", defaults={"file_format": "xlsx"})
@page_requires("meeting.read")
def meeting_results_file(meeting_id: int, file_format: str):
    """The results sheet as a PDF to print or an XLSX workbook, downloaded."""
    response = as_download(results_file(meeting_service.get_meeting(meeting_id), file_format))
    response.headers["Content-Disposition"] = response.headers["Content-Disposition"].replace("inline", "attachment")
    return response
