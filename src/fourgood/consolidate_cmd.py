"""`fourgood consolidate`: a folder of submissions -> one provincial workbook (+ summary JSON)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from rich.table import Table

from . import libreoffice
from .atomic import write_refusal, write_text_atomic
from .check import file_report_frame
from .document import parse_signer
from .freshness import Request, remember, up_to_date
from .pipeline import Outputs, check_inputs, discover
from .problems import FourgoodError, Problem, severity_label
from .report.writer import write_consolidated
from .rollup import Consolidation, consolidate_paths, parse_period  # noqa: F401 (parse_period: public here)
from .spec import SpecSource, load_specs
from .store import Store, Written
from .store import beside as store_beside  # noqa: F401 (the CLI's default store)
from .validate_cmd import reading_progress, stdout_console
from .vocab import Status


def run_consolidate(paths: list[str], out: str, *, roster: str | None = None, period: str | None = None,
                    jobs: int = 1, summary_json: str | None = None, lang: str = "vi", criteria: SpecSource = None,
                    quiet: bool = False, run_at: dt.datetime | None = None,
                    progress: bool | None = None, pdf: bool = False, issuer: str | None = None,
                    place: str | None = None, store: str | None = None,
                    scheduler: str | None = None, signer: str | None = None,
                    weakest: int = 10, rewrite: bool = False) -> tuple[int, Consolidation | None]:
    """Consolidate and write; the consolidation, or None when the workbook already written at `out`
    was still the answer and was left as it is (`fourgood.freshness`; `rewrite` writes it anyway)."""
    refuse_unwritable(out, summary_json, pdf)
    specs = load_specs(criteria)
    who = parse_signer(signer)  # a usage error before anything is read
    outputs = own_outputs(out, summary_json, store)
    run_at = run_at or dt.datetime.now().replace(microsecond=0)
    request = Request.of(paths, out, roster, period, run_at.date(), (issuer, place, signer, weakest), specs)
    if store:  # nothing to consolidate: said before the store is opened (or made)
        check_inputs(paths, also=[roster] if roster else [], outputs=outputs)
    history = Store(store, specs, lang) if store else None
    entries = discover(paths, outputs) if history is not None else None  # listed once, for both uses
    try:
        if history is not None and entries is not None and not (rewrite or pdf):
            written = up_to_date(history, request, entries)
            if written is not None:
                for line in written.summary.get("notices", []):  # as the run that wrote it said them
                    print(line, file=sys.stderr)
                if summary_json:
                    write_text_atomic(summary_json, _summary_text(written.summary["summary"]))
                if not quiet:
                    print_unchanged(written, Path(out), history.path, lang)
                return 0, None
        with reading_progress(lang, False if quiet else progress) as tick:
            c = consolidate_paths(paths, specs, roster=roster, period=period, jobs=jobs, lang=lang, progress=tick,
                                  store=history, scheduler=scheduler, outputs=outputs, entries=entries)
        print_store_warnings(c, lang)
        notices = print_own_workbooks(c, lang)
        path = write_consolidated(c, out, lang, run_at=run_at, sources=[str(p) for p in paths], roster=roster,
                                  period=period, issuer=issuer, place=place, signer=who, weakest=weakest)
        ordered = {"year": c.summary["year"], **c.summary} if "year" in c.summary else c.summary  # the year's first
        if summary_json:
            write_text_atomic(summary_json, _summary_text(ordered))
        if history is not None and c.history is not None:
            remember(history, request, c.files, c.history.disappeared,
                     {"summary": ordered, "not_forms": not_a_form_count(c), "files": c.history.reused + c.history.read,
                      "notices": notices},
                     run_at)
    finally:
        if history is not None:
            history.close()
    if not quiet:
        print_summary(ordered, not_a_form_count(c), path, lang, _store_line(c, lang))
    return (print_pdf(path, lang, quiet) if pdf else 0), c


def _summary_text(summary: dict[str, Any]) -> str:
    return json.dumps(summary, ensure_ascii=False, indent=2) + "\n"


def refuse_unwritable(out: str, summary_json: str | None, pdf: bool) -> None:
    """Refuse, before anything is read, an output that cannot be written (exit 2): reading a
    province's forms for minutes and then failing to save the result helps nobody."""
    wanted = [(out, "-o"), *([(summary_json, "--summary-json")] if summary_json else []),
              *([(str(Path(out).with_suffix(".pdf")), "--pdf")] if pdf else [])]
    problems = []
    for path, option in wanted:
        refusal = write_refusal(path)
        if refusal:
            code, folder = refusal
            problems.append(Problem(code, file=path, params={"detail": option, "folder": str(folder)}))
    if problems:
        raise FourgoodError(problems)


