"""What residents see of the loop closing (你们提出的 / 我们做了): the unit's approved rectification notices on its
public pages, and, when its survey is closed, the follow-up questionnaires open at the same QR code."""

from __future__ import annotations

from flask import render_template

from ..errors import AppError
from ..services.rectification_followup import open_pulse_links, public_notices


def unit_page_when_closed(resolved, error: AppError):
    """The closed (or not yet open) survey's page, with the unit's notices and any open follow-up questionnaire."""
    body = {"code": error.code, "status": error.status, "message": error.message, "details": None}
    page = render_template(
        "public/unit_closed.html",
        error=body,
        unit=resolved.unit,
        rectified=public_notices(resolved.unit.id),
        pulses=open_pulse_links(resolved.unit.id),
    )
    return page, error.status
