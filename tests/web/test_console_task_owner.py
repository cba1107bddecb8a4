"""The task page names the owner (or says there is none yet); the office names another account of the unit there,
a unit's user takes the task on, and a refused owner shows the catalogue's message with nothing changed."""

from __future__ import annotations

from sqlalchemy import select

from survey_api.extensions import db
from survey_api.models import RectificationTask, User

from ..factories import create_account, create_unit
from .console_client import sign_in
from .test_console_rectification import post, signed_in


def owner_of(page: str) -> int | None:
    task = db.session.get(RectificationTask, int(page.rsplit("/", 1)[1]))
    db.session.refresh(task)
    return task.owner_id


def test_the_office_names_the_owner_of_a_task_whose_unit_had_no_account(app, persona_tokens, persona_units):
    unit = create_unit(code="UC1", name="西城街道")
    office = signed_in(app, "admin")
    page = post(office, "/console/tasks", "/console/tasks", {"unit_code": "UC1", "title": "路灯"}).headers["Location"]
    html = office.get(page).get_data(as_text=True)
    assert 'data-owner=""' in html and "尚未指定责任人" in html and "请先在“账号”中创建" in html

    newcomer = create_account("uc_staff", "unit", unit)  # the unit's first account, made after the task
    html = office.get(page).get_data(as_text=True)
    assert f'<option value="{newcomer.id}"' in html
    assert post(office, page, f"{page}/review/owner", {"text": str(newcomer.id)}).status_code == 303
    html = office.get(page).get_data(as_text=True)
    history = html.split('id="task-history"', 1)[1].split("</ol>", 1)[0]
    assert f'data-owner="{newcomer.id}"' in html and "尚未指定责任人" not in html
    assert "<strong>指定责任人</strong>" in history and newcomer.display_name in history


def test_a_refused_owner_shows_why_and_changes_nothing(app, persona_tokens, persona_units):
    office = signed_in(app, "admin")
    page = post(office, "/console/tasks", "/console/tasks", {"unit_code": "UA1", "title": "噪音"}).headers["Location"]
    before = owner_of(page)
    other = db.session.scalar(select(User.id).where(User.username == "p_unit_b"))
    refused = post(office, page, f"{page}/review/owner", {"text": str(other)})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="page-error"' in html and "该账号属于其他单位" in html
    assert post(office, page, f"{page}/review/owner", {"text": "abc"}).status_code == 422
    assert owner_of(page) == before
    unit = signed_in(app, "unit_a")
    assert 'id="form-review-owner"' not in unit.get(page).get_data(as_text=True)


def test_a_unit_user_takes_the_task_on_from_its_page(app, persona_tokens, persona_units):
    office = signed_in(app, "admin")
    page = post(office, "/console/tasks", "/console/tasks", {"unit_code": "UA1", "title": "窗口"}).headers["Location"]
    create_account("p_ua_second", "unit", persona_units["A"])
    second = app.test_client()
    assert sign_in(second, "p_ua_second").status_code == 302
    assert 'id="form-work-take"' in second.get(page).get_data(as_text=True)
    assert post(second, page, f"{page}/steps/take", {}).status_code == 303
    html = second.get(page).get_data(as_text=True)
    taker = db.session.scalar(select(User.id).where(User.username == "p_ua_second"))
    assert 'id="form-work-take"' not in html and owner_of(page) == taker
