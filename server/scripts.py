"""The Excel add-in's scripts on xlwings Server: the book arrives as JSON from Excel (Office.js or
the VBA remote client), `fourgood.addin.entry` works on it exactly as on the remote-interpreter book
of the tests, and the recorded actions go back to Excel.

Two things only a server adds:

* **Protected sheets.** The forms are protected (no password). Excel refuses fills and notes on a
  protected sheet, and Office.js cannot lift protection from Python. So the actions are framed by
  two registered client callbacks, `runMacro fourgoodUnprotect` first and `runMacro fourgoodProtect`
  after the last change: the JavaScript (static/js/main.js) and VBA (macros/FourGoodServer.bas)
  callbacks unprotect only sheets that are protected and protect again exactly those, with the
  options they had.
* **Who may consolidate.** Only board tokens; the folders are the server's inbox (or folders
  inside it, each part of a `;`-separated cell, links resolved) and the roster is the server's own
  (or a file in the inbox), never a path typed in the workbook elsewhere on the server. Anything
  else gets one message that says nothing about what exists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fourgood.contract import CONTROL_SHEET, META_SHEET, REPORT_SHEETS, ROLLUP_SHEET, SHEETS

RESULTS_SHEETS = ("Kết quả kiểm tra", "Check results")  # fourgood.addin.results_sheet.RESULTS_SHEET
# Only the sheets a script needs are sent by Excel (`@script(include=...)`): the form's information and
# scoring sheets, its _meta and our previous results sheet; for consolidation the control sheet and _meta.
FORM_SHEETS = [*(s for names in SHEETS.values() for s in (names.info, names.scoring)), META_SHEET, *RESULTS_SHEETS]
CONSOLIDATION_SHEETS = [*CONTROL_SHEET.values(), META_SHEET]
UNPROTECT, PROTECT = "fourgoodUnprotect", "fourgoodProtect"
# what fourgood's scripts make Excel do, besides the two callbacks (tests/test_server_addin.py checks
# that both clients implement every one, reading them from the installed xlwings packages)
SEPARATOR = "|"


def _action(func: str, *args: Any) -> dict[str, Any]:
    return {"func": func, "args": list(args), "values": None, "sheet_position": None, "start_row": None,
            "start_column": None, "row_count": None, "column_count": None}


def guard_protection(book: Any, sheet_names: list[str]) -> None:
    """Frame the recorded changes with the unprotect/protect callbacks for the given sheets."""
    actions = book.json()["actions"]
    present = [s for s in sheet_names if s in {sh.name for sh in book.sheets}]
    if not present or not actions:
        return
    last = max((i for i, a in enumerate(actions) if a["func"] != "alert"), default=-1)
    if last < 0:
        return
    joined = SEPARATOR.join(present)
    actions.insert(last + 1, _action("runMacro", PROTECT, joined))
    actions.insert(0, _action("runMacro", UNPROTECT, joined))


def role_of(user: Any) -> str:
    roles = list(getattr(user, "roles", None) or [])
    return "board" if "board" in roles else ("unit" if "unit" in roles else "")


def check_form(book: Any, user: Any = None) -> Any:
    """"Kiểm tra phiếu": validate and score the open form, results sheet, marks, one-sentence verdict."""
    from fourgood.addin import entry

    result = entry.check(book)
    marked = [s for names in SHEETS.values() for s in (names.info, names.scoring)]
    guard_protection(book, marked)
    return result


def consolidate_inbox(book: Any, user: Any, inbox: Path, roster: str | None, lang: str = "vi") -> Any:
    """"Tổng hợp": consolidate the inbox (or a folder inside it) into the open consolidation workbook."""
    from fourgood.addin import entry
    from fourgood.addin.book_view import book_view
    from fourgood.check import peek_meta
    from fourgood.contract import Kind, MetaKey, control_name
    from fourgood.messages import render

    if role_of(user) != "board":
        entry.alert(book, "Chỉ cán bộ Ban Tổ chức (mã truy cập vai trò “board”) mới được tổng hợp hộp thư phiếu.",
                    "critical")
        return None
    meta = peek_meta(book_view(book))
    kind = meta.get(MetaKey.KIND)
    if kind not in (Kind.CONTROL, "consolidated"):
        entry.alert(book, "Nút “Tổng hợp” dùng trên bảng tổng hợp (bang-tong-hop.xlsx) hoặc một bảng đã tổng hợp.",
                    "critical")
        return None
    inbox = inbox.resolve()
    if kind == Kind.CONTROL:
        source = book.names[control_name("source")].refers_to_range
        roster_cell = book.names[control_name("roster")].refers_to_range
        folders = confined_sources(str(source.value or ""), inbox)
        chosen = confined_roster(str(roster_cell.value or ""), inbox, roster)
        if folders is None or chosen is None:
            entry.alert(book, render("http_script_source", lang, {}), "critical")
            return None
        _set_value(book, source, SOURCE_SEPARATOR.join(str(f) for f in folders))
        _set_value(book, roster_cell, chosen)
    else:  # a consolidated workbook: consolidate the inbox again into it, with the server's roster only
        _set_meta(book, {MetaKey.SOURCES: str(inbox), MetaKey.ROSTER: roster or ""})
    return entry.consolidate(book)


SOURCE_SEPARATOR = ";"  # how the add-in splits the folder cell (fourgood.addin.consolidate_book)


def _inside(text: str, inbox: Path) -> Path | None:
    """The path `text` names (relative to the inbox), links resolved, if it lies in the inbox."""
    path = Path(text)
    resolved = (path if path.is_absolute() else inbox / path).resolve()
    return resolved if resolved == inbox or resolved.is_relative_to(inbox) else None


def confined_sources(typed: str, inbox: Path) -> list[Path] | None:
    """Every folder of the cell (split as the add-in splits it) inside the inbox, or None.
    An empty cell is the inbox."""
    parts = [s.strip() for s in typed.split(SOURCE_SEPARATOR) if s.strip()] or ["."]
    folders = [_inside(part, inbox) for part in parts]
    return None if any(f is None for f in folders) else [f for f in folders if f is not None]


def confined_roster(typed: str, inbox: Path, roster: str | None) -> str | None:
    """The roster to use: the server's own (an empty cell, or the cell naming it) or a file inside
    the inbox; "" for none; None for anything else on the server."""
    text = typed.strip()
    if not text:
        return roster or ""
    path = Path(text)
    resolved = (path if path.is_absolute() else inbox / path).resolve()
    if roster and resolved == Path(roster).resolve():
        return roster
    inside = _inside(text, inbox)
    return str(inside) if inside is not None else None


def _set_value(book: Any, rng: Any, value: Any) -> None:
    """Write one cell: in Excel (an action) and in the book the script reads (the remote book's
    payload, which a recorded action does not change)."""
    rng.value = value
    sheet = next(s for s in book.api["sheets"] if s["name"] == rng.sheet.name)
    values = sheet["values"]
    r, c = rng.row - 1, rng.column - 1
    width = max([len(v) for v in values] + [c + 1])
    while len(values) <= r:
        values.append([""] * width)
    for row in values:
        row.extend([""] * (width - len(row)))
    values[r][c] = value


def _set_meta(book: Any, values: dict[str, str]) -> None:
    sheet = book.sheets[META_SHEET]
    rows = next(s for s in book.api["sheets"] if s["name"] == META_SHEET)["values"]
    for r, row in enumerate(list(rows), 1):
        if row and row[0] in values:
            _set_value(book, sheet.range((r, 2)), values.pop(row[0]))
    for key, value in values.items():
        r = len(rows) + 1
        _set_value(book, sheet.range((r, 1)), key)
        _set_value(book, sheet.range((r, 2)), value)


__all__ = ["CONSOLIDATION_SHEETS", "FORM_SHEETS", "REPORT_SHEETS", "ROLLUP_SHEET", "check_form", "consolidate_inbox",
           "guard_protection"]
