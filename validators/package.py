"""The file as a package: what format it is, whether it is safe to parse, where names point.

Everything here works on bytes already in memory, reads only bounded amounts, and never
executes anything: macros are detected (vbaProject.bin) and reported, never run.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from xml.etree import ElementTree as ET

from fourgood.problems import Problem

MAX_UNPACKED = 200 * 1024 * 1024  # declared size of all parts together
MAX_PART = 64 * 1024 * 1024  # any single part we decompress ourselves
MAX_RATIO = 1000  # compression ratio beyond which a big part is treated as a bomb
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


class Refused(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


@dataclass
class Package:
    format: str  # xlsx, xlsm, xlsb, xls, ods
    zip: zipfile.ZipFile | None = None
    macros: bool = False
    sheet_parts: dict[str, str] = field(default_factory=dict)  # sheet title -> xml part (xlsx)
    names: dict[str, str] = field(default_factory=dict)  # defined name -> formula text
    data: bytes = field(default=b"", repr=False)  # the package's bytes: its parts are inflated from them

    @property
    def archive(self) -> zipfile.ZipFile:
        """The zip of an xlsx/xlsm/xlsb/ods package; only the parts readers ask for it (an .xls has none)."""
        if self.zip is None:
            raise ValueError(f"a {self.format} file is not a zip package")
        return self.zip


def open_package(data: bytes) -> Package:
    """Identify the format from content (not the file name) and check it is safe to parse."""
    if not data:
        raise Refused(Problem("empty_file"))
    if data.startswith(OLE_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            raise Refused(Problem("password_protected"))
        return Package("xls", macros=b"V\x00B\x00A" in data[:65536] or b"_VBA_PROJECT" in data)
    if not data.startswith(b"PK"):
        raise Refused(Problem("not_spreadsheet", params={"detail": _describe(data)}))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise Refused(Problem("corrupt_file", params={"detail": f"zip: {exc}"})) from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED or any(i.file_size > MAX_PART and i.file_size > MAX_RATIO * max(i.compress_size, 1)
                                   for i in infos):
        raise Refused(Problem("oversized_content", value=round(total / 2**20), expected=MAX_UNPACKED // 2**20))
    names = {i.filename for i in infos}
    if "mimetype" in names and _read(zf, "mimetype", 200).startswith(ODS_MIME):
        fmt = "ods"
    elif "xl/workbook.bin" in names:
        fmt = "xlsb"
    elif "xl/workbook.xml" in names:
        fmt = "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
    else:
        kind = "Word" if "word/document.xml" in names else "PowerPoint" if "ppt/presentation.xml" in names else "zip"
        raise Refused(Problem("not_spreadsheet", params={"detail": kind}))
    _refuse_entities(zf, infos, data)
    if fmt == "ods" and "META-INF/manifest.xml" in names and _ods_encrypted(zf):
        raise Refused(Problem("password_protected"))
    pkg = Package(fmt, zip=zf, macros="xl/vbaProject.bin" in names, data=data)
    if fmt in ("xlsx", "xlsm"):
        _read_workbook_xml(pkg)
    elif fmt == "ods":
        _read_ods_names(pkg)
    return pkg


def _read(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    try:
        with zf.open(name) as fh:
            return fh.read(limit)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, zlib.error) as exc:
        # RuntimeError: a part encrypted with a zip password; zlib.error: a damaged deflate stream
        raise Refused(Problem("corrupt_file", params={"detail": f"{name}: {exc}"})) from None


def read_part(pkg: Package, name: str) -> bytes:
    info = pkg.archive.NameToInfo.get(name)
    fast = _inflate(pkg.data, info, MAX_PART) if info is not None and pkg.data else None
    if fast is not None:
        return fast
    data = _read(pkg.archive, name, MAX_PART + 1)
    if len(data) > MAX_PART:
        raise Refused(Problem("oversized_content", value=len(data) // 2**20, expected=MAX_PART // 2**20))
    return data


def _refuse_entities(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], data: bytes) -> None:
    """A DOCTYPE may only stand before the root element: the first KiB of each part tells."""
    for info in infos:
        if info.filename.endswith((".xml", ".rels")) and info.file_size:
            stored = _stored_bytes(data, info, strict=False)
            known = (info.compress_type, bytes(stored)) if stored is not None and len(stored) <= _KNOWN_MAX else None
            if known is not None and known in _KNOWN_CLEAN:
                _KNOWN_CLEAN.move_to_end(known)
                continue
            inflated = _head(data, info, 1024)
            head = inflated or _read(zf, info.filename, 1024)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise Refused(Problem("xml_entities", params={"detail": info.filename}))
            if known is not None and inflated:
                _remember_clean(known)


# Parts already seen without a DOCTYPE, by their bytes as stored: every form of a template carries
# the same styles, theme, relationships and workbook parts, and the same stored bytes inflate to
# the same head. Small parts only, and a bounded number of them.
_KNOWN_MAX = 8192
_KNOWN_CLEAN: OrderedDict[tuple[int, bytes], None] = OrderedDict()  # least recently seen first


def _remember_clean(known: tuple[int, bytes]) -> None:
    _KNOWN_CLEAN[known] = None
    if len(_KNOWN_CLEAN) > 256:
        _KNOWN_CLEAN.popitem(last=False)


def _head(data: bytes, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """The first `limit` bytes of a part, inflated straight from the package's bytes (opening
    each part through zipfile costs more than the check itself); None when the part is not a
    plain stored or deflated one, or looks damaged: then zipfile reads it and says what is wrong."""
    raw = _stored_bytes(data, info, strict=False)
    if raw is None:
        return None
    if info.compress_type == zipfile.ZIP_STORED:
        return bytes(raw[:limit])
    if info.compress_type != zipfile.ZIP_DEFLATED:
        return None
    try:
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(raw, limit)
    except zlib.error:
        return None


_UNREADABLE_FLAGS = 0x1 | 0x20 | 0x40  # encrypted, patched data, strong encryption: zipfile's to refuse


def _stored_bytes(data: bytes, info: zipfile.ZipInfo, strict: bool = True) -> memoryview | None:
    """A part's bytes as stored (compressed), found through its local header; None when the header
    does not look right (zipfile then reads the part and says what is wrong). `strict`: also None
    unless zipfile would read it without a complaint (its flags, its header's name)."""
    off = info.header_offset
    if info.flag_bits & (_UNREADABLE_FLAGS if strict else 1) or data[off:off + 4] != b"PK\x03\x04":
        return None
    if strict and len(data) < off + 30:
        return None
    flags, = struct.unpack_from("<H", data, off + 6)
    name_len, extra_len = struct.unpack_from("<HH", data, off + 26)
    if strict:
        try:
            name = data[off + 30:off + 30 + name_len].decode("utf-8" if flags & 0x800 else "cp437")
        except UnicodeDecodeError:
            return None
        if name != info.orig_filename:
            return None
    start = off + 30 + name_len + extra_len
    return memoryview(data)[start:start + info.compress_size]


def _inflate(data: bytes, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """A whole part inflated straight from the package's bytes, when it is exactly what zipfile
    would return (its declared size, its CRC, within `limit`); None otherwise: zipfile then reads
    it, with its own errors. Half the cost of zipfile's reader for a form's small parts."""
    raw = _stored_bytes(data, info)
    if raw is None or info.file_size > limit or len(raw) != info.compress_size:
        return None
    if info.compress_type == zipfile.ZIP_STORED:
        out = bytes(raw)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        try:
            out = zlib.decompressobj(-zlib.MAX_WBITS).decompress(raw, info.file_size + 1)
        except zlib.error:
            return None
    else:
        return None
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        return None
    return out


MANIFEST_NS = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"


def _ods_encrypted(zf: zipfile.ZipFile) -> bool:
    """ODF encryption (a password set when saving) lists manifest:encryption-data in the manifest."""
    data = _read(zf, "META-INF/manifest.xml", MAX_PART + 1)
    if len(data) > MAX_PART:
        raise Refused(Problem("oversized_content", value=len(data) // 2**20, expected=MAX_PART // 2**20))
    root = _parse_xml(data, "META-INF/manifest.xml")
    return root.find(f".//{MANIFEST_NS}encryption-data") is not None


def _parse_xml(data: bytes, part: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise Refused(Problem("corrupt_file", params={"detail": f"{part}: {exc}"})) from None


MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _read_workbook_xml(pkg: Package) -> None:
    rels = "xl/_rels/workbook.xml.rels"
    workbook_xml = read_part(pkg, "xl/workbook.xml")
    rels_xml = read_part(pkg, rels) if rels in pkg.archive.NameToInfo else b""
    sheet_parts, names = _workbook_parts(workbook_xml, rels_xml)
    pkg.sheet_parts.update(sheet_parts)
    pkg.names.update(names)


@lru_cache(maxsize=64)  # every form of a template carries the same two parts: parsed once per process
def _workbook_parts(workbook_xml: bytes, rels_xml: bytes) -> tuple[tuple[tuple[str, str], ...],
                                                                  tuple[tuple[str, str], ...]]:
    """(sheet title, part) and (defined name, reference) pairs of xl/workbook.xml and its rels."""
    root = _parse_xml(workbook_xml, "xl/workbook.xml")
    targets = {}
    if rels_xml:
        for rel in _parse_xml(rels_xml, "workbook.xml.rels"):
            target = rel.get("Target", "")
            targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    sheet_parts: dict[str, str] = {}
    for sheet in root.iter(f"{MAIN_NS}sheet"):
        rid = sheet.get(f"{REL_NS}id")
        if rid in targets:
            sheet_parts[sheet.get("name", "")] = targets[rid]
    names: dict[str, str] = {}
    for dn in root.iter(f"{MAIN_NS}definedName"):
        if dn.get("localSheetId") is None and dn.text:
            names[dn.get("name", "")] = dn.text
    return tuple(sheet_parts.items()), tuple(names.items())


TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _read_ods_names(pkg: Package) -> None:
    data = read_part(pkg, "content.xml")
    # Named ranges sit at the end of content.xml; parse just that element when we can.
    start = data.rfind(b"<table:named-expressions")
    if start < 0:
        return
    end = data.find(b"</table:named-expressions>", start)
    chunk = data[start:end + len(b"</table:named-expressions>")] if end > 0 else b""
    ns = b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    chunk = chunk.replace(b"<table:named-expressions", b"<table:named-expressions " + ns, 1)
    root = _parse_xml(chunk, "content.xml")
    for nr in root.iter(f"{TABLE_NS}named-range"):
        name, address = nr.get(f"{TABLE_NS}name"), nr.get(f"{TABLE_NS}cell-range-address", "")
        if name and address:
            pkg.names[name] = _ods_to_a1(address)


def _ods_to_a1(address: str) -> str:
    """$'Chấm điểm'.$D$9:.$D$30 -> 'Chấm điểm'!$D$9:$D$30"""
    address = address.replace(":.", ":").replace("$'", "'")
    m = re.match(r"^\$?('(?:[^']|'')+'|[^.]+)\.(.+)$", address)
    if not m:
        return "#REF!"
    sheet, cells = m.group(1), m.group(2)
    cells = re.sub(r"(^|:)\$?('(?:[^']|'')+'|[^.:]+)\.", r"\1", cells)  # drop a repeated sheet name
    return f"{sheet}!{cells}"


_A1 = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


@lru_cache(maxsize=4096)  # every form of a template has the same references
def parse_reference(text: str) -> tuple[str, int, int, int, int] | None:
    """'Chấm điểm'!$D$9:$D$30 -> (sheet, row0, col0, row1, col1), zero-based; None if broken."""
    if not text or "#REF!" in text or "!" not in text:
        return None
    sheet, _, cells = text.rpartition("!")
    sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
    parts = cells.split(":")
    coords = []
    for part in parts[:2]:
        m = _A1.match(part)
        if not m:
            return None
        coords.append((int(m.group(2)) - 1, col_index(m.group(1))))
    (r0, c0), (r1, c1) = coords[0], coords[-1]
    return sheet, r0, c0, r1, c1


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


@lru_cache(maxsize=1024)
def col_letter(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@lru_cache(maxsize=16384)  # a form's inputs sit at the same few hundred cells in every file
def address(row: int, col: int) -> str:
    return f"{col_letter(col)}{row + 1}"


_SPECIAL_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"([^>]*)>\s*<(f|v)[ >/]')


def special_cells(xml: bytes) -> dict[tuple[int, int], str]:
    """Zero-based (row, col) -> 'formula' or 'error' for cells calamine shows only as values."""
    out = {}
    for m in _SPECIAL_CELL.finditer(xml):
        if m.group(4) == b"f":
            out[(int(m.group(2)) - 1, col_index(m.group(1).decode()))] = "formula"
        elif b't="e"' in m.group(3):
            out[(int(m.group(2)) - 1, col_index(m.group(1).decode()))] = "error"
    return out


def _describe(data: bytes) -> str:
    head = data[:8]
    for magic, kind in ((b"%PDF", "PDF"), (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"),
                        (b"{\\rtf", "RTF"), (b"Rar!", "RAR"), (b"7z\xbc\xaf", "7z"), (b"\x1f\x8b", "gzip")):
        if head.startswith(magic):
            return kind
    sample = data[:512]
    if b"<html" in sample.lower() or b"<!doctype html" in sample.lower():
        return "HTML"
    try:
        sample.decode("utf-8")
        return "văn bản/text" if b"," not in sample and b";" not in sample else "CSV/text"
    except UnicodeDecodeError:
        return "binary"
