"""sheet_stream writes rows as openpyxl would, and the report's large tables go through it unchanged.

- every kind of value (text to escape, spaces to keep, numbers, booleans, dates, None, empty text,
  NaN and infinities) gives the very `<c>` element openpyxl's normal mode writes for it;
- text is cut at 32,767 characters and characters XML 1.0 cannot carry are refused, as openpyxl does;
- rows spliced into a saved workbook land between the rows above and the rows below (a signature
  block under a table), ascending; the dimension grows; formats first used by the rows are in the
  style table; row heights are kept; openpyxl and python-calamine read it all back;
- write_table's streamed body: bold rows, date formats, heights measured as `_height` does.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from io import BytesIO

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils.exceptions import IllegalCharacterError
from python_calamine import CalamineWorkbook

from fourgood.report.geometry import HEAD_ROW, LINE_PT, fit_columns
from fourgood.report.geometry import row_height as _height
from fourgood.report.geometry import shown_text as _shown_text
from fourgood.report.style import BODY_FONT
from fourgood.report.table_sheet import write_table
from fourgood.sheet_stream import MAX_TEXT, SheetRows, cell_value, cell_xml, column_xml, row_xml, save_with_rows

VALUES = ["plain", "a & b < c > d \"q\" 'a'", "  spaces kept  ", "   ", "", "=SUM(A1:A2)", "#N/A",
          "line\nbreak", "tab\there", "Chi bộ “4 tốt” — 𝔘", None, 0, -0.0, 2.5, 1 / 3, 12345678901234567, 1e-300,
          float("inf"), float("nan"), True, False, dt.date(2026, 11, 30), dt.datetime(2026, 11, 30, 9, 15, 30),
          dt.time(12, 30)]


def _openpyxl_cells(values: list, style: Font | None = None) -> list[tuple[bytes, int | None]]:
    """The `<c>` element openpyxl writes for each of `values` in column A (text forced to text,
    as the report does), and the cell's format number in that workbook (None: unstyled)."""
    wb = Workbook()
    ws = wb.active
    cells = []
    for i, value in enumerate(values, 1):
        cell = ws.cell(i, 1, value)
        if isinstance(value, str):
            cell.data_type = "s"
        if style is not None:
            cell.font = style
        cells.append(cell)
    buffer = BytesIO()
    wb.save(buffer)
    sheet = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml")
    return [(re.search(rb'<row r="%d"[^>]*>(.*?)</row>' % i, sheet, re.S).group(1),
             cell.style_id if cell.has_style else None) for i, cell in enumerate(cells, 1)]


@pytest.mark.parametrize("style", [None, Font(name="Times New Roman", bold=True)], ids=["unstyled", "styled"])
def test_cells_are_what_openpyxl_writes(style):
    for i, (value, (want, style_id)) in enumerate(zip(VALUES, _openpyxl_cells(VALUES, style)), 1):
        got = cell_xml(f"A{i}", cell_value(value), style_id)  # unstyled, a date still has its number format
        assert got.encode() == want, (value, got, want)


# awkward values as a column holds them, repeated (a column's texts are made once) and in every order
COLUMN = [np.str_("plain"), *VALUES, "plain", None, "", 0.0, -0.0, 0, 1, 1.0, True, float("nan"), float("-inf"), "  spaces kept  ",
          "x" * MAX_TEXT, "a&b", "a&b", "1", 1, "True", "\x00 nul", "\u3000", "\u3000wide space", "tab\t", 5e-324, 1.7976931348623157e308, -(2 ** 70), "None", " ", "\n"]


@pytest.mark.parametrize("style", [None, 0, 7], ids=["unstyled", "format 0", "format 7"])
@pytest.mark.parametrize("order", ["as listed", "reversed"])
def test_a_column_at_once_is_cell_xml_cell_by_cell(style, order):
    values = COLUMN if order == "as listed" else COLUMN[::-1]
    rows = [str(r) for r in range(10, 10 + len(values))]
    got = column_xml("AB", rows, values, style)
    assert got == [cell_xml(f"AB{r}", v, style) for r, v in zip(rows, values)]
    assert got[values.index(None)] == ("" if style is None else f'<c r="AB{rows[values.index(None)]}" s="{style}" t="n" />')


