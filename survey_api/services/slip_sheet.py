"""Printable A4 sheets of ballot slips (PDF): eight slips a page between dashed cut lines, each with the meeting's
title in Chinese, the rater group, a QR code of the slip's address and its code for typing."""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from .posters import CJK_FONT, draw_qr, ensure_font

COLUMNS, ROWS = 2, 4
SLIP_WIDTH, SLIP_HEIGHT = A4[0] / COLUMNS, A4[1] / ROWS
MARGIN = 6 * mm
QR_SIDE = 44 * mm
INSTRUCTIONS = ("用手机扫描二维码，或打开网址输入代码。", "每张测评票只能使用一次。", "不记名：无人能知道您的选择。")


@dataclass(frozen=True)
class SlipContent:
    meeting_title: str
    group_label: str
    code: str  # as printed, e.g. 7K3Q9-XD2MB
    url: str  # the QR code's content


def slips_pdf(slips: list[SlipContent], entry_url: str) -> bytes:
    """All slips, eight to an A4 page; `entry_url` is where a code can be typed instead of scanned."""
    ensure_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(slips[0].meeting_title if slips else "slips")
    per_page = COLUMNS * ROWS
    for start in range(0, len(slips), per_page):
        page = slips[start : start + per_page]
        for index, slip in enumerate(page):
            column, row = index % COLUMNS, index // COLUMNS
            _draw_slip(canvas, slip, entry_url, x=column * SLIP_WIDTH, y=A4[1] - (row + 1) * SLIP_HEIGHT)
        _draw_cut_lines(canvas)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _fitted(text: str, font: str, size: float, width: float) -> float:
    while size > 6 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5  # shrink a long title rather than run over the cut line
    return size


def _draw_slip(canvas: Canvas, slip: SlipContent, entry_url: str, x: float, y: float) -> None:
    inner = SLIP_WIDTH - 2 * MARGIN
    top = y + SLIP_HEIGHT - MARGIN
    size = _fitted(slip.meeting_title, CJK_FONT, 11, inner)
    canvas.setFont(CJK_FONT, size)
    canvas.drawString(x + MARGIN, top - size, slip.meeting_title)
    canvas.setFont(CJK_FONT, 9)
    canvas.drawString(x + MARGIN, top - size - 5 * mm, f"测评人类别：{slip.group_label}")
    qr_top = top - size - 8 * mm
    draw_qr(canvas, slip.url, x=x + MARGIN - 2 * mm, y=qr_top - QR_SIDE, side=QR_SIDE)
    text_x = x + MARGIN + QR_SIDE + 1 * mm
    text_width = x + SLIP_WIDTH - MARGIN - text_x
    canvas.setFont(CJK_FONT, 8)
    canvas.drawString(text_x, qr_top - 6 * mm, "测评代码")
    code_size = _fitted(slip.code, "Courier-Bold", 16, text_width)
    canvas.setFont("Courier-Bold", code_size)
    canvas.drawString(text_x, qr_top - 13 * mm, slip.code)
    for line_number, line in enumerate(INSTRUCTIONS):
        canvas.setFont(CJK_FONT, _fitted(line, CJK_FONT, 7.5, text_width))
        canvas.drawString(text_x, qr_top - (20 + 4.5 * line_number) * mm, line)
    canvas.setFont("Helvetica", _fitted(entry_url, "Helvetica", 7.5, text_width))
    canvas.drawString(text_x, qr_top - 35 * mm, entry_url)


def _draw_cut_lines(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setDash(3, 3)
    canvas.setLineWidth(0.4)
    canvas.setStrokeColorRGB(0.45, 0.45, 0.45)
    for column in range(1, COLUMNS):
        canvas.line(column * SLIP_WIDTH, 0, column * SLIP_WIDTH, A4[1])
    for row in range(1, ROWS):
        canvas.line(0, row * SLIP_HEIGHT, A4[0], row * SLIP_HEIGHT)
    canvas.restoreState()
