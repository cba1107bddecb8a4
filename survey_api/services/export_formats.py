"""File formats for exports, each a generator of byte chunks fed by a generator of rows, so no format ever holds
the whole table.

- CSV: UTF-8 with a byte-order mark, so Excel opens Chinese text correctly; several chosen options joined by ';'.
  A text cell starting with = + - @ (a respondent's comment, say) gets a leading apostrophe, so a spreadsheet shows
  it as text instead of running it as a formula.
- JSON: one array of objects keyed by the headers, written one object per line as rows arrive. A plain array reads
  with every JSON tool, and a download cut short is not valid JSON, so it cannot pass for a complete one.
- XLSX: xlsxwriter in constant_memory mode. It writes each finished row to a temporary file and stores strings in
  line, so memory stays flat even with a million unique comments (openpyxl's write-only mode keeps every distinct
  string in a shared-strings table in memory until the end). A zip is written only once complete, so the workbook
  is built in a temporary file and then sent in chunks; a sheet holds at most 1,048,576 rows."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

from ..domain.export_layout import flat_cell

CHUNK_ROWS = 1000
FILE_CHUNK_BYTES = 64 * 1024
XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet, the header row included
# Past this many rows a sheet's XML may pass 4 GB, which a plain zip cannot hold (a million responses of the shipped
# questionnaires come to about 5 GB). Smaller workbooks stay plain zips, which every spreadsheet program opens.
XLSX_ZIP64_ROWS = 100_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Sheet:
    """One table to write: a name (the XLSX sheet), its headers and a generator of rows."""

    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]


@dataclass(frozen=True)
class FileFormat:
    extension: str
    mimetype: str


FORMATS = {
    "csv": FileFormat("csv", "text/csv; charset=utf-8"),
    "xlsx": FileFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": FileFormat("json", "application/json"),
}


def csv_safe(value: Any) -> Any:
    """A cell as CSV should carry it: lists joined, text that a spreadsheet would run as a formula quoted."""
    value = flat_cell(value)
    if value.__class__ is str and value[:1] in FORMULA_FIRST:
        return "'" + value
    return value


FORMULA_FIRST = frozenset(FORMULA_STARTS)


def _csv_row(row: Sequence[Any]) -> list[Any]:
    # The hot loop of a million-row export: numbers and None pass untouched, only text and lists are looked at.
    return [csv_safe(v) if v.__class__ in (str, list) else v for v in row]


def csv_chunks(sheet: Sheet) -> Iterator[bytes]:
    """The table as UTF-8 CSV with a byte-order mark, a chunk per CHUNK_ROWS rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(sheet.headers)
    pending = 0
    for row in sheet.rows:
        writer.writerow(_csv_row(row))
        pending += 1
        if pending >= CHUNK_ROWS:
            yield _drain(buffer)
            pending = 0
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def json_chunks(sheet: Sheet) -> Iterator[bytes]:
    """The table as a JSON array of objects keyed by header, one object per line."""
    headers = list(sheet.headers)
    parts: list[str] = ["["]
    separator = "\n"
    for row in sheet.rows:
        parts.append(separator + json.dumps(dict(zip(headers, row)), ensure_ascii=False, default=str))
        separator = ",\n"
        if len(parts) >= CHUNK_ROWS:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("\n]\n")
    yield "".join(parts).encode("utf-8")


class TooManyRows(Exception):
    """A sheet has more rows than XLSX allows."""


def xlsx_chunks(sheets: Sequence[Sheet], tmpdir: str | None = None) -> Iterator[bytes]:
    """The sheets as one XLSX workbook, built in a temporary file with flat memory and then read out in chunks."""
    import xlsxwriter

    handle, path = tempfile.mkstemp(suffix=".xlsx", dir=tmpdir)
    os.close(handle)
    try:
        options = {
            "constant_memory": True,
            "tmpdir": tmpdir,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        }
        workbook = xlsxwriter.Workbook(path, options)
        try:
            rows = sum(_write_sheet(workbook.add_worksheet(sheet.name[:31]), sheet) for sheet in sheets)
            if rows > XLSX_ZIP64_ROWS:
                workbook.use_zip64()
        finally:
            workbook.close()
        with open(path, "rb") as built:
            while chunk := built.read(FILE_CHUNK_BYTES):
                yield chunk
    finally:
        os.unlink(path)


def _write_sheet(worksheet, sheet: Sheet) -> int:
    """Write the sheet; the number of rows written."""
    for col, header in enumerate(sheet.headers):
        worksheet.write_string(0, col, header)
    number = 0
    for number, row in enumerate(sheet.rows, start=1):
        if number >= XLSX_MAX_ROWS:
            raise TooManyRows(sheet.name)
        for col, value in enumerate(row):
            _write_cell(worksheet, number, col, flat_cell(value))
    return number


def _write_cell(worksheet, row: int, col: int, value: Any) -> None:
    if value is None or value == "":
        return  # an empty cell, as CSV shows it
    if isinstance(value, bool):
        worksheet.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        worksheet.write_number(row, col, value)
    else:
        worksheet.write_string(row, col, str(value))
