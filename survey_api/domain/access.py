"""Who may do what: the one permission table (role × action) that every view consults."""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    ADMIN = "admin"  # assessment office (考核办): runs campaigns, publishes results, manages accounts
    STATISTICIAN = "statistician"  # statistics bureau: runs surveys and owns the data
    ENUMERATOR = "enumerator"  # records household visits
    UNIT = "unit"  # an evaluated unit's staff: sees its own unit only
    AUDITOR = "auditor"  # oversight (纪检监察): reads everything, changes nothing


ADMIN, STATISTICIAN, ENUMERATOR, UNIT, AUDITOR = Role

PERMISSIONS: dict[str, frozenset[Role]] = {
    "unit.read": frozenset({ADMIN, STATISTICIAN, AUDITOR, UNIT}),
    "unit.write": frozenset({ADMIN, STATISTICIAN}),
    "campaign.read": frozenset({ADMIN, STATISTICIAN, AUDITOR}),
    "campaign.write": frozenset({ADMIN, STATISTICIAN}),
    "audit.read": frozenset({ADMIN, AUDITOR}),
    "user.read": frozenset({ADMIN, AUDITOR}),
    "user.write": frozenset({ADMIN}),
    "account.self": frozenset(Role),  # one's own password and API tokens
    "responses.read": frozenset({ADMIN, STATISTICIAN, AUDITOR}),  # answers, exports, the review queue
    "responses.import": frozenset({ADMIN, STATISTICIAN}),  # telephone and paper answers from files
    "responses.review": frozenset({ADMIN, STATISTICIAN}),  # include or exclude a flagged response
    "results.read": frozenset({ADMIN, STATISTICIAN, AUDITOR}),
    "results.write": frozenset({ADMIN, STATISTICIAN}),  # rule sets, margins, computing and publishing results
    "households.addresses": frozenset({ADMIN, STATISTICIAN}),  # the frame with its addresses (personal data)
    "households.write": frozenset({ADMIN, STATISTICIAN}),  # frame imports, sample draws, assignments, back-checks
    "fieldwork.read": frozenset({ADMIN, STATISTICIAN, AUDITOR}),  # supervision figures, without addresses
    "fieldwork.visit": frozenset({ENUMERATOR}),  # an enumerator's own assigned households and their visits
    "meeting.read": frozenset({ADMIN, AUDITOR}),  # evaluation meetings and their turnout (never who voted)
    "meeting.write": frozenset({ADMIN}),  # the assessment office runs meetings: create, open, close, slips
    "period.read": frozenset({ADMIN, STATISTICIAN, AUDITOR, UNIT}),  # unit results; a unit sees its own, published
    "period.write": frozenset({ADMIN}),  # assessment periods: rules, inputs, computing, publishing, corrections
    "feedback.read": frozenset({ADMIN, STATISTICIAN, AUDITOR, UNIT}),  # a unit's feedback report (反馈报告)
    "task.read": frozenset({ADMIN, AUDITOR, UNIT}),  # rectification tasks (限期整改)
    "task.work": frozenset({UNIT}),  # the unit's plan, progress, evidence and closing report
    "task.review": frozenset({ADMIN}),  # add tasks, return or accept them, approve notices, attach a pulse survey
    "outbox.read": frozenset({ADMIN, AUDITOR}),  # reminders waiting for a mail or SMS gateway
    "outbox.write": frozenset({ADMIN}),  # the gateway marks messages sent
}

# Actions a unit user may take only on data of their own unit; the view checks the unit.
UNIT_SCOPED = frozenset({"unit.read", "period.read", "feedback.read", "task.read", "task.work"})

# Actions that change nothing; an auditor holds only these.
READ_ACTIONS = frozenset(action for action in PERMISSIONS if action.endswith(".read"))


def is_allowed(role: Role, action: str) -> bool:
    """Whether the role may take the action at all (unit scoping is checked separately)."""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")
    return role in PERMISSIONS[action]


def may_see_unit(role: Role, own_unit_id: int | None, unit_id: int) -> bool:
    """Whether someone of this role, bound to own_unit_id, may see the unit with unit_id."""
    return role is not UNIT or own_unit_id == unit_id


def check_password_policy(password: str, username: str) -> str | None:
    """A reason the password is too weak, or None."""
    if len(password) < 10:
        return "too_short"
    if password.lower() == username.lower() or username.lower() in password.lower():
        return "contains_username"
    if len(set(password)) < 5:
        return "too_simple"
    return None


def lockout_seconds(failed_attempts: int, threshold: int = 5, base_seconds: int = 60, cap_seconds: int = 3600) -> int:
    """How long an account stays locked after this many failed logins in a row: none below the threshold, then
    doubling from base_seconds up to cap_seconds, which slows a guesser without locking staff out for long."""
    if failed_attempts < threshold:
        return 0
    return min(cap_seconds, base_seconds * 2 ** (failed_attempts - threshold))
