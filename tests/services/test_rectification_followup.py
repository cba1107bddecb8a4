"""Follow-up after a rectification: a pulse questionnaire at the unit's QR code whose result shows on the task once
enough residents answered, and the residents' notice that appears only after the office approves it."""

from __future__ import annotations

import pytest

from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.services import rectification as tasks
from survey_api.services.audit import SYSTEM
from survey_api.services.rectification_followup import (
    attach_pulse,
    draft_notice,
    forget_notices,
    open_pulse_links,
    public_notices,
    pulse_result,
)

from ..factories import create_campaign, create_unit, store_response


def accepted_task(unit):
    task = tasks.add_task(SYSTEM, tasks.NewTask(unit.code, "窗口排队时间长"))
    tasks.submit_report(SYSTEM, task, "增设窗口")
    return tasks.accept_task(SYSTEM, task, "")


def test_a_pulse_questionnaire_is_posted_at_the_unit_and_its_result_shown_once_enough_answered(db_session, app):
    unit = create_unit()
    task = accepted_task(unit)
    campaign = attach_pulse(SYSTEM, task)
    assert [link.unit_id for link in campaign.links] == [unit.id] and campaign.state.value == "open"
    assert open_pulse_links(unit.id) == [campaign.links[0].link_token]
    with pytest.raises(AppError) as twice:
        attach_pulse(SYSTEM, task)
    assert twice.value.code == "pulse.exists"

    for answer in ["clearly", "somewhat", "no_change", "dont_know"]:
        store_response(campaign, 0, {"rectification_pulse": {"improved": answer}})
    early = pulse_result(task)
    assert early.answers == 4 and not early.shown and early.counts == {} and early.improved_share is None
    store_response(campaign, 0, {"rectification_pulse": {"improved": "clearly"}})
    result = pulse_result(task)
    assert result.shown and result.counts["明显改进"] == 2
    assert result.improved_share == pytest.approx(3 / 4)  # 3 of the 4 substantive answers see an improvement


def test_the_notice_appears_only_once_approved_and_only_for_an_accepted_task(db_session, client):
    forget_notices()
    unit = create_unit()
    open_task = tasks.add_task(SYSTEM, tasks.NewTask(unit.code, "路灯"))
    with pytest.raises(AppError) as refused:
        draft_notice(SYSTEM, open_task, "已修好", approve=True)
    assert refused.value.code == "notice.not_accepted"
    task = accepted_task(unit)
    draft_notice(SYSTEM, task, "新增两个窗口", approve=False)
    assert public_notices(unit.id) == []
    draft_notice(SYSTEM, task, "新增两个窗口，排队缩短一半", approve=True)
    assert [n.notice_text for n in public_notices(unit.id)] == ["新增两个窗口，排队缩短一半"]

    survey = create_campaign([unit], state="closed")
    attach_pulse(SYSTEM, accepted_task(unit))
    db.session.commit()
    page = client.get(f"/s/{survey.links[0].link_token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 409 and 'data-code="campaign.closed"' in html
    assert "新增两个窗口" in html and 'id="pulse-links"' in html
