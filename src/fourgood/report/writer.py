"""Write the consolidated provincial workbook: the report (signed) on the first sheet, then its
numbered appendices, the charts, the hidden roll-up sheet and `_meta`; saved atomically."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..atomic import atomic_path
from ..document import Letterhead, Signer
from ..house_style import default_font
from ..rollup import Consolidation
from ..sheet_stream import SheetRows, save_with_rows
from ..structure import PROVINCE, UPPER
from ..workbook_templates.meta import write_meta_sheet
from .charts import write_charts
from .columns import UNPRINTED, ReportTable
from .data_sheet import consolidated_meta, data_sheet
from .geometry import BODY_PT, HEAD_ROW
from .labels import SHEET_NAMES, thresholds_of, tr
from .letterhead import letterhead, prepared_by
from .report_sheet import write_report_sheet
from .table_sheet import rate_rules, status_rules, write_table
from .tables import report_tables


def write_consolidated(c: Consolidation, out: str | Path, lang: str = "vi", run_at: dt.datetime | None = None,
                       sources: list[str] | None = None, roster: str | None = None, period: str | None = None,
                       issuer: str | None = None, place: str | None = None, signer: Signer | None = None,
                       weakest: int = 10) -> Path:
    """Write the workbook: the report (signed) on the first sheet, then its numbered appendices; every
    visible sheet prints on A4 (see geometry.HEAD_ROW)."""
    wb = Workbook()
    default_font(wb, BODY_PT)
    wb.properties.creator = "fourgood"
    run_at = run_at or dt.datetime.now().replace(microsecond=0)
    wb.properties.created = wb.properties.modified = run_at
    names = {k: tr(lang, v) for k, v in SHEET_NAMES.items()}
    heading = letterhead(c, lang, run_at, issuer=issuer, place=place, period=period, signer=signer)
    report = wb.worksheets[0]
    report.title = names["report"]
    write_report_sheet(report, c, heading, lang, weakest)
    tables = report_tables(c, lang)
    bodies = [_appendix(wb, c, table, number, heading, lang) for number, table in enumerate(tables, 1)]
    write_charts(wb, c, names, lang, heading, appendix=len(tables) + 1)
    bodies.append(data_sheet(wb, c))
    settings = {"sources": "; ".join(sources or []), "roster": roster or "", "period": period or "",
                "issuer": issuer or "", "place": place or "", "signer": signer.text() if signer else ""}
    write_meta_sheet(wb, consolidated_meta(lang, settings))
    with atomic_path(out) as tmp:
        save_with_rows(wb, tmp, bodies)
    return Path(out)


def _appendix(wb: Workbook, c: Consolidation, table: ReportTable, number: int, heading: Letterhead,
              lang: str) -> SheetRows:
    """Appendix `number`: `table` on a sheet of its own, with its conditional formats and, under the
    summary and the proposal, who prepared it. Returns its body rows, streamed on saving."""
    ws = wb.create_sheet(table.sheet)
    # the top and the upper levels of the summary in bold
    bold = table.frame["kind"].isin([PROVINCE, UPPER, ""]) if table.key == "hierarchy" else None
    depth = table.frame["depth"] if table.key in ("hierarchy", "year_hierarchy") else None
    rows = write_table(ws, table.frame, table.cols, lang, table.title, heading, bold, appendix=number,
                       indent=depth, indent_key="org_label", unprinted=UNPRINTED.get(table.key, ()))
    head, last = HEAD_ROW, rows.last
    keys = [col[0] for col in table.cols]
    if table.key in ("hierarchy", "year_proposed"):
        widths = [ws.column_dimensions[get_column_letter(j)].width for j in range(1, len(table.cols) + 1)]
        prepared_by(ws, lang, widths, max(last, head + 1) + 2)
    for rate in ("pass_rate", "avg_share"):
        if rate in keys:
            rate_rules(ws, keys.index(rate) + 1, head, last)
    if "status_label" in keys and table.key == "detail":
        status_rules(ws, keys.index("status_label") + 1, head, last, lang, thresholds_of(c))
    return rows

