"""Simulated answers for the demo district, so the results pages can be tried without collecting real ones.

Each unit gets its own level of satisfaction (from its code, so the same every time) and each respondent answers
around it; a few answer "don't know". They are stored as paper questionnaires with ids that start with `demo-`, so a
second run adds nothing."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

from ..domain.answers import answers_digest, answers_document, validate_answers
from ..domain.codes import receipt_code
from ..domain.forms import FormDefinition, Question
from ..models import Campaign, Channel, ResponseStatus
from .audit import Actor, record
from .campaigns import campaign_definitions
from .clock import utcnow
from .response_insert import insert_many

DONT_KNOW_SHARE = 0.05
COMMENT_SHARE = 0.4
# What residents write, some with a phone number, a name or a house number, as real comments do: the feedback
# report must mask them.
DEMO_COMMENTS = (
    "路灯坏了很久，希望尽快修好。",
    "办事窗口排队时间太长，建议增加窗口。",
    "小区垃圾清运不及时，电话13812345678反映过没人管。",
    "我叫王小明，住幸福路12号3栋2单元501室，楼下噪音扰民。",
    "张主任服务态度很好，点赞。",
    "希望多组织一些老年人活动。",
    "报修打了0571-8888 6666，一周都没人来。",
    "道路坑洼多，下雨天积水严重。",
)


def simulate_answers(actor: Actor, campaign: Campaign, per_unit: int, seed: int = 2026) -> int:
    """Add up to per_unit simulated answers to every unit of the campaign; return how many were new."""
    definitions = campaign_definitions(campaign)
    versions = {f.form_version.key: f.form_version_id for f in campaign.forms}
    now = utcnow()
    rows = []
    for link in campaign.links:
        rng = random.Random(f"{seed}:{link.unit.code}")
        level = 0.35 + 0.5 * rng.random()  # how well this unit is doing, 0 (worst) to 1 (best)
        for number in range(per_unit):
            given = _answer_set(definitions, rng, level)
            _add_comment(definitions, given, random.Random(f"{seed}:{link.unit.code}:{number}:comment"))
            valid, errors = validate_answers(definitions, given)
            if errors:
                raise ValueError(f"simulated answers do not validate: {errors[:3]}")
            rows.append(
                {
                    "submission_id": f"demo-{campaign.id}-{link.unit.code}-{number}",
                    "campaign_id": campaign.id,
                    "unit_id": link.unit_id,
                    "campaign_unit_id": link.id,
                    "channel": Channel.PAPER,
                    "status": ResponseStatus.INCLUDED,
                    "form_versions": versions,
                    "answers": answers_document(valid),
                    "duration_seconds": rng.randint(90, 900),
                    "answers_digest": answers_digest(link.link_token, valid),
                    "receipt_code": receipt_code(_receipt_bytes(campaign.id, link.unit.code, number)),
                    "submitted_at": now - timedelta(minutes=rng.randint(1, 7 * 24 * 60)),
                }
            )
    inserted = len(insert_many(rows))
    record(actor, "demo.answers", "campaign", campaign.id, {"per_unit": per_unit, "inserted": inserted})
    return inserted


def _answer_set(definitions: list[FormDefinition], rng: random.Random, level: float) -> dict:
    answers: dict = {}
    for form in definitions:
        given = {}
        for question in form.questions:
            value = _answer(question, rng, level)
            if value is not None:
                given[question.key] = value
        answers[form.key] = given
    return answers


def _add_comment(definitions: list[FormDefinition], answers: dict, rng: random.Random) -> None:
    """A free-text comment now and then (from its own random stream, so the scored answers stay as they were)."""
    for form in definitions:
        for question in form.questions:
            if question.type == "text" and rng.random() < COMMENT_SHARE:
                answers[form.key][question.key] = rng.choice(DEMO_COMMENTS)[: question.max_length]


def _answer(question: Question, rng: random.Random, level: float):
    if question.type == "rating":
        return max(0, min(10, round(rng.gauss(level * 10, 2))))
    if question.type == "multiple_choice":
        return [rng.choice(question.options).key] if question.required else None
    if question.type != "single_choice":
        return None
    substantive = [o for o in question.options if o.is_substantive]
    others = [o for o in question.options if not o.is_substantive]
    if others and rng.random() < DONT_KNOW_SHARE:
        return others[0].key
    if not question.is_scored:
        return rng.choice(substantive).key
    ranked = sorted(substantive, key=lambda o: -(o.score or 0))  # best first
    position = min(len(ranked) - 1, max(0, round(rng.gauss((1 - level) * (len(ranked) - 1), 1.0))))
    return ranked[position].key


def _receipt_bytes(campaign_id: int, unit_code: str, number: int) -> bytes:
    return hashlib.sha256(f"demo:{campaign_id}:{unit_code}:{number}".encode()).digest()[:5]
