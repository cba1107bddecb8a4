"""The assessment-period pages as the assessment office, a unit and the auditor use them."""

from __future__ import annotations

import io
import json

from survey_api.extensions import db
from survey_api.models import AssessmentPeriod

from ..period_support import make_period
from .console_client import post_form

ROWS = {
    "UA1": {"performance": 100, "adjustments": [("bonus", 4, "现场会"), ("bonus", 3, "文明单位")]},
    "UB1": {"performance": 95, "adjustments": [("veto", 0, "重大事故")]},
    "UC1": {"performance": 80},
}


def personas_period():
    return make_period(dict(ROWS), category_of=lambda code: "乡镇街道")


def test_the_office_creates_a_period_in_the_console(signed_in, persona_units):
    admin = signed_in("admin")
    created = post_form(
        admin, "/console/periods", "/console/periods", {"title": "2026年第一季度平时考核", "kind": "routine"}
    )
    assert created.status_code == 303
    period = db.session.scalar(db.select(AssessmentPeriod).where(AssessmentPeriod.title == "2026年第一季度平时考核"))
    assert period.kind == "routine" and period.rules["quota"] == 0.4
    again = post_form(admin, "/console/periods", "/console/periods", {"title": "2026年第一季度平时考核"})
    assert again.status_code == 409 and 'id="page-error"' in again.get_data(as_text=True)


def test_edit_compute_read_publish_and_correct_in_the_console(signed_in, persona_units):
    admin = signed_in("admin")
    period = personas_period()
    url = f"/console/periods/{period.id}"
    bad = dict(period.rules, quota=2)
    refused = post_form(admin, url, f"{url}/rules", {"rules": json.dumps(bad)})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "quota" in text and 'id="page-error"' in text
    db.session.refresh(period)
    assert period.rules["quota"] == 0.2  # nothing changed
    not_json = post_form(admin, url, f"{url}/rules", {"rules": "{quota: 1"})
    assert not_json.status_code == 422

    entered = post_form(
        admin,
        url,
        f"{url}/entries",
        {
            "unit_code": "UC1",
            "kind": "deduction",
            "value": "1.5",
            "reason": "通报批评",
            "attachment": "通报〔2026〕2号",
        },
    )
    assert entered.status_code == 303
    upload = post_form(
        admin,
        url,
        f"{url}/import",
        {"file": (io.BytesIO(b"unit_code,performance\nUC1,nope\n"), "s.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 422 and "nope" in upload.get_data(as_text=True)

    page = post_form(admin, url, f"{url}/compute", {}, follow_redirects=True).get_data(as_text=True)
    assert page.count('class="period-chart"') == 1 and page.count("<rect") == 3
    assert 'data-unit="UA1" data-rank="1"' in page
    assert 'data-unit="UB1"' in page and "重大事故" in page  # the veto explained in the table
    assert f'href="{url}/results.xlsx?revision=' in page and f'href="{url}/results.pdf?revision=' in page
    workbook = admin.get(f"{url}/results.xlsx")
    assert workbook.status_code == 200 and "attachment" in workbook.headers["Content-Disposition"]
    unit_page = admin.get(f"{url}/units/UA1").get_data(as_text=True)
    assert 'id="unit-components"' in unit_page and "现场会" in unit_page and 'data-code="bonus.capped"' in unit_page
    deductions = admin.get(f"{url}/units/UC1").get_data(as_text=True)
    assert "通报批评" in deductions and 'id="deduction-items"' in deductions

    number = db.session.execute(db.text("select max(number) from period_revisions")).scalar()
    published = post_form(admin, url, f"{url}/revisions/{number}/publish", {}, follow_redirects=True)
    assert 'data-state="published"' in published.get_data(as_text=True)
    locked = post_form(
        admin, url, f"{url}/entries", {"unit_code": "UC1", "kind": "score", "component": "performance", "value": "99"}
    )
    assert locked.status_code == 409
    post_form(admin, url, f"{url}/correction", {"reason": "UC1 绩效分更正"})
    post_form(
        admin, url, f"{url}/entries", {"unit_code": "UC1", "kind": "score", "component": "performance", "value": "99"}
    )
    corrected = post_form(admin, url, f"{url}/compute", {}, follow_redirects=True).get_data(as_text=True)
    assert 'id="revision-changes"' in corrected and 'data-unit="UC1" data-field="score"' in corrected
    assert "UC1 绩效分更正" in corrected


def test_a_unit_sees_its_own_published_breakdown_and_the_auditor_cannot_compute(signed_in, persona_units):
    period = personas_period()
    admin, unit_b, auditor = signed_in("admin"), signed_in("unit_b"), signed_in("auditor")
    url = f"/console/periods/{period.id}"
    post_form(admin, url, f"{url}/compute", {})
    number = db.session.execute(db.text("select max(number) from period_revisions")).scalar()
    post_form(admin, url, f"{url}/revisions/{number}/publish", {})
    own = unit_b.get(url, follow_redirects=True)
    text = own.get_data(as_text=True)
    assert 'id="unit-summary"' in text and "UB1" in text and "重大事故" in text
    assert unit_b.get(f"{url}/units/UA1").status_code == 404
    page = auditor.get(url).get_data(as_text=True)
    assert 'data-unit="UA1"' in page and 'id="compute-period"' not in page
    assert post_form(auditor, url, f"{url}/compute", {}).status_code == 403
