"""See a book open in Excel (through xlwings) the way the reader sees a file.

Values come from Excel itself, so a form that was never saved is checked as it is on screen.
Works with every xlwings engine: desktop Excel on Windows and macOS, and the remote
interpreter (`xw.Book(json=...)`) the tests use.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fourgood.validators.formats import WorkbookView


def book_id(book: Any) -> str:
    """The book's full path when saved (desktop), else its name."""
    try:
        return str(book.fullname)
    except Exception:  # some engines only know the name
        return str(book.name)


def book_view(book: Any) -> WorkbookView:
    sheets = [s.name for s in book.sheets]
    names: dict[str, str] = {}
    for n in book.names:
        name = n.name
        if "!" in name:  # sheet-scoped names are never ours
            continue
        refers = n.refers_to or ""
        names[name] = refers[1:] if refers.startswith("=") else refers

    @cache  # one used-range lookup per sheet, shared by values and formulas
    def block(sheet_name: str):
        sheet = book.sheets[sheet_name]
        last = sheet.used_range.last_cell
        return sheet.range((1, 1), (last.row, last.column))

    def values(sheet_name: str) -> list[list[Any]]:
        data = block(sheet_name).options(ndim=2, err_to_str=True).value
        return [list(row) for row in data]

    def special(sheet_name: str) -> dict[tuple[int, int], str]:
        try:
            formulas = block(sheet_name).formula
        except (NotImplementedError, AttributeError):  # the remote engine sends values only
            return {}
        if isinstance(formulas, str):
            formulas = ((formulas,),)
        elif formulas and not isinstance(formulas[0], (list, tuple)):
            formulas = (formulas,)
        return {(r, c): "formula" for r, row in enumerate(formulas) for c, text in enumerate(row)
                if isinstance(text, str) and text.startswith("=")}

    return WorkbookView("excel", sheets, names, values, special)


def set_column_width(rng: Any, characters: float) -> None:
    """Set a column width given in characters, as desktop Excel counts them. Office.js takes points and
    xlwings passes the number through (its setColumnWidth), so for a book from Office.js it is converted:
    Excel's default font draws a character 7 pixels wide, plus 5 pixels of padding, 0.75 point a pixel."""
    api = getattr(rng.sheet.book, "api", None)
    office_js = isinstance(api, dict) and api.get("client") == "Office.js"
    rng.column_width = round((characters * 7 + 5) * 0.75, 2) if office_js else characters
