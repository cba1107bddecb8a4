"""The open and close routes of things with a lifecycle (campaigns, evaluation meetings): one POST route per move,
with the same documentation and errors, built from the thing's own transition service."""

from __future__ import annotations

from enum import Enum
from typing import Any, Callable

from flask import g
from flask_smorest import Blueprint

from ..auth import api_requires
from ..transactions import commit_on_success
from .security import TOKEN_SECURITY


def add_transition_routes(
    blp: Blueprint, noun: str, action: str, schema: Any, move: Callable[..., Any], moves: dict[str, Enum]
) -> None:
    """POST /<int:{noun}_id>/{name} calls move(actor, id, state) for each name → state in moves."""
    for name, state in moves.items():
        blp.route(f"/<int:{noun}_id>/{name}", methods=["POST"])(_view(blp, noun, action, schema, move, state))


def _view(blp: Blueprint, noun: str, action: str, schema: Any, move: Callable[..., Any], state: Enum):
    @api_requires(action)
    @blp.doc(security=TOKEN_SECURITY)
    @blp.response(200, schema)
    @blp.alt_response(404, schema="Error", description=f"{noun}.not_found")
    @blp.alt_response(409, schema="Error", description=f"{noun}.invalid_transition")
    @commit_on_success
    def view(**ids: int):
        return move(g.actor, ids[f"{noun}_id"], state)

    view.__name__ = f"{state.value}_{noun}"
    view.__doc__ = f"Move the {noun} to {state.value}; repeating it changes nothing."
    return view
