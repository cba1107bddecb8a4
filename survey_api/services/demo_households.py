"""The demo's household survey: a campaign that recognises respondents by household number, three enumerator
accounts, population margins for the quota cells, and a generated sampling frame (a CSV file) of households in
the demo's four townships. Everything is idempotent; the frame is the same for the same seed."""

from __future__ import annotations

import csv
import io
import random

from sqlalchemy import select

from ..domain.access import Role
from ..domain.campaigns import CampaignState
from ..domain.identity import IdentityMode
from ..extensions import db
from ..models import Campaign, UnitMargin, User
from .accounts import create_user
from .audit import Actor
from .campaigns import NewCampaign, create_campaign, transition
from .demo import DEMO_FORMS, DEMO_PASSWORD, DEMO_PERIOD, DEMO_UNITS, load_demo
from .margins import MarginRow, set_margins

HOUSEHOLD_CAMPAIGN_TITLE = "示范区2026年度入户调查"
TOWNSHIPS = [(code, name) for code, name, category in DEMO_UNITS if category == "乡镇街道"]
ENUMERATORS = [("diaocha", "入户调查员"), ("diaocha2", "入户调查员二"), ("diaocha3", "入户调查员三")]
COMMUNITIES_PER_TOWNSHIP = 5
SEX_SHARES = {"male": 0.5, "female": 0.5}
AGE_SHARES = {"age_18_29": 0.18, "age_30_39": 0.2, "age_40_49": 0.2, "age_50_59": 0.2, "age_60_plus": 0.22}
STREETS = ["幸福路", "人民路", "建设路", "解放街", "和平巷", "新华路"]


def load_household_demo(actor: Actor) -> Campaign:
    """The demo district plus its household-survey campaign (open), three enumerators and quota margins."""
    load_demo(actor)
    existing = set(db.session.scalars(select(User.username)))
    for username, display_name in ENUMERATORS:
        if username not in existing:
            create_user(actor, username, DEMO_PASSWORD, Role.ENUMERATOR, display_name=display_name)
    campaign = db.session.scalar(select(Campaign).where(Campaign.title == HOUSEHOLD_CAMPAIGN_TITLE))
    if campaign is None:
        campaign = create_campaign(
            actor,
            NewCampaign(
                title=HOUSEHOLD_CAMPAIGN_TITLE,
                period=DEMO_PERIOD,
                form_keys=DEMO_FORMS,
                unit_codes=[code for code, _ in TOWNSHIPS],
                identity_mode=IdentityMode.HOUSEHOLD,
            ),
        )
    if campaign.state is CampaignState.DRAFT:
        transition(actor, campaign.id, CampaignState.OPEN)
    has_margins = db.session.scalar(select(UnitMargin.id).where(UnitMargin.campaign_id == campaign.id).limit(1))
    if has_margins is None:
        rows = [
            MarginRow(code, variable, category, share)
            for code, _ in TOWNSHIPS
            for variable, shares in (("sex", SEX_SHARES), ("age_group", AGE_SHARES))
            for category, share in shares.items()
        ]
        set_margins(actor, campaign, rows)
    return campaign


def frame_csv(households: int = 5000, seed: int = 2026) -> bytes:
    """A sampling frame over the demo townships: household, unit, community, address, size (UTF-8 CSV)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["household", "unit", "community", "address", "size"])
    for number in range(1, households + 1):
        code, name = TOWNSHIPS[number % len(TOWNSHIPS)]
        community = f"{name}第{rng.randint(1, COMMUNITIES_PER_TOWNSHIP)}社区"
        address = f"{rng.choice(STREETS)}{rng.randint(1, 200)}号{rng.randint(1, 6)}单元{rng.randint(101, 1802)}室"
        writer.writerow([f"H{code}{number:06d}", code, community, address, rng.randint(1, 6)])
    return out.getvalue().encode("utf-8")
