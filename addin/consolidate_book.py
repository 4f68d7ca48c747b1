"""Consolidate from Excel: re-run the consolidation a workbook describes, into that workbook.

A workbook written by `fourgood consolidate` records its sources, roster and period in
`_meta`; the control workbook from `fourgood templates` has them as input cells. The figures
come from the same core and the same `report_tables` as the command line's file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fourgood.check import peek_meta
from fourgood.consolidate_cmd import consolidate_paths
from fourgood.contract import (
    CONTENT_PREFIX,
    CONTROL_FIELDS,
    META_SHEET,
    ROLLUP_NUMBERS,
    Kind,
    MetaKey,
    control_name,
    plain_value,
)
from fourgood.document import parse_signer
from fourgood.messages import render
from fourgood.problems import FourgoodError, Problem, number_text
from fourgood.report.columns import ReportTable
from fourgood.report.data_sheet import DATA_SHEET, DOCUMENT_SETTINGS, consolidated_meta, data_columns
from fourgood.report.labels import SHEET_NAMES, run_at_text
from fourgood.report.letterhead import letterhead
from fourgood.report.report_sheet import REPORT_WIDTHS, report_page
from fourgood.report.tables import report_tables
from fourgood.rollup import Consolidation
from fourgood.spec import Spec
from fourgood.vocab import Text

from .book_view import book_id, book_view, set_column_width

HEAD_FILL = (217, 225, 242)


def settings_of(book: Any, meta: dict[str, Any]) -> dict[str, str]:
    """sources / roster / period, from the control cells or from a consolidated workbook's `_meta`."""
    if meta.get(MetaKey.KIND) == Kind.CONTROL:
        out = {}
        for key, *_ in CONTROL_FIELDS:
            value = book.names[control_name(key)].refers_to_range.value
            out[key if key != "source" else "sources"] = "" if value is None else str(value).strip()
        return out
    return {k: str(meta.get(k) or "") for k in DOCUMENT_SETTINGS}


def _resolve(text: str, base: Path | None) -> Path:
    path = Path(text).expanduser()
    return path if path.is_absolute() or base is None else base / path


def consolidate_into(book: Any, specs: dict[str, Spec], lang: str, *, run_at: dt.datetime | None = None,
                     alert: Callable[[Any, str, str], None] | None = None) -> Consolidation:
    meta = peek_meta(book_view(book))
    kind = meta.get(MetaKey.KIND)
    settings = settings_of(book, meta)
    home = Path(book_id(book))
    base = home.parent if home.is_absolute() else None
    sources = [s.strip() for s in settings.get("sources", "").split(";") if s.strip()]
    if not sources:
        where = book.names[control_name("source")].refers_to_range if kind == Kind.CONTROL else None
        raise FourgoodError([Problem("consolidation_no_source", sheet=where.sheet.name if where else META_SHEET,
                                     cell=where.address.replace("$", "") if where else "")])
    paths = [_resolve(s, base) for s in sources]
    roster = _resolve(settings["roster"], base) if settings.get("roster") else None
    missing = [p for p in [*paths, *([roster] if roster else [])] if not p.exists()]
    if missing:
        raise FourgoodError([Problem("consolidation_source_missing", value=str(p)) for p in missing])
    c = consolidate_paths([str(p) for p in paths], specs, roster=str(roster) if roster else None,
                          period=settings.get("period") or None, lang=lang)
    run_at = run_at or dt.datetime.now().replace(microsecond=0)
    _write_report(book, c, lang, run_at, settings)
    for table in report_tables(c, lang):
        _write_table(book, table, lang, run_at)
    _write_data(book, c)
    if kind != "control":
        _write_meta(book, lang, settings)
    if alert is not None:
        s = c.summary
        alert(book, render("consolidation_done", lang, {
            "value": s["files_total"], "cells": s["cells"], "meets": s["cells_meeting_standard"],
            "below": s["cells_below_threshold"], "rejected": s["files_rejected"],
            "threshold": threshold_note(s["thresholds"], lang)}), "info")
    return c


def _sheet(book: Any, name: str, visible: bool = True) -> Any:
    if name in {s.name for s in book.sheets}:
        sheet = book.sheets[name]
        sheet.clear()
        return sheet
    visible_sheets = [s for s in book.sheets if not s.name.startswith("_")]
    after = visible_sheets[-1] if visible_sheets else book.sheets[len(book.sheets) - 1]
    sheet = book.sheets.add(name, after=after)
    if not visible:
        sheet.visible = False
    return sheet


