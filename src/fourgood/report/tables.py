"""The month view's appendices as data (ReportTable), one function per table; `report_tables`
gives them in their order, or the year view's for a year report."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..check import file_report_frame
from ..contract import ROLLUP_STATUSES, content_of_column, status_text
from ..problems import NOT_A_FORM_LABEL, severity_label
from ..rollup import Consolidation, content_columns
from ..structure import UPPER, kind_label
from ..vocab import Status, Verdict
from .columns import COUNT_COLS, LEVEL_COLS, PERIOD_COL, Col, ReportTable
from .labels import SHEET_NAMES, SHORT_TYPES, criterion_text, thresholds_of, tr, type_name
from .year_tables import year_tables

QUOTED = re.compile(r"“([^”]+)”")


def shown_paths(files: list[str]) -> dict[str, str]:
    """Each input file as the board knows it: its path inside the folder that holds them all (the
    folder consolidated), whole, never shortened, so two files of the same name stay apart."""
    # strings, and the common folder of the distinct folders: 100,000 resolved Paths and their
    # split parts held at once took about 100 MB
    # Keyed by the name as given and by its resolved path (messages may quote either): each path is
    # resolved once per report, not once per table; each folder once (`_resolved`).
    paths = _resolved(files)
    if len(paths) < 2:
        shown = {f: name for f, (_, _, name) in paths.items()}
    else:
        try:
            base = os.path.commonpath({folder for _, folder, _ in paths.values()})
        except ValueError:  # different drives
            return {}
        inside: dict[str, str] = {}  # a folder's path from `base`

        def relative(p: str, folder: str, name: str) -> str:  # os.path.relpath(p, base), each folder once
            if not name:
                return os.path.relpath(p, base)
            if folder not in inside:
                inside[folder] = os.path.relpath(folder, base)
            return name if inside[folder] == os.curdir else os.path.join(inside[folder], name)

        shown = {f: relative(*parts).replace(os.sep, "/") for f, parts in paths.items()}
    return {paths[f][0]: v for f, v in shown.items()} | shown


def _resolved(files: list[str]) -> dict[str, tuple[str, str, str]]:
    """os.path.realpath of each file named (a non-empty string), with its os.path.split; each
    folder resolved once: a file's real path is its real folder's, with its name, unless the name
    is itself a link."""
    folders: dict[str, str] = {}
    paths = {}
    for f in files:
        if not isinstance(f, str) or not f or f in paths:
            continue
        folder, name = os.path.split(f)
        if name not in ("", os.curdir, os.pardir):
            if folder not in folders:
                folders[folder] = os.path.realpath(folder)
            path = os.path.join(folders[folder], name)
            if not os.path.islink(path):
                paths[f] = (path, folders[folder], name)
                continue
        path = os.path.realpath(f)
        paths[f] = (path, *os.path.split(path))
    return paths


def _with_shown_files(frame: pd.DataFrame, shown: dict[str, str]) -> pd.DataFrame:
    """Files as the board knows them: inside the folder consolidated, in the file column and in the
    messages that name another file (“trùng với …”), never with the operator's own path prefix."""
    if "file" not in frame or frame.empty:
        return frame
    out = frame.assign(file=frame["file"].map(lambda f: shown.get(f, f) if isinstance(f, str) else f))

    def named(path: str) -> str:
        return shown[path] if path in shown else shown.get(os.path.realpath(path), path)

    def relative(text: Any) -> Any:
        if not isinstance(text, str) or "“" not in text:
            return text
        return QUOTED.sub(lambda m: f"“{named(m.group(1))}”" if os.sep in m.group(1) else m.group(0), text)

    for col in ("reason", "message"):
        if col in out:
            out[col] = out[col].map(relative)
    return out


def _below_title(thresholds: list[float]) -> tuple[str, str]:
    if len(thresholds) == 1:
        vi = f"{thresholds[0]:g}".replace(".", ",")
        return (f"CHI BỘ DƯỚI NGƯỠNG ĐẠT {vi} ĐIỂM (thấp nhất trước)",
                f"CELLS UNDER THE THRESHOLD OF {thresholds[0]:g} POINTS (lowest first)")
    return ("CHI BỘ DƯỚI NGƯỠNG ĐẠT (thấp nhất trước)", "CELLS UNDER THE THRESHOLD (lowest first)")


