"""Shared by tests/test_server*.py: a small province's roster, filled forms of its cells, and a
configured server (the page and API, without or with xlwings Server)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from fourgood.contract import ORG_SHEET, ROSTER_COLUMNS
from fourgood.workbook_templates.writer import ROSTER_FILE, template_filename

from .helpers import make_submission

ORGS = [  # code, name, level, parent
    ("T", "Đảng bộ tỉnh Quảng Trị", "Đảng bộ tỉnh", ""),
    ("UB", "Đảng bộ Ủy ban nhân dân tỉnh", "Cấp trên trực tiếp cơ sở", "T"),
    ("BV", "Đảng bộ Bệnh viện tỉnh", "Tổ chức cơ sở đảng", "UB"),
    ("XA", "Đảng bộ xã Vĩnh Linh", "", "T"),
]
CELLS = [  # code, name, type, parent
    ("BV-01", "Chi bộ Khoa Nội A", "public_service", "BV"),
    ("BV-02", "Chi bộ Khoa Nội B", "public_service", "BV"),
    ("UB-01", "Chi bộ Ban Quản lý dự án", "agency", "UB"),
    ("XA-01", "Chi bộ thôn Đông", "residential", "XA"),
]
KIND = {code: kind for code, _, kind, _ in CELLS}


def write_roster(template_dir: Path, path: Path, cells=CELLS, orgs=ORGS) -> Path:
    wb = load_workbook(template_dir / ROSTER_FILE)
    ws = wb.worksheets[0]
    keys = [k for k, _, _ in ROSTER_COLUMNS]
    for i, (code, name, kind, parent) in enumerate(cells, 2):
        values = {"cell_code": code, "cell_name": name, "cell_type": kind, "parent_code": parent, "members": 20}
        for key, value in values.items():
            ws.cell(i, keys.index(key) + 1, value)
    org_ws = wb[ORG_SHEET["vi"]]
    for i, row in enumerate(orgs, 2):
        for j, value in enumerate(row, 1):
            org_ws.cell(i, j, value)
    wb.save(path)
    return path


def form(template_dir: Path, specs, out: Path, code: str, total: float | None = 97, **kwargs) -> Path:
    kind = KIND.get(code, "agency")
    info = {"cell_code": code, "cell_name": f"Chi bộ {code}", **kwargs.pop("info", {})}
    return make_submission(template_dir / template_filename(kind), specs[kind], out, total, info=info, **kwargs)
