"""One appendix laid out for print: its heading, header row and column widths by openpyxl; its body
rows (possibly 100,000) returned as XML for `sheet_stream.save_with_rows` to splice in; the
conditional formats of its rates and statuses."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain, repeat
from typing import Any

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..contract import plain_value, status_text
from ..document import Letterhead
from ..house_style import AMBER_FILL, GREEN_FILL, RED_FILL
from ..sheet_stream import MAX_TEXT, TIME_TYPES, SheetRows, cell_value, cell_xml, column_tails, distinct
from ..vocab import Status
from .columns import Col
from .geometry import HEAD_ROW, INDENT_CHARS, LINE_PT, ColumnLayout, fit_columns, row_height, shown_text, text_lines
from .letterhead import heading as print_heading
from .style import BOLD_STYLE, HEADER_STYLE, body_style, indented, page_setup

ROW_CHUNK = 1000  # rows turned into XML at a time: memory stays flat, per-call costs are shared


def write_table(ws: Worksheet, frame: pd.DataFrame, cols: list[Col], lang: str, title: str,
                heading: Letterhead | None = None, bold: pd.Series | None = None, appendix: int = 0,
                indent: pd.Series | None = None, indent_key: str = "", unprinted: tuple[str, ...] = ()) -> SheetRows:
    """Lay out one table under its print heading; return its body rows, to be written by
    `save_with_rows` (openpyxl would hold every cell of a large table in memory).

    The rows above the table are the party document's heading (rows 1-4), the title (TITLE_ROW)
    and the period (PERIOD_ROW); the header row is HEAD_ROW on every sheet whatever the heading
    holds, and is repeated on every printed page. `bold`: the rows printed in bold (the summary's
    upper levels), one flag per row of `frame`."""
    heading = heading or Letterhead.placeholder(lang)
    head = HEAD_ROW
    printed = len(cols)  # the trailing columns named in `unprinted` are kept after the print area
    while printed and cols[printed - 1][0] in unprinted:
        printed -= 1
    layout = fit_columns(cols[:printed], frame, lang, bold is not None and bool(bold.any()))
    # columns kept in the file, never printed (the source file's path, problem codes): after the print area
    layout.widths += [float(c[3]) for c in cols[printed:]]
    layout.one_line += [True] * (len(cols) - printed)
    widths = layout.widths[:printed]
    unprinted = tuple(c[0] for c in cols[printed:])
    for j, width in enumerate(layout.widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    print_heading(ws, heading, widths, title, appendix)
    for j, (_, vi, en, _, _) in enumerate(cols, 1):
        HEADER_STYLE.apply(ws.cell(head, j, en if lang == "en" else vi))
    ws.row_dimensions[head].height = row_height([en if lang == "en" else vi for _, vi, en, _, _ in cols[:printed]],
                                                widths, True)
    body = TableBody(ws, frame, [key for key, *_ in cols], [fmt for *_, fmt in cols], layout, head + 1, bold,
                     indent, indent_key)
    rows = body.rows()
    last = head + max(rows.last - head, 1)
    ws.freeze_panes = f"A{head + 1}"
    ws.auto_filter.ref = f"A{head}:{get_column_letter(len(cols))}{last}"
    ws.print_title_rows = f"{head}:{head}"
    if unprinted:
        ws.print_area = f"A1:{get_column_letter(printed)}{last}"
    page_setup(ws, layout.orientation, lang)
    return rows


def _chunks(column: pd.Series | None, n: int) -> Iterator[list[Any]]:
    """The first `n` values of `column` (None for each when there is no column), ROW_CHUNK at a
    time, as Python values: what `frame.to_dict("records")` gave, without a dict per row."""
    for a in range(0, n, ROW_CHUNK):
        b = min(n, a + ROW_CHUNK)
        yield column.iloc[a:b].tolist() if column is not None else [None] * (b - a)


def _column_chunks(frame: pd.DataFrame, key: str) -> Iterator[list[Any]]:
    """`frame[key]` in chunks; a table's rows are none when the frame is empty (as records were)."""
    return _chunks(frame[key] if key in frame else None, 0 if frame.empty else len(frame))