def test_a_column_of_texts_escaped_at_once_is_each_text_escaped():
    """Texts alone (escaped in one pass over the column, unless one holds NUL) give cell_xml's elements:
    spaces kept where stripping would lose some, whitespace of every kind, entities escaped again."""
    texts = [v for v in COLUMN if isinstance(v, str) and "\x00" not in v]
    texts += ["  ", "\n", " a", "a ", "\u3000", "x\u3000", "\u00a0y", "&amp;", "<<>>", "\r\n", "a\x85", "", "é"]
    for values in (texts, texts[::-1], [*texts, "\x00"]):
        rows = [str(r) for r in range(1, len(values) + 1)]
        for style in (None, 4):
            assert column_xml("D", rows, values, style) == [cell_xml(f"D{r}", v, style) for r, v in zip(rows, values)]


def test_a_column_of_texts_and_numbers_as_a_frame_gives_them():
    """The values of a frame's columns as the report reads them (`tolist`): text with NaN for
    missing, floats, integers, booleans, objects mixing them; each column at once as cell by cell."""
    frame = pd.DataFrame({"text": pd.Series(["a", None, "a", " b", "<&>"], dtype=pd.StringDtype("python", na_value=float("nan"))),
                          "float": [1.5, float("nan"), -0.0, float("inf"), 1e16], "int": [1, 0, -3, 2 ** 53 + 1, 7],
                          "bool": [True, False, True, True, False], "mixed": ["1", 1, 1.0, True, None],
                          "zeros": pd.Series([0.0, -0.0, 0, -0.0, 1], dtype=object),
                          "texts": pd.Series(["x", None, "x", None, ""], dtype=object)})
    for key in frame:
        for values in (frame[key].tolist(), frame[key].tolist()[::-1]):
            rows = [str(r) for r in range(1, len(values) + 1)]
            for style in (None, 3):
                want = [cell_xml(f"C{r}", v, style) for r, v in zip(rows, values)]
                assert column_xml("C", rows, values, style) == want, (key, values, style)


def test_a_column_refuses_what_cell_xml_refuses():
    with pytest.raises(TypeError, match="timezones"):
        column_xml("A", ["1", "2"], ["ok", dt.datetime(2026, 1, 1, tzinfo=dt.UTC)], None)
    with pytest.raises(TypeError):
        column_xml("A", ["1"], [["a list"]], None)


def test_unstyled_empty_cells_are_not_written_styled_ones_are():
    assert cell_xml("B2", None, None) == ""
    assert cell_xml("B2", None, 3) == '<c r="B2" s="3" t="n" />'
    assert cell_xml("B2", "", None) == '<c r="B2" t="inlineStr" />'


def test_escaping_and_spaces():
    assert cell_xml("A1", "x<y & z>w", 1) == '<c r="A1" s="1" t="inlineStr"><is><t>x&lt;y &amp; z&gt;w</t></is></c>'
    assert 'xml:space="preserve"' in cell_xml("A1", " lead", None)
    assert 'xml:space="preserve"' in cell_xml("A1", "trail\n", None)
    assert 'xml:space="preserve"' not in cell_xml("A1", "inner  space", None)
    assert cell_xml("A1", "=1+1", None) == '<c r="A1" t="inlineStr"><is><t>=1+1</t></is></c>'  # text, never a formula


def test_numbers_booleans_dates():
    assert cell_xml("C3", 1 / 3, None) == '<c r="C3" t="n"><v>0.3333333333333333</v></c>'
    assert cell_xml("C3", 12345678901234567, None) == '<c r="C3" t="n"><v>1.234567890123457e+16</v></c>'
    assert cell_xml("C3", float("nan"), None) == '<c r="C3" t="n"><v /></c>'
    assert cell_xml("C3", True, None) == '<c r="C3" t="b"><v>1</v></c>'
    assert cell_xml("C3", False, 2) == '<c r="C3" s="2" t="b"><v>0</v></c>'
    assert cell_xml("C3", dt.date(1900, 3, 1), 4) == '<c r="C3" s="4" t="n"><v>61</v></c>'
    assert cell_xml("C3", dt.datetime(2026, 11, 30, 18), 4) == '<c r="C3" s="4" t="n"><v>46356.75</v></c>'
    with pytest.raises(TypeError, match="timezones"):
        cell_xml("C3", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), 4)


def test_text_is_cut_and_illegal_characters_refused_as_openpyxl_does():
    long = "x" * (MAX_TEXT + 10)
    assert cell_value(long) == Cell(Workbook().active, 1, 1, long).value == "x" * MAX_TEXT
    for bad in ("bell \x07", "vertical tab \x0b", "escape \x1b"):
        with pytest.raises(IllegalCharacterError):
            Cell(Workbook().active, 1, 1, bad)
        with pytest.raises(IllegalCharacterError):
            cell_value(bad)
    assert cell_value("tab \t, newline \n, return \r") == "tab \t, newline \n, return \r"
    with pytest.raises(ValueError, match="Cannot convert"):
        cell_value(object())
    for value in (None, 1, 2.5, True, dt.date(2026, 1, 1)):
        assert cell_value(value) is value


