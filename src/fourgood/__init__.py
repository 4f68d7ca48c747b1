"""fourgood: the "Chi bộ 4 tốt" (4-good party cell) evaluation toolkit.

Data flows one way: criteria spec -> template -> submission -> read -> validate -> score
-> roll up -> write. The command line, the Excel add-in and the tests call the same small
public API listed in `__all__` (loaded on first use, so `import fourgood` stays light for the
Excel ribbon).
"""

from __future__ import annotations

import importlib
import os
from typing import Any

# openpyxl picks its XML writer when first imported: lxml's where lxml is installed, else its own.
# They write different bytes (namespace declarations, "<x />", xml:space on blank text); the bundled
# templates and the streamed report sheets (sheet_stream) follow openpyxl's own, so a workbook does
# not change with whether lxml happens to be installed. Every fourgood module is imported after this.
os.environ["OPENPYXL_LXML"] = "False"

__version__ = "0.1.0"

# name -> module that defines it
_API = {
    "load_specs": "fourgood.spec",
    "Spec": "fourgood.spec",
    "validate_paths": "fourgood.pipeline",
    "validate_bytes": "fourgood.pipeline",
    "BatchResult": "fourgood.pipeline",
    "check_view": "fourgood.check",
    "CheckResult": "fourgood.check",
    "consolidate_paths": "fourgood.rollup",
    "Consolidation": "fourgood.rollup",
    "write_consolidated": "fourgood.report.writer",
    "Problem": "fourgood.problems",
    "FourgoodError": "fourgood.problems",
}
__all__ = ["load_specs", "Spec", "validate_paths", "validate_bytes", "BatchResult", "check_view", "CheckResult",
           "consolidate_paths", "Consolidation", "write_consolidated", "Problem", "FourgoodError", "main", "__version__"]

def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'fourgood' has no attribute {name!r}")


def main() -> None:
    """The ribbon button of the `fourgood.xlam` add-in.

    xlwings' ribbon add-in runs ``import <add-in name>; <add-in name>.main()``, so the add-in
    file is named fourgood.xlam and this hands over to the add-in package.
    """
    from .addin import main as addin_main

    addin_main()
