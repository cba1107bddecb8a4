"""Respondent identity keys: one counted response per key, per campaign and unit.

A key is what a campaign uses to recognise a second answer from the same respondent: a device id, a household
number, a phone number, the last characters of an ID card or a one-time invitation code. The clear value is
normalised here and only a keyed hash of it is ever stored (HMAC-SHA256 with the deployment's identity secret).
The campaign's id is part of the hashed message, so the same phone gives unrelated keys in two campaigns and the
stored keys cannot be joined across campaigns."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from enum import Enum

from .codes import CROCKFORD


class IdentityMode(str, Enum):
    """How a campaign recognises a respondent who answers twice."""

    DEVICE = "device"  # a long-lived random id kept by the phone's browser
    HOUSEHOLD = "household"  # a household number from the sampling frame, typed by the enumerator
    PERSONAL_PHONE = "personal_phone"  # a mainland mobile number the respondent types
    PERSONAL_ID_SUFFIX = "personal_id_suffix"  # the last characters of the respondent's ID card
    INVITATION = "invitation"  # a one-time code printed or sent to the respondent
    NONE = "none"  # no recognition: every submission counts

    @property
    def is_typed(self) -> bool:
        """Whether the respondent (or enumerator) types the key on the questionnaire page."""
        return self in TYPED_MODES


TYPED_MODES = frozenset(
    {IdentityMode.HOUSEHOLD, IdentityMode.PERSONAL_PHONE, IdentityMode.PERSONAL_ID_SUFFIX, IdentityMode.INVITATION}
)
ID_SUFFIX_LENGTHS = range(4, 7)
MAX_HOUSEHOLD_LENGTH = 40
DEVICE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
INVITATION_LENGTH = 10
INVITATION_BYTES = 7  # 56 random bits, of which the code keeps 50
_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]+")
_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_CROCKFORD_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0"})


class IdentityError(ValueError):
    """A typed key that cannot be used; `code` names the problem for the message catalogue."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _fold(text: str) -> str:
    """Full-width digits and letters to ASCII, surrounding space removed."""
    return unicodedata.normalize("NFKC", text or "").strip()


def normalise_phone(text: str) -> str:
    """An 11-digit mainland mobile number from the ways people write one: spaces, dashes, dots, brackets,
    full-width digits and a +86, 0086 or 86 prefix."""
    digits = _PHONE_SEPARATORS.sub("", _fold(text))
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("86"):
            raise IdentityError("phone_not_mainland")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits.isascii() or not digits.isdigit():
        raise IdentityError("phone_not_digits")
    if not _MAINLAND_MOBILE.match(digits):
        raise IdentityError("phone_invalid")
    return digits


def normalise_id_suffix(text: str) -> str:
    """The last 4–6 characters of a resident ID card: digits, with a final X in upper case."""
    value = _PHONE_SEPARATORS.sub("", _fold(text)).upper()
    if len(value) not in ID_SUFFIX_LENGTHS or not re.fullmatch(r"\d+X?", value):
        raise IdentityError("id_suffix_invalid")
    return value


def normalise_household(text: str) -> str:
    """A household number as printed in the sampling frame: case, width and separators do not matter."""
    value = _PHONE_SEPARATORS.sub("", _fold(text)).upper()
    if not value or len(value) > MAX_HOUSEHOLD_LENGTH or not all(c.isalnum() for c in value):
        raise IdentityError("household_invalid")
    return value


def normalise_invitation(text: str) -> str:
    """An invitation code as typed: case, dashes and spaces do not matter; I, L and O read as 1, 1 and 0."""
    value = _PHONE_SEPARATORS.sub("", _fold(text)).upper().translate(_CROCKFORD_ALIASES)
    if len(value) != INVITATION_LENGTH or any(c not in CROCKFORD for c in value):
        raise IdentityError("invitation_invalid")
    return value


def normalise_device(text: str) -> str:
    """A device id chosen by the browser or app: 16–64 URL-safe characters, kept as given."""
    value = (text or "").strip()
    if not DEVICE_ID_PATTERN.match(value):
        raise IdentityError("device_invalid")
    return value


NORMALISERS = {
    IdentityMode.DEVICE: normalise_device,
    IdentityMode.HOUSEHOLD: normalise_household,
    IdentityMode.PERSONAL_PHONE: normalise_phone,
    IdentityMode.PERSONAL_ID_SUFFIX: normalise_id_suffix,
    IdentityMode.INVITATION: normalise_invitation,
}


def normalise(mode: IdentityMode, text: str | None) -> str:
    """The canonical form of a key in this mode; a missing key is IdentityError("required")."""
    if mode is IdentityMode.NONE:
        raise ValueError("a campaign without identity keys has nothing to normalise")
    if text is None or not str(text).strip():
        raise IdentityError("required")
    return NORMALISERS[mode](str(text))


def identity_key(secret: bytes, campaign_id: int, mode: IdentityMode, normalised: str) -> str:
    """The stored key: HMAC-SHA256 (hex) of campaign, mode and normalised value; the clear value is never kept."""
    message = f"{campaign_id}\x1f{mode.value}\x1f{normalised}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def invitation_hash(secret: bytes, normalised: str) -> str:
    """How an invitation code is looked up: a keyed hash, separate from the response's identity key, so the
    invitation list and the answers cannot be joined without the code itself."""
    return hmac.new(secret, f"invitation\x1f{normalised}".encode(), hashlib.sha256).hexdigest()


def invitation_code(random_bytes: bytes) -> str:
    """Format random bytes as a printable code such as 7K3Q9-XD2MB (50 bits, Crockford's alphabet)."""
    if len(random_bytes) < INVITATION_BYTES:
        raise ValueError(f"need at least {INVITATION_BYTES} bytes")
    number = int.from_bytes(random_bytes[:INVITATION_BYTES], "big")
    chars = "".join(CROCKFORD[(number >> (5 * i)) & 31] for i in range(INVITATION_LENGTH))
    return f"{chars[:5]}-{chars[5:]}"
