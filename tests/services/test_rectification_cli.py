"""The reminder sweep and the gateway's outbox from the command line."""

from __future__ import annotations

import json
from datetime import timedelta

from survey_api.services import clock
from survey_api.services import rectification as tasks
from survey_api.services.audit import SYSTEM

from ..factories import create_account, create_unit


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def test_reminders_are_swept_listed_and_marked_sent(app, db_session, monkeypatch):
    unit = create_unit()
    create_account("cli_unit", "unit", unit)
    task = tasks.add_task(SYSTEM, tasks.NewTask(unit.code, "路灯"))
    db_session.commit()
    monkeypatch.setattr(clock, "utcnow", lambda: task.deadline - timedelta(days=2))
    assert "1 reminders, 1 messages" in run(app, "tasks", "remind").output
    assert "0 reminders" in run(app, "tasks", "remind").output
    [line] = run(app, "outbox", "list").output.splitlines()
    message = json.loads(line)
    assert message["subject"] == "整改任务即将到期" and "路灯" in message["body"]
    assert "1 messages marked sent" in run(app, "outbox", "mark-sent", str(message["id"])).output
    assert run(app, "outbox", "list").output == ""
    refused = app.test_cli_runner().invoke(args=["outbox", "mark-sent", "999999"])
    assert refused.exit_code == 1 and "request.invalid" in refused.output
