"""Imported once by the check pool's fork server: one check of a blank template, so that every
module and cache a check needs is loaded before the checks are forked from it (a cold check costs
three times a warm one)."""

from __future__ import annotations

import gc
import shutil
import tempfile
from pathlib import Path


def warm() -> None:
    from fourgood.spec import load_specs
    from fourgood.workbook_templates.writer import build_cell_template, save_workbook_atomic

    from .checking import check_file

    specs = load_specs()
    work = Path(tempfile.mkdtemp(prefix="fourgood-warm-"))
    try:
        spec = next(iter(specs.values()))
        path = save_workbook_atomic(build_cell_template(spec, "vi"), work / "mau.xlsx")
        check_file(path, "mau.xlsx", specs)
    except Exception:  # warming is an optimisation only: a failure here must not stop the server
        pass
    finally:
        shutil.rmtree(work, ignore_errors=True)
    gc.collect()
    gc.freeze()  # the forked checks never scan (and so never copy) what was loaded here


warm()
