"""The console's 录入纸质票 page: two tellers key in a paper ballot, differences are shown item by item and
resolved, only meeting writers may use it, and the page shows slips by fingerprint, never by code."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import Ballot

from ..factories import create_account, create_meeting, full_ballot, issue_codes
from .console_client import post_form, sign_in


def as_form(meeting, ballot: dict, code: str, **extra) -> dict:
    fields = {
        f"t{target}.{question}": grade for target, answers in ballot.items() for question, grade in answers.items()
    }
    return {"code": code, **fields, **extra}


def ballots() -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot))


def test_two_tellers_key_in_a_differing_ballot_and_resolve_it(app, signed_in, persona_units, db_session):
    meeting = create_meeting()
    [code] = issue_codes(meeting, "public", 1)
    create_account("p_admin2", "admin")
    first, second = signed_in("admin"), app.test_client()
    assert sign_in(second, "p_admin2").status_code == 302
    page = f"/console/meetings/{meeting.id}/paper"
    assert 'id="paper-link"' in first.get(f"/console/meetings/{meeting.id}").get_data(as_text=True)

    stored = post_form(first, page, page, as_form(meeting, full_ballot(meeting), code))
    assert stored.status_code == 303
    html = first.get(page).get_data(as_text=True)
    assert "waiting for the second teller" in html or "等待第二位" in html
    assert code not in html and code.replace("-", "") not in html

    again = post_form(first, page, page, as_form(meeting, full_ballot(meeting), code))
    assert again.status_code == 409 and 'id="paper-error"' in again.get_data(as_text=True)

    cadre = meeting.targets[1]
    other = full_ballot(meeting)
    other[str(cadre.id)]["ability"] = "excellent"
    assert post_form(second, page, page, as_form(meeting, other, code)).status_code == 303
    html = second.get(page).get_data(as_text=True)
    row = re.search(r'<tr data-slip="[0-9a-f]{12}">(.*?)</tr>', html, re.S).group(1)
    assert cadre.name in row and "良好" in row and "优秀" in row
    assert ballots() == 0

    resolved = post_form(second, page, page, as_form(meeting, full_ballot(meeting), code, replace_side="2"))
    assert resolved.status_code == 303
    assert ballots() == len(meeting.targets)
    assert 'id="paper-none"' in second.get(page).get_data(as_text=True)


def test_bad_grades_show_the_form_again_with_nothing_stored(signed_in, persona_units, db_session):
    meeting = create_meeting()
    [code] = issue_codes(meeting, "peers", 1)
    admin = signed_in("admin")
    page = f"/console/meetings/{meeting.id}/paper"
    answer = post_form(admin, page, page, {"code": code, f"t{meeting.targets[1].id}.overall": "superb"})
    assert answer.status_code == 422 and 'id="paper-error"' in answer.get_data(as_text=True)
    assert 'id="paper-none"' in admin.get(page).get_data(as_text=True)


def test_only_meeting_writers_reach_the_paper_page(signed_in, persona_units, db_session):
    meeting = create_meeting(state="closed")
    page = f"/console/meetings/{meeting.id}/paper"
    assert signed_in("auditor").get(page).status_code == 403
    assert signed_in("statistician").get(page).status_code == 403
    assert 'id="paper-closed"' in signed_in("admin").get(page).get_data(as_text=True)
