"""Read questionnaire files from forms/, check them, and publish them as immutable stored versions."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from flask import current_app
from sqlalchemy import func, select

from ..domain.form_parser import parse_form
from ..domain.forms import DefinitionProblem, FormDefinition, FormDefinitionError
from ..errors import AppError
from ..extensions import db
from ..models import FormVersion
from .audit import Actor, record

FORM_SUFFIXES = (".yaml", ".yml")


def read_form_file(path: Path) -> FormDefinition:
    """Parse and validate one form file; the file's name must be its key."""
    source = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise FormDefinitionError([DefinitionProblem(source, None, None, f"not valid YAML{where}")]) from exc
    definition = parse_form(data, source)
    if definition.key != path.stem:
        raise FormDefinitionError([DefinitionProblem(source, None, "key", f"must match the file name {path.stem!r}")])
    return definition


def form_files(directory: Path) -> list[Path]:
    """Every form file in the folder, in name order."""
    return sorted(p for p in directory.iterdir() if p.suffix in FORM_SUFFIXES and p.is_file())


def check_forms(directory: Path) -> dict[Path, FormDefinition | FormDefinitionError]:
    """Check every file in the folder; map each file to its definition or its problems."""
    outcome: dict[Path, FormDefinition | FormDefinitionError] = {}
    for path in form_files(directory):
        try:
            outcome[path] = read_form_file(path)
        except FormDefinitionError as exc:
            outcome[path] = exc
    return outcome


def forms_dir() -> Path:
    return Path(current_app.config["FORMS_DIR"])


def load_form(key: str) -> FormDefinition:
    """The current definition of a form from the forms folder, by key."""
    for suffix in FORM_SUFFIXES:
        path = forms_dir() / f"{key}{suffix}"
        if path.is_file():
            try:
                return read_form_file(path)
            except FormDefinitionError as exc:
                raise AppError("form.invalid", details=[str(p) for p in exc.problems]) from exc
    raise AppError("form.not_found", key=key)


def checksum(raw: Any) -> str:
    """A stable fingerprint of a form's content."""
    body = json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def publish_form(actor: Actor, definition: FormDefinition) -> FormVersion:
    """The stored version with this exact content, or a new version number if the content changed."""
    raw = json.loads(json.dumps(dict(definition.raw), ensure_ascii=False, default=str))
    digest = checksum(raw)
    existing = db.session.scalar(
        select(FormVersion).where(FormVersion.key == definition.key, FormVersion.checksum == digest)
    )
    if existing is not None:
        return existing
    latest = db.session.scalar(select(func.max(FormVersion.version)).where(FormVersion.key == definition.key)) or 0
    version = FormVersion(
        key=definition.key,
        version=latest + 1,
        format_version=definition.format_version,
        kind=definition.kind,
        index_name=definition.index,
        title=definition.title,
        checksum=digest,
        definition=raw,
    )
    db.session.add(version)
    db.session.flush()
    record(
        actor,
        "form.publish",
        "form_version",
        version.id,
        {"key": version.key, "version": version.version, "checksum": digest},
    )
    return version


def definition_of(version: FormVersion) -> FormDefinition:
    """The parsed definition of a stored version (cached: a stored version never changes)."""
    cache_key = (version.id, version.checksum)  # the checksum guards against reused ids in rolled-back tests
    definition = _PARSED.get(cache_key)
    if definition is None:
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        definition = _PARSED[cache_key] = parse_form(version.definition, f"{version.key} v{version.version}")
    return definition


_PARSED: dict[tuple[int, str], FormDefinition] = {}
_PARSED_LIMIT = 512