class TableBody:
    """A table's body cells, styled as `body_style` (and `BOLD_STYLE` on the `bold` rows) when laid
    out (`layout`), each row as high as `row_height` measures it; unstyled, with no heights, when not
    (the hidden roll-up sheet). Made into XML ROW_CHUNK rows at a time while saving."""

    def __init__(self, ws: Worksheet, frame: pd.DataFrame, keys: list[str], fmts: list[str | None],
                 layout: ColumnLayout | None, first: int, bold: pd.Series | None = None,
                 indent: pd.Series | None = None, indent_key: str = "") -> None:
        self.ws, self.frame, self.keys, self.fmts, self.layout, self.first = ws, frame, keys, fmts, layout, first
        self.bold = bold
        # per row, the indent level of the `indent_key` column (the party tree's depth): a cell
        # indent, kept on every wrapped line, where spaces typed into the text are lost
        self.indent, self.indent_col = indent, (keys.index(indent_key) if indent_key in keys else -1)
        self._ids: dict[tuple[int, bool, type | None, int], int | None] = {}

    def rows(self) -> SheetRows:
        n = 0 if self.frame.empty else len(self.frame)
        return SheetRows(self.ws, self.first, self.first + n - 1, len(self.keys), self._xml())

    def style_id(self, j: int, value: Any, bold: bool, indent: int = 0) -> int | None:
        """The cell format (xf) of column `j`'s cell holding `value`: found by styling a cell that
        is never placed, exactly as a placed one was styled (a date value first sets a date format)."""
        date = type(value) if isinstance(value, TIME_TYPES) else None
        key = (j, bold, date, indent)
        if key not in self._ids:
            cell = Cell(self.ws, self.first, j + 1, value if date else None)
            if self.layout is not None:
                body_style(self.fmts[j]).apply(cell)
                if bold:
                    BOLD_STYLE.apply(cell)
                if indent:
                    indented(indent).apply(cell)
            self._ids[key] = cell.style_id if cell.has_style else None
        return self._ids[key]

    def _xml(self) -> Iterator[str]:
        letters = [get_column_letter(j) for j in range(1, len(self.keys) + 1)]
        chunks = [_column_chunks(self.frame, key) for key in self.keys]
        bolds = _chunks(self.bold, len(self.bold)) if self.bold is not None else None
        indents = _chunks(self.indent, len(self.indent)) if self.indent is not None else None
        first = self.first
        for raw in zip(*chunks):
            size = len(raw[0])
            rows = list(map(str, range(first, first + size)))
            bold = next(bolds) if bolds is not None else [False] * size
            indent = [int(x) for x in next(indents)] if indents is not None else [0] * size
            pieces: list[Iterable[str]] = []
            lines = []
            for j, (letter, values) in enumerate(zip(letters, raw)):
                values = _stored_column(values)
                pieces += self._cells(j, letter, rows, values, bold, indent)
                if self.layout is not None and (not self.layout.one_line[j] or j == self.indent_col):
                    lines.append(self._lines(j, values, indent))
            if self.layout is None:
                heads = [f'<row r="{r}">' for r in rows]
            else:  # as row_height: the most lines of any cell of the row
                heights = list(map(max, zip(*lines))) if lines else [1] * size
                tags = {n: f'" ht="{n * LINE_PT + 3:.16g}" customHeight="1">' for n in set(heights)}  # as row_xml
                heads = ['<row r="' + r + tags[n] for r, n in zip(rows, heights)]
            yield "".join(chain.from_iterable(zip(heads, *pieces, repeat("</row>", size))))
            first += size

    def _cells(self, j: int, letter: str, rows: list[str], values: list[Any], bold: list[bool],
               indent: list[int]) -> tuple[Iterable[str], Iterable[str], Iterable[str]]:
        """Column `j`'s `<c>` elements for one chunk of rows, in three pieces per row joined in
        the row: `<c r="` and the letter, the row number, the rest (`column_tails`). Column by
        column where one format serves every plain row and another every bold one; cell by cell
        (the whole element in the last piece) where the format follows the value or the row's
        indent (dates, the party tree's names), or where a cell is left unwritten."""
        n = len(rows)
        if j == self.indent_col:
            return repeat("", n), repeat("", n), [cell_xml(letter + r, v, self.style_id(j, v, b, k))
                                for r, v, b, k in zip(rows, values, bold, indent)]
        if any(issubclass(kind, TIME_TYPES) for kind in set(map(type, values))):  # a date's format follows its type
            return repeat("", n), repeat("", n), [cell_xml(letter + r, v, self.style_id(j, v, b))
                                                  for r, v, b in zip(rows, values, bold)]
        tails = column_tails(values, self.style_id(j, None, False))
        if True in bold:
            tails = [x if b else y for x, y, b in zip(column_tails(values, self.style_id(j, None, True)), tails, bold)]
        head = '<c r="' + letter
        if "" in tails:  # an unstyled empty cell is not written at all
            return repeat("", n), repeat("", n), [head + r + t if t else "" for r, t in zip(rows, tails)]
        return repeat(head, n), rows, tails

    def _lines(self, j: int, values: list[Any], indent: list[int]) -> list[int]:
        """The lines each of column `j`'s `values` wraps to, for the rows' heights: each distinct
        text measured once."""
        assert self.layout is not None
        fmt, width = self.fmts[j], self.layout.widths[j]
        texts = [v if v.__class__ is str else shown_text(v, fmt) for v in values]
        if j == self.indent_col:  # an indent level takes about three characters of the line
            return [text_lines(t, max(width - INDENT_CHARS * k, 4)) if t else 1 for t, k in zip(texts, indent)]
        lines = {t: text_lines(t, width) if t else 1 for t in dict.fromkeys(texts)}
        return [lines[t] for t in texts]


