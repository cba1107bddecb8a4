"""A demo district: twelve units in three categories and one open campaign with the three index questionnaires.
Loading it twice changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from ..domain.access import Role
from ..domain.campaigns import CampaignState
from ..extensions import db
from ..models import Campaign, Unit, User
from .accounts import create_user
from .audit import Actor
from .campaigns import NewCampaign, create_campaign, transition
from .units import create_unit

DEMO_AREA = "示范区"
DEMO_UNITS = [
    ("T01", "城关街道", "乡镇街道"),
    ("T02", "东城街道", "乡镇街道"),
    ("T03", "南湖镇", "乡镇街道"),
    ("T04", "青石镇", "乡镇街道"),
    ("E01", "发展和改革局", "经济管理部门"),
    ("E02", "商务局", "经济管理部门"),
    ("E03", "自然资源局", "经济管理部门"),
    ("E04", "农业农村局", "经济管理部门"),
    ("S01", "教育局", "社会事业部门"),
    ("S02", "卫生健康局", "社会事业部门"),
    ("S03", "民政局", "社会事业部门"),
    ("S04", "人力资源和社会保障局", "社会事业部门"),
]
DEMO_CAMPAIGN_TITLE = "示范区2026年度群众满意度测评"
DEMO_PERIOD = "2026年度"
DEMO_FORMS = ["happiness", "satisfaction", "security", "profile"]
# One account per role, for trying the product out; a real deployment creates its own with `survey-api users`.
DEMO_PASSWORD = "Demo-2026-survey"
DEMO_ACCOUNTS = [
    ("kaohe", "考核办管理员", Role.ADMIN, None),
    ("tongji", "统计局调查员", Role.STATISTICIAN, None),
    ("diaocha", "入户调查员", Role.ENUMERATOR, None),
    ("chengguan", "城关街道办", Role.UNIT, "T01"),
    ("dongcheng", "东城街道办", Role.UNIT, "T02"),
    ("jijian", "纪检监察员", Role.AUDITOR, None),
]


def load_demo(actor: Actor) -> Campaign:
    """Create whatever of the demo district is missing; return its campaign, open."""
    existing = {u.code for u in db.session.scalars(select(Unit))}
    for code, name, category in DEMO_UNITS:
        if code not in existing:
            create_unit(actor, code, name, category, DEMO_AREA)
    _load_demo_accounts(actor)
    campaign = db.session.scalar(select(Campaign).where(Campaign.title == DEMO_CAMPAIGN_TITLE))
    if campaign is None:
        campaign = create_campaign(
            actor,
            NewCampaign(
                title=DEMO_CAMPAIGN_TITLE,
                period=DEMO_PERIOD,
                form_keys=DEMO_FORMS,
                unit_codes=[code for code, _, _ in DEMO_UNITS],
            ),
        )
    if campaign.state is CampaignState.DRAFT:
        transition(actor, campaign.id, CampaignState.OPEN)
    from .demo_period import load_demo_period

    load_demo_period(actor, campaign)
    return campaign


def _load_demo_accounts(actor: Actor) -> None:
    existing = set(db.session.scalars(select(User.username)))
    for username, display_name, role, unit_code in DEMO_ACCOUNTS:
        if username not in existing:
            create_user(actor, username, DEMO_PASSWORD, role, display_name=display_name, unit_code=unit_code)
