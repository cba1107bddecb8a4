"""Reading uploaded tables: CSV as saved by spreadsheets (UTF-8 with or without BOM, or GBK/GB18030 from Chinese
Windows) and XLSX workbooks (first sheet), as a header row and rows of text cells."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls from Excel 97–2003


class TableError(ValueError):
    """The file cannot be read as a table; `code` says why (bad_encoding, old_excel, not_a_table, empty,
    too_many_rows)."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, cells)


def decode_text(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) or, failing that, GB18030 (a superset of GBK); TableError("bad_encoding") if
    neither decodes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # spreadsheets saved as CSV on Chinese Windows
    except UnicodeDecodeError as exc:
        raise TableError("bad_encoding", position=exc.start) from exc


def read_table(filename: str, data: bytes, max_rows: int) -> Table:
    """The table in a CSV or XLSX file; rows that are entirely blank are skipped."""
    if data.startswith(OLD_EXCEL_MAGIC):
        raise TableError("old_excel")
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        rows = _xlsx_rows(data, max_rows)
    else:
        rows = _csv_rows(decode_text(data), max_rows)
    numbered = [(number, cells) for number, cells in rows]
    if not numbered:
        raise TableError("empty")
    (_, headers), body = numbered[0], numbered[1:]
    if not body:
        raise TableError("empty")
    return Table(headers=headers, rows=body)


def _limited(rows, max_rows: int):
    kept = 0
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        kept += 1
        if kept > max_rows + 1:  # the header is not counted
            raise TableError("too_many_rows", maximum=max_rows)
        yield number, cells


def _csv_rows(text: str, max_rows: int) -> list[tuple[int, list[str]]]:
    if "\x00" in text:
        raise TableError("not_a_table")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return list(_limited(((i, row) for i, row in enumerate(reader, start=1)), max_rows))
    except csv.Error as exc:
        raise TableError("not_a_table") from exc


def _xlsx_rows(data: bytes, max_rows: int) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableError("not_a_table") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = ((i, [_cell_text(v) for v in values]) for i, values in enumerate(sheet.iter_rows(values_only=True), 1))
        return list(_limited(rows, max_rows))
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A cell as the text a person sees: whole numbers without .0, times as 2026-11-20 14:05:00 (no zone)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)
