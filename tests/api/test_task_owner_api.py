"""A task's owner through the JSON API: the office names an active account of the task's unit, a unit's user takes
the task on, every refusal answers with its catalogue code and changes nothing; an impossible move names the task's
states in Chinese."""

from __future__ import annotations

from sqlalchemy import select

from survey_api.extensions import db
from survey_api.models import User

from ..factories import create_account, issue_token


def account_id(username: str) -> int:
    return db.session.scalar(select(User.id).where(User.username == username))


def test_the_office_names_an_owner_of_the_tasks_unit(client_as, persona_units):
    office = client_as("admin")
    task = office.post("/api/v1/tasks", json={"unit_code": "UA1", "title": "窗口排队时间长"}).get_json()
    assert task["owner_id"] == account_id("p_unit_a") and task["owner_name"]
    colleague = create_account("ua_colleague", "unit", persona_units["A"])
    named = office.put(f"/api/v1/tasks/{task['id']}/owner", json={"owner_id": colleague.id})
    assert named.status_code == 200, named.get_json()
    body = named.get_json()
    assert (body["owner_id"], body["owner_name"]) == (colleague.id, colleague.display_name)
    assert body["entries"][-1]["kind"] == "owner"
    assert client_as("unit_a").get(f"/api/v1/tasks/{task['id']}").get_json()["owner_id"] == colleague.id


def test_owners_who_cannot_answer_for_the_task_are_refused(client_as, persona_units):
    office = client_as("admin")
    task = office.post("/api/v1/tasks", json={"unit_code": "UA1", "title": "路灯"}).get_json()
    url = f"/api/v1/tasks/{task['id']}/owner"
    for body, status, code in (
        ({"owner_id": account_id("p_unit_b")}, 422, "task.owner_other_unit"),
        ({"owner_id": account_id("p_auditor")}, 422, "task.owner_not_unit"),
        ({"owner_id": 999999}, 404, "account.not_found"),
        ({"owner_id": "x"}, 422, "request.invalid"),
    ):
        refused = office.put(url, json=body)
        assert (refused.status_code, refused.get_json()["code"]) == (status, code)
    assert "城关街道" in office.put(url, json={"owner_id": account_id("p_unit_b")}).get_json()["message"]
    assert client_as("unit_a").put(url, json={"owner_id": account_id("p_unit_a")}).status_code == 403
    assert office.get(f"/api/v1/tasks/{task['id']}").get_json()["owner_id"] == task["owner_id"]


def test_a_unit_user_takes_a_task_on_but_not_another_units(client_as, persona_units):
    office = client_as("admin")
    colleague = create_account("ua_taker", "unit", persona_units["A"])
    task = office.post("/api/v1/tasks", json={"unit_code": "UA1", "title": "噪音"}).get_json()
    taker = client_as(None)
    taker.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(colleague)}"
    taken = taker.post(f"/api/v1/tasks/{task['id']}/take")
    assert taken.status_code == 200 and taken.get_json()["owner_id"] == colleague.id
    assert client_as("unit_b").post(f"/api/v1/tasks/{task['id']}/take").status_code == 404
    assert office.post(f"/api/v1/tasks/{task['id']}/take").status_code == 403


def test_an_impossible_move_names_the_states_in_chinese(client_as, persona_units):
    office = client_as("admin")
    task = office.post("/api/v1/tasks", json={"unit_code": "UA1", "title": "垃圾清运"}).get_json()
    refused = office.post(f"/api/v1/tasks/{task['id']}/accept", json={"remark": ""})
    assert refused.status_code == 409 and refused.get_json()["code"] == "task.invalid_transition"
    message = refused.get_json()["message"]
    assert "“进行中”" in message and "“已通过”" in message and "open" not in message and "accepted" not in message
    english = office.post(f"/api/v1/tasks/{task['id']}/accept?lang=en", json={}).get_json()["message"]
    assert english.startswith("A rectification task that is open cannot be accepted.")
