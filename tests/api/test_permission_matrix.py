"""Every protected route, walked with every persona: allowed roles get through, others are refused, and a unit
user never reaches another unit's data. The expectations come from the one permission table."""

from __future__ import annotations

import re

import pytest

from survey_api.domain.access import PERMISSIONS, Role

from ..conftest import PERSONAS
from ..factories import create_campaign

PUBLIC_PREFIXES = ("/api/v1/links/", "/api/v1/receipts/", "/api/v1/openapi.json")
PERSONA_NAMES = [None, *PERSONAS]  # None is anonymous


SIGN_IN_ENDPOINTS = ("console.login", "console.login_post", "console.logout")


def protected_routes(app, prefix: str, open_prefixes: tuple[str, ...] = (), open_endpoints: tuple[str, ...] = ()):
    """(method, rule, required action) for every route under prefix that is not open to everyone; fails if a
    protected route declares no action."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix) or rule.rule.startswith(open_prefixes) or rule.endpoint in open_endpoints:
            continue
        action = getattr(app.view_functions[rule.endpoint], "required_action", None)
        assert action in PERMISSIONS, f"{rule.rule} does not declare a permitted action"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, rule.rule, action))
    return routes


def concrete(rule: str, campaign_id: int, unit_code: str) -> str:
    values = {
        "campaign_id": str(campaign_id),
        "unit_code": unit_code,
        "code": unit_code,
        "token_id": "999999",
        "user_id": "999999",
        "image_format": "png",
    }
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values.get(m.group(1), "999999"), rule)


def role_of(persona: str | None) -> Role | None:
    return Role(PERSONAS[persona][0]) if persona else None


@pytest.fixture
def campaign_of_a(persona_units):
    return create_campaign([persona_units["A"]])


@pytest.mark.parametrize("persona", PERSONA_NAMES, ids=lambda p: p or "anonymous")
def test_every_staff_route_admits_exactly_the_roles_in_the_table(app, client_as, campaign_of_a, persona_units, persona):
    client = client_as(persona)
    role = role_of(persona)
    routes = protected_routes(app, "/api/v1/", open_prefixes=PUBLIC_PREFIXES)
    assert len(routes) >= 15
    for method, rule, action in routes:
        url = concrete(rule, campaign_of_a.id, persona_units["A"].code)
        response = client.open(url, method=method, json={} if method in ("POST", "PUT", "PATCH") else None)
        body = response.get_json(silent=True)
        code = body.get("code") if isinstance(body, dict) else None
        if role is None:
            assert (response.status_code, code) == (401, "auth.required"), (method, url)
        elif role in PERMISSIONS[action]:
            assert response.status_code not in (401, 403), (persona, method, url, response.status_code, code)
        else:
            assert (response.status_code, code) == (403, "auth.forbidden"), (persona, method, url)


def test_a_unit_user_sees_only_its_own_unit(client_as, persona_units):
    unit_b = client_as("unit_b")
    assert [u["code"] for u in unit_b.get("/api/v1/units").get_json()] == ["UB1"]
    assert unit_b.get("/api/v1/units/UB1").status_code == 200
    other = unit_b.get("/api/v1/units/UA1")
    assert other.status_code == 404 and other.get_json()["code"] == "unit.not_found"
    assert unit_b.get("/api/v1/units/UA1").get_json() == unit_b.get("/api/v1/units/NOPE").get_json() | {
        "message": other.get_json()["message"],
        "details": None,
    }


def test_an_auditor_reads_everything_and_changes_nothing(client_as, campaign_of_a):
    auditor = client_as("auditor")
    assert auditor.get("/api/v1/campaigns").status_code == 200
    assert auditor.get("/api/v1/audit").status_code == 200
    assert auditor.get("/api/v1/users").status_code == 200
    for method, url in [
        ("POST", f"/api/v1/campaigns/{campaign_of_a.id}/close"),
        ("POST", "/api/v1/units"),
        ("POST", "/api/v1/users"),
    ]:
        assert auditor.open(url, method=method, json={}).status_code == 403
    assert auditor.get(f"/api/v1/campaigns/{campaign_of_a.id}").get_json()["state"] == "open"


def test_only_read_actions_are_open_to_the_auditor():
    writable = {action for action, roles in PERMISSIONS.items() if Role.AUDITOR in roles and action != "account.self"}
    assert all(action.endswith(".read") for action in writable)


def console_url(rule: str, campaign_id: int, unit_code: str) -> str:
    rule = rule.replace("<any(open, close):move>", "close").replace("<any(enable, disable):change>", "enable")
    return concrete(rule, campaign_id, unit_code)


@pytest.fixture
def without_csrf(app):
    """Role checks on console forms, apart from CSRF (which has its own tests)."""
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    app.config["WTF_CSRF_ENABLED"] = True


@pytest.mark.parametrize("persona", PERSONA_NAMES, ids=lambda p: p or "anonymous")
def test_every_console_page_admits_exactly_the_roles_in_the_table(
    app, persona_tokens, campaign_of_a, persona_units, without_csrf, persona
):
    from survey_api.extensions import db
    from survey_api.models import User

    client = app.test_client()
    if persona:
        user = db.session.query(User).filter_by(username=f"p_{persona}").one()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    role = role_of(persona)
    routes = protected_routes(app, "/console/", open_endpoints=SIGN_IN_ENDPOINTS)
    assert len(routes) >= 12
    for method, rule, action in routes:
        url = console_url(rule, campaign_of_a.id, persona_units["A"].code)
        response = client.open(url, method=method, data={})
        if role is None:
            assert response.status_code == 302 and "/console/login" in response.headers["Location"], (method, url)
        elif role in PERMISSIONS[action]:
            # Through the gate; an empty form may still be refused on its merits (a wrong current password: 401).
            assert response.status_code != 403 and "/console/login" not in response.headers.get("Location", ""), (
                persona,
                method,
                url,
                response.status_code,
            )
        else:
            assert response.status_code == 403, (persona, method, url, response.status_code)
