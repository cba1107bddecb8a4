"""The shape of exported tables, as pure data: which columns a response export has and what goes in each cell,
how a respondent's weight is found from a result run's cells, and how a result document becomes rows.

Headers come in two styles: `keys` (stable machine names such as `satisfaction.overall`) and `zh` (Chinese,
the question text for questions). Cell values are the same in both: option keys, never labels (labels are an
extra column on request), so a file can be re-scored against the questionnaire it names."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterable, Mapping, Sequence

from .forms import FormDefinition, Question

HEADER_STYLES = ("keys", "zh")
LIST_SEPARATOR = ";"

# (key, Chinese header) of the fixed columns before the questions, in order.
RESPONSE_FIELDS: tuple[tuple[str, str], ...] = (
    ("response_id", "答卷编号"),
    ("unit_code", "单位代码"),
    ("unit_name", "单位名称"),
    ("channel", "渠道"),
    ("status", "状态"),
    ("flags", "质量标记"),
    ("stratum", "分层"),
    ("cluster", "抽样群"),
    ("duration_seconds", "答题用时（秒）"),
    ("submitted_at", "提交时间"),
    ("weight", "权重"),
)

CHOICE_TYPES = frozenset({"single_choice", "multiple_choice"})


@dataclass(frozen=True)
class AnswerColumn:
    """One exported column fed by one question: its answer as given, or the label of the chosen option(s)."""

    form: str
    question: Question
    is_label: bool = False

    def cell(self, answers: Mapping[str, Any]) -> Any:
        value = (answers.get(self.form) or {}).get(self.question.key)
        if value is None or not self.is_label:
            return value
        if isinstance(value, list):
            return [self._label(v) for v in value]
        return self._label(value)

    def _label(self, key: Any) -> Any:
        option = self.question.option(key) if isinstance(key, str) else None
        return option.label if option else key


@dataclass(frozen=True)
class ResponseLayout:
    headers: tuple[str, ...]
    answer_columns: tuple[AnswerColumn, ...]

    def row(self, fields: Mapping[str, Any], answers: Mapping[str, Any]) -> list[Any]:
        """One response as a list of cells, in header order."""
        cells = [fields.get(key) for key, _ in RESPONSE_FIELDS]
        if self._question_keys_by_form is None:
            cells.extend(c.cell(answers) for c in self.answer_columns)
        else:  # no label columns: one lookup per form, then plain dictionary reads (the million-row path)
            for form, keys in self._question_keys_by_form:
                given = answers.get(form) or {}
                cells.extend(given.get(k) for k in keys)
        return cells

    @cached_property
    def _question_keys_by_form(self) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
        if any(c.is_label for c in self.answer_columns):
            return None
        forms: dict[str, list[str]] = {}
        for c in self.answer_columns:
            forms.setdefault(c.form, []).append(c.question.key)
        return tuple((form, tuple(keys)) for form, keys in forms.items())


def response_layout(
    forms: Sequence[FormDefinition], header_style: str = "keys", labels: bool = False
) -> ResponseLayout:
    """The columns of a response export over these questionnaires: fixed fields, then one column per question
    (and, with labels, one more after each choice question for the chosen option's label)."""
    if header_style not in HEADER_STYLES:
        raise ValueError(f"unknown header style {header_style!r}")
    zh = header_style == "zh"
    headers = [chinese if zh else key for key, chinese in RESPONSE_FIELDS]
    columns: list[AnswerColumn] = []
    for form in forms:
        for question in form.questions:
            key = f"{form.key}.{question.key}"
            columns.append(AnswerColumn(form.key, question))
            headers.append(question.text if zh else key)
            if labels and question.type in CHOICE_TYPES:
                columns.append(AnswerColumn(form.key, question, is_label=True))
                headers.append(f"{question.text}（选项文字）" if zh else f"{key}.label")
    keys = [key for key, _ in RESPONSE_FIELDS] + [
        f"{c.form}.{c.question.key}" + (".label" if c.is_label else "") for c in columns
    ]
    return ResponseLayout(tuple(unique_headers(headers, keys)), tuple(columns))


def unique_headers(headers: Sequence[str], keys: Sequence[str]) -> list[str]:
    """Headers made unique: a repeated header gets its column's key added, and a number if that still repeats."""
    counts: dict[str, int] = {}
    for header in headers:
        counts[header] = counts.get(header, 0) + 1
    result: list[str] = []
    taken: set[str] = set()
    for header, key in zip(headers, keys):
        candidate = f"{header}（{key}）" if counts[header] > 1 and header != key else header
        number = 2
        base = candidate
        while candidate in taken:
            candidate = f"{base}（{number}）"
            number += 1
        taken.add(candidate)
        result.append(candidate)
    return result


def flat_cell(value: Any) -> Any:
    """A cell for a flat table (CSV, XLSX): several chosen options joined by ';'."""
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return value


# --- respondent weights from a result run ---------------------------------------------------------------------


def profile_questions(forms: Iterable[FormDefinition]) -> dict[str, tuple[str, str]]:
    """Weighting variable (a question's `profile`) → (form key, question key)."""
    found: dict[str, tuple[str, str]] = {}
    for form in forms:
        for question in form.questions:
            if question.profile and question.profile not in found:
                found[question.profile] = (form.key, question.key)
    return found


WeightLookup = Callable[[int, Mapping[str, Any]], "float | None"]


def weight_lookup(results: Mapping[str, Any] | None, forms: Sequence[FormDefinition]) -> WeightLookup:
    """A function (unit id, answers) → the respondent's weight in this result run: the weight of the cell their
    profile answers fall in, 1.0 when they match no cell or the run is unweighted, None when there is no run or
    the run has no such unit."""
    if not results:
        return lambda unit_id, answers: None
    variables = list(results.get("weighting_variables") or [])
    where = profile_questions(forms)
    cells: dict[int, dict[tuple[Any, ...], float]] = {}
    for unit in results.get("units") or []:
        cells[unit["unit_id"]] = {
            tuple(entry["cell"].get(v) for v in variables): float(entry["weight"])
            for entry in unit.get("cell_weights") or []
            if entry.get("weight") is not None
        }

    def lookup(unit_id: int, answers: Mapping[str, Any]) -> float | None:
        unit_cells = cells.get(unit_id)
        if unit_cells is None:
            return None
        if not variables:
            return 1.0
        profile = tuple((answers.get(where[v][0]) or {}).get(where[v][1]) if v in where else None for v in variables)
        return unit_cells.get(profile, 1.0)

    return lookup


# --- result documents as rows -----------------------------------------------------------------------------------

ESTIMATE_KEYS = ("value", "n", "n_effective", "se", "ci_low", "ci_high")
UNIT_FIELDS: tuple[tuple[str, str], ...] = (
    ("unit_code", "单位代码"),
    ("unit_name", "单位名称"),
    ("category", "类别"),
)
INDEX_FIELDS: tuple[tuple[str, str], ...] = (
    *UNIT_FIELDS,
    ("unit_n", "单位样本量"),
    ("index", "指数"),
    ("value", "指数值"),
    ("rate", "满意率"),
    ("n", "样本量"),
    ("n_effective", "有效样本量"),
    ("se", "标准误"),
    ("ci_low", "置信区间下限"),
    ("ci_high", "置信区间上限"),
    ("sufficient", "样本是否充足"),
    ("composite", "民评综合得分"),
    ("points", "民评得分"),
    ("rank_in_category", "类别内排名"),
    ("gate_passed", "满意度门槛是否通过"),
    ("gate_threshold", "满意度门槛"),
)
ESTIMATE_ZH = {
    "value": "",
    "n": "样本量",
    "n_effective": "有效样本量",
    "se": "标准误",
    "ci_low": "区间下限",
    "ci_high": "区间上限",
}
QUESTION_FIELDS: tuple[tuple[str, str], ...] = (
    *UNIT_FIELDS,
    ("index", "指数"),
    ("form", "问卷"),
    ("question", "题目代码"),
    ("text", "题目"),
    *((f"score_{k}", f"题目得分{ESTIMATE_ZH[k]}") for k in ESTIMATE_KEYS),
    *((f"top_box_rate_{k}", f"满意率{ESTIMATE_ZH[k]}") for k in ESTIMATE_KEYS),
    ("dont_know_share", "说不清占比"),
)
# The household survey's outcomes and AAPOR rates per unit (results of campaigns with a household sample only).
RATE_FIELDS: tuple[tuple[str, str], ...] = (
    *UNIT_FIELDS,
    ("released", "已发放样本户"),
    ("completed", "完成访问"),
    ("refused", "拒访"),
    ("non_contact", "未接触"),
    ("unresolved", "待访"),
    ("not_eligible", "不符合条件"),
    ("rr1", "应答率RR1"),
    ("coop1", "合作率COOP1"),
    ("ref1", "拒访率REF1"),
)
RATE_TABLE = "response_rates"
RESULT_TABLES = {"indices": INDEX_FIELDS, "questions": QUESTION_FIELDS, RATE_TABLE: RATE_FIELDS}


def result_headers(table: str, header_style: str = "keys") -> list[str]:
    """Headers of a results table ("indices" or "questions")."""
    return [zh if header_style == "zh" else key for key, zh in RESULT_TABLES[table]]


def _unit_cells(unit: Mapping[str, Any]) -> list[Any]:
    return [unit.get("unit_code"), unit.get("unit_name"), unit.get("category")]


def index_rows(results: Mapping[str, Any]) -> Iterable[list[Any]]:
    """One row per unit × index of a result document, in the document's unit order and index order."""
    for unit in results.get("units") or []:
        gate = unit.get("gate") or {}
        for name in results.get("indices") or []:
            index = (unit.get("indices") or {}).get(name) or {}
            yield [
                *_unit_cells(unit),
                unit.get("n"),
                name,
                *(index.get(k) for k in ("value", "rate", "n", "n_effective", "se", "ci_low", "ci_high")),
                index.get("sufficient"),
                unit.get("composite"),
                unit.get("points"),
                unit.get("rank_in_category"),
                gate.get("passed"),
                gate.get("threshold"),
            ]


def question_rows(results: Mapping[str, Any]) -> Iterable[list[Any]]:
    """One row per unit × scored question of a result document."""
    for unit in results.get("units") or []:
        for name in results.get("indices") or []:
            index = (unit.get("indices") or {}).get(name) or {}
            for item in index.get("questions") or []:
                score = item.get("score") or {}
                top = item.get("top_box_rate") or {}
                yield [
                    *_unit_cells(unit),
                    name,
                    item.get("form"),
                    item.get("question"),
                    item.get("text"),
                    *(score.get(k) for k in ESTIMATE_KEYS),
                    *(top.get(k) for k in ESTIMATE_KEYS),
                    item.get("dont_know_share"),
                ]


def rate_rows(results: Mapping[str, Any]) -> Iterable[list[Any]]:
    """One row per unit with a household sample: its fieldwork outcomes and response rates as the run holds them."""
    for unit in results.get("units") or []:
        fieldwork = unit.get("fieldwork")
        if fieldwork:
            yield [*_unit_cells(unit), *(fieldwork.get(key) for key, _ in RATE_FIELDS[len(UNIT_FIELDS) :])]


def has_rates(results: Mapping[str, Any]) -> bool:
    """Whether a result document holds response rates (its campaign had a household sample)."""
    return any(unit.get("fieldwork") for unit in results.get("units") or [])


RESULT_ROWS = {"indices": index_rows, "questions": question_rows, RATE_TABLE: rate_rows}
