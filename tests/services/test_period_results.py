"""Computing, publishing and correcting a period's results through the services, with inputs from a published
campaign run and entered scores."""

from __future__ import annotations

import pytest

from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.services import period_results as revisions
from survey_api.services.audit import SYSTEM
from survey_api.services.period_inputs import EntryInput, store_entries

from ..period_support import make_period


def test_compute_publish_lock_correct_and_diff(db_session):
    period = make_period({"A1": {"performance": 100}, "A2": {}, "A3": {"performance": 80}})
    first = revisions.compute_revision(SYSTEM, period)
    by_code = {u["unit_code"]: u for u in first.results["units"]}
    assert by_code["A1"]["score"] == pytest.approx(96.0)  # 0.6·100 + 0.1·90·4
    assert [by_code[c]["rank"] for c in ("A1", "A2", "A3")] == [1, 2, 3]
    revisions.publish_revision(SYSTEM, period, first.number)
    db.session.commit()
    with pytest.raises(AppError) as caught:
        store_entries(SYSTEM, period, [EntryInput("A3", "score", 95, "performance")])
    assert caught.value.code == "period.locked"
    revisions.open_correction(SYSTEM, period, "A3 绩效分录入错误")
    store_entries(SYSTEM, period, [EntryInput("A3", "score", 100, "performance")])
    second = revisions.compute_revision(SYSTEM, period)
    assert second.reason == "A3 绩效分录入错误"
    changed = {c["unit_code"]: c["changes"] for c in second.changes}
    assert changed["A3"]["score"] == {"before": 84.0, "after": 96.0}
    assert changed["A3"]["rank"] == {"before": 3, "after": 1}
    assert revisions.verify_revision(period.id, second.number)["identical"]
