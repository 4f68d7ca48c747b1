"""Write the full set of templates: one form per cell type, the roster, the criteria workbook."""

from __future__ import annotations

from pathlib import Path

from fourgood.atomic import save_workbook_atomic
from fourgood.criteria_workbook import write_criteria_workbook
from fourgood.spec import CELL_TYPES, Spec

from .builder import build_cell_template
from .control import build_control_workbook
from .roster import build_roster_template

ROSTER_FILE = "danh-sach-chi-bo.xlsx"
CRITERIA_FILE = "bang-tieu-chi.xlsx"
CONTROL_FILE = "bang-tong-hop.xlsx"


def template_filename(cell_type: str) -> str:
    return f"{CELL_TYPES[cell_type].slug}.xlsx"


def write_templates(out_dir: str | Path, specs: dict[str, Spec], lang: str = "vi") -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [save_workbook_atomic(build_cell_template(spec, lang), out / template_filename(cell_type))
               for cell_type, spec in specs.items()]
    written.append(save_workbook_atomic(build_roster_template(lang), out / ROSTER_FILE))
    written.append(write_criteria_workbook(specs, out / CRITERIA_FILE))
    written.append(save_workbook_atomic(build_control_workbook(lang), out / CONTROL_FILE))
    return written