def own_outputs(out: str, summary_json: str | None, store: str | None) -> Outputs:
    """The files this run writes, as `pipeline.skip_reason` knows them: never read as inputs when
    they sit in a folder being consolidated (the workbook, its PDF, the summary, the history store)."""
    own = {out: "skipped_output_workbook", str(Path(out).with_suffix(".pdf")): "skipped_output_pdf"}
    if summary_json:
        own[summary_json] = "skipped_output_summary"
    if store:
        own |= {store + tail: "skipped_history_store" for tail in ("", "-journal", "-wal", "-shm")}
    return Outputs.of(own)


def print_store_warnings(c: Consolidation, lang: str) -> None:
    """The history store's warnings (stderr, even with --quiet): a damaged store, vanished files."""
    h, vi = c.history, lang == "vi"
    if h is None:
        return
    if h.unusable:
        print(f"Cảnh báo: không dùng được kho lịch sử {h.path} ({h.unusable}); lần này đã đọc lại mọi tệp." if vi else
              f"Warning: the history store {h.path} cannot be used ({h.unusable}); every file was read.",
              file=sys.stderr)
    elif h.damaged:
        print(f"Cảnh báo: kho lịch sử {h.path} bị hỏng ({h.damaged}); đã tạo lại, mọi tệp được đọc lại." if vi else
              f"Warning: the history store {h.path} was damaged ({h.damaged}); rebuilt, every file read again.",
              file=sys.stderr)
    if h.disappeared:
        names = ", ".join(Path(p).name for p in h.disappeared[:10]) + (" …" if len(h.disappeared) > 10 else "")
        print(f"Cảnh báo: {len(h.disappeared)} tệp có ở lần tổng hợp trước nay không còn: {names}" if vi else
              f"Warning: {len(h.disappeared)} file(s) of the last consolidation are gone: {names}", file=sys.stderr)


def print_own_workbooks(c: Consolidation, lang: str) -> list[str]:
    """Consolidated workbooks left out as this consolidation's own (stderr, even with --quiet): a
    board that copied last month's result into the folder learns why it did not count. The lines
    printed, which a re-run with nothing new prints again."""
    lines = [f"{severity_label(p.severity, lang)}: {p.file}: {p.message(lang)}"
             for p in c.problems if p.code == "consolidated_own"]
    for line in lines:
        print(line, file=sys.stderr)
    return lines


EXIT_NO_PDF = 4  # the workbook was written, its PDF was not (README, "Printing")


def print_pdf(path: Path, lang: str, quiet: bool = False) -> int:
    """`--pdf`: the workbook printed to PDF beside it by LibreOffice headless; 0, or EXIT_NO_PDF."""
    vi = lang == "vi"
    if libreoffice.soffice() is None:
        print(f"Không tìm thấy LibreOffice (lệnh soffice) nên chưa tạo được tệp PDF; bảng tổng hợp vẫn đã được ghi: "
              f"{path}. Cài LibreOffice rồi chạy lại với --pdf, hoặc mở tệp .xlsx và in." if vi else
              f"LibreOffice (soffice) was not found, so no PDF was made; the workbook was written: {path}. "
              "Install LibreOffice and run again with --pdf, or open the .xlsx and print it.", file=sys.stderr)
        return EXIT_NO_PDF
    try:
        pdf = libreoffice.to_pdf(path)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        print((f"LibreOffice không in được ra PDF ({exc}); bảng tổng hợp vẫn đã được ghi: {path}." if vi else
               f"LibreOffice could not print to PDF ({exc}); the workbook was written: {path}."), file=sys.stderr)
        return EXIT_NO_PDF
    if not quiet:
        print(("Đã ghi: " if vi else "Written: ") + str(pdf))
    return 0


def below_threshold(counts: dict[str, Any]) -> int:
    """Cells under their spec's pass threshold; read under the old name `cells_below_95` too."""
    return int(counts.get("cells_below_threshold", counts.get("cells_below_95", 0)))


def not_a_form_count(c: Consolidation) -> int:
    """Rejected files that are no scoring form at all (a PDF, the roster…)."""
    return int((file_report_frame(c.files, c.problems)["verdict"] == Status.NOT_A_FORM).sum())


