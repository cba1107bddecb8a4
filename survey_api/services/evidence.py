"""Evidence files of a rectification task: checked by size and by content (the file's first bytes must say it is
the PDF, PNG or JPEG its name claims), stored outside the database under its SHA-256, and checked again on reading."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import current_app

from ..errors import AppError
from ..models import RectificationTask, TaskEvidence
from . import clock
from .audit import Actor, record
from .campaign_files import FileBody
from .rectification import require_working

# Content type, the extensions it may be named with, and the bytes its files start with.
EVIDENCE_TYPES = (
    ("application/pdf", (".pdf",), b"%PDF-"),
    ("image/png", (".png",), b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", (".jpg", ".jpeg"), b"\xff\xd8\xff"),
)


def sniff(content: bytes) -> str | None:
    """The content type the file's first bytes announce, or None for anything else."""
    return next((kind for kind, _, magic in EVIDENCE_TYPES if content.startswith(magic)), None)


def checked_type(filename: str, content: bytes) -> str:
    """The file's content type, if its content is an accepted type and matches its name; else evidence.bad_type."""
    found = sniff(content)
    extension = os.path.splitext(filename.lower())[1]
    expected = next((kind for kind, extensions, _ in EVIDENCE_TYPES if extension in extensions), None)
    if found is None or found != expected:
        raise AppError("evidence.bad_type", found=found or "unknown")
    return found


def evidence_dir() -> Path:
    configured = current_app.config.get("EVIDENCE_DIR")
    return Path(configured) if configured else Path(current_app.config["INSTANCE_PATH"]) / "evidence"


def stored_path(sha256: str) -> Path:
    return evidence_dir() / sha256[:2] / sha256


def add_evidence(actor: Actor, task: RectificationTask, filename: str, content: bytes) -> TaskEvidence:
    """Store an evidence file for the task (content-addressed, so the same file twice is kept once on disk)."""
    require_working(task)
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    if len(content) > limit:
        raise AppError("evidence.too_large", limit=f"{limit / 1024 / 1024:g}")
    content_type = checked_type(filename, content)
    digest = hashlib.sha256(content).hexdigest()
    path = stored_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(content)
        partial.replace(path)  # atomic: a reader never sees half a file
    evidence = TaskEvidence(
        filename=os.path.basename(filename)[:200],
        content_type=content_type,
        size=len(content),
        sha256=digest,
        uploaded_by=actor.user_id,
        uploaded_at=clock.utcnow(),
    )
    task.evidence.append(evidence)
    record(actor, "task.evidence", "rectification_task", task.id, {"file": evidence.filename, "sha256": digest})
    return evidence


def read_evidence(task: RectificationTask, evidence_id: int) -> tuple[TaskEvidence, bytes]:
    """An evidence file of the task with its content, verified against the stored checksum."""
    evidence = next((e for e in task.evidence if e.id == evidence_id), None)
    if evidence is None:
        raise AppError("evidence.not_found")
    path = stored_path(evidence.sha256)
    content = path.read_bytes() if path.exists() else b""
    if hashlib.sha256(content).hexdigest() != evidence.sha256:
        raise AppError("evidence.damaged")
    return evidence, content


def evidence_file(task: RectificationTask, evidence_id: int) -> FileBody:
    """An evidence file to send, named by number: an uploaded name may hold characters a header cannot carry."""
    evidence, content = read_evidence(task, evidence_id)
    extension = evidence.content_type.rsplit("/", 1)[1].replace("jpeg", "jpg")
    return FileBody(content, evidence.content_type, f"task-{task.id}-evidence-{evidence.id}.{extension}")