def _stored(value: Any) -> Any:
    """What write_table's cell held: plain_value, then as openpyxl stores it (sheet_stream.cell_value)."""
    if value.__class__ is float:  # most cells: a float column's values, NaN for empty
        return None if value != value else value
    return cell_value(value if value.__class__ is str else plain_value(value))


_PLAIN = frozenset({str, type(None), float, int, bool})  # what `_stored` keeps as it is (but NaN)


def _stored_column(values: list[Any]) -> list[Any]:
    """`_stored` of each of `values`: a column of texts, numbers and None as it is, NaN as None,
    when its texts are none too long and carry no illegal character (checked at once); else each
    distinct text checked on its own."""
    kinds = set(map(type, values))
    if kinds <= _PLAIN:
        texts = [v for v in distinct(values) if v.__class__ is str]
        if not texts or (max(map(len, texts)) <= MAX_TEXT and not ILLEGAL_CHARACTERS_RE.search("".join(texts))):
            return [None if v != v else v for v in values] if float in kinds else values
    stored = {v: _stored(v) for v in distinct(values) if isinstance(v, str)}
    return [stored[v] if v.__class__ is str else (None if v != v else v) if v.__class__ is float
            else v if v.__class__ is int or v.__class__ is bool else _stored(v) for v in values]


def status_rules(ws: Worksheet, col: int, head: int, last: int, lang: str, thresholds: list[float]) -> None:
    """The cell list's result column coloured by status: green meets, red below/excluded/invalid, amber incomplete."""
    letter = get_column_letter(col)
    rng = f"{letter}{head + 1}:{letter}{max(last, head + 1)}"
    fills = {Status.MEETS: GREEN_FILL, Status.BELOW: RED_FILL, Status.VETO: RED_FILL, Status.INCOMPLETE: AMBER_FILL,
             Status.INVALID: RED_FILL}
    labels = {(status_text(s, lang, t), fill) for s, fill in fills.items() for t in ((*thresholds,) or (None,))}
    for text, fill in sorted(labels, key=lambda x: x[0]):
        quoted = text.replace('"', '""')
        ws.conditional_formatting.add(rng, FormulaRule(formula=[f'{letter}{head + 1}="{quoted}"'], fill=fill))


def rate_rules(ws: Worksheet, col: int, head: int, last: int) -> None:
    """A rate column: red under 80%, green from 95%."""
    letter = get_column_letter(col)
    rng = f"{letter}{head + 1}:{letter}{max(last, head + 1)}"
    first = f"{letter}{head + 1}"  # a blank rate is "nothing decided": never coloured (a blank is 0 to CellIsRule)
    ws.conditional_formatting.add(rng, FormulaRule(formula=[f"AND(ISNUMBER({first}),{first}<0.8)"], fill=RED_FILL))
    ws.conditional_formatting.add(rng, FormulaRule(formula=[f"AND(ISNUMBER({first}),{first}>=0.95)"], fill=GREEN_FILL))
