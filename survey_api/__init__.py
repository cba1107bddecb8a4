"""survey-api: public evaluation (民评) and democratic evaluation (民主测评) for districts."""

from .app import create_app

__all__ = ["create_app"]
