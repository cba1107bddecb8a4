"""What a person reads about a problem in an imported file: one translatable message per stable problem code."""

from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l

from ..domain.import_columns import HeaderProblem

TABLE_MESSAGES = {
    "bad_encoding": _l(
        "The file is neither UTF-8 nor GBK/GB18030 text (the first unreadable byte is at position %(position)s). "
        "Save it as “CSV UTF-8” or as an Excel workbook (.xlsx)."
    ),
    "old_excel": _l("Old Excel files (.xls) are not read; save the file as an Excel workbook (.xlsx) or as CSV."),
    "not_a_table": _l("This is not a CSV or XLSX file."),
    "empty": _l("The file has no rows under its header row."),
    "too_many_rows": _l("The file has more than %(maximum)s rows; split it into several files."),
}

HEADER_MESSAGES = {
    "unknown_columns": _l(
        "These columns are not questions of this campaign's questionnaires: %(columns)s. Name question columns "
        "questionnaire.question (e.g. satisfaction.overall), by the question key or by the question's text."
    ),
    "ambiguous_columns": _l(
        "These columns match questions in more than one questionnaire: %(columns)s. "
        "Write them as questionnaire.question."
    ),
    "duplicate_columns": _l("These columns stand for the same thing: %(columns)s. Keep one of each."),
    "missing_unit": _l("The file has no unit column; add one headed %(columns)s."),
    "missing_required": _l("The file has no column for these required questions: %(columns)s."),
    "no_questions": _l("The file has no question columns."),
}

ROW_MESSAGES = {
    "too_long": _l("Use at most %(maximum)s characters."),
    "unit_missing": _l("The unit code is empty."),
    "unit_not_in_campaign": _l("Unit %(code)s is not one of this campaign's units."),
    "value_without_header": _l("Column %(column)s has a value but no header."),
    "bad_duration": _l("“%(value)s” is not a number of seconds from 0 to %(maximum)s."),
    "bad_time": _l("“%(value)s” is not a time; write it like 2026-11-20 14:05."),
    "future_time": _l("%(value)s is in the future."),
    "unknown_option": _l("“%(value)s” is not an option of this question; use one of: %(choices)s."),
    "duplicate_record": _l("Record %(record_id)s appears more than once in this file (rows %(rows)s)."),
    "conflict": _l(
        "Record %(record_id)s was imported before with different answers; the earlier answers are kept. "
        "Give a corrected record a new record_id."
    ),
}


def _format(template: Any, params: Mapping[str, Any]) -> str:
    text = str(template)
    try:
        return text % dict(params) if params else text
    except (KeyError, TypeError, ValueError):
        return text


def table_message(code: str, params: Mapping[str, Any]) -> str:
    """Why the file could not be read as a table."""
    return _format(TABLE_MESSAGES.get(code, TABLE_MESSAGES["not_a_table"]), params)


def header_message(problem: HeaderProblem) -> str:
    """Why the file's columns cannot be used."""
    return _format(HEADER_MESSAGES[problem.code], {"columns": "、".join(problem.columns)})


def row_message(code: str, params: Mapping[str, Any]) -> str:
    """What is wrong in one cell or row."""
    return _format(ROW_MESSAGES[code], params)
