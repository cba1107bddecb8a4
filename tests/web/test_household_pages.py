"""The household survey's pages: the bureau's page (frame import with its per-row report, draw, assignment,
supervision) and the enumerator's phone list and visit endpoint, with their permissions."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import Household, Response, User
from survey_api.services.audit import SYSTEM
from survey_api.services.fieldwork import assign_in_batches, households_of

from ..factories import create_campaign, create_unit, full_answers
from ..household_support import drawn, enumerators, frame_file, household_campaign
from .console_client import csrf_of, post_form, sign_in


@pytest.fixture
def survey(db_session, persona_tokens):
    campaign, unit = household_campaign(count=40)
    drawn(campaign, unit)
    assign_in_batches(SYSTEM, campaign.id, None, ["p_enumerator"])
    db.session.commit()
    return campaign, unit


def page_of(campaign) -> str:
    return f"/console/campaigns/{campaign.id}/households"


def test_the_bureau_sees_progress_rates_and_addresses_and_the_auditor_only_figures(survey, signed_in):
    campaign, _ = survey
    address = db.session.scalar(select(Household.address).where(Household.campaign_id == campaign.id))
    bureau = signed_in("statistician").get(page_of(campaign)).get_data(as_text=True)
    assert 'id="progress"' in bureau and "RR1" in bureau and 'id="progress-chart"' in bureau
    assert 'id="frame-form"' in bureau
    auditor = signed_in("auditor")
    page = auditor.get(page_of(campaign))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="progress"' in html and 'id="frame-form"' not in html and address not in html
    upload = auditor.post(f"{page_of(campaign)}/frame", data={"csrf_token": csrf_of(html)})
    assert upload.status_code == 403
    assert signed_in("unit_a").get(page_of(campaign)).status_code == 403


def test_a_bad_frame_upload_shows_every_row_and_stores_nothing(survey, signed_in):
    campaign, unit = survey
    client = signed_in("statistician")
    before = db.session.scalar(select(func.count()).where(Household.campaign_id == campaign.id))
    bad = f"household,unit,community,address\nNEW1,{unit.code},东社区,\nNEW2,XXXX,东社区,路1号\n".encode()
    answer = post_form(
        client,
        page_of(campaign),
        f"{page_of(campaign)}/frame",
        {"file": (io.BytesIO(bad), "frame.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'data-row="2"' in html and 'data-row="3"' in html
    assert db.session.scalar(select(func.count()).where(Household.campaign_id == campaign.id)) == before
    late = frame_file(unit.code, 2, prefix="N")  # the unit's sample is drawn: its frame is fixed
    answer = post_form(
        client,
        page_of(campaign),
        f"{page_of(campaign)}/frame",
        {"file": (io.BytesIO(late), "frame.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422 and 'data-row="3"' in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(Household.campaign_id == campaign.id)) == before


def test_the_bureau_imports_a_frame_from_the_page(db_session, persona_tokens, signed_in):
    unit = create_unit(code=f"TF{uuid.uuid4().hex[:6]}")
    campaign = create_campaign([unit], identity_mode="household")
    answer = post_form(
        signed_in("statistician"),
        page_of(campaign),
        f"{page_of(campaign)}/frame",
        {"file": (io.BytesIO(frame_file(unit.code, 5)), "frame.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    assert db.session.scalar(select(func.count()).where(Household.campaign_id == campaign.id)) == 5


def test_drawing_twice_and_assigning_to_a_non_enumerator_are_refused_on_the_page(survey, signed_in):
    campaign, unit = survey
    client = signed_in("statistician")
    again = post_form(client, page_of(campaign), f"{page_of(campaign)}/sample", {"unit": unit.code, "margin": "5"})
    assert again.status_code == 409 and 'id="form-error"' in again.get_data(as_text=True)
    wrong = post_form(client, page_of(campaign), f"{page_of(campaign)}/assign", {"enumerators": "p_auditor"})
    assert wrong.status_code == 422


def _visit_body(household_id: int, outcome: str, answers=None) -> dict:
    return {
        "submission_id": uuid.uuid4().hex,
        "household_id": household_id,
        "outcome": outcome,
        "visited_at": "2026-01-01T08:00:00+08:00",
        "answers": answers,
        "duration_seconds": 300,
    }


def test_the_enumerator_lands_on_their_list_and_records_visits_once(app, survey):
    campaign, _ = survey
    client = app.test_client()
    assert sign_in(client, "p_enumerator").headers["Location"].endswith("/console/field/")  # lands on the list
    html = client.get("/console/field/").get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.username == "p_enumerator"))
    mine = households_of(user)
    assert mine and all(h.address in html for h in mine)
    token = re.search(r'data-csrf="([^"]+)"', html).group(1)
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    body = _visit_body(mine[0].id, "completed", full_answers(campaign))
    first = client.post("/console/field/visits", json=body, headers=headers)
    again = client.post("/console/field/visits", json=body, headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json["receipt_code"] == again.json["receipt_code"] and first.json["state"] == "completed"
    assert db.session.scalar(select(func.count()).where(Response.campaign_id == campaign.id)) == 1
    bad = client.post("/console/field/visits", json={**body, "outcome": "asleep"}, headers=headers)
    assert bad.status_code == 422 and bad.json["code"] == "request.invalid"


def test_an_enumerator_is_refused_a_household_not_assigned_to_them(survey, signed_in):
    campaign, _ = survey
    (other,) = enumerators("other")
    user = db.session.scalar(select(User).where(User.username == "p_enumerator"))
    household = households_of(user)[0]
    household.enumerator_id = other.id
    db.session.commit()
    client = signed_in("enumerator")
    html = client.get("/console/field/").get_data(as_text=True)
    assert household.address not in html
    token = re.search(r'data-csrf="([^"]+)"', html).group(1)
    answer = client.post(
        "/console/field/visits",
        json=_visit_body(household.id, "refused"),
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert answer.status_code == 403 and answer.json["code"] == "household.not_assigned"
    assert signed_in("statistician").get("/console/field/").status_code == 403


def test_response_rates_are_exported_for_the_bureau_and_scripts_without_addresses(survey, signed_in, client_as):
    campaign, unit = survey
    user = db.session.scalar(select(User).where(User.username == "p_enumerator"))
    household = households_of(user)[0]
    from survey_api.domain.fieldwork import Outcome
    from survey_api.services.fieldwork import VisitRecord, record_visit

    record_visit(user, VisitRecord(uuid.uuid4().hex, household.id, Outcome.REFUSED, household.assigned_at))
    db.session.commit()
    page = signed_in("auditor").get(f"{page_of(campaign)}/response-rates.csv")
    assert page.status_code == 200
    lines = page.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("unit,community,frame,interviews_needed,released,completed,refused")
    unit_row = next(line for line in lines[1:] if line.split(",")[1] == "")
    assert unit_row.split(",")[6] == "1" and unit_row.split(",")[-1] != ""  # one refusal, REF1 given
    assert household.address not in page.get_data(as_text=True)
    api = client_as("statistician").get(f"/api/v1/campaigns/{campaign.id}/fieldwork/response-rates?format=json")
    assert api.status_code == 200 and b"rr1" in api.data
    assert client_as("unit_a").get(f"/api/v1/campaigns/{campaign.id}/fieldwork/response-rates").status_code == 403


def test_the_supervision_page_draws_quota_cells_with_labels_and_targets(survey, signed_in):
    campaign, unit = survey
    from survey_api.domain.fieldwork import Outcome
    from survey_api.services.fieldwork import VisitRecord, record_visit
    from survey_api.services.margins import MarginRow, set_margins

    set_margins(
        SYSTEM, campaign, [MarginRow(unit.code, "sex", "male", 0.5), MarginRow(unit.code, "sex", "female", 0.5)]
    )
    set_margins(
        SYSTEM,
        campaign,
        [MarginRow(unit.code, "sex", s, 0.5) for s in ("male", "female")]
        + [MarginRow(unit.code, "age_group", "age_18_29", 0.5), MarginRow(unit.code, "age_group", "age_60_plus", 0.5)],
    )
    user = db.session.scalar(select(User).where(User.username == "p_enumerator"))
    household = households_of(user)[0]
    answers = full_answers(campaign)
    record_visit(user, VisitRecord(uuid.uuid4().hex, household.id, Outcome.COMPLETED, household.assigned_at, answers))
    db.session.commit()
    html = signed_in("statistician").get(page_of(campaign)).get_data(as_text=True)
    assert html.count('class="target-bars"') == 2  # quota cells and enumerators
    table = html[html.index(f'data-unit="{unit.code}"') :]
    assert "男" in table and "18–29岁" in table


def test_back_checks_are_selected_and_recorded_on_the_page_and_addresses_stay_with_the_bureau(survey, signed_in):
    campaign, _ = survey
    from survey_api.domain.fieldwork import Outcome
    from survey_api.models import BackCheck
    from survey_api.services.fieldwork import VisitRecord, record_visit

    user = db.session.scalar(select(User).where(User.username == "p_enumerator"))
    done = households_of(user)[:4]
    for household in done:
        record = VisitRecord(uuid.uuid4().hex, household.id, Outcome.COMPLETED, household.assigned_at)
        record_visit(user, VisitRecord(**{**record.__dict__, "answers": full_answers(campaign)}))
    db.session.commit()
    bureau = signed_in("statistician")
    chosen = post_form(bureau, page_of(campaign), f"{page_of(campaign)}/back-checks", {"share": "0.5", "seed": "7"})
    assert chosen.status_code == 302
    checks = db.session.scalars(select(BackCheck)).all()
    assert len(checks) == 2 and {c.seed for c in checks} == {7}
    check = checks[0]
    recorded = post_form(
        bureau,
        page_of(campaign),
        f"{page_of(campaign)}/back-checks/{check.id}",
        {"result": "confirmed", "note": "户主确认接受过访问"},
    )
    assert recorded.status_code == 302
    db.session.refresh(check)
    assert check.result == "confirmed" and check.checked_by_id is not None
    address = next(h.address for h in done if h.id == check.household_id)
    assert address in bureau.get(page_of(campaign)).get_data(as_text=True)
    assert address not in signed_in("auditor").get(page_of(campaign)).get_data(as_text=True)
    wrong = post_form(bureau, page_of(campaign), f"{page_of(campaign)}/back-checks/{check.id}", {"result": "maybe"})
    assert wrong.status_code == 422
