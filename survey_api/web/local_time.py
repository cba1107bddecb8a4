"""Times on staff pages: stored in UTC, shown and typed in the deployment's display zone."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def display_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def utc_offset_hours() -> int:
    """The display zone's offset from UTC now, in whole hours (Asia/Shanghai: 8)."""
    offset = datetime.now(display_zone()).utcoffset()
    return int(offset.total_seconds() // 3600) if offset else 0


def local_time(value: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """Jinja filter: an aware time in the display zone, or an empty text."""
    return value.astimezone(display_zone()).strftime(pattern) if value else ""


def parse_local(text: str) -> datetime | None:
    """A time typed into a datetime-local field (display zone) as aware UTC; empty gives None."""
    text = (text or "").strip()
    if not text:
        return None
    return datetime.fromisoformat(text).replace(tzinfo=display_zone()).astimezone(timezone.utc)
