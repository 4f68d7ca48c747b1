"""Read the roster a board keeps (the roster template): the cells it expects to report, and the
party organisations above them at whatever depth the province has.

The cells sheet lists each cell and the code of the organisation it sits directly under; the
organisations sheet lists each organisation, its level and its parent's code. A roster from
before 2026 (committee names typed beside each cell, no organisations sheet) still reads: the
chain is then built from those names, as from a form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from python_calamine import CalamineWorkbook

from fourgood.contract import META_SHEET, ORG_COLUMNS, ORG_SHEET, ROSTER_COLUMNS, ROSTER_SHEET, Kind, MetaKey
from fourgood.problems import FourgoodError, Problem
from fourgood.spec import cell_type_from_text, fold
from fourgood.structure import (
    KINDS,
    PROVINCE,
    Chain,
    Org,
    chain_from_names,
    chain_to_text,
    guess_kind,
    kind_from_text,
    level_names,
)

from . import normalize as N
from .formats import open_view
from .package import Refused, col_letter
from .reader import read_meta

ROSTER_FRAME = ["cell_code", "cell_name", "cell_type", "grassroots", "upper_committee", "members", "roster_row",
                "parent_code", "province", "org_chain", "former_codes"]


def read_roster(path: str | Path) -> pd.DataFrame:
    """One row per expected cell: code, name, type, members, its chain of organisations (JSON, root first)
    and, for messages and old readers, the names of its upper-level and grassroots committees."""
    path = Path(path)
    if path.is_dir():
        raise FourgoodError([Problem("roster_is_folder", file=str(path))])
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise FourgoodError([_unreadable(path, exc)]) from None
    sheets = list(book.sheet_names)
    if META_SHEET in sheets:  # written by fourgood: it says what it is
        kind = str(read_meta(book.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False)).get(MetaKey.KIND, ""))
        if kind and kind != Kind.ROSTER:
            raise FourgoodError([Problem("roster_is_other_kind", file=str(path),
                                         params={"detail": f"template_kind={kind}"})])
    orgs = _read_orgs(book, sheets, path)
    labels = {fold(vi): key for key, vi, _ in ROSTER_COLUMNS} | {fold(en): key for key, _, en in ROSTER_COLUMNS}
    names = [n for n in sheets if n in ROSTER_SHEET.values()] or [n for n in sheets if n not in ORG_SHEET.values()]
    for name in names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for r, row in enumerate(rows[:10]):
            cols = {labels[fold(v)]: c for c, v in enumerate(row) if isinstance(v, str) and fold(v) in labels}
            if "cell_code" in cols and ("parent_code" in cols or "upper_committee" in cols):
                return _frame(rows[r + 1:], cols, path, name, r + 1, orgs)
    raise FourgoodError([Problem("roster_unrecognised", file=str(path))])


def _unreadable(path: Path, exc: Exception) -> Problem:
    """What a file calamine cannot open is, as the submissions' reader would say it; a file that
    is no spreadsheet at all (a PDF, a text file) is named so, never "Cannot detect file format"."""
    try:
        open_view(path.read_bytes())
    except Refused as refused:
        problem = refused.problem
        if problem.code == "not_spreadsheet":
            return Problem("roster_not_spreadsheet", file=str(path), params=problem.params)
        return problem.at(str(path))
    except OSError as error:
        return Problem("corrupt_file", file=str(path), params={"detail": error.strerror or str(error)})
    return Problem("corrupt_file", file=str(path), params={"detail": str(exc)[:160]})


def _get(row: list[Any], cols: dict[str, int], key: str) -> Any:
    c = cols.get(key)
    return row[c] if c is not None and c < len(row) else ""


def _read_orgs(book: CalamineWorkbook, sheets: list[str], path: Path) -> dict[str, tuple[Org, str, str]]:
    """code -> (organisation, parent code, where its parent code is typed), checked: unique codes,
    known parents, no cycles."""
    sheet = next((s for s in sheets if s in ORG_SHEET.values()), None)
    if sheet is None:
        return {}
    rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    labels = {fold(vi): key for key, vi, _ in ORG_COLUMNS} | {fold(en): key for key, _, en in ORG_COLUMNS}
    header = next(((r, {labels[fold(v)]: c for c, v in enumerate(row) if isinstance(v, str) and fold(v) in labels})
                   for r, row in enumerate(rows[:10])
                   if any(isinstance(v, str) and labels.get(fold(v)) == "org_code" for v in row)), None)
    if header is None:
        return {}
    first, cols = header
    orgs: dict[str, tuple[Org, str, str]] = {}
    problems: list[Problem] = []
    for i, row in enumerate(rows[first + 1:], first + 2):
        code = N.normalize_code(_get(row, cols, "org_code"))
        if not code:
            continue
        where = f"{col_letter(cols['org_code'])}{i}"
        if code in orgs:
            problems.append(Problem("roster_org_duplicate", file=str(path), sheet=sheet, cell=where, value=code))
            continue
        kind_text = _get(row, cols, "org_kind")
        kind = kind_from_text(kind_text) or ""
        if N.clean_text(kind_text) and not kind:
            problems.append(Problem("roster_org_kind", file=str(path), sheet=sheet,
                                    cell=f"{col_letter(cols.get('org_kind', 0))}{i}", value=N.clean_text(kind_text)))
        parent = N.normalize_code(_get(row, cols, "org_parent"))
        parent_at = f"{col_letter(cols['org_parent'])}{i}" if "org_parent" in cols else where
        orgs[code] = (Org(code, N.clean_text(_get(row, cols, "org_name")) or code, kind), parent, parent_at)
    for code, (_, parent, at) in orgs.items():
        if parent and parent not in orgs:
            problems.append(Problem("roster_parent_unknown", file=str(path), sheet=sheet, cell=at, value=parent,
                                    criterion=code))
    for code in orgs if not problems else ():
        seen = [code]
        parent = orgs[code][1]
        while parent and parent not in seen:
            seen.append(parent)
            parent = orgs[parent][1]
        if parent:  # back at an organisation already on the way up: one loop, reported once
            problems.append(Problem("roster_org_cycle", file=str(path), sheet=sheet, cell=orgs[code][2],
                                    value=" → ".join([*seen, parent])))
            break
    if problems:
        raise FourgoodError(problems)
    return _with_kinds(orgs)


def _chain(code: str, orgs: dict[str, tuple[Org, str, str]]) -> Chain:
    """The organisations from the top down to `code`."""
    out: list[Org] = []
    while code:
        org, parent, _ = orgs[code]
        out.append(org)
        code = parent
    out.reverse()
    return tuple(out)


def _with_kinds(orgs: dict[str, tuple[Org, str, str]]) -> dict[str, tuple[Org, str, str]]:
    """Levels left blank guessed from each organisation's place in the whole tree (structure.guess_kind),
    top down, so an organisation has one level whichever cell's chain it is seen in."""
    kinds: dict[str, str] = {}

    def kind_of(code: str) -> str:
        if code not in kinds:
            org, parent = orgs[code][0], orgs[code][1]
            kinds[code] = org.kind or guess_kind(kind_of(parent) if parent else None)
        return kinds[code]

    return {code: (Org(org.id, org.name, kind_of(code)), parent, at) for code, (org, parent, at) in orgs.items()}


