"""Residents' free-text comments made safe to show to the unit they are about: phone numbers, ID numbers, names of
people and exact addresses are masked, and small groups of comments are not shown at all (DOMAIN.md §1: anonymity).

The rules err on the side of masking: a run of seven or more digits (however written: spaces, dashes, dots,
brackets, a +86 prefix, full-width or Chinese digits) can be a phone or ID number and is always masked."""

from __future__ import annotations

import re

MASK = "＊＊＊"
NAME_MASK = "某某"
# Chinese digits as people write phone numbers out (幺 is the spoken 1).
CHINESE_DIGITS = "零〇一二三四五六七八九幺两"
_DIGIT = rf"[0-9{CHINESE_DIGITS}]"
# A digit followed by digits or separators: masked once it holds seven digits or more.
_NUMBER_RUN = re.compile(rf"(?:\+\s*)?{_DIGIT}(?:[ \t\-－—.·()（）/_]*{_DIGIT}|[xX])*")
MIN_DIGITS_MASKED = 7

# The commonest surnames, which between them cover most of the population.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
TITLES = (
    "书记|副书记|主任|副主任|经理|科长|所长|队长|局长|镇长|乡长|站长|村长|组长|股长|部长|处长|社长|院长|校长|"
    "老师|医生|大夫|师傅|警官|民警|网格员|干部|会计|主席|委员|阿姨|大姐|大哥|先生|女士|同志"
)
_INTRODUCED_NAME = re.compile(
    rf"(叫|名叫|姓|找|联系|是)([{SURNAMES}][\u4e00-\u9fff]{{0,2}}?)(?=[，,。.！!？?\s]|$|{TITLES}|的)"
)
_TITLED_NAME = re.compile(rf"(?:小|老)?[{SURNAMES}][\u4e00-\u9fff]{{0,2}}?({TITLES})")
_ADDRESS_NUMBER = re.compile(rf"[0-9{CHINESE_DIGITS}十百]+\s*(号楼|号院|号|栋|幢|单元|室|楼|弄|巷|组|户|门)")


# Full-width digits and the X of an ID number, as phone keyboards type them; other full-width punctuation stays.
_FULL_WIDTH = str.maketrans({chr(0xFF10 + d): str(d) for d in range(10)} | {"Ｘ": "X", "ｘ": "x", "＋": "+"})


def _digits_in(text: str) -> int:
    return sum(1 for ch in text if ch.isdigit() or ch in CHINESE_DIGITS)


def _mask_number(match: re.Match[str]) -> str:
    return MASK if _digits_in(match.group(0)) >= MIN_DIGITS_MASKED else match.group(0)


def anonymise(text: str) -> str:
    """The comment with phone and ID numbers, people's names and exact address numbers masked."""
    text = text.translate(_FULL_WIDTH)
    text = _NUMBER_RUN.sub(_mask_number, text)
    text = _ADDRESS_NUMBER.sub(lambda m: "＊" + m.group(1), text)
    text = _INTRODUCED_NAME.sub(lambda m: m.group(1) + NAME_MASK, text)
    text = _TITLED_NAME.sub(lambda m: "某" + m.group(1), text)
    return text


def digit_count(text: str) -> int:
    """How many digits (ASCII, full-width or Chinese) the text holds: a test's way of spotting a leaked number."""
    return _digits_in(text.translate(_FULL_WIDTH))


def shown_groups(groups: dict[str, list[str]], min_group: int) -> dict[str, list[str]]:
    """Only the groups with at least min_group comments, each anonymised; smaller groups could identify someone."""
    return {key: [anonymise(c) for c in comments] for key, comments in groups.items() if len(comments) >= min_group}
