"""Lift the templates' password-less sheet protection while marking cells, then restore it.

Desktop Excel refuses fills and notes on a protected sheet. The remote interpreter has no
protection to lift. Only the formats fourgood writes are changed; staff's entries never are.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def _engine(book: Any) -> str:
    try:
        return book.app.engine.name
    except Exception:
        return ""


@contextmanager
def unprotected(book: Any, sheet_names: set[str]) -> Iterator[None]:
    lifted = []
    if _engine(book) == "excel":
        for name in sheet_names:
            api = book.sheets[name].api
            try:
                if sys.platform.startswith("win"):
                    if api.ProtectContents:
                        api.Unprotect()
                        lifted.append(api)
                elif api.protect_contents.get():  # macOS, appscript
                    api.unprotect()
                    lifted.append(api)
            except Exception:  # a password set by someone else: marking will say it could not
                pass
    try:
        yield
    finally:
        for api in lifted:
            if sys.platform.startswith("win"):
                api.Protect(DrawingObjects=True, Contents=True, Scenarios=True, AllowFormattingColumns=True)
            else:
                api.protect_worksheet(drawing_objects=True, contents=True, scenarios=True,
                                      allow_formatting_columns=True)
