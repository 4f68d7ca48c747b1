"""Located problems: one record type for every error or warning fourgood reports.

Modelled on frictionless-py reports: each problem has a stable code, a severity and a
location (file, sheet, cell, criterion), and renders its message in Vietnamese or
English from the catalogue in :mod:`fourgood.messages`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from .messages import render

Severity = Literal["error", "warning"]


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
