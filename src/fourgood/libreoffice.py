"""LibreOffice headless: the real spreadsheet engine used to recalculate and render forms."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(src: str | Path, fmt: str, out_dir: str | Path, timeout: float = 180) -> Path:
    return convert_many([src], fmt, out_dir, timeout)[0]


def convert_many(sources: list[str | Path], fmt: str, out_dir: str | Path, timeout: float = 300) -> list[Path]:
    """Convert with a private user profile, so parallel or root runs never share state.

    Converting to a spreadsheet format makes LibreOffice recalculate every formula that has
    no cached value (files written by openpyxl have none) and store the results.
    """
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fg-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", fmt, "--outdir", str(out_dir), *map(str, sources)]
        env = dict(os.environ, HOME=profile)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    targets = [out_dir / (Path(src).stem + "." + fmt.split(":")[0]) for src in sources]
    missing = [str(t) for t in targets if not t.exists()]
    if proc.returncode != 0 or missing:
        raise RuntimeError(f"LibreOffice failed ({missing}): {proc.stderr.strip() or proc.stdout.strip()}")
    return targets


def to_pdf(src: str | Path, dest: str | Path | None = None, timeout: float = 300) -> Path:
    """Print a workbook to PDF next to it (or to `dest`), atomically: LibreOffice converts into a
    temporary folder beside the target, then the finished file is moved into place, so a reader
    never sees half a PDF and a failed run leaves any earlier PDF as it was. Hidden sheets do not
    print. Raises RuntimeError when LibreOffice is missing or fails."""
    src = Path(src)
    dest = Path(dest) if dest else src.with_suffix(".pdf")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".fg-pdf-", dir=dest.parent) as tmp:
        (made,) = convert_many([src], "pdf", tmp, timeout)
        os.replace(made, dest)
    return dest
