"""Text files uploaded by staff: spreadsheets saved as CSV on Chinese Windows are GBK/GB18030, elsewhere UTF-8."""

from __future__ import annotations

from ..errors import AppError


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else GB18030 (a superset of GBK); else a clear error."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise AppError("file.encoding") from None
