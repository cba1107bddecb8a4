"""The JSON API under /api/v1: flask-smorest blueprints, one per resource."""

from __future__ import annotations

from flask_smorest import Api


def register_api(api: Api) -> None:
    from . import campaigns, public, units

    api.spec.components.security_scheme(
        "operatorToken",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "Operator endpoints need this token when OPERATOR_API_TOKEN is set.",
        },
    )
    for module in (units, campaigns, public):
        api.register_blueprint(module.blp, url_prefix=f"/api/v1{module.PREFIX}")
