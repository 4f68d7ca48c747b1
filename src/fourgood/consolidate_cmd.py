"""`fourgood consolidate`: a folder of submissions -> one provincial workbook (+ summary JSON)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from rich.table import Table

from .atomic import write_text_atomic
from .problems import FourgoodError, Problem
from .report_workbook import write_consolidated
from .rollup import Consolidation, consolidate
from .spec import Spec, load_specs
from .validate_cmd import StdoutConsole, check_inputs, reading_progress
from .validators.batch import BatchResult, validate_paths
from .validators.roster import read_roster


def parse_period(text: str | None) -> str | None:
    """'2026' (the year), '2026-11', '11/2026' or 'T11/2026' -> the period code used everywhere."""
    if text is None:
        return None
    t = text.strip()
    m = re.fullmatch(r"(\d{4})(?:[-/.](\d{1,2}))?", t) or None
    if m:
        year, month = m.group(1), m.group(2)
    else:
        m = re.fullmatch(r"[Tt]?(\d{1,2})[-/.](\d{4})", t)
        if not m:
            raise FourgoodError([Problem("period_invalid", value=text)])
        month, year = m.group(1), m.group(2)
    if month and not 1 <= int(month) <= 12:
        raise FourgoodError([Problem("period_invalid", value=text)])
    return f"{year}-{int(month):02d}" if month else year


def consolidate_paths(paths: list[str], specs: dict[str, Spec], *, roster: str | None = None,
                      period: str | None = None, jobs: int = 1, lang: str = "vi", progress=None) -> Consolidation:
    """Read, validate, score and roll up: the whole job short of writing (shared with the add-in).

    Raises FourgoodError, before anything is written, when there is nothing to consolidate: a
    path that does not exist, no file to read, or no submitted form for the period asked.
    """
    wanted = parse_period(period)
    check_inputs(paths, also=[roster] if roster else [])
    roster_frame = read_roster(roster) if roster else None
    result = validate_paths(paths, specs, jobs=jobs, lang=lang, progress=progress)
    if wanted:
        found = periods_found(result)
        if wanted not in found:
            raise FourgoodError([Problem("period_not_found", value=wanted, expected=", ".join(found) or None)])
    return consolidate(result, specs, roster_frame, wanted, lang)


def periods_found(result: BatchResult) -> list[str]:
    """Every period a submitted form (valid or not) or a rolled-up workbook row is for, sorted."""
    files = result.files
    found = set(files.loc[files["category"] != "skipped", "period"].dropna().astype(str))
    if not result.rolled.empty and "period" in result.rolled:
        found |= set(result.rolled["period"].dropna().astype(str))
    return sorted(p for p in found if p)


def run_consolidate(paths: list[str], out: str, *, roster: str | None = None, period: str | None = None,
                    jobs: int = 1, summary_json: str | None = None, lang: str = "vi", criteria: str | None = None,
                    quiet: bool = False, run_at: dt.datetime | None = None,
                    progress: bool | None = None) -> tuple[int, Consolidation]:
    specs = load_specs(criteria)
    with reading_progress(lang, False if quiet else progress) as tick:
        c = consolidate_paths(paths, specs, roster=roster, period=period, jobs=jobs, lang=lang, progress=tick)
    path = write_consolidated(c, out, lang, run_at=run_at, sources=[str(p) for p in paths], roster=roster,
                              period=period)
    if summary_json:
        write_text_atomic(summary_json, json.dumps(c.summary, ensure_ascii=False, indent=2) + "\n")
    if not quiet:
        print_summary(c, path, lang)
    return 0, c


def below_threshold(counts: dict[str, Any]) -> int:
    """Cells under their spec's pass threshold; read under the old name `cells_below_95` too."""
    return int(counts.get("cells_below_threshold", counts.get("cells_below_95", 0)))


def print_summary(c: Consolidation, path: Path, lang: str) -> None:
    console = StdoutConsole(highlight=False)
    s = c.summary
    vi = lang == "vi"
    table = Table(title="Tóm tắt" if vi else "Summary")
    table.add_column("Chỉ tiêu" if vi else "Figure")
    table.add_column("Số lượng" if vi else "Count", justify="right")
    rows: list[tuple[str, str, Any]] = [
        ("Tệp đầu vào", "Input files", s["files_total"]), ("Tệp hợp lệ", "Valid files", s["files_valid"]),
        ("Tệp bị từ chối", "Rejected files", s["files_rejected"]),
        ("Tệp bỏ qua", "Skipped files", s.get("files_skipped", 0)),
        ("Chi bộ có phiếu", "Cells with a form", s["cells"]),
        ("Đạt “Chi bộ 4 tốt”", "Meet the standard", s["cells_meeting_standard"]),
        ("Dưới ngưỡng đạt", "Below the pass mark", below_threshold(s)),
        ("Chưa chấm đủ", "Incomplete", s["cells_incomplete"]),
        ("Chưa nộp phiếu hợp lệ", "No valid form", s["cells_missing"]), ("Tệp trùng", "Duplicates", s["duplicates"]),
    ]
    for vi_label, en_label, value in rows:
        table.add_row(vi_label if vi else en_label, str(value))
    console.print(table)
    console.print(("Đã ghi: " if vi else "Written: ") + str(path))
