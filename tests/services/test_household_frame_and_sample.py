"""The sampling frame import (all rows or none, a report per row, no clear household numbers) and the recorded,
reproducible sample draw."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_api.domain.fieldwork import HouseholdState
from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.models import AuditEvent, Household, SampleDesign
from survey_api.services.audit import SYSTEM
from survey_api.services.household_frame import import_frame

from ..factories import create_campaign, create_unit
from ..household_support import drawn, frame_file, household_campaign


def households_of(campaign_id: int) -> int:
    return db.session.scalar(select(func.count()).where(Household.campaign_id == campaign_id))


def test_a_frame_is_stored_with_keyed_household_numbers_only(db_session):
    campaign, unit = household_campaign(count=30)
    rows = db.session.scalars(select(Household).where(Household.campaign_id == campaign.id)).all()
    assert len(rows) == 30
    assert {r.community for r in rows} == {"第1社区", "第2社区", "第3社区"}
    assert all(len(r.identity_key) == 64 and "H000" not in r.identity_key for r in rows)
    assert all(r.stratum == r.community and r.state is None for r in rows)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "households.import")) is not None


def test_bad_frame_rows_are_reported_per_row_and_nothing_is_stored(db_session):
    unit = create_unit(code="TBAD1")
    campaign = create_campaign([unit], identity_mode="household")
    data = (
        "household,unit,community,address,size\n"
        "A001,TBAD1,东社区,人民路1号,3\n"
        "A001,TBAD1,东社区,人民路2号,2\n"  # the same household number again
        "A-0-0-3!,TBAD1,东社区,人民路3号,2\n"  # not letters and digits
        "A004,NOPE,东社区,人民路4号,2\n"  # not a unit of the campaign
        "A005,TBAD1,,,0\n"  # no community, no address, impossible size
        "A006,TBAD1,东社区,人民路6号,4\n"
    ).encode()
    report = import_frame(SYSTEM, campaign.id, "frame.csv", data)
    assert report.is_rejected and report.imported == 0
    by_row = {r.row: {p["column"] for p in r.problems} for r in report.problems}
    assert by_row == {
        2: {"household"},
        3: {"household"},
        4: {"household"},
        5: {"unit"},
        6: {"community", "address", "size"},
    }
    assert households_of(campaign.id) == 0


def test_a_frame_needs_a_household_campaign_and_its_columns(db_session):
    unit = create_unit(code="TBAD2")
    device_campaign = create_campaign([unit], identity_mode="device")
    with pytest.raises(AppError) as refused:
        import_frame(SYSTEM, device_campaign.id, "frame.csv", frame_file(unit.code, 3))
    assert refused.value.code == "household.campaign_mode"
    campaign = create_campaign([unit], identity_mode="household")
    with pytest.raises(AppError) as missing:
        import_frame(SYSTEM, campaign.id, "frame.csv", b"household,unit\nA1,TBAD2\n")
    assert missing.value.code == "household.frame_columns"
    assert "community" in missing.value.message


def test_importing_the_same_households_again_is_refused_row_by_row(db_session):
    campaign, unit = household_campaign(count=5)
    report = import_frame(SYSTEM, campaign.id, "again.csv", frame_file(unit.code, 5))
    assert len(report.problems) == 5 and households_of(campaign.id) == 5


def test_the_draw_is_recorded_stratified_and_reproducible_from_its_seed(db_session):
    campaign, unit = household_campaign(count=90)
    design = drawn(campaign, unit, seed=12345)
    assert design.seed == 12345 and design.frame_size == 90
    released = db.session.scalars(
        select(Household).where(Household.campaign_id == campaign.id, Household.state == HouseholdState.PENDING)
    ).all()
    assert len(released) == design.released == sum(s["main"] for s in design.strata.values())
    for stratum, allocation in design.strata.items():
        assert sum(1 for h in released if h.stratum == stratum) == allocation["main"]
        reserve = db.session.scalars(
            select(Household.reserve_rank).where(
                Household.campaign_id == campaign.id,
                Household.stratum == stratum,
                Household.state == HouseholdState.RESERVE,
            )
        ).all()
        assert sorted(reserve) == list(range(1, allocation["reserve"] + 1))
    # The same frame in another campaign with the recorded seed gives the same households.
    twin, twin_unit = household_campaign(count=90)
    drawn(twin, twin_unit, seed=design.seed)
    twin_released = db.session.scalars(
        select(Household.address).where(Household.campaign_id == twin.id, Household.state == HouseholdState.PENDING)
    ).all()
    assert sorted(twin_released) == sorted(h.address for h in released)


def test_a_unit_is_drawn_once_and_needs_a_frame(db_session):
    campaign, unit = household_campaign(count=20)
    drawn(campaign, unit)
    with pytest.raises(AppError) as again:
        drawn(campaign, unit)
    assert again.value.code == "sample.exists"
    empty_unit = create_unit(code="TEMPTY")
    empty = create_campaign([empty_unit], identity_mode="household")
    with pytest.raises(AppError) as no_frame:
        drawn(empty, empty_unit)
    assert no_frame.value.code == "sample.no_frame"
    assert db.session.scalar(select(func.count()).where(SampleDesign.campaign_id == empty.id)) == 0


def test_an_impossible_design_is_refused_with_its_fields(db_session):
    campaign, unit = household_campaign(count=20)
    with pytest.raises(AppError) as refused:
        drawn(campaign, unit, margin=0, max_visits=0)
    assert refused.value.code == "sample.invalid"
    assert set(refused.value.details) == {"margin", "max_visits"}


def test_the_frame_of_a_drawn_unit_cannot_change(db_session):
    campaign, unit = household_campaign(count=10)
    drawn(campaign, unit)
    report = import_frame(SYSTEM, campaign.id, "late.csv", frame_file(unit.code, 2, prefix="L"))
    assert [p["column"] for r in report.problems for p in r.problems] == ["unit", "unit"]
    assert households_of(campaign.id) == 10


def test_a_frame_in_an_excel_workbook_with_chinese_headers_is_read(db_session):
    import io

    from openpyxl import Workbook

    unit = create_unit(code="TXLSX")
    campaign = create_campaign([unit], identity_mode="household")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["户编号", "单位代码", "社区", "地址", "楼栋", "门牌", "户人数", "抽样层"])
    sheet.append(["ＨＨ００１", "TXLSX", "东社区", "人民路1号", "3栋", "502", 3, "城关"])  # full-width characters
    sheet.append([20002, "TXLSX", "西社区", "人民路2号", None, None, None, ""])  # a number cell
    data = io.BytesIO()
    workbook.save(data)
    report = import_frame(SYSTEM, campaign.id, "frame.xlsx", data.getvalue())
    assert not report.is_rejected and report.imported == 2
    rows = db.session.scalars(select(Household).where(Household.campaign_id == campaign.id).order_by(Household.id))
    assert [(h.address, h.stratum, h.size) for h in rows] == [
        ("人民路1号 3栋 502", "城关", 3),
        ("人民路2号", "西社区", None),
    ]
