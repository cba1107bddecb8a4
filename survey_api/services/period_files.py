"""A period revision's ranking as files: an XLSX workbook (one row per unit, every component and adjustment in its
own column, so it filters and pivots as is) and an A4 PDF per category to print. Both carry the numbers of the
results document exactly as stored (scores to the rule set's digits)."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from ..models import AssessmentPeriod, PeriodRevision
from .campaign_files import FileBody
from .export_formats import FORMATS, Sheet, xlsx_chunks
from .meeting_sheet import TABLE_STYLE, _styles
from .period_labels import component_label, missing_label, presented
from .period_results import visible_results
from .posters import ensure_font

NONE = "—"
FIXED_HEADERS = ("类别", "名次", "单位代码", "单位", "得分", "等次", "难度系数", "加权合计")
TAIL_HEADERS = ("加分（计入）", "扣分（计入）", "一票否决", "一票肯定", "缺项", "说明")


def _number(value: float | None, digits: int = 2) -> Any:
    return NONE if value is None else round(value, digits)


def unit_row(unit: dict[str, Any], digits: int) -> list[Any]:
    """A unit's row: its rank, score and grade, each component's score, and the adjustments."""
    components = [_number(c["value"]) for c in unit["components"]]
    return [
        unit["category"],
        unit["rank"] if unit["rank"] is not None else NONE,
        unit["unit_code"],
        unit["unit_name"],
        _number(unit["score"], digits),
        unit["grade_label"] or NONE,
        unit["coefficient"],
        _number(unit["weighted_sum"], 4),
        *components,
        unit["bonuses"]["applied"],
        unit["deductions"]["applied"],
        "；".join(v["reason"] for v in unit["vetoes"]) or NONE,
        "；".join(a["reason"] for a in unit["affirmations"]) or NONE,
        "；".join(f"{component_label(m['component'])}：{missing_label(m['reason'])}" for m in unit["missing"]) or NONE,
        " ".join(w["text"] for w in unit["why"]),
    ]


def _content(revision: PeriodRevision, own_unit_id: int | None) -> tuple[dict[str, Any], list[str], int]:
    shown = presented(visible_results(revision, own_unit_id), revision.rules_snapshot)
    keys = [c["key"] for c in revision.rules_snapshot["components"]]
    return shown, [component_label(k) for k in keys], int(revision.rules_snapshot["score_digits"])


def results_xlsx(period: AssessmentPeriod, revision: PeriodRevision, own_unit_id: int | None) -> bytes:
    shown, labels, digits = _content(revision, own_unit_id)
    rows = [unit_row(u, digits) for u in shown["units"]]
    about = [
        ["考核期", period.title],
        ["版本", revision.number],
        ["状态", "已发布" if revision.published_at else "未发布"],
        ["更正原因", revision.reason or NONE],
        *[["类别", f"{c['category']}：参评{c['ranked']}个，优秀名额{c['quota_slots']}个"] for c in shown["categories"]],
    ]
    sheets = [Sheet("排名", FIXED_HEADERS + tuple(labels) + TAIL_HEADERS, rows), Sheet("说明", ("项目", "内容"), about)]
    return b"".join(xlsx_chunks(sheets))


def results_pdf(period: AssessmentPeriod, revision: PeriodRevision, own_unit_id: int | None) -> bytes:
    ensure_font()
    shown, labels, digits = _content(revision, own_unit_id)
    title, heading, body, note = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=period.title,
        invariant=True,
    )
    state = "已发布" if revision.published_at else "未发布"
    story: list = [
        Paragraph(f"{period.title}　考核结果", title),
        Paragraph(
            f"第{revision.number}版（{state}）" + (f"　更正原因：{revision.reason}" if revision.reason else ""), body
        ),
    ]
    headers = ["名次", "单位", "得分", "等次", *labels, "加分", "扣分", "说明"]
    for category in shown["categories"]:
        story.append(Paragraph(f"{category['category']}（优秀名额{category['quota_slots']}个）", heading))
        rows = [headers]
        for unit in (u for u in shown["units"] if u["category"] == category["category"]):
            cells = unit_row(unit, digits)
            why = Paragraph(" ".join(w["text"] for w in unit["why"]), note)
            rows.append(
                [
                    str(cells[1]),
                    unit["unit_name"],
                    str(cells[4]),
                    cells[5],
                    *[str(c) for c in cells[8 : 8 + len(labels)]],
                    str(cells[-6]),
                    str(cells[-5]),
                    why,
                ]
            )
        table = Table(
            rows,
            repeatRows=1,
            colWidths=[12 * mm, 34 * mm, 16 * mm, 14 * mm] + [18 * mm] * len(labels) + [12 * mm, 12 * mm, None],
        )
        table.setStyle(TABLE_STYLE)
        story += [table, Spacer(1, 4 * mm)]
    document.build(story)
    return buffer.getvalue()


FILE_FORMATS: dict[str, tuple[Any, str]] = {
    "xlsx": (results_xlsx, FORMATS["xlsx"].mimetype),
    "pdf": (results_pdf, "application/pdf"),
}


def results_file(
    period: AssessmentPeriod, revision: PeriodRevision, own_unit_id: int | None, file_format: str
) -> FileBody:
    """The revision's ranking as `xlsx` or `pdf` (a unit user's file holds its own unit only)."""
    render, mimetype = FILE_FORMATS[file_format]
    body = render(period, revision, own_unit_id)
    return FileBody(body, mimetype, f"period-{period.id}-revision-{revision.number}.{file_format}")
