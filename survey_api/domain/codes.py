"""Short human-readable codes (receipts) and unguessable link tokens, from caller-supplied random bytes."""

from __future__ import annotations

import base64

# Crockford's alphabet: no I, L, O, U, so a code read aloud or typed from paper is not misread.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_BYTES = 5
LINK_TOKEN_BYTES = 16


def receipt_code(random_bytes: bytes) -> str:
    """Format 5 random bytes as an 8-character receipt such as 7K3Q-9XD2."""
    if len(random_bytes) != RECEIPT_BYTES:
        raise ValueError(f"need {RECEIPT_BYTES} bytes")
    number = int.from_bytes(random_bytes, "big")
    chars = [CROCKFORD[(number >> shift) & 31] for shift in range(35, -1, -5)]
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


def link_token(random_bytes: bytes) -> str:
    """A URL-safe token of at least 128 random bits for a campaign × unit link."""
    if len(random_bytes) < LINK_TOKEN_BYTES:
        raise ValueError(f"need at least {LINK_TOKEN_BYTES} bytes")
    return base64.urlsafe_b64encode(random_bytes).decode("ascii").rstrip("=")


def looks_like_receipt(text: str) -> bool:
    """Whether text has the shape of a receipt code."""
    return len(text) == 9 and text[4] == "-" and all(c in CROCKFORD for c in text[:4] + text[5:])
