"""`fourgood validate`: a verdict for every file, as a readable table or one JSON document."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from .contract import status_text
from .pipeline import BatchResult, validate_paths
from .spec import load_specs

JSON_ERROR_FIELDS = ("code", "severity", "message", "sheet", "cell", "criterion")


def run_validate(paths: list[str], *, as_json: bool, lang: str, criteria: str | None = None, jobs: int = 1) -> int:
    specs = load_specs(criteria)
    result = validate_paths(paths, specs, jobs=jobs, lang=lang)
    if as_json:
        json.dump(to_json(result, lang), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_table(result, lang)
    return 0 if bool(result.files["valid"].all()) else 1


def _num(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return int(value) if isinstance(value, float) and value.is_integer() and value > 1000 else value


def to_json(result: BatchResult, lang: str = "vi") -> list[dict[str, Any]]:
    out = []
    by_file: dict[str, list] = {}
    for p in result.problems:
        by_file.setdefault(p.file, []).append(p)
    for row in result.files.to_dict("records"):
        out.append({
            "file": row["file"],
            "valid": bool(row["valid"]),
            "cell_code": row["cell_code"] if isinstance(row["cell_code"], str) and row["cell_code"] else None,
            "cell_type": row["cell_type"] if isinstance(row["cell_type"], str) and row["cell_type"] else None,
            "period": row["period"] if isinstance(row["period"], str) and row["period"] else None,
            "year": _num(row["year"]),
            "self_total": _num(row["self_total"]),
            "upper_total": _num(row["upper_total"]),
            "status": row["status"],
            "errors": [{k: v for k, v in p.to_dict(lang).items() if k in JSON_ERROR_FIELDS}
                       for p in by_file.get(row["file"], [])],
        })
    return out


STATUS_STYLE = {"meets": "green", "below": "red", "incomplete": "yellow", "veto": "red", "invalid": "bold red",
                "skipped": "dim"}


def print_table(result: BatchResult, lang: str = "vi") -> None:
    console = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
    vi = lang == "vi"
    table = Table(title="Kết quả kiểm tra" if vi else "Validation results", show_lines=False)
    for head in (("Tệp", "File"), ("Mã chi bộ", "Cell code"), ("Kỳ", "Period"), ("Tự chấm", "Self"),
                 ("Cấp trên", "Upper"), ("Kết quả", "Result"), ("Lỗi", "Errors"), ("Cảnh báo", "Warnings")):
        table.add_column(head[0] if vi else head[1])
    for row in result.files.to_dict("records"):
        status = row["status"]
        threshold = row.get("threshold")
        threshold = None if threshold is None or threshold != threshold else float(threshold)
        label = status_text(status, lang, threshold) if status in STATUS_STYLE and status != "skipped" else (
            "Bỏ qua" if vi else "Skipped")
        table.add_row(row["name"], str(row["cell_code"] or "") if isinstance(row["cell_code"], str) else "",
                      row["period"] if isinstance(row["period"], str) else "", _fmt(row["self_total"], lang),
                      _fmt(row["upper_total"], lang), f"[{STATUS_STYLE.get(status, '')}]{label}[/]",
                      str(row["errors"]), str(row["warnings"]))
    console.print(table)
    for p in result.problems:
        mark = "[red]✗[/]" if p.severity == "error" else "[yellow]![/]"
        where = f" {p.location}" if p.location else ""
        console.print(f"{mark} {p.file}{where} [dim]{p.code}[/]: {p.message(lang)}", markup=True)
    files = result.files
    summary = (f"{len(files)} tệp: {int(files['valid'].sum())} hợp lệ, {int((~files['valid']).sum())} có lỗi."
               if vi else f"{len(files)} files: {int(files['valid'].sum())} valid, {int((~files['valid']).sum())} with errors.")
    console.print(summary)


def _fmt(value: Any, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "vi" else text
