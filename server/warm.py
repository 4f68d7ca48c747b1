"""Imported once by the check pool's fork server: one check of a blank template, so that every
module and cache a check needs is loaded before the checks are forked from it (a cold check costs
three times a warm one)."""

from __future__ import annotations

import gc
import io


def warm() -> None:
    from fourgood.spec import load_specs
    from fourgood.workbook_templates.writer import build_cell_template

    from .checking import check_bytes

    specs = load_specs()
    try:
        spec = next(iter(specs.values()))
        data = io.BytesIO()
        build_cell_template(spec, "vi").save(data)
        check_bytes(data.getvalue(), "mau.xlsx", specs)
    except Exception:  # warming is an optimisation only: a failure here must not stop the server
        pass
    gc.collect()
    gc.freeze()  # the forked checks never scan (and so never copy) what was loaded here


warm()
