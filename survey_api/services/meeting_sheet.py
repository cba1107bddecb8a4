"""A closed meeting's results sheet as files: an A4 PDF to print and sign, and an XLSX workbook to work on.

Both carry the same numbers as the results JSON, in Chinese (like the slip sheets, they are printed documents of
the district): per target its status, weighted score, 优秀率/称职率/不称职率 and flags; per rater group its weight,
ballots cast/issued/due, valid ballots and mean score, or 不显示 where anonymity hides them. The workbook is one
table with a row per target × rater group (the target's own columns repeated on each of its rows, so it filters
and pivots as is) and a second sheet with the meeting and the notes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..domain.ballot_rules import TallyRules
from ..domain.ballots import FlagCode, GroupTally, Status
from ..models import Meeting
from .campaign_files import FileBody
from .export_formats import FORMATS, Sheet, xlsx_chunks
from .meeting_results import TargetResult, meeting_results, meeting_rules
from .posters import CJK_FONT, ensure_font

HIDDEN = "不显示"
NONE = "—"
KIND_LABELS = {"team": "领导班子", "cadre": "领导干部"}
STATUS_LABELS = {
    Status.COUNTED: "有效",
    Status.VOID: "作废：回收票数多于发出票数",
    Status.NO_QUORUM: "无效：投票人数未超过应到人数的规定比例",
    Status.HIDDEN: "不显示：有效票过少",
}
FLAG_LABELS = {
    FlagCode.ADMONITION_OR_ADJUSTMENT: "需研究：诫勉或调整",
    FlagCode.INCOMPETENT: "需研究：不称职",
}
TARGET_HEADERS = ("测评对象", "类别", "职务", "状态", "加权得分", "优秀率", "称职率", "不称职率", "提示")
GROUP_HEADERS = ("测评人类别", "权重", "投票数", "发出票数", "应到人数", "有效票", "平均分", "去掉最高最低分")


@dataclass(frozen=True)
class SheetContent:
    """What both files show: the meeting, its results, group labels and the rules behind the notes."""

    meeting: Meeting
    results: list[TargetResult]
    labels: dict[str, str]
    rules: TallyRules


def sheet_content(meeting: Meeting) -> SheetContent:
    """The sheet of a closed meeting; refused with meeting.not_closed while ballots may still be cast."""
    results = meeting_results(meeting)
    return SheetContent(meeting, results, {g.key: g.label for g in meeting.groups}, meeting_rules(meeting))


def notes(rules: TallyRules) -> list[str]:
    trim = (
        f"* 该类别有效票多于{rules.trim_above}张，平均分已去掉一个最高分和一个最低分。"
        if rules.trim_above is not None
        else "* 平均分不去掉最高分和最低分。"
    )
    return [
        trim,
        f"有效票少于{rules.min_valid_to_show}张的测评对象或测评人类别只显示票数，不显示得分（保护投票人匿名）；"
        "为防推算，必要时相邻的小类别一并不显示。不显示的类别仍计入加权得分和各项比率。",
        "比率为占有效票的比例；加权得分为各测评人类别平均分的加权平均。",
    ]


def flag_text(result: TargetResult) -> str:
    return "；".join(FLAG_LABELS[f.code] for f in result.tally.flags)


def target_cells(result: TargetResult) -> list[Any]:
    """The target's own columns: numbers as numbers (rates as shares of 1), None where there is nothing to show."""
    tally, target = result.tally, result.target
    grades = tally.grades
    return [
        target.name,
        KIND_LABELS[target.kind.value],
        target.post or "",
        STATUS_LABELS[tally.status],
        tally.score,
        grades.top_rate if grades else None,
        grades.good_rate if grades else None,
        grades.bottom_rate if grades else None,
        flag_text(result),
    ]


def group_cells(group: GroupTally, label: str) -> list[Any]:
    shown = not group.hidden and group.grades is not None
    return [
        label,
        group.weight,
        group.turnout.cast,
        group.turnout.issued,
        group.turnout.due,
        group.grades.valid if shown else HIDDEN,
        group.mean_score if shown else HIDDEN,
        ("是" if group.trimmed else "否") if shown else HIDDEN,
    ]


def sheet_rows(results: Sequence[TargetResult], labels: dict[str, str]) -> list[list[Any]]:
    """The workbook's table: a row per target × rater group."""
    return [target_cells(r) + group_cells(g, labels.get(k, k)) for r in results for k, g in r.tally.groups.items()]


