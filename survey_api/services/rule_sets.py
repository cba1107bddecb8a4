"""Scoring rule sets: read from rules/ (or posted through the API), checked, and stored as immutable versions that
campaigns pin. A changed rule file becomes a new version; a campaign keeps the version it was given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from flask import current_app
from sqlalchemy import func, select

from ..domain.forms import DefinitionProblem, FormDefinitionError
from ..domain.rules import RuleSet, parse_rules
from ..errors import AppError
from ..extensions import db
from ..models import Campaign, ResultRun, RuleSetVersion
from .audit import Actor, record
from .forms_catalogue import FORM_SUFFIXES, checksum

DEFAULT_RULES_KEY = "default"


def rules_dir() -> Path:
    return Path(current_app.config["RULES_DIR"])


def read_rules_document(key: str) -> dict[str, Any]:
    """The rule file with this key from the rules folder, as a mapping (checked later)."""
    for suffix in FORM_SUFFIXES:
        path = rules_dir() / f"{key}{suffix}"
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise AppError("rules.invalid", details=[f"{path.name}: not valid YAML"]) from exc
            if isinstance(data, dict) and data.get("key", key) != key:
                problem = DefinitionProblem(path.name, None, "key", f"must match the file name {key!r}")
                raise AppError("rules.invalid", details=[str(problem)])
            return {**data, "key": key} if isinstance(data, dict) else data
    raise AppError("rules.not_found", key=key)


def check_rules(document: Any, source: str) -> RuleSet:
    """The parsed rules, or a rules.invalid error naming every problem."""
    try:
        return parse_rules(document, source)
    except FormDefinitionError as exc:
        raise AppError("rules.invalid", details=[str(p) for p in exc.problems]) from exc


def store_rules(actor: Actor, document: Any, source: str) -> RuleSetVersion:
    """The stored version with exactly this content, or a new version of its key."""
    rules = check_rules(document, source)
    raw = json.loads(json.dumps(document, ensure_ascii=False, default=str))
    digest = checksum(raw)
    existing = db.session.scalar(
        select(RuleSetVersion).where(RuleSetVersion.key == rules.key, RuleSetVersion.checksum == digest)
    )
    if existing is not None:
        return existing
    latest = db.session.scalar(select(func.max(RuleSetVersion.version)).where(RuleSetVersion.key == rules.key))
    version = RuleSetVersion(key=rules.key, version=(latest or 0) + 1, title=rules.title, checksum=digest, document=raw)
    db.session.add(version)
    db.session.flush()
    record(actor, "rules.store", "rule_set_version", version.id, {"key": version.key, "version": version.version})
    return version


def store_rules_file(actor: Actor, key: str = DEFAULT_RULES_KEY) -> RuleSetVersion:
    """The stored version of the rules folder's file with this key."""
    return store_rules(actor, read_rules_document(key), f"{key}.yaml")


def rules_of(version: RuleSetVersion) -> RuleSet:
    """The parsed rules of a stored version (stored versions were checked when stored)."""
    return check_rules(version.document, f"{version.key} v{version.version}")


def get_rule_set_version(version_id: int) -> RuleSetVersion:
    version = db.session.get(RuleSetVersion, version_id)
    if version is None:
        raise AppError("rules.not_found", key=str(version_id))
    return version


def list_rule_set_versions() -> list[RuleSetVersion]:
    return list(db.session.scalars(select(RuleSetVersion).order_by(RuleSetVersion.key, RuleSetVersion.version)))


def choose_rule_set(actor: Actor, campaign: Campaign, version: RuleSetVersion) -> RuleSetVersion:
    """Score the campaign with this rule-set version from now on; refused once a result is published."""
    published = db.session.scalar(
        select(ResultRun.id).where(ResultRun.campaign_id == campaign.id, ResultRun.published_at.is_not(None)).limit(1)
    )
    if published is not None:
        raise AppError("rules.locked")
    if campaign.rule_set_version_id != version.id:
        record(
            actor,
            "campaign.rules",
            "campaign",
            campaign.id,
            {"from": campaign.rule_set_version_id, "to": f"{version.key} v{version.version}"},
        )
        campaign.rule_set_version_id = version.id
    return version
