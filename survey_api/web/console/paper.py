"""Console page for keying in paper ballots twice (录入纸质票): one form per slip code, the readings still waiting
for a second teller or differing, item by item, and the resolution (a third reading in place of one side)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from ...auth import page_requires
from ...domain.paper_entries import Difference
from ...errors import AppError
from ...models import Meeting
from ...services.ballot_box import ballot_forms
from ...services.meetings import get_meeting
from ...services.paper_ballots import COUNTED, WAITING, enter_paper_ballot, pending_paper
from ...transactions import commit_on_success
from ..ballot import posted_ballots
from . import bp

OUTCOMES = {
    WAITING: _l("First entry stored for slip %(slip)s; a second teller keys in the same ballot next."),
    COUNTED: _l("Both entries agree: the ballot of slip %(slip)s is counted."),
}
DIFFERS = _l("The entries for slip %(slip)s differ on %(count)s item(s); nothing is counted until they agree.")
SHOWN_ERRORS = ("ballot.invalid", "ballot.unknown_target", "request.invalid")


@bp.get("/meetings/<int:meeting_id>/paper")
@page_requires("meeting.write")
def paper_ballots(meeting_id: int):
    return _paper_page(get_meeting(meeting_id), values={}, error=None)


@bp.post("/meetings/<int:meeting_id>/paper")
@page_requires("meeting.write")
@commit_on_success
def enter_paper(meeting_id: int):
    """One teller's reading of one paper ballot: a first or second entry, or (with a side) a resolution."""
    form = request.form
    given = posted_ballots(form)
    side_text = form.get("replace_side", "")
    try:
        replace_side = int(side_text) if side_text in ("1", "2") else None
        if side_text not in ("", "1", "2"):
            raise AppError("request.invalid", details={"replace_side": ["Replace side 1 or side 2."]})
        outcome = enter_paper_ballot(g.actor, meeting_id, form.get("code", "")[:40], given, replace_side)
    except AppError as error:
        if error.code.startswith(("paper.", "slip.")) or error.code in SHOWN_ERRORS:
            values = {f"t{target}": answers for target, answers in given.items()}
            return _paper_page(get_meeting(meeting_id), values=values, error=error, status=error.status)
        raise
    if outcome.status in OUTCOMES:
        flash(str(OUTCOMES[outcome.status]) % {"slip": outcome.slip}, "ok")
    else:
        flash(str(DIFFERS) % {"slip": outcome.slip, "count": len(outcome.differences)}, "error")
    return redirect(url_for("console.paper_ballots", meeting_id=meeting_id), code=303)


def _paper_page(meeting: Meeting, values: dict, error: AppError | None, status: int = 200):
    forms = ballot_forms(meeting)
    sections = [(target, f"t{target.id}", forms[target.kind]) for target in meeting.targets]
    page = render_template(
        "console/meeting_paper.html",
        meeting=meeting,
        sections=sections,
        values=values,
        error=error,
        pending=pending_paper(g.actor, meeting),
        describe=_describer(meeting),
    )
    return page, status


def _describer(meeting: Meeting):
    """Turn a difference into (target, item, first grade, second grade) as the ballot prints them."""
    forms = ballot_forms(meeting)
    targets = {t.id: t for t in meeting.targets}
    blank = str(_l("(blank)"))

    def describe(difference: Difference) -> tuple[str, str, str, str]:
        target = targets.get(difference.target_id)
        if target is None:
            return (
                str(difference.target_id),
                difference.question,
                difference.first or blank,
                difference.second or blank,
            )
        question = next((q for q in forms[target.kind].questions if q.key == difference.question), None)
        options = {o.key: o.label for o in question.options} if question else {}
        return (
            target.name,
            question.text if question else difference.question,
            options.get(difference.first or "", difference.first or blank),
            options.get(difference.second or "", difference.second or blank),
        )

    return describe
