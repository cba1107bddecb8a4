"""Reading console form fields: trimmed, and refused (not cut short) when missing or too long."""

from __future__ import annotations

from typing import Mapping

from ..errors import AppError


def form_texts(form: Mapping[str, str], limits: dict[str, int], required: tuple[str, ...]) -> dict[str, str]:
    """The named fields, trimmed; every missing required field or over-long value is reported at once."""
    values = {name: (form.get(name) or "").strip() for name in limits}
    problems = {}
    for name, limit in limits.items():
        if name in required and not values[name]:
            problems[name] = ["required"]
        elif len(values[name]) > limit:
            problems[name] = [f"at most {limit} characters"]
    if problems:
        raise AppError("request.invalid", details=problems)
    return values
