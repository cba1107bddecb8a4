"""Messages a respondent can act on, for each answer problem the domain reports."""

from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l

ANSWER_MESSAGES = {
    "required": _l("Please answer this question."),
    "unknown_option": _l("Choose one of the listed options."),
    "too_many": _l("Choose at most %(maximum)s options."),
    "too_long": _l("Please keep this under %(maximum)s characters (now %(length)s)."),
    "out_of_range": _l("Pick a whole number from %(minimum)s to %(maximum)s."),
    "wrong_type": _l("This answer has the wrong kind of value: expected %(expected)s."),
    "unknown_question": _l("This question is not part of the questionnaire."),
    "unknown_form": _l("This questionnaire is not part of the survey."),
}


def describe_answer_error(code: str, params: Mapping[str, Any]) -> str:
    """The translated message for an answer problem."""
    template = str(ANSWER_MESSAGES.get(code, ANSWER_MESSAGES["wrong_type"]))
    try:
        return template % dict(params) if params else template
    except (KeyError, TypeError):
        return template
