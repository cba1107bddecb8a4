"""How a campaign is going: responses per unit, per channel and per day, counted in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import CampaignUnit, Response, Unit


@dataclass(frozen=True)
class UnitProgress:
    unit_id: int
    code: str
    name: str
    category: str
    responses: int


@dataclass(frozen=True)
class CampaignProgress:
    by_unit: list[UnitProgress]
    by_channel: dict[str, int]
    by_day: list[tuple[date, int]]

    @property
    def total(self) -> int:
        return sum(u.responses for u in self.by_unit)


def campaign_progress(campaign_id: int, utc_offset_hours: int, only_unit_id: int | None = None) -> CampaignProgress:
    """Counts for one campaign (or one of its units); days are local days at the given UTC offset."""
    scope = [Response.campaign_id == campaign_id, Response.superseded_at.is_(None)]  # a replaced answer is history
    if only_unit_id is not None:
        scope.append(Response.unit_id == only_unit_id)
    per_unit = (
        select(Unit.id, Unit.code, Unit.name, Unit.category, func.count(Response.id))
        .select_from(CampaignUnit)
        .join(Unit, Unit.id == CampaignUnit.unit_id)
        .outerjoin(Response, (Response.campaign_unit_id == CampaignUnit.id) & Response.superseded_at.is_(None))
        .where(CampaignUnit.campaign_id == campaign_id)
        .group_by(Unit.id, Unit.code, Unit.name, Unit.category)
        .order_by(Unit.code)
    )
    if only_unit_id is not None:
        per_unit = per_unit.where(Unit.id == only_unit_id)
    by_unit = [UnitProgress(*row) for row in db.session.execute(per_unit)]
    channels = db.session.execute(select(Response.channel, func.count()).where(*scope).group_by(Response.channel))
    day = _local_day(utc_offset_hours)
    days = db.session.execute(select(day, func.count()).where(*scope).group_by(day).order_by(day))
    return CampaignProgress(
        by_unit=by_unit,
        by_channel={channel.value: count for channel, count in channels},
        by_day=[(_as_date(value), count) for value, count in days],
    )


def _local_day(offset_hours: int):
    """The local calendar day of submitted_at, in the database's own SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        utc = func.timezone("UTC", Response.submitted_at)  # independent of the server's TimeZone setting
        return func.date(utc + func.make_interval(0, 0, 0, 0, offset_hours))
    return func.date(Response.submitted_at, f"{offset_hours:+d} hours")


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
