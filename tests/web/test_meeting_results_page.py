"""The results sheet of a meeting in the console and the API: refused while open, per target once closed."""

from __future__ import annotations

import random

from survey_api.extensions import db
from survey_api.services.ballot_box import cast

from ..factories import create_meeting, issue_codes
from ..services.test_meeting_results import close, varied_ballot


def test_the_results_sheet_in_the_console_and_the_api(signed_in, client_as):
    meeting = create_meeting(cadres=("张三",))
    rng = random.Random(2)
    for group, count in (("superiors", 8), ("peers", 12), ("public", 14)):
        for code in issue_codes(meeting, group, count):
            cast(code, varied_ballot(meeting, rng))
    db.session.commit()
    api = client_as("admin")
    early = api.get(f"/api/v1/meetings/{meeting.id}/results")
    assert early.status_code == 409 and early.get_json()["code"] == "meeting.not_closed"

    close(meeting)
    body = api.get(f"/api/v1/meetings/{meeting.id}/results").get_json()
    assert [t["kind"] for t in body["targets"]] == ["team", "cadre"]
    assert all(t["tally"]["status"] == "counted" and t["tally"]["score"] is not None for t in body["targets"])
    assert client_as("auditor").get(f"/api/v1/meetings/{meeting.id}/results").status_code == 200

    page = signed_in("admin").get(f"/console/meetings/{meeting.id}/results").get_data(as_text=True)
    assert page.count('class="target"') == 2 and page.count('class="weighted-score"') == 2
    assert 'data-group="superiors"' in page
    meeting_page = signed_in("admin").get(f"/console/meetings/{meeting.id}").get_data(as_text=True)
    assert 'id="meeting-results-link"' in meeting_page
