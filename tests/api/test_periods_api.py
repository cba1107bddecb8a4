"""The assessment-period API as the assessment office and the performance platform use it: validation that
changes nothing, the lock, corrections with their differences, imports with a report, and who sees what."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from ..period_support import make_period

ROWS = {"UA1": {"performance": 100}, "UB1": {"performance": 95}, "UC1": {"performance": 80}}


def period_of_personas():
    return make_period(dict(ROWS), category_of=lambda code: "乡镇街道")  # the persona units' category


def test_an_invalid_rule_set_is_refused_by_field_and_changes_nothing(client_as, persona_units):
    admin = client_as("admin")
    period = period_of_personas()
    before = admin.get(f"/api/v1/periods/{period.id}").get_json()
    rules = dict(before["rules"], quota=1.5)
    rules["grades"] = list(reversed(rules["grades"]))
    refused = admin.put(f"/api/v1/periods/{period.id}/rules", json=rules)
    body = refused.get_json()
    assert (refused.status_code, body["code"]) == (422, "period.rules_invalid")
    assert {"quota", "grades"} <= set(body["details"])
    after = admin.get(f"/api/v1/periods/{period.id}").get_json()
    assert after["rules"] == before["rules"] and after["rules_version"] == before["rules_version"]
    good = dict(before["rules"], quota=0.4)
    changed = admin.put(f"/api/v1/periods/{period.id}/rules", json=good).get_json()
    assert changed["rules"]["quota"] == 0.4 and changed["rules_version"] == before["rules_version"] + 1


def test_invalid_entries_store_nothing(client_as, persona_units):
    admin = client_as("admin")
    period = period_of_personas()
    count = len(admin.get(f"/api/v1/periods/{period.id}/inputs").get_json())
    entries = [
        {"unit_code": "UA1", "kind": "bonus", "value": 2, "reason": "现场会"},
        {"unit_code": "UA1", "kind": "deduction", "value": 1},  # no reason
        {"unit_code": "ZZZ", "kind": "score", "component": "performance", "value": 90},
        {"unit_code": "UB1", "kind": "score", "component": "opinion_survey", "value": 90},  # computed, not entered
        {"unit_code": "UB1", "kind": "score", "component": "performance"},  # no value is not a zero
    ]
    refused = admin.post(f"/api/v1/periods/{period.id}/inputs", json={"entries": entries})
    body = refused.get_json()
    assert (refused.status_code, body["code"]) == (422, "period.invalid")
    assert set(body["details"]) == {
        "entries.2.reason",
        "entries.3.unit_code",
        "entries.4.component",
        "entries.5.value",
    }
    assert len(admin.get(f"/api/v1/periods/{period.id}/inputs").get_json()) == count
    again = admin.post(f"/api/v1/periods/{period.id}/inputs", json={"entries": entries[:1]})
    assert again.status_code == 200
    admin.post(f"/api/v1/periods/{period.id}/inputs", json={"entries": entries[:1]})  # a retry replaces
    assert len(admin.get(f"/api/v1/periods/{period.id}/inputs").get_json()) == count + 1


def test_publish_locks_and_a_correction_shows_its_differences(client_as, persona_units):
    admin = client_as("admin")
    period = period_of_personas()
    first = admin.post(f"/api/v1/periods/{period.id}/revisions")
    assert first.status_code == 201
    number = first.get_json()["number"]
    assert admin.post(f"/api/v1/periods/{period.id}/revisions/{number}/publish").status_code == 200
    for method, url, body in (
        ("put", "rules", admin.get(f"/api/v1/periods/{period.id}").get_json()["rules"]),
        (
            "post",
            "inputs",
            {"entries": [{"unit_code": "UC1", "kind": "score", "component": "performance", "value": 100}]},
        ),
        ("post", "revisions", None),
    ):
        refused = getattr(admin, method)(f"/api/v1/periods/{period.id}/{url}", json=body)
        assert (refused.status_code, refused.get_json()["code"]) == (409, "period.locked"), url
    no_reason = admin.post(f"/api/v1/periods/{period.id}/correction", json={"reason": " "})
    assert no_reason.status_code == 422
    opened = admin.post(f"/api/v1/periods/{period.id}/correction", json={"reason": "UC1 绩效分录入错误"})
    assert opened.get_json()["state"] == "correcting"
    entry = {"unit_code": "UC1", "kind": "score", "component": "performance", "value": 100}
    assert admin.post(f"/api/v1/periods/{period.id}/inputs", json={"entries": [entry]}).status_code == 200
    stale = admin.post(f"/api/v1/periods/{period.id}/revisions/{number}/publish")
    assert stale.status_code == 200  # the published revision stays published; it is not re-published
    second = admin.post(f"/api/v1/periods/{period.id}/revisions").get_json()
    assert second["reason"] == "UC1 绩效分录入错误"
    changes = {c["unit_code"]: c["changes"] for c in second["changes"]}
    assert changes["UC1"]["score"] == {"before": 84.0, "after": 96.0}
    assert changes["UC1"]["rank"] == {"before": 3, "after": 1}
    published = admin.post(f"/api/v1/periods/{period.id}/revisions/{second['number']}/publish")
    assert published.status_code == 200
    assert admin.get(f"/api/v1/periods/{period.id}").get_json()["state"] == "published"
    check = admin.get(f"/api/v1/periods/{period.id}/revisions/{number}/verification").get_json()
    assert check == {"number": number, "identical": True}


def test_publishing_a_revision_computed_before_a_change_is_refused(client_as, persona_units):
    admin = client_as("admin")
    period = period_of_personas()
    number = admin.post(f"/api/v1/periods/{period.id}/revisions").get_json()["number"]
    entry = {"unit_code": "UC1", "kind": "deduction", "value": 1, "reason": "通报批评"}
    admin.post(f"/api/v1/periods/{period.id}/inputs", json={"entries": [entry]})
    refused = admin.post(f"/api/v1/periods/{period.id}/revisions/{number}/publish")
    assert (refused.status_code, refused.get_json()["code"]) == (409, "period.stale")
    assert admin.get(f"/api/v1/periods/{period.id}").get_json()["state"] == "draft"


def test_import_scores_with_a_report_per_row(client_as, persona_units):
    admin = client_as("admin")
    period = period_of_personas()
    bad = "unit_code,performance,party_building\nUA1,91,88\nUB1,abc,90\nZZZ,90,90\n".encode()
    refused = admin.post(
        f"/api/v1/periods/{period.id}/inputs/import",
        data={"file": (io.BytesIO(bad), "scores.csv")},
        content_type="multipart/form-data",
    )
    body = refused.get_json()
    assert (refused.status_code, body["code"]) == (422, "period.import_rejected")
    assert [r["outcome"] for r in body["details"]["rows"]] == ["ok", "rejected", "rejected"]
    scores = {
        e["key"]: e["value"]
        for e in admin.get(f"/api/v1/periods/{period.id}/inputs").get_json()
        if e["unit_id"] == persona_units["A"].id
    }
    assert scores["performance"] == 100  # unchanged: nothing was imported
    good = "unit_code,performance\nUA1,91\n".encode("gb18030")
    done = admin.post(
        f"/api/v1/periods/{period.id}/inputs/import",
        data={"file": (io.BytesIO(good), "scores.csv")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 200 and done.get_json()["stored"] == 1


def test_the_json_api_the_console_and_the_workbook_show_the_same_numbers(app, client_as, persona_units):
    admin = client_as("admin")
    period = period_of_personas()
    admin.post(f"/api/v1/periods/{period.id}/revisions")
    document = admin.get(f"/api/v1/periods/{period.id}/results").get_json()
    api = {u["unit_code"]: (u["score"], u["rank"], u["grade_label"]) for u in document["units"]}
    assert api["UA1"] == (96.0, 1, "优秀")  # 20 % of three units rounds to the one place, and 96 is in the band
    workbook = load_workbook(io.BytesIO(admin.get(f"/api/v1/periods/{period.id}/results.xlsx").data))
    rows = list(workbook["排名"].iter_rows(values_only=True))
    header = rows[0]
    xlsx = {
        r[header.index("单位代码")]: (r[header.index("得分")], r[header.index("名次")], r[header.index("等次")])
        for r in rows[1:]
    }
    assert xlsx == api
    from ..web.console_client import sign_in

    console = app.test_client()
    sign_in(console, "p_admin")
    page = console.get(f"/console/periods/{period.id}").get_data(as_text=True)
    for code, (score, rank, _) in api.items():
        assert f'data-unit="{code}" data-rank="{rank}"' in page and f'data-score="{score}"' in page
    pdf = admin.get(f"/api/v1/periods/{period.id}/results.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_unit_users_see_only_their_published_result_and_auditors_only_read(client_as, persona_units):
    admin, unit_a, auditor = client_as("admin"), client_as("unit_a"), client_as("auditor")
    period = period_of_personas()
    number = admin.post(f"/api/v1/periods/{period.id}/revisions").get_json()["number"]
    hidden = unit_a.get(f"/api/v1/periods/{period.id}/results")
    assert (hidden.status_code, hidden.get_json()["code"]) == (404, "period.not_computed")  # not published yet
    admin.post(f"/api/v1/periods/{period.id}/revisions/{number}/publish")
    own = unit_a.get(f"/api/v1/periods/{period.id}/results").get_json()
    assert [u["unit_code"] for u in own["units"]] == ["UA1"]
    assert "order" not in own["categories"][0]  # not the other units' ranking
    workbook = load_workbook(io.BytesIO(unit_a.get(f"/api/v1/periods/{period.id}/results.xlsx").data))
    assert len(list(workbook["排名"].iter_rows())) == 2  # the header and its own row
    inputs = unit_a.get(f"/api/v1/periods/{period.id}/inputs").get_json()
    assert {e["unit_id"] for e in inputs} == {persona_units["A"].id}
    assert len(auditor.get(f"/api/v1/periods/{period.id}/results").get_json()["units"]) == 3
    for url in ("revisions", "correction"):
        refused = auditor.post(f"/api/v1/periods/{period.id}/{url}", json={"reason": "x"})
        assert (refused.status_code, refused.get_json()["code"]) == (403, "auth.forbidden")

    admin.post(f"/api/v1/periods/{period.id}/correction", json={"reason": "两个单位的绩效分更正"})
    entries = [{"unit_code": code, "kind": "score", "component": "performance", "value": 70} for code in ("UA1", "UB1")]
    admin.post(f"/api/v1/periods/{period.id}/inputs", json={"entries": entries})
    second = admin.post(f"/api/v1/periods/{period.id}/revisions").get_json()
    assert {c["unit_code"] for c in second["changes"]} == {"UA1", "UB1", "UC1"}  # UC1's rank moved up
    admin.post(f"/api/v1/periods/{period.id}/revisions/{second['number']}/publish")
    own = unit_a.get(f"/api/v1/periods/{period.id}/results").get_json()
    assert [c["unit_code"] for c in own["revision"]["changes"]] == ["UA1"]  # never another unit's change
    listed = unit_a.get(f"/api/v1/periods/{period.id}/revisions").get_json()
    assert [[c["unit_code"] for c in r["changes"] or []] for r in listed] == [["UA1"], []]


def test_the_openapi_document_describes_the_period_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/periods",
        "/api/v1/periods/{period_id}/results",
        "/api/v1/periods/{period_id}/rules",
        "/api/v1/periods/{period_id}/revisions/{number}/publish",
        "/api/v1/periods/{period_id}/results.xlsx",
    ):
        assert path in spec["paths"], path
    assert "UnitResult" in spec["components"]["schemas"]