@dataclass
class _Words:
    """What every table of one report shares: its language, sheet names, the one pass threshold
    (None when the cells' specs set several) and the input files as the board knows them."""

    lang: str
    names: dict[str, str]
    thresholds: list[float]
    shown: dict[str, str]

    @property
    def single(self) -> float | None:
        return self.thresholds[0] if len(self.thresholds) == 1 else None

    def status(self, s: Any, threshold: Any = None) -> Any:
        """A status in words, under the cell's own threshold (else the report's one)."""
        if isinstance(s, str) and s in ROLLUP_STATUSES:
            single = self.single
            t = float(threshold) if isinstance(threshold, (int, float)) and not math.isnan(threshold) else single
            return status_text(s, self.lang, t)
        return tr(self.lang, ("Chưa nộp", "Missing")) if s == Status.MISSING else s

    def labels(self, frame: pd.DataFrame) -> list[Any]:
        """`status` of each row, each distinct status and threshold worded once (a threshold's
        number is its key but for a zero: 0.0 and -0.0 are one key and print differently)."""
        ts = frame["threshold"] if "threshold" in frame else [self.single] * len(frame)
        said: dict[tuple[str, float], Any] = {}
        out = []
        for s, t in zip(frame["status"], ts):
            if s.__class__ is str and t.__class__ is float and t:  # most rows; NaN too (a key by identity)
                if (s, t) not in said:
                    said[s, t] = self.status(s, t)
                out.append(said[s, t])
            else:
                out.append(self.status(s, t))
        return out

    def type_name(self, code: Any) -> Any:
        return type_name(code, self.lang)

    def short_type(self, code: Any) -> Any:
        return tr(self.lang, SHORT_TYPES[code]) if code in SHORT_TYPES else code

    def yes_no(self, v: Any) -> str:
        return "—" if v is None or v != v else tr(self.lang, ("Có", "Yes")) if v else tr(self.lang, ("Không", "No"))

    def table(self, key: str, title: tuple[str, str], cols: list[Col], frame: pd.DataFrame) -> ReportTable:
        return ReportTable(key, self.names[key], tr(self.lang, title), cols, frame)


def report_tables(c: Consolidation, lang: str = "vi") -> list[ReportTable]:
    """The appendices in their order: the month view's, or for a year report (--period YYYY) the
    year view's and the files' two (the month-level sheets are the month views')."""
    w = _Words(lang, {k: tr(lang, v) for k, v in SHEET_NAMES.items()}, thresholds_of(c),
               shown_paths(list(c.files["file"]) if "file" in c.files else []))
    tables = [_hierarchy(c, w), _by_type(c, w), _grassroots(c, w), _detail(c, w), _below(c, w), _by_criterion(c, w),
              _missing(c, w), _rejected(c, w), _log(c, w)]
    if c.year is not None:
        files = [t for t in tables if t.key in ("rejected", "log")]
        return year_tables(c.year, lang, w.type_name) + files
    return tables


def _hierarchy(c: Consolidation, w: _Words) -> ReportTable:
    h = c.hierarchy.assign(
        level_label=[kind_label(k, w.lang) for k in c.hierarchy["kind"]],
        org_label=[str(n) for n in c.hierarchy["name"]],
        all_label=c.hierarchy["all_cells_4good"].map(w.yes_no))
    return w.table("hierarchy", ("TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ “CHI BỘ 4 TỐT”", "“CHI BỘ 4 TỐT” CONSOLIDATED RESULTS"),
                   [PERIOD_COL, ("org_label", "Tổ chức đảng", "Party organisation", 46, None),
                    ("level_label", "Cấp", "Level", 16, None), *COUNT_COLS,
                    ("all_label", "100% chi bộ đạt", "100% of cells 4-good", 10, None)], h)


def _by_type(c: Consolidation, w: _Words) -> ReportTable:
    bt = c.by_type.assign(cell_type=c.by_type["cell_type"].map(w.type_name))
    return w.table("by_type", ("TỔNG HỢP THEO LOẠI CHI BỘ", "BY CELL TYPE"),
                   [PERIOD_COL, ("cell_type", "Loại chi bộ", "Cell type", 36, None), *COUNT_COLS], bt)


