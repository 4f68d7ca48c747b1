"""Shared by tests/test_server*.py: a small province's roster, filled forms of its cells, and a
configured server (the page and API, without or with xlwings Server)."""

from __future__ import annotations

from pathlib import Path

from fourgood.workbook_templates.writer import template_filename

from . import helpers
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
    return helpers.write_roster(template_dir, path, cells, orgs)


def form(template_dir: Path, specs, out: Path, code: str, total: float | None = 97, **kwargs) -> Path:
    kind = KIND.get(code, "agency")
    info = {"cell_code": code, "cell_name": f"Chi bộ {code}", **kwargs.pop("info", {})}
    return make_submission(template_dir / template_filename(kind), specs[kind], out, total, info=info, **kwargs)
