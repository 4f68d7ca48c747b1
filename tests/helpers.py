"""Test helpers: make realistic submissions through the real templates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from fourgood.contract import ORG_SHEET, ROSTER_COLUMNS
from fourgood.fill import Submission, fill_template
from fourgood.spec import Spec
from fourgood.workbook_templates.writer import ROSTER_FILE

INFO = {
    "province": "Tỉnh Hà Tĩnh",
    "upper_committee": "Đảng bộ Ủy ban nhân dân tỉnh",
    "grassroots": "Đảng bộ Sở Tài chính",
    "cell_name": "Chi bộ Văn phòng Sở",
    "cell_code": "KCQ-001",
    "period": "Tháng 11",
    "year": 2026,
    "members": 22,
    "secretary": "Nguyễn Thị Hoa",
    "regular_meetings": 1,
    "thematic_meetings": 1,
    "attendance": 95.5,
}


def fresh_process(lines: list[str], *args: str | Path) -> list[str]:
    """Run `lines` as a script in a fresh Python (nothing imported yet, as on a click); its stdout, as words."""
    proc = subprocess.run([sys.executable, "-c", "\n".join(lines), *map(str, args)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.split()


def scores_totalling(spec: Spec, total: float) -> dict[str, float]:
    """Full marks, then points taken off criteria in steps until `total` is reached."""
    scores = {c.id: c.max for c in spec.criteria}
    missing = round(spec.total - total, 6)
    for c in spec.criteria:
        if missing <= 0:
            break
        cut = min(c.max, missing)
        scores[c.id] = c.max - cut
        missing = round(missing - cut, 6)
    return scores


def no_vetoes(spec: Spec, answer: str = "Không") -> dict[str, str]:
    return {v.id: answer for v in spec.vetoes}


def make_submission(template: Path, spec: Spec, out: Path, total: float | None = 100, *, info: dict[str, Any] | None = None,
                    self_scores: dict[str, Any] | None = None, upper_scores: dict[str, Any] | None = None,
                    vetoes: dict[str, Any] | None = None) -> Path:
    sub = Submission(
        info={**INFO, **(info or {})},
        self_scores=self_scores if self_scores is not None else scores_totalling(spec, total),
        upper_scores=upper_scores or {},
        vetoes=vetoes if vetoes is not None else no_vetoes(spec),
    )
    return fill_template(template, sub, out)


def write_roster(template_dir: Path, path: Path, cells, orgs) -> Path:
    """Fill the roster template: cells as (code, name, type, parent code[, former codes]), organisations
    as rows of the organisations sheet (code, name, level, parent code)."""
    wb = load_workbook(template_dir / ROSTER_FILE)
    ws = wb.worksheets[0]
    keys = [k for k, _, _ in ROSTER_COLUMNS]
    for i, (code, name, kind, parent, *former) in enumerate(cells, 2):
        values = {"cell_code": code, "cell_name": name, "cell_type": kind, "parent_code": parent, "members": 20,
                  "former_codes": former[0] if former else None}
        for key, value in values.items():
            ws.cell(i, keys.index(key) + 1, value)
    org_ws = wb[ORG_SHEET["vi"]]
    for i, row in enumerate(orgs, 2):
        for j, value in enumerate(row, 1):
            org_ws.cell(i, j, value)
    wb.save(path)
    return path


def assert_rows_add_up(frame, counts, weighted=(), period: str = "period") -> int:
    """Every row of a summary by level (rollup/yearview `hierarchy`) equals the sum of the rows
    directly below it: each count, and each average weighted by its count (name, weight column or
    columns summed). Returns how many organisations with rows below were checked."""
    import math

    checked = 0
    groups = frame.groupby(period, sort=False) if period in frame else [("", frame)]
    for _, rows in groups:
        by_node = rows.set_index("node")
        for node, children in rows.groupby("parent", sort=False):
            if node == "" or node not in by_node.index:
                continue
            parent = by_node.loc[node]
            for col in counts:
                assert int(parent[col]) == int(children[col].sum()), (parent["name"], col)
            for col, weight in weighted:
                w = children[list(weight)].sum(axis=1) if isinstance(weight, tuple) else children[weight]
                known = children[col].notna() & (w > 0)
                if known.any():
                    mean = float((children.loc[known, col] * w[known]).sum() / w[known].sum())
                    assert math.isclose(float(parent[col]), mean, abs_tol=0.011), (parent["name"], col)
            checked += 1
    return checked
