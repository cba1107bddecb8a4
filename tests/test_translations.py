"""The Chinese catalog covers every user-facing string in the sources, keeps their placeholders, and compiles.

After adding or changing a string, refresh the catalog, then translate the new entries (and leave no fuzzy flag):
    pybabel extract -F babel.cfg -k _l -o survey_api/translations/messages.pot --no-location --sort-output .
    pybabel update -i survey_api/translations/messages.pot -d survey_api/translations -l zh_Hans_CN -N
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = ROOT / "survey_api" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}  # lazy_gettext is imported as _l
PLACEHOLDER = re.compile(r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]")


def source_messages() -> dict[tuple[str, str | None], str]:
    """Each (msgid, context) found in the sources as babel.cfg configures extraction, mapped to a file using it."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[tuple[str, str | None], str] = {}
    for filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.setdefault((message[0] if isinstance(message, tuple) else message, context), filename)
    return found


def zh_catalog():
    with PO_PATH.open("rb") as po:
        return read_po(po)


def is_translated(entry) -> bool:
    strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    return not entry.fuzzy and all(s and s.strip() for s in strings)


def placeholders(text: str | tuple[str, ...]) -> set[str]:
    return set().union(*(PLACEHOLDER.findall(t) for t in (text if isinstance(text, tuple) else (text,))))


def test_every_source_string_has_a_chinese_translation():
    found = source_messages()
    assert any(f.endswith(".py") for f in found.values()) and any(f.endswith(".html") for f in found.values())
    catalog = zh_catalog()
    problems = []
    for (msgid, context), filename in sorted(found.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        entry = catalog.get(msgid, context)
        if entry is None or not is_translated(entry):
            problems.append(f"{msgid!r} (in {filename})")
    assert not problems, "untranslated or fuzzy in zh_CN messages.po:\n" + "\n".join(problems)


def test_translations_keep_the_placeholders_of_their_msgid():
    wrong = [
        f"{m.id!r} -> {m.string!r}"
        for m in zh_catalog()
        if m.id and m.string and placeholders(m.id) != placeholders(m.string)
    ]
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_compiled_catalog_serves_chinese(tmp_path):
    locale_dir = PO_PATH.parent.parent.name
    mo_dir = tmp_path / locale_dir / "LC_MESSAGES"
    mo_dir.mkdir(parents=True)
    with (mo_dir / "messages.mo").open("wb") as mo:
        write_mo(mo, zh_catalog(), use_fuzzy=False)
    translations = gettext.translation("messages", localedir=tmp_path, languages=[locale_dir])
    assert translations.gettext("Submit") == "提交"
