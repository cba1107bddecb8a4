"""Validating answers against questionnaires, and telling a resend from a different submission."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from survey_api.domain.answers import answers_digest, validate_answers
from survey_api.domain.form_parser import parse_form

from .test_form_parser import minimal_form

FORM = parse_form(minimal_form(), "satisfaction.yaml")
COMPLETE = {"satisfaction": {"q1": "satisfied", "q2": ["b", "a"], "q3": 7, "q4": "  多修路灯  "}}


def codes(answers):
    _, errors = validate_answers([FORM], answers)
    return {(e.question, e.code) for e in errors}


def test_a_complete_answer_set_is_canonicalised_and_scored():
    valid, errors = validate_answers([FORM], COMPLETE)
    assert errors == []
    by_key = {a.question_key: a for a in valid}
    assert by_key["q1"].score == 80 and by_key["q1"].is_substantive is True
    assert by_key["q2"].value == ["a", "b"]  # option order, not click order
    assert by_key["q3"].score == 70.0
    assert by_key["q4"].value == "多修路灯"  # trimmed


def test_dont_know_is_kept_but_not_substantive_and_unscored():
    valid, errors = validate_answers([FORM], {"satisfaction": {**COMPLETE["satisfaction"], "q1": "dont_know"}})
    q1 = next(a for a in valid if a.question_key == "q1")
    assert errors == [] and q1.score is None and q1.is_substantive is False


def test_missing_required_answers_are_named():
    assert codes({"satisfaction": {"q2": ["a"]}}) == {("q1", "required"), ("q3", "required")}


def test_optional_questions_may_be_left_out():
    assert codes({"satisfaction": {"q1": "satisfied", "q3": 5}}) == set()


def test_unknown_options_questions_and_forms_are_refused():
    answers = {"satisfaction": {**COMPLETE["satisfaction"], "q1": "ecstatic", "q9": "x"}, "other": {}}
    assert codes(answers) == {("q1", "unknown_option"), ("q9", "unknown_question"), (None, "unknown_form")}


def test_limits_on_choices_text_and_ratings():
    answers = {"satisfaction": {"q1": "satisfied", "q2": ["a", "b", "c"], "q3": 11, "q4": "长" * 51}}
    assert codes(answers) == {("q2", "too_many"), ("q3", "out_of_range"), ("q4", "too_long")}


def test_wrong_kinds_of_value_are_refused():
    answers = {"satisfaction": {"q1": ["satisfied"], "q2": [1], "q3": True, "q4": 5}}
    assert codes(answers) == {("q1", "wrong_type"), ("q2", "wrong_type"), ("q3", "wrong_type"), ("q4", "wrong_type")}
    assert codes("not a mapping") == {(None, "wrong_type")}
    assert codes({"satisfaction": ["q1"]}) == {(None, "wrong_type")}


def test_a_blank_text_counts_as_no_answer():
    valid, errors = validate_answers([FORM], {"satisfaction": {"q1": "satisfied", "q3": 5, "q4": "   "}})
    assert errors == [] and "q4" not in {a.question_key for a in valid}


def test_typed_text_loses_invisible_control_characters_and_keeps_its_lines():
    answers = {"satisfaction": {"q1": "satisfied", "q3": 5, "q4": "路灯\x00坏了\r\n请修\x07"}}
    valid, errors = validate_answers([FORM], answers)
    assert errors == [] and next(a for a in valid if a.question_key == "q4").value == "路灯坏了\n请修"


def test_text_of_control_characters_only_counts_as_no_answer():
    valid, errors = validate_answers([FORM], {"satisfaction": {"q1": "satisfied", "q3": 5, "q4": "\x00\x1f"}})
    assert errors == [] and "q4" not in {a.question_key for a in valid}


def test_a_rating_posted_from_an_html_form_as_text_is_accepted():
    valid, errors = validate_answers([FORM], {"satisfaction": {"q1": "satisfied", "q3": "9"}})
    assert errors == [] and next(a for a in valid if a.question_key == "q3").value == 9


answer_sets = st.fixed_dictionaries(
    {
        "q1": st.sampled_from(["very_satisfied", "satisfied", "fairly_satisfied", "dont_know"]),
        "q2": st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=2, unique=True),
        "q3": st.integers(0, 10),
        "q4": st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20),
    }
)


@given(answer_sets)
def test_digest_is_the_same_for_a_resend_however_the_answers_are_ordered(given_answers):
    forward, _ = validate_answers([FORM], {"satisfaction": given_answers})
    reordered = dict(reversed(list(given_answers.items())))
    reordered["q2"] = list(reversed(given_answers["q2"]))
    backward, _ = validate_answers([FORM], {"satisfaction": reordered})
    assert answers_digest("tok", forward) == answers_digest("tok", backward)


@given(answer_sets, st.sampled_from(["very_satisfied", "satisfied", "fairly_satisfied", "dont_know"]))
def test_digest_changes_when_an_answer_changes(given_answers, other):
    first, _ = validate_answers([FORM], {"satisfaction": given_answers})
    second, _ = validate_answers([FORM], {"satisfaction": {**given_answers, "q1": other}})
    assert (answers_digest("tok", first) == answers_digest("tok", second)) == (given_answers["q1"] == other)


def test_digest_differs_between_links():
    valid, _ = validate_answers([FORM], COMPLETE)
    assert answers_digest("unit-a", valid) != answers_digest("unit-b", valid)
