"""How the API documents its protection: every staff endpoint takes a personal API token."""

TOKEN_SECURITY = [{"apiToken": []}]

API_TOKEN_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A personal API token (created on the account page or with `survey-api tokens create`). "
    "What it may do follows its owner's role.",
}


def file_upload_body(file_description: str, **other_fields: dict) -> dict:
    """The documented request body of an upload route: a multipart form with a required `file` and other fields.
    Upload views parse their multipart body themselves (after authentication), so it is documented by hand."""
    properties = {"file": {"type": "string", "format": "binary", "description": file_description}, **other_fields}
    return {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": properties}}
        },
    }
