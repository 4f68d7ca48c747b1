"""Located problems: one record type for every error or warning fourgood reports.

Modelled on frictionless-py reports: each problem has a stable code and a location (file,
sheet, cell, criterion); its severity, category and texts come from the registry in
:mod:`fourgood.messages` (`PROBLEMS`), never from the call site. `python -m fourgood.problems
--markdown` prints the README's table of codes from that registry.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from typing import Any

from .messages import PROBLEMS, ProblemType, detail_text, param_text, quoted_vi, render
from .vocab import ProblemCategory, Severity, Text

SEVERITY_LABELS: dict[str, Text] = {Severity.ERROR: Text("Lỗi", "Error"), Severity.WARNING: Text("Cảnh báo", "Warning")}

# Files that are not scoring forms at all (a PDF, a Word file, a picture, a text file, the roster,
# the board's consolidation control workbook): their status is `not_a_form`, their verdict
# "Không phải phiếu chấm điểm"; they stay in the invalid category (listed, never counted as a form).
# Which problems say so is the registry's: category NOT_A_FORM, or `ProblemType.not_a_form_details`.
NOT_A_FORM_LABEL = Text("Không phải phiếu chấm điểm", "Not a scoring form")
UNREGISTERED = ProblemType(ProblemCategory.FILE, Severity.ERROR, Text("{code}", "{code}"))


def severity_label(severity: str, lang: str) -> str:
    """"Lỗi" / "Cảnh báo" (Error / Warning); JSON keeps the stable values "error" / "warning"."""
    label = SEVERITY_LABELS.get(severity)
    return label.of(lang) if label else severity


@dataclass(frozen=True)
class Problem:
    code: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    criterion: str = ""
    value: Any = None
    expected: Any = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> ProblemType:
        """The registry's entry for this code (an unregistered code is an error; a test forbids one)."""
        return PROBLEMS.get(self.code, UNREGISTERED)

    @property
    def severity(self) -> Severity:
        return self.kind.severity

    @property
    def category(self) -> ProblemCategory:
        return self.kind.category

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
        ctx.update({name: param_text(name, value, lang) for name, value in self.params.items()})
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
        return {"code": self.code, "severity": self.severity.value, "file": self.file, "sheet": self.sheet,
                "cell": self.cell, "criterion": self.criterion, "value": _jsonable(self.value),
                "expected": _jsonable(self.expected), "message": self.message(lang)}


def is_not_a_form(problem: Problem) -> bool:
    """The problem says the file is not a scoring form at all (the registry's NOT_A_FORM category,
    or a file-level problem whose detail says so)."""
    kind = problem.kind
    return kind.category == ProblemCategory.NOT_A_FORM or problem.params.get("detail") in kind.not_a_form_details


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


# ----------------------------------------------------------------------------- the README's table

TABLE_CATEGORIES = (ProblemCategory.FILE, ProblemCategory.NOT_A_FORM, ProblemCategory.FORM, ProblemCategory.BATCH)
CATEGORY_WORDS = {ProblemCategory.FILE: "file", ProblemCategory.NOT_A_FORM: "not a form",
                  ProblemCategory.FORM: "form", ProblemCategory.BATCH: "batch"}


def markdown_table(categories: tuple[ProblemCategory, ...] = TABLE_CATEGORIES) -> str:
    """The README's table of the codes a file's report can carry, from the registry: code,
    category, severity and the English text (placeholders in braces)."""
    lines = ["| code | category | severity | message (English; Vietnamese by default) |", "|---|---|---|---|"]
    for category in categories:
        for code, kind in PROBLEMS.items():
            if kind.category == category:
                text = kind.text.en.replace("|", "\\|")
                note = f" *({kind.note})*" if kind.note else ""
                lines.append(f"| `{code}` | {CATEGORY_WORDS[category]} | {kind.severity.value} | {text}{note} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m fourgood.problems --markdown
    if sys.argv[1:] != ["--markdown"]:
        sys.exit("usage: python -m fourgood.problems --markdown")
    sys.stdout.write(markdown_table())
