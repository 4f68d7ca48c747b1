"""Mark problem cells on the form (fill colour and a note) and undo the previous marks.

Undoing restores the fill the cell has in the template itself, so a second run leaves the
form exactly as the template drew it, whatever the previous run coloured.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any

from fourgood.problems import Problem
from fourgood.spec import Spec
from fourgood.vocab import Severity

ERROR_FILL = (255, 199, 206)
WARNING_FILL = (255, 235, 156)


@lru_cache(maxsize=16)
def _template_fills(spec: Spec, lang: str) -> dict[tuple[str, str], tuple[int, int, int] | None]:
    from fourgood.workbook_templates.builder import build_cell_template

    fills: dict[tuple[str, str], tuple[int, int, int] | None] = {}
    wb = build_cell_template(spec, lang)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                fill = cell.fill
                rgb = fill.fgColor.rgb if fill is not None and fill.fill_type == "solid" else None
                if isinstance(rgb, str) and len(rgb) >= 6:
                    fills[(ws.title, cell.coordinate)] = (int(rgb[-6:-4], 16), int(rgb[-4:-2], 16), int(rgb[-2:], 16))
    return fills


def template_fill(spec: Spec | None, lang: str, sheet: str, cell: str) -> tuple[int, int, int] | None:
    if spec is None:
        return None
    return _template_fills(spec, lang).get((sheet, cell.replace("$", "")))


def markable(problems: list[Problem], sheets: set[str], skip: set[str]) -> dict[tuple[str, str], list[Problem]]:
    """Problems grouped by the cell they point at, on sheets that exist (never our own results sheet)."""
    out: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    for p in problems:
        if p.sheet and p.cell and p.sheet in sheets and p.sheet not in skip:
            out[(p.sheet, p.cell)].append(p)
    return dict(out)


def unmark(book: Any, cells: list[tuple[str, str]], spec: Spec | None, lang: str) -> None:
    """Undo marks of a previous run: template fill back, our note removed."""
    names = {s.name for s in book.sheets}
    for sheet, cell in cells:
        if sheet not in names:
            continue
        rng = book.sheets[sheet].range(cell)
        rng.color = template_fill(spec, lang, sheet, cell)
        note = rng.note
        if note is not None:
            note.delete()


def mark(book: Any, marked: dict[tuple[str, str], list[Problem]], lang: str) -> None:
    for (sheet, cell), problems in marked.items():
        rng = book.sheets[sheet].range(cell)
        rng.color = ERROR_FILL if any(p.severity == Severity.ERROR for p in problems) else WARNING_FILL
        text = "\n".join(f"• {p.message(lang)}" for p in problems)
        note = rng.note
        if note is not None:
            note.delete()
        _add_note(rng, f"fourgood:\n{text}"[:1000])


def _add_note(rng: Any, text: str) -> None:
    """A note on the marked cell, where Excel has notes: Office.js has them from ExcelApi 1.18 only (the
    client reports it, xlwings refuses with NotImplementedError). Without, the fill and the results
    sheet, which lists every problem with a link to its cell, still say it all."""
    try:
        rng.add_note(text)
    except NotImplementedError:
        pass
