"""The layout of exported tables: headers, unique Chinese headers, labels, weights from cells, result rows."""

from __future__ import annotations

from survey_api.domain.export_layout import (
    RESPONSE_FIELDS,
    has_rates,
    index_rows,
    question_rows,
    rate_rows,
    response_layout,
    result_headers,
    unique_headers,
    weight_lookup,
)
from survey_api.domain.fieldwork import HouseholdState, rates_summary
from survey_api.domain.form_parser import parse_form


def form(key: str, texts: list[str], profile: str | None = None):
    questions = [
        {
            "key": f"q{i}",
            "type": "single_choice",
            "text": text,
            "options": [{"key": "yes", "label": "是", "score": 100}, {"key": "no", "label": "否", "score": 0}],
        }
        for i, text in enumerate(texts, start=1)
    ]
    if profile:
        questions.append(
            {
                "key": profile,
                "type": "single_choice",
                "text": "您的性别",
                "profile": profile,
                "options": [{"key": "male", "label": "男"}, {"key": "female", "label": "女"}],
            }
        )
    raw = {
        "format_version": 1,
        "key": key,
        **({"kind": "profile"} if profile else {"kind": "index", "index": "satisfaction"}),
        "title": key,
        "questions": questions,
    }
    return parse_form(raw, key)


def test_key_headers_name_form_and_question():
    layout = response_layout([form("satisfaction", ["好吗？", "满意吗？"])])
    assert layout.headers[: len(RESPONSE_FIELDS)] == tuple(k for k, _ in RESPONSE_FIELDS)
    assert layout.headers[len(RESPONSE_FIELDS) :] == ("satisfaction.q1", "satisfaction.q2")


def test_chinese_headers_are_question_texts_made_unique():
    layout = response_layout([form("a", ["满意吗？", "满意吗？"]), form("b", ["满意吗？", "单位代码"])], "zh")
    questions = layout.headers[len(RESPONSE_FIELDS) :]
    assert questions == ("满意吗？（a.q1）", "满意吗？（a.q2）", "满意吗？（b.q1）", "单位代码（b.q2）")
    assert layout.headers[1] == "单位代码（unit_code）"
    assert len(set(layout.headers)) == len(layout.headers)


def test_unique_headers_numbers_what_keys_cannot_tell_apart():
    assert unique_headers(["x", "x", "x（k）"], ["k", "k", "j"]) == ["x（k）", "x（k）（2）", "x（k）（3）"]


def test_labels_follow_each_choice_question():
    layout = response_layout([form("s", ["好吗？"])], labels=True)
    assert layout.headers[-2:] == ("s.q1", "s.q1.label")
    row = layout.row({"response_id": 7}, {"s": {"q1": "no"}})
    assert row[0] == 7 and row[-2:] == ["no", "否"]
    assert layout.row({}, {})[-2:] == [None, None]


def test_weights_by_profile_cell():
    forms = [form("profile", [], profile="sex")]
    results = {
        "weighting_variables": ["sex"],
        "units": [{"unit_id": 3, "cell_weights": [{"cell": {"sex": "female"}, "weight": 1.2}]}],
    }
    weight = weight_lookup(results, forms)
    assert weight(3, {"profile": {"sex": "female"}}) == 1.2
    assert weight(3, {"profile": {"sex": "male"}}) == 1.0  # no cell: weight 1
    assert weight(3, {}) == 1.0
    assert weight(4, {"profile": {"sex": "female"}}) is None  # not in the run
    assert weight_lookup(None, forms)(3, {}) is None
    unweighted = weight_lookup({"weighting_variables": [], "units": [{"unit_id": 3, "cell_weights": []}]}, forms)
    assert unweighted(3, {}) == 1.0


def test_result_rows_carry_nulls_through():
    estimate = {"value": None, "n": 0, "n_effective": 0.0, "se": None, "ci_low": None, "ci_high": None}
    results = {
        "indices": ["security"],
        "units": [
            {
                "unit_code": "A01",
                "unit_name": "城关",
                "category": "乡镇",
                "n": 3,
                "indices": {
                    "security": {
                        "value": None,
                        "rate": None,
                        "n": 3,
                        "sufficient": False,
                        "questions": [
                            {
                                "form": "security",
                                "question": "q1",
                                "text": "安全吗",
                                "score": estimate,
                                "top_box_rate": estimate,
                            }
                        ],
                    }
                },
                "gate": None,
            }
        ],
    }
    (row,) = index_rows(results)
    headers = result_headers("indices")
    named_row = dict(zip(headers, row))
    assert named_row["n"] == 3 and named_row["index"] == "security" and named_row["gate_passed"] is None
    (item,) = question_rows(results)
    named = dict(zip(result_headers("questions"), item))
    assert named["score_value"] is None and named["top_box_rate_n"] == 0 and named["dont_know_share"] is None
    assert len(result_headers("questions", "zh")) == len(set(result_headers("questions", "zh")))


def test_rate_rows_list_only_units_with_a_household_sample_in_header_order():
    fieldwork = rates_summary({HouseholdState.COMPLETED: 3, HouseholdState.REFUSED: 1, HouseholdState.PENDING: 4})
    results = {
        "units": [
            {"unit_code": "A01", "unit_name": "城关", "category": "乡镇", "fieldwork": fieldwork},
            {"unit_code": "B01", "unit_name": "东城", "category": "乡镇", "fieldwork": None},
        ]
    }
    (row,) = rate_rows(results)
    cells = dict(zip(result_headers("response_rates"), row))
    assert cells["unit_code"] == "A01" and cells["released"] == 8 and cells["unresolved"] == 4
    assert (cells["rr1"], cells["coop1"], cells["ref1"]) == (3 / 8, 3 / 4, 1 / 8)
    assert has_rates(results) and not has_rates({"units": [results["units"][1]]})
    assert result_headers("response_rates", "zh")[-3:] == ["应答率RR1", "合作率COOP1", "拒访率REF1"]