def report_rows(c: Consolidation, lang: str, run_at: dt.datetime,
                settings: dict[str, str] | None = None) -> list[list[Any]]:
    """The report (the first sheet of `fourgood consolidate`'s workbook) as plain rows, eight columns
    wide: the heading, "BÁO CÁO", its text, the summary table, the weakest criteria, the signature.
    Without it a workbook consolidated again from Excel kept the previous run's report above the
    new appendices."""
    settings = settings or {}  # the issuer, place and signer the workbook was first written with
    h = letterhead(c, lang, run_at, issuer=settings.get(MetaKey.ISSUER) or None,
                   place=settings.get(MetaKey.PLACE) or None, signer=parse_signer(settings.get(MetaKey.SIGNER)))
    page = report_page(c, h, lang)
    n = len(REPORT_WIDTHS)

    def row(*values: Any) -> list[Any]:
        return [*values, *[None] * (n - len(values))]

    rows = [row(h.issuer.above, None, None, "ĐẢNG CỘNG SẢN VIỆT NAM" if lang != "en" else "COMMUNIST PARTY OF VIET NAM"),
            row(h.issuer.own), row(h.number(), None, None, h.date_line()), row(),
            row("BÁO CÁO" if lang != "en" else "REPORT"), row(page.kind_line), row()]
    rows += [row(p) for p in page.paragraphs]
    rows += [row(), row(page.summary_title), row(*page.summary_header)]
    rows += [row(*(plain_value(v) for v in r)) for r in page.summary_rows]
    if page.criteria_rows:
        rows += [row(), row(page.criteria_title), row(*page.criteria_header)]
        rows += [row(*(plain_value(v) for v in r)) for r in page.criteria_rows]
    rows += [row(), row(Text("Nơi nhận:", "To:").of(lang), None, None, *h.signature()[:1])]
    rows += [row(line, None, None, *h.signature()[k:k + 1]) for k, line in enumerate(h.to_whom(), 1)]
    return rows


def _write_report(book: Any, c: Consolidation, lang: str, run_at: dt.datetime,
                  settings: dict[str, str] | None = None) -> None:
    sheet = _sheet(book, Text(*SHEET_NAMES["report"]).of(lang))
    for j, width in enumerate(REPORT_WIDTHS, 1):
        set_column_width(sheet.range((1, j)), width)
    sheet.range("A1").value = report_rows(c, lang, run_at, settings)


def _write_table(book: Any, table: ReportTable, lang: str, run_at: dt.datetime) -> None:
    sheet = _sheet(book, table.sheet)
    rows = table.rows()
    width = len(table.cols)
    head = 3
    for j, (_, _, _, col_width, fmt) in enumerate(table.cols, 1):
        set_column_width(sheet.range((1, j)), col_width)
        if rows and fmt == "@":  # codes and periods stay text
            sheet.range((head + 1, j), (head + len(rows), j)).number_format = "@"
    text_cols = [j for j, (_, _, _, _, fmt) in enumerate(table.cols, 1) if fmt is None]
    if rows and text_cols:  # names typed by staff are text, never formulas
        for j in text_cols:
            sheet.range((head + 1, j), (head + len(rows), j)).number_format = "@"
    sheet.range("A1").value = [[table.title] + [None] * (width - 1), [run_at_text(run_at, lang)] + [None] * (width - 1),
                               [None] * width, table.header(lang), *rows]
    sheet.range("A1").font.bold = True
    sheet.range("A1").font.size = 14
    header = sheet.range((head, 1), (head, width))
    header.font.bold = True
    header.color = HEAD_FILL
    header.wrap_text = True
    for j, (_, _, _, _, fmt) in enumerate(table.cols, 1):
        if rows and fmt not in (None, "@"):
            sheet.range((head + 1, j), (head + len(rows), j)).number_format = fmt


def _write_data(book: Any, c: Consolidation) -> None:
    sheet = _sheet(book, DATA_SHEET, visible=False)
    columns = data_columns(c)
    rows = [[plain_value(v) for v in rec] for rec in c.cells[columns].itertuples(index=False, name=None)]
    last = max(len(rows), 1) + 1
    for j, key in enumerate(columns, 1):  # codes and names stay text; numbers stay numbers
        if key not in ROLLUP_NUMBERS and not key.startswith(CONTENT_PREFIX):
            sheet.range((1, j), (last, j)).number_format = "@"
    sheet.range("A1").value = [list(columns), *rows]


def _write_meta(book: Any, lang: str, settings: dict[str, str]) -> None:
    sheet = book.sheets[META_SHEET]
    sheet.clear()
    sheet.range("A1").value = [list(r) for r in consolidated_meta(lang, settings)]


def threshold_note(thresholds: list[float], lang: str) -> str:
    """' (95 điểm)' when the cells were scored against one threshold, '' otherwise."""
    if len(thresholds) != 1:
        return ""
    return f" ({number_text(thresholds[0], lang)} {'điểm' if lang != 'en' else 'points'})"
