"""Where tracebacks go: users see one readable sentence, the details land in a log file."""

from __future__ import annotations

import os
import traceback
from pathlib import Path


def home_dir() -> Path:
    """~/.fourgood, or FOURGOOD_HOME when set (tests, shared machines)."""
    return Path(os.environ.get("FOURGOOD_HOME") or Path.home() / ".fourgood")


def log_traceback(context: str = "") -> Path:
    """Append the current exception's traceback (after a line of context) to fourgood.log."""
    folder = home_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "fourgood.log"
        with path.open("a", encoding="utf-8") as fh:
            if context:
                fh.write(f"--- {context}\n")
            fh.write(traceback.format_exc() + "\n")
        return path
    except OSError:
        return Path("(no log)")
