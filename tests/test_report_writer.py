"""The report writer's shortcuts give what the long way gives (issue 18: the writer, column by column):

- input files resolved once per folder are shown as resolving and relativising each file shows them;
- a column's values stored, measured and wrapped once per distinct text are as each cell's;
- a text's printed width summed from a table of letters is the letter-by-letter width.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata

import numpy as np
import pandas as pd
import pytest

from fourgood.report import geometry
from fourgood.report.geometry import _TIMES, BODY_PT, TEXT_MARGIN, fit_columns, text_pt
from fourgood.report.table_sheet import _stored, _stored_column
from fourgood.report.tables import shown_paths


def _shown_one_by_one(files: list) -> dict[str, str]:
    """shown_paths as it was: every file resolved and made relative on its own."""
    paths = {f: os.path.realpath(f) for f in files if isinstance(f, str) and f}
    if len(paths) < 2:
        shown = {f: os.path.basename(p) for f, p in paths.items()}
    else:
        base = os.path.commonpath({os.path.dirname(p) for p in paths.values()})
        shown = {f: os.path.relpath(p, base).replace(os.sep, "/") for f, p in paths.items()}
    return {paths[f]: v for f, v in shown.items()} | shown


def test_files_resolved_per_folder_are_shown_as_each_file_resolved_alone(tmp_path, monkeypatch):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "c").mkdir()
    (tmp_path / "a" / "b" / "x.xlsx").touch()
    (tmp_path / "c" / "y.xlsx").touch()
    (tmp_path / "link").symlink_to(tmp_path / "a" / "b")  # a linked folder
    (tmp_path / "a" / "y-link.xlsx").symlink_to(tmp_path / "c" / "y.xlsx")  # a linked file
    monkeypatch.chdir(tmp_path)
    t = str(tmp_path)
    for files in ([f"{t}/a/b/x.xlsx", f"{t}/c/y.xlsx"],
                  [f"{t}/link/x.xlsx", f"{t}/a/y-link.xlsx", "c/y.xlsx", "a/b/../b/x.xlsx", "gone.xlsx", "", None,
                   float("nan"), f"{t}/a/b/", f"{t}/a/.", "a/..", "c//y.xlsx", "./c/./y.xlsx"],
                  [f"{t}/a/b", f"{t}/a/b/x.xlsx"], ["only.xlsx"], [f"{t}/a/b/x.xlsx"] * 3, []):
        got, want = shown_paths(files), _shown_one_by_one(files)
        assert list(got.items()) == list(want.items()), files


AWKWARD = ["Chi bộ 1", "Chi bộ 1", "", " lead", "trail ", "a & <b>", "x" * 40000, None, float("nan"), 0.0, -0.0,
           1.5, float("inf"), 3, True, False, np.int64(7), np.float64("nan"), np.str_("Chi bộ 1"),
           dt.date(2026, 11, 30), pd.Timestamp("2026-11-30 09:15"), "line\nbreak", "Chi bộ 1"]


PLAIN = ["Chi bộ 1", "Chi bộ 1", "", " lead", "a & <b>", None, float("nan"), 0.0, -0.0, 1.5, float("inf"), 3, True,
         "line\nbreak"]


@pytest.mark.parametrize("order", ["as listed", "reversed"])
@pytest.mark.parametrize("column", [AWKWARD, PLAIN, [*PLAIN, "x" * 40000], ["a", "b"], [1.5, float("nan")], [None, 2]],
                         ids=["awkward", "plain", "a text to cut", "texts", "floats", "ints"])
def test_a_column_stored_at_once_is_each_cell_stored(order, column):
    values = column if order == "as listed" else column[::-1]
    got, want = _stored_column(values), [_stored(v) for v in values]
    assert [(type(v), repr(v)) for v in got] == [(type(v), repr(v)) for v in want]


def test_an_illegal_character_is_refused_when_stored_at_once():
    from openpyxl.utils.exceptions import IllegalCharacterError

    with pytest.raises(IllegalCharacterError):
        _stored_column(["ok", "bell \x07", "ok"])
    with pytest.raises(IllegalCharacterError):
        _stored_column(["ok", 1.5, "escape \x1b"])


fast_distinct = geometry._distinct


def test_widths_from_each_text_once_are_the_widths_from_every_cell(monkeypatch):
    """An object column's repeated texts are measured once: the same widths and one-line flags as
    measuring every cell, whatever the order (a longer word seen first hides shorter ones)."""
    words = ["WWWWWWWWWWWWWWWW", "iiiiiiiiiiiiiiiiiiii", "Đảng bộ xã Tân Thành", "a\nb", "mmmmmmmmmmmmmmmmmm"]
    rng = np.random.default_rng(1)
    cols = [("v", "Giá trị", "Value", 14, None), ("n", "Số", "Number", 8, "0.0"), ("w", "Tên", "Name", 30, None)]
    for _ in range(20):
        picked = list(rng.choice(words, 12))
        frame = pd.DataFrame({"v": pd.Series([*picked[:6], 1, True, None, *picked[6:]], dtype=object),
                              "n": rng.choice([0.0, -0.0, 12.25, np.nan], 15),
                              "w": pd.Series(rng.choice(words, 15), dtype=object)})
        fast = fit_columns(cols, frame, "vi")
        with monkeypatch.context() as m:
            m.setattr(geometry, "_distinct", lambda c: c.tolist() if c.dtype == object else fast_distinct(c))
            every = fit_columns(cols, frame, "vi")
        assert (fast.widths, fast.one_line, fast.orientation) == (every.widths, every.one_line, every.orientation)


def _scanned(col, frame, lang, bold):
    """geometry._measure as a scan of the values one by one (what it was): the reference."""
    from fourgood.contract import plain_value
    from fourgood.report.geometry import CHAR_PT, MAX_WORD_PT, PAD_PT, _Measure, column_pt, shown_text

    key, vi, en, declared, fmt = col
    header = en if lang == "en" else vi
    word, word_pt, longest, longest_pt, broken = 1, 0.0, 0, 0.0, False
    values = [] if frame.empty else geometry._distinct(frame[key]) if key in frame else [None]
    for value in values:
        text = value if value.__class__ is str else shown_text(plain_value(value), fmt)
        if len(text) > word - 3:
            for w in text.split():
                if len(w) > word - 3:
                    word, word_pt = max(word, len(w)), max(word_pt, text_pt(w, bold))
        if len(text) > longest - 3:
            longest_pt = max(longest_pt, text_pt(text, bold))
        longest, broken = max(longest, len(text)), broken or "\n" in text
    head_pt = max([text_pt(w, True) for w in header.split()] or [0.0])
    low = min(max(head_pt, word_pt) + PAD_PT, MAX_WORD_PT)
    want = max(low, min(column_pt(declared), longest * CHAR_PT + PAD_PT) if longest else low)
    return _Measure(low, want, longest_pt, broken)


def test_a_column_measured_at_once_is_measured_as_a_scan_of_its_values():
    """Words and texts are measured when longer than (or nearly as long as) the longest before them:
    which are measured depends on the order, and narrow long words hide wide short ones."""
    words = ["WWWWWWWWWWWW", "iiiiiiiiiiiiiiii", "Đảng", "bộ", "xã", "Tân", "mmmmmmmmmm", "a\nb", "ĐĐĐĐĐĐĐĐĐ", "..........",
             "", "  ", "\n", "lllllllllllllllllll", "MMMMMMMMMMMMMM"]
    rng = np.random.default_rng(7)
    for trial in range(300):
        many = 200 if trial % 10 == 0 else 12  # enough to be summed by NumPy (geometry.widest)
        texts = [" ".join(rng.choice(words, rng.integers(0, 4))) for _ in range(rng.integers(0, many))]
        frame = pd.DataFrame({"t": pd.Series(texts, dtype=object),
                              "n": rng.choice([0.0, -0.0, 12.25, 1234567.5, np.nan], len(texts)),
                              "s": pd.Series(texts, dtype=pd.StringDtype("python", na_value=np.nan))})
        for col in [("t", "Tên gọi", "Name", 20, None), ("n", "Điểm", "Score", 8, "0.0"), ("n", "Cỡ", "Size", 8, "#,##0"),
                    ("s", "Chữ", "Text", 30, None), ("gone", "Không có", "Absent", 10, None)]:
            for bold in (False, True):
                assert geometry._measure(col, frame, "vi", bold) == _scanned(col, frame, "vi", bold), (trial, col, texts)


def test_the_widest_of_many_texts_is_the_largest_text_width():
    from fourgood.report.geometry import widest

    rng = np.random.default_rng(3)
    letters = list("Wil. MĐđảệ“”…—\n\t") + ["𝔘", "中", "☃", "\ud800", "\ud835\udd18", "é", "e\u0301"]
    for n in (0, 1, 63, 64, 65, 500):
        texts = ["".join(rng.choice(letters, rng.integers(0, 30))) for _ in range(n)]
        for bold in (False, True):
            assert widest(texts, bold) == max([text_pt(t, bold) for t in texts], default=0.0), (n, bold)
    assert widest([""] * 100) == 0.0


def test_a_text_width_from_the_table_of_letters_is_its_letters_widths():
    def letter_by_letter(text: str, bold: bool) -> float:
        units = 0
        for ch in text:
            w = _TIMES.get(ch)
            units += _TIMES.get(unicodedata.normalize("NFD", ch)[:1], 556) if w is None else w
        return units * BODY_PT / 1000 * TEXT_MARGIN * (1.1 if bold else 1.0)

    for text in ("", "Chi bộ “4 tốt” — Đảng bộ xã Ẩm Thượng…", "ABC abc 123 ~{}", "𝔘 中文 ☃ \t\n", "ếộ" * 50):
        for bold in (False, True):
            assert text_pt(text, bold) == letter_by_letter(text, bold), (text, bold)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_status_labels_worded_once_per_status_and_threshold_are_each_rows(lang):
    from fourgood.report.tables import _Words

    frame = pd.DataFrame({"status": ["meets", "below", "below", "below", "below", "missing", "veto", None, "below"],
                          "threshold": [95.0, 95.0, 90.0, float("nan"), -0.0, 95.0, 0.0, 95.0, 0.0]})
    for thresholds in ([95.0], [90.0, 95.0]):
        w = _Words(lang, {}, thresholds, {})
        assert w.labels(frame) == [w.status(s, t) for s, t in zip(frame["status"], frame["threshold"])]
        assert w.labels(frame.iloc[::-1]) == [w.status(s, t) for s, t in zip(frame["status"][::-1], frame["threshold"][::-1])]


def _merged_book(merge_cells) -> dict[str, bytes]:
    """A sheet of merges as the report page makes them: boxed cells styled across a span, then
    merged (the bottom-right cell there, or not), some merges repeating, some unstyled; the saved
    parts."""
    import zipfile
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Border, Side

    from fourgood.report.style import HEADER_STYLE, body_style

    wb = Workbook()
    ws = wb.active
    spans = [[(1, 3), (4, 8)], [(2, 5), (6, 7)], [(1, 2), (4, 8)]]
    for row in range(1, 13):
        for a, b in spans[row % 3]:
            style = HEADER_STYLE if row % 4 == 0 else body_style("0.0" if row % 2 else None)
            for k in range(a, b + (row % 5 != 0)):  # every fifth row: the bottom-right cell not there
                style.apply(ws.cell(row, k, f"r{row}c{k}" if k == a else None))
            if row % 5 == 1:  # a top-left cell with no box: the bottom-right cell's right and bottom go to it
                ws.cell(row, a).border = Border()
                ws.cell(row, b).border = Border(right=Side(style="thick"), bottom=Side(style="double"))
            elif row % 5 == 2:
                ws.cell(row, a).border = Border()
            merge_cells(ws, row, a, b)
    ws.cell(14, 2, "plain")
    merge_cells(ws, 14, 2, 4)
    merge_cells(ws, 15, 2, 4)  # an empty top-left cell
    out = BytesIO()
    wb.save(out)
    with zipfile.ZipFile(out) as z:
        return {name: z.read(name) for name in z.namelist() if name != "docProps/core.xml"}


def test_merges_with_formats_found_once_are_openpyxls_merges():
    from fourgood.report.style import merge_row

    def openpyxl_merge(ws, row, first, last):
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)

    assert _merged_book(merge_row) == _merged_book(openpyxl_merge)
