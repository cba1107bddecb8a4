"""Evaluation meetings (测评会, DOMAIN.md §4): lifecycle, targets, rater groups with their default weights, and the
one-time slip codes that cast ballots. Pure: no I/O, no clock."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from dataclasses import dataclass
from enum import Enum

from .codes import CROCKFORD


class MeetingState(str, Enum):
    DRAFT = "draft"  # targets and groups set, slips may be printed; no ballot yet
    OPEN = "open"  # slips cast ballots
    CLOSED = "closed"  # final: no ballot, no new slip


ALLOWED_TRANSITIONS = {
    MeetingState.DRAFT: frozenset({MeetingState.OPEN, MeetingState.CLOSED}),
    MeetingState.OPEN: frozenset({MeetingState.CLOSED}),
    MeetingState.CLOSED: frozenset(),
}


def can_transition(current: MeetingState, target: MeetingState) -> bool:
    """Whether a meeting may move from `current` to `target`."""
    return target in ALLOWED_TRANSITIONS[current]


class TargetKind(str, Enum):
    TEAM = "team"  # the unit's leadership team (领导班子), graded on the team ballot
    CADRE = "cadre"  # one leading cadre (领导干部), graded on the cadre ballot


BALLOT_FORMS = {TargetKind.TEAM: "team_ballot", TargetKind.CADRE: "cadre_ballot"}


class TokenState(str, Enum):
    ISSUED = "issued"
    USED = "used"
    VOIDED = "voided"


@dataclass(frozen=True)
class GroupSpec:
    key: str
    label: str
    weight: float
    headcount: int


# DOMAIN.md §4: 上级领导 0.2, 同级及干部职工 0.4, 服务对象/群众代表 0.4.
DEFAULT_GROUPS = (
    GroupSpec("superiors", "上级领导", 0.2, 0),
    GroupSpec("peers", "同级及干部职工", 0.4, 0),
    GroupSpec("public", "服务对象/群众代表", 0.4, 0),
)
DEFAULT_QUORUM_SHARE = 0.5  # turnout must exceed half of those due
GROUP_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
WEIGHT_TOLERANCE = 1e-6


def group_problems(groups: list[GroupSpec]) -> list[str]:
    """Why these rater groups cannot be used (empty when they can): unique keys, weights in (0, 1] summing to 1."""
    problems = []
    if not groups:
        problems.append("at least one rater group is needed")
    keys = [g.key for g in groups]
    if len(set(keys)) != len(keys):
        problems.append("group keys must be unique")
    for group in groups:
        if not GROUP_KEY.match(group.key):
            problems.append(f"{group.key[:40]!r}: a key is lower-case letters, digits and _, starting with a letter")
        if not group.label.strip():
            problems.append(f"{group.key}: the label is empty")
        if not (math.isfinite(group.weight) and 0 < group.weight <= 1):
            problems.append(f"{group.key}: the weight must be above 0 and at most 1")
        if group.headcount < 0:
            problems.append(f"{group.key}: the expected headcount cannot be negative")
    total = sum(g.weight for g in groups if math.isfinite(g.weight))
    if groups and abs(total - 1) > WEIGHT_TOLERANCE:
        problems.append(f"the weights add up to {total:g}, not 1")
    return problems


def target_problems(kinds: list[TargetKind], names: list[str]) -> list[str]:
    """Why these targets cannot be evaluated together: at least one, at most one team, cadres named uniquely."""
    problems = []
    if not kinds:
        problems.append("at least one target (the team or a cadre) is needed")
    if kinds.count(TargetKind.TEAM) > 1:
        problems.append("a meeting evaluates at most one leadership team")
    if any(not name.strip() for name in names):
        problems.append("every target needs a name")
    cadres = [n.strip() for k, n in zip(kinds, names) if k is TargetKind.CADRE]
    if len(set(cadres)) != len(cadres):
        problems.append("two cadres have the same name; add the post to tell them apart")
    return problems


def quorum_met(used: int, due: int, share: float = DEFAULT_QUORUM_SHARE) -> bool:
    """Whether turnout exceeds `share` of those due (strictly: exactly half is not a quorum)."""
    return due > 0 and used > share * due


# Slip codes: 10 characters of Crockford's alphabet (50 random bits), printed as 7K3Q9-XD2MB, typed in any case,
# with or without the dash; I, L and O read as 1, 1 and 0. The same code is in the slip's QR link.
SLIP_CODE_LENGTH = 10
SLIP_CODE_BYTES = 7
_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s\-_.]+")


def slip_code(random_bytes: bytes) -> str:
    """Format random bytes as a printable slip code such as 7K3Q9-XD2MB."""
    if len(random_bytes) < SLIP_CODE_BYTES:
        raise ValueError(f"need at least {SLIP_CODE_BYTES} bytes")
    number = int.from_bytes(random_bytes[:SLIP_CODE_BYTES], "big")
    chars = "".join(CROCKFORD[(number >> (5 * i)) & 31] for i in range(SLIP_CODE_LENGTH))
    return f"{chars[:5]}-{chars[5:]}"


def normalise_slip_code(text: str) -> str | None:
    """The canonical code for what was typed or scanned, or None when it cannot be a slip code."""
    value = _SEPARATORS.sub("", (text or "")[:40]).upper().translate(_ALIASES)
    if len(value) != SLIP_CODE_LENGTH or any(c not in CROCKFORD for c in value):
        return None
    return value


def slip_hash(secret: bytes, normalised: str) -> str:
    """How a slip is stored and looked up: HMAC-SHA256 with the deployment secret; the clear code is never kept."""
    return hmac.new(secret, f"ballot-slip\x1f{normalised}".encode(), hashlib.sha256).hexdigest()
