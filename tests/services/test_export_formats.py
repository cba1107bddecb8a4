"""The file formats of exports: each parses back to the rows written, Chinese included."""

from __future__ import annotations

import csv
import io
import json
import math

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_api.services import export_formats
from survey_api.services.export_formats import Sheet, TooManyRows, csv_chunks, csv_safe, json_chunks, xlsx_chunks

HEADERS = ["单位代码", "satisfaction.overall", "weight", "improve_first"]
ROWS = [["A01", "很满意", 1.25, ["efficiency", "attitude"]], ["B01", None, 3, []]]


def read_xlsx(body: bytes) -> dict[str, list[list]]:
    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


def test_csv_has_a_byte_order_mark_and_joins_several_options():
    body = b"".join(csv_chunks(Sheet("t", HEADERS, iter(ROWS))))
    assert body[:3] == b"\xef\xbb\xbf"
    assert list(csv.reader(io.StringIO(body.decode("utf-8-sig")))) == [
        HEADERS,
        ["A01", "很满意", "1.25", "efficiency;attitude"],
        ["B01", "", "3", ""],
    ]


def test_json_is_one_array_with_an_object_per_line():
    body = b"".join(json_chunks(Sheet("t", HEADERS, iter(ROWS)))).decode()
    assert json.loads(body) == [dict(zip(HEADERS, row)) for row in ROWS]
    assert body.count("\n") == len(ROWS) + 2 and "很满意" in body


def test_xlsx_holds_every_sheet():
    body = b"".join(xlsx_chunks([Sheet("指数", HEADERS, iter(ROWS)), Sheet("empty", ["a"], iter([]))]))
    sheets = read_xlsx(body)
    assert sheets["指数"] == [HEADERS, ["A01", "很满意", 1.25, "efficiency;attitude"], ["B01", None, 3, None]]
    assert sheets["empty"] == [["a"]]


def test_text_that_looks_like_a_formula_stays_text():
    assert csv_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert csv_safe("-1") == "'-1" and csv_safe(-1) == -1 and csv_safe("路灯") == "路灯"
    sheets = read_xlsx(b"".join(xlsx_chunks([Sheet("t", ["c"], iter([["=1+1"]]))])))
    assert sheets["t"][1] == ["=1+1"]  # a string cell, never a formula


def test_a_large_workbook_is_a_zip64_that_still_reads(monkeypatch):
    monkeypatch.setattr(export_formats, "XLSX_ZIP64_ROWS", 2)
    body = b"".join(xlsx_chunks([Sheet("t", ["c"], iter([[1], [2], [3]]))]))
    assert read_xlsx(body)["t"] == [["c"], [1], [2], [3]]


def test_xlsx_stops_at_the_sheet_limit(monkeypatch):
    monkeypatch.setattr(export_formats, "XLSX_MAX_ROWS", 3)
    with pytest.raises(TooManyRows):
        b"".join(xlsx_chunks([Sheet("t", ["c"], iter([[1], [2], [3]]))]))


text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"), max_size=30
).filter(lambda s: s == s.strip() and not s.startswith(export_formats.FORMULA_STARTS))
cell = st.one_of(st.none(), text, st.integers(-(10**9), 10**9), st.floats(-1e12, 1e12))  # scores, rates and weights
table = st.integers(1, 5).flatmap(lambda width: st.lists(st.lists(cell, min_size=width, max_size=width), max_size=8))


@settings(max_examples=60, deadline=None)
@given(rows=table)
def test_csv_round_trip(rows):
    headers = [f"c{i}" for i in range(len(rows[0]) if rows else 1)]
    body = b"".join(csv_chunks(Sheet("t", headers, iter(rows)))).decode("utf-8-sig")
    read = list(csv.reader(io.StringIO(body, newline="")))
    assert read[1:] == [["" if v is None else str(v) for v in row] for row in rows]


@settings(max_examples=20, deadline=None)
@given(rows=table)
def test_xlsx_round_trip(rows):
    rows = [[number, *row] for number, row in enumerate(rows, start=1)]  # like a response id: never a blank row
    headers = [f"c{i}" for i in range(len(rows[0]) if rows else 1)]
    read = read_xlsx(b"".join(xlsx_chunks([Sheet("t", headers, iter(rows))])))["t"]
    expected = [[None if v == "" else v for v in row] for row in rows]  # an empty text is an empty cell
    got = [row + [None] * (len(headers) - len(row)) for row in read[1:]]
    assert len(got) == len(expected)
    for got_row, expected_row in zip(got, expected):
        for value, wanted in zip(got_row, expected_row):
            if isinstance(wanted, float):  # Excel keeps 15 significant digits
                assert math.isclose(value, wanted, rel_tol=1e-14, abs_tol=1e-300)
            else:
                assert value == wanted
