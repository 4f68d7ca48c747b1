"""Open a submitted file as a `WorkbookView`: python-calamine first, then the backend of the format
found in the content (`BACKENDS`), which falls back to another reader only where calamine misreads.

Encrypted files of every format are `password_protected`; a file no reader can parse stays
`corrupt_file`. Nothing here executes anything; inputs are only read.
"""

from __future__ import annotations

import io

from python_calamine import CalamineWorkbook

from fourgood.problems import Problem

from ..package import Refused, open_package
from . import calamine, ods, xls, xlsb
from .base import Backend, WorkbookView, error_summary

# format (from `open_package`) -> its backend; any other format is calamine's alone (xlsx, xlsm)
BACKENDS: dict[str, Backend] = {"xls": xls, "xlsb": xlsb, "ods": ods}
DEFAULT: Backend = calamine


def open_view(data: bytes) -> WorkbookView:
    pkg = open_package(data)  # format from content; zip bombs, DOCTYPE/ENTITY, OLE encryption refused here
    backend = BACKENDS.get(pkg.format, DEFAULT)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise Refused(Problem("password_protected")) from None
        rescued = backend.rescue(data, pkg, exc)
        if rescued is not None:
            return rescued
        raise Refused(Problem("corrupt_file", params={"detail": error_summary(exc)})) from None
    return backend.view(data, pkg, book)