def test_row_height():
    assert row_xml(12, "<c/>") == '<row r="12"><c/></row>'
    assert row_xml(12, "", 17.5) == '<row r="12" ht="17.5" customHeight="1"></row>'
    assert row_xml(12, "", 32.0) == '<row r="12" ht="32" customHeight="1"></row>'  # as openpyxl writes 32.0


def _book_with_a_gap() -> tuple[Workbook, object]:
    """A sheet with a heading (rows 1-2) and a signature (row 8) around where rows 3-6 go."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Table"
    ws.cell(1, 1, "Title")
    ws.cell(2, 1, "Header A")
    ws.cell(2, 2, "Header B")
    ws.cell(8, 1, "Signed")
    ws.row_dimensions[8].height = 22
    wb.create_sheet("Other").cell(1, 1, "untouched")
    return wb, ws


def test_rows_spliced_between_heading_and_signature(tmp_path):
    wb, ws = _book_with_a_gap()

    def body():
        # formats no cell of the saved workbook has, first asked for while the rows are being
        # written: the style table written after the rows must hold them
        date = Cell(ws, 4, 3, dt.date(2026, 11, 30))
        bold = Cell(ws, 5, 1)
        bold.font = Font(bold=True, italic=True)
        yield row_xml(3, cell_xml("A3", "a & b", None) + cell_xml("B3", 1.5, None) + cell_xml("C3", None, None), 17.5)
        yield row_xml(4, cell_xml("A4", " x ", None) + cell_xml("B4", True, None) + cell_xml("C4", date.value,
                                                                                              date.style_id), 32.0)
        yield row_xml(5, cell_xml("A5", "", bold.style_id) + cell_xml("C5", "last", None), 17.5)
        yield row_xml(6, cell_xml("A6", "z", None) + cell_xml("B6", 2, None) + cell_xml("C6", 3, None), 46.5)

    out = tmp_path / "spliced.xlsx"
    save_with_rows(wb, out, [SheetRows(ws, 3, 6, 3, body())])

    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert [int(n) for n in re.findall(r'<row r="(\d+)"', sheet)] == [1, 2, 3, 4, 5, 6, 8]  # ascending
    assert '<dimension ref="A1:C8" />' in sheet

    back = load_workbook(out)
    t = back["Table"]
    assert [c.value for c in t[3]] == ["a & b", 1.5, None]
    assert [c.value for c in t[4]][:2] == [" x ", True]
    assert t["C4"].value == dt.datetime(2026, 11, 30) and t["C4"].number_format == "yyyy-mm-dd"
    assert t["A5"].font.b and t["A5"].font.i
    assert t["A8"].value == "Signed" and t.row_dimensions[8].height == 22
    assert [t.row_dimensions[r].height for r in range(3, 7)] == [17.5, 32, 17.5, 46.5]
    assert back["Other"]["A1"].value == "untouched"

    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Table").to_python(skip_empty_area=False)
    assert rows[2][:2] == ["a & b", 1.5] and rows[3][:2] == [" x ", True] and rows[5] == ["z", 2, 3]
    assert rows[7][0] == "Signed"


def test_empty_body_and_rows_that_collide():
    wb, ws = _book_with_a_gap()
    out = BytesIO()
    save_with_rows(wb, out, [SheetRows(ws, 3, 2, 3, iter([]))])  # no rows: nothing changes
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert '<dimension ref="A1:B8" />' in sheet
    assert re.findall(r'<row r="(\d+)"', sheet) == ["1", "2", "8"]
    with pytest.raises(ValueError, match="row 8"):  # the body may not overwrite a row openpyxl wrote
        save_with_rows(wb, BytesIO(), [SheetRows(ws, 3, 9, 3, iter([]))])


def test_body_of_a_sheet_with_no_rows():
    wb = Workbook()
    ws = wb.active
    out = BytesIO()
    save_with_rows(wb, out, [SheetRows(ws, 1, 2, 2, iter([row_xml(1, cell_xml("A1", 1, None)),
                                                             row_xml(2, cell_xml("B2", "b", None))]))])
    back = load_workbook(out).active
    assert (back["A1"].value, back["B2"].value, back.max_row, back.max_column) == (1, "b", 2, 2)


def test_write_table_streams_the_body_as_it_laid_it_out():
    frame = pd.DataFrame({"name": ["Đảng bộ tỉnh", "Chi bộ số 1 " + "rất dài " * 12, "Chi bộ 2\nghi chú", None],
                          "score": [97.5, float("nan"), -0.0, 95.0],
                          "when": [dt.date(2026, 11, 30), "không rõ", None, dt.datetime(2026, 1, 2, 3, 4)]})
    cols = [("name", "Tên", "Name", 30, None), ("score", "Điểm", "Score", 9, "0.0"), ("when", "Ngày", "Date", 12, None)]
    wb = Workbook()
    ws = wb.active
    bold = pd.Series([True, False, False, False])
    rows = write_table(ws, frame, cols, "vi", "TIÊU ĐỀ", bold=bold)
    assert (rows.first, rows.last, rows.width) == (HEAD_ROW + 1, HEAD_ROW + 4, 3)
    out = BytesIO()
    save_with_rows(wb, out, [rows])
    back = load_workbook(out).active
    widths = fit_columns(cols, frame, "vi").widths
    for i, record in enumerate(frame.to_dict("records")):
        r = HEAD_ROW + 1 + i
        cells = [back.cell(r, j) for j in (1, 2, 3)]
        texts = [_shown_text(None if isinstance(v, float) and v != v else v, fmt)
                 for v, (*_, fmt) in zip(record.values(), cols)]
        assert back.row_dimensions[r].height == _height(texts, widths), r
        assert all(c.font.b == bool(bold[i]) and c.font.name == BODY_FONT.name for c in cells)
        assert all(c.border.left.style == "thin" and c.alignment.wrap_text for c in cells)
        assert cells[1].number_format == "0.0"
    assert back.row_dimensions[HEAD_ROW + 2].height > 2 * LINE_PT  # the long name wraps
    assert back.row_dimensions[HEAD_ROW + 3].height == 2 * LINE_PT + 3  # two lines: a line break
    assert back.cell(HEAD_ROW + 1, 3).number_format == "yyyy-mm-dd"  # a date keeps openpyxl's date format
    assert back.cell(HEAD_ROW + 4, 3).number_format == "yyyy-mm-dd h:mm:ss"
    assert back.cell(HEAD_ROW + 2, 3).number_format == "General"
    assert back.auto_filter.ref == f"A{HEAD_ROW}:C{HEAD_ROW + 4}"


def test_a_short_text_with_a_line_break_is_measured():
    frame = pd.DataFrame({"a": ["x", "y"], "note": ["một\nhai", "ba"]})
    cols = [("a", "A", "A", 10, None), ("note", "Ghi chú", "Note", 30, None)]
    wb = Workbook()
    out = BytesIO()
    save_with_rows(wb, out, [write_table(wb.active, frame, cols, "vi", "T")])
    back = load_workbook(out).active
    assert back.row_dimensions[HEAD_ROW + 1].height == 2 * LINE_PT + 3
    assert back.row_dimensions[HEAD_ROW + 2].height == LINE_PT + 3


@pytest.mark.parametrize("dtype, fmt, values, alone, other", [
    (float, "0.0", [0.0, -0.0], [-0.0], [0.0]),  # "-0.0" is longer than "0.0"
    (object, None, [1, True], [True], [1]),  # "True" is longer than "1"
], ids=["minus zero", "True and 1"])
def test_widths_count_values_that_print_differently(dtype, fmt, values, alone, other):
    """Values that are one key but print differently are each measured (widths from distinct values)."""
    def widths(column: list) -> list[float]:
        frame = pd.DataFrame({"v": pd.Series(column, dtype=dtype), "w": "x"})
        return fit_columns([("v", "V", "V", 40, fmt), ("w", "W", "W", 40, None)], frame, "vi").widths
    assert widths(values) == widths(alone) != widths(other)


def test_openpyxl_writes_with_its_own_xml_writer_even_where_lxml_is_installed():
    """With lxml installed openpyxl would write other bytes than the bundled templates and the streamed
    sheets follow; importing fourgood chooses openpyxl's own writer, whatever the environment asks."""
    import os
    import subprocess
    import sys

    pytest.importorskip("lxml")
    code = "import fourgood, openpyxl.xml; print(openpyxl.xml.LXML)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "OPENPYXL_LXML": "True"})
    assert out.stdout.strip() == "False"
