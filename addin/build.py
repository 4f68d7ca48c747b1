"""Build and install `fourgood.xlam`.

The add-in is xlwings' own ribbon add-in (`quickstart_addin_ribbon.xlam`, shipped in the
xlwings package) with our ribbon XML: its VBA (the RunPython bridge and the ribbon callback
`RibbonMyAddin.RunMain`) is xlwings', unchanged, so no VBA binary is hand-made. That callback
imports the Python module named like the add-in file and calls its `main()`: the file is
named fourgood.xlam, so the button runs `fourgood.main()`.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from fourgood.atomic import write_bytes_atomic
from fourgood.logfile import home_dir
from fourgood.vocab import Text

ADDIN_FILE = "fourgood.xlam"
RIBBON = Path(__file__).with_name("ribbon.xml")
CONF_SHEET_OFF, CONF_SHEET_ON = "_myaddin.conf", "myaddin.conf"  # the name xlwings' add-in VBA looks for


def xlwings_ribbon_addin() -> Path:
    import xlwings

    return Path(xlwings.__file__).with_name("quickstart_addin_ribbon.xlam")


def build_addin(out_dir: str | Path, interpreter: str | None = None) -> Path:
    """Write fourgood.xlam into out_dir. With an interpreter, the add-in's own config sheet
    points RunPython at it (what `fourgood addin install` does); without, the add-in uses the
    user's xlwings settings."""
    source = xlwings_ribbon_addin().read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "customUI/customUI.xml":
                data = RIBBON.read_bytes()
            elif interpreter and info.filename == "xl/workbook.xml":
                data = data.replace(f'name="{CONF_SHEET_OFF}"'.encode(), f'name="{CONF_SHEET_ON}"'.encode())
            elif interpreter and info.filename == "xl/worksheets/sheet1.xml":
                data = _set_interpreter(data, interpreter)
            zout.writestr(info, data)
    return write_bytes_atomic(Path(out_dir) / ADDIN_FILE, out.getvalue())


def _set_interpreter(sheet_xml: bytes, interpreter: str) -> bytes:
    """Fill B1 (Interpreter_Win) and B2 (Interpreter_Mac) of the config sheet."""
    text = sheet_xml.decode("utf-8")
    value = escape(interpreter)
    for row in (1, 2):
        cell = f'<c r="B{row}" t="inlineStr"><is><t>{value}</t></is></c>'

        def append(m: re.Match[str], cell: str = cell) -> str:
            return m.group(1) + m.group(2) + cell + m.group(3)

        text = re.sub(rf'(<row r="{row}"[^>]*>)(.*?)(</row>)', append, text, count=1, flags=re.S)
    return text.encode("utf-8")


def install_addin(lang: str = "vi") -> tuple[int, str]:
    """Install for the current user and point it at this Python; (exit code, message)."""
    home = home_dir() / "addin"
    if not (sys.platform.startswith("win") or sys.platform == "darwin"):
        path = build_addin(home)
        return 1, Text(
            f"Máy này ({sys.platform}) không có Excel nên không cài đặt được. Đã tạo tệp add-in tại {path}: "
            "hãy chép sang máy Windows hoặc macOS có Excel và chạy `fourgood addin install` ở đó.",
            f"Excel is not available on this system ({sys.platform}); nothing was installed. The add-in was built "
            f"at {path}: copy it to a Windows or macOS computer and run `fourgood addin install` there.").of(lang)
    from xlwings import cli

    path = build_addin(home, interpreter=sys.executable)
    cli._addin_install(str(path))  # copies into Excel's XLSTART folder, as `xlwings addin install` does
    return 0, Text(
        f"Đã cài {path.name}, dùng Python tại {sys.executable}. Hãy khởi động lại Excel; thẻ “4 Tốt” sẽ xuất hiện.",
        f"Installed {path.name}, pointing at {sys.executable}. Restart Excel; the “4 Tốt” tab appears.").of(lang)
