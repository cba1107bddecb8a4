"""QR images of public links, as PNG and SVG."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of white border that scanners need


def _qr(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_matrix(data: str) -> list[list[bool]]:
    """The module matrix including the quiet zone; True is a dark module."""
    return _qr(data).get_matrix()


def qr_png(data: str, box_size: int = 10) -> bytes:
    """A PNG of the QR code for `data`."""
    code = _qr(data)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    """An SVG (one path) of the QR code for `data`."""
    image = _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