def _frame(rows: list[list[Any]], cols: dict[str, int], path: Path, sheet: str, first_row: int,
           orgs: dict[str, tuple[Org, str, str]]) -> pd.DataFrame:
    records = []
    problems: list[Problem] = []
    for i, row in enumerate(rows):
        code = N.normalize_code(_get(row, cols, "cell_code"))
        if not code:
            continue
        parent = N.normalize_code(_get(row, cols, "parent_code"))
        grassroots, upper = N.clean_text(_get(row, cols, "grassroots")), N.clean_text(_get(row, cols, "upper_committee"))
        if parent:
            if parent not in orgs:
                problems.append(Problem("roster_parent_unknown", file=str(path), sheet=sheet,
                                        cell=f"{col_letter(cols['parent_code'])}{first_row + i + 1}", value=parent,
                                        criterion=code))
                continue
            chain = _chain(parent, orgs)
            upper, grassroots = level_names(chain)  # by the levels: the names typed beside the cell do not decide
        else:
            chain = chain_from_names("", upper, grassroots)
        records.append({
            "cell_code": code,
            "cell_name": N.clean_text(_get(row, cols, "cell_name")),
            "cell_type": cell_type_from_text(_get(row, cols, "cell_type")) or "",
            "grassroots": grassroots,
            "upper_committee": upper,
            "members": N.parse_whole(_get(row, cols, "members")),
            "roster_row": first_row + i + 1,
            "parent_code": parent,
            "province": chain[0].name if chain and chain[0].kind == PROVINCE else "",
            "org_chain": chain_to_text(chain),
            "former_codes": ";".join(former_codes(_get(row, cols, "former_codes"))),
        })
    if problems:
        raise FourgoodError(problems)
    frame = pd.DataFrame(records, columns=ROSTER_FRAME)
    dupes = frame[frame.duplicated("cell_code", keep=False)]
    if not dupes.empty:
        first = dupes.iloc[1]
        raise FourgoodError([Problem("roster_duplicate_code", file=str(path), sheet=sheet, cell=f"A{first['roster_row']}",
                                     criterion=first["cell_code"])])
    _check_former_codes(frame, path, sheet, col_letter(cols.get("former_codes", 0)))
    return frame


def former_codes(value: Any) -> list[str]:
    """The former codes typed in one cell of the roster: separated by “;” or “,” (or new lines)."""
    text = N.clean_text(value).replace(",", ";").replace("\n", ";")
    return list(dict.fromkeys(code for code in (N.normalize_code(part) for part in text.split(";")) if code))


def _check_former_codes(frame: pd.DataFrame, path: Path, sheet: str, letter: str) -> None:
    """A former code must name one cell: not a code the roster still lists, not given for two cells."""
    current = set(frame["cell_code"])
    owners: dict[str, list[tuple[str, int]]] = {}
    for code, text, row in zip(frame["cell_code"], frame["former_codes"], frame["roster_row"]):
        for old in filter(None, str(text).split(";")):
            owners.setdefault(old, []).append((code, int(row)))
    problems = []
    for old, cells in owners.items():
        if old in current:
            problems.append(Problem("roster_former_code_in_use", file=str(path), sheet=sheet,
                                    cell=f"{letter}{cells[0][1]}", value=old, criterion=cells[0][0]))
        elif len(cells) > 1:
            problems.append(Problem("roster_former_code_twice", file=str(path), sheet=sheet,
                                    cell=f"{letter}{cells[1][1]}", value=old,
                                    expected=", ".join(code for code, _ in cells)))
    if problems:
        raise FourgoodError(problems)


def former_code_map(roster: pd.DataFrame | None) -> dict[str, str]:
    """Former code -> the roster's code of the cell it now is (a cell renamed or merged in the year)."""
    if roster is None or roster.empty or "former_codes" not in roster:
        return {}
    return {old: code for code, text in zip(roster["cell_code"], roster["former_codes"])
            for old in str(text or "").split(";") if old}


__all__ = ["read_roster", "former_code_map", "former_codes", "ROSTER_FRAME", "KINDS"]