def _store_line(c: Consolidation, lang: str) -> str | None:
    h = c.history
    return None if h is None or h.unusable else store_line(h.path, h.reused, h.read, lang)


def store_line(store: str | Path, reused: int, read: int, lang: str) -> str:
    """What the history store did, under the closing table."""
    return (f"Kho lịch sử {store}: {reused} tệp đã có sẵn, {read} tệp được đọc." if lang == "vi" else
            f"History store {store}: {reused} file(s) already stored, {read} read.")


def print_unchanged(written: Written, out: Path, store: Path, lang: str) -> None:
    """A re-run with nothing new: the workbook is left as it is, and its figures shown again."""
    when = dt.datetime.fromisoformat(written.written_at)
    files = int(written.summary.get("files", 0))
    stamp = when.strftime("%H:%M ngày %d/%m/%Y" if lang == "vi" else "%H:%M on %d/%m/%Y")
    stdout_console().print(
        f"Không có gì mới so với lần tổng hợp lúc {stamp}: bảng tổng hợp vẫn đúng như đã ghi, không ghi lại "
        "(thêm --rewrite để ghi lại)." if lang == "vi" else
        f"Nothing new since the consolidation at {stamp}: the workbook is as it was written and is left as it is "
        "(add --rewrite to write it again).")
    print_summary(written.summary["summary"], int(written.summary.get("not_forms", 0)), out, lang,
                  store_line(store, files, 0, lang),
                  written=True)


def print_summary(s: dict[str, Any], not_forms: int, path: Path, lang: str, store_line: str | None,
                  written: bool = False) -> None:
    """The closing table: the year's figures first in the year view, then the files and the cells."""
    console = stdout_console()
    vi = lang == "vi"
    table = Table(title="Tóm tắt" if vi else "Summary")
    table.add_column("Chỉ tiêu" if vi else "Figure")
    table.add_column("Số lượng" if vi else "Count", justify="right")
    y = s.get("year")
    # the year view leads with the year's figures; the counts below are then of cell-months
    year_rows: list[tuple[str, str, Any]] = [
        (f"Năm {y['year']}: chi bộ thuộc diện đánh giá", f"{y['year']}: cells evaluated", y["cells"]),
        ("  đủ căn cứ xét", "  decided", y["decided"]),
        ("  đề nghị công nhận “Chi bộ 4 tốt”", "  proposed for recognition", y["meeting"]),
        ("  không đạt hoặc loại trừ", "  below or excluded", y["below"]),
        ("  chưa đủ dữ liệu", "  not enough data", y["undecided"]),
    ] if y else []
    per = (" (lượt chi bộ - tháng)", " (cell-months)") if y else ("", "")
    rows: list[tuple[str, str, Any]] = [
        *year_rows,
        ("Tệp đầu vào", "Input files", s["files_total"]), ("Tệp hợp lệ", "Valid files", s["files_valid"]),
        ("Tệp bị từ chối", "Rejected files", s["files_rejected"]),
        *([("  trong đó không phải phiếu chấm điểm", "  of which not a scoring form", not_forms)] if not_forms else []),
        ("Tệp bỏ qua", "Skipped files", s.get("files_skipped", 0)),
        ("Chi bộ có phiếu" + per[0], "Cells with a form" + per[1], s["cells"]),
        ("Đạt “Chi bộ 4 tốt”" + per[0], "Meet the standard" + per[1], s["cells_meeting_standard"]),
        ("Dưới ngưỡng đạt" + per[0], "Below the pass mark" + per[1], below_threshold(s)),
        ("Chưa chấm đủ" + per[0], "Incomplete" + per[1], s["cells_incomplete"]),
        ("Chưa nộp phiếu hợp lệ" + per[0], "No valid form" + per[1], s["cells_missing"]),
        ("Tệp trùng", "Duplicates", s["duplicates"]),
        *([("Tệp không còn (so với lần trước)", "Files gone since the last run", s["files_disappeared"])]
          if s.get("files_disappeared") else []),
    ]
    for vi_label, en_label, value in rows:
        table.add_row(vi_label if vi else en_label, str(value))
    console.print(table)
    if store_line:
        console.print(store_line)
    if written:
        console.print(("Bảng tổng hợp: " if vi else "Workbook: ") + str(path))
    else:
        console.print(("Đã ghi: " if vi else "Written: ") + str(path))