def _grassroots(c: Consolidation, w: _Words) -> ReportTable:
    parents = dict(zip(c.hierarchy["node"], c.hierarchy["name"]))
    g = c.grassroots.assign(all_label=c.grassroots["all_cells_4good"].map(w.yes_no),
                            parent_name=c.grassroots["parent"].map(parents).fillna(""))
    return w.table("grassroots", ("TỔ CHỨC CƠ SỞ ĐẢNG: TỶ LỆ CHI BỘ ĐẠT “CHI BỘ 4 TỐT”",
                                  "GRASSROOTS ORGANISATIONS: SHARE OF 4-GOOD CELLS"),
                   [PERIOD_COL, ("parent_name", kind_label(UPPER, "vi"), kind_label(UPPER, "en"), 32, None),
                    ("name", "Tổ chức cơ sở đảng", "Grassroots organisation", 34, None),
                    ("expected", "Số chi bộ trực thuộc", "Cells", 11, "0"),
                    ("meets", "Đạt 4 tốt", "Meet", 10, "0"),
                    ("pass_rate", "Tỷ lệ đạt", "Share meeting", 10, "0.0%"),
                    ("all_label", "100% chi bộ đạt “Chi bộ 4 tốt”", "100% of cells 4-good", 16, None)], g)


def _detail(c: Consolidation, w: _Words) -> ReportTable:
    """The cell list. Printed: the organisation a cell belongs to (its grassroots organisation; a
    grassroots cell's upper level); the two level columns and the period (when it is the report's
    one) follow the print area."""
    lang = w.lang
    parent = c.cells["grassroots"].astype(object).fillna("").where(
        c.cells["grassroots"].astype(object).fillna("") != "", c.cells["upper_committee"]) \
        if not c.cells.empty else c.cells.get("grassroots", pd.Series(dtype=object))
    one_period = c.cells["period"].nunique() <= 1 if "period" in c.cells else True
    d = c.cells.assign(status_label=w.labels(c.cells), cell_type_label=c.cells["cell_type"].map(w.short_type),
                       parent_label=parent,
                       source_label=c.cells["final_source"].map(
                           lambda v: tr(lang, ("Cấp trên", "Upper level")) if v == "upper" else tr(lang, ("Tự chấm", "Self"))))
    return w.table("detail", ("CHI TIẾT KẾT QUẢ TỪNG CHI BỘ", "RESULT OF EACH CELL"), [
        *([] if one_period else [PERIOD_COL]), ("parent_label", "Trực thuộc", "Under", 40, None),
        ("cell_code", "Mã chi bộ", "Cell code", 12, "@"),
        ("cell_name", "Tên chi bộ", "Cell name", 36, None), ("cell_type_label", "Loại chi bộ", "Cell type", 15, None),
        *[(col, f"Nội dung {content_of_column(col)}", f"Content {content_of_column(col)}", 9, "0.0")
          for col in content_columns({}, c.cells)],
        ("self_total", "Tự chấm", "Self score", 9, "0.0"), ("upper_total", "Cấp trên chấm", "Upper score", 9, "0.0"),
        ("final_total", "Điểm cuối cùng", "Final score", 9, "0.0"), ("status_label", "Kết quả", "Result", 21, None),
        ("source_label", "Nguồn điểm", "Score from", 11, None), ("gap", "Chênh lệch", "Self - upper", 9, "0.0"),
        *([PERIOD_COL] if one_period else []), *LEVEL_COLS,
        ("file", "Tệp nguồn", "Source file", 40, None)], _with_shown_files(d, w.shown))


def _below(c: Consolidation, w: _Words) -> ReportTable:
    b = c.below.assign(cell_type_label=c.below["cell_type"].map(w.type_name)) if not c.below.empty else c.below
    return w.table("below", _below_title(w.thresholds), [
        PERIOD_COL, *LEVEL_COLS,
        ("cell_code", "Mã chi bộ", "Cell code", 12, "@"), ("cell_name", "Tên chi bộ", "Cell name", 32, None),
        ("cell_type_label", "Loại chi bộ", "Cell type", 22, None),
        ("final_total", "Điểm cuối cùng", "Final score", 10, "0.0"),
        ("weakest_content", "Nội dung yếu nhất", "Weakest content", 11, None),
        ("weakest_share", "Tỷ lệ điểm nội dung đó", "Its share of maximum", 11, "0.0%"),
        ("file", "Tệp nguồn", "Source file", 40, None)], _with_shown_files(b, w.shown))


