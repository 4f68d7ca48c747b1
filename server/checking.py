"""Check one uploaded file with exactly the rules of `fourgood validate`, and decide who may
submit it. The file's own name is only ever shown, never used as a path: the bytes are written
under their content hash in a private temporary folder and read from there.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_extension(data: bytes) -> str:
    """A safe extension from the content (the reader itself goes by content, not by name)."""
    if data.startswith(OLE_MAGIC):
        return ".xls"
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as z:
                names = set(z.namelist()[:2000])
        except (zipfile.BadZipFile, OSError, ValueError):
            return ".bin"
        if "mimetype" in names and "content.xml" in names:
            return ".ods"
        if "xl/workbook.bin" in names:
            return ".xlsb"
        if "xl/vbaProject.bin" in names:
            return ".xlsm"
        return ".xlsx"
    return ".bin"


def display_name(name: str | None) -> str:
    """The name a user gave, for showing only: last path component, no control characters."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    return text[:200] or "tep-tai-len"


def check_bytes(data: bytes, name: str | None, specs: dict[str, Any], lang: str = "vi") -> dict[str, Any]:
    """The JSON object `fourgood validate --json` gives for this one file (its `file` is the
    name the user gave), plus nothing else."""
    from fourgood import validate_paths
    from fourgood.validate_cmd import to_json

    sha = hashlib.sha256(data).hexdigest()
    work = Path(tempfile.mkdtemp(prefix="fourgood-check-"))
    try:
        path = work / f"{sha}{sniff_extension(data)}"
        path.write_bytes(data)
        result = validate_paths([str(path)], specs, lang=lang)
        obj = to_json(result, lang)[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    obj["file"] = display_name(name)
    return obj


def _code(text: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", str(text or ""))).upper()


@dataclass
class Roster:
    """Who is above each cell: cell code -> the codes of the cell and every organisation above it."""

    units_of: dict[str, set[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, path: str | Path | None) -> Roster:
        if not path:
            return cls()
        from fourgood.validators.roster import read_roster

        frame = read_roster(path)
        roster = cls()
        for row in frame.to_dict("records"):
            cell = _code(row.get("cell_code"))
            if not cell:
                continue
            chain = row.get("org_chain") or "[]"
            try:
                orgs = json.loads(chain) if isinstance(chain, str) else list(chain)
            except ValueError:
                orgs = []
            codes = {cell} | {_code(o[0]) for o in orgs if o and o[0]}
            roster.units_of[cell] = codes
            for o in orgs:
                if o and o[0]:
                    roster.names[_code(o[0])] = str(o[1] if len(o) > 1 else o[0])
            roster.names.setdefault(cell, str(row.get("cell_name") or cell))
        return roster

    def known_unit(self, unit: str) -> bool:
        code = _code(unit)
        return any(code in codes for codes in self.units_of.values())

    def may_submit(self, unit: str, cell_code: str | None) -> tuple[bool, str]:
        """(allowed, the reason in Vietnamese when not)."""
        cell = _code(cell_code)
        if not cell:
            return False, "Phiếu không có mã chi bộ nên không xác định được chi bộ nộp phiếu."
        codes = self.units_of.get(cell)
        if codes is None:
            return False, f"Mã chi bộ {cell} không có trong danh sách chi bộ của Ban Tổ chức."
        if _code(unit) not in codes:
            return False, (f"Chi bộ {cell} không trực thuộc đơn vị {unit}: mã truy cập của đơn vị {unit} "
                           f"chỉ được nộp phiếu của các chi bộ trực thuộc đơn vị mình.")
        return True, ""
