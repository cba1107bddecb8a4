"""The console's meeting pages: create with the default groups, print slips as a PDF, open, void, and a turnout
table with counts per group only."""

from __future__ import annotations

import re

from survey_api.models import Meeting

from ..factories import create_meeting, create_unit, full_ballot, issue_codes
from .console_client import post_form


def test_admin_creates_a_meeting_prints_slips_and_opens_it(signed_in, persona_units, db_session):
    create_unit(code="MTGC1", name="示范区教育局")
    admin = signed_in("admin")
    assert "headcount_peers" in admin.get("/console/meetings/new").get_data(as_text=True)
    created = post_form(
        admin,
        "/console/meetings/new",
        "/console/meetings/new",
        {
            "title": "2026年度民主测评会",
            "unit_code": "MTGC1",
            "held_on": "2026-12-08",
            "team": "领导班子",
            "cadre_name": ["王五", "赵六", ""],
            "cadre_post": ["局长", "副局长", ""],
            "headcount_superiors": "3",
            "headcount_peers": "25",
            "headcount_public": "12",
            "quorum_share": "0.5",
        },
    )
    assert created.status_code == 303, created.get_data(as_text=True)[:2000]
    page_url = created.headers["Location"]
    meeting = db_session.get(Meeting, int(page_url.rsplit("/", 1)[1]))
    assert [t.name for t in meeting.targets] == ["领导班子", "王五", "赵六"]
    assert [(g.key, g.headcount) for g in meeting.groups] == [("superiors", 3), ("peers", 25), ("public", 12)]
    pdf = post_form(admin, page_url, f"{page_url}/slips", {"group": "peers", "count": "10"})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert post_form(admin, page_url, f"{page_url}/open", {}).status_code == 303
    html = admin.get(page_url).get_data(as_text=True)
    assert 'http-equiv="refresh"' in html
    row = re.search(r'<tr data-group="peers">(.*?)</tr>', html).group(1)
    assert re.findall(r'class="num">(\d+(?:\.\d+)?)<', row) == ["0.4", "25", "10", "0", "10", "0"]


def test_a_meeting_with_bad_weights_or_no_target_shows_the_form_again(signed_in, persona_units, db_session):
    create_unit(code="MTGC2")
    admin = signed_in("admin")
    answer = post_form(
        admin,
        "/console/meetings/new",
        "/console/meetings/new",
        {
            "title": "测评会",
            "unit_code": "MTGC2",
            "held_on": "2026-12-08",
            "team": "",
            "headcount_superiors": "1",
            "headcount_peers": "1",
            "headcount_public": "1",
        },
    )
    assert answer.status_code == 422 and "page-error" in answer.get_data(as_text=True)


def test_turnout_shows_counts_only_and_void_works_from_the_page(signed_in, persona_units, client, db_session):
    meeting = create_meeting()
    codes = issue_codes(meeting, "public", 3)
    form = {f"t{t}.{q}": g for t, items in full_ballot(meeting).items() for q, g in items.items()}
    assert client.post(f"/b/{codes[0]}", data=form).status_code == 303
    admin = signed_in("admin")
    page_url = f"/console/meetings/{meeting.id}"
    voided = post_form(admin, page_url, f"{page_url}/void", {"code": codes[1]}, follow_redirects=True)
    html = voided.get_data(as_text=True)
    assert "page-notice" in html
    row = re.search(r'<tr data-group="public">(.*?)</tr>', html).group(1)
    assert re.findall(r'class="num">(\d+(?:\.\d+)?)<', row) == ["0.4", "30", "2", "1", "1", "1"]
    for code in codes:
        assert code not in html and code.replace("-", "") not in html
    auditor = signed_in("auditor").get(page_url).get_data(as_text=True)
    assert 'id="turnout"' in auditor and 'id="print-slips"' not in auditor
    assert signed_in("statistician").get(page_url).status_code == 403
