"""The rater's ballot at /b/<code>, reached by scanning a slip or typing its code at /b. Phone-first, works
without JavaScript. Nothing here logs or stores the code; the page after a ballot is cast shows no grades."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from ..domain.meetings import TokenState, normalise_slip_code
from ..errors import AppError
from ..services.ballot_box import OpenSlip, ballot_forms, cast, resolve_slip, slip_state
from ..transactions import commit_on_success

bp = Blueprint("ballot", __name__)
FIELD = re.compile(r"^t(\d{1,12})\.([A-Za-z0-9_]{1,64})$")
MAX_FIELDS = 400


def field_name(target_key: str, question_key: str) -> str:
    return f"{target_key}.{question_key}"


@bp.get("/b")
def enter_code():
    """A box to type the code printed on a slip; a well-formed code leads to its ballot."""
    typed = request.args.get("code", "")[:40]
    if not typed.strip():
        return render_template("public/ballot_code.html", code="", problem=False)
    normalised = normalise_slip_code(typed)
    if normalised is None:
        return render_template("public/ballot_code.html", code=typed, problem=True), 404
    return redirect(url_for("ballot.ballot", code=normalised), code=303)


@bp.get("/b/<code>")
def ballot(code: str):
    """The ballot for an unused slip of an open meeting; otherwise a page that says why it cannot be used."""
    return _ballot_page(resolve_slip(code), code, values={}, errors={})


@bp.post("/b/<code>")
@commit_on_success
def cast_ballot(code: str):
    """Spend the slip and store its ballots; on a problem with the grades, the ballot again with each marked."""
    given = posted_ballots(request.form)
    try:
        cast(code, given)
    except AppError as error:
        if error.code != "ballot.invalid":
            raise
        slip = resolve_slip(code)
        errors = {field_name(f"t{d['target']}", d["question"] or ""): d["message"] for d in error.details}
        values = {f"t{target}": answers for target, answers in given.items()}
        return _ballot_page(slip, code, values=values, errors=errors, status=422)
    return redirect(url_for("ballot.cast_done", code=code), code=303)


@bp.get("/b/<code>/cast")
def cast_done(code: str):
    """ "Your ballot is cast": shown for a spent slip; an unused slip goes back to its ballot."""
    state = slip_state(code)
    if state is TokenState.ISSUED:
        return redirect(url_for("ballot.ballot", code=code), code=303)
    if state is not TokenState.USED:
        raise AppError("ballot.token_invalid")
    return render_template("public/ballot_cast.html")


def posted_ballots(form: Any) -> dict[str, dict[str, str]]:
    """{target_id: {question_key: option}} from fields named t<target_id>.<question_key>; blanks left out. Field
    names of other shapes are ignored (the submit button, say); a target that is not in the meeting is refused."""
    given: dict[str, dict[str, str]] = {}
    for name in list(form.keys())[:MAX_FIELDS]:
        match = FIELD.match(name)
        value = (form.get(name) or "").strip()[:64]
        if match and value:
            given.setdefault(match.group(1), {})[match.group(2)] = value
    return given


def _ballot_page(slip: OpenSlip, code: str, values: dict, errors: dict, status: int = 200):
    forms = ballot_forms(slip.meeting)
    sections = [(target, {"key": f"t{target.id}"}, forms[target.kind]) for target in slip.meeting.targets]
    page = render_template(
        "public/ballot.html",
        meeting=slip.meeting,
        group=slip.group,
        sections=sections,
        code=code,
        values=values,
        errors=errors,
        field_name=field_name,
    )
    return page, status
