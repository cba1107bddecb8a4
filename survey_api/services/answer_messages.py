"""Messages a respondent can act on, for each answer problem the domain reports."""

from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l

ANSWER_MESSAGES = {
    "required": _l("Please answer this question."),
    "unknown_option": _l("Choose one of the listed options."),
    "too_many": _l("Choose at most %(maximum)s options."),
    "too_long": _l("Please use at most %(maximum)s characters (you have %(length)s)."),
    "out_of_range": _l("Choose a score from %(minimum)s to %(maximum)s."),
    "unknown_question": _l("This question is not part of the questionnaire."),
    "unknown_form": _l("This questionnaire is not part of the survey."),
}

# A value of the wrong kind, by what the question expected (the domain's `expected` parameter).
WRONG_TYPE_MESSAGES = {
    "option": _l("Choose one of the listed options."),
    "options": _l("Choose from the listed options (a list of option keys)."),
    "text": _l("Please enter text."),
    "whole number": _l("Choose a score from %(minimum)s to %(maximum)s."),
    "mapping": _l("Group the answers by questionnaire: {questionnaire: {question: answer}}."),
}
RATING_BOUNDS = {"minimum": 0, "maximum": 10}


def describe_answer_error(code: str, params: Mapping[str, Any]) -> str:
    """The translated message for an answer problem."""
    if code == "wrong_type":
        template = WRONG_TYPE_MESSAGES.get(params.get("expected", ""), WRONG_TYPE_MESSAGES["option"])
        params = RATING_BOUNDS
    else:
        template = ANSWER_MESSAGES.get(code, ANSWER_MESSAGES["unknown_option"])
    text = str(template)
    try:
        return text % dict(params) if params else text
    except (KeyError, TypeError, ValueError):
        return text