def results_xlsx(content: SheetContent) -> bytes:
    meeting = content.meeting
    rows = sheet_rows(content.results, content.labels)
    about = [
        ["测评会", meeting.title],
        ["单位", meeting.unit.name],
        ["单位代码", meeting.unit.code],
        ["日期", meeting.held_on.isoformat()],
        *[["说明", note] for note in notes(content.rules)],
    ]
    sheets = [Sheet("结果", TARGET_HEADERS + GROUP_HEADERS, rows), Sheet("说明", ("项目", "内容"), about)]
    return b"".join(xlsx_chunks(sheets))


def _number(value: float | None) -> str:
    return NONE if value is None else f"{value:.2f}"


def _percent(value: float | None) -> str:
    return NONE if value is None else f"{value * 100:.1f}%"


def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=CJK_FONT, fontSize=9.5, leading=14, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=15, leading=21, alignment=1, spaceAfter=4)
    heading = ParagraphStyle("heading", parent=body, fontSize=11.5, leading=16, spaceBefore=8, spaceAfter=3)
    note = ParagraphStyle("note", parent=body, fontSize=8, leading=11.5, textColor=colors.HexColor("#444444"))
    return title, heading, body, note


TABLE_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), CJK_FONT, 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
)


def _group_row(group: GroupTally, label: str) -> list[str]:
    shown = not group.hidden and group.grades is not None
    cells = [label, f"{group.weight:.2f}", f"{group.turnout.cast}/{group.turnout.issued}/{group.turnout.due}"]
    if not shown:
        return cells + [HIDDEN, HIDDEN, HIDDEN, HIDDEN]
    grades = group.grades
    mean = _number(group.mean_score) + ("*" if group.trimmed else "")
    return cells + [str(grades.valid), mean, _percent(grades.top_rate), _percent(grades.bottom_rate)]


def _target_block(result: TargetResult, content: SheetContent, styles) -> list:
    _, heading, body, _ = styles
    target, tally = result.target, result.tally
    about = "，".join(filter(None, (target.post, KIND_LABELS[target.kind.value])))
    lines = [Paragraph(f"{target.name}（{about}）", heading)]
    summary = f"状态：{STATUS_LABELS[tally.status]}"
    if tally.status is Status.COUNTED and tally.grades:
        grades = tally.grades
        summary += (
            f"　加权得分：{_number(tally.score)}　优秀率：{_percent(grades.top_rate)}　"
            f"称职率：{_percent(grades.good_rate)}　不称职率：{_percent(grades.bottom_rate)}"
        )
    lines.append(Paragraph(summary, body))
    if tally.flags:
        lines.append(Paragraph(f"提示：{flag_text(result)}", body))
    headers = ["测评人类别", "权重", "投票/发出/应到", "有效票", "平均分", "优秀率", "不称职率"]
    rows = [headers] + [_group_row(g, content.labels.get(k, k)) for k, g in tally.groups.items()]
    widths = [46 * mm, 16 * mm, 30 * mm, 18 * mm, 20 * mm, 20 * mm, 20 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TABLE_STYLE)
    return [KeepTogether(lines + [Spacer(1, 2 * mm), table])]


def results_pdf(content: SheetContent) -> bytes:
    ensure_font()
    meeting = content.meeting
    styles = _styles()
    title, _, body, note = styles
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=meeting.title,
        invariant=True,
    )
    story: list = [
        Paragraph(f"{meeting.title}　测评结果", title),
        Paragraph(f"单位：{meeting.unit.name}　日期：{meeting.held_on.isoformat()}", body),
    ]
    for result in content.results:
        story += _target_block(result, content, styles)
    story.append(Spacer(1, 5 * mm))
    story += [Paragraph(text, note) for text in notes(content.rules)]
    document.build(story)
    return buffer.getvalue()


SHEET_FORMATS: dict[str, tuple[Any, str]] = {
    "pdf": (results_pdf, "application/pdf"),
    "xlsx": (results_xlsx, FORMATS["xlsx"].mimetype),
}


def results_file(meeting: Meeting, file_format: str) -> FileBody:
    """The results sheet of a closed meeting as `pdf` or `xlsx`."""
    render, mimetype = SHEET_FORMATS[file_format]
    return FileBody(render(sheet_content(meeting)), mimetype, f"meeting-{meeting.id}-results.{file_format}")
