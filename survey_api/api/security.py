"""How the API documents its protection: every staff endpoint takes a personal API token."""

TOKEN_SECURITY = [{"apiToken": []}]

API_TOKEN_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A personal API token (created on the account page or with `survey-api tokens create`). "
    "What it may do follows its owner's role.",
}
