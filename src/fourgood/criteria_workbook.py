"""Criteria tables kept in a workbook, for organisation boards that write no YAML.

Layout (headers matched without regard to case or diacritics, Vietnamese or English):
- one sheet per cell type, named by its slug, code or Vietnamese name; a single sheet with
  another name applies to every type. Columns: Nội dung | Mã | Tiêu chí | Điểm chuẩn |
  Hướng dẫn, optionally Tiêu chí (tiếng Anh) and Nội dung (tiếng Anh). A content cell may
  start with its numeral ("I. Lãnh đạo ..."); blank content cells continue the one above.
- optional sheet "Cài đặt" (key | value): phiên bản, bước chấm, ngưỡng đạt.
- optional sheet "Loại trừ": Loại chi bộ (blank: all) | Mã | Câu hỏi. Without this sheet a
  type keeps its default veto questions; with it, only the listed ones apply.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .problems import FourgoodError, Problem
from .spec import CELL_TYPES, Spec, cell_type_from_text, fold, nfc, spec_from_dict

COLUMNS: dict[str, tuple[str, ...]] = {
    "content": ("noi dung", "content"),
    "id": ("ma", "id", "ma tieu chi", "criterion id"),
    "criterion": ("tieu chi", "criterion"),
    "max": ("diem chuan", "max points", "max", "diem toi da"),
    "guidance": ("huong dan", "guidance"),
    "criterion_en": ("tieu chi (tieng anh)", "criterion (english)", "criterion en"),
    "content_en": ("noi dung (tieng anh)", "content (english)", "content en"),
}
REQUIRED = ("content", "id", "criterion", "max", "guidance")
HEADERS_VI = {
    "content": "Nội dung", "id": "Mã", "criterion": "Tiêu chí", "max": "Điểm chuẩn",
    "guidance": "Hướng dẫn", "criterion_en": "Tiêu chí (tiếng Anh)", "content_en": "Nội dung (tiếng Anh)",
}
SETTINGS_SHEETS = {"cai dat", "settings"}
VETO_SHEETS = {"loai tru", "vetoes"}
SETTING_KEYS = {"phien ban": "version", "version": "version", "buoc cham": "step", "step": "step",
                "nguong dat": "threshold", "threshold": "threshold"}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def read_criteria_workbook(path: Path, defaults: dict[str, Spec]) -> list[Spec]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets: dict[str, list[list[Any]]] = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                                              for name in book.sheet_names}
    except Exception as exc:  # calamine raises several types for unreadable files
        raise FourgoodError([Problem("spec_unreadable", file=str(path), params={"detail": str(exc)[:200]})]) from None

    settings: dict[str, Any] = {}
    vetoes: dict[str | None, list[dict[str, str]]] | None = None
    tables: dict[str | None, list[dict[str, Any]]] = {}
    problems: list[Problem] = []
    for name, rows in sheets.items():
        key = fold(name)
        if key in SETTINGS_SHEETS:
            for row in rows:
                if len(row) >= 2 and fold(row[0]) in SETTING_KEYS and row[1] != "":
                    settings[SETTING_KEYS[fold(row[0])]] = row[1]
        elif key in VETO_SHEETS:
            vetoes = _read_vetoes(rows)
        elif key in {"huong dan", "instructions"}:
            continue
        else:
            cell_type = cell_type_from_text(name)
            criteria, sheet_problems = _read_table(rows, name, str(path))
            problems += sheet_problems
            if criteria:
                tables[cell_type] = criteria
    if problems:
        raise FourgoodError(problems)
    if not tables:
        raise FourgoodError([Problem("criteria_columns_missing", file=str(path), sheet="",
                                     value=", ".join(HEADERS_VI[k] for k in REQUIRED))])
    targets = {t: tables[t] for t in tables if t} or {t: tables[None] for t in CELL_TYPES}
    specs = []
    for cell_type, criteria in targets.items():
        base = defaults[cell_type]
        veto_rows = (base.to_dict()["vetoes"] if vetoes is None
                     else vetoes.get(cell_type, []) + vetoes.get(None, []))
        data = {
            "spec_id": base.spec_id, "cell_type": cell_type, "name_vi": base.name_vi, "name_en": base.name_en,
            "version": str(settings.get("version", "tùy chỉnh")),
            "step": settings.get("step", base.step), "threshold": settings.get("threshold", base.threshold),
            "contents": _group(criteria), "vetoes": veto_rows,
        }
        specs.append(spec_from_dict(data, source=str(path)))
    return specs


def _read_table(rows: list[list[Any]], sheet: str, source: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    header_at, columns = None, {}
    for r, row in enumerate(rows[:20]):
        found = {}
        for c, value in enumerate(row):
            for key, names in COLUMNS.items():
                if fold(value) in names and key not in found:
                    found[key] = c
        if {"id", "criterion", "max"} <= found.keys():
            header_at, columns = r, found
            break
    if header_at is None:
        return [], []
    missing = [HEADERS_VI[k] for k in REQUIRED if k not in columns]
    if missing:
        return [], [Problem("criteria_columns_missing", file=source, sheet=sheet, value=", ".join(missing))]
    out, problems, content, content_en = [], [], "", ""
    for r in range(header_at + 1, len(rows)):
        row = rows[r]

        def get(key: str, row: list[Any] = row) -> Any:
            c = columns.get(key)
            return row[c] if c is not None and c < len(row) else ""

        if str(get("content")).strip():
            content, content_en = nfc(get("content")), nfc(get("content_en"))
        cid, text = _text(get("id")), nfc(get("criterion"))
        if not cid and not text:
            continue
        if not cid:
            problems.append(Problem("criteria_value_invalid", file=source, sheet=sheet,
                                    cell=_address(r, columns["id"]), value="", expected=HEADERS_VI["id"]))
            continue
        out.append({"content": content, "content_en": content_en, "id": cid, "text_vi": text,
                    "text_en": nfc(get("criterion_en")), "max": get("max"), "guidance": nfc(get("guidance"))})
    return out, problems


def _group(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    contents: list[dict[str, Any]] = []
    for row in rows:
        if not contents or row["content"] != contents[-1]["_key"]:
            match = re.match(r"^\s*([IVX]+)\s*[.:)\-–]\s*(.+)$", row["content"])
            cid, title = (match.group(1), match.group(2)) if match else (ROMAN[len(contents) % 10], row["content"])
            contents.append({"_key": row["content"], "id": cid, "title_vi": nfc(title),
                             "title_en": row["content_en"], "criteria": []})
        contents[-1]["criteria"].append({k: row[k] for k in ("id", "text_vi", "text_en", "max", "guidance")})
    for content in contents:
        content.pop("_key")
    return contents


def _read_vetoes(rows: list[list[Any]]) -> dict[str | None, list[dict[str, str]]]:
    out: dict[str | None, list[dict[str, str]]] = {}
    for row in rows[1:]:
        row = list(row) + ["", "", ""]
        kind, vid, question = row[0], _text(row[1]), nfc(row[2])
        if vid and question:
            out.setdefault(cell_type_from_text(kind) if str(kind).strip() else None, []).append(
                {"id": vid, "text_vi": question, "text_en": nfc(row[3]) if len(row) > 3 else ""})
    return out


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(value) if value is not None else ""


def _address(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col + 1)}{row + 1}"


def write_criteria_workbook(specs: dict[str, Spec], path: Path) -> Path:
    """Export specs as an editable criteria workbook (the starting point for a board)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .atomic import save_workbook_atomic

    wb = Workbook()
    wb.remove(wb.worksheets[0])  # the empty sheet a new workbook starts with
    bold = Font(bold=True)
    order = ("content", "id", "criterion", "max", "guidance", "criterion_en", "content_en")
    for spec in specs.values():
        ws = wb.create_sheet(CELL_TYPES[spec.cell_type].slug)
        ws.append([HEADERS_VI[k] for k in order])
        for cell in ws[1]:
            cell.font = bold
        for content in spec.contents:
            for c in content.criteria:
                ws.append([f"{content.id}. {content.title_vi}", c.id, c.text_vi, c.max, c.guidance,
                           c.text_en, content.title_en])
        for col, width in zip("ABCDEFG", (40, 8, 70, 11, 40, 50, 40)):
            ws.column_dimensions[col].width = width
        for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
            row[0].number_format = "@"
    first = next(iter(specs.values()))
    ws = wb.create_sheet("Cài đặt")
    for row in (("Khóa", "Giá trị"), ("Phiên bản", first.version), ("Bước chấm", first.step),
                ("Ngưỡng đạt", first.threshold)):
        ws.append(list(row))
    ws = wb.create_sheet("Loại trừ")
    ws.append(["Loại chi bộ", "Mã", "Câu hỏi", "Câu hỏi (tiếng Anh)"])
    for spec in specs.values():
        for v in spec.vetoes:
            ws.append([CELL_TYPES[spec.cell_type].slug, v.id, v.text_vi, v.text_en])
    return save_workbook_atomic(wb, path)
