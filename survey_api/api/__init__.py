"""The JSON API under /api/v1: flask-smorest blueprints, one per resource."""

from __future__ import annotations

from flask_smorest import Api

from ..extensions import csrf
from .security import API_TOKEN_SCHEME


def register_api(api: Api) -> None:
    from . import (
        accounts,
        audit,
        campaigns,
        exports,
        fieldwork,
        imports,
        meetings,
        periods,
        public,
        receipts,
        rectification,
        results,
        review,
        units,
    )

    api.spec.components.security_scheme("apiToken", API_TOKEN_SCHEME)
    api.spec.components.schema("Submission", schema=public.SubmissionSchema)  # documented by hand in public.py
    api.spec.components.schema("Receipt", schema=public.ReceiptSchema)
    for module in (
        units,
        campaigns,
        meetings,
        periods,
        exports,
        imports,
        public,
        receipts,
        accounts,
        audit,
        results,
        review,
        fieldwork,
        rectification,
    ):
        # The API authenticates with bearer tokens, never cookies, so cross-site requests cannot ride a session.
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp, url_prefix=f"/api/v1{module.PREFIX}")
