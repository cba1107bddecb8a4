"""Helpers for console tests: sign in as a persona, post a form with its CSRF token."""

from __future__ import annotations

import re

from ..factories import PERSONA_PASSWORD


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, username: str, password: str = PERSONA_PASSWORD):
    page = client.get("/console/login").get_data(as_text=True)
    return client.post(
        "/console/login", data={"csrf_token": csrf_of(page), "username": username, "password": password, "next": ""}
    )


def post_form(client, page_url: str, action: str, data: dict, **kwargs):
    token = csrf_of(client.get(page_url).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data}, **kwargs)
