"""Check one uploaded file with exactly the rules of `fourgood validate`, and decide who may
submit it. The file's own name is only ever shown, never used as a path: a check reads the
upload's bytes (`check_bytes`, nothing written to disk); a submission is saved under its content
hash (`save_upload`) to be stored in the inbox.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_file_extension(path: Path) -> str:
    """A safe extension from the content (the reader itself goes by content, not by name), reading
    only the file's head and, for a zip, its directory."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(OLE_MAGIC):
        return ".xls"
    if not head.startswith(b"PK"):
        return ".bin"
    try:
        with zipfile.ZipFile(path) as z:
            return _zip_extension(set(z.namelist()[:2000]))
    except (zipfile.BadZipFile, OSError, ValueError):
        return ".bin"


def _zip_extension(names: set[str]) -> str:
    if "mimetype" in names and "content.xml" in names:
        return ".ods"
    if "xl/workbook.bin" in names:
        return ".xlsb"
    if "xl/vbaProject.bin" in names:
        return ".xlsm"
    return ".xlsx"


def save_upload(source: BinaryIO, folder: Path, limit: int) -> Path | None:
    """Copy an upload into `folder` while hashing it, then name it `<sha256><ext>` (the extension
    from the content). None for an empty upload; a file over `limit` stops being copied one chunk
    past it (the caller refuses it)."""
    h = hashlib.sha256()
    part = folder / "upload.part"
    size = 0
    with open(part, "wb") as out:
        for chunk in iter(lambda: source.read(1024 * 1024), b""):
            h.update(chunk)
            out.write(chunk)
            size += len(chunk)
            if size > limit:
                break
    if size == 0:
        part.unlink()
        return None
    path = folder / f"{h.hexdigest()}{sniff_file_extension(part)}"
    part.replace(path)
    return path


def display_name(name: str | None) -> str:
    """The name a user gave, for showing only: last path component, no control characters."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    return text[:200] or "tep-tai-len"


def read_upload(source: BinaryIO, limit: int) -> bytes | None:
    """An upload's bytes, for a check (held in memory: nothing on disk). None for an empty upload;
    past `limit` it stops one chunk later (the caller refuses it), as `save_upload` does."""
    chunks: list[bytes] = []
    size = 0
    for chunk in iter(lambda: source.read(1024 * 1024), b""):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks) or None


# What the checked upload is called inside the check: never the user's name (shown only), never a
# lock or system file's name (those are skipped unread). The result's `file` is the user's name.
UPLOAD_KEY = "upload"


def check_bytes(data: bytes, name: str | None, specs: dict[str, Any], lang: str = "vi") -> dict[str, Any]:
    """The JSON object `fourgood validate --json` gives for this one file (its `file` is the name the
    user gave), from its bytes: what the check pool's processes run."""
    from fourgood import validate_bytes
    from fourgood.check import file_reports

    result = validate_bytes(data, UPLOAD_KEY, specs, lang=lang)
    obj: dict[str, Any] = file_reports(result)[0].to_json(lang)
    obj["file"] = display_name(name)
    return obj


def check_file(path: Path, name: str | None, specs: dict[str, Any], lang: str = "vi") -> dict[str, Any]:
    """`check_bytes` of a file saved by `save_upload` (read once)."""
    return check_bytes(path.read_bytes(), name, specs, lang)


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

    def may_submit(self, unit: str, cell_code: str | None) -> tuple[str, str, str | None] | None:
        """None if the unit may submit this cell's form, else (the answer's code, value, expected)."""
        cell = _code(cell_code)
        if not self.units_of:
            return "http_no_roster", cell, None
        if not cell:
            return "http_no_cell_code", cell, None
        codes = self.units_of.get(cell)
        if codes is None:
            return "http_cell_not_in_roster", cell, None
        if _code(unit) not in codes:
            return "http_not_under_unit", cell, unit
        return None