def _by_criterion(c: Consolidation, w: _Words) -> ReportTable:
    bc = c.by_criterion.assign(cell_type=c.by_criterion["cell_type"].map(w.type_name),
                               criterion=criterion_text(c.by_criterion, w.lang))
    return w.table("by_criterion", ("ĐIỂM BÌNH QUÂN THEO TỪNG TIÊU CHÍ (tỷ lệ so với điểm chuẩn, thấp nhất trước)",
                                    "AVERAGE SCORE OF EVERY CRITERION (share of the maximum, lowest first)"), [
        ("cell_type", "Loại chi bộ", "Cell type", 22, None), ("content_id", "Nội dung", "Content", 8, None),
        ("criterion_id", "Tiêu chí", "Criterion", 8, "@"), ("criterion", "Nội dung tiêu chí", "Criterion text", 60, None),
        ("version", "Theo bảng phiên bản", "Table version", 10, "@"),  # '' unless the versions word it differently
        ("max", "Điểm chuẩn", "Max", 8, "0.0"), ("cells", "Số phiếu", "Forms", 8, "0"),
        ("avg_score", "Điểm bình quân", "Average", 9, "0.00"),
        ("avg_share", "Tỷ lệ so với điểm chuẩn", "Share of max", 10, "0.0%")], bc)


def _missing(c: Consolidation, w: _Words) -> ReportTable:
    m = c.missing.assign(status_label=w.labels(c.missing), cell_type=c.missing["cell_type"].map(w.type_name))
    return w.table("missing", ("CHI BỘ CHƯA CÓ PHIẾU HỢP LỆ", "CELLS WITH NO VALID SUBMISSION"), [
        PERIOD_COL, *LEVEL_COLS, ("cell_code", "Mã chi bộ", "Cell code", 12, "@"),
        ("cell_name", "Tên chi bộ", "Cell name", 32, None), ("cell_type", "Loại chi bộ", "Cell type", 22, None),
        ("status_label", "Tình trạng", "State", 22, None)], m)


def _rejected(c: Consolidation, w: _Words) -> ReportTable:
    """Severities in words (Lỗi / Cảnh báo); the stable problem code keeps a column of its own."""
    rj = c.rejected.assign(severity_label=[severity_label(v, w.lang) for v in c.rejected["severity"]])
    return w.table("rejected", ("TỆP BỊ TỪ CHỐI VÀ LÝ DO", "REJECTED FILES AND WHY"), [
        ("file", "Tệp", "File", 44, None),
        ("severity_label", "Mức", "Severity", 9, None), ("message", "Nội dung", "Message", 70, None),
        ("sheet", "Trang", "Sheet", 14, None), ("cell", "Ô", "Cell", 8, None),
        ("criterion", "Tiêu chí", "Criterion", 9, "@"), ("code", "Mã lỗi", "Code", 20, None)],
        _with_shown_files(rj, w.shown))


VERDICTS = {"counted": ("Được tính", "Counted"), "superseded": ("Trùng, không tính", "Duplicate, not counted"),
            "rejected": ("Bị từ chối", "Rejected"), "skipped": ("Bỏ qua", "Skipped"),
            "not_a_form": NOT_A_FORM_LABEL}


def _log(c: Consolidation, w: _Words) -> ReportTable:
    # rejected, and not a scoring form at all (a PDF, the roster…): as each file's own report says
    not_form = file_report_frame(c.files, c.problems)["verdict"] == Status.NOT_A_FORM  # a rejected file's only
    verdict = c.files["verdict"].where(~not_form, Verdict.NOT_A_FORM.value)
    lg = c.files.assign(verdict_label=[tr(w.lang, VERDICTS[v]) for v in verdict])
    return w.table("log", ("NHẬT KÝ: MỖI TỆP ĐẦU VÀO MỘT DÒNG", "LOG: ONE ROW PER INPUT FILE"), [
        ("file", "Tệp", "File", 50, None), ("size", "Dung lượng (byte)", "Size (bytes)", 12, "#,##0"),
        ("sha256", "SHA-256", "SHA-256", 20, None), ("verdict_label", "Kết luận", "Verdict", 18, None),
        ("reason", "Lý do", "Reason", 60, None), ("spec_version", "Phiên bản tiêu chí", "Criteria version", 10, "@"),
        ("fingerprint", "Vân tay tiêu chí", "Criteria fingerprint", 24, None)], _with_shown_files(lg, w.shown))
