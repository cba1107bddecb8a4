"""Identity keys: every common way of writing one phone number (or ID ending, household number, invitation code)
gives one key; what cannot be a key is refused with a reason."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_api.domain.identity import (
    IdentityError,
    IdentityMode,
    identity_key,
    invitation_code,
    normalise,
    normalise_household,
    normalise_id_suffix,
    normalise_invitation,
    normalise_phone,
)

SECRET = b"test-identity-key"
FULL_WIDTH = {chr(c): chr(c - 0x30 + 0xFF10) for c in range(0x30, 0x3A)} | {"+": "＋", "-": "－", " ": "\u3000"}

mobile_numbers = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)
prefixes = st.sampled_from(["", "+86", "+86 ", "0086", "0086 ", "86", "86-", "(+86) ", "+86-"])
separators = st.sampled_from(["", " ", "-", ".", "  "])


@st.composite
def written_numbers(draw):
    """A number as people write it: 3-4-4 groups or not, a country prefix, half- or full-width characters."""
    number = draw(mobile_numbers)
    sep = draw(separators)
    grouped = sep.join([number[:3], number[3:7], number[7:]]) if draw(st.booleans()) else number
    text = draw(prefixes) + grouped
    if draw(st.booleans()):
        text = "".join(FULL_WIDTH.get(c, c) for c in text)
    padding = draw(st.sampled_from(["", " ", "\t"]))
    return number, padding + text + padding


@given(written_numbers())
def test_every_common_way_of_writing_a_number_gives_the_number_and_one_key(case):
    number, written = case
    assert normalise_phone(written) == number
    assert identity_key(SECRET, 7, IdentityMode.PERSONAL_PHONE, normalise(IdentityMode.PERSONAL_PHONE, written)) == (
        identity_key(SECRET, 7, IdentityMode.PERSONAL_PHONE, number)
    )


@given(mobile_numbers, mobile_numbers)
def test_different_numbers_give_different_keys(a, b):
    same = identity_key(SECRET, 1, IdentityMode.PERSONAL_PHONE, a) == identity_key(
        SECRET, 1, IdentityMode.PERSONAL_PHONE, b
    )
    assert same == (a == b)


def test_a_key_depends_on_the_secret_the_campaign_and_the_mode_and_never_shows_the_value():
    key = identity_key(SECRET, 1, IdentityMode.PERSONAL_PHONE, "13812345678")
    assert len(key) == 64 and "13812345678" not in key
    assert key != identity_key(b"another-secret", 1, IdentityMode.PERSONAL_PHONE, "13812345678")
    assert key != identity_key(SECRET, 2, IdentityMode.PERSONAL_PHONE, "13812345678")
    assert key != identity_key(SECRET, 1, IdentityMode.HOUSEHOLD, "13812345678")


@pytest.mark.parametrize(
    "written, code",
    [
        ("+1 415 555 0100", "phone_not_mainland"),
        ("138-1234-567", "phone_invalid"),
        ("010-6512-3456", "phone_invalid"),  # a Beijing landline
        ("23812345678", "phone_invalid"),
        ("138 1234 567a", "phone_not_digits"),
        ("138１２３４５６７８９", "phone_invalid"),
    ],
)
def test_what_is_not_a_mainland_mobile_number_is_refused_with_a_reason(written, code):
    with pytest.raises(IdentityError) as raised:
        normalise_phone(written)
    assert raised.value.code == code


def test_a_missing_key_is_required():
    for blank in (None, "", "   "):
        with pytest.raises(IdentityError) as raised:
            normalise(IdentityMode.PERSONAL_PHONE, blank)
        assert raised.value.code == "required"


@pytest.mark.parametrize(
    "written, expected", [("1234", "1234"), ("12345x", "12345X"), ("０１２３４Ｘ", "01234X"), (" 5678 ", "5678")]
)
def test_id_suffix_keeps_the_last_characters_with_an_upper_case_x(written, expected):
    assert normalise_id_suffix(written) == expected


@pytest.mark.parametrize("written", ["123", "1234567", "12X4", "abcd", "X123"])
def test_an_id_suffix_of_the_wrong_shape_is_refused(written):
    with pytest.raises(IdentityError):
        normalise_id_suffix(written)


def test_household_numbers_ignore_case_width_and_separators():
    assert normalise_household("hh-0012") == normalise_household("HH 0012") == normalise_household("ＨＨ００１２")
    with pytest.raises(IdentityError):
        normalise_household("#!")


@given(st.binary(min_size=7, max_size=7))
def test_an_invitation_code_reads_back_however_it_is_typed(random_bytes):
    code = invitation_code(random_bytes)
    assert len(code) == 11 and code[5] == "-"
    typed = code.lower().replace("-", " ").replace("1", "l").replace("0", "o")
    assert normalise_invitation(typed) == normalise_invitation(code) == code.replace("-", "")


def test_an_invitation_code_of_the_wrong_length_is_refused():
    with pytest.raises(IdentityError) as raised:
        normalise_invitation("ABCDE-FGH")
    assert raised.value.code == "invitation_invalid"
