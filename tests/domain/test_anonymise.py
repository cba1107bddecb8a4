"""Residents' comments shown to units: no phone or ID number survives, however it is written; names of people and
house numbers are masked; small groups are not shown at all."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from survey_api.domain.anonymise import CHINESE_DIGITS, anonymise, digit_count, shown_groups

SEPARATORS = ["", " ", "-", ".", "—", "－", "  ", " - "]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SPOKEN = str.maketrans("0123456789", "零一二三四五六七八九")
# Words around the number: Chinese without digits of any script.
FILLER = st.text(
    alphabet=st.sampled_from(
        [c for c in "路灯坏了请尽快修理电话打过没人接联系我谢谢，。！？ 反映问题" if c not in CHINESE_DIGITS]
    ),
    max_size=12,
)


@st.composite
def phone_numbers(draw) -> str:
    """A mobile or landline number, grouped and separated, prefixed and in the digits people actually type."""
    if draw(st.booleans()):
        digits = "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
        groups = [digits[:3], digits[3:7], digits[7:]]
        prefix = draw(st.sampled_from(["", "+86", "+86 ", "(+86)", "86-", "＋86 "]))
    else:
        area = "0" + draw(st.text("123456789", min_size=2, max_size=3))
        local = draw(st.text("0123456789", min_size=7, max_size=8))
        groups = [area, local[:4], local[4:]]
        prefix = draw(st.sampled_from(["", "(", "（"]))
    separator = draw(st.sampled_from(SEPARATORS))
    number = prefix + separator.join(groups)
    script = draw(st.sampled_from(["ascii", "full", "spoken"]))
    return number.translate({"ascii": {}, "full": FULL_WIDTH, "spoken": SPOKEN}[script])


@given(before=FILLER, number=phone_numbers(), after=FILLER)
def test_no_phone_number_survives_however_it_is_written(before, number, after):
    masked = anonymise(before + number + after)
    assert digit_count(masked) == 0, masked


@given(st.text("0123456789", min_size=17, max_size=17), st.sampled_from(["", "X", "x", "Ｘ"]))
def test_no_id_number_survives(digits, check):
    assert digit_count(anonymise(f"身份证{digits}{check or '0'}号码")) == 0


def test_names_and_house_numbers_are_masked_and_ordinary_text_kept():
    assert anonymise("我叫张三，住幸福路12号3栋2单元501室") == "我叫某某，住幸福路＊号＊栋＊单元＊室"
    assert anonymise("王书记不作为，找李主任也没用") == "某书记不作为，找某某主任也没用"
    assert anonymise("路灯坏了3天，希望2026年修好") == "路灯坏了3天，希望2026年修好"
    assert anonymise("报修打了0571-8888 6666，一周都没人来") == "报修打了＊＊＊，一周都没人来"


def test_small_groups_show_nothing():
    groups = {"a": ["电话13812345678"] * 5, "b": ["只有一条"] * 4}
    assert shown_groups(groups, 5) == {"a": ["电话＊＊＊"] * 5}
