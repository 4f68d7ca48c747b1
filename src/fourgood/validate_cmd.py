"""`fourgood validate`: a verdict for every file, as a readable table or one JSON document.

Also the pieces both commands share: the reading progress bar on stderr, and a stdout console
that lets a closed pipe end the command quietly.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .check import file_report_frame, file_reports
from .contract import status_text
from .pipeline import BatchResult, check_inputs, validate_paths
from .problems import NOT_A_FORM_LABEL, number_text, severity_label
from .spec import SpecSource, load_specs
from .vocab import FileCategory, Severity, Status, Text

CATEGORIES = tuple(c.value for c in FileCategory)  # the `category` column of BatchResult.files


def run_validate(paths: list[str], *, as_json: bool, lang: str, criteria: SpecSource = None, jobs: int = 1,
                 progress: bool | None = None, scheduler: str | None = None) -> int:
    check_inputs(paths)
    specs = load_specs(criteria)
    with reading_progress(lang, progress) as tick:
        result = validate_paths(paths, specs, jobs=jobs, lang=lang, progress=tick, scheduler=scheduler)
    if as_json:
        json.dump(to_json(result, lang), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_table(result, lang)
    return 1 if bool((result.files["category"] == FileCategory.INVALID).any()) else 0


@contextmanager
def reading_progress(lang: str, show: bool | None = None) -> Iterator[Callable[[int, int], None] | None]:
    """A transient progress bar on stderr while files are read, or nothing.

    Shown when stderr is a terminal (`show=None`) or when asked (`show=True`); `show=False` never.
    Never on stdout, so `--json` output stays one clean document.
    """
    if show is False or (show is None and not _isatty(sys.stderr)):
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True, force_terminal=True if show else None)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(Text("Đang đọc phiếu", "Reading forms").of(lang), total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class StdoutConsole(Console):
    """A rich console on stdout whose closed pipe raises BrokenPipeError (rich would exit 1 itself);
    the command line turns it into a quiet exit 141."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


# Without a terminal (a pipe, a file) lines are as long as their content: rich would otherwise
# break tables and sentences at 80 columns, in the middle of a message a script or a log reads.
PIPE_WIDTH = 100_000


def stdout_console() -> StdoutConsole:
    """The console a command's results go to: wrapped to the terminal on a terminal, never
    wrapped when stdout is a pipe or a file."""
    if _isatty(sys.stdout):
        return StdoutConsole(highlight=False)
    return StdoutConsole(highlight=False, width=PIPE_WIDTH)


def counts(result: BatchResult) -> dict[str, int]:
    """Files per category: valid, invalid, skipped (they add up to the number of files)."""
    found = result.files["category"].value_counts()
    return {c: int(found.get(c, 0)) for c in CATEGORIES}


def to_json(result: BatchResult, lang: str = "vi") -> list[dict[str, Any]]:
    """`--json`: one object per file (FileReport.to_json)."""
    return [report.to_json(lang) for report in file_reports(result)]


STATUS_STYLE = {Status.MEETS: "green", Status.BELOW: "red", Status.INCOMPLETE: "yellow", Status.VETO: "red",
                Status.INVALID: "bold red", Status.NOT_A_FORM: "magenta", Status.SKIPPED: "dim",
                Status.CONSOLIDATED: "cyan"}
OTHER_LABELS = {Status.SKIPPED: Text("Bỏ qua", "Skipped"), Status.CONSOLIDATED: Text("Bảng tổng hợp", "Consolidated workbook"),
                Status.NOT_A_FORM: NOT_A_FORM_LABEL}
HEADS = (Text("Tệp", "File"), Text("Mã chi bộ", "Cell code"), Text("Kỳ", "Period"), Text("Tự chấm", "Self"),
         Text("Cấp trên", "Upper"), Text("Kết quả", "Result"), Text("Lỗi", "Errors"), Text("Cảnh báo", "Warnings"))


def print_table(result: BatchResult, lang: str = "vi") -> None:
    console = stdout_console()
    table = Table(title=Text("Kết quả kiểm tra", "Validation results").of(lang), show_lines=False)
    for head in HEADS:
        table.add_column(head.of(lang))
    for report in file_reports(result):
        status = report.verdict
        threshold = None if math.isnan(report.threshold) else report.threshold
        label = OTHER_LABELS[status].of(lang) if status in OTHER_LABELS else status_text(status, lang, threshold)
        table.add_row(escape(report.name), escape(report.cell_code or ""), report.period or "",
                      _fmt(report.self_total, lang), _fmt(report.upper_total, lang),
                      f"[{STATUS_STYLE.get(status, '')}]{escape(label)}[/]", str(len(report.errors)),
                      str(len(report.warnings)))
    console.print(table)
    for p in result.problems:
        console.print(problem_line(p, lang), markup=True)
    console.print(closing_line(result, lang))


def problem_line(p: Any, lang: str = "vi") -> str:
    """One problem under the table: mark, severity in words, file and cell, the message, and the
    stable code last, in parentheses (the code is never inside the sentence)."""
    mark = "[red]✗[/]" if p.severity == Severity.ERROR else "[yellow]![/]"
    style = "red" if p.severity == Severity.ERROR else "yellow"
    where = f" {p.location}" if p.location else ""
    return (f"{mark} [{style}]{severity_label(p.severity, lang)}[/] {escape(p.file + where)}: "
            f"{escape(p.message(lang))} [dim]({p.code})[/]")


def closing_line(result: BatchResult, lang: str = "vi") -> str:
    """“N tệp: a hợp lệ, b có lỗi, c bỏ qua.” — the same three counts as consolidate's summary;
    files that are no scoring form at all are among those with errors, and said so."""
    n = counts(result)
    total = sum(n.values())
    not_forms = int((file_report_frame(result.files, result.problems)["verdict"] == Status.NOT_A_FORM).sum())
    if lang == "vi":
        among = f" ({not_forms} không phải phiếu chấm điểm)" if not_forms else ""
        return f"{total} tệp: {n['valid']} hợp lệ, {n['invalid']} có lỗi{among}, {n['skipped']} bỏ qua."
    among = f" ({not_forms} not a scoring form)" if not_forms else ""
    return f"{total} files: {n['valid']} valid, {n['invalid']} with errors{among}, {n['skipped']} skipped."


def _fmt(value: Any, lang: str) -> str:
    """96.5 -> "96,5" in Vietnamese (problems.number_text)."""
    return number_text(value, lang)
