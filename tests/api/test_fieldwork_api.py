"""The household survey through the API: a frame upload (all or nothing, with its report), a unit's draw, batch
assignment, and the permissions of each."""

from __future__ import annotations

import io
import uuid

from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import Household, SampleDesign

from ..factories import create_campaign, create_unit
from ..household_support import frame_file


def household_survey(db_session):
    unit = create_unit(code=f"TA{uuid.uuid4().hex[:6]}")
    return create_campaign([unit], identity_mode="household"), unit


def upload(client, campaign_id: int, data: bytes):
    return client.post(
        f"/api/v1/campaigns/{campaign_id}/households",
        data={"file": (io.BytesIO(data), "frame.csv")},
        content_type="multipart/form-data",
    )


def test_the_bureau_imports_draws_and_assigns_through_the_api(db_session, client_as):
    campaign, unit = household_survey(db_session)
    client = client_as("statistician")
    imported = upload(client, campaign.id, frame_file(unit.code, 40))
    assert imported.status_code == 200 and imported.json["imported"] == 40
    drawn = client.post(f"/api/v1/campaigns/{campaign.id}/samples", json={"unit": unit.code, "margin": 8, "seed": 5})
    assert drawn.status_code == 201
    assert drawn.json["seed"] == 5 and drawn.json["frame_size"] == 40 and drawn.json["allocation"] == "proportional"
    assert sum(s["main"] for s in drawn.json["strata"].values()) == drawn.json["released"]
    again = client.post(f"/api/v1/campaigns/{campaign.id}/samples", json={"unit": unit.code})
    assert again.status_code == 409 and again.json["code"] == "sample.exists"
    assigned = client.post(f"/api/v1/campaigns/{campaign.id}/assignments", json={"enumerators": ["p_enumerator"]})
    assert assigned.status_code == 200 and assigned.json["assigned"] == {"p_enumerator": drawn.json["released"]}


def test_a_bad_frame_is_refused_with_its_report_and_bad_bodies_are_named(db_session, client_as):
    campaign, unit = household_survey(db_session)
    client = client_as("statistician")
    bad = f"household,unit,community,address\nA1,{unit.code},东社区,\nA1,{unit.code},东社区,路1号\n".encode()
    refused = upload(client, campaign.id, bad)
    assert refused.status_code == 422 and refused.json["code"] == "household.frame_rejected"
    assert [r["row"] for r in refused.json["details"]["problems"]] == [2, 3]
    assert db.session.scalar(select(func.count()).where(Household.campaign_id == campaign.id)) == 0
    invalid = client.post(f"/api/v1/campaigns/{campaign.id}/samples", json={"unit": unit.code, "margin": -1})
    assert invalid.status_code == 422 and invalid.json["code"] == "sample.invalid"
    unknown = client.post(f"/api/v1/campaigns/{campaign.id}/samples", json={"unit": unit.code, "colour": "red"})
    assert unknown.status_code == 422 and unknown.json["code"] == "request.invalid"
    assert db.session.scalar(select(func.count()).where(SampleDesign.campaign_id == campaign.id)) == 0
    nobody = client.post(f"/api/v1/campaigns/{campaign.id}/assignments", json={"enumerators": ["p_auditor"]})
    assert nobody.status_code == 422 and nobody.json["code"] == "assignment.invalid"


def test_only_the_bureau_changes_the_household_survey(db_session, client_as):
    campaign, unit = household_survey(db_session)
    for persona in ("auditor", "enumerator", "unit_a"):
        assert upload(client_as(persona), campaign.id, frame_file(unit.code, 2)).status_code == 403
        sample = client_as(persona).post(f"/api/v1/campaigns/{campaign.id}/samples", json={"unit": unit.code})
        assert sample.status_code == 403
    assert upload(client_as(None), campaign.id, frame_file(unit.code, 2)).status_code == 401
