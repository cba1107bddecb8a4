"""Printable A4 posters (PDF): the unit's name, its QR code and a one-line instruction in Chinese."""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from .qr import qr_matrix

CJK_FONT = "STSong-Light"  # a CID font every PDF reader has; no font file ships with the product
INSTRUCTION = "请用手机扫描二维码，约两分钟完成评价。匿名填写，每人一份。"
QR_SIDE = 130 * mm


@dataclass(frozen=True)
class PosterContent:
    campaign_title: str
    period: str
    unit_name: str
    url: str


def ensure_font() -> None:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def posters_pdf(posters: list[PosterContent]) -> bytes:
    """One A4 page per poster, in one PDF."""
    ensure_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(posters[0].campaign_title if posters else "posters")
    for poster in posters:
        _draw_poster(canvas, poster)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_centered(canvas: Canvas, text: str, y: float, size: float, max_width: float) -> None:
    while size > 8 and pdfmetrics.stringWidth(text, CJK_FONT, size) > max_width:
        size -= 1  # shrink long unit names to fit instead of running off the page
    canvas.setFont(CJK_FONT, size)
    canvas.drawCentredString(A4[0] / 2, y, text)


def _draw_poster(canvas: Canvas, poster: PosterContent) -> None:
    width, height = A4
    usable = width - 30 * mm
    _draw_centered(canvas, poster.campaign_title, height - 35 * mm, 24, usable)
    _draw_centered(canvas, poster.period, height - 47 * mm, 14, usable)
    _draw_centered(canvas, poster.unit_name, height - 70 * mm, 34, usable)
    draw_qr(canvas, poster.url, x=(width - QR_SIDE) / 2, y=height - 80 * mm - QR_SIDE, side=QR_SIDE)
    _draw_centered(canvas, INSTRUCTION, height - 95 * mm - QR_SIDE, 15, usable)
    canvas.setFont("Helvetica", 9)
    canvas.drawCentredString(width / 2, height - 105 * mm - QR_SIDE, poster.url)


def draw_qr(canvas: Canvas, url: str, x: float, y: float, side: float) -> None:
    """Draw the code as vector squares, so it prints sharp at any size."""
    matrix = qr_matrix(url)
    cell = side / len(matrix)
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        top = y + side - (row_index + 1) * cell
        for col_index, dark in enumerate(row):
            if dark:
                canvas.rect(x + col_index * cell, top, cell, cell, stroke=0, fill=1)
