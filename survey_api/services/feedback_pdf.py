"""A unit's feedback report as an A4 PDF in Chinese, like the other printed sheets of the district: rank, indices
against the category and the previous period, the 扣分项 with points lost and task deadlines, and the anonymised
comments (small groups left out)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from ..domain.rectification import INDEX_NAMES_ZH
from .campaign_files import FileBody
from .feedback import FeedbackReport
from .meeting_sheet import TABLE_STYLE, _styles
from .posters import ensure_font

NONE = "—"
KIND_LABELS = {"weak_question": "得分较低的题目", "gate": "满意度门槛", "deduction": "扣分", "veto": "一票否决"}
STATE_LABELS = {"open": "待整改", "submitted": "待审核", "accepted": "已通过", "returned": "已退回"}


def _number(value: float | None, pattern: str = "{:.1f}") -> str:
    return NONE if value is None else pattern.format(value)


def _index_rows(report: FeedbackReport) -> list[list[str]]:
    rows = [["指数", "本单位", "95%区间", "类别平均", "上期", "变化"]]
    for line in report.indices:
        interval = f"{_number(line.ci_low)}–{_number(line.ci_high)}" if line.ci_low is not None else NONE
        value = _number(line.value) if line.sufficient else "样本不足"
        rows.append(
            [
                INDEX_NAMES_ZH.get(line.name, line.name),
                value,
                interval,
                _number(line.category_average),
                _number(line.previous),
                _number(line.change, "{:+.1f}"),
            ]
        )
    return rows


def _item_rows(report: FeedbackReport, body) -> list[list]:
    rows: list[list] = [["类型", "扣分项", "扣分", "整改期限", "状态"]]
    for item in report.items:
        task = report.tasks.get(item.key)
        rows.append(
            [
                KIND_LABELS.get(item.kind, item.kind),
                Paragraph(escape(f"{item.title}（{item.reason}）" if item.reason else item.title), body),
                _number(item.points_lost, "{:.2f}"),
                task.deadline.strftime("%Y-%m-%d") if task else NONE,
                STATE_LABELS[task.state.value] if task else NONE,
            ]
        )
    return rows


def feedback_pdf(report: FeedbackReport) -> FileBody:
    """The report as an A4 PDF."""
    ensure_font()
    title, heading, body, note = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
        title=f"{report.unit.name} 反馈报告", invariant=True,
    )  # fmt: skip
    rank = f"第{report.rank}名（共{report.ranked_in_category}个）" if report.rank else "未排名（样本不足）"
    points = _number(report.points, "{:.2f}")
    story: list = [
        Paragraph(escape(f"{report.unit.name}　{report.campaign.period}群众评价反馈报告"), title),
        Paragraph(escape(f"{report.campaign.title}　类别：{report.unit.category}　有效样本：{report.n}"), body),
        Paragraph(escape(f"类别内排名：{rank}　民评综合：{_number(report.composite)}　民评得分：{points}"), body),
        Paragraph("各项指数", heading),
    ]  # fmt: skip
    table = Table(_index_rows(report), colWidths=[30 * mm, 26 * mm, 34 * mm, 26 * mm, 26 * mm, 24 * mm])
    table.setStyle(TABLE_STYLE)
    story += [table, Paragraph("扣分项与整改任务", heading)]
    items = Table(_item_rows(report, body), colWidths=[28 * mm, 84 * mm, 18 * mm, 26 * mm, 24 * mm], repeatRows=1)
    items.setStyle(TABLE_STYLE)
    story += [items, Paragraph("群众意见（已隐去电话、证件号、姓名和门牌）", heading)]
    if report.comments_hidden:
        story.append(Paragraph(f"有效样本少于{report.min_n}份，不显示意见。", body))
    for group in report.comments:
        story.append(Paragraph(escape(f"{group.question}（{group.count}条）"), body))
        if not group.comments:
            story.append(Paragraph(f"意见少于{report.min_comments}条，不显示，以免识别出填写人。", note))
        story += [Paragraph(escape(f"· {comment}"), note) for comment in group.comments]
        story.append(Spacer(1, 2 * mm))
    document.build(story)
    return FileBody(buffer.getvalue(), "application/pdf", f"feedback-{report.unit.code}-{report.run.id}.pdf")
