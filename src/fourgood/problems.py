"""Located problems: one record type for every error or warning fourgood reports.

Modelled on frictionless-py reports: each problem has a stable code, a severity and a
location (file, sheet, cell, criterion), and renders its message in Vietnamese or
English from the catalogue in :mod:`fourgood.messages`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from .messages import detail_text, quoted_vi, render

Severity = Literal["error", "warning"]
SEVERITY_LABELS: dict[str, tuple[str, str]] = {"error": ("Lỗi", "Error"), "warning": ("Cảnh báo", "Warning")}

# Files that are not scoring forms at all (a PDF, a Word file, a picture, a text file, the roster,
# the board's consolidation control workbook): their status is `not_a_form`, their verdict
# "Không phải phiếu chấm điểm"; they stay in the invalid category (listed, never counted as a form).
NOT_A_FORM_CODES = frozenset({"not_spreadsheet", "roster_not_submission"})
NOT_A_FORM_DETAILS = frozenset({"template_kind=control"})  # a `not_our_template` control workbook
NOT_A_FORM_LABEL = ("Không phải phiếu chấm điểm", "Not a scoring form")


def severity_label(severity: str, lang: str) -> str:
    """"Lỗi" / "Cảnh báo" (Error / Warning); JSON keeps the stable values "error" / "warning"."""
    vi, en = SEVERITY_LABELS.get(severity, (severity, severity))
    return en if lang == "en" else vi


@dataclass(frozen=True)
class Problem:
    code: str
    severity: Severity = "error"
    file: str = ""
    sheet: str = ""
    cell: str = ""
    criterion: str = ""
    value: Any = None
    expected: Any = None
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "vi") -> str:
        return render(self.code, lang, self._context(lang))

    def _context(self, lang: str) -> dict[str, Any]:
        ctx = {
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "criterion": self.criterion,
            "value": _show(self.value, lang),
            "expected": _show(self.expected, lang),
        }
        ctx.update(self.params)
        if "detail" in ctx:
            ctx["detail"] = detail_text(self.code, ctx["detail"], lang)
        if self.code == "multiple_forms" and lang != "en":  # the other sheets, quoted by the reader
            ctx["value"] = quoted_vi(ctx["value"])
        # Labels are stored as keys and worded in the language asked for.
        from .contract import COLUMN_LABELS, INFO_BY_KEY, column_label

        if ctx.get("column") in COLUMN_LABELS:
            ctx["column"] = column_label(ctx["column"], lang)
        if ctx.get("field") in INFO_BY_KEY:
            ctx["field"] = INFO_BY_KEY[ctx["field"]].label(lang)
        return ctx

    def at(self, file: str) -> Problem:
        """The same problem, located in `file` (readers raise problems before they know it)."""
        return replace(self, file=file)

    @property
    def location(self) -> str:
        """Excel-style address such as `'Chấm điểm'!E14`, or the sheet alone."""
        if self.sheet and self.cell:
            return f"'{self.sheet}'!{self.cell}"
        return f"'{self.sheet}'" if self.sheet else ""

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        data = asdict(self)
        data.pop("params")
        data["value"] = _jsonable(self.value)
        data["expected"] = _jsonable(self.expected)
        data["message"] = self.message(lang)
        return data


def is_not_a_form(problem: Problem) -> bool:
    """The problem says the file is not a scoring form at all (see NOT_A_FORM_CODES)."""
    return problem.severity == "error" and (
        problem.code in NOT_A_FORM_CODES
        or (problem.code == "not_our_template" and problem.params.get("detail") in NOT_A_FORM_DETAILS))


def not_a_form_files(problems: list[Problem]) -> set[str]:
    """Files one of whose problems says they are not a scoring form."""
    return {p.file for p in problems if is_not_a_form(p)}


def _show(value: Any, lang: str) -> str:
    """Values as people write them: decimal comma in Vietnamese, point in English."""
    if value is None:
        return "(trống)" if lang == "vi" else "(empty)"
    if isinstance(value, float):
        text = f"{value:g}"
        return text.replace(".", ",") if lang == "vi" else text
    return str(value)


def number_text(value: Any, lang: str) -> str:
    """96.5 -> '96,5' in Vietnamese; blank for no value."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "vi" else text


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if value != value else value  # NaN is not JSON
    return str(value)


class FourgoodError(Exception):
    """An error a user can act on; carries located problems, never shown as a traceback."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message("en") for p in problems))

    def render(self, lang: str = "vi") -> str:
        lines = []
        for p in self.problems:
            where = " ".join(x for x in (p.file, p.location) if x)
            lines.append(f"{where}: {p.message(lang)}" if where else p.message(lang))
        return "\n".join(lines)
